"""PythonHandlerModule: provides authenhandler, fixuphandler and handler
only; the other phases' handlers are missing and must be skipped silently."""
from mod_python import apache


def authenhandler(req):
    pw = req.get_basic_auth_pw()
    if req.user == "spam" and pw == "eggs":
        return apache.OK
    return apache.HTTP_UNAUTHORIZED


def fixuphandler(req):
    req.fixed = True
    return apache.OK


def handler(req):
    req.content_type = "text/plain"
    req.write("fixed=%s" % getattr(req, "fixed", False))
    return apache.OK
