"""req.handler written by a fixup handler: .txt files go to mod_python."""
from mod_python import apache


def fixup(req):
    if req.filename.endswith(".txt"):
        req.handler = "mod_python"
    return apache.OK


def show(req):
    req.content_type = "text/plain"
    with open(req.filename, "rb") as f:
        req.write(b"through Python: " + f.read())
    return apache.OK
