"""What mod_python.apache had beyond the 3.2.10 manual, and what 3.3-3.5
added to it, re-exported by mod_python.apache (see the end of apache.py).

Two kinds of names live here:

* helpers that 3.2.10's apache.py offered without documenting them, and
  that applications call: ``build_cgi_env``, ``setup_cgi`` and
  ``restore_nocgi`` with ``CGIStdin``, ``CGIStdout`` and ``NullIO``,
  ``resolve_object`` and ``module_mtime``;
* the functions, objects and constants mod_python 3.3-3.5 added:
  ``stat`` and the ``APR_FINFO_*`` bits, ``exists_config``,
  ``main_server``, ``MODULE_MAGIC_NUMBER_MAJOR``/``MINOR``, the
  ``AP_CONN_*`` and ``APR_*`` file type numbers and some status codes.

Names Apache defines come from the ``_apache`` module, which takes them
from Apache's and APR's headers; the others are fixed by the HTTP RFCs or
by mod_python's own history.
"""

import os
import sys

import _apache

__all__ = [
    # 3.2.10's helpers
    "build_cgi_env", "setup_cgi", "restore_nocgi", "NullIO", "CGIStdin",
    "CGIStdout", "resolve_object", "module_mtime",
    # 3.3-3.5's functions and objects
    "stat", "exists_config", "main_server",
    # legacy return codes of the httpdapi days, kept by 3.2.10 and 3.5
    "REQ_PROCEED", "REQ_NOACTION", "REQ_ABORTED", "REQ_EXIT",
    # index of the file type in req.finfo / apache.stat()'s object
    "FINFO_FILETYPE",
    # req.used_path_info
    "AP_REQ_ACCEPT_PATH_INFO", "AP_REQ_REJECT_PATH_INFO",
    "AP_REQ_DEFAULT_PATH_INFO",
    # magic content types
    "CGI_MAGIC_TYPE", "INCLUDES_MAGIC_TYPE", "INCLUDES_MAGIC_TYPE3",
    "DIR_MAGIC_TYPE",
    # read policies of ap_setup_client_block
    "REQUEST_NO_BODY", "REQUEST_CHUNKED_ERROR", "REQUEST_CHUNKED_DECHUNK",
]

stat = _apache.stat
exists_config = _apache.exists_config_define
# The server object of the main server (outside every <VirtualHost>).
main_server = _apache.main_server

REQ_PROCEED = 0
REQ_NOACTION = -1
REQ_ABORTED = 500
REQ_EXIT = "REQ_EXIT"

FINFO_FILETYPE = 12

AP_REQ_ACCEPT_PATH_INFO = 0
AP_REQ_REJECT_PATH_INFO = 1
AP_REQ_DEFAULT_PATH_INFO = 2

CGI_MAGIC_TYPE = "application/x-httpd-cgi"
INCLUDES_MAGIC_TYPE = "text/x-server-parsed-html"
INCLUDES_MAGIC_TYPE3 = "text/x-server-parsed-html3"
DIR_MAGIC_TYPE = "httpd/unix-directory"

REQUEST_NO_BODY = 0
REQUEST_CHUNKED_ERROR = 1
REQUEST_CHUNKED_DECHUNK = 2

# Status codes mod_python 3.5 (or Apache 2.4's httpd.h) names and the
# 3.2.10 list did not.
_STATUS = {
    "HTTP_IM_A_TEAPOT": 418,
    "HTTP_MISDIRECTED_REQUEST": 421,
    "HTTP_UPGRADE_REQUIRED": 426,
    "HTTP_PRECONDITION_REQUIRED": 428,
    "HTTP_TOO_MANY_REQUESTS": 429,
    "HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE": 431,
    "HTTP_UNAVAILABLE_FOR_LEGAL_REASONS": 451,
    "HTTP_LOOP_DETECTED": 508,
    "HTTP_NETWORK_AUTHENTICATION_REQUIRED": 511,
}
globals().update(_STATUS)
__all__ += sorted(_STATUS)

# Taken from Apache's and APR's headers by _apache.
_FROM_APACHE = [name for name in dir(_apache)
                if name.startswith(("AP_CONN_", "APR_FINFO_",
                                    "MODULE_MAGIC_NUMBER_"))
                or name in ("APR_NOFILE", "APR_REG", "APR_DIR", "APR_CHR",
                            "APR_BLK", "APR_PIPE", "APR_LNK", "APR_SOCK",
                            "APR_UNKFILE")]
for _name in _FROM_APACHE:
    globals()[_name] = getattr(_apache, _name)
del _name
__all__ += _FROM_APACHE


# ------------------------------------------------------ handler objects
def resolve_object(module, obj_str, arg=None, silent=0):
    """Find the object that the dotted name obj_str names in module.

    The name is followed from left to right.  When a step lands on an
    attribute of a class, the class is first instantiated with arg as its
    only argument (the request, filter or connection object), and the
    attribute is taken from that instance: ``Handler.run`` names the
    ``run`` method of ``Handler(req)``.

    A missing name raises AttributeError, or returns None when silent is
    true.
    """
    if not isinstance(obj_str, str) or not obj_str:
        raise ValueError("resolve_object(): obj_str must be a non-empty "
                         "dotted name, not %r" % (obj_str,))
    obj = module
    for name in obj_str.split("."):
        parent = obj
        if not hasattr(parent, name):
            if silent:
                return None
            if parent is module:
                raise AttributeError("module '%s' contains no '%s'"
                                     % (getattr(module, "__file__", None)
                                        or getattr(module, "__name__", "?"),
                                        name))
            raise AttributeError("%r has no attribute '%s' (resolving '%s')"
                                 % (parent, name, obj_str))
        if isinstance(parent, type):
            obj = getattr(parent(arg), name)
        else:
            obj = getattr(parent, name)
    return obj


def module_mtime(module):
    """The modification time of the file module was loaded from (the
    later of the source and its compiled file), or 0 when it has none."""
    mtime = 0
    paths = [getattr(module, "__file__", None),
             getattr(module, "__cached__", None)]
    for path in paths:
        if not path:
            continue
        try:
            mtime = max(mtime, os.path.getmtime(path))
        except (OSError, ValueError):
            pass
    return mtime


# ------------------------------------------------------------------ CGI
def build_cgi_env(req):
    """A dict of the CGI/1.1 variables for req (RFC 3875), as a CGI
    script would find them in its environment: Apache's common variables
    (with SetEnv and PassEnv ones), the request's own, and, unlike what
    Apache passes to CGI scripts, HTTP_AUTHORIZATION when the client sent
    credentials.  GATEWAY_INTERFACE is "Python-CGI/1.1", as in 3.2.10."""
    req.add_common_vars()
    env = dict(req.subprocess_env.items())
    uri = req.uri or ""
    path_info = req.path_info or ""
    if path_info and uri.endswith(path_info):
        env["SCRIPT_NAME"] = uri[:len(uri) - len(path_info)]
    else:
        env["SCRIPT_NAME"] = uri
    first = req
    while first.prev is not None:
        first = first.prev
    env["GATEWAY_INTERFACE"] = "Python-CGI/1.1"
    env["SERVER_PROTOCOL"] = req.protocol or "HTTP/1.0"
    env["REQUEST_METHOD"] = req.method
    env["QUERY_STRING"] = req.args or ""
    env["REQUEST_URI"] = first.unparsed_uri or uri
    if path_info:
        env["PATH_INFO"] = path_info
        env["PATH_TRANSLATED"] = req.document_root().rstrip("/") + path_info
    auth = req.headers_in.get("Authorization")
    if auth is not None:
        env["HTTP_AUTHORIZATION"] = auth
    return env


class NullIO:
    """A file that is always empty and swallows what is written to it.

    The base of CGIStdin and CGIStdout; reads return ``""`` here and
    ``b""`` in CGIStdin, which reads bytes.
    """

    _empty = ""

    def tell(self):
        return 0

    def read(self, n=-1):
        return self._empty

    def readline(self, length=None):
        return self._empty

    def readlines(self):
        return []

    def __iter__(self):
        return iter(self.readline, self._empty)

    def write(self, s):
        pass

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def isatty(self):
        return False

    def flush(self):
        pass

    def close(self):
        pass

    def detach(self):
        pass

    def seek(self, pos, mode=0):
        pass


class CGIStdin(NullIO):
    """The request body as a file, for code written against sys.stdin of
    a CGI script.  Reads return bytes (req.read does); ``buffer`` is the
    object itself, for code that reads sys.stdin.buffer."""

    _empty = b""
    BLOCK = 65536

    def __init__(self, req):
        self.req = req
        self.pos = 0
        # What readline() read past the end of a line.
        self.buf = b""

    @property
    def buffer(self):
        return self

    def tell(self):
        return self.pos

    def _more(self):
        return self.req.read(self.BLOCK)

    def read(self, n=-1):
        if n is None or n < 0:
            chunks = [self.buf]
            self.buf = b""
            while True:
                chunk = self._more()
                if not chunk:
                    break
                chunks.append(chunk)
            data = b"".join(chunks)
        elif n == 0:
            return b""
        else:
            data = self.buf[:n]
            self.buf = self.buf[n:]
            if len(data) < n:
                data += self.req.read(n - len(data))
        self.pos += len(data)
        return data

    def readline(self, n=-1):
        if n is None:
            n = -1
        if n == 0:
            return b""
        while True:
            end = self.buf.find(b"\n")
            if end >= 0 and (n < 0 or end < n):
                cut = end + 1
                break
            if n >= 0 and len(self.buf) >= n:
                cut = n
                break
            chunk = self._more()
            if not chunk:
                cut = len(self.buf) if n < 0 else min(n, len(self.buf))
                break
            self.buf += chunk
        line, self.buf = self.buf[:cut], self.buf[cut:]
        self.pos += len(line)
        return line

    def readlines(self, hint=-1):
        return list(iter(self.readline, b""))


class CGIStdout(NullIO):
    """What a CGI script prints, turned into a response: the header block
    it writes first (``Status:``, ``Content-Type:``, other headers, then a
    blank line) sets req.status, req.content_type and req.headers_out, and
    the rest is written to the client with req.write.  Accepts str
    (sent as UTF-8) and bytes."""

    # A header block longer than this is not one.
    MAX_HEADERS = 64 * 1024

    def __init__(self, req):
        self.req = req
        self.pos = 0
        self.headers_sent = False
        self.headers = b""

    def tell(self):
        return self.pos

    def write(self, s):
        if not s:
            return
        data = s.encode("utf-8") if isinstance(s, str) else bytes(s)
        self.pos += len(s)
        if self.headers_sent:
            self.req.write(data)
            return
        self.headers += data
        head, sep, body = self._split(self.headers)
        if not sep:
            if len(self.headers) > self.MAX_HEADERS:
                raise ValueError("CGIStdout: no blank line after %d bytes "
                                 "of output; a CGI response starts with "
                                 "headers and a blank line"
                                 % len(self.headers))
            return
        self._set_headers(head)
        self.headers_sent = True
        self.headers = b""
        if body:
            self.req.write(body)

    @staticmethod
    def _split(data):
        # RFC 3875 wants CRLF; scripts often print bare newlines.
        crlf = data.find(b"\r\n\r\n")
        lf = data.find(b"\n\n")
        if crlf >= 0 and (lf < 0 or crlf < lf):
            return data[:crlf], True, data[crlf + 4:]
        if lf >= 0:
            return data[:lf], True, data[lf + 2:]
        return data, False, b""

    def _set_headers(self, head):
        req = self.req
        for line in head.replace(b"\r\n", b"\n").split(b"\n"):
            if not line.strip():
                continue
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or not name.strip():
                raise ValueError("CGIStdout: header line without a name "
                                 "and a colon: %r" % line)
            name, value = name.strip(), value.strip()
            low = name.lower()
            if low == "status":
                try:
                    req.status = int(value.split()[0])
                except (ValueError, IndexError):
                    raise ValueError("CGIStdout: bad Status header %r"
                                     % value) from None
            elif low == "content-type":
                req.content_type = value
            else:
                req.headers_out.add(name, value)

    def writelines(self, lines):
        for line in lines:
            self.write(line)


def setup_cgi(req):
    """Make this interpreter look like a CGI script's process for req:
    os.environ gets the variables of build_cgi_env(req), sys.stdin reads
    the request body (CGIStdin) and sys.stdout writes the response
    (CGIStdout).  Returns (environ, stdin, stdout) as they were, to hand
    to restore_nocgi() afterwards.

    These are shared by every thread of the interpreter: with a threaded
    MPM, run one such script at a time (mod_python.cgihandler does this,
    and more, for you)."""
    saved_env = dict(os.environ)
    si, so = sys.stdin, sys.stdout
    os.environ.update(build_cgi_env(req))
    sys.stdout = CGIStdout(req)
    sys.stdin = CGIStdin(req)
    return saved_env, si, so


def restore_nocgi(sav_env, si, so):
    """Undo setup_cgi(): sav_env, si, so are what it returned."""
    os.environ.clear()
    os.environ.update(sav_env)
    sys.stdin = si
    sys.stdout = so
