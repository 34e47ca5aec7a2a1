"""Handlers for test_stuck_requests.py: calls that run past
PythonRequestTimeout, and the stacks they leave in the error log.

A stuck handler waits until the test creates the file its query string
names.  The test creates it only once the error log shows what it is
looking for, so the handler is "stuck" for as long as the test needs and
nothing depends on how long anything takes; the wait's limit only bounds
a broken run.
"""
import os
import time

from mod_python import apache, _stacks

GIVE_UP = 60.0          # seconds: only a broken run waits this long


def wait_here_until_told(go):
    """The frame the watchdog's stack must show."""
    if not go.startswith("/") or ".." in go:
        return "bad go file"
    end = time.monotonic() + GIVE_UP
    while not os.path.exists(go):
        if time.monotonic() > end:
            return "gave up waiting"
        time.sleep(0.02)
    return "released"


def stuck_handler(req):
    req.content_type = "text/plain"
    req.write("%s pid=%d" % (wait_here_until_told(req.args or ""),
                             os.getpid()))
    return apache.OK


def fast_handler(req):
    req.content_type = "text/plain"
    req.write("fast pid=%d" % os.getpid())
    return apache.OK


def stuck_fixup(req):
    """A phase before the content handler may be stuck too."""
    req.notes["fixup"] = wait_here_until_told(req.args or "")
    return apache.OK


def after_fixup(req):
    req.content_type = "text/plain"
    req.write("fixup %s" % req.notes["fixup"])
    return apache.OK


def stacks_handler(req):
    """This thread's entry in mod_python._stacks, as /mpinfo shows it."""
    req.content_type = "text/plain"
    mine = _stacks.running_calls()[__import__("threading").get_ident()]
    req.write("timeout=%d uri=%s what=%s\n" % (mine["timeout"], mine["uri"],
                                               mine["what"]))
    req.write(_stacks.format_all())
    return apache.OK


def config_handler(req):
    req.content_type = "text/plain"
    conf = req.get_config()
    req.write("%s %s" % (conf.get("PythonRequestTimeout"),
                         conf.get("PythonRequestTimeoutAction")))
    return apache.OK


def stuck_outputfilter(filter):
    """An output filter that holds the response until told."""
    data = filter.read()
    while data:
        filter.write(data)
        data = filter.read()
    if data is None:
        filter.write(" " + wait_here_until_told(filter.req.args or ""))
        filter.close()


def stuck_connection(conn):
    """A connection handler: the client sends the go file's name, then
    waits for the answer."""
    go = conn.readline().strip().decode("utf-8", "replace")
    conn.write((wait_here_until_told(go) + "\n").encode())
    return apache.OK
