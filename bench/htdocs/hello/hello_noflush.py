"""The chapter 3 handler writing without a flush: Apache then knows the
length and answers in one write, without chunked encoding.  A diagnostic
next to `hello`: the difference is the cost of flushing."""

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("Hello World!", 0)
    return apache.OK
