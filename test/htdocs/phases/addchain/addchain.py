"""A content handler adds another content handler while running."""
from mod_python import apache


def first(req):
    req.content_type = "text/plain"
    req.write("first;")
    req.add_handler("PythonHandler", "addchain::second")
    return apache.OK


def second(req):
    req.write("second;")
    return apache.OK
