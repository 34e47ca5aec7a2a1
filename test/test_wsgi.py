"""mod_python.wsgi (Doc/wsgi.rst): WSGI applications (PEP 3333) as
mod_python 3.4+ configures them, checked against wsgiref's validator.

The applications live in htdocs/wsgi/apps.py; every well-behaved one is
wrapped in wsgiref.validate.validator, so a request only succeeds when the
server side of PEP 3333 is right too."""

import json
import os
import re
import socket
import subprocess
import threading
import time

import pytest
import requests

from conftest import free_port, parse_response

HOST = "wsgi"

_APPS = {
    "/env": "apps::environ_app",
    "/status": "apps::status_app",
    "/echo": "apps::echo_app",
    "/echoall": "apps::echo_all_app",
    "/stream": "apps::stream_app",
    "/failiter": "apps::failing_iterable_app",
    "/write": "apps::write_app",
    "/single": "apps::single_app",
    "/singleplain": "apps::single_plain_app",
    "/excinfo": "apps::exc_info_app",
    "/excinfolate": "apps::exc_info_late_app",
    "/errors": "apps::errors_app",
    "/file": "apps::file_app",
    "/sendfile": "apps::sendfile_app",
    "/filelike": "apps::filelike_app",
    "/bad/str": "apps::returns_str",
    "/bad/twice": "apps::starts_twice",
    "/bad/notiter": "apps::not_iterable",
    "/bad/first": "apps::raises_first",
    "/bad/later": "apps::raises_later",
    "/bad/header": "apps::bad_header",
    "/bad/status": "apps::bad_status",
    "/bad/short": "apps::short_body",
    "/bad/noattr": "apps::no_such_app",
    "/bad/nomodule": "no_such_wsgi_module",
    "/bad/notcallable": "apps::not_callable",
    "/defaultname": "defaultapp",
}


def _locations():
    out = []
    for path, spec in _APPS.items():
        out.append("""    <Location %s>
        PythonOption mod_python.wsgi.application %s
    </Location>""" % (path, spec))
    return "\n".join(out)


HTTPD_CONF = """
PythonOutputFilter wsgiupper WSGIUPPER
<VirtualHost *:{port}>
    ServerName wsgi
    DocumentRoot "{htdocs}/wsgi"
    SetEnv WSGI_TEST_VAR "{var}"
    PythonPath "['{htdocs}/wsgi'] + sys.path"
    <Location />
        SetHandler mod_python
        PythonHandler mod_python.wsgi
    </Location>
%(locations)s
    <Location /env-slash/>
        PythonOption mod_python.wsgi.application apps::environ_app
    </Location>
    <Location /bad/unset>
        PythonOption mod_python.wsgi.application
    </Location>
    <Location /badbase>
        PythonOption mod_python.wsgi.application apps::environ_app
        PythonOption mod_python.wsgi.base_uri /badbase/
    </Location>
    <Location /interp1>
        PythonInterpreter wsgi_one
        PythonOption mod_python.wsgi.application apps::environ_app
    </Location>
    <Location /interp2>
        PythonInterpreter wsgi_two
        PythonOption mod_python.wsgi.application apps::environ_app
    </Location>
    <Location /auth>
        AuthType Basic
        AuthName "wsgi"
        Require valid-user
        PythonAuthenHandler wsgiauth
        PythonOption mod_python.wsgi.application apps::user_app
    </Location>
    <Location /filtered>
        SetOutputFilter WSGIUPPER
        PythonOption mod_python.wsgi.application apps::lower_app
    </Location>
</VirtualHost>
<Directory "{htdocs}/wsgi/dir">
    SetHandler mod_python
    PythonHandler mod_python.wsgi
    PythonOption mod_python.wsgi.application apps::environ_app
</Directory>
<Directory "{htdocs}/wsgi/based">
    SetHandler mod_python
    PythonHandler mod_python.wsgi
    PythonOption mod_python.wsgi.application apps::environ_app
    PythonOption mod_python.wsgi.base_uri /based
</Directory>
""".replace("%(locations)s", _locations())


def env(httpd, path, **kw):
    r = httpd.get(path, host=HOST, **kw)
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- environ

def test_location_is_script_name(httpd):
    """Doc/wsgi.rst, SCRIPT_NAME: inside <Location /env> SCRIPT_NAME is
    /env and PATH_INFO the rest of the URI (as mod_python 3.5)."""
    e = env(httpd, "/env/a/b?x=1&y=%20")
    assert e["SCRIPT_NAME"] == "/env"
    assert e["PATH_INFO"] == "/a/b"
    assert e["QUERY_STRING"] == "x=1&y=%20"
    assert e["REQUEST_URI"] == "/env/a/b?x=1&y=%20"
    assert e["has_request"] is True
    e = env(httpd, "/env")
    assert (e["SCRIPT_NAME"], e["PATH_INFO"]) == ("/env", "")


def test_location_trailing_slash(httpd):
    """Doc/wsgi.rst: a <Location> path's trailing slash is dropped."""
    e = env(httpd, "/env-slash/x")
    assert (e["SCRIPT_NAME"], e["PATH_INFO"]) == ("/env-slash", "/x")


def test_directory_and_base_uri(httpd):
    """Doc/wsgi.rst: in a <Directory> SCRIPT_NAME is '' and PATH_INFO the
    whole URI, unless mod_python.wsgi.base_uri names the prefix."""
    e = env(httpd, "/dir/some/where")
    assert (e["SCRIPT_NAME"], e["PATH_INFO"]) == ("", "/dir/some/where")
    e = env(httpd, "/based/x/y")
    assert (e["SCRIPT_NAME"], e["PATH_INFO"]) == ("/based", "/x/y")


def test_bad_base_uri(httpd):
    """Doc/wsgi.rst: a base_uri ending in '/' is a configuration error:
    500 and MP0254 in the log."""
    mark = httpd.log_mark()
    r = httpd.get("/badbase/x", host=HOST)
    assert r.status_code == 500
    httpd.wait_for_log(r"MP0254: .*base_uri '/badbase/'", mark)


def test_required_cgi_and_wsgi_keys(httpd):
    """PEP 3333, environ variables: every required CGI key and wsgi.* key,
    the MPM's threading in wsgi.multithread/multiprocess."""
    e = env(httpd, "/env/k", headers={"X-Custom-Thing": "v1",
                                      "Host": "wsgi:%d" % httpd.port})
    for key in ("REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO",
                "QUERY_STRING", "SERVER_NAME", "SERVER_PORT",
                "SERVER_PROTOCOL", "REMOTE_ADDR", "HTTP_HOST"):
        assert key in e, key
    assert e["REQUEST_METHOD"] == "GET"
    assert e["SERVER_NAME"] == "wsgi"
    assert e["SERVER_PORT"] == str(httpd.port)
    assert e["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert e["HTTP_X_CUSTOM_THING"] == "v1"
    assert e["wsgi.version"] == [1, 0]
    assert e["wsgi.url_scheme"] == "http"
    assert e["wsgi.run_once"] is False
    assert e["wsgi.multithread"] is (httpd.mpm != "prefork")
    assert e["wsgi.multiprocess"] is True
    assert e["WSGI_TEST_VAR"] == httpd.var


def test_content_headers_and_authorization(httpd):
    """PEP 3333: CONTENT_TYPE/CONTENT_LENGTH without HTTP_ prefix;
    Authorization passed as HTTP_AUTHORIZATION, as mod_python 3.5 did."""
    r = httpd.post("/env/p", host=HOST, data=b"abc",
                   headers={"Content-Type": "text/x-thing",
                            "Authorization": "Bearer tok"})
    e = r.json()
    assert e["CONTENT_TYPE"] == "text/x-thing"
    assert e["CONTENT_LENGTH"] == "3"
    assert "HTTP_CONTENT_TYPE" not in e
    assert e["HTTP_AUTHORIZATION"] == "Bearer tok"


def test_latin1_strings(httpd):
    """PEP 3333, unicode issues: PATH_INFO and headers carry the request's
    bytes decoded as latin-1 (a UTF-8 URI arrives as mojibake)."""
    status, headers, body = httpd.raw_request(
        "/env/caf%C3%A9", host=HOST, headers=[(b"X-Bytes", b"\xe9t\xe9")])
    assert status == 200
    e = json.loads(body)
    assert e["PATH_INFO"] == "/caf\u00c3\u00a9"
    assert e["PATH_INFO"].encode("latin-1").decode("utf-8") == "/caf\u00e9"
    assert e["HTTP_X_BYTES"] == "\u00e9t\u00e9"


def test_interpreter_per_location(httpd):
    """PythonInterpreter chooses the interpreter for mod_python.wsgi as
    for any handler."""
    assert env(httpd, "/interp1/")["interpreter"] == "wsgi_one"
    assert env(httpd, "/interp2/")["interpreter"] == "wsgi_two"


def test_default_callable_name(httpd):
    """Doc/wsgi.rst: without ::callable the name is 'application'."""
    r = httpd.get("/defaultname/", host=HOST)
    assert r.status_code == 200
    assert r.text == "default application"


# ------------------------------------------------------- status, headers

def test_status_and_headers_as_given(httpd):
    """PEP 3333, start_response: the status line and headers go to the
    client as given, a custom reason phrase included (3.5 always sent
    200)."""
    status, headers, body = httpd.raw_request(
        "/status?status=299%20Quite%20Fine&X-One=1&body=hi", host=HOST)
    assert status == 299
    raw = httpd.raw(b"GET /status?status=418%20Short%20And%20Stout "
                    b"HTTP/1.1\r\nHost: wsgi\r\nConnection: close\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 418 Short And Stout\r\n"), raw[:80]
    names = [n.lower() for n, _ in headers]
    assert (b"X-One", b"1") in headers
    assert [v for n, v in headers if n == b"X-Repeat"] == [b"a", b"b"]
    assert b"content-type" in names
    assert body == b"hi"
    r = httpd.get("/status?status=404%20Not%20Here&body=gone", host=HOST)
    assert (r.status_code, r.reason, r.text) == (404, "Not Here", "gone")


def test_single_item_list_has_content_length(httpd):
    """Doc/wsgi.rst: a one-item list goes out in one write with a
    Content-Length, not chunked."""
    status, headers, body = httpd.raw_request("/singleplain", host=HOST)
    assert status == 200
    assert body == b"one plain piece"
    assert (b"Content-Length", b"15") in headers
    assert b"Transfer-Encoding" not in dict(headers)
    # Under the validator the list is an iterator like any other.
    assert httpd.get("/single", host=HOST).text == "one piece"


def test_write_callable(httpd):
    """PEP 3333, the write() callable: its bytes come before the
    iterable's."""
    r = httpd.get("/write", host=HOST)
    assert r.text == "written twice then returned"


def test_exc_info_before_headers(httpd):
    """PEP 3333, exc_info: before anything was sent, start_response with
    exc_info replaces the status and headers."""
    r = httpd.get("/excinfo", host=HOST)
    assert (r.status_code, r.reason, r.text) == (503, "Try Later", "sorry")
    assert "X-Dropped" not in r.headers


def test_exc_info_after_headers(httpd):
    """PEP 3333, exc_info: once headers are sent start_response re-raises
    it; the response is cut and the error logged once."""
    mark = httpd.log_mark()
    status, headers, body = httpd.raw_request("/excinfolate", host=HOST)
    assert status == 200
    assert b"partial" in body and not body.endswith(b"0\r\n\r\n")
    httpd.wait_for_log(r"MP0260: the WSGI application "
                       r"apps::exc_info_late_app raised KeyError", mark)


# ------------------------------------------------------------ streaming

def test_streamed_as_produced_and_closed(httpd):
    """PEP 3333, buffering and streaming: the first chunk reaches the
    client before the application makes the second (which waits for the
    test to release it); close() is called at the end."""
    token = "stream%d" % os.getpid()
    release = socket.socket()
    release.bind(("127.0.0.1", 0))
    release.listen(1)
    release.settimeout(20)
    port = release.getsockname()[1]
    with socket.create_connection(("127.0.0.1", httpd.port),
                                  timeout=20) as s:
        s.sendall(b"GET /stream?port=%d&token=%s HTTP/1.1\r\nHost: wsgi\r\n"
                  b"Connection: close\r\n\r\n" % (port, token.encode()))
        data = b""
        while b"first chunk" not in data:
            chunk = s.recv(65536)
            assert chunk, data
            data += chunk
        assert b"second chunk" not in data
        # Only now may the application make its second chunk.
        conn, _ = release.accept()
        conn.sendall(b"x")
        conn.close()
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    release.close()
    status, headers, body = parse_response(data)
    assert body == b"first chunk\nsecond chunk\nthird chunk\n"
    httpd.wait_for_file(os.path.join(httpd.var, "closed-" + token))


def test_close_called_when_client_disconnects(httpd):
    """PEP 3333: close() is called also when the client goes away in the
    middle of the response; the child goes on serving."""
    token = "gone%d" % os.getpid()
    release = socket.socket()
    release.bind(("127.0.0.1", 0))
    release.listen(1)
    release.settimeout(20)
    port = release.getsockname()[1]
    s = socket.create_connection(("127.0.0.1", httpd.port), timeout=20)
    s.sendall(b"GET /stream?port=%d&token=%s HTTP/1.1\r\nHost: wsgi\r\n"
              b"Connection: close\r\n\r\n" % (port, token.encode()))
    data = b""
    while b"first chunk" not in data:
        data += s.recv(65536)
    s.close()
    conn, _ = release.accept()
    conn.sendall(b"x")
    conn.close()
    release.close()
    httpd.wait_for_file(os.path.join(httpd.var, "closed-" + token))
    assert httpd.get("/single", host=HOST).text == "one piece"


def test_close_called_when_iterable_raises(httpd):
    """PEP 3333: an iterable raising after the first chunk: the
    connection is cut (no last chunk), close() is called, one log entry
    names the application."""
    token = "fail%d" % os.getpid()
    mark = httpd.log_mark()
    raw = httpd.raw(b"GET /failiter?token=%s HTTP/1.1\r\nHost: wsgi\r\n"
                    b"Connection: close\r\n\r\n" % token.encode())
    assert raw.startswith(b"HTTP/1.1 200")
    assert b"the start" in raw and b"never sent" not in raw
    assert not raw.endswith(b"\r\n0\r\n\r\n")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        httpd.get("/failiter?token=x" + token, host=HOST)
    httpd.wait_for_file(os.path.join(httpd.var, "closed-" + token))
    log = httpd.wait_for_log(r"MP0260: .*failing_iterable_app raised "
                             r"RuntimeError", mark)
    assert "the iterable broke" in log


# ------------------------------------------------------------ wsgi.input

BODY = b"line one\nline two is longer\n\nlast line without newline"


@pytest.mark.parametrize("mode", ["read", "readline", "readline-limit",
                                  "readlines", "iter"])
def test_input_modes(httpd, mode):
    """PEP 3333, input stream: read(n), readline(), readline(n),
    readlines() and iteration return the body, and reading at its end
    returns b'' without waiting."""
    r = httpd.post("/echo?mode=" + mode, host=HOST, data=BODY)
    assert r.status_code == 200, r.text
    e = r.json()
    assert "".join(e["parts"]).encode() == BODY
    assert e["tail"] == ""
    assert e["length"] == str(len(BODY))
    if mode in ("readline", "readlines", "iter"):
        assert e["parts"][0] == "line one\n"
    if mode == "readline-limit":
        assert e["parts"][0] == "line "


def test_input_read_all_and_chunked(httpd):
    """PEP 3333 / wsgi.input_terminated: read() reads the whole body,
    also a chunked one (no CONTENT_LENGTH), and never blocks past it."""
    r = httpd.post("/echoall", host=HOST, data=b"y" * 100000)
    assert r.json() == {"size": 100000, "more": 0, "head": "y" * 20}

    def gen():
        yield b"chunked "
        yield b"body " * 1000
    r = httpd.post("/echoall", host=HOST, data=gen())
    assert r.json()["size"] == 8 + 5 * 1000
    r = httpd.post("/echo?mode=readline", host=HOST,
                   data=iter([b"a\nb", b"c\n", b"d"]))
    assert r.json()["parts"] == ["a\n", "bc\n", "d"]
    assert r.json()["length"] is None


# ------------------------------------------------------ errors and files

def test_errors_stream_logs_per_line(httpd):
    """PEP 3333 wsgi.errors: each line is one error log entry of the
    request (with the client's address); flush() writes a partial line."""
    token = "tok%d" % os.getpid()
    mark = httpd.log_mark()
    assert httpd.get("/errors?token=" + token, host=HOST).text == "logged"
    httpd.wait_for_log(r"\[client 127\.0\.0\.1:\d+\] wsgi-errors first "
                       + token, mark)
    httpd.wait_for_log(r"wsgi-errors second %s$" % token, mark)
    httpd.wait_for_log(r"wsgi-errors unfinished %s" % token, mark)


def test_file_wrapper(httpd):
    """PEP 3333 wsgi.file_wrapper: a real file goes out with sendfile from
    its position, with a Content-Length; a file-like object in blocks."""
    with open(os.path.join(httpd.htdocs, "wsgi", "static.txt"), "rb") as f:
        content = f.read()
    assert httpd.get("/file", host=HOST).content == content
    assert httpd.get("/file?offset=100", host=HOST).content == content[100:]
    # read() of this one raises: only sendfile can have sent it.
    status, headers, body = httpd.raw_request("/sendfile", host=HOST)
    assert status == 200 and body == content
    assert (b"Content-Length", b"%d" % len(content)) in headers
    r = httpd.get("/filelike", host=HOST)
    assert r.content == b"x" * 10000 + b"end"


# ------------------------------------------------- with the other phases

def test_authen_handler_guards_app(httpd):
    """A PythonAuthenHandler guards the application; REMOTE_USER is the
    user it accepted."""
    r = httpd.get("/auth/", host=HOST)
    assert r.status_code == 401
    r = httpd.get("/auth/", host=HOST, auth=("wsgiuser", "wrong"))
    assert r.status_code == 401
    r = httpd.get("/auth/", host=HOST, auth=("wsgiuser", "secret"))
    assert r.status_code == 200
    assert r.json() == {"REMOTE_USER": "wsgiuser", "AUTH_TYPE": "Basic"}


def test_output_filter_transforms_response(httpd):
    """A PythonOutputFilter transforms the application's response."""
    r = httpd.get("/filtered", host=HOST)
    assert r.status_code == 200
    assert r.text == "MADE BY A WSGI APP"


# ------------------------------------------------------------ bad input

BAD = [
    ("/bad/str", "apps::returns_str", r"returned a str item, not bytes"),
    ("/bad/twice", "apps::starts_twice",
     r"start_response\(\) called a second time without exc_info"),
    ("/bad/notiter", "apps::not_iterable",
     r"returned a int, which is not iterable"),
    ("/bad/first", "apps::raises_first",
     r"raised ZeroDivisionError: raised before the response \(.*apps.py"),
    ("/bad/header", "apps::bad_header", r"must be a \(str, str\) tuple"),
    ("/bad/status", "apps::bad_status",
     r"status '200' is not a three-digit code"),
]


@pytest.mark.parametrize("path,app,message", BAD)
def test_bad_application_500(httpd, path, app, message):
    """Bad input: an application breaking PEP 3333 or raising before the
    first byte gets a 500 and exactly one log entry naming it (MP0256);
    the child serves the next request."""
    mark = httpd.log_mark()
    r = httpd.get(path, host=HOST)
    assert r.status_code == 500
    assert "Traceback" not in r.text
    httpd.wait_for_log(r"MP0256: the WSGI application %s .*%s"
                       % (re.escape(app), message), mark)
    time.sleep(0.2)
    entries = [l for l in httpd.error_log_since(mark).splitlines()
               if "[python:" in l or "mod_python" in l]
    assert len(entries) == 1, entries
    assert httpd.get("/single", host=HOST).text == "one piece"


def test_raise_after_first_byte_cuts(httpd):
    """Bad input: an application raising after the first byte: the client
    gets a cut connection and one log entry (MP0260)."""
    mark = httpd.log_mark()
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        httpd.get("/bad/later", host=HOST)
    httpd.wait_for_log(r"MP0260: the WSGI application apps::raises_later "
                       r"raised LookupError", mark)
    assert httpd.get("/single", host=HOST).text == "one piece"


def test_short_body_cuts(httpd):
    """PEP 3333 Content-Length: fewer bytes than promised: the connection
    is cut so the client knows (MP0259)."""
    mark = httpd.log_mark()
    raw = httpd.raw(b"GET /bad/short HTTP/1.1\r\nHost: wsgi\r\n\r\n")
    status, headers, body = parse_response(raw)
    assert (b"Content-Length", b"100") in headers
    assert body == b"only ten b"
    httpd.wait_for_log(r"MP0259: .*apps::short_body sent 90 bytes less",
                       mark)


@pytest.mark.parametrize("path,pattern", [
    ("/bad/unset", r"MP0250: PythonOption mod_python.wsgi.application is "
                   r"not set"),
    ("/bad/nomodule", r"MP0261: cannot import module 'no_such_wsgi_module'"
                      r".*No module named 'no_such_wsgi_module'"),
    ("/bad/noattr", r"MP0252: module 'apps' has no 'no_such_app'"),
    ("/bad/notcallable", r"MP0262: apps.not_callable .* is a str, not a "
                         r"callable"),
])
def test_missing_application(httpd, path, pattern):
    """Doc/wsgi.rst: a missing or misspelled mod_python.wsgi.application
    gives a 500 whose log line says which module or name is missing."""
    mark = httpd.log_mark()
    r = httpd.get(path, host=HOST)
    assert r.status_code == 500
    httpd.wait_for_log(pattern, mark)


# ------------------------------------------------------------ https

def test_url_scheme_https(extra_httpd, tmp_path):
    """PEP 3333 wsgi.url_scheme: 'https' under mod_ssl (a self-signed
    certificate made here with openssl, on loopback)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    os.chmod(tmp_path, 0o755)
    os.chmod(key, 0o644)
    os.chmod(cert, 0o644)
    ssl_port = free_port()
    conf = """
LoadModule ssl_module "{modules_dir}/mod_ssl.so"
Listen 127.0.0.1:%(ssl_port)d https
<VirtualHost *:%(ssl_port)d>
    ServerName 127.0.0.1
    SSLEngine on
    SSLCertificateFile "%(cert)s"
    SSLCertificateKeyFile "%(key)s"
    PythonPath "['{htdocs}/wsgi'] + sys.path"
    <Location /env>
        SetHandler mod_python
        PythonHandler mod_python.wsgi
        PythonOption mod_python.wsgi.application apps::environ_app
    </Location>
</VirtualHost>
""" % {"ssl_port": ssl_port, "cert": cert, "key": key}
    server = extra_httpd(conf, name="wsgissl")
    r = requests.get("https://127.0.0.1:%d/env/x" % ssl_port,
                     verify=str(cert), timeout=20)
    assert r.status_code == 200, server.diagnostics()
    e = r.json()
    assert e["wsgi.url_scheme"] == "https"
    assert e["HTTPS"] == "on"
    assert e["SERVER_PORT"] == str(ssl_port)
    r = requests.get(server.url("/env/x"), timeout=20)
    assert r.status_code == 404
