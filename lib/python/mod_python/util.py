"""mod_python.util -- form data and other helpers for handlers (manual 4.6).

``FieldStorage(req)`` reads a request's form data: the query string and,
for a POST, an ``application/x-www-form-urlencoded`` or
``multipart/form-data`` body.  The body is read in 64 KiB pieces and a
file part's bytes go to its file object as they arrive, so neither the
body nor an uploaded file is ever held whole in memory.  A malformed body
ends the request with 400 Bad Request.

Limits keep one request from making a worker build millions of objects:
the number of form fields, the number of multipart parts and the size of
a part's headers (``PythonOption mod_python.max_form_fields``,
``mod_python.max_form_parts``, ``mod_python.max_part_header_size``; the
defaults are below).  Past one, ``FieldStorage`` logs one line and raises
an exception that is a ``ValueError`` and, uncaught, ends the request
with 413.

Names and values are ``str`` decoded as UTF-8 with errors="replace";
uploaded contents are ``bytes``.

``parse_qs``/``parse_qsl`` are the C functions of ``_apache``; ``redirect``
sends a 301/302 response and ends the handler.
"""

import io

import _apache

from . import apache

parse_qs = _apache.parse_qs
parse_qsl = _apache.parse_qsl
_index_pairs = _apache._index_pairs

# How much of the body one req.read() asks for.
_CHUNK = 65536

# The limits on one request's form data: PythonOption name -> default.
# Fields are counted as urllib.parse's max_num_fields counts them (1 + the
# number of '&' of a query string or url-encoded body, empty fields too)
# plus one per multipart input.  Every part may hold a file (a temporary
# file, an open descriptor until the request ends), so parts have a lower
# limit of their own, well under the usual 1024 descriptors of a process.
# A part's header lines together may be no longer than
# max_part_header_size: a client must not make us buffer a 10 MB "line".
_OPT_FIELDS = "mod_python.max_form_fields"
_OPT_PARTS = "mod_python.max_form_parts"
_OPT_HEADER_SIZE = "mod_python.max_part_header_size"
_DEFAULT_LIMITS = {_OPT_FIELDS: 1000, _OPT_PARTS: 250,
                   _OPT_HEADER_SIZE: 8192}
# The rest of a boundary line: "--" or transport padding, then CRLF.
_MAX_BOUNDARY_TAIL = 1024
# RFC 2046 allows 70 characters; be lenient but bounded.
_MAX_BOUNDARY = 200

_URLENCODED = "application/x-www-form-urlencoded"


class _Malformed(Exception):
    """The request body is not what its Content-Type says: 400."""


class _LineTooLong(_Malformed):
    """_Source.line() found no line end within its limit."""


class _LimitExceeded(apache.SERVER_RETURN, ValueError):
    """The form data goes past one of the limits.

    A ValueError, as urllib.parse raises for max_num_fields, for handlers
    that catch it; uncaught, a SERVER_RETURN that ends the request with
    413.  str() is the message that was logged.
    """

    def __init__(self, message):
        super().__init__(apache.HTTP_REQUEST_ENTITY_TOO_LARGE)
        self.message = message

    def __str__(self):
        return self.message


# ----------------------------------------------------------------- fields

class Field:
    """One form input (manual 4.6.3), made by FieldStorage.

    Attributes: ``name``, ``value``, ``file``, ``filename``, ``type``,
    ``type_options`` (dict), ``disposition``, ``disposition_options``
    (dict), and ``headers`` (the part's headers, names in lower case).
    ``filename`` is None unless the input is a file upload.
    """

    def __init__(self, name, file=None, ctype="text/plain",
                 type_options=None, disposition=None,
                 disposition_options=None, headers=None):
        self.name = name
        self._file = file
        self._text = None
        self.type = ctype
        self.type_options = type_options if type_options is not None else {}
        self.disposition = disposition
        self.disposition_options = (disposition_options
                                    if disposition_options is not None
                                    else {})
        self.filename = self.disposition_options.get("filename")
        self.headers = headers if headers is not None else {}

    @classmethod
    def _simple(cls, name, text, **kw):
        field = cls(name, **kw)
        field._text = text
        return field

    @property
    def file(self):
        """A file object holding the input: a temporary file (or what
        file_callback returned) for an upload, an in-memory ``StringIO``
        (or what field_callback returned) for a simple value."""
        if self._file is None and self._text is not None:
            # Made on demand: most handlers only want the value.
            self._file = io.StringIO(self._text)
        return self._file

    @file.setter
    def file(self, f):
        self._file = f
        self._text = None

    @property
    def value(self):
        """The whole input: ``bytes`` for an upload (read from ``file``,
        so mind the size), ``str`` for a simple value."""
        if self._text is not None:
            return self._text
        f = self._file
        if f is None:
            return None
        f.seek(0)
        data = f.read()
        f.seek(0)
        if self.filename is None and isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode("utf-8", "replace")
        return data

    def __repr__(self):
        if self.filename is not None:
            # Never read a whole upload just to show it.
            return "Field(%r, filename=%r)" % (self.name, self.filename)
        return "Field(%r, %r)" % (self.name, self.value)


class StringField(str):
    """A simple form value: a ``str`` with the attributes of a Field.

    ``value`` is the plain string (as in the standard ``cgi`` module),
    ``filename`` is None, ``file`` a ``StringIO`` of the value; ``name``,
    ``type``, ``type_options``, ``disposition``, ``disposition_options``
    and ``headers`` are those of the input.
    """

    # A form makes one per value read: the name in a slot, not in a dict
    # of its own, halves what one costs (the __dict__ slot keeps other
    # attributes settable).
    __slots__ = ("name", "_field", "_file", "__dict__")

    filename = None

    # What a StringField made by hand has; one made from a Field reads
    # these from it.
    _DEFAULTS = {"name": None, "type": "text/plain", "disposition": None}
    _DICTS = ("type_options", "disposition_options", "headers")

    @classmethod
    def _from_field(cls, field):
        # Only the Field is kept: the index of a form makes one of these
        # per simple value, so it should cost no more than the str.
        self = str.__new__(cls, field.value)
        self._field = field
        return self

    def __getattr__(self, attr):
        # Called only for attributes not set on the instance (an empty
        # slot included).
        if attr == "_field" or attr == "_file":
            return None
        field = self._field
        if field is not None and (attr in self._DEFAULTS
                                  or attr in self._DICTS):
            return getattr(field, attr)
        if attr in self._DEFAULTS:
            return self._DEFAULTS[attr]
        if attr in self._DICTS:
            value = {}
            setattr(self, attr, value)
            return value
        raise AttributeError(attr)

    @property
    def value(self):
        """The value as a plain ``str``."""
        return str(self)

    @property
    def file(self):
        """The value as a file object (a ``StringIO`` unless a
        field_callback made it)."""
        field = self._field
        if field is not None:
            return field.file
        f = self._file
        if f is None:
            f = self._file = io.StringIO(str(self))
        return f

    def __repr__(self):
        return "Field(%r, %r)" % (self.name, str(self))


_new_str = str.__new__


def _named_field(name, text):
    """The StringField of a url-encoded value: only its name differs from
    the defaults.  A function, not a classmethod: a form makes one per
    value read, and binding a classmethod costs as much again."""
    field = _new_str(StringField, text)
    field.name = name
    return field


# -------------------------------------------------------- header parsing

def _parse_header(text):
    """'type/sub; a=b; c="d;e"' -> ('type/sub', {'a': 'b', 'c': 'd;e'}).

    The type and parameter names are lower-cased.  In a quoted string
    only \\" and \\\\ are escapes: browsers send Windows paths with bare
    backslashes.  ValueError when a parameter is malformed.
    """
    semi = text.find(";")
    if semi < 0:
        return text.strip().lower(), {}
    key = text[:semi].strip().lower()
    params = {}
    i, n = semi + 1, len(text)
    while i < n:
        while i < n and text[i] in " \t;":
            i += 1
        if i >= n:
            break
        eq = text.find("=", i)
        stop = text.find(";", i)
        if eq < 0 or (0 <= stop < eq):
            raise ValueError("parameter without '=': %r" % text[i:])
        pname = text[i:eq].strip().lower()
        if not pname or '"' in pname:
            raise ValueError("bad parameter name in %r" % text)
        i = eq + 1
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            out = []
            i += 1
            while True:
                if i >= n:
                    raise ValueError("unterminated quoted string in %r"
                                     % text)
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < n and text[i + 1] in '"\\':
                    out.append(text[i + 1])
                    i += 2
                    continue
                out.append(c)
                i += 1
            value = "".join(out)
            while i < n and text[i] in " \t":
                i += 1
            if i < n and text[i] != ";":
                raise ValueError("junk after quoted string in %r" % text)
        else:
            stop = text.find(";", i)
            if stop < 0:
                stop = n
            value = text[i:stop].strip()
            i = stop
        params[pname] = value
    return key, params


# ------------------------------------------------------ reading the body

def _body_chunks(req):
    """The request body in pieces of at most _CHUNK bytes."""
    while True:
        try:
            chunk = req.read(_CHUNK)
        except OSError as exc:
            # Timeout or a client gone before the whole body arrived.
            raise _Malformed("reading the body failed: %s" % exc)
        if not chunk:
            return
        yield chunk


class _Source:
    """Bytes from an iterator of chunks, with look-ahead for the parser.

    Never buffers more than one chunk plus a delimiter (or a header line
    of at most the given limit).
    """

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buf = bytearray()
        self._eof = False

    def _fill(self):
        if self._eof:
            return False
        chunk = next(self._chunks, b"")
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    def unread(self, data):
        self._buf[:0] = data

    def peek(self, n):
        """The next n bytes (fewer at the end of the body), not consumed."""
        while len(self._buf) < n and self._fill():
            pass
        return bytes(self._buf[:n])

    def line(self, limit, eof_ok=False):
        """The next line, up to and including LF.  _Malformed when it is
        longer than limit, or when the body ends first (unless eof_ok:
        then what is left, maybe b'')."""
        buf = self._buf
        start = 0
        while True:
            i = buf.find(b"\n", start, limit + 1)
            if i >= 0:
                line = bytes(buf[:i + 1])
                del buf[:i + 1]
                return line
            if len(buf) > limit:
                raise _LineTooLong("a line longer than %d bytes" % limit)
            start = len(buf)
            if not self._fill():
                if eof_ok:
                    line = bytes(buf)
                    del buf[:]
                    return line
                raise _Malformed("the body ends in the middle of a part")

    def until(self, delim):
        """Yield the bytes before the next delim, then consume delim.

        _Malformed when the body ends first.  The last len(delim) - 1
        bytes are held back each time: they may be the start of a delim
        that the next chunk completes.
        """
        buf = self._buf
        keep = len(delim) - 1
        while True:
            i = buf.find(delim)
            if i >= 0:
                if i:
                    yield bytes(buf[:i])
                del buf[:i + len(delim)]
                return
            if len(buf) > keep:
                cut = len(buf) - keep
                yield bytes(buf[:cut])
                del buf[:cut]
            if not self._fill():
                raise _Malformed("a boundary is missing: the body ends "
                                 "in the middle of a part")

    def drain(self):
        del self._buf[:]
        for _ in self._chunks:
            pass
        self._eof = True


def _write_all(f, data):
    """f.write(data), even when f is a raw file that writes less."""
    n = f.write(data)
    if n is None or n >= len(data):
        return
    view = memoryview(data)[n:]
    while view:
        n = f.write(view)
        if n is None:
            return
        view = view[n:]


def _close_files(files):
    """Request cleanup: close the file objects the uploads were stored
    in (a TemporaryFile disappears; a file_callback object may delete
    its file, as in manual 4.6.2)."""
    first = None
    for f in files:
        try:
            f.close()
        except Exception as exc:
            first = first or exc
    del files[:]
    if first is not None:
        raise first


# ---------------------------------------------------------- FieldStorage

class FieldStorage:
    """The form data of a request (manual 4.6.1), as a mapping.

    ``FieldStorage(req[, keep_blank_values, strict_parsing,
    file_callback, field_callback, max_num_fields])`` reads the query
    string and, for a POST, the whole body: ``application/x-www-form-urlencoded`` (also
    when there is no Content-Type) or ``multipart/form-data`` (RFC 1867,
    nested ``multipart/mixed`` too).  Query-string fields come first.

    ``file_callback(filename)`` makes the file object an upload is
    written to (default ``tempfile.TemporaryFile``); ``field_callback()``
    makes the one a simple multipart value is written to (default an
    in-memory buffer).  Either object needs ``write(bytes)``, ``seek``
    and ``read``; its ``close()`` is called when the request ends.

    ``fs[name]`` is a ``StringField`` for a simple value, a ``Field``
    for an upload, or a list of them for a name given more than once.
    ``fs.list`` holds every input as a ``Field``, in order.

    A malformed body raises ``apache.SERVER_RETURN(HTTP_BAD_REQUEST)``;
    a POST without Content-Length (and not chunked) raises it with
    ``HTTP_LENGTH_REQUIRED``, and a body of another type with
    ``HTTP_NOT_IMPLEMENTED``, as the original mod_python did.

    More fields than ``max_num_fields`` (default: ``PythonOption
    mod_python.max_form_fields``, else 1000), more multipart parts than
    ``mod_python.max_form_parts`` (250) or a part's headers longer than
    ``mod_python.max_part_header_size`` bytes (8192) raise an exception
    that is both a ``ValueError`` and ``apache.SERVER_RETURN(
    HTTP_REQUEST_ENTITY_TOO_LARGE)``, after one line in the error log;
    the rest of the body is not read.
    """

    def __init__(self, req, keep_blank_values=0, strict_parsing=0,
                 file_callback=None, field_callback=None,
                 max_num_fields=None):
        # The inputs in order: (name, value) pairs as parse_qsl made them
        # for url-encoded data, Field objects for multipart parts.  Field
        # objects for the pairs, and the by-name index, are only made when
        # asked for: most handlers read a few values by name, and making
        # two objects per input would cost more than parsing them.
        self._items = []
        self._has_fields = False        # any Field among _items
        self._list = None
        self._index = None
        self._index_of = None
        self._req = req
        self._files = None
        self._keep_blank = keep_blank_values
        self._strict = strict_parsing
        self._counted = 0               # fields, as max_num_fields counts
        self._parts = 0
        try:
            args = req.args
            is_post = req.method == "POST"
            if not args and not is_post:
                return              # nothing to parse, no limit to read
            self._read_limits(req, max_num_fields)
            if args:
                if not args.isascii():
                    # req.args keeps undecodable bytes as surrogates; the
                    # decision is errors="replace" for form data.
                    args = args.encode("utf-8", "surrogateescape").decode(
                        "utf-8", "replace")
                self._add_pairs(args)
            if not is_post:
                return
            self._read_body(req, file_callback, field_callback)
        except _Malformed as exc:
            req.log_error("mod_python: MP0353: FieldStorage: bad request "
                          "body: %s" % exc, apache.APLOG_INFO)
            raise apache.SERVER_RETURN(apache.HTTP_BAD_REQUEST)
        except _LimitExceeded as exc:
            req.log_error("mod_python: %s" % exc, apache.APLOG_INFO)
            raise
        finally:
            self._req = None

    # -- limits

    def _read_limits(self, req, max_num_fields):
        options = req.get_options()
        limits = []
        for name, default in _DEFAULT_LIMITS.items():
            text = options.get(name)
            if text is None:
                limits.append(default)
                continue
            try:
                value = int(text)
                if value < 1:
                    raise ValueError
            except ValueError:
                req.log_error("mod_python: MP0354: PythonOption %s %r: "
                              "not a positive integer" % (name, text),
                              apache.APLOG_ERR)
                raise apache.SERVER_RETURN(
                    apache.HTTP_INTERNAL_SERVER_ERROR)
            limits.append(value)
        self._max_fields, self._max_parts, self._max_header_size = limits
        if max_num_fields is not None:
            self._max_fields = max_num_fields

    def _count_fields(self, n):
        self._counted += n
        if self._counted > self._max_fields:
            raise _LimitExceeded(
                "MP0350: FieldStorage: more than %d form fields "
                "(max_num_fields, PythonOption %s)"
                % (self._max_fields, _OPT_FIELDS))

    # -- reading

    def _add_pairs(self, text):
        # Counted before parsing, as urllib.parse counts max_num_fields:
        # 10 MB of "a=b&" is one str.count, not 2.6 million tuples.
        if text:
            self._count_fields(text.count("&") + 1)
        try:
            pairs = parse_qsl(text, self._keep_blank, self._strict)
        except ValueError as exc:
            # Only with strict_parsing.
            raise _Malformed(str(exc))
        if self._items:
            self._items.extend(pairs)
        else:
            self._items = pairs

    def _read_body(self, req, file_callback, field_callback):
        headers = req.headers_in
        if ("content-length" not in headers and "chunked" not in
                headers.get("transfer-encoding", "").lower()):
            raise apache.SERVER_RETURN(apache.HTTP_LENGTH_REQUIRED)
        ctype_text = headers.get("content-type")
        if ctype_text is None:
            ctype, options = _URLENCODED, {}
        else:
            try:
                ctype, options = _parse_header(ctype_text)
            except ValueError as exc:
                raise _Malformed("Content-Type: %s" % exc)
        if ctype == _URLENCODED:
            self._read_urlencoded(req)
        elif ctype.startswith("multipart/"):
            source = _Source(_body_chunks(req))
            self._read_multipart(source, _boundary(options), None,
                                 file_callback, field_callback)
        else:
            raise apache.SERVER_RETURN(apache.HTTP_NOT_IMPLEMENTED)

    def _read_urlencoded(self, req):
        # Parsed a piece at a time, cut at the last '&' (ASCII, so never
        # inside a UTF-8 sequence).
        pending = bytearray()
        for chunk in _body_chunks(req):
            pending += chunk
            cut = pending.rfind(b"&")
            if cut >= 0:
                self._add_pairs(pending[:cut].decode("utf-8", "replace"))
                del pending[:cut + 1]
        if pending:
            self._add_pairs(pending.decode("utf-8", "replace"))

    def _track(self, f):
        """Close f when the request ends."""
        if self._files is None:
            self._files = []
            self._req.register_cleanup(_close_files, self._files)
        self._files.append(f)

    def _read_multipart(self, source, boundary, outer_name, file_callback,
                        field_callback):
        delim = b"\r\n--" + boundary
        # The first boundary may open the body, without a CRLF before it.
        source.unread(b"\r\n")
        for _ in source.until(delim):
            pass                                    # the preamble
        while True:
            if source.peek(2) == b"--":
                break                               # the close delimiter
            tail = source.line(_MAX_BOUNDARY_TAIL, eof_ok=True)
            if not tail.endswith(b"\n") or tail.strip(b" \t\r\n"):
                raise _Malformed("bad boundary line")
            self._parts += 1
            if self._parts > self._max_parts:
                raise _LimitExceeded(
                    "MP0351: FieldStorage: more than %d multipart parts "
                    "(PythonOption %s)" % (self._max_parts, _OPT_PARTS))
            headers = _read_part_headers(source, self._max_header_size)
            self._read_part(source, delim, headers, outer_name,
                            file_callback, field_callback)
        source.drain()                              # the epilogue

    def _read_part(self, source, delim, headers, outer_name, file_callback,
                   field_callback):
        disp_text = headers.get("content-disposition")
        if disp_text is None:
            if outer_name is None:
                raise _Malformed("a part without Content-Disposition")
            disp, disp_options = None, {}
        else:
            try:
                disp, disp_options = _parse_header(disp_text)
            except ValueError as exc:
                raise _Malformed("Content-Disposition: %s" % exc)
        if outer_name is None:
            name = disp_options.get("name")
            if name is None:
                raise _Malformed("a part without a name")
        else:
            name = outer_name
        ctype, type_options = "text/plain", {}
        if "content-type" in headers:
            try:
                ctype, type_options = _parse_header(headers["content-type"])
            except ValueError as exc:
                raise _Malformed("Content-Type: %s" % exc)
            if "/" not in ctype:
                # Some browsers send junk for files without a suffix.
                ctype = "application/octet-stream"
        filename = disp_options.get("filename")
        if filename is not None or outer_name is not None \
                or not ctype.startswith("multipart/"):
            self._count_fields(1)
        kw = dict(ctype=ctype, type_options=type_options,
                  disposition=disp, disposition_options=disp_options,
                  headers=headers)
        body = source.until(delim)
        if filename is None and outer_name is None \
                and ctype.startswith("multipart/"):
            # RFC 1867 multipart/mixed: several files under one name.
            self._read_multipart(_Source(body), _boundary(type_options),
                                 name, file_callback, field_callback)
            for _ in body:          # only if the inner parse stopped early
                pass
            return
        if filename is not None:
            if file_callback is not None:
                f = file_callback(filename)
            else:
                import tempfile
                f = tempfile.TemporaryFile("w+b")
            self._track(f)
            for piece in body:
                _write_all(f, piece)
            self._has_fields = True
            f.seek(0)
            self._items.append(Field(name, f, **kw))
        elif field_callback is not None:
            f = field_callback()
            self._track(f)
            for piece in body:
                _write_all(f, piece)
            self._has_fields = True
            f.seek(0)
            self._items.append(Field(name, f, **kw))
        else:
            data = bytearray()
            for piece in body:
                data += piece
            self._has_fields = True
            self._items.append(Field._simple(
                name, data.decode("utf-8", "replace"), **kw))

    # -- the mapping

    @property
    def list(self):
        """Every input as a Field, in order (made on first use; changes
        made to it show in the mapping)."""
        if self._list is None:
            simple = Field._simple
            self._list = [item if isinstance(item, Field)
                          else simple(item[0], item[1])
                          for item in self._items]
            self._index = None
        return self._list

    @list.setter
    def list(self, value):
        self._list = value
        self._index = None

    def _by_name(self):
        """name -> [StringField or Field or str, ...]; a str stands for a
        StringField not made yet (see _wrap)."""
        if self._list is None:
            # Nobody has seen .list: the items cannot have changed.
            index = self._index
            if index is None and not self._has_fields:
                # Only parse_qsl's pairs: grouped in C.
                index = self._index = _index_pairs(self._items)
            elif index is None:
                index = {}
                for item in self._items:
                    if type(item) is tuple:
                        name, value = item
                    else:
                        name = item.name
                        value = item
                        if item.filename is None:
                            value = StringField._from_field(item)
                    found = index.get(name)
                    if found is None:
                        index[name] = [value]
                    else:
                        found.append(value)
                self._index = index
            return index
        lst = self._list
        if self._index is None or self._index_of != (id(lst), len(lst)):
            index = {}
            for field in lst:
                item = field
                if field.filename is None and isinstance(field, Field):
                    item = StringField._from_field(field)
                index.setdefault(field.name, []).append(item)
            self._index = index
            self._index_of = (id(lst), len(lst))
        return self._index

    def _wrap(self, name, found):
        """found (a list in the index) with its plain str values made into
        StringFields, in place so it happens once per value."""
        for i, item in enumerate(found):
            if type(item) is str:
                found[i] = _named_field(name, item)
        return found

    def __getitem__(self, name):
        """A StringField, a Field (upload), or a list of them."""
        found = self._by_name()[name]
        if len(found) == 1:
            item = found[0]
            if type(item) is str:
                item = found[0] = _named_field(name, item)
            return item
        return list(self._wrap(name, found))

    def get(self, name, default=None):
        """fs[name], or default when there is no such input."""
        try:
            return self[name]
        except KeyError:
            return default

    def getfirst(self, name, default=None):
        """The first value of input name, or default."""
        index = self._index
        if index is None or self._list is not None:
            index = self._by_name()
        found = index.get(name)
        if not found:
            return default
        item = found[0]
        if type(item) is str:
            item = found[0] = _named_field(name, item)
        return item

    def getlist(self, name):
        """Every value of input name, as a list (maybe empty)."""
        found = self._by_name().get(name)
        if not found:
            return []
        return list(self._wrap(name, found))

    def keys(self):
        """The input names, in the order they first appear."""
        return list(self._by_name())

    def values(self):
        """fs[name] for each name in keys()."""
        return [self[name] for name in self._by_name()]

    def items(self):
        """(name, fs[name]) for each name in keys()."""
        return [(name, self[name]) for name in self._by_name()]

    def has_key(self, name):
        """name in fs (kept for old code)."""
        return name in self._by_name()

    def __contains__(self, name):
        return name in self._by_name()

    def __len__(self):
        return len(self._by_name())

    def __iter__(self):
        return iter(list(self._by_name()))

    def __repr__(self):
        return "FieldStorage(%r)" % (self.list,)


def _boundary(options):
    boundary = options.get("boundary")
    if not boundary or len(boundary) > _MAX_BOUNDARY:
        raise _Malformed("no usable boundary parameter")
    try:
        # RFC 2046: a boundary is ASCII.
        return boundary.encode("ascii")
    except UnicodeEncodeError:
        raise _Malformed("a boundary that is not ASCII")


def _read_part_headers(source, limit):
    """A part's headers as {lower-case name: value}, up to the blank line.

    Values are decoded as UTF-8 (errors="replace"): browsers send file
    names that way.  Folded lines are joined.  _LimitExceeded when the
    header lines together are longer than limit bytes.
    """
    headers = {}
    last = None
    total = 0
    while True:
        try:
            raw = source.line(limit - total)
        except _LineTooLong:
            raw = b""
            total = limit + 1
        total += len(raw)
        if total > limit:
            raise _LimitExceeded(
                "MP0352: FieldStorage: a multipart part's headers are "
                "longer than %d bytes (PythonOption %s)"
                % (limit, _OPT_HEADER_SIZE))
        line = raw.rstrip(b"\r\n")
        if not line:
            return headers
        text = line.decode("utf-8", "replace")
        if text[0] in " \t":
            if last is None:
                raise _Malformed("a continuation line opens a part")
            headers[last] += " " + text.strip()
            continue
        name, colon, value = text.partition(":")
        name = name.strip().lower()
        if not colon or not name:
            raise _Malformed("a part header without a name: %r"
                             % text[:80])
        headers[name] = value.strip()
        last = name


# -------------------------------------------------------------- redirect

def redirect(req, location, permanent=0, text=None):
    """Send the client to location and end the handler (manual 4.6.4).

    Sets ``Location``, status 301 (permanent) or 302, and sends a short
    text/html page (or text), then raises
    ``apache.SERVER_RETURN(apache.DONE)``.  Raises IOError when the
    headers have already been sent, ValueError for a location with a
    line break.
    """
    if req.sent_bodyct:
        raise IOError("Cannot redirect after headers have already been sent.")
    if "\r" in location or "\n" in location:
        raise ValueError("a line break in a redirect location")
    req.headers_out["Location"] = location
    req.status = (apache.HTTP_MOVED_PERMANENTLY if permanent
                  else apache.HTTP_MOVED_TEMPORARILY)
    req.content_type = "text/html"
    if text is None:
        import html
        text = ('<p>The document has moved <a href="%s">here</a>.</p>\n'
                % html.escape(location, quote=True))
    # Unflushed: sent with the end of the response, Apache can give it a
    # Content-Length instead of chunking it.
    req.write(text, 0)
    raise apache.SERVER_RETURN(apache.DONE)


# ----------------------------------------------------------- apply_fs_data

def apply_fs_data(object, fs, **args):
    """Call object with the form fields of fs that match its parameters,
    and return what it returns (mod_python 3.2.10's util.apply_fs_data).

    object is any callable: a function, a bound method, a class (its
    ``__init__``'s parameters count) or an instance with ``__call__``.
    Each parameter that can be given by keyword receives the field of the
    same name: its value (``str``), the Field itself for a file upload, or
    a list of these when the field came more than once.  Fields no
    parameter names are left out, unless object takes ``**kwargs``, which
    then gets them all.  The keyword arguments given here (``req=req``,
    say) are passed the same way and win over a form field of the same
    name, so a client cannot replace them.  A callable whose parameters
    cannot be inspected (some built-ins) is called with none.
    """
    if not callable(object):
        raise TypeError("apply_fs_data() needs a callable, not %r"
                        % (object,))
    import inspect
    try:
        params = inspect.signature(object).parameters.values()
    except (TypeError, ValueError):
        return object()
    takes_all = any(p.kind is p.VAR_KEYWORD for p in params)
    wanted = {p.name for p in params
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}

    values = {}
    for field in fs.list:
        value = field if field.filename is not None else field.value
        values.setdefault(field.name, []).append(value)
    kwargs = {name: found[0] if len(found) == 1 else found
              for name, found in values.items()}
    kwargs.update(args)
    if not takes_all:
        kwargs = {name: value for name, value in kwargs.items()
                  if name in wanted}
    return object(**kwargs)
