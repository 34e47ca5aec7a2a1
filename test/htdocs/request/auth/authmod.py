"""Authentication that records what it saw."""
from mod_python import apache


def authenhandler(req):
    pw = req.get_basic_auth_pw()
    req.auth_seen = [req.user, pw]
    if pw == "secret":
        return apache.OK
    return apache.HTTP_UNAUTHORIZED
