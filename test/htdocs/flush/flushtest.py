"""Handlers for test_write_flush.py: when write(data)'s bytes reach the
client.

A handler that writes and must be seen to have sent its bytes waits
afterwards for the test to say it has them: the test reads "part1" from
its socket, then creates the file named by the request's query string;
the handler sees it and goes on.  Had the bytes not been flushed, the test
would never see them and the handler would give up waiting and say so in
its body.  Nothing is timed; the waits only bound a broken run.
"""
import os
import time

from mod_python import apache

GIVE_UP = 20.0          # seconds: only a broken run waits this long


def _wait_for_go(req):
    """Until the test has created the file the query string names."""
    go = req.args or ""
    if not go.startswith("/") or ".." in go:
        return "bad go file"
    end = time.monotonic() + GIVE_UP
    while not os.path.exists(go):
        if time.monotonic() > end:
            return "gave up waiting"
        time.sleep(0.01)
    return ""


def hello(req):
    req.content_type = "text/plain"
    req.write("Hello")
    return apache.OK


def hello_noflush(req):
    req.content_type = "text/plain"
    req.write("Hello", 0)
    return apache.OK


def wait_after(req):
    req.content_type = "text/plain"
    req.write("part1")
    req.write("part2" + _wait_for_go(req))
    return apache.OK


def first(req):
    req.content_type = "text/plain"
    req.write("part1")
    return apache.OK


def second(req):
    req.write("part2" + _wait_for_go(req))
    return apache.OK


def raises(req):
    req.content_type = "text/plain"
    req.write("part1")
    raise ValueError("after the write")


def fixup_writes(req):
    req.content_type = "text/plain"
    req.write("part1")
    return apache.OK


def after_fixup(req):
    req.write("part2" + _wait_for_go(req))
    return apache.OK
