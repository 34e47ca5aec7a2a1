"""Authentication accepts any user whose password is 'pw'; authorization
lets only alice in."""
from mod_python import apache


def authenhandler(req):
    pw = req.get_basic_auth_pw()
    if pw == "pw":
        return apache.OK
    return apache.HTTP_UNAUTHORIZED


def authzhandler(req):
    if req.user == "alice":
        return apache.OK
    return apache.HTTP_FORBIDDEN


def handler(req):
    req.content_type = "text/plain"
    req.write("hello %s" % req.user)
    return apache.OK
