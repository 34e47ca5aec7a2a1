"""Drives the Session API from the query string for test_session.py.

op=info (default)  open a session (Session(), or the class named by cls=),
                   apply set=KEY:VALUE and settimeout=N, save, and answer
                   what the session says about itself as JSON
op=invalidate      open a session and invalidate it
op=mk&n=N          create and save N sessions (lock=0), answer their ids
op=cleanup         open a session and call its cleanup()
op=twice           open the same session twice in one request (an error)
op=hello           a plain hello world, for comparing costs
op=locks           how many global mutexes there are

sid=, secret (a fixed one), timeout=, nolock, fast=0/1, verify=0/1 and
dbmtype=gnu/dumb (a module of the dbm package) are passed to the
constructor.  PythonOption test_cleanup_chance sets
Session.CLEANUP_CHANCE in this virtual host's interpreter.

clock=STEP gives the Session module, until a request without it, a clock
that counts: each reading of time.monotonic() advances it by STEP seconds,
so that session_cleanup_time_limit stops a cleanup after a number of
readings (of files examined), the same on a busy machine as on an idle one.
"""
import importlib
import json
import time
import urllib.parse

import _apache
from mod_python import apache, Session

SECRET = "a secret of the tests"


def _answer(req, value):
    req.content_type = "application/json"
    req.write(json.dumps(value))
    return apache.OK


def _open(req, q, **kw):
    if "sid" in q:
        kw["sid"] = q["sid"]
    if "secret" in q:
        kw["secret"] = SECRET
    if "timeout" in q:
        kw["timeout"] = int(q["timeout"])
    if "nolock" in q:
        kw["lock"] = 0
    cls = q.get("cls")
    if cls == "FileSession":
        for arg in ("fast", "verify"):
            if arg in q:
                kw[arg + "_cleanup"] = q[arg] == "1"
        return Session.FileSession(req, **kw)
    if cls == "DbmSession":
        if "dbmtype" in q:
            kw["dbmtype"] = importlib.import_module("dbm." + q["dbmtype"])
        return Session.DbmSession(req, **kw)
    if cls == "MemorySession":
        return Session.MemorySession(req, **kw)
    return Session.Session(req, **kw)


class _CountingClock:
    """Stands for the time module in Session: monotonic() is the number
    of readings times step; everything else is the real time module."""

    def __init__(self, step):
        self.step = step
        self.readings = 0

    def monotonic(self):
        self.readings += 1
        return self.readings * self.step

    def __getattr__(self, name):
        return getattr(time, name)


def _info(s):
    return {"cls": type(s).__name__, "id": s.id(), "is_new": s.is_new(),
            "created": s.created(), "last_accessed": s.last_accessed(),
            "timeout": s.timeout(), "data": dict(s)}


def handler(req):
    q = dict(urllib.parse.parse_qsl(req.args or "", keep_blank_values=True))
    chance = req.get_options().get("test_cleanup_chance")
    if chance is not None:
        Session.CLEANUP_CHANCE = int(chance)
    # One interpreter per virtual host: this reaches only the sessions of
    # the virtual host that asked for it.
    Session.time = _CountingClock(float(q["clock"])) if "clock" in q \
        else time
    op = q.get("op", "info")
    if op == "hello":
        req.content_type = "text/plain"
        req.write("Hello World!")
        return apache.OK
    if op == "locks":
        return _answer(req, _apache._global_lock_count())
    if op == "mk":
        ids = []
        for i in range(int(q["n"])):
            s = _open(req, q, lock=0)
            s["i"] = i
            s.save()
            ids.append(s.id())
        # one Set-Cookie per session is of no use to anybody
        del req.headers_out["Set-Cookie"]
        return _answer(req, ids)
    s = _open(req, q)
    if op == "info":
        if "set" in q:
            key, _, value = q["set"].partition(":")
            s[key] = value
        if "settimeout" in q:
            s.set_timeout(int(q["settimeout"]))
        s.save()
        return _answer(req, _info(s))
    if op == "invalidate":
        s.invalidate()
        s.save()            # stores nothing once invalidated
        return _answer(req, _info(s))
    if op == "cleanup":
        s.cleanup()
        return _answer(req, _info(s))
    if op == "twice":
        Session.Session(req, sid=s.id())
        return _answer(req, "not reached")
    raise ValueError("unknown op %r" % op)
