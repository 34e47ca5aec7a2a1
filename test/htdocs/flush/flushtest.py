"""Handlers for test_write_flush.py: when write(data)'s flush reaches the
client.  Each is named by its own PythonHandler line, so the frame that
calls write() is the handler's own (what the flush deferral watches)."""
import sys
import time

from mod_python import apache

PAUSE = 1.5


def hello(req):
    req.content_type = "text/plain"
    req.write("Hello")
    return apache.OK


def sleep_after(req):
    req.content_type = "text/plain"
    req.write("part1")
    time.sleep(PAUSE)
    req.write("part2")
    return apache.OK


def sleep_same_line(req):
    # No new line between the write and the sleep: the call decides.
    req.content_type = "text/plain"
    req.write("part1"); time.sleep(PAUSE); req.write("part2")  # noqa: E702
    return apache.OK


def _emit(req, text):
    req.write(text)


def helper_writes(req):
    req.content_type = "text/plain"
    _emit(req, "part1")
    time.sleep(PAUSE)
    req.write("part2")
    return apache.OK


def spin(req):
    # Pure bytecode after the write, no call: the loop's first store or
    # jump sends the flush.
    req.content_type = "text/plain"
    req.write("part1")
    n = SPIN
    while n:
        n -= 1
    req.write("part2")
    return apache.OK


SPIN = 20_000_000


def first(req):
    req.content_type = "text/plain"
    req.write("part1")
    return apache.OK


def second(req):
    time.sleep(PAUSE)
    req.write("part2")
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
    time.sleep(PAUSE)
    req.write("part2")
    return apache.OK


def _noop():
    pass


def traced(req):
    """Under a tracer of the handler's own, write() flushes at once and
    leaves that tracer in place."""
    events = []

    def tracer(frame, event, arg):
        events.append(event)
        return None

    sys.settrace(tracer)
    try:
        req.content_type = "text/plain"
        req.write("Hello")
        _noop()                 # a new frame: the tracer sees its call
        still_ours = sys.gettrace() is tracer
    finally:
        sys.settrace(None)
    req.write(" %s %d" % (still_ours, events.count("call")))
    return apache.OK
