"""The page the malformed-request corpus is aimed at: it reads the form
(util.FieldStorage), the cookies and a FileSession, and counts the
requests of its session.  '?peek' reads the count without adding to it."""

from mod_python import Cookie, Session, apache, util


def handler(req):
    form = util.FieldStorage(req, keep_blank_values=1)
    cookies = Cookie.get_cookies(req)
    session = Session.FileSession(req)
    if req.args != "peek":
        session["n"] = session.get("n", 0) + 1
        session.save()
    req.content_type = "text/plain"
    req.write("n=%d fields=%d cookies=%d"
              % (session.get("n", 0), len(form.list), len(cookies)))
    return apache.OK
