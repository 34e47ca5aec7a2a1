"""util.FieldStorage under its limits (Doc/util.rst "Limits").

?explicit=N passes max_num_fields=N and reports the ValueError it raises
instead of letting it end the request; otherwise the limits come from
PythonOption and a request past one ends with 413."""

import json

from mod_python import apache, util


def handler(req):
    req.content_type = "application/json"
    explicit = req.args and req.args.startswith("explicit=")
    if explicit:
        limit = int(req.args.split("&", 1)[0].split("=", 1)[1])
        try:
            fs = util.FieldStorage(req, keep_blank_values=1,
                                   max_num_fields=limit)
        except ValueError as exc:
            req.write(json.dumps({"error": "ValueError", "message": str(exc)}))
            return apache.OK
    else:
        fs = util.FieldStorage(req, keep_blank_values=1)
    req.write(json.dumps({"fields": len(fs.list),
                          "names": len(fs.keys())}))
    return apache.OK
