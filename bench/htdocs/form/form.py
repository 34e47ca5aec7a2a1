"""Issue 4's request: 20 query fields read through util.FieldStorage and a
cookie set with Cookie.add_cookie."""

from mod_python import Cookie, apache, util


def handler(req):
    form = util.FieldStorage(req)
    total = 0
    for i in range(20):
        total += int(form.getfirst("f%02d" % i, "0"))
    Cookie.add_cookie(req, "seen", "yes")
    req.content_type = "text/plain"
    req.write("Hello World! %d" % total)
    return apache.OK
