"""Reports what PythonImport did in this child's interpreter."""
import json
import os
import sys

from mod_python import apache


def handler(req):
    mod = sys.modules.get("r35startup")
    req.content_type = "application/json"
    req.write(json.dumps({
        "pid": os.getpid(),
        "interpreter": req.interpreter,
        "calls": getattr(mod, "CALLS", None),
        "broken_imported": "r35startup_broken" in sys.modules,
    }))
    return apache.OK
