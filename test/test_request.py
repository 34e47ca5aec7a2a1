"""The request object (manual 4.5.3) as issue 2 needs it, and the apache
module's log_error and import_module (4.5.1).

htdocs/request/reqtest.py dispatches on the last component of req.filename;
its fixup handler runs first for every request of the directory.
"""
import hashlib
import json
import os
import uuid

HOST = "request"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName request
    DocumentRoot "{htdocs}/request"
    CustomLog "{root}/logs/request_notes_log" "%{{mp-note}}n %U"
</VirtualHost>
<Directory "{htdocs}/request">
    SetHandler mod_python
    PythonFixupHandler reqtest::fixup
    PythonHandler reqtest
    PythonDebug On
    PythonOption req.opt value
    Header set X-From-Env "%{{MP_ENV}}e"
</Directory>
<Directory "{htdocs}/request/auth">
    AuthType Basic
    AuthName "request"
    Require valid-user
    PythonAuthenHandler authmod
</Directory>
"""


def get(httpd, path, **kw):
    return httpd.get(path, host=HOST, **kw)


def test_content_type(httpd):
    """4.5.3 content_type: set by the handler, read back, sent as the
    Content-Type header."""
    r = get(httpd, "/content_type")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/x-mp-test"
    assert r.text == "text/x-mp-test"


def test_write_str_is_utf8(httpd):
    """4.5.3 write(): a str is sent encoded as UTF-8 (ARCHITECTURE, Python 3
    decisions)."""
    r = get(httpd, "/write_str")
    assert r.status_code == 200
    assert r.content == "h\u00e9llo w\u00f6rld \u20ac".encode("utf-8")


def test_write_bytes(httpd):
    """4.5.3 write(): bytes-like objects are sent as they are."""
    r = get(httpd, "/write_bytes")
    assert r.status_code == 200
    assert r.content == bytes(range(256)) + b"|bytearray"


def test_write_without_flush(httpd):
    """4.5.3 write(string, 0): the data is buffered, not lost."""
    r = get(httpd, "/write_noflush")
    assert r.status_code == 200, r.text
    assert r.text == "abc"


def test_write_flush_keyword(httpd):
    """4.5.3 write(string[, flush=1]): flush can be given by keyword."""
    r = get(httpd, "/write_flush_keyword")
    assert r.status_code == 200, r.text
    assert r.text == "ab"


def test_flush_sends_buffered_data(httpd):
    """4.5.3 flush(): data written with flush=0 reaches the client at
    flush(), while the handler still waits to write the rest."""
    httpd.handshake("/flush", b"part1", b"part2", host=HOST)


def test_read_whole_body(httpd):
    """4.5.3 read(): with no argument, the whole POST body, as bytes."""
    body = os.urandom(100000)
    r = httpd.post("/read_all", host=HOST, data=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"type": "bytes", "len": len(body),
                        "sha256": hashlib.sha256(body).hexdigest()}


def test_read_empty_body(httpd):
    """4.5.3 read(): no Content-Length is read as an empty body."""
    r = get(httpd, "/read_all")
    assert r.status_code == 200, r.text
    assert r.json()["len"] == 0
    assert r.json()["type"] == "bytes"


def test_read_in_pieces(httpd):
    """4.5.3 read(len): at most len bytes per call, until b''."""
    body = bytes(range(256)) * 40 + b"tail"
    r = httpd.post("/read_pieces", host=HOST, data=body)
    assert r.status_code == 200, r.text
    result = r.json()
    assert all(0 < n <= 7 for n in result["sizes"])
    assert sum(result["sizes"]) == len(body)
    assert result["sha256"] == hashlib.sha256(body).hexdigest()


def test_readline(httpd):
    """4.5.3 readline(): one line per call, line ends kept, as sent."""
    body = b"line1\r\nline2\nlast"
    r = httpd.post("/readline", host=HOST, data=body)
    assert r.status_code == 200, r.text
    assert r.json() == ["line1\r\n", "line2\n", "last"]


def test_readline_with_length(httpd):
    """4.5.3 readline(len): at most len bytes of the line."""
    r = httpd.post("/readline_len", host=HOST, data=b"line one\nline two\n")
    assert r.status_code == 200, r.text
    assert r.json() == ["lin", "e one\n"]


def test_status(httpd):
    """4.5.3 status: req.status = HTTP_CREATED is the response's status."""
    r = get(httpd, "/status")
    assert r.status_code == 201
    assert r.text == "created"


def test_headers_in(httpd):
    """4.5.3 headers_in: the client's headers, keys case-insensitive; a
    header added twice by a handler is a list on subscript (4.5.2)."""
    r = get(httpd, "/headers_in", headers={"X-Mp-Test": "sent value"})
    assert r.status_code == 200, r.text
    assert r.json() == {"value": "sent value", "upper": "sent value",
                        "in": True, "get": "sent value", "added": ["1", "2"]}


def test_headers_out(httpd):
    """4.5.3 headers_out: a header set by the handler reaches the client."""
    r = get(httpd, "/headers_out")
    assert r.status_code == 200
    assert r.headers.get("X-MP-Out") == "out-value"


def test_err_headers_out(httpd):
    """4.5.3 err_headers_out: sent with an error response, where
    headers_out are not."""
    r = get(httpd, "/err_headers_out")
    assert r.status_code == 403
    assert r.headers.get("X-MP-Err") == "err-value"
    assert "X-MP-Normal" not in r.headers


def test_notes_env_attributes_between_phases(httpd):
    """4.5.3 notes, subprocess_env, dynamic attributes, phase: set by the
    fixup handler, seen by the content handler; subprocess_env writes
    through to Apache (mod_headers reads it for X-From-Env)."""
    r = get(httpd, "/notes")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "note": "note-from-fixup",
        "env": "env-from-fixup",
        "attr": "set in fixup",
        "fixup_phase": "PythonFixupHandler",
        "phase": "PythonHandler",
    }
    assert r.headers.get("X-From-Env") == "env-from-fixup"


def test_notes_write_through(httpd):
    """4.5.2/4.5.3: req.notes is Apache's r->notes: mod_log_config logs the
    note the fixup handler set (%{mp-note}n)."""
    tag = uuid.uuid4().hex
    r = get(httpd, "/notes/" + tag)
    assert r.status_code == 200, r.text
    path = os.path.join(httpd.root, "logs", "request_notes_log")
    text = httpd.wait_for_file(path, lambda t: tag in t)
    line = [l for l in text.splitlines() if tag in l][0]
    assert line == "note-from-fixup /notes/" + tag


def test_raw_non_ascii_args(httpd):
    """req.args and unparsed_uri with raw non-ASCII bytes in the query
    (mod_python 3.5 raises SystemError): str, UTF-8 with surrogateescape,
    so every byte comes back."""
    status, _, body = httpd.raw_request(
        b"/members/x?q=caf\xc3\xa9&r=\xff", host=HOST)
    assert status == 200, body
    m = json.loads(body)
    assert m["args"] == "q=caf\u00e9&r=\udcff"
    assert m["args"].encode("utf-8", "surrogateescape") == \
        b"q=caf\xc3\xa9&r=\xff"
    assert m["unparsed_uri"] == "/members/x?q=caf\u00e9&r=\udcff"


def test_server_after_the_request_ended(httpd):
    """req.server stays usable once the request has ended, while the
    request's own members refuse use (Doc/porting.rst, "Server objects"):
    a thread that kept req logs through apache.log_error(msg, level,
    req.server), as CherryPy's mod_python adapter does."""
    marker = os.urandom(6).hex()
    mark = httpd.log_mark()
    r = get(httpd, "/server_after_end?" + marker)
    assert r.text == "started"
    log = httpd.wait_for_log("server-after-end " + marker, mark)
    assert "server-after-end %s request" % marker in log, log


def test_members(httpd):
    """4.5.3 uri, unparsed_uri, args, filename, path_info, method,
    protocol, hostname, interpreter, phase, get_options(), get_config()."""
    r = get(httpd, "/members/extra/path?a=1&b=%20x")
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["uri"] == "/members/extra/path"
    assert m["unparsed_uri"] == "/members/extra/path?a=1&b=%20x"
    assert m["args"] == "a=1&b=%20x"
    assert m["filename"] == os.path.join(httpd.htdocs, "request", "members")
    assert m["path_info"] == "/extra/path"
    assert m["method"] == "GET"
    assert m["protocol"] == "HTTP/1.1"
    assert m["hostname"] == "request"
    assert m["interpreter"] == "request"
    assert m["phase"] == "PythonHandler"
    assert m["options"].get("req.opt") == "value"
    assert m["config"].get("PythonDebug") == "1"
    assert m["types"] == ["str"] * 4


def test_method_post(httpd):
    """4.5.3 method: 'POST' for a POST."""
    r = httpd.post("/members", host=HOST, data=b"x")
    assert r.status_code == 200, r.text
    assert r.json()["method"] == "POST"


def test_user_and_basic_auth_pw(httpd):
    """4.5.3 get_basic_auth_pw() and user: the authen handler sees the
    password and the user name; req.user stays set for the content
    handler."""
    r = get(httpd, "/auth/whoami", auth=("alice", "secret"))
    assert r.status_code == 200, r.text
    assert r.json() == {"user": "alice", "seen": ["alice", "secret"]}
    r = get(httpd, "/auth/whoami", auth=("alice", "wrong"))
    assert r.status_code == 401


def test_log_error(httpd):
    """4.5.1 apache.log_error(msg, level) and 4.5.3 req.log_error(msg,
    level) write to the error log at the given level."""
    marker = uuid.uuid4().hex
    mark = httpd.log_mark()
    r = get(httpd, "/log_error?" + marker)
    assert r.status_code == 200
    log = httpd.wait_for_log(marker + " req-level", mark)
    lines = log.splitlines()
    apache_lines = [l for l in lines if marker + " apache-level" in l]
    req_lines = [l for l in lines if marker + " req-level" in l]
    assert len(apache_lines) == 1 and ":error]" in apache_lines[0]
    assert len(req_lines) == 1 and ":warn]" in req_lines[0]


def test_import_module_with_path(httpd):
    """4.5.1 apache.import_module(name, path=[dir]) imports a module from a
    directory that is not on sys.path."""
    r = get(httpd, "/import_module")
    assert r.status_code == 200, r.text
    assert r.json() == {"value": "imported from the given path",
                        "name": "mp_extra_mod"}
