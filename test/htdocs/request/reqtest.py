"""Request object members and methods (test_request.py).

The content handler calls the function named like the last component of
req.filename; fixup() runs before it for every request of the directory.
"""
import hashlib
import json
import os
import time

from mod_python import apache


def fixup(req):
    req.notes["mp-note"] = "note-from-fixup"
    req.subprocess_env["MP_ENV"] = "env-from-fixup"
    req.headers_in.add("X-Added-In", "1")
    req.headers_in.add("X-Added-In", "2")
    req.fixup_attr = "set in fixup"
    req.fixup_phase = req.phase
    return apache.OK


def _json(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def content_type(req):
    req.content_type = "text/x-mp-test"
    req.write(req.content_type)
    return apache.OK


def write_str(req):
    req.content_type = "text/plain; charset=utf-8"
    req.write("h\u00e9llo w\u00f6rld \u20ac")
    return apache.OK


def write_bytes(req):
    req.content_type = "application/octet-stream"
    req.write(bytes(range(256)))
    req.write(bytearray(b"|bytearray"))
    return apache.OK


def write_noflush(req):
    req.content_type = "text/plain"
    req.write("a", 0)
    req.write("b", 0)
    req.write("c")
    return apache.OK


def write_flush_keyword(req):
    req.content_type = "text/plain"
    req.write("a", flush=0)
    req.write("b", flush=1)
    return apache.OK


def flush(req):
    # test_request.py's handshake: part1 must arrive before the test makes
    # the file named by the query string; only then does part2 follow.
    req.content_type = "text/plain"
    req.write("part1", 0)
    req.flush()
    go, waited = req.args or "", 0
    while go.startswith("/") and not os.path.exists(go) and waited < 2000:
        time.sleep(0.01)
        waited += 1
    req.write("part2" if os.path.exists(go) else "part2 gave up waiting")
    return apache.OK


def read_all(req):
    data = req.read()
    return _json(req, {"type": type(data).__name__, "len": len(data),
                       "sha256": hashlib.sha256(data).hexdigest()})


def read_pieces(req):
    pieces = []
    while True:
        piece = req.read(7)
        if not piece:
            break
        pieces.append(piece)
    data = b"".join(pieces)
    return _json(req, {"sizes": [len(p) for p in pieces],
                       "sha256": hashlib.sha256(data).hexdigest()})


def readline(req):
    lines = []
    while True:
        line = req.readline()
        if not line:
            break
        lines.append(line.decode("latin-1"))
    return _json(req, lines)


def readline_len(req):
    first = req.readline(3)
    rest = req.readline()
    return _json(req, [first.decode("latin-1"), rest.decode("latin-1")])


def status(req):
    req.status = apache.HTTP_CREATED
    req.content_type = "text/plain"
    req.write("created")
    return apache.OK


def headers_in(req):
    h = req.headers_in
    return _json(req, {
        "value": h["x-mp-test"],
        "upper": h["X-MP-TEST"],
        "in": "X-Mp-Test" in h,
        "get": h.get("x-MP-test"),
        "added": h["x-added-in"],
    })


def headers_out(req):
    req.headers_out["X-MP-Out"] = "out-value"
    req.content_type = "text/plain"
    req.write("headers_out set")
    return apache.OK


def err_headers_out(req):
    req.err_headers_out["X-MP-Err"] = "err-value"
    req.headers_out["X-MP-Normal"] = "normal-value"
    return apache.HTTP_FORBIDDEN


def notes(req):
    return _json(req, {
        "note": req.notes.get("mp-note"),
        "env": req.subprocess_env.get("MP_ENV"),
        "attr": getattr(req, "fixup_attr", None),
        "fixup_phase": getattr(req, "fixup_phase", None),
        "phase": req.phase,
    })


def members(req):
    return _json(req, {
        "uri": req.uri,
        "unparsed_uri": req.unparsed_uri,
        "args": req.args,
        "filename": req.filename,
        "path_info": req.path_info,
        "method": req.method,
        "protocol": req.protocol,
        "hostname": req.hostname,
        "interpreter": req.interpreter,
        "phase": req.phase,
        "options": dict(req.get_options().items()),
        "config": dict(req.get_config().items()),
        "types": [type(x).__name__ for x in (req.uri, req.filename,
                                             req.method, req.protocol)],
    })


def whoami(req):
    return _json(req, {"user": req.user,
                       "seen": getattr(req, "auth_seen", None)})


def log_error(req):
    marker = req.args
    apache.log_error("%s apache-level" % marker, apache.APLOG_ERR)
    req.log_error("%s req-level" % marker, apache.APLOG_WARNING)
    req.content_type = "text/plain"
    req.write("logged")
    return apache.OK


def import_module(req):
    here = os.path.dirname(req.filename)
    path = os.path.join(here, "importable")
    mod = apache.import_module("mp_extra_mod", path=[path])
    return _json(req, {"value": mod.VALUE, "name": mod.__name__})


def server_after_end(req):
    """A thread keeps req and, once the request has ended, logs through
    req.server (what CherryPy's adapter does)."""
    import threading
    marker = req.args

    def later():
        for _ in range(2000):
            try:
                req.uri
            except RuntimeError:
                break
            threading.Event().wait(0.01)
        else:
            return
        apache.log_error("server-after-end %s %s" % (
            marker, req.server.server_hostname), apache.APLOG_WARNING,
            req.server)

    threading.Thread(target=later, daemon=True).start()
    req.write("started")
    return apache.OK


def handler(req):
    name = os.path.basename(req.filename)
    func = globals().get(name)
    if name.startswith("_") or not callable(func) or name in (
            "handler", "fixup"):
        return apache.HTTP_NOT_FOUND
    return func(req)
