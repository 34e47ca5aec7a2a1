"""The first content handler declines: the second must not be called and
Apache's default handler serves the file."""
from mod_python import apache


def declines(req):
    return apache.DECLINED


def second(req):
    req.content_type = "text/plain"
    req.write("second called")
    return apache.OK
