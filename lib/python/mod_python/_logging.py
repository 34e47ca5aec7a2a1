"""Python's ``logging`` and standard streams into Apache's error log.

When mod_python makes an interpreter it calls :func:`_install`, which

* puts an :class:`ApacheLogHandler` on the root logger, with the root
  logger's level set from the configuration's ``LogLevel`` lines, unless
  ``PythonOption mod_python.logging off``;
* replaces ``sys.stdout`` and ``sys.stderr`` with :class:`_LogStream`
  objects that write each complete line as one error log entry, unless
  ``PythonOption mod_python.stdio off``.

An entry goes against the request (so Apache adds ``[client IP:port]`` and
follows the request's ``LogLevel``) when this thread is running a handler
for one, against the main server otherwise.

Kept free of mod_python.apache so that an interpreter which never runs a
handler does not import the whole package.
"""

import logging
import sys
import threading

import _apache

from ._context import running

APLOG_CRIT = _apache.APLOG_CRIT
APLOG_ERR = _apache.APLOG_ERR
APLOG_WARNING = _apache.APLOG_WARNING
APLOG_INFO = _apache.APLOG_INFO
APLOG_DEBUG = _apache.APLOG_DEBUG

_log_enabled = _apache._log_enabled
_log_write = _apache._log_write

# Apache cuts an entry near 8 KiB with its prefix; a longer line is written
# as several entries rather than lose its end.
_MAX_ENTRY = 4000


def apache_level(levelno):
    """The APLOG_* level for a logging level number (custom levels fall
    in with the standard level just below them)."""
    if levelno >= logging.CRITICAL:
        return APLOG_CRIT
    if levelno >= logging.ERROR:
        return APLOG_ERR
    if levelno >= logging.WARNING:
        return APLOG_WARNING
    if levelno >= logging.INFO:
        return APLOG_INFO
    return APLOG_DEBUG


def logging_level(aplog):
    """The logging level that lets through what APLOG_* level aplog does."""
    if aplog >= APLOG_DEBUG:
        return logging.DEBUG
    if aplog >= APLOG_INFO:
        return logging.INFO
    if aplog >= APLOG_WARNING:      # notice too: logging has no notice
        return logging.WARNING
    if aplog >= APLOG_ERR:
        return logging.ERROR
    return logging.CRITICAL


class _Formatter(logging.Formatter):
    """The message, after its logger's name unless that is the root's:
    Apache's prefix already has the time, level and process."""

    def format(self, record):
        text = super().format(record)
        if record.name != "root":
            text = "%s: %s" % (record.name, text)
        return text


class ApacheLogHandler(logging.Handler):
    """A :class:`logging.Handler` writing each record as one entry of
    Apache's error log, at the Apache level matching the record's
    (DEBUG: debug, INFO: info, WARNING: warn, ERROR: error, CRITICAL:
    crit).

    During a request (in a thread running a handler for it, or for a
    record logged with ``extra={"req": req}``) the entry is the request's,
    with the client's address, and the request's ``LogLevel`` decides;
    otherwise the main server's.  A record Apache would not write is
    dropped before it is formatted.
    """

    def __init__(self, level=logging.NOTSET):
        super().__init__(level)
        self.setFormatter(_Formatter())

    def handle(self, record):
        # No lock: Apache serialises its own writes, and the check comes
        # first so that a record below LogLevel costs no formatting.
        if record.levelno < self.level:
            return False
        aplog = apache_level(record.levelno)
        req = record.__dict__.get("req") or running.request
        if not _log_enabled(aplog, req):
            return False
        checked = self.filter(record)
        if not checked:
            return False
        if isinstance(checked, logging.LogRecord):
            record = checked        # Python 3.12: a filter may replace it
        try:
            _log_write(aplog, self.format(record), req)
        except Exception:
            self.handleError(record)
        return True

    def emit(self, record):
        aplog = apache_level(record.levelno)
        req = record.__dict__.get("req") or running.request
        try:
            if _log_enabled(aplog, req):
                _log_write(aplog, self.format(record), req)
        except Exception:
            self.handleError(record)


# What each thread has written to a stream without ending the line yet,
# by stream name: kept per thread so that two requests' fragments never
# join.
_partial = threading.local()


class _LogStream:
    """sys.stdout / sys.stderr: text written is kept until a newline, then
    each complete line is one error log entry (level error, as a
    traceback printed to stderr deserves).  :meth:`flush` writes what is
    left of this thread's line; the dispatcher does it at the end of each
    handler phase.
    """

    encoding = "utf-8"
    errors = "backslashreplace"
    newlines = None
    line_buffering = True

    def __init__(self, name, replaced):
        self.name = "<%s: Apache error log>" % name
        self._key = name
        self._replaced = replaced

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s"
                            % type(text).__name__)
        buffered = getattr(_partial, self._key, "")
        if "\n" not in text:
            setattr(_partial, self._key, buffered + text)
            return len(text)
        lines = (buffered + text).split("\n")
        rest = lines.pop()
        if rest:
            setattr(_partial, self._key, rest)
        elif buffered:
            delattr(_partial, self._key)
        for line in lines:
            self._emit(line)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        text = getattr(_partial, self._key, "")
        if text:
            delattr(_partial, self._key)
            self._emit(text)

    @staticmethod
    def _emit(line):
        line = line.rstrip("\r")
        if not line:
            return
        req = running.request
        if not _log_enabled(APLOG_ERR, req):
            return
        for start in range(0, len(line), _MAX_ENTRY):
            _log_write(APLOG_ERR, line[start:start + _MAX_ENTRY], req)

    def fileno(self):
        # The descriptor of the stream it replaced: code that writes to a
        # descriptor (faulthandler) still reaches what Apache made of it,
        # for stderr the error log itself.
        if self._replaced is None:
            import io
            raise io.UnsupportedOperation("fileno")
        return self._replaced.fileno()

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False

    @property
    def closed(self):
        return False

    def close(self):
        pass


# ImportError texts of extension modules that refuse a second interpreter:
# CPython 3.12+ for single-phase modules, PyO3 (old and new), numpy.
_ONE_INTERPRETER_SIGNS = (
    "does not support loading in subinterpreters",
    "once per interpreter process",
    "do not yet support subinterpreters",
    "Interpreter change detected",
    "one interpreter per process",
)


def subinterpreter_hint(exc, req=None):
    """If exc is (or was raised from, or while handling) an ImportError
    of an extension module that works in one interpreter only, log that
    the fix is ``PythonInterpreter main_interpreter``.  True if it did."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ImportError):
            text = str(exc)
            if any(sign in text for sign in _ONE_INTERPRETER_SIGNS):
                _log_write(APLOG_ERR, "mod_python: MP0305: an extension "
                           "module%s cannot be loaded in interpreter %r "
                           "(%s): it works in one interpreter per process "
                           "only; run every handler that imports it with "
                           "'PythonInterpreter main_interpreter'"
                           % (" %r" % exc.name if exc.name else "",
                              _apache.interpreter, text), req)
                return True
        exc = exc.__cause__ or exc.__context__
    return False


def flush_partial():
    """Write this thread's unfinished stdout/stderr lines (end of a phase,
    while the request is still this thread's)."""
    # By the thread's own record, not through sys.stdout: a handler (or
    # mod_python.cgihandler) may have put another stream there meanwhile.
    pending = _partial.__dict__
    for key in list(pending):
        _LogStream._emit(pending.pop(key))


def _switch(value, option):
    """True/False for an on/off option; None (after a numbered error) for
    anything else."""
    if value is None:
        return True
    word = value.strip().lower()
    if word in ("on", "1", "yes", "true"):
        return True
    if word in ("off", "0", "no", "false"):
        return False
    _log_write(APLOG_ERR, "mod_python: MP0307: PythonOption %s must be On "
               "or Off, not %r; taken as On" % (option, value), None)
    return True


def _install(logging_option, stdio_option):
    """Called by mod_python (C) in each new interpreter, with the values
    of the server-level PythonOptions mod_python.logging and
    mod_python.stdio (None when not set)."""
    if _switch(stdio_option, "mod_python.stdio"):
        sys.stdout = _LogStream("stdout", sys.stdout)
        sys.stderr = _LogStream("stderr", sys.stderr)
    if _switch(logging_option, "mod_python.logging"):
        root = logging.getLogger()
        if not any(isinstance(h, ApacheLogHandler) for h in root.handlers):
            root.addHandler(ApacheLogHandler())
        root.setLevel(logging_level(_apache._log_python_level()))
