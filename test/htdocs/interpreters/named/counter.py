"""A module-global counter and a token drawn at import: two interpreters
importing this module get two tokens and two counters."""
import json
import os
import uuid

from mod_python import apache

TOKEN = uuid.uuid4().hex
COUNT = 0


def is_main_interpreter():
    try:
        import _xxsubinterpreters as interpreters
    except ImportError:
        try:
            import _interpreters as interpreters
        except ImportError:
            return None
    try:
        return interpreters.get_current() == interpreters.get_main()
    except Exception:
        return None


def handler(req):
    global COUNT
    COUNT += 1
    req.content_type = "application/json"
    req.write(json.dumps({
        "interpreter": req.interpreter,
        "pid": os.getpid(),
        "token": TOKEN,
        "count": COUNT,
        "main": is_main_interpreter(),
    }))
    return apache.OK
