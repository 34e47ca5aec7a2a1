"""What the benchmark serves: one entry per variant.

A variant is one URL that every server able to serve it answers in the same
run, so its requests per second can be divided by the static file's.  Each
variant lives in its own directory, ``htdocs/<name>/`` of the temporary
ServerRoot, and is requested as ``/<name>/<path>``.

A variant says, per kind of server (``"mod_python"`` for ours and for another
mod_python build, ``"wsgi"`` for mod_wsgi, ``"*"`` for every server), which
files go into its directory and which configuration snippet serves them.  A
server runs every selected variant it has a setup for.

To add a variant: put its handler files under ``bench/htdocs/<name>/`` and
append a ``Variant`` to ``VARIANTS`` below.  ``config`` receives a ``Place``
(the variant's absolute directory and URL prefix) and returns the Apache
directives (``directory(...)`` below makes such a function); ``modules`` names extra Apache modules the snippet needs (for
example ``("cgi",)``), or is a function of the MPM name returning them.
``headers`` are sent with every request (a session cookie), ``body`` may be
a function checking a body that changes (a hit counter; then set
``variable_length``), and ``targets``/``relative_targets`` are checked on
our build's results.
"""

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Tuple, Union

from measure import Rotating
import redisserver

HELLO = b"Hello World!"

# Every server serves the static file: it is the yardstick of the run.
BASELINE = "static"


@dataclass(frozen=True)
class Place:
    """Where a variant lives in one server's ServerRoot."""

    dir: str        # absolute directory holding the variant's files
    url: str        # URL prefix, "/<name>"
    root: str       # the ServerRoot; <root>/var is writable by children


@dataclass(frozen=True)
class Setup:
    """How one kind of server serves a variant.

    ``files`` maps a file name inside the variant's directory to either a
    path relative to ``bench/htdocs/`` (str) or the file's bytes.
    """

    config: Callable[[Place], str] = lambda place: ""
    files: Mapping[str, Union[str, bytes]] = field(default_factory=dict)


@dataclass(frozen=True)
class Variant:
    name: str
    path: str                   # below the URL prefix; may hold a ?query
    # The exact expected body, or a function of the body saying whether it
    # is right (for bodies that change from request to request).
    body: Union[bytes, Callable[[bytes], bool]]
    setups: Mapping[str, Setup]                 # server kind -> Setup
    content_type: Optional[str] = "text/plain"
    headers: Mapping[str, str] = field(default_factory=dict)  # sent by all
    # Called once per server after it starts, with its base URL; returns
    # more headers to send (e.g. the cookie of a session it just created).
    prepare: Optional[Callable[[str], Mapping[str, str]]] = None
    variable_length: bool = False   # bodies differ in length: ab -l
    modules: Union[Tuple[str, ...], Callable[[str], Tuple[str, ...]]] = ()
    # Minimum ratio to the static file, for our build: (mpm, tool) -> ratio;
    # "*" matches any mpm or tool.
    targets: Mapping[Tuple[str, str], float] = field(default_factory=dict)
    # Minimum req/s ratio to another variant of our build, e.g. a session
    # at most 1.5x the cost of hello: {("hello", "prefork", "wrk"): 0.67}.
    relative_targets: Mapping[Tuple[str, str, str], float] = \
        field(default_factory=dict)
    # What relative_targets compare: "rps" (requests per second) or "cpu"
    # (the server's CPU time per request, inverted so more is better) --
    # for a variant whose requests wait on each other by design (one
    # locked session), where the rate measures the lock, not the cost.
    relative_by: str = "rps"
    # Our httpd tree's PSS after this variant's wrk run must not exceed
    # that of these builds (by name, e.g. "wsgi") in the same MPM.
    pss_not_above: Tuple[str, ...] = ()
    issue: str = ""
    about: str = ""

    @property
    def url(self):
        return "/%s/%s" % (self.name, self.path)

    def setup_for(self, kind):
        """The Setup for a server kind, or None if it does not serve us."""
        return self.setups.get(kind, self.setups.get("*"))

    def apache_modules(self, mpm):
        mods = self.modules(mpm) if callable(self.modules) else self.modules
        return tuple(mods)

    def target(self, mpm, tool):
        for key in ((mpm, tool), (mpm, "*"), ("*", tool), ("*", "*")):
            if key in self.targets:
                return self.targets[key]
        return None

    def relative_target(self, other, mpm, tool):
        for key in ((other, mpm, tool), (other, mpm, "*"),
                    (other, "*", tool), (other, "*", "*")):
            if key in self.relative_targets:
                return self.relative_targets[key]
        return None

    def body_ok(self, body):
        return self.body(body) if callable(self.body) else \
            body == self.body


def directory(*directives):
    """The config function of a variant whose directives go in a
    <Directory> block for its directory.  A directive may name {dir} (the
    variant's directory) and {root} (the ServerRoot; {root}/var is writable
    by the children)."""
    def config(place):
        lines = "".join("    %s\n" % d.format(dir=place.dir, root=place.root)
                        for d in directives)
        return '<Directory "%s">\n%s</Directory>\n' % (place.dir, lines)
    return config


def _handler(module, *more):
    """SetHandler mod_python with PythonHandler module."""
    return directory("SetHandler mod_python", "PythonHandler " + module,
                     *more)


def _hello_wsgi(place):
    return """WSGIScriptAlias %s/hello.py "%s/hello.wsgi"
""" % (place.url, place.dir)


# The chapter 3 configuration, holding a file that is not a .py: Apache
# serves it itself.  mod_python has per-directory configuration here
# (handlers, options, debug) and must still leave the request alone.
_unused_mod_python = directory("AddHandler mod_python .py",
                               "PythonHandler hello", "PythonDebug On",
                               "PythonOption bench.unused yes")
_hello_mod_python = _handler("hello", "PythonDebug On")
_hello_noflush_mod_python = _handler("hello_noflush", "PythonDebug On")
_writes_mod_python = _handler("writes")
_form_mod_python = _handler("form")
_session_mod_python = _handler(
    "counter", 'PythonOption session_directory "{root}/var"')
_session_floor_mod_python = _handler(
    "floor", 'PythonOption session_directory "{root}/var"')


def _session_redis_mod_python(place):
    # The URL of the benchmark's own redis-server, started here: before
    # the httpd whose configuration this is.
    return _handler(
        "redis_counter",
        "PythonOption mod_python.session.redis_url " + redisserver.url(),
        "PythonOption mod_python.session.redis_prefix bench:")(place)


_publisher_mod_python = directory("AddHandler mod_python .py",
                                  "PythonHandler mod_python.publisher")
_psp_mod_python = directory("AddHandler mod_python .psp",
                            "PythonHandler mod_python.psp")
_cgihandler_mod_python = _handler("mod_python.cgihandler")
_mod_cgi = directory("Options +ExecCGI", "SetHandler cgi-script")


def _wsgi_location(module):
    """mod_python.wsgi serving the variant's URL prefix, as Doc/wsgi.rst
    configures it."""
    def config(place):
        return ("<Location %s>\n"
                "    SetHandler mod_python\n"
                "    PythonHandler mod_python.wsgi\n"
                "    PythonPath \"['%s'] + sys.path\"\n"
                "    PythonOption mod_python.wsgi.application %s\n"
                "</Location>\n" % (place.url, place.dir, module))
    return config


def _wsgi_script(script):
    def config(place):
        return 'WSGIScriptAlias %s "%s/%s"\n' % (place.url, place.dir,
                                                 script)
    return config


_WSGI_FILES = {"bench_wsgi_hello.py": "wsgi/bench_wsgi_hello.py",
               "bench_wsgi_flask.py": "wsgi/bench_wsgi_flask.py",
               "hello.wsgi": "wsgi/hello.wsgi",
               "flask.wsgi": "wsgi/flask.wsgi"}


WRITES_BODY = "".join("%04d\n" % i for i in range(10000)).encode()


FORM_QUERY = "&".join("f%02d=%d" % (i, i) for i in range(20))
FORM_BODY = ("Hello World! %d" % sum(range(20))).encode()


def _new_session_cookie(base_url, variant):
    """The cookie of a new session of a variant's counter (its first
    request)."""
    import http.client
    host, port = base_url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", "/%s/counter.py" % variant)
        resp = conn.getresponse()
        resp.read()
        cookie = resp.getheader("Set-Cookie") or ""
    finally:
        conn.close()
    pair = cookie.split(";", 1)[0].strip()
    if "=" not in pair:
        raise OSError("the session counter set no cookie (got %r)" % cookie)
    return pair


# Sessions for the per-client counter: wrk's threads take turns through
# their share, so no two of its 16 connections wait for one session's lock
# (each thread has far more sessions than connections).
SESSIONS = 128


def _per_client_sessions(variant):
    """The prepare step of a variant with a session per client, as
    visitors have: each request then locks, loads and saves a session
    nobody else is using."""
    def prepare(base_url):
        return {"Cookie": Rotating(_new_session_cookie(base_url, variant)
                                   for _ in range(SESSIONS))}
    return prepare


def _shared_session_cookie(base_url):
    """One session for every client: they take turns on its lock."""
    return {"Cookie": _new_session_cookie(base_url, "session-shared")}


def _counter_body(body):
    return body.startswith(b"Hits: ") and body[6:].strip().isdigit()


def _counter_variant(**kw):
    """The 4.8.2 hit counter (bench/htdocs/session/counter.py)."""
    return Variant(path="counter.py", body=_counter_body,
                   variable_length=True,
                   setups={"mod_python": Setup(
                       config=_session_mod_python,
                       files={"counter.py": "session/counter.py"})},
                   **kw)


def _cgi_modules(mpm):
    # mod_cgi forks from a threaded child badly; threaded MPMs use cgid.
    return ("cgi",) if mpm == "prefork" else ("cgid",)


VARIANTS = [
    Variant(
        name="static",
        path="hello.txt",
        body=HELLO,
        setups={"*": Setup(files={"hello.txt": HELLO})},
        issue="2",
        about="a static file with the hello-world bytes, served by Apache",
    ),
    Variant(
        name="hello",
        path="hello.py",
        body=HELLO,
        setups={
            "mod_python": Setup(config=_hello_mod_python,
                                files={"hello.py": "hello/hello.py"}),
            "wsgi": Setup(config=_hello_wsgi,
                          files={"hello.wsgi": "hello/hello.wsgi"}),
        },
        targets={("prefork", "wrk"): 0.9},
        pss_not_above=("wsgi",),
        issue="2",
        about="the chapter 3 handler (SetHandler mod_python, PythonHandler "
              "hello); under mod_wsgi the same bytes from a WSGI app",
    ),
    Variant(
        name="hello-noflush",
        path="hello_noflush.py",
        body=HELLO,
        setups={"mod_python": Setup(
            config=_hello_noflush_mod_python,
            files={"hello_noflush.py": "hello/hello_noflush.py"})},
        issue="2",
        about="diagnostic: the hello handler with write(..., 0), so the "
              "response has a Content-Length and goes out in one write",
    ),
    Variant(
        name="writes-10k",
        path="writes.py",
        body=WRITES_BODY,
        setups={"mod_python": Setup(config=_writes_mod_python,
                                    files={"writes.py": "hello/writes.py"})},
        issue="3",
        about="10,000 small req.write(s, 0) calls (50 kB); compare with "
              "writes-joined: the target is within 2x of it",
    ),
    Variant(
        name="writes-joined",
        path="writes.py?joined",
        body=WRITES_BODY,
        setups={"mod_python": Setup(config=_writes_mod_python,
                                    files={"writes.py": "hello/writes.py"})},
        issue="3",
        about="the same 50 kB written once",
    ),
    Variant(
        name="unused",
        path="hello.txt",
        body=HELLO,
        setups={"mod_python": Setup(config=_unused_mod_python,
                                    files={"hello.txt": HELLO})},
        targets={("*", "*"): 0.95},
        issue="2",
        about="a static file in a mod_python directory that no Python "
              "handler applies to: must not enter Python",
    ),
    Variant(
        name="form-cookie",
        path="form.py?" + FORM_QUERY,
        body=FORM_BODY,
        setups={"mod_python": Setup(config=_form_mod_python,
                                    files={"form.py": "form/form.py"})},
        targets={("prefork", "wrk"): 0.6},
        issue="4",
        about="20 query fields read through util.FieldStorage and a cookie "
              "set with Cookie.add_cookie (upstream: 0.27x)",
    ),
    _counter_variant(
        name="session",
        prepare=_per_client_sessions("session"),
        relative_targets={("hello", "prefork", "*"): 1 / 1.5},
        relative_by="cpu",
        issue="4",
        about="the 4.8.2 hit counter on a FileSession of each client's "
              "own (locked, loaded and saved each time): at most 1.5x the "
              "server CPU per request of hello",
    ),
    Variant(
        name="session-redis",
        path="counter.py",
        body=_counter_body,
        variable_length=True,
        setups={"mod_python": Setup(
            config=_session_redis_mod_python,
            files={"redis_counter.py": "session/redis_counter.py"})},
        prepare=_per_client_sessions("session-redis"),
        about="the session variant's counter on a RedisSession (a "
              "redis-server of the benchmark's own, on loopback): lock, "
              "load and save are Redis round trips",
    ),
    _counter_variant(
        name="session-shared",
        prepare=_shared_session_cookie,
        about="diagnostic: the same counter with every client on one "
              "session, so that they take turns on its lock; the rate "
              "measures the lock's hand-over",
    ),
    Variant(
        name="session-floor",
        path="floor.py",
        body=_counter_body,
        setups={"mod_python": Setup(
            config=_session_floor_mod_python,
            files={"floor.py": "session/floor.py"})},
        prepare=_per_client_sessions("session-floor"),
        about="diagnostic: what the session variant cannot do without "
              "(the session's mutex until cleanup; open, read, write back "
              "and close its file) and nothing else: the floor under the "
              "session code's own cost",
    ),
    Variant(
        name="publisher",
        path="hello.py/say",
        body=HELLO,
        setups={"mod_python": Setup(config=_publisher_mod_python,
                                    files={"hello.py":
                                           "publisher/hello.py"})},
        targets={("prefork", "wrk"): 0.85},
        issue="5",
        about="the hello page as a published function (upstream: 0.71x)",
    ),
    Variant(
        name="psp",
        path="hello.psp",
        body=HELLO,
        content_type="text/html",
        setups={"mod_python": Setup(config=_psp_mod_python,
                                    files={"hello.psp": "psp/hello.psp"})},
        targets={("prefork", "wrk"): 0.85},
        issue="5",
        about="the hello page as a PSP page (upstream: 0.65x)",
    ),
    Variant(
        name="wsgi-hello",
        path="hello",
        body=HELLO,
        setups={
            "mod_python": Setup(config=_wsgi_location("bench_wsgi_hello"),
                                files=_WSGI_FILES),
            "wsgi": Setup(config=_wsgi_script("hello.wsgi"),
                          files=_WSGI_FILES),
        },
        issue="wsgi",
        about="a bare WSGI hello world (one-item list with a "
              "Content-Length) through mod_python.wsgi; under mod_wsgi the "
              "same application",
    ),
    Variant(
        name="wsgi-flask",
        path="hello",
        body=HELLO,
        setups={
            "mod_python": Setup(config=_wsgi_location("bench_wsgi_flask::app"),
                                files=_WSGI_FILES),
            "wsgi": Setup(config=_wsgi_script("flask.wsgi"),
                          files=_WSGI_FILES),
        },
        issue="wsgi",
        about="a Flask hello world through mod_python.wsgi; under mod_wsgi "
              "the same application",
    ),
    Variant(
        name="cgihandler",
        path="hello.py",
        body=b"Hello!\n",
        setups={"mod_python": Setup(config=_cgihandler_mod_python,
                                    files={"hello.py": "cgi/hello.py"})},
        targets={("prefork", "wrk"): 0.2},
        issue="5",
        about="the 1.1 CGI script (imports cgi, prints Hello!) through "
              "mod_python.cgihandler (upstream: 0.095x, fails under event)",
    ),
    Variant(
        name="cgi",
        path="hello.py",
        body=b"Hello!\n",
        setups={"*": Setup(config=_mod_cgi,
                           files={"hello.py": "cgi/hello.py"})},
        modules=_cgi_modules,
        issue="5",
        about="the same script under Apache's mod_cgi, for comparison",
    ),
]


def by_name():
    return {v.name: v for v in VARIANTS}


def select(names):
    """The variants named (in table order), always with the baseline first.

    ``names`` is None for all of them.  Unknown names raise ValueError.
    """
    table = by_name()
    if names is None:
        return list(VARIANTS)
    unknown = [n for n in names if n not in table]
    if unknown:
        raise ValueError("unknown variant(s): %s (known: %s)"
                         % (", ".join(unknown), ", ".join(table)))
    wanted = set(names) | {BASELINE}
    return [v for v in VARIANTS if v.name in wanted]
