"""The request, table, connection and server API that mod_python 3.3-3.5
added (and what 3.2.10's code did without its manual saying so): the CGI
variables in req.subprocess_env, bytes in tables, the 3.3-3.5 request
methods and writable members, server objects that outlive the request,
and PythonImport.  Handlers: htdocs/request35/."""
import os

HOST = "request35"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName request35
    DocumentRoot "{htdocs}/request35"
</VirtualHost>
<Directory "{htdocs}/request35">
    AddHandler mod_python .py
    PythonHandler r35
    PythonDebug On
    Header always set X-Env-Method "%{{REQUEST_METHOD}}e"
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


def test_add_cgi_vars_and_add_common_vars(httpd):
    """req.add_cgi_vars() (3.4) puts the CGI/1.1 request variables back
    (QUERY_STRING) and req.add_common_vars() Apache's common ones
    (REMOTE_ADDR), each computing them afresh."""
    r = get(httpd, "/r35.py?addcgi")
    assert r.status_code == 200, r.text
    assert r.json() == {"gone": [None, None],
                        "cgi": ["addcgi", None],
                        "common": ["addcgi", "127.0.0.1"]}
