"""Content for the filter tests."""
from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    what = req.args or ""
    if what == "chunks":
        for i in range(5):
            req.write("chunk%d " % i)        # flushes: one filter call each
        return apache.OK
    if what == "echo":
        body = req.read()
        req.write(b"body=" + body)
        return apache.OK
    req.write("hello filter world")
    return apache.OK
