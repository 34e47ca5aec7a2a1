"""WSGI applications the tests of mod_python.wsgi run (test_wsgi.py).

Every well-behaved one is wrapped in wsgiref.validate.validator, which
checks each side of PEP 3333 as the request goes through: a violation by
the server raises inside the application and fails the request."""

import json
import os
import socket
from wsgiref.validate import validator

from mod_python import apache


def _json(start_response, value, status="200 OK"):
    body = json.dumps(value, sort_keys=True).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


def _query(environ):
    from urllib.parse import parse_qs
    return {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}


@validator
def environ_app(environ, start_response):
    """The environ as JSON (str values, and the wsgi.* flags)."""
    out = {k: v for k, v in environ.items() if type(v) is str}
    for key in ("wsgi.version", "wsgi.multithread", "wsgi.multiprocess",
                "wsgi.run_once", "wsgi.url_scheme", "wsgi.input_terminated"):
        out[key] = environ[key]
    out["interpreter"] = apache.interpreter
    out["has_request"] = environ["mod_python.request"].uri == \
        environ["SCRIPT_NAME"] + environ["PATH_INFO"]
    return _json(start_response, out)


@validator
def status_app(environ, start_response):
    """Answers with the status and headers the query asks for."""
    q = _query(environ)
    headers = [("Content-Type", "text/plain")]
    for name in ("X-One", "X-Two"):
        if name in q:
            headers.append((name, q[name]))
    headers.append(("X-Repeat", "a"))
    headers.append(("X-Repeat", "b"))
    start_response(q.get("status", "200 OK"), headers)
    return [q.get("body", "").encode()]


@validator
def echo_app(environ, start_response):
    """Reads the body the way the query's mode says; returns what it got."""
    mode = _query(environ).get("mode", "read")
    stream = environ["wsgi.input"]
    parts = []
    if mode == "read":
        while True:
            block = stream.read(1000)
            if not block:
                break
            parts.append(block.decode("latin-1"))
    elif mode == "readline":
        while True:
            line = stream.readline()
            if not line:
                break
            parts.append(line.decode("latin-1"))
    elif mode == "readline-limit":
        while True:
            line = stream.readline(5)
            if not line:
                break
            parts.append(line.decode("latin-1"))
    elif mode == "readlines":
        parts = [l.decode("latin-1") for l in stream.readlines()]
    elif mode == "iter":
        parts = [l.decode("latin-1") for l in stream]
    # Reading again at the end returns nothing, at once.
    tail = stream.read(10)
    return _json(start_response, {"parts": parts, "tail": tail.decode(),
                                  "length": environ.get("CONTENT_LENGTH")})


def echo_all_app(environ, start_response):
    """read() with no argument (outside the validator, which wants one)."""
    data = environ["wsgi.input"].read()
    more = environ["wsgi.input"].read()
    return _json(start_response, {"size": len(data), "more": len(more),
                                  "head": data[:20].decode("latin-1")})


class _Closing:
    """An iterable that records close() in the file the query names."""

    def __init__(self, environ, chunks, fail_after=None):
        self.marker = os.path.join(environ["WSGI_TEST_VAR"],
                                   "closed-" + _query(environ)["token"])
        self.chunks = chunks
        self.fail_after = fail_after

    def __iter__(self):
        for i, chunk in enumerate(self.chunks):
            if self.fail_after is not None and i == self.fail_after:
                raise RuntimeError("the iterable broke")
            yield chunk() if callable(chunk) else chunk

    def close(self):
        with open(self.marker, "w") as f:
            f.write("closed")


def _wait_for_release(port):
    """Block until the test sends a byte on 127.0.0.1:port."""
    with socket.create_connection(("127.0.0.1", int(port)), timeout=20) as s:
        s.recv(1)
    return b"second chunk\n"


@validator
def stream_app(environ, start_response):
    """Yields a first chunk, then makes the second only after the test,
    having read the first, releases it through a socket."""
    port = _query(environ)["port"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return _Closing(environ, [b"first chunk\n",
                              lambda: _wait_for_release(port),
                              b"third chunk\n"])


def failing_iterable_app(environ, start_response):
    """Raises from the iterable after the first chunk went out."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return _Closing(environ, [b"the start\n", b"never sent\n"],
                    fail_after=1)


@validator
def write_app(environ, start_response):
    """Uses the write callable, then returns more from the iterable."""
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"written ")
    write(b"twice ")
    return [b"then ", b"returned"]


@validator
def single_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"one piece"]


def single_plain_app(environ, start_response):
    """A single-item list, no validator wrapping it."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"one plain piece"]


@validator
def exc_info_app(environ, start_response):
    """An error before the body: start_response again with exc_info
    replaces the status and headers."""
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("X-Dropped", "yes")])
    try:
        raise ValueError("something failed")
    except ValueError:
        import sys
        start_response("503 Try Later", [("Content-Type", "text/plain")],
                       sys.exc_info())
    return [b"sorry"]


def exc_info_late_app(environ, start_response):
    """exc_info once the headers are out: start_response re-raises."""
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"partial ")
    try:
        raise KeyError("late failure")
    except KeyError:
        import sys
        start_response("500 Oops", [("Content-Type", "text/plain")],
                       sys.exc_info())
    return [b"not reached"]


@validator
def errors_app(environ, start_response):
    """Writes to wsgi.errors."""
    errors = environ["wsgi.errors"]
    token = _query(environ)["token"]
    errors.write("wsgi-errors first %s\nwsgi-errors " % token)
    errors.writelines(["second ", token, "\n"])
    errors.write("wsgi-errors unfinished %s" % token)
    errors.flush()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"logged"]


@validator
def file_app(environ, start_response):
    """A real file through wsgi.file_wrapper."""
    path = os.path.join(os.path.dirname(__file__), "static.txt")
    start_response("200 OK", [("Content-Type", "text/plain")])
    f = open(path, "rb")
    f.seek(int(_query(environ).get("offset", "0")))
    return environ["wsgi.file_wrapper"](f, 4096)


class _NoRead:
    """A real file whose read() must not be used: only sendfile can send
    it."""

    def __init__(self, f):
        self._f = f
        self.name = f.name
        self.fileno = f.fileno
        self.tell = f.tell
        self.close = f.close

    def read(self, size=-1):
        raise AssertionError("read() used instead of sendfile")


def sendfile_app(environ, start_response):
    path = os.path.join(os.path.dirname(__file__), "static.txt")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return environ["wsgi.file_wrapper"](_NoRead(open(path, "rb")))


@validator
def filelike_app(environ, start_response):
    """Something file-like that is no file: read in blocks."""
    import io
    start_response("200 OK", [("Content-Type", "text/plain")])
    return environ["wsgi.file_wrapper"](io.BytesIO(b"x" * 10000 + b"end"),
                                        1024)


@validator
def user_app(environ, start_response):
    return _json(start_response, {"REMOTE_USER": environ.get("REMOTE_USER"),
                                  "AUTH_TYPE": environ.get("AUTH_TYPE")})


@validator
def lower_app(environ, start_response):
    """Output for the output filter to transform."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return (piece for piece in [b"made by ", b"a wsgi app"])


# ---- applications that break PEP 3333 (no validator: it would stop them
# before mod_python sees what they do)

def returns_str(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return ["a str, not bytes"]


def starts_twice(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"x"]


def not_iterable(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return 42


def raises_first(environ, start_response):
    raise ZeroDivisionError("raised before the response")


def raises_later(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])

    def body():
        yield b"some bytes\n"
        raise LookupError("raised after the first byte")
    return body()


def bad_header(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("X-Bytes", b"not a str")])
    return [b"x"]


def bad_status(environ, start_response):
    start_response("200", [("Content-Type", "text/plain")])
    return [b"x"]


def short_body(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", "100")])
    return iter([b"only ten b"])


not_callable = "a string"
