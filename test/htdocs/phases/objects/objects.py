"""module::object with dotted objects, resolved left to right; a class met
on the way is instantiated with the request."""
from mod_python import apache


class Holder:
    def __init__(self, tag):
        self.tag = tag

    def handle(self, req):
        req.write(self.tag + ";")
        return apache.OK


class _Namespace:
    pass


holder = Holder("holder.handle")
outer = _Namespace()
outer.inner = Holder("outer.inner.handle")


class Klass:
    def __init__(self, req):
        self.req = req

    def method(self, req):
        req.write("Klass.method init_got_req=%s;" % (self.req is req))
        return apache.OK


def start(req):
    req.content_type = "text/plain"
    return apache.OK
