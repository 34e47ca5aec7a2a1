"""A plain handler for the load and restart tests."""

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("hello from %s" % req.uri)
    return apache.OK
