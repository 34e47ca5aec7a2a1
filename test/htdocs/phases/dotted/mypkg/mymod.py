"""A handler module inside a package (module name in dot notation)."""
from mod_python import apache


def spam(req):
    req.content_type = "text/plain"
    req.write("mypkg.mymod::spam;")
    return apache.OK


def handler(req):
    req.write("mypkg.mymod::handler;")
    return apache.OK
