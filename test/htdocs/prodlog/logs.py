"""Handlers for test_production_logging: Python's logging and print()
into Apache's error log.  Each writes what the test names in ?token=."""
import json
import logging
import sys
import threading

from mod_python import apache, util

log = logging.getLogger("prodlog")


def _token(req):
    return util.FieldStorage(req).getfirst("token", "none")


def levels(req):
    """One record at each standard level, through the root logger and a
    named one."""
    token = _token(req)
    root = logging.getLogger()
    # Before logging.debug(), which gives a root logger without handlers
    # one of its own (logging.basicConfig).
    info = {
        "root_level": root.level,
        "handlers": [type(h).__name__ for h in root.handlers],
        "public": any(isinstance(h, apache.ApacheLogHandler)
                      for h in root.handlers),
        "stdout": type(sys.stdout).__name__,
        "stderr": type(sys.stderr).__name__,
    }
    logging.debug("root-debug %s", token)
    log.debug("at-debug %s", token)
    log.info("at-info %s", token)
    log.warning("at-warning %s", token)
    log.error("at-error %s", token)
    log.critical("at-critical %s", token)
    req.content_type = "application/json"
    req.write(json.dumps(info))
    return apache.OK


def exception(req):
    """logger.exception(): the message and its traceback, one entry."""
    token = _token(req)
    try:
        {}["missing-key-" + token]
    except KeyError:
        log.exception("caught %s", token)
    req.write("ok")
    return apache.OK


def thread(req):
    """A thread the handler starts logs twice: plainly (no request is
    running in that thread: the server's log) and with the request
    passed as extra={"req": req} (the request's log)."""
    token = _token(req)

    def work():
        log.warning("from-thread %s", token)
        log.warning("from-thread-with-req %s", token, extra={"req": req})
        print("printed-from-thread", token)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    req.write("ok")
    return apache.OK


def prints(req):
    """print() and sys.stderr.write() in pieces: each complete line one
    entry (flush() does not cut one); a line left open is written when the
    phase ends."""
    token = _token(req)
    print("printed", end="")
    print("-whole", end="")
    print("-line", token)
    sys.stderr.write("stderr-")
    sys.stderr.write("in-pieces ")
    sys.stderr.write(token + "\nsecond-stderr-line " + token + "\n")
    print("first-of-two %s\nsecond-of-two %s" % (token, token))
    sys.stdout.write("flushed-")
    sys.stdout.flush()              # does not cut the line
    print("still-one-line", token)
    sys.stdout.buffer.write(("bytes-line %s\n" % token).encode())
    print("left-open", token, end="")
    req.write("ok")
    return apache.OK


class _Probe:
    """Counts how often a log message argument is turned into text."""
    formatted = 0

    def __str__(self):
        _Probe.formatted += 1
        return "probe"


def unformatted(req):
    """A debug record on a logger set to DEBUG itself, so that only
    Apache's LogLevel can drop it: answers how many times its argument was
    formatted (0 when Apache drops it first)."""
    lazy = logging.getLogger("prodlog.lazy")
    lazy.setLevel(logging.DEBUG)
    before = _Probe.formatted
    lazy.debug("value %s", _Probe())
    req.write(str(_Probe.formatted - before))
    return apache.OK
