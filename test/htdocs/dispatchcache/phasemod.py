"""PythonHandlerModule for test_dispatch_cache.py: one module, a function
per phase it wants (the others are skipped)."""
from mod_python import apache


def fixuphandler(req):
    req.notes["fixup"] = "ran"
    return apache.OK


def handler(req):
    req.content_type = "text/plain"
    req.write("fixup %s" % req.notes.get("fixup"))
    return apache.OK
