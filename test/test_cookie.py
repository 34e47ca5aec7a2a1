"""The Cookie module (manual 4.7): the classes and their parsing and
formatting, tested directly (the module needs nothing from Apache), then
add_cookie/get_cookies and the manual's two examples (4.7.3) through a real
httpd and real HTTP clients."""

import base64
import calendar
import json
import marshal
import os
import re
import subprocess
import sys
import time
from email.utils import parsedate_tz

import pytest
import requests
from conftest import count_instructions
from hypothesis import given, settings, strategies as st

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON_LIB = os.path.join(REPO, "lib", "python")
if PYTHON_LIB not in sys.path:
    sys.path.insert(0, PYTHON_LIB)

_dont_write = sys.dont_write_bytecode
sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
from mod_python import Cookie  # noqa: E402  (needs the path above)
sys.dont_write_bytecode = _dont_write

HOST = "cookie"
SECRET = "s3cret"       # the one in htdocs/cookie/api.py

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName cookie
    DocumentRoot "{htdocs}/cookie"
</VirtualHost>
<Directory "{htdocs}/cookie">
    AddHandler mod_python .py
    PythonHandler api
    <Files "setcookie.py">
        PythonHandler setcookie
    </Files>
    <Files "spamcookie.py">
        PythonHandler spamcookie
    </Files>
</Directory>
"""

ATTRIBUTES = ("version", "path", "domain", "secure", "comment", "expires",
              "max_age", "commentURL", "discard", "port", "httponly",
              "samesite")

# ---------------------------------------------------------------- strategies

NAME_ALPHABET = st.characters(
    min_codepoint=0x21, max_codepoint=0xff,
    blacklist_characters='"\\,;=\x7f')
names = st.text(NAME_ALPHABET, min_size=1, max_size=12).filter(
    lambda n: not n.startswith("$"))
# Values: anything, with the characters that need care made frequent.
values = st.one_of(st.text(max_size=30),
                   st.text(alphabet=' ;,="\\\t\r\n\x00\x7f\u00e9\u20ac'
                           '\U0001F600aZ09%$', max_size=30))
url_text = st.text("/abcXYZ019-._~%!*'()+:@&=", max_size=20)
safe_text = st.text(
    st.characters(blacklist_categories=("Cs",),
                  blacklist_characters=";\x7f"
                  + "".join(map(chr, range(32)))),
    max_size=20)
marshallable = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.binary() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)
    | st.tuples(inner, inner),
    max_leaves=10)
# Header-shaped garbage: the separators, quotes, escapes and attribute
# names, so that half-formed pairs and attributes occur often.
header_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(
        ["a", "b=", "=", ";", ",", " ", '"', "\\", "\\073", "$Path", "path",
         "expires", "Max-Age", "secure", "Sat, 14-Jun-2003 02:42:36 GMT",
         "1", "\u00e9", "\x00", "\t", "version", "x=y"]),
        max_size=30).map("".join))


# ------------------------------------------------------ the module, directly

def test_import_outside_apache():
    """4.7: mod_python.Cookie imports where there is no Apache: it needs
    neither _apache nor mod_python.apache."""
    code = ("import sys; from mod_python import Cookie; "
            "assert '_apache' not in sys.modules; "
            "assert 'mod_python.apache' not in sys.modules; "
            "print(Cookie.Cookie('a', 'b'))")
    out = subprocess.run([sys.executable, "-c", code], cwd="/",
                         env={"PYTHONPATH": PYTHON_LIB, "PATH": "/usr/bin",
                              "PYTHONDONTWRITEBYTECODE": "1"},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "a=b\n"


def test_attributes_restricted():
    """4.7.1: only the manual's attribute names are allowed, as keywords
    and as attributes; anything else raises AttributeError."""
    c = Cookie.Cookie("spam", "eggs", path="/", max_age=5, secure=True,
                      __data__={"k": 1})
    assert (c.name, c.value, c.path, c.max_age, c.secure) == \
        ("spam", "eggs", "/", 5, True)
    assert c.__data__ == {"k": 1}
    assert c.domain is None and c.expires is None and c.discard is None
    with pytest.raises(AttributeError, match="colour"):
        Cookie.Cookie("spam", "eggs", colour="red")
    with pytest.raises(AttributeError):
        c.colour = "red"
    with pytest.raises(AttributeError):
        Cookie.SignedCookie("a", "b", "secret", http_only=True)
    with pytest.raises(AttributeError):
        Cookie.MarshalCookie("a", 1, "secret").same_site = "Lax"
    for attr in ATTRIBUTES:
        assert getattr(c, attr, "missing") != "missing"


def test_data_is_per_instance():
    """4.7.1: __data__ is a dict of each cookie's own."""
    a, b = Cookie.Cookie("a", "1"), Cookie.Cookie("b", "2")
    a.__data__["x"] = 1
    assert b.__data__ == {}
    assert isinstance(a.__data__, dict)


def test_expires_number():
    """4.7.1: a number of seconds since the epoch becomes the GMT string
    'Wdy, DD-Mon-YYYY HH:MM:SS GMT'."""
    c = Cookie.Cookie("a", "b", expires=0)
    assert c.expires == "Thu, 01-Jan-1970 00:00:00 GMT"
    c.expires = 1055558556.75
    assert c.expires == "Sat, 14-Jun-2003 02:42:36 GMT"
    c.expires = 253402300799          # the last second of 9999
    assert c.expires == "Fri, 31-Dec-9999 23:59:59 GMT"
    soon = time.time() + 300
    c.expires = soon
    when = parsedate_tz(c.expires.replace("-", " "))
    assert abs(calendar.timegm(when[:9]) - soon) < 1
    c.expires = None
    assert c.expires is None


def test_expires_string():
    """4.7.1: a string must be exactly 'Wdy, DD-Mon-YYYY HH:MM:SS GMT' of
    a real date (weekday included)."""
    c = Cookie.Cookie("a", "b")
    c.expires = "Sat, 14-Jun-2003 02:42:36 GMT"
    assert c.expires == "Sat, 14-Jun-2003 02:42:36 GMT"
    assert str(c) == "a=b; expires=Sat, 14-Jun-2003 02:42:36 GMT"
    c.expires = "Thu, 29-Feb-2024 23:59:59 GMT"
    assert c.expires == "Thu, 29-Feb-2024 23:59:59 GMT"


@pytest.mark.parametrize("bad", [
    "Fri, 14-Jun-2003 02:42:36 GMT",    # wrong weekday
    "Sat, 14 Jun 2003 02:42:36 GMT",    # RFC 1123, not the manual's form
    "Sat, 14-jun-2003 02:42:36 GMT",
    "Sat, 14-Jun-2003 02:42:36 UTC",
    "Sat, 14-Jun-2003 02:42:36 GMT; path=/",
    "Sat, 14-Jun-2003 24:00:00 GMT",
    "Fri, 30-Feb-2024 00:00:00 GMT",
    "Sat, 4-Jun-2003 02:42:36 GMT",
    "Sat, 14-Jun-2003 02:42:36 GMT\r\nX-Evil: 1",
    "", "tomorrow", "1055558556",
    True, [1], b"Sat, 14-Jun-2003 02:42:36 GMT",
    float("nan"), float("inf"), 1e20, -1e20,
])
def test_expires_invalid(bad):
    """4.7.1: an invalid expires raises ValueError, and leaves the old
    value in place."""
    c = Cookie.Cookie("a", "b", expires=0)
    with pytest.raises(ValueError):
        c.expires = bad
    with pytest.raises(ValueError):
        Cookie.Cookie("a", "b", expires=bad)
    assert c.expires == "Thu, 01-Jan-1970 00:00:00 GMT"


def test_str_all_attributes():
    """4.7.1: str() is a Set-Cookie value with the attribute names browsers
    expect; RFC 2109 quoted strings where a value is not a token."""
    c = Cookie.Cookie("spam", "eggs", version=1, path="/app",
                      domain=".example.com", expires=1055558556, max_age=300,
                      comment="for you", commentURL="http://example.com/c",
                      port="80,8080", secure=True, discard=True)
    assert str(c) == (
        'spam=eggs; Version=1; Path=/app; Domain=.example.com; '
        'expires=Sat, 14-Jun-2003 02:42:36 GMT; Max-Age=300; '
        'Comment="for you"; CommentURL="http://example.com/c"; '
        'Port="80,8080"; secure; discard')
    assert str(Cookie.Cookie("a", "")) == "a="
    assert str(Cookie.Cookie("a", 5, secure=False, discard=0)) == "a=5"
    assert str(Cookie.Cookie("a", "b", comment='say "hi"')) == \
        'a=b; Comment="say \\"hi\\""'
    assert repr(Cookie.Cookie("a", "b")) == "<Cookie a='b'>"
    # a comma that parse() would read as a separator (a '=' follows it)
    # is escaped; it reads back as it was
    c = Cookie.Cookie("a", "b", comment=",x,=y", port="1,2")
    assert str(c) == 'a=b; Comment="\\054x\\054=y"; Port="1,2"'
    assert Cookie.Cookie.parse(str(c))["a"].comment == ",x,=y"


def test_value_quoting():
    """4.7.1: a value that is not plain cookie-octets is sent as a quoted
    string whose ';', ',', '"', blanks, backslashes, control and non-ASCII
    characters are octal escapes: it cannot end the pair, the header or
    be cut by a client that splits at ';'."""
    value = 'a; b, "c" \\ d\r\nSet-Cookie: x=1 \u00e9'
    text = str(Cookie.Cookie("v", value))
    assert text == ('v="a\\073\\040b\\054\\040\\042c\\042\\040\\134\\040d'
                    '\\015\\012Set-Cookie:\\040x=1\\040\\303\\251"')
    assert Cookie.Cookie.parse(text)["v"].value == value
    # a value that merely starts with a quote is quoted, so that it does
    # not read back as a quoted string
    assert Cookie.Cookie.parse(str(Cookie.Cookie("q", '"x"')))["q"].value \
        == '"x"'


@pytest.mark.parametrize("attr, bad, error", [
    ("path", "/a; Secure", ValueError),
    ("domain", "x.org\r\nX-Evil: 1", ValueError),
    ("comment", "a;b", ValueError),
    ("commentURL", "\x00", ValueError),
    ("port", 80, TypeError),
    ("path", b"/", TypeError),
    ("max_age", "abc", ValueError),
    ("max_age", 1.5, ValueError),
    ("version", "\u0661", ValueError),     # an Arabic-Indic digit
    ("version", True, ValueError),
    ("name", "a b", ValueError),
    ("name", "a=b", ValueError),
    ("name", "", ValueError),
    ("name", "$Path", ValueError),
    ("name", "a;b", ValueError),
    ("name", None, TypeError),
])
def test_attribute_checks(attr, bad, error):
    """4.7.1: values that would corrupt the header are refused, in the
    constructor and on assignment."""
    c = Cookie.Cookie("a", "b")
    with pytest.raises(error):
        setattr(c, attr, bad)
    if attr != "name":
        with pytest.raises(error):
            Cookie.Cookie("a", "b", **{attr: bad})
    assert str(c) == "a=b"


def test_integer_attributes():
    """4.7.1: version and max_age take integers, or digits (as parsed)."""
    c = Cookie.Cookie("a", "b", max_age="300", version=1)
    assert (c.max_age, c.version) == (300, 1)
    assert str(c) == "a=b; Version=1; Max-Age=300"
    c.max_age = -1
    assert str(c) == "a=b; Version=1; Max-Age=-1"


def test_parse_manual_example():
    """4.7.1 parse(): the manual's example, the comma of the expires date
    included; a dict of Cookie instances keyed by name."""
    mycookies = Cookie.Cookie.parse(
        "spam=eggs; expires=Sat, 14-Jun-2003 02:42:36 GMT")
    spamcookie = mycookies["spam"]
    assert list(mycookies) == ["spam"]
    assert type(spamcookie) is Cookie.Cookie
    assert spamcookie.value == "eggs"
    assert spamcookie.expires == "Sat, 14-Jun-2003 02:42:36 GMT"


def test_parse_attributes():
    """4.7.1 parse(): attribute names in any case apply to the cookie
    before them; invalid attribute values are dropped."""
    cookies = Cookie.Cookie.parse(
        "a=1; PATH=/x; Max-Age=5; SECURE; Domain=.d.org; Version=1; "
        'comment="hi \\"there\\""; CommentURL=http://x/; Port="80,81"; '
        "discard; b=2; expires=garbage; max-age=x; path=/y\x01")
    a, b = cookies["a"], cookies["b"]
    assert (a.value, a.path, a.max_age, a.secure, a.domain, a.version,
            a.comment, a.commentURL, a.port, a.discard) == \
        ("1", "/x", 5, True, ".d.org", 1, 'hi "there"', "http://x/",
         "80,81", True)
    assert (b.value, b.path, b.expires, b.max_age, b.secure) == \
        ("2", None, None, None, None)
    assert set(cookies) == {"a", "b"}


def test_parse_ignores_dollar_attributes():
    """4.7: RFC 2109 cookies come back with $Version, $Path, $Domain:
    ignored, so every incoming cookie is a Netscape one."""
    cookies = Cookie.Cookie.parse(
        '$Version="1"; a="x"; $Path="/"; $Domain=".d"; c=d')
    assert {n: (c.value, c.path, c.domain) for n, c in cookies.items()} == \
        {"a": ("x", None, None), "c": ("d", None, None)}


def test_parse_separators():
    """Pairs separated by ';' or by the ', ' with which Apache joins two
    Cookie headers; a comma not followed by a name= stays in the value."""
    cookies = Cookie.Cookie.parse(
        "a=1, b=2,c=x,y;d = spaced value ; e=; f")
    assert {n: c.value for n, c in cookies.items()} == \
        {"a": "1", "b": "2", "c": "x,y", "d": "spaced value", "e": ""}


def test_parse_later_attributes():
    """parse() of a modern Set-Cookie value: HttpOnly and SameSite after a
    cookie are its attributes, not cookies; a SameSite value that is not
    Strict, Lax or None is dropped."""
    cookies = Cookie.Cookie.parse(
        "sid=1; Path=/; HttpOnly; SameSite=lax; Secure; b=2; samesite=odd")
    assert list(cookies) == ["sid", "b"]
    sid = cookies["sid"]
    assert (sid.path, sid.secure, sid.httponly, sid.samesite) == \
        ("/", True, True, "Lax")
    assert (cookies["b"].httponly, cookies["b"].samesite) == (None, None)


def test_httponly_and_samesite():
    """httponly and samesite (mod_python 3.4+ has httponly): keyword
    arguments and attributes of every cookie class, sent as HttpOnly and
    SameSite=Strict|Lax|None (any case accepted, sent capitalised); any
    other samesite is refused."""
    c = Cookie.Cookie("sid", "v", path="/", secure=True, httponly=True,
                      samesite="strict")
    assert str(c) == "sid=v; Path=/; secure; HttpOnly; SameSite=Strict"
    c.samesite = "NONE"
    c.httponly = False
    assert str(c) == "sid=v; Path=/; secure; SameSite=None"
    for bad, error in (("Loose", ValueError), ("Lax; x=1", ValueError),
                       (1, TypeError)):
        with pytest.raises(error):
            c.samesite = bad
        with pytest.raises(error):
            Cookie.Cookie("a", "b", samesite=bad)
    signed = Cookie.SignedCookie("s", "v", "k", httponly=True, samesite="Lax")
    assert str(signed).endswith("; HttpOnly; SameSite=Lax")
    back = Cookie.SignedCookie.parse(str(signed), "k")["s"]
    assert type(back) is Cookie.SignedCookie
    assert (back.value, back.httponly, back.samesite) == ("v", True, "Lax")
    marshalled = Cookie.MarshalCookie("m", [1], "k", httponly=1)
    assert str(marshalled).endswith("; HttpOnly")


def test_parse_duplicates_first_wins():
    """4.7.1 note: a dict holds one cookie per name; the first is kept
    (browsers send the most specific path first), and attributes after a
    dropped duplicate do not touch the kept one."""
    cookies = Cookie.Cookie.parse("a=1; a=2; path=/two; b=3")
    assert (cookies["a"].value, cookies["a"].path) == ("1", None)
    assert cookies["b"].value == "3"


def test_parse_skips_garbage():
    """parse(): what is not a valid pair is skipped, and attributes after
    an invalid name go to no cookie."""
    cookies = Cookie.Cookie.parse(
        'bad name=1; path=/p; =x; ;;; "q"=2; ok=3; Domain=d; a\\b=4; '
        'path=/ok; Max-Age=5')
    assert list(cookies) == ["ok"]
    assert (cookies["ok"].domain, cookies["ok"].path,
            cookies["ok"].max_age) == ("d", None, None)
    # an attribute name before any cookie is a cookie's name
    assert Cookie.Cookie.parse("path=/p; a=1")["path"].value == "/p"
    assert Cookie.Cookie.parse("") == {}
    with pytest.raises(TypeError):
        Cookie.Cookie.parse(None)


# Headers built to make a parser backtrack or rescan: (head, unit, tail,
# units), the text being head + unit * units + tail.  At full size they are
# far beyond Apache's 8 kB header limit.
_ADVERSARIAL = [("", 'a="', "", 20000), ("", "a=,", "", 20000),
                ("a=", "x,", "", 30000), ("", "x", " y", 60000),
                ("", ", b", "", 20000), ("", "=\\", "", 30000),
                ("a=", "\\073", "", 15000)]

_PARSE_ADVERSARIAL = """
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
from mod_python import Cookie
scale = float(sys.argv[2])
for head, unit, tail, units in %r:
    text = head + unit * int(units * scale) + tail
    Cookie.Cookie.parse(text)
    Cookie.SignedCookie.parse(text, "a secret")
""" % (_ADVERSARIAL,)


def test_parse_linear_time():
    """parse() reads any header in linear time: the work of parsing the
    adversarial headers (unterminated quotes, runs of separators, long
    escapes), counted in CPU instructions, doubles when their size doubles
    (a parser that backtracks or rescans would do four times the work or
    more).  Both Cookie.parse and SignedCookie.parse.  The instructions
    are counted by valgrind (conftest.count_instructions), so other work on
    the machine does not change the result."""
    base = count_instructions(_PARSE_ADVERSARIAL, PYTHON_LIB, 0)
    one = count_instructions(_PARSE_ADVERSARIAL, PYTHON_LIB, 0.0625) - base
    two = count_instructions(_PARSE_ADVERSARIAL, PYTHON_LIB, 0.125) - base
    # sizes 1/16 and 1/8 of the full ones, 940 to 7,500 units each
    assert one > 0, (base, one, two)
    growth = two / one
    assert 1.8 < growth < 2.5, (base, one, two, growth)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab=;,"$ \t\\xé'), max_size=40))
def test_fast_split_same_as_pattern(text):
    """Property: the str.split path that parse() takes for a header without
    commas splits exactly as the general pattern does."""
    text = text.replace(",", "")
    slow = [(m.group("key"), m.group("val"))
            for m in Cookie._PAIR_RE.finditer(text)]
    fast = Cookie._pairs(text)
    # The pattern ends with an empty match at the end of the text, which
    # parse() skips as a pair without a name.
    if slow and slow[-1] == ("", None) and (not fast or fast[-1] != ("", None)):
        slow.pop()
    assert fast == slow


@settings(max_examples=500, deadline=None)
@given(header_text, st.sampled_from(["pysid", "a", "b", "x", "path",
                                     "expires", "$Path", "no=name"]),
       st.booleans(), st.sampled_from(["", " ", "\t", " \t"]),
       st.sampled_from(["v", '"v"', '"a\\073b"', '"q\\"']))
def test_value_of_one_cookie(text, name, with_it, blank, value):
    """Property: the shortcut sessions use to find their id cookie,
    Cookie._value_of(header, name), gives what Cookie.parse does for that
    name, on any header (with the name planted in it, often)."""
    if with_it:
        cut = len(text) // 2
        text = "%s;%s%s=%s%s%s%s" % (text[:cut], blank, name, blank, value,
                                     blank, text[cut:])
    cookie = Cookie.Cookie.parse(text).get(name)
    assert Cookie._value_of(text, name) == (
        None if cookie is None else cookie.value)


class _HeadersOut:
    """Just what add_cookie uses of req.headers_out."""

    def __init__(self):
        self.added = []
        self.fields = {}

    def add(self, name, value):
        self.added.append((name, value))

    def get(self, name, default=None):
        return self.fields.get(name, default)

    def __setitem__(self, name, value):
        self.fields[name] = value


class _Req:
    def __init__(self):
        self.headers_out = _HeadersOut()


@settings(max_examples=300, deadline=None)
@given(st.one_of(names, st.text(max_size=8), st.integers()),
       st.one_of(values, st.integers(), st.floats(allow_nan=False)))
def test_add_cookie_by_name_as_a_cookie(name, value):
    """Property: add_cookie(req, name, value) sends exactly the header of
    add_cookie(req, Cookie(name, value)) (it does not make the Cookie),
    and refuses a bad name with the same error."""
    try:
        expected = str(Cookie.Cookie(name, value))
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc)):
            Cookie.add_cookie(_Req(), name, value)
        return
    req = _Req()
    Cookie.add_cookie(req, name, value)
    assert req.headers_out.added == [("Set-Cookie", expected)]
    assert req.headers_out.fields == {"Cache-Control":
                                      'no-cache="set-cookie"'}


@settings(max_examples=300, deadline=None)
@given(header_text)
def test_parse_never_raises(text):
    """Property: any header text parses, into valid cookies that can be
    sent again and read back the same (names, values, attributes)."""
    for cls, data in ((Cookie.Cookie, {}),
                      (Cookie.SignedCookie, {"secret": SECRET}),
                      (Cookie.MarshalCookie, {"secret": SECRET})):
        cookies = cls.parse(text, **data)
        assert isinstance(cookies, dict)
        for name, c in cookies.items():
            assert isinstance(c, Cookie.Cookie) and c.name == name
            if type(c) is Cookie.Cookie:
                again = Cookie.Cookie.parse(str(c))[name]
                assert [getattr(again, a) for a in ("value",) + ATTRIBUTES] \
                    == [getattr(c, a) for a in ("value",) + ATTRIBUTES]


@settings(max_examples=300, deadline=None)
@given(names, values, st.fixed_dictionaries({}, optional={
    "path": url_text, "domain": url_text, "comment": safe_text,
    "commentURL": safe_text, "port": safe_text,
    "max_age": st.integers(-10, 10 ** 9), "version": st.integers(0, 9),
    "expires": st.integers(0, 253402300799),
    "secure": st.just(True), "discard": st.just(True),
    "httponly": st.just(True),
    "samesite": st.sampled_from(["Strict", "Lax", "None"])}))
def test_format_parse_round_trip(name, value, attributes):
    """Property: str() then parse() gives back name, value and attributes,
    and str() never holds CR, LF or NUL (no header injection)."""
    c = Cookie.Cookie(name, value, **attributes)
    text = str(c)
    assert not set(text) & {"\r", "\n", "\x00"}
    back = Cookie.Cookie.parse(text)
    assert list(back) == [name]
    for attr in ("value",) + ATTRIBUTES:
        assert getattr(back[name], attr) == getattr(c, attr), attr


# ------------------------------------------------------- SignedCookie

def test_signed_round_trip():
    """4.7.1 SignedCookie: the name and value are signed with the secret;
    parse() with the same secret verifies and returns a SignedCookie whose
    value is the original."""
    c = Cookie.SignedCookie("sid", 'v; "1"', SECRET, path="/")
    text = str(c)
    assert text.endswith("; Path=/")
    back = Cookie.SignedCookie.parse(text, SECRET)["sid"]
    assert type(back) is Cookie.SignedCookie
    assert (back.value, back.path) == ('v; "1"', "/")
    # signing happens at str() time, with the current name and value
    c.value = "2"
    assert Cookie.SignedCookie.parse(str(c), SECRET)["sid"].value == "2"


def _wire(text):
    """The value part of a name=value header."""
    return Cookie.Cookie.parse(text)[text.split("=")[0]].value


@pytest.mark.parametrize("make", [
    lambda good: good.replace("=", "=0", 1),                   # shifted
    lambda good: good[:-1],                                    # truncated
    lambda good: good.split("=")[0] + "=" + _wire(good)[:40],  # cut sig
    lambda good: good.split("=")[0] + "=hello",                # unsigned
    lambda good: good.split("=")[0] + "=",                     # empty
    lambda good: str(Cookie.SignedCookie("sid", "hello", "other")),
    lambda good: "sid=" + _wire(str(Cookie.SignedCookie("x", "hello",
                                                        SECRET))),
    lambda good: good[:-5] + "HELLO",                          # value
    lambda good: good[:4] + ("f" if good[4] != "f" else "e") + good[5:],
])
def test_signed_failures_are_plain_cookies(make):
    """4.7.1 SignedCookie.parse: forged, truncated, tampered, unsigned,
    signed with another secret or under another name: a plain Cookie
    holding the value as received."""
    good = str(Cookie.SignedCookie("sid", "hello", SECRET))
    bad = make(good)
    assert bad != good
    c = Cookie.SignedCookie.parse(bad, SECRET)["sid"]
    assert type(c) is Cookie.Cookie
    assert c.value == _wire(bad)


def test_signature_covers_the_split():
    """The signature binds where the name ends and the value begins: the
    value of ("ab", "c") is no valid value of ("a", "bc")."""
    sig = _wire(str(Cookie.SignedCookie("ab", "c", SECRET)))
    forged = "a=%sc" % sig[:-1]
    assert type(Cookie.SignedCookie.parse(forged, SECRET)["a"]) \
        is Cookie.Cookie
    assert type(Cookie.SignedCookie.parse(
        "ab=%s" % sig, SECRET)["ab"]) is Cookie.SignedCookie


def test_signed_duplicate_verified_wins():
    """A correctly signed cookie wins over an earlier one of the same name
    that fails verification (as planted by a sibling domain)."""
    good = str(Cookie.SignedCookie("sid", "mine", SECRET))
    cookies = Cookie.SignedCookie.parse("sid=planted; " + good, SECRET)
    assert type(cookies["sid"]) is Cookie.SignedCookie
    assert cookies["sid"].value == "mine"
    cookies = Cookie.SignedCookie.parse(good + "; sid=planted", SECRET)
    assert cookies["sid"].value == "mine"


@settings(max_examples=200, deadline=None)
@given(names, values, st.data())
def test_signed_any_change_fails(name, value, data):
    """Property: changing any one character of a signed cookie's value as
    sent makes it a plain Cookie."""
    wire = _wire(str(Cookie.SignedCookie(name, value, SECRET)))
    i = data.draw(st.integers(0, len(wire) - 1))
    new = data.draw(st.sampled_from("0af9xZ"))
    if wire[i] == new:
        return
    forged = wire[:i] + new + wire[i + 1:]
    text = str(Cookie.Cookie(name, forged))
    c = Cookie.SignedCookie.parse(text, SECRET)[name]
    assert type(c) is Cookie.Cookie and c.value == forged


@pytest.mark.parametrize("secret, error", [
    ("", ValueError), (b"", ValueError), (None, TypeError), (7, TypeError)])
def test_secret_must_be_a_non_empty_string(secret, error):
    """4.7.1: secret must be a non-empty string, for the constructors and
    for parse()."""
    with pytest.raises(error):
        Cookie.SignedCookie("a", "b", secret)
    with pytest.raises(error):
        Cookie.MarshalCookie("a", 1, secret)
    with pytest.raises(error):
        Cookie.SignedCookie.parse("a=b", secret)
    with pytest.raises(TypeError):
        Cookie.SignedCookie.parse("a=b")


# ------------------------------------------------------- MarshalCookie

@settings(max_examples=200, deadline=None)
@given(names, marshallable)
def test_marshal_round_trip(name, value):
    """4.7.1 MarshalCookie: any marshallable value comes back equal, and
    the header value is plain base64 and hex (never quoted)."""
    text = str(Cookie.MarshalCookie(name, value, SECRET))
    assert re.fullmatch(r"[0-9a-f]{64}[A-Za-z0-9_=-]*",
                        text.split("=", 1)[1])
    c = Cookie.MarshalCookie.parse(text, SECRET)[name]
    assert type(c) is Cookie.MarshalCookie
    assert c.value == value and type(c.value) is type(value)


def test_marshal_unmarshallable_value():
    """4.7.1: a value marshal cannot handle raises ValueError when the
    cookie is converted to a string."""
    c = Cookie.MarshalCookie("a", {"f": object()}, SECRET)
    with pytest.raises(ValueError):
        str(c)


def test_marshal_never_loads_unverified(monkeypatch):
    """4.7.1: the signature is checked before anything is unmarshalled: a
    badly signed MarshalCookie is a plain Cookie still holding the encoded
    text, and marshal.loads is not called for it."""
    calls = []
    real_loads = marshal.loads

    def loads(data):
        calls.append(data)
        return real_loads(data)
    monkeypatch.setattr(marshal, "loads", loads)

    good = str(Cookie.MarshalCookie("m", [1, 2], SECRET))
    assert Cookie.MarshalCookie.parse(good, SECRET)["m"].value == [1, 2]
    assert len(calls) == 1                      # the control: it is used

    evil = base64.urlsafe_b64encode(marshal.dumps(["evil"])).decode()
    for bad in [good[:-4] + evil[-4:],
                str(Cookie.MarshalCookie("m", [1, 2], "other")),
                "m=" + "0" * 64 + evil, "m=" + evil]:
        c = Cookie.MarshalCookie.parse(bad, SECRET)["m"]
        assert type(c) is Cookie.Cookie
        assert c.value == bad.split("=", 1)[1]
    assert len(calls) == 1


def test_signed_value_is_no_marshal_cookie(monkeypatch):
    """A SignedCookie whose value a client chose (base64 of marshal data,
    say) and the application signed does not pass as a MarshalCookie:
    marshal.loads never sees it.  The two kinds sign different messages."""
    calls = []
    monkeypatch.setattr(marshal, "loads", lambda data: calls.append(data))
    chosen = base64.urlsafe_b64encode(marshal.dumps(["evil"])).decode()
    text = str(Cookie.SignedCookie("m", chosen, SECRET))
    assert type(Cookie.SignedCookie.parse(text, SECRET)["m"]) \
        is Cookie.SignedCookie
    c = Cookie.MarshalCookie.parse(text, SECRET)["m"]
    assert type(c) is Cookie.Cookie and calls == []
    text = str(Cookie.MarshalCookie("m", ["x"], SECRET))
    assert type(Cookie.SignedCookie.parse(text, SECRET)["m"]) \
        is Cookie.Cookie


def test_marshal_signed_but_unreadable():
    """A correctly signed value that is not marshal data (another Python's
    marshal, say) is treated as failing verification, not as an error."""
    key = SECRET.encode()
    for text in ["!!!!", "", base64.urlsafe_b64encode(b"\xff\x00").decode()]:
        wire = Cookie._signature(key, "marshal", "m", text) + text
        c = Cookie.MarshalCookie.parse("m=" + wire, SECRET)["m"]
        assert type(c) is Cookie.Cookie and c.value == wire


# ------------------------------------------------------------ through httpd

def test_manual_example_simple_cookie(httpd):
    """4.7.3 first example: a cookie that expires in 300 seconds, with
    Cache-Control: no-cache="set-cookie"."""
    r = httpd.get("/setcookie.py", host=HOST)
    assert r.status_code == 200, r.text
    assert r.text == "This response contains a cookie!\n"
    assert r.headers["Cache-Control"] == 'no-cache="set-cookie"'
    m = re.fullmatch(r"eggs=spam; expires=(.*)", r.headers["Set-Cookie"])
    assert m, r.headers["Set-Cookie"]
    when = calendar.timegm(parsedate_tz(m.group(1).replace("-", " "))[:9])
    assert abs(when - (time.time() + 300)) < 30
    # a real client keeps it
    assert r.cookies["eggs"] == "spam"


def test_manual_example_marshal_cookie(httpd):
    """4.7.3 second example, through requests: the first answer sets the
    MarshalCookie, the client sends it back and the handler shows it
    decoded; a tampered one gets the WARNING."""
    with requests.Session() as s:
        url = httpd.url("/spamcookie.py")
        r = s.get(url, headers={"Host": HOST})
        assert r.status_code == 200, r.text
        assert r.text == "Spam cookie not found, but we just set one!\n"
        sent = r.cookies["spam"]
        assert re.fullmatch(r"[0-9a-f]{64}[A-Za-z0-9_=-]+", sent)

        r = s.get(url, headers={"Host": HOST})
        assert r.status_code == 200, r.text
        assert "Set-Cookie" not in r.headers
        assert r.text == (
            "Great, a spam cookie was found: spam=%s\n"
            "Here is what it looks like decoded: "
            "spam={'egg_count': 32, 'color': 'white'}\n" % sent)

    tampered = sent[:-6] + ("AAAAAA" if sent[-6:] != "AAAAAA" else "BBBBBB")
    r = httpd.get("/spamcookie.py", host=HOST,
                  headers={"Cookie": "spam=" + tampered})
    assert r.status_code == 200, r.text
    assert r.text == (
        "Great, a spam cookie was found: spam=%s\n"
        "WARNING: The cookie found is not a MarshalCookie, it may have "
        "been tampered with!" % tampered)


def test_add_cookie_headers(httpd):
    """4.7.2 add_cookie: one Set-Cookie header per call (both forms: a
    Cookie, and name, value and attributes), and Cache-Control."""
    status, headers, body = httpd.raw_request("/x.py?set", host=HOST)
    assert status == 200, body
    values = [v.decode("latin-1") for v in
              httpd.header_values(headers, b"set-cookie")]
    assert values == [
        'plain="a\\040value\\073\\040with\\040\\042quotes\\042\\054\\040'
        '\\134\\040and\\040\\303\\251"; Path=/',
        'named=v1; Version=1; Path=/; '
        'expires=Thu, 01-Jan-1970 00:00:00 GMT; Max-Age=60; '
        'Comment="a comment"',
        "flagged=x; secure; discard",
    ]
    assert httpd.header_values(headers, b"cache-control") == \
        [b'no-cache="set-cookie"']


def test_add_cookie_keeps_cache_control(httpd):
    """4.7.2: no-cache="set-cookie" is added to a Cache-Control the handler
    set, once however many cookies are added."""
    status, headers, body = httpd.raw_request("/x.py?cachecontrol",
                                              host=HOST)
    assert status == 200, body
    assert httpd.header_values(headers, b"cache-control") == \
        [b'no-store, no-cache="set-cookie"']
    assert httpd.header_values(headers, b"set-cookie") == [b"one=1",
                                                           b"two=2"]


def test_cookies_round_trip_through_client(httpd):
    """4.7.2 get_cookies: what add_cookie set, requests sends back
    (quoted, and the Version=1 one with $Version/$Path) and get_cookies
    reads back unchanged."""
    with requests.Session() as s:
        r = s.get(httpd.url("/x.py?set"), headers={"Host": HOST})
        assert r.status_code == 200, r.text
        r = s.get(httpd.url("/x.py?echo"), headers={"Host": HOST})
        assert r.status_code == 200, r.text
        sent = r.request.headers["Cookie"]
    assert sent.startswith('plain="a\\040value'), sent
    got = r.json()
    none = {"type": "Cookie", "path": None, "expires": None,
            "max_age": None}
    assert got["plain"] == dict(
        none, value='a value; with "quotes", \\ and \u00e9')
    # Max-Age (60) wins over the past expires; the secure cookie is not
    # sent over plain HTTP
    assert got["named"] == dict(none, value="v1")
    assert set(got) == {"plain", "named"}


def test_get_cookies_rfc2109_client(httpd):
    """4.7: an RFC 2109 client (http.cookiejar with rfc2965=True, whose
    exact header this is) sends $Version and $Path: ignored, the cookies
    come out as Netscape ones without attributes."""
    r = httpd.get("/x.py?echo", host=HOST, headers={
        "Cookie": '$Version=1; named=v1; $Path="/"; n2="v2"; $Path="/"'})
    assert r.status_code == 200, r.text
    none = {"type": "Cookie", "path": None, "expires": None,
            "max_age": None}
    assert r.json() == {"named": dict(none, value="v1"),
                        "n2": dict(none, value="v2")}


def test_get_cookies_without_header(httpd):
    """4.7.2 get_cookies: no Cookie header, an empty dict."""
    for what in ("echo", "signed", "marshal"):
        r = httpd.get("/x.py?" + what, host=HOST)
        assert r.status_code == 200, r.text
        assert r.json() == {}


def test_get_cookies_several_headers(httpd):
    """4.7.2 get_cookies: two Cookie headers (Apache joins them with ', ')
    are both read, commas inside values and expires dates kept."""
    status, headers, body = httpd.raw_request(
        "/x.py?echo", host=HOST,
        headers=[("Cookie", "a=1; b=x,y"),
                 ("Cookie", "c=3; expires=Sat, 14-Jun-2003 02:42:36 GMT")])
    assert status == 200, body
    got = json.loads(body)
    assert {n: v["value"] for n, v in got.items()} == \
        {"a": "1", "b": "x,y", "c": "3"}
    assert got["c"]["expires"] == "Sat, 14-Jun-2003 02:42:36 GMT"


def test_signed_and_marshal_through_client(httpd):
    """4.7.1/4.7.2: SignedCookie and MarshalCookie set by add_cookie come
    back verified through get_cookies(req, Class, secret=...).  The secret
    is a str, as the manual's examples give it (mod_python 3.5 raises
    TypeError from hmac with one)."""
    with requests.Session() as s:
        r = s.get(httpd.url("/x.py?setsigned"), headers={"Host": HOST})
        assert r.status_code == 200, r.text
        signed = s.get(httpd.url("/x.py?signed"), headers={"Host": HOST})
        marshalled = s.get(httpd.url("/x.py?marshal"),
                           headers={"Host": HOST})
    assert signed.json()["sig"]["type"] == "SignedCookie"
    assert signed.json()["sig"]["value"] == 'hello world; "x"'
    assert marshalled.json()["mar"]["type"] == "MarshalCookie"
    assert marshalled.json()["mar"]["value"] == repr(
        {"n": [1, 2.5, None, b"\x00\xff", "\u00e9"], "t": (1,)})
    # read as the other kind, each fails verification
    assert marshalled.json()["sig"]["type"] == "Cookie"
    assert signed.json()["mar"]["type"] == "Cookie"


def test_tampered_cookies_through_client(httpd):
    """4.7.1: forged, truncated, unsigned and wrongly signed cookies reach
    the handler as plain Cookies; a bad MarshalCookie keeps its encoded
    text (it was not unmarshalled)."""
    good_sig = _wire(str(Cookie.SignedCookie("sig", "hi", SECRET)))
    good_mar = _wire(str(Cookie.MarshalCookie("mar", [1], SECRET)))
    evil = base64.urlsafe_b64encode(marshal.dumps(["evil"])).decode()
    cases = {
        "sig": ("sig=%s" % good_sig, "SignedCookie"),
        "s1": ("s1=%s" % good_sig, "Cookie"),       # another name
        "s2": (str(Cookie.SignedCookie("s2", "hi", "other")), "Cookie"),
        "s3": ("s3=%s" % good_sig[:30], "Cookie"),
        "s4": ("s4=plain", "Cookie"),
        "mar": ("mar=%s" % good_mar, "MarshalCookie"),
        "m1": ("m1=%s%s" % (good_mar[:64], evil), "Cookie"),
        "m2": ("m2=%s" % evil, "Cookie"),
    }
    header = "; ".join(text for text, _ in cases.values())
    r = httpd.get("/x.py?marshal", host=HOST, headers={"Cookie": header})
    assert r.status_code == 200, r.text
    got = r.json()
    for name, (text, kind) in cases.items():
        if name.startswith("m"):
            assert got[name]["type"] == kind, name
    assert got["mar"]["value"] == "[1]"
    assert got["m1"]["value"] == good_mar[:64] + evil
    assert got["m2"]["value"] == evil
    r = httpd.get("/x.py?signed", host=HOST, headers={"Cookie": header})
    got = r.json()
    for name, (text, kind) in cases.items():
        if name.startswith("s"):
            assert got[name]["type"] == kind, name
    assert got["sig"]["value"] == "hi"
    assert got["s1"]["value"] == good_sig


def test_bad_attribute_is_a_handler_error(httpd):
    """4.7.1: an attribute the manual does not list raises AttributeError:
    a 500 and a log entry, and the next request is served."""
    mark = httpd.log_mark()
    r = httpd.get("/x.py?badattr", host=HOST)
    assert r.status_code == 500
    assert "colour" not in r.text           # PythonDebug is off
    httpd.wait_for_log(r"AttributeError: 'colour' is not a cookie "
                       r"attribute", mark)
    assert httpd.get("/x.py?echo", host=HOST).status_code == 200


# Cookie header values Apache accepts: visible latin-1 and blanks, no
# leading or trailing blank.
HEADER_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0xff,
                             blacklist_characters="\x7f")
sendable = st.one_of(st.text(HEADER_CHARS, min_size=1, max_size=60),
                     header_text.filter(lambda t: all(
                         " " <= ch <= "\xff" and ch != "\x7f" for ch in t)))


@settings(max_examples=40, deadline=None)
@given(sendable.map(lambda t: t.strip(" \t")).filter(bool))
def test_garbage_headers_through_httpd(httpd, text):
    """Property: any Cookie header Apache lets through is parsed by every
    class inside Apache without an error, into cookies that can be sent
    again and read back the same."""
    status, headers, body = httpd.raw_request(
        "/x.py?fuzz", host=HOST, headers=[("Cookie", text)])
    assert status == 200, (text, body)
    result = json.loads(body)
    assert result["same"] is True
    assert result["Cookie"] == len(Cookie.Cookie.parse(text))


def test_get_cookie(httpd):
    """get_cookie(req, name[, Class, data]) (mod_python 3.3+): the one
    cookie of that name as get_cookies(req, Class, **data) would give it,
    None without it; with SignedCookie / MarshalCookie and a str secret
    (mod_python 3.5 hands hmac a str and raises TypeError) a good signature
    gives the class, a bad one a plain Cookie."""
    assert httpd.get("/x.py?one:a", host=HOST).json() is None
    r = httpd.get("/x.py?one:b", host=HOST, headers={"Cookie": "a=1; b=2"})
    assert r.json()["value"] == "2" and r.json()["type"] == "Cookie"
    with requests.Session() as s:
        r = s.get(httpd.url("/x.py?setsigned"), headers={"Host": HOST})
        assert r.status_code == 200, r.text
        signed = s.get(httpd.url("/x.py?onesigned:sig"),
                       headers={"Host": HOST}).json()
        marshalled = s.get(httpd.url("/x.py?onemarshal:mar"),
                           headers={"Host": HOST}).json()
    assert signed == {"type": "SignedCookie", "value": 'hello world; "x"',
                      "path": None, "expires": None, "max_age": None}
    assert marshalled["type"] == "MarshalCookie"
    assert marshalled["value"] == repr(
        {"n": [1, 2.5, None, b"\x00\xff", "\u00e9"], "t": (1,)})
    forged = httpd.get("/x.py?onesigned:sig", host=HOST,
                       headers={"Cookie": "sig=" + "0" * 64 + "x"}).json()
    assert forged["type"] == "Cookie"


def test_httponly_samesite_through_client(httpd):
    """add_cookie with httponly and samesite sends HttpOnly and
    SameSite=Lax on the Set-Cookie header."""
    status, headers, body = httpd.raw_request("/x.py?setflags", host=HOST)
    assert status == 200, body
    assert httpd.header_values(headers, b"set-cookie") == \
        [b"flagged=x; Path=/; HttpOnly; SameSite=Lax"]


def test_raw_bytes_cookie_header(httpd):
    """A Cookie header of raw bytes that are no UTF-8 (mod_python 3.5
    crashes the child on it) is read without an error: get_cookies and
    get_cookie see the latin-1 text of every byte, for each class."""
    header = b"a=\xff\xfe; \xc3\x28=v; b=\x80"
    for what in ("echo", "signed", "marshal", "one:b", "one:%C3%28"):
        status, headers, body = httpd.raw_request(
            "/x.py?" + what, host=HOST, headers=[("Cookie", header)])
        assert status == 200, (what, body)
        got = json.loads(body)
        if what == "echo":
            assert {n: c["value"] for n, c in got.items()} == \
                {"a": "\xff\xfe", "\xc3(": "v", "b": "\x80"}
        elif what == "one:b":
            assert got["value"] == "\x80"
        elif what.startswith("one"):
            assert got["value"] == "v"
        else:
            assert {c["type"] for c in got.values()} == {"Cookie"}
