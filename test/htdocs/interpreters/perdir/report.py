"""Reports the interpreter name and the request's file name."""
import json

from mod_python import apache


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps({"interpreter": req.interpreter,
                          "filename": req.filename}))
    return apache.OK
