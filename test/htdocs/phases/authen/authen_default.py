"""PythonAuthenHandler with the default object name: authenhandler."""
from mod_python import apache


def authenhandler(req):
    pw = req.get_basic_auth_pw()
    if req.user == "spam" and pw == "eggs":
        return apache.OK
    return apache.HTTP_UNAUTHORIZED


def handler(req):
    req.content_type = "text/plain"
    req.write("user=%s" % req.user)
    return apache.OK
