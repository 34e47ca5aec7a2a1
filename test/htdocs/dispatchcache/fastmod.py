"""Handlers for test_dispatch_cache.py.  Each test asks for its URL twice
on one connection: the first request imports and resolves the handler,
the second finds the module kept on the handler's entry.  Both must
behave the same."""

from mod_python import apache


def rebind(req):
    # Rebinding the module's name: the next call must find the new one.
    global rebind
    rebind = rebound
    req.content_type = "text/plain"
    req.write("first")
    return apache.OK


def rebound(req):
    req.content_type = "text/plain"
    req.write("rebound")
    return apache.OK


def raises(req):
    # ?fail raises; otherwise it answers, so that the connection stays
    # open (Apache closes it after a 500) for a second request.
    if req.args == "fail":
        raise ValueError("raised on purpose")
    req.write("ok")
    return apache.OK


def allow(req):
    apache.allow_methods(apache.M_PUT)
    return apache.HTTP_METHOD_NOT_ALLOWED


def adds(req):
    req.content_type = "text/plain"
    req.write("main ")
    req.add_handler("PythonHandler", "fastmod::added")
    return apache.OK


def added(req):
    req.write("added")
    return apache.OK


def forbids(req):
    raise apache.SERVER_RETURN(apache.HTTP_FORBIDDEN)


def declines(req):
    # ?decline: "not mine" through SERVER_RETURN (DECLINED is -1).
    if req.args == "decline":
        raise apache.SERVER_RETURN(apache.DECLINED)
    req.content_type = "text/plain"
    req.write("ok")
    return apache.OK


def not_a_status(req):
    if req.args == "fail":
        return "200"
    return apache.OK


def hello(req):
    req.content_type = "text/plain"
    req.write("Hello")
    return apache.OK


def handler_dir(req):
    req.content_type = "text/plain"
    req.write(req.hlist.directory or "None")
    return apache.OK


class Page:
    """A class as the handler: made with the request each time, then
    called."""
    made = 0

    def __init__(self, req):
        Page.made += 1
        self.number = Page.made

    def __call__(self, req):
        req.content_type = "text/plain"
        req.write("page %d" % self.number)
        return apache.OK


def running(req):
    """What apache.running says here, in a thread this handler starts, and
    (for the first request) after an internal redirect to this handler
    again, whose call sees its own request: that one writes the page, the
    outer one logs what it sees after the redirect."""
    import threading
    box = []
    thread = threading.Thread(
        target=lambda: box.append(apache.running.request))
    thread.start()
    thread.join()
    seen = [apache.running.request is req,
            apache.running.config is not None,
            box == [None]]
    if req.prev is None:
        req.internal_redirect("/running")
        req.log_error("MP-TEST running after redirect: %s"
                      % (apache.running.request is req),
                      apache.APLOG_ERR)
        return apache.OK
    req.content_type = "text/plain"
    req.write("running:%s redirected:%s"
              % (",".join(str(x) for x in seen),
                 req.prev is not apache.running.request), 0)
    return apache.OK
