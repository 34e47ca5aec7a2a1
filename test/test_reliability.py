"""Reliability under load and across restarts (Doc/reliability.rst).

wrk, 64 connections, on four kinds of page (a handler, a publisher
function, a PSP page, a form with a FileSession): every response is 2xx,
and the session counter equals the number of requests the access log
shows for it.  Graceful restarts (SIGUSR1) under load lose no request.
Short runs; scripts/soak.py (make soak) does the long ones and measures
memory.  Assertions are on counts and statuses, never on time."""

import os
import signal
import threading
import time

import pytest

import reliability
from reliability import HOST, PAGES, access_count, wrk

HTTPD_CONF = reliability.CONF


def _wait_quiet(read, timeout=20):
    """read() until two reads a little apart agree (the server finishing
    what wrk left in flight); returns the last value."""
    last = read()
    for _ in range(int(timeout / 0.3)):         # tries, not a deadline
        time.sleep(0.3)
        now = read()
        if now == last:
            return now
        last = now
    return last


def _headers(httpd):
    """Keep-alive under prefork.  The threaded MPMs of the test server
    have 40 workers for wrk's 64 connections, and event closes idle
    keep-alive connections when its workers are all busy, by design: wrk
    counts each such close as a read error although no request was taken.
    There every request gets a connection of its own instead."""
    return [] if httpd.mpm == "prefork" else ["Connection: close"]


def _no_import_race(text):
    # A known race of threaded MPMs is reported, not worked around.
    assert "partially initialized module" not in text


@pytest.mark.parametrize("page", ["handler", "publisher", "psp"])
def test_load_pages(httpd, page):
    """64 connections for 2 s: no non-2xx response, no socket error, and
    the access log shows only 200s for the page."""
    path = PAGES[page]
    httpd.get(path, host=HOST)                      # load the module once
    mark = httpd.log_mark()
    result = wrk(httpd.port, path, seconds=2, headers=_headers(httpd))
    assert result.requests and result.requests > 0, result.text
    _no_import_race(httpd.error_log_since(mark))
    assert result.failed == 0, result.text
    log = _wait_quiet(httpd.access_log)
    assert access_count(log, path) == access_count(log, path, 200)


def test_load_session_counter_exact(httpd):
    """64 connections on one FileSession for 2 s: every request is 2xx
    and the session's count is exactly the number of requests served
    (the lock serialises them, none is lost or counted twice)."""
    path = PAGES["session"] + "&run=%d" % os.getpid()
    r = httpd.get(path, host=HOST)
    assert r.status_code == 200
    cookie = r.headers["Set-Cookie"].split(";")[0]
    mark = httpd.log_mark()
    result = wrk(httpd.port, path, seconds=2,
                 headers=["Cookie: " + cookie] + _headers(httpd))
    _no_import_race(httpd.error_log_since(mark))
    assert result.failed == 0, result.text
    served = _wait_quiet(lambda: access_count(httpd.access_log(), path, 200))
    assert access_count(httpd.access_log(), path) == served
    assert served >= result.requests > 0
    r = httpd.get("/counter/c?peek", host=HOST, headers={"Cookie": cookie})
    assert r.text.startswith("n=%d " % served), (r.text, served)


def test_graceful_restarts_under_load(extra_httpd):
    """Three graceful restarts (SIGUSR1) while wrk keeps 64 connections
    busy (new connection per request): no request fails, and the server
    did restart three times."""
    server = extra_httpd(HTTPD_CONF)
    path = PAGES["handler"]
    assert server.get(path, host=HOST).status_code == 200
    restarts = []

    def restart():
        for _ in range(3):
            time.sleep(1.2)
            os.kill(server.proc.pid, signal.SIGUSR1)
            restarts.append(1)

    t = threading.Thread(target=restart)
    t.start()
    try:
        result = wrk(server.port, path, seconds=5,
                     headers=["Connection: close"])
    finally:
        t.join()
    log = server.error_log_since(0)
    _no_import_race(log)
    assert log.count("resuming normal operations") == 4, log[-3000:]
    assert result.failed == 0, result.text
    assert result.requests > 0
    assert server.get(path, host=HOST).status_code == 200


def _rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def test_parent_memory_over_graceful_restarts(extra_httpd):
    """Doc/reliability.rst, "Load and restarts": the parent process does
    not grow with graceful restarts (SIGUSR1; each one reads the
    configuration and runs the module's post_config again).  After one
    restart to settle, ten more, each waited for in the error log and
    followed by a request to each reliability page, may add at most
    2 MiB to the parent's resident memory (a module that kept 200 KiB or
    more per restart fails this; Debian's 3.5 keeps about 1.8 MiB); the
    figures over fifty are in the manual (make soak)."""
    server = extra_httpd(HTTPD_CONF)
    pid = server.proc.pid

    def restart_and_use(generation):
        os.kill(pid, signal.SIGUSR1)
        for _ in range(600):                    # tries, not a deadline
            log = server.error_log_since(0)
            if log.count("resuming normal operations") >= generation + 1:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("restart %d not seen: %s"
                                 % (generation, log[-2000:]))
        for page in PAGES.values():
            r = server.get(page, host=HOST)
            assert r.status_code == 200, (page, r.status_code, r.text)

    restart_and_use(1)
    before = _rss_kib(pid)
    for generation in range(2, 12):
        restart_and_use(generation)
    after = _rss_kib(pid)
    assert after - before < 2048, (before, after)
    assert "exit signal" not in server.error_log_since(0)
