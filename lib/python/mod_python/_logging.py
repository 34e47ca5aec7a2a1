"""Python's ``logging`` and standard streams into Apache's error log.

When mod_python makes an interpreter it calls :func:`_install`, which

* replaces ``sys.stdout`` and ``sys.stderr`` with :class:`_LogStream`
  objects that write each complete line as one error log entry, unless
  ``PythonOption mod_python.stdio off``;
* arranges for the root logger to get an
  :class:`~mod_python._loghandler.ApacheLogHandler`, with its level set
  from the configuration's ``LogLevel`` lines, unless ``PythonOption
  mod_python.logging off``.  That happens when the interpreter first
  imports :mod:`logging` (at once if it already has): loading the logging
  package costs more than making the interpreter did, and an interpreter
  that never logs (often main_interpreter) need not pay it.

An entry goes against the request (so Apache adds ``[client IP:port]`` and
follows the request's ``LogLevel``) when this thread is running a handler
for one, against the main server otherwise.

Kept free of mod_python.apache so that an interpreter which never runs a
handler does not import the whole package.
"""

import sys
from _thread import _local

import _apache

from ._context import running

APLOG_ERR = _apache.APLOG_ERR

_log_enabled = _apache._log_enabled
_log_write = _apache._log_write

# Apache cuts an entry near 8 KiB with its prefix; a longer line is written
# as several entries rather than lose its end.
_MAX_ENTRY = 4000


# What each thread has written to a stream without ending the line yet,
# by stream name: kept per thread so that two requests' fragments never
# join.
_partial = _local()


class _LogStream:
    """sys.stdout / sys.stderr: text written is kept until a newline, then
    each complete line is one error log entry (level error, as a
    traceback printed to stderr deserves).  What is left of this thread's
    line is written at the end of each handler phase (flush_partial).
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
        if not text:
            return 0
        pending = _partial.__dict__         # this thread's
        buffered = pending.pop(self._key, "") + text
        if "\n" in text:
            lines = buffered.split("\n")
            buffered = lines.pop()
            for line in lines:
                self._emit(line)
        if len(buffered) >= _MAX_ENTRY:
            self._emit(buffered)            # a line without end, in pieces
            buffered = ""
        if buffered:
            pending[self._key] = buffered
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        # Does not cut the line: code that writes "working..." and flushes
        # before it prints " done" means one line.  The dispatcher writes
        # what is left when the phase ends (flush_partial).
        pass

    @property
    def buffer(self):
        """The bytes view (sys.stdout.buffer.write(b"...")): UTF-8."""
        return _LogBuffer(self)

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
# CPython 3.12+ where it enforces a module's declaration, PyO3 (old and new),
# numpy.
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


class _LogBuffer:
    """The ``buffer`` of a _LogStream: each write's bytes decoded as UTF-8
    (what cannot be decoded, a character cut between two writes too, is
    escaped) and written as text."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, data):
        data = bytes(data)
        self._stream.write(data.decode("utf-8", "backslashreplace"))
        return len(data)

    def flush(self):
        pass

    def writable(self):
        return True

    def fileno(self):
        return self._stream.fileno()


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


class _ConfigureLoggingOnImport:
    """First on sys.meta_path: when ``logging`` is imported, lets the other
    finders find it, and configures the root logger once its code has run.

    It stays on sys.meta_path afterwards, doing nothing: taking it off
    while another thread walks the list could make that thread skip a
    finder.
    """

    done = False

    def find_spec(self, name, path=None, target=None):
        if self.done or name != "logging":
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if not hasattr(loader, "__dict__"):
            return spec         # not a loader we can follow: left alone
        run = loader.exec_module

        def exec_module(module):
            # Set only now: find_spec() alone (importlib.util.find_spec)
            # imports nothing.
            self.done = True
            del loader.exec_module
            run(module)
            from ._loghandler import configure_root
            configure_root()

        # This loader object was made for this one spec.
        loader.exec_module = exec_module
        return spec


def _install(logging_option, stdio_option):
    """Called by mod_python (C) in each new interpreter, with the values
    of the server-level PythonOptions mod_python.logging and
    mod_python.stdio (None when not set)."""
    if _switch(stdio_option, "mod_python.stdio"):
        sys.stdout = _LogStream("stdout", sys.stdout)
        sys.stderr = _LogStream("stderr", sys.stderr)
    if _switch(logging_option, "mod_python.logging"):
        if "logging" in sys.modules:
            from ._loghandler import configure_root
            configure_root()
        else:
            sys.meta_path.insert(0, _ConfigureLoggingOnImport())
