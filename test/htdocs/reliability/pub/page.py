"""A publisher page for the load tests (manual 6.1)."""


def hello(req, name="world"):
    req.content_type = "text/plain"
    return "hello %s" % name
