"""Reports whether PythonImport ran in this process and interpreter."""
import json
import os
import sys

from mod_python import apache


def handler(req):
    mod = sys.modules.get("preloaded")
    req.content_type = "application/json"
    req.write(json.dumps({
        "pid": os.getpid(),
        "interpreter": req.interpreter,
        "preloaded": mod is not None,
        "imported_in_pid": getattr(mod, "IMPORTED_IN_PID", None),
        "imported_in_interpreter": getattr(mod, "IMPORTED_IN_INTERPRETER",
                                           None),
    }))
    return apache.OK
