"""Running handlers: the one dispatcher mod_python's C code calls.

For each phase that has handlers, Apache's hook calls
``dispatch_request(req, phase, config, mask, added)``: the request object,
the phase's directive name ('PythonHandler', 'PythonAuthenHandler', ...),
the :class:`Config` of the directives in effect with the phase's handler
entries, which of those apply to the request's file (their "| .ext"
lists), and the handlers ``req.add_handler()`` added.  Handlers run left
to right until one returns something other than ``apache.OK``; that value
(or the status carried by ``SERVER_RETURN``) goes back to Apache.

Filters and connection handlers come through ``dispatch_filter`` and
``dispatch_connection``, the ``#python`` element of server-side includes
through ``dispatch_ssi``, ``PythonImport`` through ``run_import``: the same
resolution of ``module::object`` and the same error reporting.

A handler's exception becomes a status here (with ``PythonDebug On`` the
traceback page is sent to the client first) and leaves as
:class:`HandlerFailed`, raised from it, so that the C side logs the
handler's traceback as one numbered entry.
"""

import sys
import time

from . import apache
from ._importer import CHECK_INTERVAL, import_handler_module, loaded
from ._logging import _partial, flush_partial, subinterpreter_hint

OK = apache.OK
DECLINED = apache.DECLINED
DONE = apache.DONE
HTTP_INTERNAL_SERVER_ERROR = apache.HTTP_INTERNAL_SERVER_ERROR
_monotonic = time.monotonic

# Phases whose errors must not be written to the client: the response has
# already gone.
_SILENT_PHASES = frozenset(("PythonLogHandler", "PythonCleanupHandler"))

# The PythonPath text last applied to sys.path in this interpreter.
_applied_path = None

# Entries past this index apply whatever the mask says (see dispatch.c).
_MASK_WIDTH = 63


class HandlerFailed(Exception):
    """A handler failed: ``args`` are (status for Apache, log message).

    Raised from the handler's exception; the C side logs the message with
    that exception's traceback as one error log entry.
    """


class _Missing(Exception):
    """A PythonHandlerModule module lacks this phase's function."""


class HandlerEntry:
    """One handler to run: what ``req.hlist`` is while it runs.

    ``handler`` is the 'module[::object]' text of the directive (or what
    ``req.add_handler()`` was given, which may be a callable),
    ``directory`` the directory of the directive (None for a <Location>
    or the server level), ``silent`` true for PythonHandlerModule entries
    (a missing function is skipped), ``is_input`` True/False for a filter's
    entry and None otherwise, ``parent`` the entry that added this one with
    ``add_handler()``, or None.
    """

    __slots__ = ("handler", "directory", "silent", "is_input", "parent",
                 "_module_name", "_object_name", "_module", "_check_at",
                 "_phase", "_name", "_function")

    def __init__(self, handler, directory=None, silent=False, is_input=None,
                 parent=None):
        self.handler = handler
        self.directory = directory
        self.silent = silent
        self.is_input = is_input
        self.parent = parent
        if isinstance(handler, str):
            self._module_name, _, self._object_name = handler.partition("::")
        else:
            self._module_name = self._object_name = None
        # The module found for it, trusted until _check_at (the importer's
        # own interval): a configured entry lives as long as the child.
        self._module = None
        self._check_at = 0.0
        # The function found in _module for _phase under _name, when that
        # is a plain name (no dots, not a class): the usual 'handler'.
        # Valid while the module still has it under that name.
        self._phase = None
        self._name = None
        self._function = None

    def __repr__(self):
        return "<hlist %r directory=%r>" % (self.handler, self.directory)


class Config:
    """The directives in effect and a handler list, as C hands them over.

    Made once per interpreter for each distinct configuration (see
    src/include/pyconfig.h) and reused by every request it applies to.
    """

    __slots__ = ("debug", "autoreload", "python_path", "enable_pdb",
                 "handlers")

    def __init__(self, debug, autoreload, python_path, enable_pdb, entries):
        self.debug = debug
        self.autoreload = autoreload
        self.python_path = python_path
        self.enable_pdb = enable_pdb
        self.handlers = tuple(HandlerEntry(handler, directory, silent,
                                           is_input)
                              for handler, directory, silent, is_input
                              in entries)


_default_objects = {}


def _default_object(phase):
    # 'PythonAuthenHandler' -> 'authenhandler'
    name = _default_objects.get(phase)
    if name is None:
        name = _default_objects[phase] = phase[len("Python"):].lower()
    return name


def _apply_python_path(text):
    """Make sys.path what PythonPath says, evaluating only new text."""
    global _applied_path
    if text != _applied_path:
        value = eval(text, {"__builtins__": {}, "sys": sys})
        if not isinstance(value, (list, tuple)):
            raise TypeError("PythonPath must evaluate to a list, not %s"
                            % type(value).__name__)
        sys.path[:] = list(value)
        _applied_path = text


_split_cache = {}


def resolve_object(req, module, object_str, silent=False):
    """Find object_str ('a.b.c') in module, left to right.

    Every class met on the way is instantiated with the request, so
    'Klass.method' gives the method bound to Klass(req).  With silent, a
    missing name raises _Missing instead of AttributeError.
    """
    parts = _split_cache.get(object_str)
    if parts is None:
        parts = _split_cache[object_str] = tuple(object_str.split("."))
    obj = module
    for part in parts:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            if silent:
                raise _Missing(part)
            raise
        if isinstance(obj, type):
            obj = obj(req)
    return obj


def _callable_of(entry, arg, phase, config):
    """What entry names for phase, its module imported (or re-checked once
    per CHECK_INTERVAL with PythonAutoReload), classes instantiated with
    arg (the request, or the connection)."""
    if entry._module_name is None:
        return entry.handler            # add_handler() was given a callable
    module = entry._module
    if module is None or (config.autoreload
                          and _monotonic() >= entry._check_at):
        module = import_handler_module(entry._module_name, entry.directory,
                                       config.autoreload, config.debug)
        entry._module = module
        entry._check_at = _monotonic() + CHECK_INTERVAL
    if (entry._phase is phase
            and module.__dict__.get(entry._name) is entry._function):
        return entry._function
    name = entry._object_name or _default_object(phase)
    obj = resolve_object(arg, module, name, entry.silent)
    if "." not in name and not isinstance(getattr(module, name), type):
        entry._phase = phase
        entry._name = name
        entry._function = obj
    return obj


def _run_under_pdb(obj, req):
    """PythonEnablePdb On: obj(req) under pdb, talking on httpd's stdio.

    Giving pdb the streams explicitly makes it read lines from them instead
    of calling input(): input() goes through GNU readline, whose hook is
    process-wide and crashes the process when set from a subinterpreter.
    nosigint because only the main thread of the main interpreter may set
    signal handlers, and a handler may run in neither.
    """
    import pdb
    # httpd's own stdout: sys.stdout writes to the error log (_logging).
    debugger = pdb.Pdb(stdin=sys.stdin, stdout=sys.__stdout__ or sys.stdout,
                       nosigint=True)
    return debugger.runcall(obj, req)


def _server_return(req, exc):
    """The status a SERVER_RETURN exception carries."""
    if not exc.args:
        return HTTP_INTERNAL_SERVER_ERROR
    value = exc.args[0] if len(exc.args) == 1 else exc.args
    if isinstance(value, tuple):
        value, status = (tuple(value) + (None,))[:2]
        if status:
            req.status = status
    if value is None:
        return OK
    if not isinstance(value, int):
        raise TypeError("SERVER_RETURN needs an integer status, not %r"
                        % (value,))
    return value


def _run(req, phase, entry, config):
    """Run one handler entry; its status.  _Missing: nothing to run."""
    directory = entry.directory
    if (directory is not None and config.python_path is None
            and directory not in sys.path):
        sys.path.insert(0, directory)
    req.hlist = entry
    obj = _callable_of(entry, req, phase, config)
    try:
        if config.enable_pdb:
            result = _run_under_pdb(obj, req)
        else:
            result = obj(req)
    except apache.SERVER_RETURN as exc:
        result = _server_return(req, exc)
    if type(result) is not int:
        if not isinstance(result, int):
            raise TypeError("handler %s returned %r, not an integer status"
                            % (_name(entry), result))
        result = int(result)
    return result


def _name(entry):
    handler = entry.handler
    if isinstance(handler, str):
        return handler
    return getattr(handler, "__qualname__", None) or repr(handler)


def _traceback_text(exc):
    import traceback
    return "".join(traceback.format_exception(type(exc), exc,
                                              exc.__traceback__))


# Tracebacks hold long paths: they wrap rather than widen the page.
_PRE_WRAP = "white-space: pre-wrap; overflow-wrap: anywhere"


def _error_page(req, phase, handler, exc):
    """PythonDebug On: send the traceback to the client.  True if sent."""
    import html
    if req.connection.aborted:
        return False            # the client is gone: nobody to show it to
    try:
        req.status = HTTP_INTERNAL_SERVER_ERROR
        req.content_type = "text/html"
        req.write("<pre style=\"%s\">\nMod_python error: &quot;%s %s&quot;"
                  "\n\n%s</pre>\n"
                  % (_PRE_WRAP, html.escape(phase), html.escape(handler),
                     html.escape(_traceback_text(exc))))
        return True
    except Exception:
        return False


def dispatch_request(req, phase, config, mask, added):
    """Run the handlers of `phase` for req; return an Apache status."""
    entry = None
    result = DECLINED
    try:
        if config.python_path is not None:
            _apply_python_path(config.python_path)
        for index, entry in enumerate(config.handlers):
            if (mask != -1 and index < _MASK_WIDTH
                    and not (mask >> index) & 1):
                continue
            try:
                result = _run(req, phase, entry, config)
            except _Missing:
                result = DECLINED
                continue
            if result != OK:
                return result
        # Handlers may add more while this loop runs: the list grows.
        index = 0
        while index < len(added):
            handler, directory, parent = added[index]
            index += 1
            entry = HandlerEntry(handler, directory, parent=parent)
            result = _run(req, phase, entry, config)
            if result != OK:
                return result
        return result
    except Exception as exc:
        subinterpreter_hint(exc, req)
        name = _name(entry) if entry is not None else "?"
        status = HTTP_INTERNAL_SERVER_ERROR
        if (config.debug and phase not in _SILENT_PHASES
                and _error_page(req, phase, name, exc)):
            status = DONE
        raise HandlerFailed(status, "MP0005: %s %s raised %s"
                            % (phase, name, type(exc).__name__)) from exc
    finally:
        # print() without a newline: the line ends with the phase, in
        # this request's log.
        if _partial.__dict__:
            flush_partial()


def dispatch_filter(flt, config):
    """Run a PythonInputFilter/PythonOutputFilter with the filter object.

    An exception disables the filter for the rest of the request (so what
    reports the error cannot pass through it again), and with PythonDebug
    On an output filter sends the traceback on.
    """
    entry = config.handlers[0]
    kind = "PythonInputFilter" if entry.is_input else "PythonOutputFilter"
    try:
        if config.python_path is not None:
            _apply_python_path(config.python_path)
        _callable_of(entry, flt.req, kind, config)(flt)
    except Exception as exc:
        import html
        subinterpreter_hint(exc, flt.req)
        flt.disable()
        if config.debug and not entry.is_input and not flt.closed:
            try:
                flt.write("<pre>\nMod_python error: &quot;%s %s&quot;\n\n%s"
                          "</pre>\n" % (kind, html.escape(entry.handler),
                                         html.escape(_traceback_text(exc))))
            except Exception:
                pass
        raise HandlerFailed(HTTP_INTERNAL_SERVER_ERROR,
                            "MP0031: %s %s raised %s"
                            % (kind, entry.handler,
                               type(exc).__name__)) from exc


def dispatch_connection(conn, config):
    """Run a PythonConnectionHandler with the connection object."""
    entry = config.handlers[0]
    try:
        if config.python_path is not None:
            _apply_python_path(config.python_path)
        return _callable_of(entry, conn, "PythonConnectionHandler",
                            config)(conn)
    except Exception as exc:
        subinterpreter_hint(exc)
        # PythonDebug On: the client of the protocol sees it too, unless
        # the error is the client going away.
        if config.debug and not conn.aborted:
            try:
                conn.write(_traceback_text(exc))
            except Exception:
                pass
        raise HandlerFailed(HTTP_INTERNAL_SERVER_ERROR,
                            "MP0032: PythonConnectionHandler %s raised %s"
                            % (entry.handler, type(exc).__name__)) from exc


def dispatch_ssi(flt, kind, code, config):
    """Run the code of a ``<!--#python exec="..." -->`` or ``<!--#python
    eval="..." -->`` element of a server-side include (Doc/ssi.rst).

    The page's blocks share one dictionary of globals for the request:
    ``req.ssi_globals`` when a handler set it (a fixup handler can fill
    it beforehand), else one made here and kept there.  ``filter`` in it
    is the element's filter object.  eval's value comes back as ``str``
    for the C side to put into the page; exec writes with filter.write().
    """
    req = flt.req
    try:
        if config.python_path is not None:
            _apply_python_path(config.python_path)
        namespace = getattr(req, "ssi_globals", None)
        if namespace is None:
            namespace = req.ssi_globals = {}
        namespace["filter"] = flt
        where = "%s (#python %s)" % (req.filename, kind)
        if kind == "eval":
            return str(eval(compile(code.strip(), where, "eval"), namespace))
        exec(compile(code.replace("\r\n", "\n"), where, "exec"), namespace)
        return None
    except Exception as exc:
        if config.debug:
            import html
            try:
                flt.write("<pre>\n%s</pre>\n"
                          % html.escape(_traceback_text(exc)))
            except Exception:
                pass
        raise HandlerFailed(HTTP_INTERNAL_SERVER_ERROR,
                            "MP0109: #python %s in %s raised %s"
                            % (kind, req.filename,
                               type(exc).__name__)) from exc


def run_import(config, spec):
    """PythonImport module[::function]: import the module with the
    server's PythonPath, then call the function (no arguments) if named."""
    try:
        if config.python_path is not None:
            _apply_python_path(config.python_path)
        module_name, _, function = spec.partition("::")
        module = apache.import_module(module_name,
                                      autoreload=config.autoreload,
                                      log=config.debug)
        if function:
            obj = module
            for part in function.split("."):
                obj = getattr(obj, part)
            obj()
    except Exception as exc:
        subinterpreter_hint(exc)
        raise


def _report(configs):
    """What this interpreter holds, as JSON text, for the diagnostics page
    (mod_python.testhandler), which may run in another interpreter: C
    calls this here with the Configs it has cached for this interpreter
    and carries only the text across."""
    import json
    modules = [{"name": name, "file": filename, "mtime_ns": mtime,
                "how": how} for name, filename, mtime, how in loaded()]
    cached = []
    for config in configs:
        entries = []
        for entry in config.handlers:
            module = entry._module
            entries.append({
                "handler": _name(entry),
                "directory": entry.directory,
                "module_file": getattr(module, "__file__", None),
            })
        cached.append({"debug": bool(config.debug),
                       "autoreload": bool(config.autoreload),
                       "python_path": config.python_path,
                       "handlers": entries})
    cached.sort(key=lambda c: json.dumps(c, sort_keys=True))
    return json.dumps({
        "interpreter": apache.interpreter,
        "modules": modules,
        "configs": cached,
        "sys_path": list(sys.path),
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
    })
