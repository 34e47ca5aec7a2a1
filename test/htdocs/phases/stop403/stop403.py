"""The second fixup returns HTTP_FORBIDDEN: the third and the content
handler must not be called."""
from mod_python import apache


def fix_ok(req):
    req.err_headers_out["X-Fix-Ok"] = "1"
    return apache.OK


def fix_forbidden(req):
    return apache.HTTP_FORBIDDEN


def fix_never(req):
    req.err_headers_out["X-Fix-Never"] = "1"
    return apache.OK


def handler(req):
    req.write("content handler called")
    return apache.OK
