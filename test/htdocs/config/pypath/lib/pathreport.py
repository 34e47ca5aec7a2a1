"""Reports sys.path, set by PythonPath."""
import json
import sys

from mod_python import apache


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps(sys.path))
    return apache.OK
