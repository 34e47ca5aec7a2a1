"""Request, table, connection and server API of mod_python 3.3-3.5 (and
of 3.2.10's code), chosen by the first word of the query string."""
import json

from mod_python import apache

CGI_NAMES = ("GATEWAY_INTERFACE", "SERVER_PROTOCOL", "REQUEST_METHOD",
             "QUERY_STRING", "REQUEST_URI", "SCRIPT_NAME", "PATH_INFO",
             "PATH_TRANSLATED", "SERVER_NAME", "SERVER_PORT", "REMOTE_ADDR",
             "DOCUMENT_ROOT", "SCRIPT_FILENAME", "HTTP_X_MP_TEST")


def _json(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def _cgi(req):
    env = req.subprocess_env
    return {name: env.get(name) for name in CGI_NAMES}


def cgi(req):
    return _json(req, _cgi(req))


def nocgi(req):
    # Never fetches req.subprocess_env: mod_headers reports what Apache's
    # table holds when the response goes out.
    return _json(req, {"touched": False})


def cgionce(req):
    env = req.subprocess_env
    first = env.get("REQUEST_METHOD")
    del env["REQUEST_METHOD"]
    env["QUERY_STRING"] = "changed"
    # A second fetch is the same table and puts nothing back.
    again = req.subprocess_env
    return _json(req, {"first": first,
                       "same": again is env,
                       "after": again.get("REQUEST_METHOD"),
                       "query": again.get("QUERY_STRING")})


def addcgi(req):
    env = req.subprocess_env
    del env["QUERY_STRING"]
    del env["REMOTE_ADDR"]
    gone = [env.get("QUERY_STRING"), env.get("REMOTE_ADDR")]
    req.add_cgi_vars()
    cgi_back = [env.get("QUERY_STRING"), env.get("REMOTE_ADDR")]
    req.add_common_vars()
    common_back = [env.get("QUERY_STRING"), env.get("REMOTE_ADDR")]
    return _json(req, {"gone": gone, "cgi": cgi_back,
                       "common": common_back})


def handler(req):
    what = (req.args or "").split("&")[0]
    func = globals().get(what)
    if func is None or what.startswith("_") or what == "handler":
        return apache.HTTP_NOT_FOUND
    return func(req)
