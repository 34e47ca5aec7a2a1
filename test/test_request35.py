"""The request, table, connection and server API that mod_python 3.3-3.5
added (and what 3.2.10's code did without its manual saying so): the CGI
variables in req.subprocess_env, bytes in tables, the 3.3-3.5 request
methods and writable members, server objects that outlive the request,
and PythonImport.  Handlers: htdocs/request35/."""
import json
import os

HOST = "request35"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName request35
    DocumentRoot "{htdocs}/request35"
    PythonPostReadRequestHandler r35early
    PythonPath "sys.path + ['{htdocs}/request35', '{htdocs}/request35/early']"
</VirtualHost>
PythonOutputFilter r35filters::lower LOWER35
<Directory "{htdocs}/request35">
    AddHandler mod_python .py .mpy
    PythonHandler r35
    PythonDebug On
    Header always set X-Env-Method "%{{REQUEST_METHOD}}e"
</Directory>
<Directory "{htdocs}/request35/typed">
    PythonFixupHandler r35typed::fixup
    PythonHandler r35typed::show
</Directory>
<Directory "{htdocs}/request35/authdir">
    AuthType Basic
    AuthName "r35 realm"
</Directory>
"""


def get(httpd, path, **kw):
    return httpd.get(path, host=HOST, **kw)


# ---------------------------------------------------------------- CGI vars

def test_cgi_vars_in_subprocess_env(httpd):
    """3.2.10's behaviour: req.subprocess_env holds the CGI variables of
    ap_add_common_vars and ap_add_cgi_vars without the handler asking,
    PATH_INFO/SCRIPT_NAME split at the script and PATH_TRANSLATED from
    the path info; request headers as HTTP_*."""
    # SERVER_PORT is the port the client named in Host (UseCanonicalName
    # Off, Apache's default).
    r = httpd.get("/r35.py/extra/path?cgi&x=1",
                  host="%s:%d" % (HOST, httpd.port),
                  headers={"X-Mp-Test": "hello"})
    assert r.status_code == 200, r.text
    env = r.json()
    assert env["GATEWAY_INTERFACE"] == "CGI/1.1"
    assert env["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert env["REQUEST_METHOD"] == "GET"
    assert env["QUERY_STRING"] == "cgi&x=1"
    assert env["REQUEST_URI"] == "/r35.py/extra/path?cgi&x=1"
    assert env["SCRIPT_NAME"] == "/r35.py"
    assert env["PATH_INFO"] == "/extra/path"
    assert env["PATH_TRANSLATED"] == os.path.join(
        httpd.htdocs, "request35", "extra", "path")
    assert env["SERVER_NAME"] == "request35"
    assert env["SERVER_PORT"] == str(httpd.port)
    assert env["REMOTE_ADDR"] == "127.0.0.1"
    assert env["DOCUMENT_ROOT"] == os.path.join(httpd.htdocs, "request35")
    assert env["SCRIPT_FILENAME"] == os.path.join(
        httpd.htdocs, "request35", "r35.py")
    assert env["HTTP_X_MP_TEST"] == "hello"


def test_cgi_vars_only_when_subprocess_env_is_fetched(httpd):
    """The CGI variables are computed lazily: a request whose handlers
    never fetch req.subprocess_env leaves Apache's table without them
    (mod_headers, reading the table as the response goes out, finds no
    REQUEST_METHOD), one that fetches it has them there for Apache too."""
    r = get(httpd, "/r35.py?nocgi")
    assert r.status_code == 200, r.text
    assert r.headers["X-Env-Method"] == "(null)"
    r = get(httpd, "/r35.py?cgi")
    assert r.status_code == 200, r.text
    assert r.headers["X-Env-Method"] == "GET"


def test_cgi_vars_added_once_per_request(httpd):
    """The variables go in on the first fetch only: what the handler then
    deletes or changes stays so on later fetches of the same request (and
    the table object is the same)."""
    r = get(httpd, "/r35.py?cgionce")
    assert r.status_code == 200, r.text
    assert r.json() == {"first": "GET", "same": True, "after": None,
                        "query": "changed"}
    assert r.headers["X-Env-Method"] == "(null)"


def test_cgi_vars_fetched_before_the_uri_is_mapped(httpd):
    """A PythonPostReadRequestHandler may fetch req.subprocess_env before
    Apache has mapped the URI to a file: the variables are those of that
    moment (no SCRIPT_FILENAME yet), nothing breaks, and add_cgi_vars()
    and add_common_vars() in the content handler bring them up to date."""
    r = get(httpd, "/r35.py/more?early", headers={"X-R35-Early": "1"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["early"] == {"method": "GET", "script_filename": None,
                            "path_info": None}
    # The content handler's fetch does not compute them again.
    assert got["first"] == got["early"]
    assert got["later"] == {"method": "GET",
                            "script_filename": os.path.join(
                                httpd.htdocs, "request35", "r35.py"),
                            "path_info": "/more"}


def test_add_cgi_vars_and_add_common_vars(httpd):
    """req.add_cgi_vars() (3.4) puts all the CGI variables back, the
    CGI/1.1 request variables (QUERY_STRING) and Apache's common ones
    (REMOTE_ADDR), as 3.4 made it the superset of req.add_common_vars();
    each computes them afresh."""
    r = get(httpd, "/r35.py?addcgi")
    assert r.status_code == 200, r.text
    assert r.json() == {"gone": [None, None],
                        "cgi": ["addcgi", "127.0.0.1"],
                        "common": ["addcgi", "127.0.0.1"]}


def test_add_common_vars_first_gets_only_those(httpd):
    """Code that calls req.add_common_vars() itself (3.3-3.5's way) gets
    the common variables and not the CGI/1.1 ones on its next fetch of
    req.subprocess_env, which 3.2.10-style code gets all of."""
    r = get(httpd, "/r35.py?commononly")
    assert r.status_code == 200, r.text
    assert r.json() == {"remote_addr": "127.0.0.1", "request_method": None}


# ---------------------------------------------------------------- bytes

def test_bytes_in_tables_and_content_type(httpd):
    """3.5: table keys and values and req.content_type take bytes, sent to
    the client as they are and read back as latin-1 str (what CherryPy
    does: headers_out.add(b"Set-Cookie", b"...")); lookups take bytes
    keys too."""
    status, headers, body = httpd.raw_request("/r35.py?tablebytes",
                                              host=HOST)
    assert status == 200, body
    assert httpd.header_values(headers, b"Set-Cookie") == [b"a=1", b"b=2"]
    assert httpd.header_values(headers, b"X-Bytes") == [b"caf\xe9"]
    assert httpd.header_values(headers, b"X-Str") == [b"caf\xe9"]
    assert httpd.header_values(headers, b"Content-Type") == [
        b"text/x-bytes; charset=latin-1"]

    got = json.loads(body)
    assert got["in"] == [True, True]
    assert got["get"] == ["caf\u00e9", "caf\u00e9"]
    assert got["cookies"] == ["a=1", "b=2"]
    assert got["content_type"] == "text/x-bytes; charset=latin-1"


def test_non_latin1_header_text_is_a_type_error_naming_the_key(httpd):
    """A str that is not latin-1 cannot reach Apache, which holds bytes:
    TypeError naming the key (for a value too) and the character; other
    types are TypeError, a NUL byte ValueError; nothing is stored."""
    status, headers, body = httpd.raw_request("/r35.py?tablebytes",
                                              host=HOST)
    assert status == 200, body

    errors = json.loads(body)["errors"]
    kind, msg = errors["value"]
    assert kind == "TypeError" and "'X-Euro'" in msg and "U+20AC" in msg
    kind, msg = errors["key"]
    assert kind == "TypeError" and "'X-\u20ac'" in msg and "U+20AC" in msg
    kind, msg = errors["add"]
    assert kind == "TypeError" and "'X-Add-Euro'" in msg
    assert "position 2" in msg
    kind, msg = errors["int"]
    assert kind == "TypeError" and "'X-Int'" in msg and "int" in msg
    kind, msg = errors["nul"]
    assert kind == "ValueError" and "b'X-Nul'" in msg
    kind, msg = errors["ctype"]
    assert kind == "TypeError" and "content_type" in msg
    assert errors["ctype_int"][0] == "TypeError"
    assert json.loads(body)["unchanged"] == ["X-Bytes", "X-Str"]
    for name in (b"X-Euro", b"X-Add-Euro", b"X-Int", b"X-Nul"):
        assert httpd.header_values(headers, name) == []


# ---------------------------------------------------------------- methods

def test_construct_url(httpd):
    """3.3 construct_url(uri): this server's scheme, name and port (80
    left out) in front of a path; a relative uri resolves against
    req.uri's directory; a uri with a scheme comes back unchanged; odd
    paths never crash; a NUL or a non-str is refused."""
    r = get(httpd, "/r35.py?construct")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["abs"] == "http://request35/x/y.html?q=1"
    assert got["rel"] == "http://request35/z.html"
    assert got["empty"] == "http://request35/"
    assert got["scheme"] == "http://elsewhere.example/a"
    assert got["mailto"] == "mailto:a@example.org"
    assert got["utf8"] == "http://request35/caf\u00e9"
    assert got["odd"] == "http://request35//double/../x"
    assert got["nul"][0] == "ValueError"
    assert got["int"][0] == "TypeError"
    r = get(httpd, "/r35.py/deeper/path?construct_deep")
    assert r.json() == {"rel": "http://request35/r35.py/deeper/z.html",
                        "up": "http://request35/r35.py/deeper/../z.html"}
    # The port the client named is kept.
    r = httpd.get("/r35.py?construct", host="%s:%d" % (HOST, httpd.port))
    assert r.json()["abs"] == "http://request35:%d/x/y.html?q=1" % httpd.port


def test_update_mtime_set_last_modified_set_etag(httpd):
    """3.3 update_mtime(t) moves req.mtime forward only;
    set_last_modified() and set_etag() send Last-Modified and ETag from
    it, so meets_conditions() answers a matching If-None-Match or
    If-Modified-Since with 304.  Bad times are refused."""
    r = get(httpd, "/r35.py?conditional")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["mtime"] == 1000000000
    assert r.headers["Last-Modified"] == "Sun, 09 Sep 2001 01:46:40 GMT"
    etag = r.headers["ETag"]
    assert etag and got["etag"] == etag
    assert got["errors"]["str"][0] == "TypeError"
    assert got["errors"]["negative"][0] == "ValueError"
    assert got["errors"]["nan"][0] == "ValueError"
    r = get(httpd, "/r35.py?conditional", headers={"If-None-Match": etag})
    assert r.status_code == 304
    r = get(httpd, "/r35.py?conditional",
            headers={"If-Modified-Since": "Sun, 09 Sep 2001 01:46:40 GMT"})
    assert r.status_code == 304
    r = get(httpd, "/r35.py?conditional",
            headers={"If-Modified-Since": "Sat, 08 Sep 2001 01:46:40 GMT"})
    assert r.status_code == 200


def test_discard_request_body(httpd):
    """3.3 discard_request_body(): the rest of the body (past what
    readline() read ahead) is thrown away; it returns apache.OK and a
    later read() finds nothing."""
    body = b"first line\n" + b"x" * 50000 + b"\nlast line\n"
    r = httpd.post("/r35.py?discard", host=HOST, data=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"first": "first line\n", "rc": 0, "rest": ""}
    r = httpd.post("/r35.py?discard&now", host=HOST, data=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"first": "", "rc": 0, "rest": ""}


def test_auth_name_and_auth_type(httpd):
    """3.3 auth_name() and auth_type(): AuthName and AuthType in effect,
    None where there are none."""
    r = get(httpd, "/r35.py?auth")
    assert r.json() == {"name": None, "type": None}
    r = get(httpd, "/authdir/page.py?auth")
    assert r.status_code == 200, r.text
    assert r.json() == {"name": "r35 realm", "type": "Basic"}


def test_send_http_header_exts_and_useragent(httpd):
    """send_http_header() is a no-op kept for 2.x code;
    get_addhandler_exts() lists the extensions AddHandler maps to
    mod_python here; useragent_ip and useragent_addr are the client's
    address (the connection's when no mod_remoteip)."""
    r = get(httpd, "/r35.py?misc")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["send_http_header"] is None
    assert sorted(got["exts"].split()) == ["mpy", "py"]
    assert got["useragent_ip"] == "127.0.0.1"
    assert got["useragent_addr"] == got["client_addr"]
    assert got["useragent_addr"][0] == "127.0.0.1"
    assert got["useragent_addr"][1] > 0


# ---------------------------------------------------------------- filters

def test_register_and_add_output_filter(httpd):
    """3.3 register_output_filter(name, handler) makes a Python filter
    for this request; add_output_filter(name) (any case) puts it on the
    response, which it rewrites."""
    r = get(httpd, "/r35.py?upperfilter")
    assert r.status_code == 200, r.text
    assert r.text == "HELLO FILTERED WORLD"


def test_register_output_filter_with_dir(httpd):
    """register_output_filter(name, 'module', dir): the module is found
    in dir; without ::object the filter's function is outputfilter."""
    r = get(httpd, "/r35.py?dirfilter")
    assert r.status_code == 200, r.text
    assert r.text == "[inside]"


def test_add_output_filter_of_the_configuration(httpd):
    """add_output_filter(name) also adds filters Apache knows by name,
    such as a PythonOutputFilter of the configuration."""
    r = get(httpd, "/r35.py?configuredfilter")
    assert r.status_code == 200, r.text
    assert r.text == "quiet please"


def test_register_and_add_input_filter(httpd):
    """3.3 register_input_filter() and add_input_filter(): the request
    body read afterwards has gone through the Python filter."""
    r = httpd.post("/r35.py?inputfilter", host=HOST,
                   data=b"Hello Input " * 1000)
    assert r.status_code == 200, r.text
    assert r.content == b"hELLO iNPUT " * 1000


def test_filter_registration_errors(httpd):
    """An unknown filter name is a ValueError (a filter registered by an
    earlier request is not this one's); register_*_filter() refuses an
    empty name, a malformed handler and a dir that is not a str."""
    assert get(httpd, "/r35.py?upperfilter").status_code == 200
    r = get(httpd, "/r35.py?badfilters")
    assert r.status_code == 200, r.text
    got = r.json()
    for name in ("unknown", "unknown_in", "other_request"):
        assert got[name][0] == "ValueError", got[name]
    assert "NO_SUCH_35" in got["unknown"][1]
    assert got["empty_name"][0] == "ValueError"
    assert got["bad_handler"][0] == "ValueError"
    assert got["int_handler"][0] == "TypeError"
    assert got["bad_dir"][0] == "TypeError"


# ---------------------------------------------------------------- members

def test_status_line_is_writable(httpd):
    """3.5: req.status_line, when it matches req.status, is the status
    line Apache sends."""
    status, headers, body = httpd.raw_request("/r35.py?statusline",
                                              host=HOST)
    assert status == 200
    raw = httpd.raw(b"GET /r35.py?statusline HTTP/1.0\r\nHost: request35"
                    b"\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 200 Fine Thanks\r\n"), raw[:100]


def test_no_cache_makes_apache_send_expires(httpd):
    """3.5: req.no_cache = True makes Apache mark the response
    uncacheable: it adds an Expires header (the request's date)."""
    r = get(httpd, "/r35.py?nocache")
    assert r.status_code == 200, r.text
    assert "Expires" in r.headers
    r = get(httpd, "/r35.py?nocgi")
    assert "Expires" not in r.headers


def test_writable_members(httpd):
    """3.5's writable members: args, uri (add_cgi_vars() then follows
    them), user and ap_auth_type (add_common_vars() then gives
    REMOTE_USER and AUTH_TYPE), proxyreq, chunked, no_local_copy,
    canonical_filename, used_path_info; read-only members raise
    AttributeError, wrong types TypeError."""
    r = get(httpd, "/r35.py?setmembers")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["values"] == {
        "args": "a=1&b=2", "parsed": {"a": ["1"], "b": ["2"]},
        "uri": "/app/other", "query_string": "a=1&b=2",
        "script_name": "/app/other",
        "user": "joe", "remote_user": "joe",
        "ap_auth_type": "Special", "auth_type_env": "Special",
        "proxyreq": True, "chunked": False, "no_local_copy": True,
        "canonical_ok": True, "used_path_info": 1}
    errors = got["errors"]
    for name in ("the_request", "method", "mtime", "useragent_ip"):
        assert errors[name][0] == "AttributeError", (name, errors[name])
    for name in ("status_line_int", "chunked_str", "uri_none",
                 "proxyreq_str", "del_args"):
        assert errors[name][0] == "TypeError", (name, errors[name])


def test_handler_is_writable(httpd):
    """3.5: req.handler written by a fixup handler hands a static .txt
    file to mod_python, whose PythonHandler then serves it."""
    r = get(httpd, "/typed/plain.txt")
    assert r.status_code == 200, r.text
    assert r.text == "through Python: plain text\n"


def test_finfo_is_writable(httpd):
    """3.5: req.finfo = apache.stat(path, wanted) makes that file the
    request's; None means no file; anything else is a TypeError."""
    r = get(httpd, "/r35.py?setfinfo")
    assert r.status_code == 200, r.text
    path = os.path.join(httpd.htdocs, "request35", "typed", "plain.txt")
    assert r.json() == {"fname": path, "size": os.path.getsize(path),
                        "regular": True,
                        "tuple_size": os.path.getsize(path),
                        "none": True, "str": r.json()["str"]}
    assert r.json()["str"][0] == "TypeError"


# ---------------------------------------------------------------- server

def test_server_objects_serve_a_later_request(httpd):
    """req.server and req.connection.base_server kept in a module global
    stay usable in a later request of the same process (the server record
    lives as long as the process), there and from a thread, while the
    old request object raises RuntimeError."""
    import requests
    token = "t%d" % os.getpid()
    mark = httpd.log_mark()
    with requests.Session() as s:
        # One keep-alive connection: one child serves both requests.
        headers = {"Host": HOST}
        r = s.get(httpd.url("/r35.py?keep"), headers=headers, timeout=30)
        assert r.status_code == 200, r.text
        r = s.get(httpd.url("/r35.py?usekept&" + token), headers=headers,
                  timeout=30)
        assert r.status_code == 200, r.text
    got = r.json()
    assert got["same_process"] is True
    assert got["hostname"] == "request35"
    assert got["base_hostname"] == "127.0.0.1"
    assert got["thread_hostname"] == "request35"
    assert got["old_request"][0] == "RuntimeError"
    text = httpd.wait_for_log("r35-kept-base-thread-" + token, mark)
    assert "r35-kept-server-" + token in text


# ---------------------------------------------------------------- import

IMPORT_CONF = """
PythonPath "sys.path + ['{htdocs}/request35/imports']"
PythonImport r35startup::started r35imp
PythonImport r35startup_broken::explode r35imp
<VirtualHost *:{port}>
    ServerName r35imp
    DocumentRoot "{htdocs}/request35/imports"
</VirtualHost>
<Directory "{htdocs}/request35/imports">
    SetHandler mod_python
    PythonHandler r35importreport
    PythonInterpreter r35imp
</Directory>
"""


def test_python_import_with_python_path_and_function(extra_httpd):
    """PythonImport (manual 5.1) imports with the server's PythonPath
    applied, as 3.2.10 did, and module::function (3.3) calls the function
    once in each child, in the named interpreter.  A function that raises
    is logged (MP0006) with its traceback, and the child serves on."""
    server = extra_httpd(IMPORT_CONF, name="r35import")
    for _ in range(6):
        r = server.get("/x", host="r35imp")
        assert r.status_code == 200, r.text
        got = r.json()
        assert got["interpreter"] == "r35imp"
        assert got["calls"] == [got["pid"]]
        assert got["broken_imported"] is True
    text = server.wait_for_log("r35 import boom")
    assert "MP0006" in text and "r35startup_broken::explode" in text
    assert "Traceback (most recent call last)" in text
    assert "ValueError: r35 import boom" in text
