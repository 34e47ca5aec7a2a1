"""A status page: what every Python thread of this Apache process is
doing, and for threads serving a request, which one."""
from mod_python import apache, _stacks


def handler(req):
    req.content_type = "text/plain"
    req.write(_stacks.format_all())
    return apache.OK
