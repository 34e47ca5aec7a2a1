"""A PythonAuthenHandler guarding a WSGI application (test_wsgi.py)."""
from mod_python import apache


def authenhandler(req):
    password = req.get_basic_auth_pw()
    if req.user == "wsgiuser" and password == "secret":
        return apache.OK
    return apache.HTTP_UNAUTHORIZED
