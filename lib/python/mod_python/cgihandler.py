"""mod_python.cgihandler -- run CGI scripts inside mod_python (manual 6.3).

``PythonHandler mod_python.cgihandler`` runs the Python script
``req.filename`` as a CGI/1.1 script would run, without starting a
process: during the run ``os.environ`` holds the CGI variables,
``sys.stdin`` reads the request body, and what the script prints to
``sys.stdout`` is its response -- a header block (``Status:``,
``Content-Type:``, ``Location:``, any other header), a blank line, the
body.

``sys.stdin``, ``sys.stdout``, ``sys.argv``, ``os.environ`` and the
current directory belong to the whole interpreter (the directory to the
whole process), so one script runs at a time in an interpreter: a lock is
held around each run.  The body is held in memory (up to 256 kB, or until
the script flushes ``sys.stdout``) and sent after the lock is released,
so a slow client does not hold up the next script.

After each run the modules the script imported are removed from
``sys.modules`` unless they come from the standard library or an
installed package (site-packages), so an edited module of the
application is imported afresh by the next run.

The environment is replaced in the interpreter only (``os.environ``'s
mapping), not in the process: programs the script starts do not see the
CGI variables unless given ``env=os.environ`` (manual 6.3).
"""

import builtins
import io
import os
import stat
import sys
import sysconfig
import threading

from . import apache

__all__ = ["handler"]

# Output held back while the script runs, at most (then it is sent).
_HOLD = 256 * 1024
# A header block longer than this is not a header block.
_MAX_HEAD = 64 * 1024

# One script at a time in this interpreter (re-entrant: a script that
# causes an internal redirect to another one runs it in this thread).
_lock = threading.RLock()

# filename -> ((st_mtime_ns, st_size), code object)
_codes = {}

# Headers Apache computes itself; a script's would be wrong once an
# output filter has changed the body.
_DROPPED = frozenset(("content-length", "transfer-encoding", "connection",
                      "keep-alive"))


def _library_dirs():
    """Directories whose modules are kept loaded between runs."""
    dirs = set()
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            dirs.add(paths[key])
    try:
        import site
        dirs.update(site.getsitepackages())
    except (ImportError, AttributeError):
        pass
    return tuple(os.path.join(d, "") for d in dirs)


_LIBRARY_DIRS = _library_dirs()


def handler(req):
    """Run req.filename as a CGI script and send its response."""
    filename = req.filename
    code = _compiled(filename)
    env = _cgi_environ(req)
    out = _Output(req)
    with _lock:
        saved = _save()
        ### Manual 6.3: to keep the modules a script imports loaded between
        ### runs, comment out the lines between these marks (two places).
        before = set(sys.modules)
        ###
        try:
            text = _enter(saved, req, env, filename, out)
            try:
                exec(code, {"__name__": "__main__", "__file__": filename,
                            "__builtins__": builtins, "__doc__": None,
                            "__package__": None, "__spec__": None,
                            "__loader__": None})
            except SystemExit as exc:
                # sys.exit() ends a CGI script; its response stands.
                if exc.code not in (None, 0):
                    req.log_error("mod_python: MP0103: %s exited with "
                                  "%r" % (filename, exc.code),
                                  apache.APLOG_INFO)
            out.finishing = True
            text.flush()
        finally:
            out.finishing = True
            _leave(saved)
            ###
            _forget_modules(before)
            ###
    out.finish(filename)
    if out.redirect is not None:
        req.internal_redirect(out.redirect)
    return apache.OK


# ----------------------------------------------------------------- script
def _compiled(filename):
    """The script's code object, compiled again only when it changes."""
    try:
        st = os.stat(filename)
    except (OSError, ValueError):
        raise apache.SERVER_RETURN(apache.HTTP_NOT_FOUND)
    if not stat.S_ISREG(st.st_mode):
        raise apache.SERVER_RETURN(apache.HTTP_NOT_FOUND)
    key = (st.st_mtime_ns, st.st_size)
    entry = _codes.get(filename)
    if entry is not None and entry[0] == key:
        return entry[1]
    try:
        with open(filename, "rb") as f:
            source = f.read()
    except PermissionError:
        raise apache.SERVER_RETURN(apache.HTTP_FORBIDDEN)
    # Bytes, so a coding declaration is honoured as python3 would.
    code = compile(source, filename, "exec", dont_inherit=True)
    _codes[filename] = (key, code)
    return code


def _cgi_environ(req):
    """The CGI/1.1 environment: Apache's common variables (with
    SetEnv/PassEnv ones) and the request's own (RFC 3875 section 4.1)."""
    req.add_common_vars()
    env = dict(req.subprocess_env.items())
    path_info = req.path_info or ""
    uri = req.uri or ""
    first = req
    while first.prev is not None:
        first = first.prev
    if path_info and uri.endswith(path_info):
        script_name = uri[:len(uri) - len(path_info)]
    else:
        script_name = uri
    env["GATEWAY_INTERFACE"] = "CGI/1.1"
    env["SERVER_PROTOCOL"] = req.protocol or "HTTP/1.0"
    env["REQUEST_METHOD"] = req.method
    env["QUERY_STRING"] = req.args or ""
    env["REQUEST_URI"] = first.unparsed_uri or uri
    env["SCRIPT_NAME"] = script_name
    if path_info:
        env["PATH_INFO"] = path_info
        env["PATH_TRANSLATED"] = (req.document_root().rstrip("/")
                                  + path_info)
    return env


# ------------------------------------------------- the interpreter's state
def _save():
    """What _leave puts back."""
    return {"stdin": sys.stdin, "stdout": sys.stdout, "argv": sys.argv,
            "environ": _environ_copy(), "cwd": None, "path0": None}


def _enter(saved, req, env, filename, out):
    """Give the script its CGI world; returns its sys.stdout stream."""
    _environ_replace(env)
    text = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    me = threading.get_ident()
    # Only this thread's prints are the script's: another handler running
    # in this interpreter meanwhile keeps the real stdout.
    sys.stdout = _ThreadStream(text, saved["stdout"], me)
    sys.stdin = _ThreadStream(_StdinMaker(req), saved["stdin"], me)
    sys.argv = [filename]
    directory = os.path.dirname(filename)
    if directory not in sys.path:
        # python3 script.py puts the script's directory first on the path.
        sys.path.insert(0, directory)
        saved["path0"] = directory
    try:
        saved["cwd"] = os.getcwd()
        os.chdir(directory)
    except OSError:
        pass
    return text


def _leave(saved):
    sys.stdout = saved["stdout"]
    sys.stdin = saved["stdin"]
    sys.argv = saved["argv"]
    _environ_restore(saved["environ"])
    if saved["path0"] is not None:
        try:
            sys.path.remove(saved["path0"])
        except ValueError:
            pass
    if saved["cwd"] is not None:
        try:
            os.chdir(saved["cwd"])
        except OSError:
            pass


# os.environ is changed through its underlying mapping: os.environ[k] = v
# would also putenv() into the process, which costs microseconds a
# variable (some 200 us a request, replaced and put back) and is not safe
# while other threads of the process read the environment.
_environ = os.environ
_data = getattr(_environ, "_data", None)
_FS_ENCODING = sys.getfilesystemencoding()
# On POSIX os.environ keeps bytes; elsewhere (Windows) str, upper-cased.
_fast_environ = (os.name == "posix" and isinstance(_data, dict)
                 and hasattr(_environ, "encodekey"))


def _environ_copy():
    return dict(_data) if _fast_environ else dict(_environ)


def _environ_replace(env):
    if _fast_environ:
        _data.clear()
        # What os.environ's encodekey/encodevalue do on POSIX, without two
        # Python calls per variable.
        encoding = _FS_ENCODING
        for key, value in env.items():
            _data[key.encode(encoding, "surrogateescape")] = \
                value.encode(encoding, "surrogateescape")
    else:
        _environ.clear()
        _environ.update(env)


def _environ_restore(saved):
    if _fast_environ:
        _data.clear()
        _data.update(saved)
    else:
        _environ.clear()
        _environ.update(saved)


def _forget_modules(before):
    """Drop the modules the script imported, but the library's (6.3)."""
    for name in sys.modules.keys() - before:
        module = sys.modules.get(name)
        filename = getattr(module, "__file__", None)
        if (not filename or name.startswith("mod_python")
                or filename.startswith(_LIBRARY_DIRS)
                or not filename.endswith((".py", ".pyc"))):
            continue
        del sys.modules[name]


class _ThreadStream:
    """sys.stdin/sys.stdout during a run: the script's stream in the
    script's thread, the interpreter's own in any other."""

    def __init__(self, stream, other, owner):
        self._stream = stream
        self._other = other
        self._owner = owner

    def _pick(self):
        if threading.get_ident() == self._owner:
            stream = self._stream
            if type(stream) is _StdinMaker:
                stream = self._stream = stream.make()
            return stream
        return self._other

    def write(self, s):
        return self._pick().write(s)

    def __getattr__(self, name):
        return getattr(self._pick(), name)

    def __iter__(self):
        return iter(self._pick())


# --------------------------------------------------------------- the body
class _StdinMaker:
    """sys.stdin, made when the script first uses it: a GET's script
    seldom does."""

    def __init__(self, req):
        self._req = req

    def make(self):
        reader = io.BufferedReader(_Input(self._req), 65536)
        return io.TextIOWrapper(reader, encoding="utf-8",
                                errors="surrogateescape")


class _Input(io.RawIOBase):
    """The request body as a raw stream (under sys.stdin.buffer)."""

    def __init__(self, req):
        self._req = req

    def readable(self):
        return True

    def readinto(self, b):
        data = self._req.read(len(b))
        n = len(data)
        b[:n] = data
        return n


# ----------------------------------------------------------- the response
class _Output(io.RawIOBase):
    """What the script prints (under sys.stdout.buffer): the header block
    goes into the request, the body is held and then written."""

    def __init__(self, req):
        self._req = req
        self._head = bytearray()
        self._lines = []
        self._head_size = 0
        self._in_head = True
        self._held = []
        self._held_size = 0
        self.redirect = None
        # Set once the script has ended: flush() and close() from the
        # garbage collector must not touch the request any more.
        self.finishing = False

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        n = len(data)
        if self._in_head:
            self._head += data
            self._head_size += n
            data = self._parse_head()
            if data is None:
                return n
        if data:
            self._held.append(data)
            self._held_size += len(data)
            if self._held_size > _HOLD:
                self._send()
        return n

    def flush(self):
        # The script flushed sys.stdout: it wants the client to see what
        # it printed so far.
        if not self.finishing and not self._in_head:
            self._send()
            self._req.flush()

    def finish(self, filename):
        """Send the rest, once the script has ended and the lock is
        released."""
        if self._in_head:
            what = ("a header block that does not end with a blank line"
                    if self._head or self._lines else "nothing")
            raise RuntimeError("CGI script %s printed %s: a CGI response "
                               "starts with headers (at least "
                               "Content-Type:) and a blank line"
                               % (filename, what))
        self._send()

    def _send(self):
        if self._held:
            data = b"".join(self._held)
            self._held = []
            self._held_size = 0
            # A local redirect's body is dropped (RFC 3875 6.2.2).
            if self.redirect is None:
                self._req.write(data, 0)

    def _parse_head(self):
        """Take the header lines complete so far; once the blank line has
        come, apply them and return the bytes after it (None before)."""
        head = self._head
        start = 0
        while True:
            nl = head.find(b"\n", start)
            if nl < 0:
                break
            line = bytes(head[start:nl]).decode("latin-1")
            start = nl + 1
            if line.endswith("\r"):
                line = line[:-1]
            if not line:
                rest = bytes(head[start:])
                self._head = None
                self._in_head = False
                self._apply_head(self._lines)
                return rest
            # Checked as it comes: a script printing a body first fails
            # with this message rather than a missing blank line.
            if line[:1] in (" ", "\t") and self._lines:
                # An obsolete folded continuation line.
                self._lines[-1][1] += " " + line.strip()
                continue
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip():
                raise RuntimeError("CGI script printed a malformed header "
                                   "line %r" % line)
            self._lines.append([name, value.strip()])
        del head[:start]
        if self._head_size > _MAX_HEAD:
            raise RuntimeError("CGI script printed more than %d bytes "
                               "without the blank line ending its headers"
                               % _MAX_HEAD)
        return None

    def _apply_head(self, fields):
        req = self._req
        status = None
        location = None
        for name, value in fields:
            lname = name.lower()
            if lname == "status":
                code = value.split(None, 1)[0] if value else ""
                if not (code.isdigit() and len(code) == 3
                        and 100 <= int(code) <= 599):
                    raise RuntimeError("CGI script printed a malformed "
                                       "Status: %r" % value)
                status = int(code)
            elif lname == "content-type":
                req.content_type = value
            elif lname == "location":
                location = value
            elif lname not in _DROPPED:
                req.headers_out.add(name, value)
        if location is not None:
            if location.startswith("/") and status in (None, 200):
                # A local redirect: Apache serves that URI instead.
                self.redirect = location
            else:
                req.headers_out["Location"] = location
                if status is None:
                    status = apache.HTTP_MOVED_TEMPORARILY
        if status is not None:
            req.status = status
