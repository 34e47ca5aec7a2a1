"""Diagnostic: what any locked file session costs before its own logic.

For a request carrying a session cookie this does only the operations a
locked FileSession cannot do without, the way Session.py does them: take
the session's global mutex until the request's cleanup (manual 4.8),
open the session's file, read it, write the same bytes back in place,
close it.  No Session object, no cookie parsing beyond finding the id, no
pickle, no frame check.  Compared with hello and the session variant, it
splits the counter's cost into this floor and the session code's own.

A request without the cookie makes the session with a real FileSession,
so the files exist (the benchmark's set-up does this once per session).
"""

import os

import _apache
from mod_python import Session, apache

_COOKIE = "pysid="


def _unlock(args):
    server, sid = args
    _apache._global_unlock(server, sid)


def handler(req):
    req.content_type = "text/plain"
    cookie = req.headers_in.get("cookie") or ""
    if _COOKIE not in cookie:
        session = Session.FileSession(req)
        session["hits"] = 1
        session.save()
        req.write("Hits: 1\n")
        return apache.OK
    sid = cookie.partition(_COOKIE)[2][:Session.SID_LENGTH]
    if not Session._valid_sid(sid):
        return apache.HTTP_BAD_REQUEST
    _apache._global_lock(req.server, sid)
    req.register_cleanup(_unlock, (req.server, sid))
    path = req.get_options()["session_directory"] + "/mp_sess/" + sid
    fd = os.open(path, os.O_RDWR)
    try:
        data = os.pread(fd, 65536, 0)
        os.pwrite(fd, data, 0)
    finally:
        os.close(fd)
    req.write("Hits: %d\n" % len(data))
    return apache.OK
