"""A fixup adds the content handler with req.add_handler."""
from mod_python import apache


def fixuphandler(req):
    req.add_handler("PythonHandler", "addfix::added")
    return apache.OK


def added(req):
    req.content_type = "text/plain"
    req.write("added handler ran")
    return apache.OK
