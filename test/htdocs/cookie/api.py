"""Cookie module checks (manual 4.7) chosen by the query string; each
answers JSON describing what the handler saw."""
import json
import urllib.parse

from mod_python import apache, Cookie

SECRET = "s3cret"


def _json(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def _describe(cookies):
    return {name: {"type": type(c).__name__,
                   "value": c.value if isinstance(c.value, str)
                   else repr(c.value),
                   "path": c.path, "expires": c.expires,
                   "max_age": c.max_age}
            for name, c in cookies.items()}


def handler(req):
    what = req.args or ""
    if what == "set":
        # an instance, and the name/value/attributes form
        Cookie.add_cookie(req, Cookie.Cookie(
            "plain", 'a value; with "quotes", \\ and \u00e9', path="/"))
        Cookie.add_cookie(req, "named", "v1", path="/", max_age=60,
                          expires=0, comment="a comment", version=1)
        Cookie.add_cookie(req, "flagged", "x", secure=True, discard=True)
        return _json(req, "ok")
    if what == "setflags":
        Cookie.add_cookie(req, "flagged", "x", httponly=True, samesite="lax",
                          path="/")
        return _json(req, "ok")
    if what == "setsigned":
        Cookie.add_cookie(req, Cookie.SignedCookie(
            "sig", 'hello world; "x"', SECRET, path="/"))
        Cookie.add_cookie(req, Cookie.MarshalCookie(
            "mar", {"n": [1, 2.5, None, b"\x00\xff", "\u00e9"], "t": (1,)},
            SECRET, path="/"))
        return _json(req, "ok")
    if what == "cachecontrol":
        req.headers_out["Cache-Control"] = "no-store"
        Cookie.add_cookie(req, "one", "1")
        Cookie.add_cookie(req, "two", "2")
        return _json(req, "ok")
    if what.startswith("one"):
        # one<kind>:NAME -- get_cookie(req, NAME[, Class, secret=...])
        kind, _, name = what.partition(":")
        # a name of any bytes, as the header carries them (latin-1)
        name = urllib.parse.unquote(name, encoding="latin-1")
        if kind == "one":
            cookie = Cookie.get_cookie(req, name)
        elif kind == "onesigned":
            cookie = Cookie.get_cookie(req, name, Cookie.SignedCookie,
                                       secret=SECRET)
        else:
            cookie = Cookie.get_cookie(req, name, Class=Cookie.MarshalCookie,
                                       secret=SECRET)
        return _json(req, None if cookie is None
                     else _describe({name: cookie})[name])
    if what == "echo":
        return _json(req, _describe(Cookie.get_cookies(req)))
    if what == "signed":
        return _json(req, _describe(Cookie.get_cookies(
            req, Cookie.SignedCookie, secret=SECRET)))
    if what == "marshal":
        return _json(req, _describe(Cookie.get_cookies(
            req, Cookie.MarshalCookie, secret=SECRET)))
    if what == "fuzz":
        # Whatever the client sent, each class parses it, and every cookie
        # that comes out can be sent again and reads back the same.
        header = req.headers_in.get("cookie", "")
        counts = {}
        for cls, data in ((Cookie.Cookie, {}),
                          (Cookie.SignedCookie, {"secret": SECRET}),
                          (Cookie.MarshalCookie, {"secret": SECRET})):
            cookies = cls.parse(header, **data)
            counts[cls.__name__] = len(cookies)
        same = True
        for name, c in Cookie.Cookie.parse(header).items():
            back = Cookie.Cookie.parse(str(c))[name]
            same = same and (back.value, back.path, back.expires) == \
                (c.value, c.path, c.expires)
        counts["same"] = same
        return _json(req, counts)
    if what == "badattr":
        Cookie.add_cookie(req, "a", "b", colour="red")
        return apache.OK
    return apache.HTTP_NOT_FOUND
