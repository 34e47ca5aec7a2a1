"""A form and a FileSession for the load tests: each request adds one to
its session's count (FileSession locks the session, so concurrent
requests of one session are serialised and none is lost).  '?peek'
reads the count without adding to it."""

from mod_python import Session, apache, util


def handler(req):
    form = util.FieldStorage(req, keep_blank_values=1)
    session = Session.FileSession(req)
    if req.args != "peek":
        session["n"] = session.get("n", 0) + 1
        session.save()
    req.content_type = "text/plain"
    req.write("n=%d fields=%d" % (session.get("n", 0), len(form.list)))
    return apache.OK
