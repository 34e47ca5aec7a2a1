"""A handler run in interpreter th_other, so that the diagnostics page
(served from another interpreter of the same process) has something to
report about it (test_testhandler.py)."""
from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("other interpreter")
    return apache.OK
