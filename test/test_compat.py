"""What mod_python 3.2.10's code offered beyond its manual, and what
mod_python 3.3-3.5 added, outside the request path (Doc/porting.rst,
Doc/apache.rst "Compatibility", Doc/connection.rst, Doc/server.rst,
Doc/util.rst apply_fs_data).  Handlers: test/htdocs/compat/compat.py."""

import os
import re

HOST = "compat"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName compat
    ServerAdmin compat@compat.test
    DocumentRoot "{htdocs}/compat"
    KeepAlive On
    MaxKeepAliveRequests 77
    LimitRequestFieldSize 4000
    <Directory "{htdocs}/compat">
        SetHandler mod_python
        PythonHandler compat
        PythonDebug On
    </Directory>
</VirtualHost>
"""


def _get(httpd, check, **kw):
    r = httpd.get("/compat.py/" + check, host=HOST, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def test_added_names_and_constants(httpd):
    """apache has 3.2.10's helpers and 3.3-3.5's names: the constants
    come from Apache's and APR's headers, exists_config is
    exists_config_define, main_server is the main server's object, and
    mod_python.python22 imports as a harmless no-op."""
    info = _get(httpd, "names")
    assert info["missing"] == []
    c = info["consts"]
    assert c["HTTP_UPGRADE_REQUIRED"] == 426
    assert c["HTTP_IM_A_TEAPOT"] == 418
    assert c["HTTP_TOO_MANY_REQUESTS"] == 429
    assert (c["AP_CONN_UNKNOWN"], c["AP_CONN_CLOSE"],
            c["AP_CONN_KEEPALIVE"]) == (0, 1, 2)
    assert (c["APR_NOFILE"], c["APR_REG"], c["APR_DIR"]) == (0, 1, 2)
    assert c["APR_FINFO_NORM"] == 0x0073b170
    assert c["APR_FINFO_MIN"] == 0x00008170
    assert c["APR_FINFO_SIZE"] == 0x100
    # Apache 2.4's module magic number major is 20120211.
    assert c["MODULE_MAGIC_NUMBER_MAJOR"] == 20120211
    assert c["MODULE_MAGIC_NUMBER_MINOR"] > 0
    assert info["exists_config_is_alias"] is True
    assert info["exists_config"] == [False]
    # BASE_CONF's main server: ServerName 127.0.0.1, not a virtual host.
    assert info["main_server"] == ["mp_server", "127.0.0.1", False,
                                   "mp-tests@127.0.0.1"]
    assert info["python22"] == [True, True]


def test_stat_and_finfo_object(httpd):
    """apache.stat(fname, wanted) returns an mp_finfo: attributes as in
    3.5, and the old 12-tuple when indexed with FINFO_* or unpacked;
    FINFO_FILETYPE indexes the type; a missing file is APR_NOFILE;
    bad arguments raise clear errors."""
    info = _get(httpd, "stat")
    assert info["type"] == "mp_finfo"
    assert info["len"] == 12 and info["tuple_len"] == 12
    assert info["equals_tuple"] is True
    assert info["unpacked"][:9] == [True] * 9
    assert info["unpacked"][9] is None      # APR_FINFO_NAME not asked for
    assert info["attrs"] == [True] * 11
    assert info["dir"] == [True, True]
    assert info["missing"] == [True, None, None, None, None, True]
    assert info["errors"] == {"int_name": "TypeError", "nul": "ValueError",
                              "no_wanted": "TypeError",
                              "index13": "IndexError"}
    assert info["repr"].startswith("<mp_finfo fname=")


def test_resolve_object_and_module_mtime(httpd):
    """resolve_object walks dotted names, instantiating a class met on
    the way with arg; silent returns None; a missing name raises an
    AttributeError naming the module file.  module_mtime is the file's
    modification time, 0 for a module without a file."""
    info = _get(httpd, "resolve")
    assert info["greet"] == "hello world"
    assert info["plain"] is True
    assert info["silent"] is None and info["silent_top"] is None
    assert "compat.py' contains no 'Nowhere'" in info["missing"]
    assert info["mtime_ok"] is True
    assert info["mtime_builtin"] == 0


def test_build_cgi_env(httpd):
    """build_cgi_env(req) holds the CGI/1.1 variables of the request, with
    SCRIPT_NAME/PATH_INFO split, GATEWAY_INTERFACE Python-CGI/1.1 and the
    client's Authorization header as HTTP_AUTHORIZATION."""
    env = _get(httpd, "cgienv/more?x=1&y=2",
               headers={"Authorization": "Basic dXNlcjpwdw==",
                        "X-Compat": "header"})
    assert env["SCRIPT_NAME"] == "/compat.py"
    assert env["PATH_INFO"] == "/cgienv/more"
    assert env["QUERY_STRING"] == "x=1&y=2"
    assert env["REQUEST_METHOD"] == "GET"
    assert env["GATEWAY_INTERFACE"] == "Python-CGI/1.1"
    assert env["HTTP_AUTHORIZATION"] == "Basic dXNlcjpwdw=="
    assert env["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert env["REQUEST_URI"] == "/compat.py/cgienv/more?x=1&y=2"
    assert env["REMOTE_ADDR"] == "127.0.0.1"
    assert env["SERVER_NAME"] == "compat"
    assert env["HTTP_X_COMPAT"] == "header"


def test_setup_cgi_and_restore_nocgi(httpd):
    """setup_cgi gives a script CGI's stdin, stdout and environment: the
    header block it prints sets the status, content type and headers, the
    body follows; restore_nocgi puts stdin, stdout and os.environ back
    (each to its own place)."""
    r = httpd.post("/compat.py/cgirun", host=HOST, data=b"posted data")
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.headers["X-Compat"] == "yes"
    assert r.content == (b"method=POST\nbody=posted data\n"
                         b"caf\xc3\xa9\nrestored=True\n")


def test_apply_fs_data(httpd):
    """util.apply_fs_data calls a function, class or callable object with
    the form fields its parameters name (a list for a repeated field, the
    Field for an upload); others are dropped unless it takes **kwargs;
    keyword arguments given to apply_fs_data win over form fields."""
    r = httpd.post("/compat.py/applyfs?a=1&b=2&c=3&x=9&req=forged",
                   host=HOST, data={"b": "again", "zzz": "dropped"})
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["function"] == {"a": "1", "b": ["2", "again"], "c": "3"}
    assert info["takes_all"] == {"req": "/compat.py/applyfs",
                                 "kw": ["a", "b", "c", "x", "zzz"]}
    assert info["class"] == {"x": "9", "y": 0}
    assert info["builtin"] == {}
    assert "needs a callable" in info["bad"]
    r = httpd.post("/compat.py/applyfs?a=only&many=1&many=2", host=HOST,
                   files={"upload": ("up.txt", b"file body",
                                     "text/plain")})
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["function"] == {"a": "only", "b": "default", "c": None}
    assert info["callable"] == {"upload": ["up.txt", "file body"],
                                "many": ["1", "2"]}


def test_connection_members(httpd):
    """3.3-3.5's connection members: client_ip and client_addr (the
    same as remote_ip / remote_addr), local_ip, local_host, id, notes as
    a table, and log_error(message, level) with the client's address."""
    mark = httpd.log_mark()
    info = _get(httpd, "conn?c1")
    assert info["client_ip"] == info["remote_ip"] == "127.0.0.1"
    assert info["client_addr"][0] == "127.0.0.1"
    assert info["client_addr"][1] > 0
    assert info["local_ip"] == "127.0.0.1"
    assert isinstance(info["id"], int)
    assert info["notes"] == "noted" and info["notes_type"] == "mp_table"
    text = httpd.wait_for_log("compat-conn-log-c1", mark)
    line = [l for l in text.splitlines() if "compat-conn-log-c1" in l][0]
    assert ":notice]" in line and "127.0.0.1" in line


def test_server_members(httpd):
    """3.3-3.5's server members reflect the virtual host's directives;
    my_generation and restart_time describe the running server;
    server.log_error writes to its log."""
    mark = httpd.log_mark()
    info = _get(httpd, "server?s1")
    assert info["keep_alive_max"] == 77
    assert info["keep_alive"] is True
    assert info["limit_req_fieldsize"] == 4000
    assert info["limit_req_line"] == 8190
    assert info["limit_req_fields"] == 100
    assert info["pathlen"] == 0
    assert info["my_generation"] == 0       # not restarted
    assert info["restart_time_type"] == "float"
    assert info["restart_time_past"] is True
    assert re.search(r":notice\].*compat-server-log-s1",
                     httpd.wait_for_log("compat-server-log-s1", mark))


def test_saved_server_objects_outlive_the_request(httpd):
    """req.server and req.connection.base_server, once fetched, stay
    usable after the request (the server record lives as long as the
    process): a thread logs through them, with apache.log_error(msg,
    level, server) and server.log_error, after its request ended."""
    mark = httpd.log_mark()
    assert _get(httpd, "keep?k1") == {"kept": True}
    wanted = ["compat-kept-apache-k1", "compat-kept-base-k1",
              "compat-kept-main-k1", "compat-kept-members-k1-compat"]
    text = httpd.wait_for_log(wanted[-1], mark)
    for token in wanted:
        assert token in text, (token, text[-2000:])
