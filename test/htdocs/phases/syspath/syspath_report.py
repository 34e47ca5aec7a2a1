"""Reports sys.path: the directive's directory must have been prepended."""
import json
import sys

from mod_python import apache


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps({"path": sys.path, "interpreter": req.interpreter}))
    return apache.OK
