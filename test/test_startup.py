"""Start-up and restarts: PythonImport in each child, and graceful restarts
(ARCHITECTURE.md "Start-up": Python lives only in the children, so the
parent survives restarts without crashing or growing)."""

import os
import shutil
import signal

from conftest import wait_until

HTTPD_CONF = ""

STARTUP_CONF = """
PythonImport preloaded startup_interp
<VirtualHost *:{port}>
    ServerName startup
    DocumentRoot "{htdocs}/startup"
</VirtualHost>
<Directory "{htdocs}/startup">
    SetHandler mod_python
    PythonHandler report
    PythonInterpreter startup_interp
</Directory>
"""


def _start_with_preloaded(extra_httpd, name):
    # PythonImport runs before any per-directory configuration applies, so
    # the module must be on the interpreter's own sys.path: put it next to
    # the mod_python package, on httpd's PYTHONPATH.
    server = extra_httpd(STARTUP_CONF, name=name, start=False)
    target = os.path.join(server.python_lib, "preloaded.py")
    shutil.copy(os.path.join(server.htdocs, "startup", "preloaded.py"),
                target)
    os.chmod(target, 0o644)
    server.start()
    return server


def _rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def _serves_preloaded(server):
    try:
        r = server.get("/x", host="startup")
        return r.status_code == 200 and r.json()["preloaded"]
    except Exception:
        return False


def test_python_import_runs_in_each_child(extra_httpd):
    """5.4.3: PythonImport module interpreter_name imports the module at
    child start, in that interpreter, in the child that serves."""
    server = _start_with_preloaded(extra_httpd, "startup")
    for _ in range(6):
        r = server.get("/x", host="startup")
        assert r.status_code == 200, r.text
        info = r.json()
        assert info["interpreter"] == "startup_interp"
        assert info["preloaded"] is True
        assert info["imported_in_pid"] == info["pid"]
        assert info["imported_in_interpreter"] == "startup_interp"


def test_graceful_restarts(extra_httpd):
    """100 graceful restarts (SIGUSR1, as apachectl -k graceful sends):
    every generation serves Python, no child crashes, and the parent's
    memory does not grow (mod_python.so is unloaded and reloaded each time;
    Python never runs in the parent)."""
    server = _start_with_preloaded(extra_httpd, "graceful")
    parent = server.proc.pid
    assert server.get("/x", host="startup").status_code == 200
    before = _rss_kb(parent)
    mark = server.log_mark()
    for i in range(100):
        os.kill(parent, signal.SIGUSR1)
        # Wait for this generation to be up (signals sent too fast would
        # merge into one restart), then for it to serve Python.
        wait_until(lambda: server.error_log_since(mark).count(
            "resuming normal operations") >= i + 1,
            "restart %d never completed" % i, timeout=15, interval=0.02)
        wait_until(lambda: _serves_preloaded(server),
                   "no answer after restart %d" % i, timeout=15)
    after = _rss_kb(parent)
    log = server.error_log_since(mark)
    assert log.count("resuming normal operations") == 100
    assert "Segmentation fault" not in log and "exit signal" not in log
    # Allow for allocator noise, not for a leak per restart.
    assert after - before < 2048, (before, after)
