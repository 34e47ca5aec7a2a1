"""mod_python.wsgi -- run a WSGI application (PEP 3333) as a handler.

Configured as in mod_python 3.4 and later::

    <Location /app>
        SetHandler mod_python
        PythonHandler mod_python.wsgi
        PythonOption mod_python.wsgi.application mypackage.module::callable
        PythonPath "['/srv/app'] + sys.path"
    </Location>

The callable defaults to ``application``.  SCRIPT_NAME is the option
``mod_python.wsgi.base_uri`` when set, else the path of the ``<Location>``
holding the ``PythonHandler`` line (without a trailing slash), else ''.
PATH_INFO is the rest of the request's URI.

The application is imported once per interpreter and option value; with
``PythonAutoReload`` (the default) its module is looked at again at most
once a second and re-imported when its file changed, as
``apache.import_module`` does for handlers.

Errors are the application's: each is logged once, as one entry that
names the application (``mod_python: MP02nn: ...``, see Doc/messages.rst),
and the client gets a 500, or a cut connection when the status has
already gone out.
"""

import os
import sys
import time
import traceback

import _apache
from . import apache

OK = apache.OK
DECLINED = apache.DECLINED
HTTP_INTERNAL_SERVER_ERROR = apache.HTTP_INTERNAL_SERVER_ERROR
APLOG_ERR = apache.APLOG_ERR
APLOG_WARNING = apache.APLOG_WARNING
APLOG_INFO = apache.APLOG_INFO

APPLICATION = "mod_python.wsgi.application"
BASE_URI = "mod_python.wsgi.base_uri"

_set_status = _apache._wsgi_set_status
_location = _apache._wsgi_location
_abort = _apache._wsgi_abort
_monotonic = time.monotonic
_CHECK_INTERVAL = 1.0
_NEVER = float("inf")

# Headers that describe one hop, not the response: Apache makes its own,
# and PEP 3333 makes an application that sends one a fatal error.
_HOP_BY_HOP = frozenset((
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade"))


class WSGIError(Exception):
    """The application broke PEP 3333 (raised where it did so)."""


class _AppError(Exception):
    """The application could not be found: the message says why."""

    def __init__(self, number, message):
        Exception.__init__(self, message)
        self.number = number


# ------------------------------------------------------------ the streams

class ErrorStream:
    """``wsgi.errors``: text written here goes to Apache's error log as the
    request's entries (with the client's address), a line per entry, at
    level error.  A line is written when its newline arrives, or on
    flush()."""

    __slots__ = ("_req", "_pending")

    def __init__(self, req):
        self._req = req
        self._pending = ""

    def write(self, text):
        if type(text) is not str:
            raise TypeError("wsgi.errors.write() takes str, not %s"
                            % type(text).__name__)
        text = self._pending + text
        *lines, self._pending = text.split("\n")
        log = self._req.log_error
        for line in lines:
            log(line, APLOG_ERR)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._pending:
            line, self._pending = self._pending, ""
            self._req.log_error(line, APLOG_ERR)


class InputStream:
    """``wsgi.input``: the request body, read through the request object.

    read(), readline() and readlines() are the request's own methods;
    reads stop at the end of the body (Content-Length or the last chunk of
    a chunked body) and never wait for more.
    """

    __slots__ = ("read", "readline", "readlines")

    def __init__(self, req):
        self.read = req.read
        self.readline = req.readline
        self.readlines = req.readlines

    def __iter__(self):
        readline = self.readline
        while True:
            line = readline()
            if not line:
                return
            yield line


class FileWrapper:
    """``wsgi.file_wrapper``: returned by an application, a real file
    (something with a ``fileno()`` and a ``name`` that is a path) is sent
    with Apache's sendfile from its current position; anything else is
    read in blocks of blksize bytes."""

    __slots__ = ("filelike", "blksize", "close")

    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self):
        read, size = self.filelike.read, self.blksize
        while True:
            block = read(size)
            if not block:
                return
            yield block

    def _path_range(self):
        """(path, offset, size) when the file can go out with sendfile,
        else None."""
        f = self.filelike
        name = getattr(f, "name", None)
        fileno = getattr(f, "fileno", None)
        if type(name) is not str or fileno is None:
            return None
        try:
            fd = fileno()
            st = os.fstat(fd)
            # The name must still be this file (not replaced, not a pipe).
            if not os.path.isfile(name) or os.stat(name).st_ino != st.st_ino:
                return None
            offset = f.tell()
        except (OSError, ValueError, AttributeError):
            return None
        return name, offset, max(st.st_size - offset, 0)


# --------------------------------------------------- finding the application

# option value -> [application, module name, object name, next check]
_apps = {}


def _resolve(req, spec):
    """The application callable `spec` names ('module::callable')."""
    entry = _apps.get(spec)
    if entry is not None:
        if _monotonic() < entry[3]:
            return entry[0]
        module_name, name = entry[1], entry[2]
    else:
        module_name, _, name = spec.partition("::")
        module_name, name = module_name.strip(), name.strip() or "application"
        if not module_name:
            raise _AppError("MP0251", "PythonOption %s %r names no module"
                            % (APPLICATION, spec))
    config = req.get_config()
    autoreload = config.get("PythonAutoReload", "1") == "1"
    try:
        module = apache.import_module(
            module_name, autoreload=autoreload,
            log=config.get("PythonDebug", "0") == "1")
    except ImportError as exc:
        raise _AppError("MP0261", "cannot import module %r named by PythonOption "
                        "%s %s: %s: %s" % (module_name, APPLICATION, spec,
                                           type(exc).__name__, exc))
    app = module
    for part in name.split("."):
        try:
            app = getattr(app, part)
        except AttributeError:
            raise _AppError("MP0252", "module %r has no %r, named by PythonOption "
                            "%s %s" % (module_name, name, APPLICATION, spec))
    if not callable(app):
        raise _AppError("MP0262", "%s.%s named by PythonOption %s is a %s, not "
                        "a callable" % (module_name, name, APPLICATION,
                                        type(app).__name__))
    next_check = _monotonic() + _CHECK_INTERVAL if autoreload else _NEVER
    _apps[spec] = [app, module_name, name, next_check]
    return app


# ------------------------------------------------------------ environ

def _wsgi_str(s):
    """A str the request object decoded as UTF-8 (paths, the query), as
    PEP 3333 wants it: the same bytes, decoded as latin-1."""
    if s.isascii():
        return s
    return s.encode("utf-8", "surrogateescape").decode("latin-1")


_multithread = bool(apache.mpm_query(apache.AP_MPMQ_IS_THREADED))
_multiprocess = bool(apache.mpm_query(apache.AP_MPMQ_IS_FORKED))

_BASE_ENVIRON = {
    "GATEWAY_INTERFACE": "CGI/1.1",
    "wsgi.version": (1, 0),
    "wsgi.multithread": _multithread,
    "wsgi.multiprocess": _multiprocess,
    "wsgi.run_once": False,
    "wsgi.file_wrapper": FileWrapper,
    "wsgi.input_terminated": True,
}


# ------------------------------------------------------------ the response

class _Response:
    """One request's response: start_response, write and the state of
    what has been sent."""

    __slots__ = ("req", "app_name", "status", "headers", "sent", "left",
                 "started")

    def __init__(self, req, app_name):
        self.req = req
        self.app_name = app_name
        self.status = None      # what start_response was given
        self.headers = None
        self.started = False    # start_response has been called
        self.sent = False       # the status and headers are Apache's now
        self.left = None        # bytes the Content-Length still allows

    def start_response(self, status, headers, exc_info=None):
        if exc_info is not None:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.started:
            raise WSGIError("start_response() called a second time without "
                            "exc_info")
        if type(status) is not str:
            raise WSGIError("the status must be a str, not %s"
                            % type(status).__name__)
        if type(headers) is not list:
            raise WSGIError("the headers must be a list, not %s"
                            % type(headers).__name__)
        for item in headers:
            if (type(item) is not tuple or len(item) != 2
                    or type(item[0]) is not str or type(item[1]) is not str):
                raise WSGIError("each header must be a (str, str) tuple, "
                                "not %r" % (item,))
            if item[0].lower() in _HOP_BY_HOP:
                raise WSGIError("hop-by-hop header %r is the server's to "
                                "send" % item[0])
        self.status = status
        self.headers = headers
        self.started = True
        return self.write

    def send_headers(self):
        """Hand the status and headers to Apache (once)."""
        if not self.started:
            raise WSGIError("the body started before start_response() was "
                            "called")
        req = self.req
        _set_status(req, self.status)
        out = req.headers_out
        for name, value in self.headers:
            lower = name.lower()
            if lower == "content-type":
                req.content_type = value
            else:
                if lower == "content-length":
                    try:
                        self.left = int(value)
                    except ValueError:
                        raise WSGIError("Content-Length %r is not a number"
                                        % value)
                out.add(name, value)
        self.sent = True

    def write(self, data):
        """The write() callable start_response returns."""
        if type(data) is not bytes:
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise WSGIError("write() takes bytes, not %s"
                                % type(data).__name__)
            data = bytes(data)
        if not self.sent:
            self.send_headers()
        left = self.left
        if left is not None:
            if len(data) > left:
                data = data[:left]
            self.left = left - len(data)
        self.req.write(data)


def _describe(exc):
    """The exception and where it came from, on one line."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = "; ".join("%s:%d in %s" % (f.filename, f.lineno, f.name)
                      for f in frames[-4:])
    text = "%s: %s" % (type(exc).__name__, exc)
    return text + (" (%s)" % where if where else "")


def _log(req, number, message, level=APLOG_ERR):
    """Log message under its number ("MPnnnn", see Doc/messages.rst)."""
    try:
        req.log_error("mod_python: %s: %s" % (number, message), level)
    except Exception:
        pass


# ------------------------------------------------------------ the handler

def handler(req):
    """The PythonHandler: run the application named by the option
    mod_python.wsgi.application for this request."""
    options = req.get_options()
    spec = options.get(APPLICATION)
    if not spec:
        _log(req, "MP0250", "PythonOption %s is not set for %s: it must name the "
             "WSGI application as module::callable" % (APPLICATION, req.uri))
        return HTTP_INTERNAL_SERVER_ERROR
    try:
        app = _resolve(req, spec)
    except _AppError as exc:
        _log(req, exc.number, str(exc))
        return HTTP_INTERNAL_SERVER_ERROR
    except Exception as exc:
        _log(req, "MP0253", "importing the WSGI application %s failed: %s"
             % (spec, _describe(exc)))
        return HTTP_INTERNAL_SERVER_ERROR

    # SCRIPT_NAME and PATH_INFO.
    uri = req.uri
    base = options.get(BASE_URI)
    if base is None:
        base = _location(req)
    elif base.endswith("/"):
        _log(req, "MP0254", "PythonOption %s %r must not end with '/' (use '' "
             "for the root)" % (BASE_URI, base))
        return HTTP_INTERNAL_SERVER_ERROR
    if not base:
        script_name, path_info = "", uri
    elif uri.startswith(base) and (len(uri) == len(base)
                                   or uri[len(base)] == "/"):
        script_name, path_info = base, uri[len(base):]
    else:
        _log(req, "MP0255", "the URI %r is not under the WSGI application's "
             "base URI %r: declined" % (uri, base), APLOG_INFO)
        return DECLINED

    req.add_common_vars()
    args = req.args or ""
    unparsed = req.unparsed_uri
    if not uri.isascii():
        script_name, path_info = _wsgi_str(script_name), _wsgi_str(path_info)
    response = _Response(req, spec)
    environ = {
        **_BASE_ENVIRON,
        **dict(req.subprocess_env.items()),
        "REQUEST_METHOD": req.method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": args if args.isascii() else _wsgi_str(args),
        "REQUEST_URI": (unparsed if unparsed.isascii()
                        else _wsgi_str(unparsed)),
        "SERVER_PROTOCOL": req.protocol,
        "wsgi.url_scheme": "https" if req.is_https() else "http",
        "wsgi.input": InputStream(req),
        "wsgi.errors": ErrorStream(req),
        "mod_python.request": req,
    }
    auth = req.headers_in.get("Authorization")
    if auth is not None:
        environ["HTTP_AUTHORIZATION"] = auth

    result = None
    try:
        result = app(environ, response.start_response)
        if type(result) is list and len(result) == 1:
            # The common case: the whole body at once, sent with its
            # length and without a flush.
            data = result[0]
            if type(data) is not bytes:
                raise WSGIError("the application returned a %s item, not "
                                "bytes" % type(data).__name__)
            if not response.sent:
                response.send_headers()
                if response.left is None:
                    req.headers_out["Content-Length"] = str(len(data))
            left = response.left
            if left is not None and len(data) > left:
                data = data[:left]
            response.left = None if left is None else left - len(data)
            req.write(data, 0)
        elif type(result) is FileWrapper and _send_file(response, result):
            pass
        else:
            _send_iterable(response, result)
        if not response.sent:
            response.send_headers()
    except OSError as exc:
        if not _client_gone(req, exc):
            return _failed(response, exc)
        _log(req, "MP0258", "the client closed the connection while the WSGI "
             "application %s was sending" % spec, APLOG_INFO)
    except Exception as exc:
        return _failed(response, exc)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            try:
                close()
            except Exception as exc:
                _log(req, "MP0257", "close() of the WSGI application %s's "
                     "response raised %s" % (spec, _describe(exc)))
    if response.left:
        _log(req, "MP0259", "the WSGI application %s sent %d bytes less than "
             "its Content-Length: connection cut" % (spec, response.left))
        _cut(req)
    return OK


def _send_iterable(response, result):
    """Send each item of the response iterable as it comes (the flush
    write() does reaches the client before the next item is asked for);
    a list or tuple is all there at once, so it goes with a length."""
    req = response.req
    if type(result) in (list, tuple):
        total = 0
        for data in result:
            if type(data) is not bytes:
                raise WSGIError("the application returned a %s item, not "
                                "bytes" % type(data).__name__)
            total += len(data)
        if not response.sent:
            response.send_headers()
            if response.left is None:
                req.headers_out["Content-Length"] = str(total)
        write = response.write
        for data in result:
            if data:
                write(data)
        return
    try:
        iterator = iter(result)
    except TypeError:
        raise WSGIError("the application returned a %s, which is not "
                        "iterable" % type(result).__name__) from None
    write = response.write
    for data in iterator:
        if type(data) is not bytes:
            raise WSGIError("the application returned a %s item, not bytes"
                            % type(data).__name__)
        if data:
            write(data)
            if response.left == 0:
                break


def _send_file(response, wrapper):
    """Send a FileWrapper's file with sendfile; False when it is not a
    file that can go that way."""
    found = wrapper._path_range()
    if found is None:
        return False
    path, offset, size = found
    if not response.sent:
        response.send_headers()
    left = response.left
    if left is None:
        response.req.headers_out["Content-Length"] = str(size)
    else:
        size = min(size, left)
        response.left = left - size
    response.req.sendfile(path, offset, size)
    return True


def _client_gone(req, exc):
    try:
        return bool(req.connection.aborted)
    except Exception:
        return False


def _cut(req):
    """End the response without its proper end, so the client knows it
    is incomplete: Apache closes the connection and sends no last chunk."""
    try:
        req.flush()
    except OSError:
        pass
    _abort(req)


def _failed(response, exc):
    """The application failed (or broke the protocol): log it once, then
    a 500 if nothing has been sent, else cut the connection."""
    req = response.req
    if isinstance(exc, WSGIError):
        what = "broke the WSGI protocol: %s" % exc
    else:
        what = "raised %s" % _describe(exc)
    if not response.sent:
        _log(req, "MP0256", "the WSGI application %s %s" % (response.app_name,
                                                        what))
        return HTTP_INTERNAL_SERVER_ERROR
    _log(req, "MP0260", "the WSGI application %s %s after the response started: "
         "connection cut" % (response.app_name, what))
    _cut(req)
    return OK
