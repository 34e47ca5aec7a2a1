"""mod_python.psp -- Python Server Pages (manual 4.9 and 6.2).

A PSP page is text with Python in it: ``<% code %>``, ``<%= expression %>``,
``<%@ include file="name" %>`` and ``<%-- comment --%>``.  The C parser
(``_psp``: built into mod_python.so, or the extension ``mod_python._psp``
outside Apache) turns a page into Python source; this module compiles it,
caches the code, and runs it with the globals ``req``, ``psp``, ``session``
and ``form``.  As a handler (``PythonHandler mod_python.psp``) it serves
``.psp`` files.

Compiled code is cached per interpreter: up to 512 pages read from files,
keyed by file name and modification time (and those of the files they
include), or, with ``PythonOption PSPDbmCache <file>``, in a dbm file
instead; and up to 512 pages given as strings, keyed by the string.
"""

import os
import stat
import sys
import threading
from collections import OrderedDict

try:
    import _psp                 # built into mod_python.so
except ImportError:             # outside Apache: the extension
    from . import _psp

parse = _psp.parse
parsestring = _psp.parsestring

__all__ = ["PSP", "PSPInstance", "parse", "parsestring", "handler"]

# How many compiled pages each cache keeps (manual 4.9).
CACHE_SIZE = 512

# One lock per interpreter for both caches and the dbm file: a page is
# parsed and compiled once, even when many threads ask for it at once.
_lock = threading.RLock()
_file_cache = OrderedDict()     # filename -> _Compiled
_string_cache = OrderedDict()   # (string, dir) -> _Compiled

# How many times each page (file name, or "<string>") was parsed and
# compiled in this interpreter: the evidence that the cache works.
_parse_counts = {}

# Globals created only when the page's code names them.
_LAZY_GLOBALS = ("session", "form")


class _Compiled:
    """A page's code object and what is needed to validate or list it."""

    __slots__ = ("code", "stamp", "names")

    def __init__(self, code, stamp):
        self.code = code
        self.stamp = stamp
        self.names = _global_names(code)


def _global_names(code):
    """The names of _LAZY_GLOBALS the code (or code nested in it) uses."""
    found = set()
    todo = [code]
    while todo:
        co = todo.pop()
        found.update(name for name in co.co_names if name in _LAZY_GLOBALS)
        todo.extend(c for c in co.co_consts if hasattr(c, "co_names"))
    return frozenset(found)


# ----------------------------------------------------------------- compile

def _page_lines(filename, string):
    """The page's lines as str, for listings and error messages."""
    if string is None:
        with open(filename, "rb") as f:
            data = f.read()
    else:
        data = string.encode("utf-8") if isinstance(string, str) else string
    return data.decode("utf-8", "replace").split("\n")


# Past this size a page whose lines map one to one is compiled straight
# from its source: the AST pass below, which only tidies columns then,
# costs about seven times the compilation (over a second for 1 MB).
_AST_PASS_LIMIT = 512 * 1024

# An end column past any line: the node spans the rest of its line.
_WHOLE_LINE = 1 << 20


def _compile(source, lines, filename, string):
    """Compile generated source so that its line numbers are page lines.

    The parser says which page line each generated line comes from
    (negative: from a file included on that line), so tracebacks name the
    page and show its line.  Columns are kept where a generated line is
    its page line verbatim (Python code); elsewhere they would point into
    generated text, so a node spans the whole page line instead (no
    misleading carets under the page line in Python 3.11+ tracebacks).
    """
    import ast

    name = filename if filename is not None else "<string>"
    identity = all(p == n for n, p in enumerate(lines, 1))
    try:
        if identity and (sys.version_info < (3, 11)
                         or len(source) > _AST_PASS_LIMIT):
            return compile(source, name, "exec", dont_inherit=True)
        tree = ast.parse(source, name)
    except SyntaxError as exc:
        raise _page_syntax_error(exc, source, lines, filename,
                                 string) from None

    # page[n] and verbatim[n] for generated line n (1-based).
    gen = source.split("\n")
    try:
        text = _page_lines(filename, string)
    except OSError:
        text = []
    page = [1]
    verbatim = [False]
    for n, p in enumerate(lines, 1):
        page.append(abs(p))
        verbatim.append(0 < p <= len(text) and n <= len(gen)
                        and text[p - 1].rstrip() == gen[n - 1].rstrip())
    last = len(lines)
    for node in ast.walk(tree):
        try:
            start = node.lineno
        except AttributeError:
            continue            # nodes without a position
        end = node.end_lineno or start
        start = min(max(start, 1), last)
        end = min(max(end, 1), last)
        if not verbatim[start]:
            node.col_offset = 0
        if not verbatim[end]:
            node.end_col_offset = _WHOLE_LINE
        node.lineno = page[start]
        node.end_lineno = page[end]
        if (page[start] == page[end]
                and (node.end_col_offset or 0) < node.col_offset):
            node.end_col_offset = _WHOLE_LINE
    return compile(tree, name, "exec", dont_inherit=True)


def _page_syntax_error(exc, source, lines, filename, string):
    """exc, a SyntaxError in generated code, told in page lines."""
    n = exc.lineno or 1
    p = lines[min(max(n, 1), len(lines)) - 1] if lines else 1
    msg = exc.msg
    if p < 0:
        msg += " (in the file included on this line)"
        p = -p
    text = offset = end_offset = None
    try:
        page = _page_lines(filename, string)
        text = page[p - 1] if 0 < p <= len(page) else None
    except OSError:
        pass
    gen = source.split("\n")
    if (text is not None and 0 < n <= len(gen)
            and text.rstrip() == gen[n - 1].rstrip()):
        # The page line is the generated line: the column is right too.
        offset = exc.offset
        end_offset = getattr(exc, "end_offset", None)
        if getattr(exc, "end_lineno", n) != n:
            end_offset = None
    name = filename if filename is not None else "<string>"
    if sys.version_info >= (3, 10):
        details = (name, p, offset, text, p, end_offset)
    else:
        details = (name, p, offset, text)
    return SyntaxError(msg, details)


def _count(key):
    _parse_counts[key] = _parse_counts.get(key, 0) + 1


def _mtime_us(filename):
    # Microseconds: what Apache's req.finfo has, so a page's stamp can be
    # checked against it without a stat of our own.
    return os.stat(filename).st_mtime_ns // 1000


def _file_stamp(filename, includes, mtime_us=None):
    """What must not change for a cached page to stay valid: the page's
    mtime (in microseconds; mtime_us if the caller knows it) and those of
    the files it includes."""
    stamp = [_mtime_us(filename) if mtime_us is None else mtime_us]
    for inc in includes:
        try:
            stamp.append((inc, os.stat(inc).st_mtime_ns))
        except OSError:
            stamp.append((inc, None))
    return tuple(stamp)


def _stamp_valid(filename, stamp, mtime_us=None):
    try:
        return _file_stamp(filename, [inc for inc, _ in stamp[1:]],
                           mtime_us) == stamp
    except (OSError, TypeError, ValueError):
        return False


def _translate_file(filename):
    """Parse and compile a page file: a new _Compiled."""
    mtime = _mtime_us(filename)
    source, lines, includes = _psp._parse_map(*_split_dir(filename))
    code = _compile(source, lines, filename, None)
    _count(filename)
    stamp = _file_stamp(filename, includes)
    # The mtime from before parsing: a change made while parsing is seen
    # as a change next time.
    stamp = (mtime,) + stamp[1:]
    return _Compiled(code, stamp)


def _load_file(filename, dbm_file=None, mtime_us=None):
    """The compiled page for filename, from a cache when still valid.

    mtime_us: the page's mtime in microseconds when the caller has it
    (the handler, from Apache's stat of the request's file)."""
    if not dbm_file:
        # The common case, without the lock: a page without includes
        # whose mtime Apache just gave us.  Dict reads and move_to_end
        # are atomic under the GIL; a miss takes the locked path below.
        entry = _file_cache.get(filename)
        if (entry is not None and mtime_us is not None
                and len(entry.stamp) == 1 and entry.stamp[0] == mtime_us):
            try:
                _file_cache.move_to_end(filename)
            except KeyError:        # evicted meanwhile: still good to run
                pass
            return entry
    with _lock:
        if dbm_file:
            return _load_file_dbm(filename, dbm_file)
        entry = _file_cache.get(filename)
        if entry is not None:
            if _stamp_valid(filename, entry.stamp, mtime_us):
                _file_cache.move_to_end(filename)
                return entry
            del _file_cache[filename]
        entry = _translate_file(filename)
        _file_cache[filename] = entry
        while len(_file_cache) > CACHE_SIZE:
            _file_cache.popitem(last=False)
        return entry


def _load_file_dbm(filename, dbm_file):
    """PSPDbmCache: the page's marshalled code lives in a dbm file shared
    by every process, instead of in this interpreter's memory."""
    import dbm
    import fcntl
    import importlib.util
    import marshal
    import types

    key = os.fsencode(filename)
    # dbm files are not safe for concurrent writers: every access holds
    # an exclusive lock on a file beside it.
    with open(dbm_file + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with dbm.open(dbm_file, "c") as db:
                data = db.get(key)
                if data is not None:
                    try:
                        magic, stamp, code = marshal.loads(data)
                        # Marshal's format changes between Python
                        # versions; a damaged entry is simply redone.
                        if (magic == importlib.util.MAGIC_NUMBER
                                and isinstance(code, types.CodeType)
                                and _stamp_valid(filename, stamp)):
                            return _Compiled(code, stamp)
                    except (EOFError, ValueError, TypeError):
                        pass
                entry = _translate_file(filename)
                db[key] = marshal.dumps((importlib.util.MAGIC_NUMBER,
                                         entry.stamp, entry.code))
                return entry
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load_string(string, directory=None):
    """The compiled page for a string, cached in memory by the string."""
    key = (string, directory)
    with _lock:
        entry = _string_cache.get(key)
        if entry is not None:
            _string_cache.move_to_end(key)
            return entry
        source, lines, _ = _psp._parsestring_map(string, directory)
        entry = _Compiled(_compile(source, lines, None, string), None)
        _count("<string>")
        _string_cache[key] = entry
        while len(_string_cache) > CACHE_SIZE:
            _string_cache.popitem(last=False)
        return entry


# ----------------------------------------------------------------- listing

_LISTING_PRE = ("margin: 0; white-space: pre-wrap; "
                "overflow-wrap: anywhere")


def _listing(page, source, lines):
    """HTML: the page and the code it became, side by side, each generated
    line in the row of the page line it comes from."""
    import html

    gen = source.split("\n")
    rows = [[] for _ in page]
    for i, text in enumerate(gen):
        p = abs(lines[i]) if i < len(lines) else len(page)
        p = min(max(p, 1), len(page))
        rows[p - 1].append((i + 1, text))
    # Styled inline, since the listing may be put into any page
    # (display_code): long lines wrap inside their column, anywhere if
    # they must, instead of widening the page past the window.
    pre = '<pre style="%s">' % _LISTING_PRE
    out = ['<table class="psp-listing" cellspacing="0" cellpadding="2" '
           'border="1" style="width: 100%%; table-layout: fixed">\n'
           '<colgroup><col style="width: 4em"><col>'
           '<col style="width: 4em"><col></colgroup>\n'
           '<tr><th colspan="2">PSP page</th>'
           '<th colspan="2">Python code</th></tr>\n']
    for n, (text, generated) in enumerate(zip(page, rows), 1):
        nums = "\n".join(str(g) for g, _ in generated)
        code = "\n".join(html.escape(t) for _, t in generated)
        out.append('<tr valign="top"><td align="right">%s%d</pre></td>'
                   '<td>%s%s</pre></td>'
                   '<td align="right">%s%s</pre></td>'
                   '<td>%s%s</pre></td></tr>\n'
                   % (pre, n, pre, html.escape(text), pre, nums, pre,
                      code))
    out.append("</table>\n")
    return "".join(out)


# ------------------------------------------------------------ per request

def _get_session(req):
    """The request's session: req.session when someone made one already
    (a second Session would wait forever for the first one's lock)."""
    session = getattr(req, "session", None)
    if session is None:
        from . import Session
        session = Session.Session(req)
        req.session = session
        return session, True
    return session, False


def _get_form(req):
    """The request's FieldStorage: the body can be read only once."""
    form = getattr(req, "form", None)
    if form is None:
        from . import util
        form = util.FieldStorage(req, keep_blank_values=1)
        req.form = form
    return form


def _server_return_type():
    try:
        from . import apache
    except ImportError:         # outside Apache
        return ()
    return apache.SERVER_RETURN


class PSP:
    """A PSP page: its compiled code, ready to run for a request.

    PSP(req[, filename, string, vars]): the page is read from filename
    (relative to the directory of req.filename), or given as string; with
    neither, req.filename is the page.  vars are globals for the page.
    """

    def __init__(self, req, filename=None, string=None, vars=None,
                 _mtime_us=None):
        if filename is not None and string is not None:
            raise ValueError("PSP() takes filename or string, not both")
        self.req = req
        self.vars = dict(vars) if vars else {}
        self.string = string
        self.filename = None
        if string is None:
            if _mtime_us is not None:
                pass    # the handler's req.filename: absolute and clean
            else:
                if filename is None:
                    filename = req.filename
                elif not os.path.isabs(filename):
                    filename = os.path.join(
                        os.path.dirname(req.filename or ""), filename)
                filename = os.path.abspath(filename)
            self.filename = filename
            self._compiled = _load_file(filename, _dbm_option(req),
                                        _mtime_us)
        else:
            # Relative includes in a string page: beside req.filename.
            base = getattr(req, "filename", None)
            self._dir = os.path.dirname(base) + os.sep if base else None
            self._compiled = _load_string(string, self._dir)
        self.code = self._compiled.code

    def run(self, vars=None):
        """Run the page: it writes its output with req.write().

        vars (a dict) adds globals, overriding those given to PSP(); the
        page also gets req, psp (a PSPInstance), and session and form,
        made only when the page's code names them.
        """
        req = self.req
        names = self._compiled.names
        session = form = None
        own_session = False
        if "session" in names:
            session, own_session = _get_session(req)
        if "form" in names:
            form = _get_form(req)
        psp = PSPInstance(req, self.filename, form)
        scope = {"req": req, "psp": psp, "session": session, "form": form}
        scope.update(self.vars)
        if vars:
            scope.update(vars)
        try:
            try:
                exec(self.code, scope)
            except _server_return_type():
                # A redirect (or another early status) is a normal end:
                # what the page did to the session must be kept.
                if own_session:
                    session.save()
                raise
            except Exception:
                if psp.error_page is None:
                    raise
                psp.error_page.run({"exception": sys.exc_info()})
            else:
                # Even a session only read has a new access time to save.
                if own_session:
                    session.save()
        finally:
            if own_session:
                session.unlock()

    def display_code(self):
        """An HTML side-by-side listing of the page and its Python code."""
        if self.string is None:
            source, lines, _ = _psp._parse_map(
                *_split_dir(self.filename))
            page = _page_lines(self.filename, None)
        else:
            source, lines, _ = _psp._parsestring_map(self.string, self._dir)
            page = _page_lines(None, self.string)
        return _listing(page, source, lines)

    def __str__(self):
        return "<PSP %s>" % (self.filename or "string")


def _split_dir(filename):
    """(name, dir) for _psp.parse: include paths are relative to dir."""
    directory, base = os.path.split(filename)
    return base, (directory + os.sep if directory else None)


def _dbm_option(req):
    try:
        return req.get_options().get("PSPDbmCache")
    except AttributeError:      # not a mod_python request
        return None


class PSPInstance:
    """The ``psp`` global of a running page."""

    def __init__(self, req, filename=None, form=None):
        self._req = req
        self._filename = filename
        self._form = form
        self.error_page = None

    def set_error_page(self, filename):
        """Run the PSP page filename instead if this page raises.

        An absolute path is taken inside the document root, a relative
        one beside the current page.  The error page gets the global
        ``exception``, the sys.exc_info() triple.
        """
        req = self._req
        if filename.startswith("/"):
            path = req.document_root().rstrip("/") + filename
        else:
            here = self._filename or req.filename or ""
            path = os.path.join(os.path.dirname(here), filename)
        self.error_page = PSP(req, filename=path)

    def apply_data(self, object, **kw):
        """Call object with the form fields its parameters name, as the
        publisher does (a parameter named req gets the request; with
        **kwargs, every field), and return the result.  Keyword
        arguments given here are passed too, and win over fields."""
        import inspect

        if self._form is None:
            self._form = _get_form(self._req)
        form = self._form
        args = {name: form[name] for name in form.keys()}
        try:
            params = list(inspect.signature(object).parameters.values())
        except (TypeError, ValueError):     # no signature: pass it all
            params = None
        if params is not None:
            if any(p.name == "req" and p.kind is not p.POSITIONAL_ONLY
                   for p in params):
                args["req"] = self._req
            if not any(p.kind is p.VAR_KEYWORD for p in params):
                named = {p.name for p in params
                         if p.kind in (p.POSITIONAL_OR_KEYWORD,
                                       p.KEYWORD_ONLY)}
                args = {k: v for k, v in args.items() if k in named}
        args.update(kw)
        return object(**args)

    def redirect(self, location, permanent=0):
        """Redirect the client to location: 301 if permanent, else 302.

        Only possible before any output was sent, so the code calling it
        must come first in the page: IOError otherwise.
        """
        from . import util

        if getattr(self._req, "bytes_written", 0):
            # The page's text gathers unsent (it is written with
            # write(text, 0)), so util.redirect could not tell it has
            # started.
            raise IOError("cannot redirect after the page has written "
                          "output")
        util.redirect(self._req, location, permanent)


# ----------------------------------------------------------------- handler

# mod_python.apache, imported on the handler's first request: this module
# must also import outside Apache, where there is no _apache.
_apache_module = None


def _import_apache():
    global _apache_module
    from . import apache
    _apache_module = apache
    return apache


def handler(req):
    """The PSP handler (manual 6.2): run req.filename as a PSP page.

    With PythonDebug On, a URL ending in '_' shows the listing of the
    page without it (display_code); with PythonDebug Off such URLs are
    404, so the source is never shown.
    """
    apache = _apache_module or _import_apache()
    filename = req.filename or ""
    listing = filename.endswith("_")
    if listing:
        if req.get_config().get("PythonDebug") != "1":
            return apache.HTTP_NOT_FOUND
        filename = filename[:-1]
        if not os.path.isfile(filename):
            return apache.HTTP_NOT_FOUND
    else:
        # Apache has just stat-ed the page: its answer saves two stats.
        finfo = req.finfo
        if finfo is None or not stat.S_ISREG(finfo[apache.FINFO_MODE]):
            return apache.HTTP_NOT_FOUND
        mtime_us = round(finfo[apache.FINFO_MTIME] * 1000000)
    req.content_type = "text/html"
    if listing:
        # Parsed, not compiled: the listing is most needed for a page
        # whose Python does not compile.
        import html

        source, lines, _ = _psp._parse_map(*_split_dir(filename))
        req.write("<html><head><title>%s</title></head><body>\n%s"
                  "</body></html>\n"
                  % (html.escape(os.path.basename(filename)),
                     _listing(_page_lines(filename, None), source, lines)))
    else:
        PSP(req, filename=filename, _mtime_us=mtime_us).run()
    return apache.OK
