"""PythonTypeHandler: claims .txt files with its own content type."""
from mod_python import apache


def typehandler(req):
    if req.filename.endswith(".txt"):
        req.content_type = "application/x-mp-typed"
        return apache.OK
    return apache.DECLINED
