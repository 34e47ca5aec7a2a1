"""Several handlers on one PythonHandler line."""
from mod_python import apache


def first(req):
    req.content_type = "text/plain"
    req.write("first;")
    return apache.OK


def second(req):
    req.write("second;")
    return apache.OK
