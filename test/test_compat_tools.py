"""The modules of mod_python 3.2.10 and 3.5 that work outside the request
path: mod_python.cache, mod_python.httpdconf, mod_python.version and the
``mod_python`` command (create, genconfig, start, stop, version), see
Doc/cache.rst, Doc/httpdconf.rst and Doc/porting.rst.  The command runs a
real Apache instance on 127.0.0.1, stopped and checked by PID."""

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

from conftest import REPO, find_module_so, launcher

find_httpd = launcher.find_httpd
_children_of = launcher.children_of


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) has finished too.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False

sys.path.insert(0, os.path.join(REPO, "lib", "python"))

from mod_python import cache, httpdconf  # noqa: E402
import mod_python  # noqa: E402

PY = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) \
    else sys.executable


# ------------------------------------------------------------------ cache
def test_cache_builds_once_and_bounds_size():
    """cache.Cache builds a value on first use, keeps it, and with
    max_size drops the least recently used entry (lru()/mru())."""
    built = []

    class Squares(cache.Cache):
        def build(self, key, name, opened, entry):
            built.append(key)
            return key * key

    c = Squares(max_size=2)
    assert c[3] == 9 and c[3] == 9 and built == [3]
    assert c[4] == 16
    assert (c.lru(), c.mru()) == (3, 4)
    c[3]                                 # 3 becomes the most recent
    assert (c.lru(), c.mru()) == (4, 3)
    c[5]                                 # 4 goes
    assert 4 not in c and 3 in c and len(c) == 2
    assert c.checkitem(5)[0] is False
    c[6] = "set"
    assert c[6] == "set" and 6 not in built
    del c[6]
    c.clear()
    assert len(c) == 0 and c.lru() is None
    with pytest.raises(ValueError):
        cache.Cache(max_size=-1)
    with pytest.raises(NotImplementedError):
        cache.Cache()["x"]


def test_cache_one_build_for_concurrent_threads():
    """Two threads asking for the same name wait for one build."""
    calls = []
    gate = threading.Event()

    class Slow(cache.Cache):
        def build(self, key, name, opened, entry):
            calls.append(key)
            gate.wait(5)
            return object()

    c = Slow()
    results = []
    threads = [threading.Thread(target=lambda: results.append(c["k"]))
               for _ in range(4)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(10)
    assert calls == ["k"]
    assert len(results) == 4 and all(r is results[0] for r in results)


def test_file_and_module_cache_follow_the_file(tmp_path):
    """FileCache and ModuleCache read a file again when its modification
    time changes, and not otherwise."""
    path = tmp_path / "data.py"
    path.write_text("VALUE = 1\n")
    fc, mc = cache.FileCache(), cache.ModuleCache()
    assert fc[str(path)] == b"VALUE = 1\n"
    assert mc[str(path)].VALUE == 1
    first = mc[str(path)]
    assert mc[str(path)] is first
    path.write_text("VALUE = 2\n")
    later = time.time() + 10
    os.utime(path, (later, later))
    assert fc[str(path)] == b"VALUE = 2\n"
    assert mc[str(path)].VALUE == 2 and mc[str(path)] is not first
    assert cache.FileCache(mode="r")[str(path)] == "VALUE = 2\n"
    with pytest.raises(FileNotFoundError):
        fc[str(tmp_path / "missing")]


def test_function_and_weak_cache():
    """FunctionCache memoises per arguments; WeakCache forgets a value
    nobody else holds."""
    calls = []

    def add(a, b=0):
        calls.append((a, b))
        return a + b

    f = cache.FunctionCache(add)
    assert f(1, b=2) == 3 and f(1, b=2) == 3 and calls == [(1, 2)]
    assert f(1) == 1 and len(calls) == 2

    class Box:
        pass

    made = []

    class Boxes(cache.WeakCache):
        def build(self, key, name, opened, entry):
            made.append(key)
            return Box()

    w = Boxes()
    kept = w["a"]
    assert w["a"] is kept and made == ["a"]
    del kept
    assert "a" not in w
    w["a"]
    assert made == ["a", "a"]


def test_http_cache_revalidates(httpd):
    """HTTPCache fetches a URL, then revalidates it with the ETag Apache
    sent (a 304 keeps the cached body); HttpModuleCache runs the fetched
    source as a module."""
    url = httpd.url("/index.html")
    c = cache.HTTPCache()
    first = c[url]
    with open(os.path.join(httpd.htdocs, "index.html"), "rb") as f:
        assert first.entity == f.read()
    assert "ETag" in first.metadata
    assert c[url] is first
    # Apache logs the request after answering it: wait for the line.
    for _ in range(200):
        log = httpd.access_log()
        if re.search(r'"GET /index.html HTTP/1.1" 304', log):
            break
        time.sleep(0.05)
    assert re.search(r'"GET /index.html HTTP/1.1" 304', log), log[-2000:]
    modules = cache.HttpModuleCache()
    assert modules[httpd.url("/compat/static_mod.txt")].VALUE == 42
    assert cache.parseRFC822Time("Sun, 06 Nov 1994 08:49:37 GMT") \
        == 784111777
    with pytest.raises(ValueError):
        cache.parseRFC822Time("yesterday")


# -------------------------------------------------------------- httpdconf
def test_httpdconf_objects():
    """str() of a tree is httpd.conf text, repr() the Python that makes
    it again; Container(expr=) includes its items conditionally; bad
    items and multi-line values are refused."""
    H = httpdconf
    conf = H.Container(
        H.Listen("127.0.0.1:8000"),
        H.Comment("the app"),
        H.Location("/app", H.SetHandler("mod_python"),
                   H.PythonHandler("app"),
                   H.Directive("Header", "set X-A b")),
        H.Container(H.PythonDebug("On"), expr="sys.version_info[0] == 3"),
        H.Container(H.PythonDebug("Off"), expr=False),
        H.VirtualHost("*:8000", H.ServerName("x"), H.DocumentRoot("C:\\x")),
    )
    text = str(conf)
    assert text == ("Listen 127.0.0.1:8000\n"
                    "# the app\n"
                    "<Location /app>\n"
                    "    SetHandler mod_python\n"
                    "    PythonHandler app\n"
                    "    Header set X-A b\n"
                    "</Location>\n"
                    "PythonDebug On\n"
                    "<VirtualHost *:8000>\n"
                    "    ServerName x\n"
                    "    DocumentRoot C:/x\n"
                    "</VirtualHost>\n")
    ns = {}
    exec("from mod_python.httpdconf import *\nagain = " + repr(conf), ns)
    assert str(ns["again"]) == text
    assert str(H.PythonInterpPerDirectory()) == \
        "PythonInterpPerDirectory Off\n"
    assert H.quote_if_space("/a b") == '"/a b"'
    with pytest.raises(TypeError):
        H.Container("Listen 80")
    with pytest.raises(ValueError):
        H.Listen("80\nLoadModule evil /x.so")


# ---------------------------------------------------------------- version
def test_version_module_stands_for_the_string():
    """mod_python.version is 3.5's module and also 3.2's version string;
    mod_python.mp_version is the plain string."""
    from mod_python import version
    assert mod_python.version is version
    assert version == "3.2.10" and "3.2.10" == version
    assert str(version) == "%s" % version == version.version == "3.2.10"
    assert version.split(".") == ["3", "2", "10"]
    assert version.startswith("3.") and version >= "3.2"
    assert mod_python.mp_version == "3.2.10"
    assert version.HTTPD and os.access(version.HTTPD, os.X_OK)
    assert version.HTTPD_VERSION.startswith("2.4.")
    assert os.path.isdir(version.LIBEXECDIR)


# ---------------------------------------------------------------- command
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args, env, check=True):
    r = subprocess.run([PY, "-m", "mod_python"] + args, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stdout
    return r


@pytest.fixture
def instance_root():
    """A world-readable directory (the children may run as www-data)
    holding a copy of the package and a handler."""
    root = tempfile.mkdtemp(prefix="mp-instance-")
    os.chmod(root, 0o755)
    lib = os.path.join(root, "lib")
    shutil.copytree(os.path.join(REPO, "lib", "python"), lib,
                    ignore=shutil.ignore_patterns("__pycache__"))
    app = os.path.join(root, "app")
    os.mkdir(app)
    with open(os.path.join(app, "hello.py"), "w") as f:
        f.write("from mod_python import apache\n\n"
                "def handler(req):\n"
                "    req.content_type = 'text/plain'\n"
                "    req.write('hello from %s\\n' % req.uri)\n"
                "    return apache.OK\n")
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_mod_python_command_runs_an_instance(instance_root):
    """mod_python create writes a runnable instance (httpd.conf loading
    this mod_python.so, the handler on every URL); genconfig reproduces
    its httpd.conf; start serves the handler on 127.0.0.1; stop ends the
    parent and every child; version reports the versions."""
    root = instance_root
    inst = os.path.join(root, "inst")
    port = _free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.path.join(root, "lib")}
    mpm = os.environ.get("MP_TEST_MPM", "prefork")
    out = _run(["create", inst, "--listen", "127.0.0.1:%d" % port,
                "--pythonpath", os.path.join(root, "app"),
                "--pythonhandler", "hello", "--module", find_module_so(),
                "--mpm", mpm], env).stdout
    assert "Created the instance" in out
    conf = os.path.join(inst, "conf", "httpd.conf")
    script = os.path.join(inst, "conf", "httpd_conf.py")
    with open(conf) as f:
        conf_text = f.read()
    assert "LoadModule python_module %s" % find_module_so() in conf_text
    assert "PythonHandler hello" in conf_text
    assert _run(["genconfig", script], env).stdout == conf_text
    # Refuses to overwrite, and refuses a bad handler name.
    again = _run(["create", inst, "--pythonhandler", "hello", "--module",
                  find_module_so()], env, check=False)
    assert again.returncode != 0 and "already exists" in again.stdout
    bad = _run(["create", os.path.join(root, "other"), "--pythonhandler",
                "a b", "--module", find_module_so()], env, check=False)
    assert bad.returncode != 0 and "pythonhandler" in bad.stdout
    for dirpath, dirnames, filenames in os.walk(inst):
        os.chmod(dirpath, 0o755)

    pidfile = os.path.join(inst, "logs", "httpd.pid")
    _run(["start", inst, "--httpd", find_httpd()], env)
    pid, kids = None, []
    try:
        # Bounded by a count of tries, not by the clock.
        for _ in range(200):
            try:
                r = requests.get("http://127.0.0.1:%d/some/page" % port,
                                 timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("instance did not answer")
        assert r.status_code == 200, r.text
        assert r.text == "hello from /some/page\n"
        with open(pidfile) as f:
            pid = int(f.read())
        kids = _children_of(pid)
        assert kids
        _run(["stop", inst, "--httpd", find_httpd()], env)
        for _ in range(200):
            if not any(_pid_alive(p) for p in [pid] + kids):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("httpd still running")
        pid = None
    finally:
        if pid is not None:
            for p in [pid] + kids:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
    assert not os.path.exists(pidfile)

    text = _run(["version"], env).stdout
    assert "mod_python:  3.2.10" in text
    assert "httpd:       2.4." in text
    assert "python:      3." in text
