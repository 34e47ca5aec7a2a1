"""Running request handlers: the entry point mod_python's C code calls.

For each phase that has handlers, Apache's hook calls
``dispatch_request(req, phase)`` with the request object and the phase's
directive name ('PythonHandler', 'PythonAuthenHandler', ...).  Handlers run
left to right until one returns something other than ``apache.OK``; that
value (or the status carried by ``SERVER_RETURN``) goes back to Apache.  A
handler's exception becomes a 500 and an error log entry, and with
``PythonDebug On`` the traceback is also sent to the client.
"""

import sys

from . import apache
from ._importer import CHECK_INTERVAL, import_handler_module

OK = apache.OK
DECLINED = apache.DECLINED
DONE = apache.DONE
HTTP_INTERNAL_SERVER_ERROR = apache.HTTP_INTERNAL_SERVER_ERROR
_running = apache.running

# Phases whose errors must not be written to the client: the response has
# already gone.
_SILENT_PHASES = frozenset(("PythonLogHandler", "PythonCleanupHandler"))

# The PythonPath text last applied to sys.path in this interpreter.
_applied_path = None


class _Missing(Exception):
    """A PythonHandlerModule module lacks this phase's function."""


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
    'Klass.method' gives the method bound to Klass(req).
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


def _find_handler(req, handler, directory, phase, autoreload, debug,
                  silent, remember):
    """The object a handler directive's entry names, its module imported.

    With remember, a plain name (no dots) is offered to the C fast path,
    which calls module.name itself for the next CHECK_INTERVAL seconds
    when this is the phase's only handler (src/include/fastdispatch.h).
    """
    module_name, _, object_str = handler.partition("::")
    module = import_handler_module(module_name, directory, autoreload, debug)
    name = object_str or _default_object(phase)
    obj = resolve_object(req, module, name, silent)
    if remember and "." not in name:
        req._remember_handler(module, name, CHECK_INTERVAL)
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
    debugger = pdb.Pdb(stdin=sys.stdin, stdout=sys.stdout, nosigint=True)
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


def report_error(req, phase, handler, debug):
    """Log the exception being handled; with debug, show it to the client.

    Returns the status for Apache: DONE when the traceback page was sent,
    else HTTP_INTERNAL_SERVER_ERROR.
    """
    # Imported here, not at the top: they are only needed when something
    # has gone wrong, and every interpreter would otherwise carry them.
    import html
    import traceback

    etype, evalue, etb = sys.exc_info()
    text = "".join(traceback.format_exception(etype, evalue, etb))
    head = "mod_python: %s %s raised %s" % (phase, handler, etype.__name__)
    try:
        req.log_error(head, apache.APLOG_ERR)
        for line in text.rstrip().splitlines():
            req.log_error(line, apache.APLOG_ERR)
    except Exception:
        pass
    # A failed write means the client is gone: nobody to show it to.
    if (debug and phase not in _SILENT_PHASES
            and not (isinstance(evalue, OSError) and etb is not None
                     and _raised_by_write(etb))):
        try:
            req.status = HTTP_INTERNAL_SERVER_ERROR
            req.content_type = "text/html"
            page = ("<pre>\nMod_python error: &quot;%s %s&quot;\n\n%s</pre>\n"
                    % (html.escape(phase), html.escape(handler),
                       html.escape(text)))
            req.write(page)
            return DONE
        except Exception:
            pass
    return HTTP_INTERNAL_SERVER_ERROR


def _raised_by_write(tb):
    # The innermost frame is the handler's call of write()/flush(); C
    # methods leave no frame, so look at the source line.
    while tb.tb_next is not None:
        tb = tb.tb_next
    import linecache
    line = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
    return ".write(" in line or ".flush(" in line


def dispatch_request(req, phase, start=0):
    """Run the handlers of `phase` for req; return an Apache status.

    start > 0: the C fast path has run the first `start` handlers and they
    added more (req.add_handler); run those.
    """
    debug, autoreload, python_path, pdb_on, entries = \
        req._dispatch_info(phase)
    if start:
        entries = req._get_handlers(phase, start)
    handler = "?"
    result = DECLINED
    running = _running
    outer = running.request
    running.request = req
    try:
        if python_path is not None:
            _apply_python_path(python_path)
        index = start
        while entries:
            added = req._added
            # _dispatch_info/_get_handlers set the first entry's directory
            # as the running handler's; later entries only if it differs.
            current_dir = entries[0][1]
            for handler, directory, silent in entries:
                index += 1
                if directory is not None:
                    if python_path is None and directory not in sys.path:
                        sys.path.insert(0, directory)
                    if directory != current_dir:
                        req._handler_dir = current_dir = directory
                if index > 1:
                    # A flush the previous handler's write() put off goes
                    # out before this one runs.
                    req._flush_pending()
                try:
                    obj = _find_handler(req, handler, directory, phase,
                                        autoreload, debug, silent,
                                        index == 1)
                    # Called here, not in a helper: a handler returning to
                    # this frame may leave write()'s flush to the end of
                    # the phase (see src/include/deferflush.h).
                    if pdb_on:
                        result = _run_under_pdb(obj, req)
                    else:
                        result = obj(req)
                except _Missing:
                    result = DECLINED
                    continue
                except apache.SERVER_RETURN as exc:
                    result = _server_return(req, exc)
                if type(result) is not int:
                    if isinstance(result, int):
                        result = int(result)
                    else:
                        raise TypeError(
                            "handler %s returned %r, not an integer status"
                            % (handler, result))
                if result != OK:
                    return result
            # A handler may have add_handler()ed more for this very phase.
            if req._added == added:
                break
            entries = req._get_handlers(phase, index)
        return result
    except Exception:
        return report_error(req, phase, handler, debug)
    finally:
        running.request = outer


def handler_failed(req, phase, handler, debug):
    """The status for a handler the C fast path called, which raised
    sys.exc_info(): what dispatch_request makes of the same exception."""
    exc = sys.exc_info()[1]
    try:
        if isinstance(exc, apache.SERVER_RETURN):
            result = _server_return(req, exc)
            if type(result) is not int:
                if not isinstance(result, int):
                    raise TypeError(
                        "handler %s returned %r, not an integer status"
                        % (handler, result))
                result = int(result)
            return result
        return report_error(req, phase, handler, debug)
    except Exception:
        return report_error(req, phase, handler, debug)


def dispatch_connection(conn, handler, debug, autoreload, python_path):
    """Run a PythonConnectionHandler with the connection object."""
    try:
        if python_path is not None:
            _apply_python_path(python_path)
        module_name, _, object_str = handler.partition("::")
        module = import_handler_module(module_name, None, autoreload, debug)
        obj = resolve_object(conn, module, object_str or "connectionhandler")
        return obj(conn)
    except Exception:
        import traceback
        etype, evalue, etb = sys.exc_info()
        server = conn.base_server
        apache.log_error("mod_python: PythonConnectionHandler %s raised %s"
                         % (handler, etype.__name__), apache.APLOG_ERR,
                         server)
        text = "".join(traceback.format_exception(etype, evalue, etb))
        for line in text.rstrip().splitlines():
            apache.log_error(line, apache.APLOG_ERR, server)
        # PythonDebug On: the client of the protocol sees it too, unless
        # the error is the client going away.
        if debug and not isinstance(evalue, OSError):
            try:
                conn.write(text)
            except Exception:
                pass
        return HTTP_INTERNAL_SERVER_ERROR


def dispatch_filter(flt, handler, is_input, debug, autoreload, python_path):
    """Run a PythonInputFilter/PythonOutputFilter with the filter object.

    An exception disables the filter for the rest of the request (so what
    reports the error cannot pass through it again), is logged, and with
    PythonDebug On an output filter sends the traceback on.
    """
    try:
        if python_path is not None:
            _apply_python_path(python_path)
        module_name, _, object_str = handler.partition("::")
        module = import_handler_module(module_name, None, autoreload, debug)
        default = "inputfilter" if is_input else "outputfilter"
        obj = resolve_object(flt.req, module, object_str or default)
        obj(flt)
    except Exception:
        import html
        import traceback
        flt.disable()
        etype, evalue, etb = sys.exc_info()
        text = "".join(traceback.format_exception(etype, evalue, etb))
        kind = "PythonInputFilter" if is_input else "PythonOutputFilter"
        req = flt.req
        if req is not None:
            req.log_error("mod_python: %s %s raised %s"
                          % (kind, handler, etype.__name__),
                          apache.APLOG_ERR)
            for line in text.rstrip().splitlines():
                req.log_error(line, apache.APLOG_ERR)
        if debug and not is_input and not flt.closed:
            try:
                flt.write("<pre>\nMod_python error: &quot;%s %s&quot;\n\n%s"
                          "</pre>\n" % (kind, html.escape(handler),
                                         html.escape(text)))
            except Exception:
                pass
