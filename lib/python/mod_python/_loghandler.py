"""The logging handler of mod_python: records into Apache's error log.

Imported only once an interpreter imports :mod:`logging` (see
mod_python._logging), so an interpreter that never logs does not load
the logging package.
"""

import logging

import _apache

from ._context import running

APLOG_CRIT = _apache.APLOG_CRIT
APLOG_ERR = _apache.APLOG_ERR
APLOG_WARNING = _apache.APLOG_WARNING
APLOG_INFO = _apache.APLOG_INFO
APLOG_DEBUG = _apache.APLOG_DEBUG

_log_enabled = _apache._log_enabled
_log_write = _apache._log_write


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


def configure_root():
    """Give the root logger an ApacheLogHandler (once) and the level of
    the most verbose LogLevel the configuration gives the python module."""
    root = logging.getLogger()
    if not any(isinstance(h, ApacheLogHandler) for h in root.handlers):
        root.addHandler(ApacheLogHandler())
    root.setLevel(logging_level(_apache._log_python_level()))
