"""mod_python.Cookie -- HTTP state management (manual section 4.7).

A :class:`Cookie` is one cookie (what the standard library calls a
*Morsel*): a name, a value and the attributes of the Netscape
specification and RFC 2109.  ``str(cookie)`` is a ``Set-Cookie`` header
value; :meth:`Cookie.parse` turns a ``Cookie`` header back into a dict of
cookies.  :class:`SignedCookie` adds an HMAC signature of the name and
value, :class:`MarshalCookie` carries any marshallable value and is only
unmarshalled after its signature has been verified.  :func:`add_cookie`,
:func:`get_cookies` and :func:`get_cookie` do the header work for a request.

Besides the manual's attributes a cookie has the two that browsers added
later (``httponly`` and ``samesite``), as mod_python 3.4+ has ``httponly``.

The module needs nothing from Apache, so it can be imported and tested
anywhere.

Wire formats (ours, not the 3.2.10 ones: see ``_DIGEST``):

* A value made only of RFC 6265 cookie-octets goes out as it is.  Any other
  value goes out as a quoted string in which every character that is not
  a cookie-octet (space, ``"``, ``,``, ``;``, ``\\``, control characters,
  anything beyond ASCII) is written as ``\\ooo`` octal escapes of its UTF-8
  bytes.  Clients that split ``Set-Cookie`` at ``;`` or ``,`` without
  honouring quotes (most browsers, ``http.cookiejar``) then keep the whole
  value, and no value can end the header or add an attribute.
* A signed cookie's value is the hex HMAC-SHA256 of ``signed:name=value``
  followed by the value.
* A marshal cookie's value is the hex HMAC-SHA256 of ``marshal:name=data``
  followed by ``data``, the URL-safe base64 of ``marshal.dumps(value)``.
"""

import base64
import binascii
import datetime
import hashlib
import hmac
import marshal
import re

__all__ = ["Cookie", "SignedCookie", "MarshalCookie",
           "add_cookie", "get_cookies", "get_cookie"]

# The manual says HMAC-MD5.  We sign with HMAC-SHA256: MD5 is refused by
# OpenSSL in FIPS mode (hashlib then raises), and nothing is gained by
# keeping it, since cookies made by 3.2.10 cannot be read here anyway
# (Python 2's marshal format and the signing input differ).
_DIGEST = hashlib.sha256
_SIGNATURE_LENGTH = 2 * _DIGEST().digest_size

# ------------------------------------------------------------------ expires

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EXPIRES_RE = re.compile(
    r"(%s), ([0-9]{2})-(%s)-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT\Z"
    % ("|".join(_DAYS), "|".join(_MONTHS)))


def _format_expires(when):
    return "%s, %02d-%s-%04d %02d:%02d:%02d GMT" % (
        _DAYS[when.weekday()], when.day, _MONTHS[when.month - 1], when.year,
        when.hour, when.minute, when.second)


def _expires(value):
    """value as a 'Wdy, DD-Mon-YYYY HH:MM:SS GMT' string, or ValueError."""
    if isinstance(value, str):
        m = _EXPIRES_RE.match(value)
        if m is not None:
            day, year = int(m.group(2)), int(m.group(4))
            month = _MONTHS.index(m.group(3)) + 1
            try:
                when = datetime.datetime(year, month, day, int(m.group(5)),
                                         int(m.group(6)), int(m.group(7)))
            except ValueError:
                when = None
            # Formatting the parsed date again and comparing also checks
            # the weekday and that nothing is out of range.
            if when is not None and _format_expires(when) == value:
                return value
        raise ValueError("invalid expires %r: expected a number of seconds "
                         "since the epoch or a date like "
                         "'Sat, 14-Jun-2003 02:42:36 GMT'" % (value,))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            when = datetime.datetime.fromtimestamp(value,
                                                   datetime.timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueError("invalid expires %r: out of range" % (value,))
        return _format_expires(when)
    raise ValueError("invalid expires %r: expected a number or a str"
                     % (value,))


# ---------------------------------------------------- names and attributes

# A name is what a Cookie header can carry unquoted before '=': no
# separators, blanks, quotes or control characters.  Names beginning with
# '$' are RFC 2109 attributes ($Path...) and ignored by parse().
_NAME_RE = re.compile(r'[^\x00-\x20\x7f"\\,;=]+\Z')


def _check_name(attr, value):
    if not isinstance(value, str):
        raise TypeError("cookie name must be a str, not %s"
                        % type(value).__name__)
    if not _NAME_RE.match(value) or value.startswith("$"):
        raise ValueError("invalid cookie name %r: it must be non-empty, "
                         "not begin with '$' and hold no blanks, control "
                         "characters or any of  \" \\ , ; =" % (value,))
    return value


# Names _check_name has accepted (bounded: names come from handlers, but
# parse() makes cookies under the client's names too).
_VALID_NAMES = set()


def _known_name(name):
    """_check_name for a cookie's name, remembering the names it passed:
    the same few names come on every request, and need no pattern match
    again."""
    if type(name) is not str or name not in _VALID_NAMES:
        _check_name("name", name)
        if len(_VALID_NAMES) < 256:
            _VALID_NAMES.add(name)
    return name


def _pair(name, value):
    """The name=value that opens a Set-Cookie header (value a str)."""
    return "%s=%s" % (name, _quote_value(value))


_UNSAFE_TEXT_RE = re.compile(r"[\x00-\x1f\x7f;]")


def _check_text(attr, value):
    # ';' would start another attribute and a control character (CR, LF)
    # another header, so such values are refused rather than escaped.
    if not isinstance(value, str):
        raise TypeError("cookie attribute %s must be a str, not %s"
                        % (attr, type(value).__name__))
    if _UNSAFE_TEXT_RE.search(value):
        raise ValueError("cookie attribute %s may not contain ';' or "
                         "control characters: %r" % (attr, value))
    return value


# SameSite's values, in the spelling they are sent in.
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def _check_samesite(attr, value):
    if not isinstance(value, str):
        raise TypeError("cookie attribute samesite must be a str, not %s"
                        % type(value).__name__)
    spelled = _SAMESITE.get(value.lower())
    if spelled is None:
        raise ValueError("cookie attribute samesite must be 'Strict', "
                         "'Lax' or 'None', not %r" % (value,))
    return spelled


def _check_integer(attr, value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,20}", value):
        return int(value)
    raise ValueError("cookie attribute %s must be an integer, not %r"
                     % (attr, value))


# attribute -> check (None: any value, kept as it is).  expires is a
# property of its own; value is formatted with str().
_CHECKS = {
    "name": _check_name,
    "version": _check_integer,
    "max_age": _check_integer,
    "path": _check_text,
    "domain": _check_text,
    "comment": _check_text,
    "commentURL": _check_text,
    "port": _check_text,
    "samesite": _check_samesite,
}

# The keyword arguments the constructors take: the manual's list, and the
# two attributes browsers added since (HttpOnly, SameSite).
_KEYWORDS = frozenset(("version", "path", "domain", "secure", "comment",
                       "expires", "max_age", "commentURL", "discard", "port",
                       "httponly", "samesite", "__data__"))

# Attribute names as they appear in headers, lowercased -> attribute.
_HEADER_ATTRIBUTES = {
    "version": "version", "path": "path", "domain": "domain",
    "secure": "secure", "comment": "comment", "expires": "expires",
    "max-age": "max_age", "commenturl": "commentURL", "discard": "discard",
    "port": "port", "httponly": "httponly", "samesite": "samesite",
}
_SLOTS = frozenset(_HEADER_ATTRIBUTES.values())
_FLAGS = ("secure", "discard", "httponly")
# Sent and read as they are: browsers take Path and Domain literally.
_LITERAL = ("path", "domain")

# ------------------------------------------------------------------ quoting

_COOKIE_OCTETS = r"\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e"
_BARE_VALUE_RE = re.compile("[%s]*\\Z" % _COOKIE_OCTETS)
_NOT_OCTET_RE = re.compile("[^%s]" % _COOKIE_OCTETS)
_TOKEN_RE = re.compile(r'[^\x00-\x20\x7f()<>@,;:\\"/\[\]?={}]+\Z')
_QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"\Z', re.S)
_ESCAPE_RE = re.compile(r"\\(?:([0-3][0-7]{2})|(.))", re.S)


def _octal_escape(match):
    return "".join("\\%03o" % byte
                   for byte in match.group().encode("utf-8", "surrogatepass"))


def _quote_value(text):
    if _BARE_VALUE_RE.match(text):
        return text
    return '"%s"' % _NOT_OCTET_RE.sub(_octal_escape, text)


def _quote_attribute(text):
    # RFC 2109: a token, or a quoted-string with backslash escapes.  A
    # comma with a '=' anywhere after it could be taken by parse() for a
    # separator, so it is written as an octal escape; others ("80,8080")
    # stay as they are.
    if _TOKEN_RE.match(text):
        return text
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    last = text.rfind("=")
    if last > 0:
        text = text[:last].replace(",", "\\054") + text[last:]
    return '"%s"' % text


def _decode(data):
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")


def _unquote(text):
    """The text of a quoted string; anything else unchanged.

    Understands both escapes: ours (backslash and three octal digits, a
    byte of the UTF-8 text) and RFC 2109's (backslash and a character).
    """
    m = _QUOTED_RE.match(text)
    if m is None:
        return text
    body = m.group(1)
    if "\\" not in body:
        return body
    out = bytearray()
    pos = 0
    for e in _ESCAPE_RE.finditer(body):
        out += body[pos:e.start()].encode("utf-8", "surrogatepass")
        if e.group(1):
            out.append(int(e.group(1), 8))
        else:
            out += e.group(2).encode("utf-8", "surrogatepass")
        pos = e.end()
    out += body[pos:].encode("utf-8", "surrogatepass")
    return _decode(bytes(out))


# ------------------------------------------------------------------ parsing

# One name[=value] pair and the separator after it.  The pattern matches
# at every position, never backtracks, and a comma's look-ahead reads no
# further than the next separator, so finditer walks any text about once:
# parsing takes linear time.  A comma
# separates pairs only when a 'name=' follows it, which keeps the comma of
# an expires date ("expires=Sat, 14-Jun-2003 ...") and of values like
# "a,b" in place, while still splitting the ", " with which Apache joins
# two Cookie headers.  Quotes are not special here: a quoted value is
# unquoted afterwards, and like browsers we do not let a ';' inside
# quotes hide the end of a pair (our own quoting never writes one).
_PAIR_RE = re.compile(r"""
    (?P<key> [^=;,]* )
    (?: = (?P<val> (?: [^;,] | ,(?![^=;,]*=) )* ) )?
    (?: [;,] | \Z )
""", re.X)


_SKIPPED = object()     # _parse()'s current cookie after an invalid pair


def _pairs(text):
    """(key, value or None) for each pair of text, as _PAIR_RE splits it.

    Without a comma only ';' separates, and str.split does the same work
    several times faster than the pattern: that is the Cookie header of
    nearly every request."""
    if "," in text:
        return [(m.group("key"), m.group("val"))
                for m in _PAIR_RE.finditer(text)]
    pairs = []
    for piece in text.split(";"):
        key, eq, value = piece.partition("=")
        pairs.append((key, value if eq else None))
    return pairs


def _parse(cls, text, make):
    """Cookies of text, made by make(name, value); see Cookie.parse."""
    if not isinstance(text, str):
        raise TypeError("cookie header must be a str, not %s"
                        % type(text).__name__)
    result = {}
    current = None          # the cookie attributes now apply to
    for key, value in _pairs(text):
        key = key.strip(" \t")
        if not key or key.startswith("$"):
            # RFC 2109 cookies come back with $Version, $Path...: they are
            # the browser's, not the cookie's, and ignored.
            continue
        attr = _HEADER_ATTRIBUTES.get(key.lower())
        if attr is not None and current is not None:
            if current is not _SKIPPED and attr in _SLOTS:
                current._set_parsed(attr, value)
            continue
        if value is None:
            continue        # a bare word that is no cookie
        if not _NAME_RE.match(key):
            # its attributes go with it, not to another cookie
            current = _SKIPPED
            continue
        cookie = make(key, _unquote(value.strip(" \t")))
        current = cookie
        kept = result.get(key)
        # Browsers send the cookie with the most specific path first, so
        # the first of a name wins; but a correctly signed one wins over
        # an earlier one that failed verification (a cookie planted by a
        # sibling domain must not hide the real one).
        if kept is None or (type(kept) is not cls and type(cookie) is cls):
            result[key] = cookie
    return result


def _value_of(text, name):
    """The value of cookie *name* in a Cookie header value, exactly what
    ``Cookie.parse(text)[name].value`` gives (None without that cookie).

    For the code that looks for one cookie on every request, a session id:
    an ordinary header (no comma) needs no Cookie object for every other
    cookie the browser sends."""
    if ("," in text or not _NAME_RE.match(name) or name.startswith("$")
            or name.lower() in _HEADER_ATTRIBUTES):
        cookie = _parse(Cookie, text, Cookie._from_header).get(name)
        return None if cookie is None else cookie.value
    # As _parse does without a comma: the first 'name=value' piece with
    # this name is the cookie (a name that is not an attribute's).
    for piece in text.split(";"):
        key, eq, value = piece.partition("=")
        if eq and key.strip(" \t") == name:
            return _unquote(value.strip(" \t"))
    return None


# ------------------------------------------------------------------ classes

_UNSET_SLOTS = ("version", "path", "domain", "secure", "comment",
                "_expires", "max_age", "commentURL", "discard", "port",
                "httponly", "samesite")


class Cookie(object):
    """Cookie(name, value[, **attributes]): one HTTP cookie.

    The keyword arguments, and the only attributes an instance has, are
    the manual's: name, value, version, path, domain, secure, comment,
    expires, max_age, commentURL, discard, port and __data__ (a dict of
    your own, e.g. for subclasses); and httponly (a flag: scripts in the
    page cannot read the cookie) and samesite ('Strict', 'Lax' or
    'None').  Any other name raises AttributeError.
    A value of the wrong type raises TypeError, one that could not be sent
    safely (a ';' in a path, a newline) ValueError.  ``str(cookie)`` is a
    ``Set-Cookie`` header value.
    """

    __slots__ = ("name", "value", "version", "path", "domain", "secure",
                 "comment", "_expires", "max_age", "commentURL", "discard",
                 "port", "httponly", "samesite", "__data__")

    def __init__(self, name, value, **attributes):
        # None is valid for every attribute: set the slots directly rather
        # than through the checks of __setattr__ (a cookie is made on
        # every request that sets one).
        init = object.__setattr__
        for attr in _UNSET_SLOTS:
            init(self, attr, None)
        init(self, "__data__", {})
        # The checks of __setattr__, done directly: a value needs none.
        init(self, "name", _known_name(name))
        init(self, "value", value)
        for attr, attr_value in attributes.items():
            if attr not in _KEYWORDS:
                raise AttributeError(
                    "%r is not a cookie attribute; allowed are: %s"
                    % (attr, ", ".join(sorted(_KEYWORDS))))
            setattr(self, attr, attr_value)

    def __setattr__(self, attr, value):
        check = _CHECKS.get(attr)
        if check is not None and (value is not None or attr == "name"):
            value = check(attr, value)
        object.__setattr__(self, attr, value)

    @property
    def expires(self):
        """When the cookie expires, as 'Wdy, DD-Mon-YYYY HH:MM:SS GMT'.

        Set it to such a string or to a number of seconds since the epoch
        (converted); anything else raises ValueError.  None: no expiry.
        """
        return self._expires

    @expires.setter
    def expires(self, value):
        self._expires = None if value is None else _expires(value)

    def _wire_value(self):
        """The value as it goes into the header, before quoting."""
        return str(self.value)

    def __str__(self):
        parts = [_pair(self.name, self._wire_value())]
        if self.version is not None:
            parts.append("Version=%d" % self.version)
        if self.path is not None:
            parts.append("Path=%s" % self.path)
        if self.domain is not None:
            parts.append("Domain=%s" % self.domain)
        if self.expires is not None:
            parts.append("expires=%s" % self.expires)
        if self.max_age is not None:
            parts.append("Max-Age=%d" % self.max_age)
        if self.comment is not None:
            parts.append("Comment=%s" % _quote_attribute(self.comment))
        if self.commentURL is not None:
            parts.append("CommentURL=%s" % _quote_attribute(self.commentURL))
        if self.port is not None:
            parts.append("Port=%s" % _quote_attribute(self.port))
        if self.secure:
            parts.append("secure")
        if self.discard:
            parts.append("discard")
        if self.httponly:
            parts.append("HttpOnly")
        if self.samesite is not None:
            parts.append("SameSite=%s" % self.samesite)
        return "; ".join(parts)

    def __repr__(self):
        return "<%s %s=%r>" % (type(self).__name__, self.name, self.value)

    def _set_parsed(self, attr, text):
        """Apply attribute text from a header; drop it if it is invalid."""
        if attr in _FLAGS:
            setattr(self, attr, True)
            return
        if text is None:
            return
        text = text.strip(" \t")
        if attr not in _LITERAL:
            text = _unquote(text)
        try:
            setattr(self, attr, text)
        except (TypeError, ValueError):
            pass    # a client's bad attribute is not the handler's error

    @classmethod
    def _from_header(cls, name, value):
        return cls(name, value)

    @classmethod
    def parse(cls, string):
        """The cookies of a Cookie (or Set-Cookie) header value.

        Returns a dict of cls instances keyed by cookie name.  Attribute
        names are compared in lower case and attributes following a cookie
        are applied to it; ``$``-prefixed ones are ignored.  Pairs that are
        not valid cookies are skipped: any text parses without an error.
        """
        return _parse(cls, string, cls._from_header)


def _secret_key(secret):
    if isinstance(secret, str):
        secret = secret.encode("utf-8", "surrogatepass")
    elif not isinstance(secret, bytes):
        raise TypeError("the secret must be a str (or bytes), not %s"
                        % type(secret).__name__)
    if not secret:
        raise ValueError("the secret must be a non-empty string")
    return secret


def _signature(key, purpose, name, text):
    # The purpose keeps the two kinds apart: a SignedCookie whose value a
    # client chose (and the application signed) must not pass as a
    # MarshalCookie, or that client could have marshal.loads() run on
    # bytes of its choosing.  Names hold no '=', so name=text is one
    # message for one (name, text) pair.
    message = ("%s:%s=%s" % (purpose, name, text)).encode("utf-8",
                                                          "surrogatepass")
    return hmac.new(key, message, _DIGEST).hexdigest()


def _verified(key, purpose, name, wire):
    """The signed text of wire if its signature is right, else None."""
    signature = wire[:_SIGNATURE_LENGTH]
    text = wire[_SIGNATURE_LENGTH:]
    expected = _signature(key, purpose, name, text)
    # compare_digest wants bytes (or ASCII str): wire came from a client.
    if hmac.compare_digest(signature.encode("utf-8", "surrogatepass"),
                           expected.encode("ascii")):
        return text
    return None


class SignedCookie(Cookie):
    """SignedCookie(name, value, secret[, **attributes]).

    A cookie whose name and value are signed with HMAC-SHA256 under
    secret, a non-empty string.  The value is sent as its str().
    """

    __slots__ = ("_secret",)
    _purpose = "signed"

    def __init__(self, name, value, secret, **attributes):
        self._secret = _secret_key(secret)
        super().__init__(name, value, **attributes)

    def _sign(self, text):
        return _signature(self._secret, self._purpose, self.name, text)

    def _wire_value(self):
        text = str(self.value)
        return self._sign(text) + text

    @classmethod
    def _from_header(cls, name, value, key):
        text = _verified(key, cls._purpose, name, value)
        if text is None:
            return Cookie(name, value)
        return cls(name, text, key)

    @classmethod
    def parse(cls, string, secret):
        """Like Cookie.parse(), verifying each cookie's signature.

        A cookie whose signature is right comes back as a cls instance
        with the signature removed from its value; any other (unsigned,
        forged, truncated, signed with another secret) as a plain Cookie
        holding the value as received.
        """
        key = _secret_key(secret)
        return _parse(cls, string,
                      lambda name, value: cls._from_header(name, value, key))


class MarshalCookie(SignedCookie):
    """MarshalCookie(name, value, secret[, **attributes]).

    A signed cookie whose value is any marshallable object (str, int,
    float, bytes, list, tuple, dict, set, None, bool...).  It is
    marshalled when the cookie is converted to a string, so an object that
    marshal cannot handle raises ValueError then.  Parsing checks the
    signature first and unmarshals only correctly signed cookies.
    """

    __slots__ = ()
    _purpose = "marshal"

    def _wire_value(self):
        data = base64.urlsafe_b64encode(marshal.dumps(self.value))
        text = data.decode("ascii")
        return self._sign(text) + text

    @classmethod
    def _from_header(cls, name, value, key):
        text = _verified(key, cls._purpose, name, value)
        if text is None:
            return Cookie(name, value)      # never unmarshalled
        try:
            obj = marshal.loads(base64.urlsafe_b64decode(text))
        except (ValueError, EOFError, TypeError, binascii.Error):
            # Signed by us but unreadable (made by another Python's
            # marshal, say): treated as failing verification.
            return Cookie(name, value)
        return cls(name, obj, key)


# ---------------------------------------------------------------- functions

def add_cookie(req, cookie, value="", **attributes):
    """Add a Set-Cookie header for cookie to req.headers_out.

    cookie is a Cookie (or subclass) instance, or a name, in which case a
    Cookie is made from it, value and the attributes.  Each call adds one
    more Set-Cookie header.  Cache-Control gets no-cache="set-cookie" so
    that shared caches do not hand the cookie to other clients.
    """
    if isinstance(cookie, Cookie):
        if value != "" or attributes:
            raise TypeError("add_cookie(): value and attributes are only "
                            "taken with a cookie name, not a Cookie")
        header = str(cookie)
    elif attributes:
        header = str(Cookie(cookie, value, **attributes))
    else:
        # What str(Cookie(cookie, value)) gives, without the Cookie: the
        # add_cookie(req, name, value) of many a request.
        header = _pair(_known_name(cookie), str(value))
    req.headers_out.add("Set-Cookie", header)
    control = req.headers_out.get("Cache-Control")
    if isinstance(control, list):
        control = ", ".join(control)
    if not control:
        req.headers_out["Cache-Control"] = 'no-cache="set-cookie"'
    elif 'no-cache="set-cookie"' not in control.lower():
        # keep what the handler asked caches for (no-store, private...)
        req.headers_out["Cache-Control"] = (control
                                            + ', no-cache="set-cookie"')


def get_cookies(req, Class=Cookie, **data):
    """The cookies the client sent, as Class.parse(header, **data) gives.

    Class defaults to Cookie; SignedCookie and MarshalCookie need
    secret=... among data.  Without a Cookie header the result is {}.
    """
    header = req.headers_in.get("cookie")
    if not header:
        return {}
    if not isinstance(header, str):
        # several Cookie entries (Apache itself joins them with ", ")
        header = "; ".join(header)
    return Class.parse(header, **data)


def get_cookie(req, name, Class=Cookie, **data):
    """The cookie called name that the client sent, or None.

    As get_cookies(req, Class, **data)[name] (mod_python 3.3+): with
    SignedCookie or MarshalCookie, a cookie whose signature fails comes
    back as a plain Cookie, so check its type.
    """
    return get_cookies(req, Class, **data).get(name)
