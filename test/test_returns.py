"""What a handler returns or raises (manual 4.2, 5.1.1, 5.4.2), and that a
failing handler leaves its child serving (issue 2, 'Bad input').

The content handler is htdocs/returns/codes.py; the query string selects
the behaviour.
"""
import uuid

import pytest

HOST = "returns"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName returns
    DocumentRoot "{htdocs}/returns"
</VirtualHost>
<Directory "{htdocs}/returns">
    SetHandler mod_python
    PythonHandler codes
    PythonDebug Off
</Directory>
<Directory "{htdocs}/returns/debug">
    PythonDebug On
</Directory>
<Directory "{htdocs}/returns/nomodule">
    PythonHandler mp_no_such_module_xyz
</Directory>
<Directory "{htdocs}/returns/noobject">
    PythonHandler hasnoobject::mp_no_such_object
</Directory>
<Directory "{htdocs}/returns/done">
    PythonFixupHandler done_mod::fixup
    PythonHandler done_mod
</Directory>
"""

# Manual 4.2, with OK, DECLINED and DONE as Apache defines them.
MANUAL_CONSTANTS = {
    "HTTP_CONTINUE": 100, "HTTP_SWITCHING_PROTOCOLS": 101,
    "HTTP_PROCESSING": 102, "HTTP_OK": 200, "HTTP_CREATED": 201,
    "HTTP_ACCEPTED": 202, "HTTP_NON_AUTHORITATIVE": 203,
    "HTTP_NO_CONTENT": 204, "HTTP_RESET_CONTENT": 205,
    "HTTP_PARTIAL_CONTENT": 206, "HTTP_MULTI_STATUS": 207,
    "HTTP_MULTIPLE_CHOICES": 300, "HTTP_MOVED_PERMANENTLY": 301,
    "HTTP_MOVED_TEMPORARILY": 302, "HTTP_SEE_OTHER": 303,
    "HTTP_NOT_MODIFIED": 304, "HTTP_USE_PROXY": 305,
    "HTTP_TEMPORARY_REDIRECT": 307, "HTTP_BAD_REQUEST": 400,
    "HTTP_UNAUTHORIZED": 401, "HTTP_PAYMENT_REQUIRED": 402,
    "HTTP_FORBIDDEN": 403, "HTTP_NOT_FOUND": 404,
    "HTTP_METHOD_NOT_ALLOWED": 405, "HTTP_NOT_ACCEPTABLE": 406,
    "HTTP_PROXY_AUTHENTICATION_REQUIRED": 407,
    "HTTP_REQUEST_TIME_OUT": 408, "HTTP_CONFLICT": 409, "HTTP_GONE": 410,
    "HTTP_LENGTH_REQUIRED": 411, "HTTP_PRECONDITION_FAILED": 412,
    "HTTP_REQUEST_ENTITY_TOO_LARGE": 413, "HTTP_REQUEST_URI_TOO_LARGE": 414,
    "HTTP_UNSUPPORTED_MEDIA_TYPE": 415, "HTTP_RANGE_NOT_SATISFIABLE": 416,
    "HTTP_EXPECTATION_FAILED": 417, "HTTP_UNPROCESSABLE_ENTITY": 422,
    "HTTP_LOCKED": 423, "HTTP_FAILED_DEPENDENCY": 424,
    "HTTP_INTERNAL_SERVER_ERROR": 500, "HTTP_NOT_IMPLEMENTED": 501,
    "HTTP_BAD_GATEWAY": 502, "HTTP_SERVICE_UNAVAILABLE": 503,
    "HTTP_GATEWAY_TIME_OUT": 504, "HTTP_VERSION_NOT_SUPPORTED": 505,
    "HTTP_VARIANT_ALSO_VARIES": 506, "HTTP_INSUFFICIENT_STORAGE": 507,
    "HTTP_NOT_EXTENDED": 510,
    "OK": 0, "DECLINED": -1, "DONE": -2,
}


def marker():
    return uuid.uuid4().hex


def assert_still_serving(httpd, needle):
    """The child that served the request whose request line contains needle
    is still alive and the server goes on answering."""
    pid = httpd.access_log_pid(needle)
    for _ in range(20):
        r = httpd.get("/x?ok", host=HOST)
        assert r.status_code == 200
        assert r.text == "ok"
    assert pid in httpd.children(), \
        "the child (pid %d) that ran the failing handler is gone" % pid


def test_constants(httpd):
    """4.2: every HTTP_* constant, OK, DECLINED and DONE exist in
    mod_python.apache with the manual's values; SERVER_RETURN is an
    exception class."""
    r = httpd.get("/x?constants", host=HOST)
    assert r.status_code == 200, r.text
    values = r.json()
    assert values.pop("SERVER_RETURN_is_exception") is True
    assert values == MANUAL_CONSTANTS


def test_ok(httpd):
    """4.2: apache.OK: the phase was handled, 200 with the output."""
    r = httpd.get("/x?ok", host=HOST)
    assert r.status_code == 200
    assert r.text == "ok"


def test_declined_content_handler(httpd):
    """4.2: apache.DECLINED from the content handler: Apache looks for
    another handler and its default handler serves the file."""
    r = httpd.get("/static.txt?declined", host=HOST)
    assert r.status_code == 200
    assert r.text == "static file of returns\n"


def test_done_content_handler(httpd):
    """4.2: apache.DONE from the content handler: the response stands as
    written, with 200."""
    r = httpd.get("/x?done", host=HOST)
    assert r.status_code == 200
    assert r.text == "done"


def test_done_from_fixup_skips_content_handler(httpd):
    """4.2: DONE from an earlier phase ends the request there: the content
    handler is not called."""
    r = httpd.get("/done/x", host=HOST)
    assert r.status_code == 200
    assert r.text == "fixup-done"


@pytest.mark.parametrize("code", [403, 404, 500, 503])
def test_http_error_codes(httpd, code):
    """4.2: returning an HTTP_* code makes Apache answer with that status
    and its own error page."""
    r = httpd.get("/x?%d" % code, host=HOST)
    assert r.status_code == code


def test_server_return_forbidden(httpd):
    """4.2: raise apache.SERVER_RETURN(apache.HTTP_FORBIDDEN) gives 403."""
    r = httpd.get("/x?raise403", host=HOST)
    assert r.status_code == 403


def test_server_return_ok(httpd):
    """4.2: raise apache.SERVER_RETURN(apache.OK) is a normal OK: 200 with
    what was written before the raise."""
    r = httpd.get("/x?raiseok", host=HOST)
    assert r.status_code == 200
    assert r.text == "raised ok"


def test_server_return_code_and_status(httpd):
    """4.2: SERVER_RETURN carrying (code, status) returns code and sets
    req.status (the Python 2 `raise SERVER_RETURN, (OK, 202)`)."""
    r = httpd.get("/x?raisepair", host=HOST)
    assert r.status_code == 202
    assert r.text == "accepted"


def test_exception_debug_off(httpd):
    """5.4.2: with PythonDebug Off an exception gives a plain 500: no
    traceback to the client; the traceback goes to the error log.  The
    child keeps serving."""
    m = marker()
    mark = httpd.log_mark()
    r = httpd.get("/x?raise-" + m, host=HOST)
    assert r.status_code == 500
    assert "Traceback" not in r.text
    assert m not in r.text
    log = httpd.wait_for_log(m, mark)
    assert m in log
    assert "Traceback" in log
    assert "ValueError" in log
    assert_still_serving(httpd, "raise-" + m)


def test_exception_debug_on(httpd):
    """5.4.2: with PythonDebug On the traceback, with the exception's type
    and message, is sent to the client (and still logged)."""
    m = marker()
    mark = httpd.log_mark()
    r = httpd.get("/debug/x?raise-" + m, host=HOST)
    assert r.status_code == 500
    assert "Traceback" in r.text
    assert "ValueError" in r.text
    assert "mp-handler-exception raise-" + m in r.text
    assert m in httpd.wait_for_log(m, mark)
    assert_still_serving(httpd, "raise-" + m)


@pytest.mark.parametrize("what", ["nonint", "none"])
def test_non_integer_result(httpd, what):
    """Issue 2, bad input: a handler returning a non-integer ("x", None)
    gives 500 and the child keeps serving."""
    m = marker()
    r = httpd.get("/x?%s-%s" % (what, m), host=HOST)
    assert r.status_code == 500
    assert_still_serving(httpd, m)


def test_missing_module(httpd):
    """Issue 2, bad input: PythonHandler naming a module that does not
    exist gives 500, the error log names the module, the child keeps
    serving."""
    m = marker()
    mark = httpd.log_mark()
    r = httpd.get("/nomodule/x?" + m, host=HOST)
    assert r.status_code == 500
    assert "mp_no_such_module_xyz" not in r.text   # PythonDebug Off
    assert "mp_no_such_module_xyz" in httpd.wait_for_log(
        "mp_no_such_module_xyz", mark)
    assert_still_serving(httpd, m)


def test_missing_object(httpd):
    """Issue 2, bad input: module::object naming an object the module does
    not have gives 500 (the module's default handler is not called
    instead), the error log names the object, the child keeps serving."""
    m = marker()
    mark = httpd.log_mark()
    r = httpd.get("/noobject/x?" + m, host=HOST)
    assert r.status_code == 500
    assert "default object" not in r.text
    assert "mp_no_such_object" in httpd.wait_for_log("mp_no_such_object", mark)
    assert_still_serving(httpd, m)


def _pipelined(httpd, first, host=HOST):
    """Send GET `first` and, on the same connection, GET /x?ok; return the
    raw bytes read until the server closed the connection."""
    data = (b"GET %s HTTP/1.1\r\nHost: %s\r\n\r\n"
            b"GET /x?ok HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
            % (first.encode(), host.encode(), host.encode()))
    return httpd.raw(data)


@pytest.mark.parametrize("how", ["none", "raise", "404"])
def test_failure_after_writing_chunked(httpd, how):
    """Handlers (manual 5.1.1) and 'Bad input and faults': a handler that
    writes and then fails (returns None, raises, or returns an error
    status) with PythonDebug Off has already sent a 200 and part of the
    body.  The response is left incomplete -- no terminating chunk, no
    error page appended to the body -- and the connection is closed, so
    the client cannot take it for a whole, successful answer: the
    pipelined second request on the same connection is never answered."""
    m = marker()
    mark = httpd.log_mark()
    raw = _pipelined(httpd, "/x?write%s-%s" % (how, m))
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), raw[:300]
    assert b"transfer-encoding: chunked" in head.lower(), head
    assert b"partial-body\n" in body
    assert not body.endswith(b"0\r\n\r\n"), body
    assert b"Internal Server Error" not in body
    assert b"Not Found" not in body
    # The connection ended with the failed response.
    assert raw.count(b"HTTP/1.1 ") == 1, raw
    assert "MP0080" in httpd.wait_for_log("MP0080", mark)


def test_failure_after_writing_content_length(httpd):
    """As above, with a Content-Length set: fewer bytes than it promised
    arrive, then the connection closes."""
    m = marker()
    raw = _pipelined(httpd, "/x?writeraisecl-" + m)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), raw[:300]
    assert b"content-length: 1000" in head.lower(), head
    assert body == b"partial-body\n"
    assert raw.count(b"HTTP/1.1 ") == 1, raw


@pytest.mark.parametrize("what", ["none", "raise", "writebufferednone",
                                  "writebufferedraise"])
def test_failure_before_sending_is_clean_500(httpd, what):
    """A handler that fails before anything reached the client -- it
    wrote nothing, or only wrote with write(data, 0) so the output was
    still gathered -- gives a plain 500 with Apache's error page, never a
    200: the gathered output is dropped."""
    r = httpd.get("/x?%s-%s" % (what, marker()), host=HOST)
    assert r.status_code == 500
    assert "partial-body" not in r.text
    assert "Internal Server Error" in r.text
