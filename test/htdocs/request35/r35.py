"""Request, table, connection and server API of mod_python 3.3-3.5 (and
of 3.2.10's code), chosen by the first word of the query string."""
import json
import os

from mod_python import apache, util

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


def _some(env):
    return {"method": env.get("REQUEST_METHOD"),
            "script_filename": env.get("SCRIPT_FILENAME"),
            "path_info": env.get("PATH_INFO")}


def early(req):
    # r35early (PythonPostReadRequestHandler) fetched the table first.
    env = req.subprocess_env
    first = _some(env)
    req.add_common_vars()
    req.add_cgi_vars()
    return _json(req, {"early": req.r35_early, "first": first,
                       "later": _some(env)})


def addcgi(req):
    env = req.subprocess_env
    del env["QUERY_STRING"]
    del env["REMOTE_ADDR"]
    gone = [env.get("QUERY_STRING"), env.get("REMOTE_ADDR")]
    req.add_cgi_vars()
    cgi_back = [env.get("QUERY_STRING"), env.get("REMOTE_ADDR")]
    del env["REMOTE_ADDR"]
    req.add_common_vars()
    common_back = [env.get("QUERY_STRING"), env.get("REMOTE_ADDR")]
    return _json(req, {"gone": gone, "cgi": cgi_back,
                       "common": common_back})


def commononly(req):
    # 3.3-3.5 code asking for the common variables only: the first fetch
    # of subprocess_env after it does not add the CGI/1.1 ones.
    req.add_common_vars()
    env = req.subprocess_env
    return _json(req, {"remote_addr": env.get("REMOTE_ADDR"),
                       "request_method": env.get("REQUEST_METHOD")})


def _error(call):
    try:
        call()
    except Exception as exc:
        return [type(exc).__name__, str(exc)]
    return None


def tablebytes(req):
    # What CherryPy does: bytes names and values, add() for Set-Cookie.
    out = req.headers_out
    out.add(b"Set-Cookie", b"a=1")
    out.add(b"Set-Cookie", b"b=2")
    out[b"X-Bytes"] = b"caf\xe9"
    out["X-Str"] = "caf\xe9"
    req.content_type = b"text/x-bytes; charset=latin-1"
    errors = {
        "value": _error(lambda: out.__setitem__("X-Euro", "\u20ac")),
        "key": _error(lambda: out.__setitem__("X-\u20ac", "1")),
        "add": _error(lambda: out.add("X-Add-Euro", "5 \u20ac")),
        "int": _error(lambda: out.__setitem__("X-Int", 5)),
        "nul": _error(lambda: out.__setitem__(b"X-Nul", b"a\0b")),
        "ctype": _error(lambda: setattr(req, "content_type",
                                        "text/\u20ac")),
        "ctype_int": _error(lambda: setattr(req, "content_type", 5)),
    }
    req.write(json.dumps({
        "in": [b"x-bytes" in out, "X-BYTES" in out],
        "get": [out.get(b"X-Bytes"), out[b"x-str"]],
        "cookies": out[b"Set-Cookie"],
        "content_type": req.content_type,
        "errors": errors,
        "unchanged": sorted(k for k in out.keys() if k.startswith("X-")),
    }))
    return apache.OK


def construct(req):
    return _json(req, {
        "abs": req.construct_url("/x/y.html?q=1"),
        "rel": req.construct_url("z.html"),
        "empty": req.construct_url(""),
        "scheme": req.construct_url("http://elsewhere.example/a"),
        "mailto": req.construct_url("mailto:a@example.org"),
        "utf8": req.construct_url("/caf\u00e9"),
        "odd": req.construct_url("//double/../x"),
        "nul": _error(lambda: req.construct_url("/a\0b")),
        "int": _error(lambda: req.construct_url(5)),
    })


def construct_deep(req):
    # req.uri is /r35.py/deeper/path: relative names resolve against
    # its directory, as a browser resolves a link.
    return _json(req, {"rel": req.construct_url("z.html"),
                       "up": req.construct_url("../z.html")})


def conditional(req):
    req.update_mtime(1000000000)
    req.update_mtime(5)              # earlier: no change
    errors = {
        "str": _error(lambda: req.update_mtime("x")),
        "negative": _error(lambda: req.update_mtime(-1)),
        "nan": _error(lambda: req.update_mtime(float("nan"))),
    }
    req.set_last_modified()
    req.set_etag()
    status = req.meets_conditions()
    if status != apache.OK:
        return status
    req.headers_out["X-Mtime"] = str(req.mtime)
    return _json(req, {"mtime": req.mtime, "errors": errors,
                       "etag": req.headers_out.get("ETag")})


def discard(req):
    # "?discard&now": discard before anything was read.
    first = b"" if req.args.endswith("&now") else req.readline()
    rc = req.discard_request_body()
    rest = req.read()
    return _json(req, {"first": first.decode(), "rc": rc,
                       "rest": rest.decode()})


def auth(req):
    return _json(req, {"name": req.auth_name(), "type": req.auth_type()})


def misc(req):
    sent = req.send_http_header()
    return _json(req, {
        "send_http_header": sent,
        "exts": req.get_addhandler_exts(),
        "useragent_ip": req.useragent_ip,
        "useragent_addr": list(req.useragent_addr),
        "client_addr": list(req.connection.client_addr),
    })


def upperfilter(req):
    # A filter for this request only, from the handler's own directory.
    req.register_output_filter("UPPER35", "r35filters::upper")
    req.add_output_filter("upper35")          # names ignore case
    req.content_type = "text/plain"
    req.write("hello ")
    req.write("filtered world")
    return apache.OK


def dirfilter(req):
    # dir names where the filter's module is.
    req.register_output_filter("BRACKET35", "r35subfilter",
                               req.document_root() + "/filterdir")
    req.add_output_filter("BRACKET35")
    req.content_type = "text/plain"
    req.write("inside")
    return apache.OK


def configuredfilter(req):
    # A PythonOutputFilter of the configuration, by its name.
    req.add_output_filter("LOWER35")
    req.content_type = "text/plain"
    req.write("QUIET PLEASE")
    return apache.OK


def inputfilter(req):
    req.register_input_filter("SWAP35", "r35filters::swapcase")
    req.add_input_filter("SWAP35")
    body = req.read()
    req.content_type = "text/plain"
    req.write(body)
    return apache.OK


def badfilters(req):
    return _json(req, {
        "unknown": _error(lambda: req.add_output_filter("NO_SUCH_35")),
        "unknown_in": _error(lambda: req.add_input_filter("NO_SUCH_35")),
        # Registered by another request: not this one's.
        "other_request": _error(lambda: req.add_output_filter("UPPER35")),
        "empty_name": _error(lambda: req.register_output_filter(
            "", "r35filters::upper")),
        "bad_handler": _error(lambda: req.register_output_filter(
            "X35", "::upper")),
        "int_handler": _error(lambda: req.register_output_filter("X35", 5)),
        "bad_dir": _error(lambda: req.register_input_filter(
            "X35", "r35filters", 5)),
    })


def statusline(req):
    req.status = 200
    req.status_line = "200 Fine Thanks"
    req.content_type = "text/plain"
    req.write("ok")
    return apache.OK


def nocache(req):
    req.no_cache = True
    req.content_type = "text/plain"
    req.write("do not keep me")
    return apache.OK


def setmembers(req):
    req.args = "a=1&b=2"
    req.uri = "/app/other"
    req.add_cgi_vars()       # SCRIPT_NAME now follows the new uri
    req.user = "joe"
    req.ap_auth_type = "Special"
    req.add_common_vars()
    env = req.subprocess_env
    req.proxyreq = apache.PROXYREQ_REVERSE
    proxyreq = req.proxyreq
    req.proxyreq = apache.PROXYREQ_NONE
    req.chunked = False
    req.no_local_copy = True
    req.canonical_filename = req.filename + "-canonical"
    req.used_path_info = 1          # AP_REQ_REJECT_PATH_INFO
    values = {
        "args": req.args,
        "parsed": util.parse_qs(req.args),
        "uri": req.uri,
        "query_string": env.get("QUERY_STRING"),
        "script_name": env.get("SCRIPT_NAME"),
        "user": req.user,
        "remote_user": env.get("REMOTE_USER"),
        "ap_auth_type": req.ap_auth_type,
        "auth_type_env": env.get("AUTH_TYPE"),
        "proxyreq": proxyreq == apache.PROXYREQ_REVERSE,
        "chunked": req.chunked,
        "no_local_copy": req.no_local_copy,
        "canonical_ok": req.canonical_filename.endswith("-canonical"),
        "used_path_info": req.used_path_info,
    }
    errors = {
        "the_request": _error(lambda: setattr(req, "the_request", "x")),
        "method": _error(lambda: setattr(req, "method", "PUT")),
        "mtime": _error(lambda: setattr(req, "mtime", 5)),
        "useragent_ip": _error(lambda: setattr(req, "useragent_ip", "x")),
        "status_line_int": _error(lambda: setattr(req, "status_line", 5)),
        "chunked_str": _error(lambda: setattr(req, "chunked", "yes")),
        "uri_none": _error(lambda: setattr(req, "uri", None)),
        "proxyreq_str": _error(lambda: setattr(req, "proxyreq", "x")),
        "del_args": _error(lambda: delattr(req, "args")),
    }
    return _json(req, {"values": values, "errors": errors})


def setfinfo(req):
    # 3.5: req.finfo takes what apache.stat() returns.
    path = os.path.join(req.document_root(), "typed", "plain.txt")
    req.finfo = apache.stat(path, apache.APR_FINFO_MIN)
    got = {"fname": req.finfo.fname, "size": req.finfo.size,
           "regular": req.finfo.filetype == apache.APR_REG,
           "tuple_size": req.finfo[apache.FINFO_SIZE]}
    req.finfo = None
    got["none"] = req.finfo is None
    got["str"] = _error(lambda: setattr(req, "finfo", "x"))
    return _json(req, got)


KEPT = {}


def keep(req):
    # The request ends; the server objects must stay usable.
    KEPT["server"] = req.server
    KEPT["base"] = req.connection.base_server
    KEPT["req"] = req
    KEPT["pid"] = os.getpid()
    return _json(req, {"pid": os.getpid()})


def usekept(req):
    import threading
    if KEPT.get("pid") != os.getpid():
        return _json(req, {"same_process": False})
    token = req.args.split("&")[1]
    server, base = KEPT["server"], KEPT["base"]
    got = {"same_process": True,
           "hostname": server.server_hostname,
           "base_hostname": base.server_hostname,
           "old_request": _error(lambda: KEPT["req"].uri)}
    server.log_error("r35-kept-server-%s" % token, apache.APLOG_NOTICE)

    def elsewhere():
        got["thread_hostname"] = server.server_hostname
        base.log_error("r35-kept-base-thread-%s" % token,
                       apache.APLOG_NOTICE)
    t = threading.Thread(target=elsewhere)
    t.start()
    t.join()
    return _json(req, got)


def handler(req):
    what = (req.args or "").split("&")[0]
    func = globals().get(what)
    if func is None or what.startswith("_") or what == "handler":
        return apache.HTTP_NOT_FOUND
    return func(req)
