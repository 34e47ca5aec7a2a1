"""util.FieldStorage's multipart parser, for test_parsers_fuzz.py: every
input as [name, filename, hex of its raw bytes].  field_callback keeps
simple values as bytes too, so nothing is decoded on the way."""

import io
import json

from mod_python import apache, util


def handler(req):
    fs = util.FieldStorage(req, keep_blank_values=1,
                           field_callback=io.BytesIO)
    out = []
    for field in fs.list:
        out.append([field.name, field.filename, field.file.read().hex()])
    req.content_type = "application/json"
    req.write(json.dumps(out))
    return apache.OK
