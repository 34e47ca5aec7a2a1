"""Drives RedisSession from the query string for test_redis_session.py.

op=info (default)  open a session (Session(), which the configuration
                   makes a RedisSession), apply set=KEY:VALUE and
                   settimeout=N, save unless nosave, answer what the
                   session says about itself as JSON
op=invalidate      open a session, invalidate it, save (stores nothing)
op=delete          open a session, delete() it
op=load            open a session, change it without saving, load() it
                   again and answer what load() gave
op=cleanup         open a session and call cleanup()
op=hold&secs=N     open a session, save it (held=yes) and
                   keep it locked for N more seconds
op=unlock          open a session, unlock(), lock() again, save
op=twice           open the same session twice in one request (an error)

sid=, secret (a fixed one), timeout= and nolock go to the constructor.
"""
import json
import time
import urllib.parse

from mod_python import apache, Session

SECRET = "a secret of the tests"


def _open(req, q):
    kw = {}
    if "sid" in q:
        kw["sid"] = q["sid"]
    if "secret" in q:
        kw["secret"] = SECRET
    if "timeout" in q:
        kw["timeout"] = int(q["timeout"])
    if "nolock" in q:
        kw["lock"] = 0
    if q.get("cls") == "RedisSession":
        return Session.RedisSession(req, **kw)
    return Session.Session(req, **kw)


def _info(s, **more):
    info = {"cls": type(s).__name__, "id": s.id(), "is_new": s.is_new(),
            "created": s.created(), "last_accessed": s.last_accessed(),
            "timeout": s.timeout(), "data": dict(s)}
    info.update(more)
    return info


def handler(req):
    q = dict(urllib.parse.parse_qsl(req.args or "", keep_blank_values=True))
    op = q.get("op", "info")
    req.content_type = "application/json"
    s = _open(req, q)
    more = {}
    if op == "info":
        if "set" in q:
            key, _, value = q["set"].partition(":")
            s[key] = value
        if "settimeout" in q:
            s.set_timeout(int(q["settimeout"]))
        if "nosave" not in q:
            s.save()
    elif op == "invalidate":
        s.invalidate()
        s.save()
    elif op == "delete":
        s.delete()
    elif op == "load":
        s["scribble"] = "not saved"
        more["loaded"] = s.load()
    elif op == "cleanup":
        s.cleanup()
    elif op == "hold":
        s["held"] = "yes"
        s.save()
        time.sleep(float(q["secs"]))
    elif op == "unlock":
        s.unlock()
        s.lock()
        s["relocked"] = "yes"
        s.save()
    elif op == "twice":
        Session.Session(req, sid=s.id())
    else:
        raise ValueError("unknown op %r" % op)
    req.write(json.dumps(_info(s, **more)))
    return apache.OK
