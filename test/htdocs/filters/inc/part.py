"""Included by page.shtml through mod_include (a subrequest)."""
from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("included main=%s" % (req.main is not None), 0)
    return apache.OK
