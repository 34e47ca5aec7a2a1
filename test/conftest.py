"""The httpd harness of the mod_python test suite.

The harness builds nothing.  It takes the ``src/mod_python.so`` that
``./configure --with-python=/usr/bin/python3 && make`` produced, the in-tree
Python package under ``lib/python`` and the system's Apache httpd, and runs
httpd through ``scripts/httpd_launcher.py`` (the launcher the benchmark and
the demo use too): an httpd.conf in a temporary ServerRoot, httpd in the
foreground on a free 127.0.0.1 port, stopped again by its PID.

The configuration is assembled from the module-level string ``HTTPD_CONF`` of
every collected test module.  Each string is formatted with ``format_map``
and these keys (so literal braces are written ``{{`` and ``}}``):

``root``           the ServerRoot
``htdocs``         the server's copy of ``test/htdocs`` (also the DocumentRoot)
``document_root``  the DocumentRoot of the default server
``python_lib``     the server's copy of ``lib/python`` (httpd's PYTHONPATH)
``var``            a directory every httpd child may write to
``port``           the port httpd listens on
``mpm``            prefork, event or worker

A module normally puts its configuration in its own
``<VirtualHost *:{port}>`` with a unique ``ServerName`` and selects it with
the Host header (``httpd.get(path, host=NAME)``).

Environment:

``MP_TEST_MPM``       prefork (default), event or worker
``MP_TEST_LOGLEVEL``  LogLevel of the servers (default ``info``)
``MP_TEST_HTTPD``     the httpd binary (default /usr/sbin/apache2 or httpd)
``MP_TEST_MODULES_DIR``  Apache's modules directory (default: apxs's)
``MP_TEST_MODULE``    another mod_python.so to test instead of the in-tree one
``MP_TEST_PYTHON_LIB``  the directory holding the matching mod_python package
``MP_TEST_KEEP``      set to keep the ServerRoots after the run
``MP_TEST_PYTHONHOME``  PYTHONHOME for httpd, for a Python copied away from
                      its configured prefix (scripts/check_pythons.sh)
``MP_TEST_VALGRIND``  a directory: every httpd runs under valgrind's memcheck
                      and writes one report per process there (``make
                      valgrind-suite``); start-up and client timeouts are
                      multiplied by ``SLOW``
"""

import contextlib
import errno
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import pytest
import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST_DIR = os.path.join(REPO, "test")
HTDOCS_SRC = os.path.join(TEST_DIR, "htdocs")

sys.path.insert(0, os.path.join(REPO, "scripts"))
import httpd_launcher as launcher  # noqa: E402  (needs the path above)
sys.path.pop(0)

# Stock modules the tests rely on.  Loaded only when present and not
# compiled in, in this order: python_module comes last, after mime and
# auth_basic, the way Debian's a2enmod orders them, because Python handlers
# must win over these modules whatever the LoadModule order.
STOCK_MODULES = ["authz_core", "authz_host", "authz_user", "authn_core",
                 "authn_file", "auth_basic", "mime", "alias", "dir", "env",
                 "headers", "setenvif", "log_config", "unixd", "include"]

MPM_CONF = {
    "prefork": """\
StartServers 2
MinSpareServers 2
MaxSpareServers 4
ServerLimit 10
MaxRequestWorkers 10
MaxConnectionsPerChild 0
""",
    "event": """\
StartServers 2
ServerLimit 4
ThreadLimit 10
ThreadsPerChild 10
MinSpareThreads 10
MaxSpareThreads 40
MaxRequestWorkers 40
MaxConnectionsPerChild 0
""",
}
MPM_CONF["worker"] = MPM_CONF["event"]

# What every test server has after the launcher's common head.
BASE_CONF = """\
ServerAdmin mp-tests@127.0.0.1
Timeout 30
KeepAlive On
TypesConfig "{types_config}"
LogFormat "%h %u %t \\"%r\\" %>s %b host=%{{Host}}i pid=%P" mptest
CustomLog "{root}/logs/access_log" mptest
DocumentRoot "{document_root}"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{htdocs}">
    AllowOverride None
    Require all granted
</Directory>

# The first virtual host is the default one: requests whose Host matches no
# other ServerName land here.
<VirtualHost *:{port}>
    ServerName 127.0.0.1
    DocumentRoot "{document_root}"
</VirtualHost>
"""

# The harness's errors are the launcher's.
HarnessError = launcher.LaunchError


# ---------------------------------------------------------------------------
# locating things

def find_module_so():
    """The mod_python.so under test: the in-tree build unless overridden."""
    env = os.environ.get("MP_TEST_MODULE")
    if env:
        if not os.path.isfile(env):
            raise HarnessError("MP_TEST_MODULE=%s does not exist" % env)
        return os.path.abspath(env)
    path = os.path.join(REPO, "src", "mod_python.so")
    if not os.path.isfile(path):
        raise HarnessError(
            "%s is missing: build it first with "
            "`./configure --with-python=/usr/bin/python3 && make` "
            "in %s (the test harness builds nothing)" % (path, REPO))
    return path


def find_python_lib():
    env = os.environ.get("MP_TEST_PYTHON_LIB")
    path = os.path.abspath(env) if env else os.path.join(REPO, "lib", "python")
    if not os.path.isdir(os.path.join(path, "mod_python")):
        raise HarnessError("%s has no mod_python package" % path)
    return path


free_port = launcher.free_port


def wait_until(condition, what, timeout=10, interval=0.05):
    """Call condition() until it returns something true, and return that.

    The wait is bounded by a count of tries (timeout / interval of them,
    interval seconds apart), not by reading the clock: on a busy machine
    each try takes longer and the wait stretches with it, instead of the
    test failing sooner.  When the tries run out, AssertionError with
    what (a str, or a function giving one: say, the last log lines)."""
    for _ in range(max(1, int(timeout / interval))):
        value = condition()
        if value:
            return value
        time.sleep(interval)
    value = condition()
    if value:
        return value
    raise AssertionError(what() if callable(what) else what)


class Mailbox:
    """What a test SMTP server (smtp_mailbox) was sent: aiosmtpd's
    envelopes, in order, and an Event set when one arrives."""

    def __init__(self):
        self.envelopes = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.arrived.set()
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_mailbox(port):
    """A real SMTP server (aiosmtpd) on 127.0.0.1:port while the block
    runs, for handlers that send mail (the manual's feedback form);
    yields its Mailbox."""
    from aiosmtpd.controller import Controller
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def valgrind_wrapper():
    """The memcheck command line every httpd runs under when
    MP_TEST_VALGRIND names a directory (made writable by the children);
    [] otherwise.  Forked children stay under valgrind and write their
    own report (``%p``: the PID)."""
    where = os.environ.get("MP_TEST_VALGRIND")
    if not where:
        return []
    os.makedirs(where, exist_ok=True)
    os.chmod(where, 0o777)
    return ["valgrind", "--tool=memcheck", "--leak-check=full",
            "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
            "--num-callers=40", "--child-silent-after-fork=no",
            "--log-file=%s/memcheck.%%p.log" % os.path.abspath(where)]


# How much slower than usual everything is: start-up and the clients'
# default timeouts are multiplied by it (never a test's assertion).
SLOW = 20 if os.environ.get("MP_TEST_VALGRIND") else 1


def count_instructions(script, *args):
    """CPU instructions /usr/bin/python3 executes running script (source
    text, with args as sys.argv[1:]), counted by valgrind's cachegrind.

    Tests that a piece of code does a bounded amount of work compare such
    counts, between input sizes for instance: unlike the time the code
    takes, the count does not change with what else the machine is
    doing.  (The subprocess timeout is a guard against code that never
    finishes, not a measure.)"""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no",
         "--cachegrind-out-file=/dev/null", "/usr/bin/python3", "-c",
         script] + [str(a) for a in args],
        env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    m = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    assert m, result.stderr[-3000:]
    return int(m.group(1).replace(",", ""))


# ---------------------------------------------------------------------------
# raw HTTP helpers

def parse_response(data):
    """Split a raw HTTP/1.x response into (status, headers, body).

    headers is a list of (name, value) byte pairs in the order received;
    a chunked body is decoded.
    """
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no end of headers in %r" % data[:200])
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers.append((name.strip(), value.strip()))
    te = [v for n, v in headers if n.lower() == b"transfer-encoding"]
    if te and b"chunked" in te[-1].lower():
        body = decode_chunked(body)
    return status, headers, body


def decode_chunked(body):
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2:]
    return out


def header_values(headers, name):
    """All values of header name (bytes, case-insensitive) in a raw list."""
    name = name.lower()
    return [v for n, v in headers if n.lower() == name]


# ---------------------------------------------------------------------------
# the server

class HttpdServer:
    """One Apache httpd with its own ServerRoot, port and configuration.

    conf is the test-specific part of httpd.conf (formatted with the keys
    listed in this module's docstring); base configuration, modules and the
    default virtual host come from BASE_CONF and the launcher.
    """

    def __init__(self, conf="", name="httpd", mpm=None, load_python=True,
                 loglevel=None):
        self.name = name
        self.mpm = mpm or os.environ.get("MP_TEST_MPM", "prefork")
        if self.mpm not in MPM_CONF:
            raise HarnessError("MP_TEST_MPM must be prefork, event or worker, "
                               "not %r" % self.mpm)
        self.loglevel = loglevel or os.environ.get("MP_TEST_LOGLEVEL", "info")
        self.load_python = load_python
        self.module_so = find_module_so() if load_python else None
        self.python_lib_src = find_python_lib() if load_python else None
        self.server = launcher.Httpd(
            name="test-%s" % name, binary=os.environ.get("MP_TEST_HTTPD"),
            modules_dir=os.environ.get("MP_TEST_MODULES_DIR"),
            keep=bool(os.environ.get("MP_TEST_KEEP")))
        self.root = self.server.root
        self.server.wrapper = valgrind_wrapper()
        if self.server.wrapper:
            # Python's own allocator would hide (or fake) errors.
            self.server.env["PYTHONMALLOC"] = "malloc"
        self._prepare_root()
        self.server.env.update({
            "PYTHONPATH": self.python_lib,
            # the children of a root httpd cannot write __pycache__ here,
            # and stale bytecode must never hide a rewritten module
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        # A build against a Python installed elsewhere than its configured
        # prefix (scripts/check_pythons.sh copies one where the children
        # can read it) needs its home named.
        if os.environ.get("MP_TEST_PYTHONHOME"):
            self.server.env["PYTHONHOME"] = os.environ["MP_TEST_PYTHONHOME"]
        modules = list(STOCK_MODULES)
        if load_python:
            modules.append(("python_module", self.module_so))
        self.server.configure(lambda port: self._render(conf), mpm=self.mpm,
                              mpm_conf=MPM_CONF[self.mpm], modules=modules,
                              missing_ok=True, loglevel=self.loglevel,
                              generator="test/conftest.py")

    # -- set-up -------------------------------------------------------------

    def _prepare_root(self):
        self.var = os.path.join(self.root, "var")
        os.mkdir(self.var)
        os.chmod(self.var, 0o777)
        # The repository may sit where the children cannot read it (/root):
        # give the server its own world-readable copies.
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        self.htdocs = os.path.join(self.root, "htdocs")
        shutil.copytree(HTDOCS_SRC, self.htdocs, ignore=ignore)
        launcher.make_readable(self.htdocs)
        self.python_lib = os.path.join(self.root, "python")
        if self.load_python:
            shutil.copytree(self.python_lib_src, self.python_lib, ignore=ignore)
            launcher.make_readable(self.python_lib)
        else:
            os.mkdir(self.python_lib)
            os.chmod(self.python_lib, 0o755)
        self.document_root = self.htdocs
        self.access_log_path = os.path.join(self.root, "logs", "access_log")

    def format_keys(self):
        return {
            "root": self.root,
            "htdocs": self.htdocs,
            "document_root": self.document_root,
            "python_lib": self.python_lib,
            "var": self.var,
            "port": self.port,
            "mpm": self.mpm,
            "modules_dir": self.server.modules_dir,
        }

    def _render(self, conf):
        types = "/etc/mime.types"
        if not os.path.isfile(types):
            types = os.path.join(self.root, "conf", "mime.types")
            open(types, "w").close()
        keys = self.format_keys()
        keys.update(types_config=types)
        text = BASE_CONF.format_map(keys)
        if conf:
            text += "\n" + conf.format_map(self.format_keys()) + "\n"
        return text

    # -- what the launcher knows ----------------------------------------------

    @property
    def port(self):
        return self.server.port

    @property
    def proc(self):
        return self.server.proc

    @property
    def conf_path(self):
        return self.server.conf_path

    @property
    def conf_text(self):
        return self.server.conf_text

    @property
    def error_log_path(self):
        return self.server.error_log_path

    def environment(self):
        return dict(self.server.env)

    def command(self, *extra):
        return self.server.command(*extra)

    # -- running ------------------------------------------------------------

    def config_test(self):
        """Run ``httpd -t``; returns the CompletedProcess (output in .stdout)."""
        return self.server.config_test()

    def _answers(self, server):
        status, _, _ = parse_response(self.raw(
            b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", timeout=5))
        return bool(status)

    def start(self, timeout=20):
        self.server.start(timeout=timeout * SLOW, ready=self._answers)
        return self

    def stop(self, timeout=10):
        """SIGTERM the parent, SIGKILL after timeout; returns the PIDs of
        children that outlived their parent (killed here; empty if all went)."""
        return self.server.stop(timeout * SLOW)

    def cleanup(self):
        self.server.remove()

    # -- diagnostics --------------------------------------------------------

    def _read(self, path, since=0):
        return self.server.read(path, since)

    def diagnostics(self, lines=60):
        return self.server.diagnostics(lines)

    def log_mark(self):
        """The error log's current size, to pass to error_log_since()."""
        return self.server.log_mark()

    def error_log_since(self, mark=0):
        return self.server.error_log_since(mark)

    def wait_for_log(self, pattern, mark=0, timeout=10):
        """Wait until the error log written after mark matches the regular
        expression pattern; returns the text written since mark (also when
        it never matches: the caller's assertion says what was missing)."""
        found = []

        def matched():
            found[:] = [self.error_log_since(mark)]
            return re.search(pattern, found[0])
        try:
            wait_until(matched, "", timeout, 0.1)
        except AssertionError:
            pass
        return found[0]

    def access_log(self):
        return self._read(self.access_log_path)

    def access_log_pid(self, needle, timeout=10):
        """PID of the child that logged a request whose line contains needle."""
        def pid():
            for line in self.access_log().splitlines():
                if needle in line:
                    m = re.search(r"pid=(\d+)", line)
                    if m:
                        return int(m.group(1))
            return None
        return wait_until(pid, "no access log line with %r" % needle,
                          timeout, 0.1)

    @staticmethod
    def wait_for_file(path, predicate=lambda text: True, timeout=10):
        """Wait until path exists and predicate(its text) holds; return text."""
        last = [None]

        def ready():
            try:
                with open(path, encoding="utf-8") as f:
                    last[0] = f.read()
            except OSError as e:
                if e.errno != errno.ENOENT:
                    raise
                return None
            # A tuple: true even for an empty file that satisfies predicate.
            return (last[0],) if predicate(last[0]) else None
        return wait_until(ready, lambda: "%s did not appear as expected "
                          "(last content: %r)" % (path, last[0]), timeout)[0]

    def children(self):
        """PIDs of the running httpd children."""
        return self.server.children()

    # -- clients ------------------------------------------------------------

    parse_response = staticmethod(parse_response)
    header_values = staticmethod(header_values)

    def url(self, path):
        if not path.startswith("/"):
            path = "/" + path
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def request(self, method, path, host="127.0.0.1", headers=None, **kw):
        """One request with requests, on a fresh connection, redirects not
        followed.  host selects the virtual host."""
        hdrs = {"Host": host}
        if headers:
            hdrs.update(headers)
        kw.setdefault("timeout", 30 * SLOW)
        kw.setdefault("allow_redirects", False)
        with requests.Session() as s:
            return s.request(method, self.url(path), headers=hdrs, **kw)

    def get(self, path, host="127.0.0.1", **kw):
        return self.request("GET", path, host=host, **kw)

    def post(self, path, host="127.0.0.1", **kw):
        return self.request("POST", path, host=host, **kw)

    def raw(self, data, timeout=30 * SLOW, port=None):
        """Send raw bytes, return everything read until the server closes.
        Send ``Connection: close`` (or HTTP/1.0) or this waits for the
        keep-alive timeout.  port: another Listen port of this server."""
        with socket.create_connection(("127.0.0.1", port or self.port),
                                      timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    def handshake(self, path, first, rest, host="127.0.0.1", timeout=60):
        """Prove that `first` reaches the client while the handler still
        waits, without timing anything.

        GET path with the name of a file in var as the query string.  The
        handler (see htdocs/flush/flushtest.py, wait_for_go) writes, then
        waits until that file exists.  Here `first` is read from the
        socket, checked to come before `rest`, and only then is the file
        made.  Returns the whole raw response."""
        go = os.path.join(self.var, "go-" + os.urandom(8).hex())
        request = (b"GET %s?%s HTTP/1.1\r\nHost: %s\r\nConnection: close"
                   b"\r\n\r\n" % (path.encode(), go.encode(), host.encode()))
        with socket.create_connection(("127.0.0.1", self.port),
                                      timeout=timeout) as s:
            s.sendall(request)
            data = b""
            while first not in data:
                chunk = s.recv(65536)
                if not chunk:
                    raise AssertionError("connection closed before %r: %r"
                                         % (first, data))
                data += chunk
            # The handler is still waiting: what it sends next is not here.
            assert rest not in data, data
            with open(go, "w"):
                pass
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        os.unlink(go)
        assert b"gave up waiting" not in data.lower(), data
        assert rest in data, data
        return data

    def raw_request(self, path, host="127.0.0.1", method="GET", headers=(),
                    body=b"", timeout=30, port=None):
        """Build and send an HTTP/1.1 request with Connection: close;
        headers is a sequence of (name, value) str or bytes pairs, sent as
        given (duplicates allowed).  Returns (status, headers, body)."""
        def b(x):
            return x if isinstance(x, bytes) else x.encode("latin-1")
        lines = [b"%s %s HTTP/1.1" % (b(method), b(path)), b"Host: " + b(host)]
        for name, value in headers:
            lines.append(b(name) + b": " + b(value))
        if body:
            lines.append(b"Content-Length: %d" % len(body))
        lines.append(b"Connection: close")
        data = b"\r\n".join(lines) + b"\r\n\r\n" + body
        return parse_response(self.raw(data, timeout=timeout, port=port))


# ---------------------------------------------------------------------------
# fixtures and hooks

_SESSION_SERVER = None
_EXTRA_SERVERS = []


def _collected_modules(session):
    seen = {}
    for item in session.items:
        mod = getattr(item, "module", None)
        if mod is not None:
            seen[mod.__name__] = mod
    return [seen[name] for name in sorted(seen)]


@pytest.fixture(scope="session")
def httpd(request):
    """The shared httpd serving every collected module's HTTPD_CONF."""
    global _SESSION_SERVER
    parts = []
    for mod in _collected_modules(request.session):
        conf = getattr(mod, "HTTPD_CONF", None)
        if conf:
            parts.append("# ---- %s\n%s" % (mod.__name__, conf))
    try:
        server = HttpdServer("\n".join(parts), name="session")
    except HarnessError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        server.start()
    except HarnessError as e:
        server.stop()
        pytest.fail(str(e), pytrace=False)
    _SESSION_SERVER = server
    yield server
    _SESSION_SERVER = None
    left = server.stop()
    server.cleanup()
    if left:
        pytest.fail("httpd children outlived their parent: %s" % left,
                    pytrace=False)


@pytest.fixture
def extra_httpd(request):
    """Factory for separate servers with their own configuration.

    ``server = extra_httpd(conf, start=True, name="x", load_python=True)``
    returns an HttpdServer (started unless start=False: then call
    ``server.config_test()`` or ``server.start()`` yourself).  All are
    stopped at the end of the test.
    """
    made = []

    def make(conf="", start=True, name="extra", load_python=True, **kw):
        try:
            server = HttpdServer(conf, name=name, load_python=load_python, **kw)
        except HarnessError as e:
            pytest.fail(str(e), pytrace=False)
        made.append(server)
        _EXTRA_SERVERS.append(server)
        if start:
            server.start()
        return server

    yield make
    left = []
    for server in made:
        left += server.stop()
        server.cleanup()
        _EXTRA_SERVERS.remove(server)
    if left:
        pytest.fail("httpd children outlived their parent: %s" % left,
                    pytrace=False)


@pytest.fixture(autouse=True)
def _no_child_crash(request):
    """Fail a test during which an httpd child died of a signal."""
    yield
    server = _SESSION_SERVER
    mark = getattr(request.node, "_mp_log_mark", None)
    if server is None or mark is None:
        return
    text = server.error_log_since(mark)
    crashes = [l for l in text.splitlines()
               if "exit signal" in l or "AH00052" in l]
    if crashes:
        pytest.fail("an httpd child crashed during this test (the parent "
                    "logs a crash when it reaps the child, up to a second "
                    "later: it may belong to the test before):\n"
                    + "\n".join(crashes), pytrace=False)


def pytest_runtest_setup(item):
    server = _SESSION_SERVER
    item._mp_log_mark = server.log_mark() if server else 0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    server = _SESSION_SERVER
    if server is not None:
        mark = getattr(item, "_mp_log_mark", 0) or 0
        text = server.error_log_since(mark)
        lines = text.splitlines()[-200:]
        report.sections.append(
            ("httpd error_log (%s) during %s" % (server.error_log_path,
                                                  report.when),
             "\n".join(lines) or "(nothing written)"))
    for extra in list(_EXTRA_SERVERS):
        report.sections.append(
            ("extra httpd %s" % extra.root, extra.diagnostics(80)))




# ---------------------------------------------------------------------------
# Redis, for RedisSession (test_redis_session.py).  Self-contained: a
# redis-server of our own, on loopback, without persistence unless a test
# asks for a save, in its own directory, stopped by its PID.

REDIS_SERVER = "/usr/bin/redis-server"


def make_tls_files(where):
    """A throw-away certificate authority and what a TLS Redis and its
    clients need, made with openssl in the directory where (0755, every
    file world-readable so that Apache's children can read them): ca.crt
    (and its key), server.crt/server.key for the address 127.0.0.1 only,
    client.crt/client.key signed by the same CA, and other-ca.crt, a
    second CA that signed neither.  Returns where."""
    os.makedirs(where, exist_ok=True)
    os.chmod(where, 0o755)

    def openssl(*args):
        result = subprocess.run(["openssl"] + list(args), cwd=where,
                                capture_output=True, text=True, timeout=60)
        if result.returncode:
            raise HarnessError("openssl %s failed: %s"
                               % (" ".join(args), result.stderr))

    newkey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
              "-nodes"]
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", *newkey, "-keyout", ca + ".key", "-out",
                ca + ".crt", "-days", "2", "-subj", "/CN=mp-test-" + ca)
    with open(os.path.join(where, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    with open(os.path.join(where, "client.ext"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    for name, cn in (("server", "127.0.0.1"), ("client", "mp-test-client")):
        openssl("req", *newkey, "-keyout", name + ".key", "-out",
                name + ".csr", "-subj", "/CN=" + cn)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt",
                "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                "-extfile", name + ".ext", "-out", name + ".crt")
    for name in os.listdir(where):
        os.chmod(os.path.join(where, name), 0o644)
    return where


class RedisServer:
    """One redis-server: ``port`` on 127.0.0.1 and a Unix socket
    (``socket``, default in ``dir``; mode 0777 so that Apache's children
    can use it), its directory ``dir`` (where ``stop(save=True)`` leaves
    dump.rdb, which the next ``start()`` loads).

    With tls, also ``tls_port``, where it speaks TLS with the certificate
    of make_tls_files(``tls_dir``) and takes only clients presenting a
    certificate of the same CA; ``tls_url`` is its rediss:// URL."""

    def __init__(self, port=None, socket=None, tls=False):
        if not os.access(REDIS_SERVER, os.X_OK):
            raise HarnessError("%s is missing: install redis-server"
                               % REDIS_SERVER)
        self.dir = tempfile.mkdtemp(prefix="mp-test-redis-")
        os.chmod(self.dir, 0o755)
        self.port = port or free_port()
        self.socket = socket or os.path.join(self.dir, "redis.sock")
        self.url = "redis://127.0.0.1:%d/0" % self.port
        self.unix_url = "unix://%s?db=0" % self.socket
        self.proc = None
        self.tls_dir = self.tls_port = self.tls_url = None
        if tls:
            self.tls_dir = make_tls_files(os.path.join(self.dir, "tls"))
            self.tls_port = free_port()
            self.tls_url = "rediss://127.0.0.1:%d/0" % self.tls_port

    def tls_file(self, name):
        return os.path.join(self.tls_dir, name)

    def start(self, timeout=20):
        import redis
        self._log = open(os.path.join(self.dir, "stdout"), "ab")
        tls = []
        if self.tls_dir:
            tls = ["--tls-port", str(self.tls_port),
                   "--tls-cert-file", self.tls_file("server.crt"),
                   "--tls-key-file", self.tls_file("server.key"),
                   "--tls-ca-cert-file", self.tls_file("ca.crt"),
                   "--tls-auth-clients", "yes"]
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port),
             "--unixsocket", self.socket, "--unixsocketperm", "777",
             "--save", "", "--appendonly", "no", "--dir", self.dir,
             "--daemonize", "no", "--protected-mode", "no"] + tls,
            stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True)
        def answers():
            if self.proc.poll() is not None:
                raise HarnessError("redis-server exited at start-up: %s"
                                   % self.log())
            try:
                return self.client().ping()
            except redis.exceptions.RedisError:
                return False
        try:
            wait_until(answers, "", timeout)
        except AssertionError:
            self.stop()
            raise HarnessError("redis-server did not answer on port %d: %s"
                               % (self.port, self.log())) from None
        return self

    def client(self):
        import redis
        return redis.Redis(host="127.0.0.1", port=self.port,
                           socket_timeout=10)

    def stop(self, save=False):
        """Stop it (SHUTDOWN SAVE first with save: the data survives in
        dump.rdb); SIGKILL by PID if it does not go."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if save and proc.poll() is None:
            import redis
            try:
                self.client().shutdown(save=True)
            except redis.exceptions.ConnectionError:
                pass        # the server closes the connection as it exits
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        self._log.close()

    def log(self):
        try:
            with open(os.path.join(self.dir, "stdout"), "rb") as f:
                return f.read()[-3000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def cleanup(self):
        self.stop()
        if not os.environ.get("MP_TEST_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_server(httpd):
    """A running RedisServer for the module, stopped at its end.  Its Unix
    socket is ``{var}/redis.sock`` of the shared httpd, so that a module's
    HTTPD_CONF can name it (``unix://{var}/redis.sock``) before it runs."""
    try:
        server = RedisServer(socket=os.path.join(httpd.var, "redis.sock"))
        server.start()
    except HarnessError as e:
        pytest.fail(str(e), pytrace=False)
    yield server
    server.cleanup()


@pytest.fixture(scope="module")
def redis_tls_server():
    """A RedisServer that also listens with TLS (``tls_url``; client
    certificates required), its certificates made for the module."""
    try:
        server = RedisServer(tls=True)
        server.start()
    except HarnessError as e:
        pytest.fail(str(e), pytrace=False)
    yield server
    server.cleanup()
