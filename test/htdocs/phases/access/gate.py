"""PythonAccessHandler: ?deny is refused with HTTP_FORBIDDEN."""
from mod_python import apache


def accesshandler(req):
    if req.args == "deny":
        return apache.HTTP_FORBIDDEN
    req.access_checked = True
    return apache.OK


def handler(req):
    req.content_type = "text/plain"
    req.write("allowed access_checked=%s" % getattr(req, "access_checked", False))
    return apache.OK
