"""10,000 small writes without flushing, or the same bytes joined and
written once (issue 3: the first within 2x the time of the second)."""

from mod_python import apache

PIECES = ["%04d\n" % i for i in range(10000)]


def handler(req):
    req.content_type = "text/plain"
    if req.args == "joined":
        req.write("".join(PIECES), 0)
    else:
        for piece in PIECES:
            req.write(piece, 0)
    return apache.OK
