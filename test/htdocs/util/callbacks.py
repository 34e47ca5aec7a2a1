"""field_callback: every simple value of a multipart form is written to
an object the application makes.  Any object with write(bytes), seek and
read will do; FieldStorage calls its close() when the request ends.
This one counts what it is given and notes its closing in a file."""
import io
import json
import os

from mod_python import apache, util


class CountingBuffer:
    """An in-memory field store that records how it is used."""

    closed_log = None   # a file that close() appends a line to

    def __init__(self):
        self.buffer = io.BytesIO()
        self.writes = 0

    def write(self, data):
        self.writes += 1
        return self.buffer.write(data)

    def seek(self, offset, whence=0):
        return self.buffer.seek(offset, whence)

    def read(self, size=-1):
        return self.buffer.read(size)

    def close(self):
        with open(self.closed_log, "a") as f:
            f.write("%s\n" % self.buffer.getvalue().decode("utf-8",
                                                           "replace"))


def handler(req):
    CountingBuffer.closed_log = os.path.join(req.get_options()["upload_dir"],
                                             os.path.basename(req.args))
    fs = util.FieldStorage(req, field_callback=CountingBuffer)
    req.content_type = "application/json"
    req.write(json.dumps([{
        "name": field.name,
        "file_class": type(field.file).__name__,
        "writes": getattr(field.file, "writes", None),
        "value": field.value if field.filename is None else None,
        "value_class": type(field.value).__name__,
        "item_class": type(fs[field.name]).__name__,
        "item": str(fs[field.name]) if field.filename is None else None,
    } for field in fs.list]))
    return apache.OK
