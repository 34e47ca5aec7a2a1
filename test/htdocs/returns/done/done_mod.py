"""A fixup that answers the request itself and returns DONE: the content
handler must not run."""
from mod_python import apache


def fixup(req):
    req.content_type = "text/plain"
    req.write("fixup-done")
    return apache.DONE


def handler(req):
    req.write("content handler called")
    return apache.OK
