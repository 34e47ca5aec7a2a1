"""The chapter 3 tutorial handler, as the benchmark serves it."""

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("Hello World!")
    return apache.OK
