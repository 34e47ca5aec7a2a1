"""Stuck requests are visible (Doc/stuck_requests.rst): PythonRequestTimeout,
PythonRequestTimeoutAction and mod_python._stacks.

A call into Python that runs longer than PythonRequestTimeout leaves its
thread's Python stack in the error log as one MP0320 entry naming the
request's URI and the phase and handler, and again every timeout seconds
while it runs.  The handlers (htdocs/stuck/stuck.py) stay "stuck" until
the test creates the file named by their query string, which it does
once the error log shows what it waits for: nothing here depends on how
long anything takes, and no duration is asserted.
"""
import concurrent.futures
import importlib.util
import os
import re
import socket
import sys
import threading
import time

import pytest
import requests

from conftest import free_port

HOST = "stuck"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STUCK_DIRECTORY = """
    <Directory "{htdocs}/stuck">
        SetHandler mod_python
        PythonPath "['{htdocs}/stuck'] + sys.path"
        PythonDebug On
        PythonRequestTimeout 1
        %s
        <Files "wait">
            PythonHandler stuck::stuck_handler
        </Files>
        <Files "fast">
            PythonHandler stuck::fast_handler
        </Files>
    </Directory>
"""

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName stuck
    DocumentRoot "{htdocs}/stuck"
    PythonOutputFilter stuck::stuck_outputfilter STUCKFILTER
    <Directory "{htdocs}/stuck">
        SetHandler mod_python
        PythonPath "['{htdocs}/stuck'] + sys.path"
        PythonDebug On
        PythonRequestTimeout 1
        <Files "wait">
            PythonHandler stuck::stuck_handler
        </Files>
        <Files "fast">
            PythonHandler stuck::fast_handler
        </Files>
        <Files "fixup">
            PythonFixupHandler stuck::stuck_fixup
            PythonHandler stuck::after_fixup
        </Files>
        <Files "filtered">
            SetOutputFilter STUCKFILTER
            PythonHandler stuck::fast_handler
        </Files>
        <Files "stacks">
            PythonHandler stuck::stacks_handler
        </Files>
        <Files "threads">
            PythonHandler threads
        </Files>
        <Files "config">
            PythonRequestTimeout 7
            PythonRequestTimeoutAction log
            PythonHandler stuck::config_handler
        </Files>
    </Directory>
</VirtualHost>
"""

# The longest a test waits for a log entry: a bound for a broken run only.
LOG_WAIT = 60


class Stuck:
    """A request to path, sent on session (kept alive), whose handler
    waits until release() creates its go file."""

    def __init__(self, server, session, path, host):
        self.go = os.path.join(server.var, "go-" + os.urandom(8).hex())
        self.pool = concurrent.futures.ThreadPoolExecutor(1)
        self.future = self.pool.submit(
            session.get, server.url(path) + "?" + self.go,
            headers={"Host": host}, timeout=120)

    def release(self):
        with open(self.go, "w"):
            pass
        try:
            return self.future.result()
        finally:
            self.pool.shutdown()
            os.unlink(self.go)


def entries(text, uri):
    """The MP0320 entries about uri in text, as (first line, lines of the
    stack).  Apache writes an entry's line breaks as "\\n"."""
    found = []
    for m in re.finditer(r"MP0320: GET %s .*" % re.escape(uri), text):
        head, *stack = m.group(0).split("\\n")
        found.append((head, stack))
    return found


def wait_for_report(server, mark, uri, number):
    pattern = r"MP0320: GET %s .*\(report %d;" % (re.escape(uri), number)
    text = server.wait_for_log(pattern, mark, timeout=LOG_WAIT)
    assert re.search(pattern, text), text[-3000:]
    return text


def pid_of(response):
    m = re.search(r"pid=(\d+)", response.text)
    assert m, response.text
    return int(m.group(1))


def test_stuck_handler_stack_is_logged_and_repeated(httpd):
    """A content handler past PythonRequestTimeout: its stack goes to the
    error log as one entry with the URI, the phase and the handler, and
    again while it stays stuck; then the same process (the same
    connection, kept alive) serves the next request."""
    mark = httpd.log_mark()
    with requests.Session() as session:
        first = session.get(httpd.url("/fast"), headers={"Host": HOST})
        assert first.status_code == 200
        stuck = Stuck(httpd, session, "/wait", HOST)
        text = wait_for_report(httpd, mark, "/wait", 2)
        response = stuck.release()
        assert response.status_code == 200
        assert response.text.startswith("released")
        after = session.get(httpd.url("/fast"), headers={"Host": HOST})
    assert after.status_code == 200
    assert pid_of(first) == pid_of(response) == pid_of(after)

    reports = entries(text, "/wait")
    assert len(reports) >= 2, text[-3000:]
    assert "[python:warn" in text
    for number, (line, stack) in enumerate(reports[:2], 1):
        assert ("has been in PythonHandler stuck::stuck_handler for" in line)
        assert "past its PythonRequestTimeout of 1 s (report %d;" % number \
            in line
        assert "process %d" % pid_of(response) in line
        # The stack, innermost call last, in the same entry.
        assert line.endswith("most recent call last:")
        assert any(l.endswith(", in stuck_handler") for l in stack), stack
        assert re.match(r'  File ".*/stuck\.py", line \d+, '
                        r'in wait_here_until_told$', stack[-2]), stack
        assert stack[-1] == "    time.sleep(0.02)", stack


def test_fast_handler_leaves_nothing(httpd):
    """A handler that returns within its timeout is not reported.  The
    barrier: a stuck request on the same connection, after the fast ones,
    is reported by the same process's watchdog."""
    with requests.Session() as session:
        # The first request of a process may make its interpreter, which
        # can take a while on a loaded machine: not part of the check.
        assert session.get(httpd.url("/fast"),
                           headers={"Host": HOST}).status_code == 200
        mark = httpd.log_mark()
        for _ in range(3):
            r = session.get(httpd.url("/fast"), headers={"Host": HOST})
            assert r.status_code == 200
        stuck = Stuck(httpd, session, "/wait", HOST)
        text = wait_for_report(httpd, mark, "/wait", 1)
        assert stuck.release().status_code == 200
    assert "GET /fast" not in httpd.error_log_since(mark)
    assert entries(text, "/wait")


def test_stuck_fixup_phase_is_reported(httpd):
    """Any phase is watched: a PythonFixupHandler past the timeout is
    reported under its own phase and handler."""
    mark = httpd.log_mark()
    with requests.Session() as session:
        stuck = Stuck(httpd, session, "/fixup", HOST)
        text = wait_for_report(httpd, mark, "/fixup", 1)
        response = stuck.release()
    assert response.text == "fixup released"
    line, stack = entries(text, "/fixup")[0]
    assert "in PythonFixupHandler stuck::stuck_fixup for" in line
    assert any(l.endswith(", in stuck_fixup") for l in stack), stack
    assert stack[-2].endswith(", in wait_here_until_told"), stack


def test_stuck_output_filter_is_reported(httpd):
    """A Python output filter that holds the response past the timeout is
    reported as the filter, with its stack."""
    mark = httpd.log_mark()
    with requests.Session() as session:
        stuck = Stuck(httpd, session, "/filtered", HOST)
        text = wait_for_report(httpd, mark, "/filtered", 1)
        response = stuck.release()
    assert response.status_code == 200
    assert response.text.startswith("fast pid=")
    assert response.text.endswith(" released")
    line, stack = entries(text, "/filtered")[0]
    assert "in PythonOutputFilter stuck::stuck_outputfilter for" in line
    assert any(l.endswith(", in stuck_outputfilter") for l in stack), stack
    assert stack[-2].endswith(", in wait_here_until_told"), stack


def test_stacks_of_all_threads(httpd):
    """mod_python._stacks: the running call of this thread (URI, phase,
    handler, timeout) and every thread's stack, headed by what it
    serves."""
    r = httpd.get("/stacks", host=HOST)
    assert r.status_code == 200
    first, rest = r.text.split("\n", 1)
    assert first == ("timeout=1 uri=GET /stacks "
                     "what=PythonHandler stuck::stacks_handler")
    head = re.search(r"^Thread \d+.*\[this request\].*$", rest, re.M)
    assert head, rest
    assert ": GET /stacks in PythonHandler stuck::stacks_handler for " \
        in head.group(0)
    assert "in stacks_handler" in rest


def test_status_page_example(httpd):
    """The status page of Doc/stuck_requests.rst (htdocs/stuck/threads.py):
    its own thread is headed by the request it serves, with the stack."""
    r = httpd.get("/threads", host=HOST)
    assert r.status_code == 200
    head = re.search(r"^Thread \d+.*\[this request\]: GET /threads in "
                     r"PythonHandler threads for \d+ s, interpreter 'stuck'$",
                     r.text, re.M)
    assert head, r.text
    block = r.text[head.end():].split("\n\nThread ")[0]
    assert re.search(r'File ".*/threads\.py", line \d+, in handler', block)


def _stacks_outside_apache():
    path = os.path.join(REPO, "lib", "python", "mod_python", "_stacks.py")
    spec = importlib.util.spec_from_file_location("_stacks_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_format_thread_keeps_the_innermost_frames():
    """mod_python._stacks.format_thread: a stack longer than the limit
    keeps its innermost frames (where a call is stuck) and says what was
    left out; a thread without Python code gets a note; outside Apache
    there are no running calls.  (Needs no server.)"""
    stacks = _stacks_outside_apache()
    ready, done = threading.Event(), threading.Event()

    # Two functions in turn: format_stack() folds a frame repeating the
    # one before it into "[Previous line repeated ...]".
    def deep(n):
        if n:
            return deeper(n - 1)
        ready.set()
        done.wait(60)

    def deeper(n):
        return deep(n)

    thread = threading.Thread(target=deep, args=(50,))
    thread.start()
    try:
        assert ready.wait(60)
        cut = stacks.format_thread(thread.ident, limit=1000)
        full = stacks.format_thread(thread.ident, limit=None)
    finally:
        done.set()
        thread.join()
    assert len(full) > 5000
    head, kept = cut.split("\n", 1)
    assert re.match(r"\[\.\.\. \d+ characters of outer frames left out "
                    r"\.\.\.\]$", head)
    assert len(kept) <= 1000
    assert full.endswith(kept)
    assert kept.startswith("  File ")
    assert "in deep" in kept and "done.wait(60)" in kept
    unused = max(sys._current_frames()) + 1
    assert stacks.format_thread(unused) == \
        "(thread %d is not running Python code now)" % unused
    assert stacks.running_calls() == {}


def test_timeout_directives_in_get_config(httpd):
    """req.get_config() shows PythonRequestTimeout and
    PythonRequestTimeoutAction as configured for the request."""
    r = httpd.get("/config", host=HOST)
    assert r.status_code == 200
    assert r.text == "7 log"


@pytest.mark.parametrize("line", [
    "PythonRequestTimeout soon",
    "PythonRequestTimeout -1",
    "PythonRequestTimeout 86401",
    "PythonRequestTimeout 99999999999999999999999",
    "PythonRequestTimeoutAction reboot",
])
def test_bad_timeout_directives_stop_startup(extra_httpd, line):
    """A timeout that is not whole seconds from 0 to 86400, or an action
    other than log or restart, stops Apache at start-up naming the
    directive."""
    server = extra_httpd(line + "\n", start=False, name="badtimeout")
    result = server.config_test()
    assert result.returncode != 0, result.stdout
    assert line.split()[0] in result.stdout


def test_stuck_connection_handler_is_reported(extra_httpd):
    """A PythonConnectionHandler is watched too, under the virtual host's
    PythonRequestTimeout; having no request, it is reported as
    "(no request)"."""
    port2 = free_port()
    server = extra_httpd("""
Listen 127.0.0.1:%d pystuck
<VirtualHost 127.0.0.1:%d>
    ServerName stuck-connection
    PythonPath "['{htdocs}/stuck'] + sys.path"
    PythonConnectionHandler stuck::stuck_connection
    PythonRequestTimeout 1
</VirtualHost>
""" % (port2, port2), name="stuckconn")
    mark = server.log_mark()
    go = os.path.join(server.var, "go-" + os.urandom(8).hex())
    with socket.create_connection(("127.0.0.1", port2), timeout=120) as sock:
        sock.sendall(go.encode() + b"\n")
        pattern = (r"MP0320: \(no request\) has been in "
                   r"PythonConnectionHandler stuck::stuck_connection for "
                   r"\d+ s, past its PythonRequestTimeout of 1 s \(report 1;"
                   r".*\\n  File .*, in wait_here_until_told")
        text = server.wait_for_log(pattern, mark, timeout=LOG_WAIT)
        assert re.search(pattern, text), text[-3000:]
        with open(go, "w"):
            pass
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = sock.recv(100)
            if not chunk:
                break
            answer += chunk
    os.unlink(go)
    assert answer == b"released\n"
    assert not _crashes(server)


def _crashes(server):
    return [l for l in server.error_log_since(0).splitlines()
            if "exit signal" in l or "AH00052" in l]


def test_restart_action_replaces_the_child(extra_httpd):
    """PythonRequestTimeoutAction restart under prefork: the request that
    went past its timeout is answered in full, then its child exits once
    the connection is closed and a new one takes over; no request
    fails."""
    server = extra_httpd(STUCK_DIRECTORY % "PythonRequestTimeoutAction "
                         "restart", name="restart", mpm="prefork")
    assert server.get("/stuck/fast").status_code == 200
    mark = server.log_mark()
    with requests.Session() as session:
        stuck = Stuck(server, session, "/stuck/wait", "127.0.0.1")
        wait_for_report(server, mark, "/stuck/wait", 1)
        response = stuck.release()
    assert response.status_code == 200
    assert response.text.startswith("released")
    old = pid_of(response)
    pattern = r"MP0322: GET /stuck/wait ran for \d+ s, past its " \
              r"PythonRequestTimeout of 1 s: process %d exits" % old
    text = server.wait_for_log(pattern, mark, timeout=LOG_WAIT)
    assert re.search(pattern, text), text[-3000:]
    for _ in range(600):
        if old not in server.children():
            break
        time.sleep(0.1)
    assert old not in server.children()
    pids = set()
    for _ in range(6):
        r = server.get("/stuck/fast")
        assert r.status_code == 200
        pids.add(pid_of(r))
    assert old not in pids
    assert not _crashes(server)


def test_restart_action_under_event_warns_and_logs(extra_httpd):
    """PythonRequestTimeoutAction restart works under prefork only: with
    the event MPM, start-up warns (MP0323), a stuck call is still
    reported, and its process goes on serving the same connection."""
    server = extra_httpd(STUCK_DIRECTORY % "PythonRequestTimeoutAction "
                         "restart", name="restart-event", mpm="event")
    assert re.search(r"MP0323: PythonRequestTimeoutAction restart works "
                     r"with the prefork MPM only; under event",
                     server.error_log_since(0))
    mark = server.log_mark()
    with requests.Session() as session:
        stuck = Stuck(server, session, "/stuck/wait", "127.0.0.1")
        wait_for_report(server, mark, "/stuck/wait", 1)
        response = stuck.release()
        after = session.get(server.url("/stuck/fast"))
    assert response.status_code == after.status_code == 200
    assert pid_of(response) == pid_of(after)
    assert "MP0322" not in server.error_log_since(mark)
    assert not _crashes(server)
