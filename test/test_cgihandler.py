"""The CGI handler (manual 6.3): unmodified CGI scripts run inside
mod_python.  The scripts are in htdocs/cgihandler/."""

import concurrent.futures
import hashlib
import os
import sys

HOST = "cgihandler"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName cgihandler
    DocumentRoot "{htdocs}/cgihandler"
</VirtualHost>
<Directory "{htdocs}/cgihandler">
    SetHandler mod_python
    PythonHandler mod_python.cgihandler
    PythonDebug On
    SetEnv CGI_TEST_VAR from-setenv
</Directory>
"""


def get(httpd, path, **kw):
    return httpd.get(path, host=HOST, **kw)


def test_hello_script(httpd):
    """6.3: an ordinary CGI script (importing the deprecated cgi module)
    runs; its header block becomes the response's headers."""
    mark = httpd.log_mark()
    r = get(httpd, "/hello.py")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/plain"
    assert r.text == "Hello!\n"
    # the cgi module's DeprecationWarning may be logged, never sent
    assert "Deprecat" not in r.text
    assert "Traceback" not in httpd.error_log_since(mark)


def test_content_length_not_chunked(httpd):
    """A script's body is held and written in one piece: Apache sends a
    Content-Length."""
    status, headers, body = httpd.raw_request("/hello.py", host=HOST)
    assert status == 200
    assert httpd.header_values(headers, b"content-length") == [b"7"]
    assert body == b"Hello!\n"


def test_missing_script(httpd):
    """A URL naming no file is 404 (and a directory too)."""
    assert get(httpd, "/nothing.py").status_code == 404
    assert get(httpd, "/").status_code == 404


def test_cgi_fieldstorage_get(httpd):
    """6.3: cgi.FieldStorage() reads the query string from os.environ."""
    r = get(httpd, "/form.py?a=1&b=x&b=y")
    assert r.status_code == 200
    info = r.json()
    assert info["parser"] == ("cgi" if sys.version_info < (3, 13)
                              else "urllib")
    assert info["fields"] == {"a": "1", "b": ["x", "y"]}


def test_cgi_fieldstorage_post(httpd):
    """6.3: a POSTed form is read by cgi.FieldStorage from sys.stdin."""
    r = httpd.post("/form.py", host=HOST,
                   data={"name": "Joe", "comment": "caf\u00e9 & more"})
    assert r.json()["fields"] == {"name": "Joe",
                                  "comment": "caf\u00e9 & more"}


def test_cgi_fieldstorage_upload(httpd):
    """6.3: a multipart upload is read by cgi.FieldStorage from
    sys.stdin.buffer."""
    r = httpd.post("/form.py", host=HOST, data={"note": "n"},
                   files={"f": ("a.txt", b"uploaded\n", "text/plain")})
    assert r.json()["fields"] == {
        "note": "n", "f": {"filename": "a.txt", "data": "uploaded\n"}}


def test_environment(httpd):
    """6.3: os.environ holds the CGI/1.1 variables (RFC 3875 4.1) and
    SetEnv ones; the script runs as __main__ with argv [its file], in its
    directory."""
    r = get(httpd, "/env.py/extra/path?x=1&y=2",
            headers={"X-Test-Header": "hv"})
    assert r.status_code == 200
    info = r.json()
    env = info["environ"]
    script = os.path.join(httpd.htdocs, "cgihandler", "env.py")
    expected = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "x=1&y=2",
        "REQUEST_URI": "/env.py/extra/path?x=1&y=2",
        "SCRIPT_NAME": "/env.py",
        "PATH_INFO": "/extra/path",
        "PATH_TRANSLATED": os.path.join(httpd.htdocs, "cgihandler")
        + "/extra/path",
        "SCRIPT_FILENAME": script,
        "SERVER_NAME": "cgihandler",
        "REMOTE_ADDR": "127.0.0.1",
        "DOCUMENT_ROOT": os.path.join(httpd.htdocs, "cgihandler"),
        "HTTP_HOST": "cgihandler",
        "HTTP_X_TEST_HEADER": "hv",
        "CGI_TEST_VAR": "from-setenv",
    }
    for key, value in expected.items():
        assert env.get(key) == value, key
    for key in ("SERVER_SOFTWARE", "SERVER_ADDR", "REMOTE_PORT", "PATH"):
        assert env.get(key), key
    # Apache's answer: the Host header names no port, so 80
    assert env["SERVER_PORT"].isdigit()
    # the environment is the CGI one, not the server process's
    assert "PYTHONPATH" not in env
    assert info["argv"] == [script]
    assert info["name"] == "__main__"
    assert info["cwd"] == os.path.join(httpd.htdocs, "cgihandler")
    # 6.3: only the interpreter's os.environ changes: a child process sees
    # the CGI variables when given env=os.environ, not otherwise
    assert info["child_given_environ"] == "GET"
    assert info["child_inheriting"] == ""


def test_post_environment(httpd):
    """RFC 3875 4.1: CONTENT_TYPE and CONTENT_LENGTH describe the body."""
    r = httpd.post("/env.py", host=HOST, data=b"abc",
                   headers={"Content-Type": "text/x-test"})
    env = r.json()["environ"]
    assert env["REQUEST_METHOD"] == "POST"
    assert env["CONTENT_TYPE"] == "text/x-test"
    assert env["CONTENT_LENGTH"] == "3"
    assert "PATH_INFO" not in env


def test_environment_restored(httpd):
    """6.3: the CGI variables live only for the run: the next request's
    script sees its own, and none left over."""
    get(httpd, "/env.py?first", headers={"X-Only-First": "1"})
    for _ in range(4):
        env = get(httpd, "/env.py?second").json()["environ"]
        assert env["QUERY_STRING"] == "second"
        assert "HTTP_X_ONLY_FIRST" not in env


def test_stdin_bytes(httpd):
    """6.3: sys.stdin.buffer reads the request body, large ones too."""
    body = os.urandom(300000)
    r = httpd.post("/stdin.py", host=HOST, data=body)
    assert r.text == "%d %s\n" % (len(body), hashlib.sha256(body).hexdigest())


def test_stdin_chunked(httpd):
    """A chunked request body (no Content-Length) is read to its end."""
    def chunks():
        yield b"a" * 1000
        yield b"b" * 2000
    r = httpd.post("/stdin.py", host=HOST, data=chunks())
    data = b"a" * 1000 + b"b" * 2000
    assert r.text == "3000 %s\n" % hashlib.sha256(data).hexdigest()


def test_stdin_text_lines(httpd):
    """6.3: sys.stdin is text too: iterating gives the lines."""
    r = httpd.post("/stdin.py?lines", host=HOST,
                   data="one\ntwo \u00e9\n".encode("utf-8"))
    assert r.content.decode("utf-8") == "line: one\nline: two \u00e9\n"


def test_status_header(httpd):
    """RFC 3875 6.3.3: Status: sets the response status; the script's
    body is sent with it."""
    r = get(httpd, "/headers.py?status")
    assert r.status_code == 404
    assert r.text == "the script's own not-found page\n"


def test_client_redirect(httpd):
    """RFC 3875 6.2.3/6.2.4: an absolute Location: is a 302 redirect (or
    the Status: given)."""
    r = get(httpd, "/headers.py?redirect")
    assert r.status_code == 302
    assert r.headers["Location"] == "http://example.org/elsewhere"
    r = get(httpd, "/headers.py?moved")
    assert r.status_code == 301
    assert r.headers["Location"].endswith("/hello.py")


def test_local_redirect(httpd):
    """RFC 3875 6.2.2: a local Location: (a path, no Status) makes Apache
    serve that URI instead; the script's body is dropped."""
    r = get(httpd, "/headers.py?local")
    assert r.status_code == 200
    assert r.text == "Hello!\n"
    assert "Location" not in r.headers


def test_other_headers(httpd):
    """6.3: other headers go into the response, repeated ones included; a
    Content-Length from the script is replaced by the true one."""
    status, headers, body = httpd.raw_request("/headers.py?cookies",
                                              host=HOST)
    assert status == 200
    assert httpd.header_values(headers, b"set-cookie") == [b"a=1", b"b=2"]
    assert httpd.header_values(headers, b"x-custom") == [b"yes"]
    assert httpd.header_values(headers, b"content-length") == [b"8"]
    assert body == b"cookies\n"


def test_crlf_and_folded_headers(httpd):
    """RFC 3875 6.3: header lines may end with CRLF; a folded
    continuation line joins the header before it."""
    r = get(httpd, "/headers.py?crlf")
    assert r.headers["X-Crlf"] == "1"
    assert r.text == "body"
    r = get(httpd, "/headers.py?folded")
    assert r.headers["X-Folded"] == "a b"
    assert r.text == "folded\n"


def test_bad_header_blocks(httpd):
    """A script whose output does not start with a header block and a
    blank line is a 500 with a clear log entry (as under mod_cgi)."""
    cases = {
        "malformed": "malformed header line",
        "badstatus": "malformed Status",
        "nothing": "printed nothing",
        "noblank": "does not end with a blank line",
        "plain": "malformed header line",
    }
    for query, message in cases.items():
        mark = httpd.log_mark()
        r = get(httpd, "/headers.py?" + query)
        assert r.status_code == 500, query
        assert message in httpd.wait_for_log(message, mark), query


def test_binary_output(httpd):
    """Bytes written to sys.stdout.buffer come out in order with the
    text printed around them."""
    r = get(httpd, "/binary.py")
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert r.content == bytes(range(256)) + b"text after the bytes"


def test_sys_exit(httpd):
    """sys.exit() ends the script; what it printed is the response."""
    r = get(httpd, "/exits.py")
    assert (r.status_code, r.text) == (200, "before exit\n")


def test_script_error(httpd):
    """A script's exception is a 500 (the traceback with PythonDebug On)
    and the partial output is not sent; the next request is served."""
    mark = httpd.log_mark()
    r = get(httpd, "/fails.py")
    assert r.status_code == 500
    assert "the CGI script failed" in r.text
    assert "partial output" not in r.text
    assert "RuntimeError" in httpd.wait_for_log("RuntimeError", mark)
    assert get(httpd, "/hello.py").text == "Hello!\n"


def test_current_directory(httpd):
    """6.3: the script runs in its own directory."""
    assert get(httpd, "/cwd.py").text == "data file next to cwd.py\n"


def test_flush_streams(httpd):
    """Flushing sys.stdout sends what was printed so far: the response is
    then chunked, and complete."""
    status, headers, body = httpd.raw_request("/flush.py", host=HOST)
    assert status == 200
    assert body == b"first part\nsecond part\n"
    assert httpd.header_values(headers, b"transfer-encoding") == [b"chunked"]


def test_imported_module_reloaded(httpd):
    """6.3: modules the script imported are dropped from sys.modules after
    each run, except the standard library's: an edited module takes
    effect on the next request."""
    helper = os.path.join(httpd.htdocs, "cgihandler", "cgihelper.py")
    with open(helper, "w") as f:
        f.write('VALUE = "helper version 1"\n')
    runs = [get(httpd, "/imports.py").json() for _ in range(6)]
    assert all(run["value"] == "helper version 1" for run in runs)
    # the application's module is never left loaded...
    assert not any(run["had_helper"] for run in runs)
    # ...while json stays (the same child answers several of these)
    assert any(run["had_json"] for run in runs)
    with open(helper, "w") as f:
        f.write('VALUE = "helper version 2, edited"\n')
    for _ in range(4):
        assert get(httpd, "/imports.py").json()["value"] == \
            "helper version 2, edited"


def test_script_edit_recompiled(httpd):
    """The script is compiled once per modification: an edit is seen by
    the next request."""
    path = os.path.join(httpd.htdocs, "cgihandler", "edited.py")
    for version in ("one", "two, longer"):
        with open(path, "w") as f:
            f.write('print("Content-Type: text/plain")\nprint()\n'
                    'print("version %s")\n' % version)
        os.chmod(path, 0o644)
        for _ in range(4):
            assert get(httpd, "/edited.py").text == "version %s\n" % version


def test_concurrent_scripts_do_not_mix(httpd):
    """6.3: one script runs at a time per interpreter, so concurrent
    requests (threads of one child under event/worker) never get each
    other's output or environment."""
    def fetch(ident):
        r = get(httpd, "/slow.py?%s" % ident)
        return ident, r.status_code, r.text

    expected = lambda ident: "".join(  # noqa: E731
        ["%s line %d\n" % (ident, i) for i in range(5)]
        + ["%s env %s\n" % (ident, ident)])
    idents = ["client%02d" % i for i in range(40)]
    # (each request has the harness's 30 s timeout: a hang fails it)
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        results = list(pool.map(fetch, idents))
    for ident, status, text in results:
        assert status == 200, ident
        assert text == expected(ident)
