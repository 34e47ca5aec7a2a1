"""Handlers given on several PythonHandler lines."""
from mod_python import apache


def first(req):
    req.write("first;")
    return apache.OK


def second(req):
    req.content_type = "text/plain"
    req.write("second;")
    return apache.OK


def third(req):
    req.write("third;")
    return apache.OK
