"""write(data)'s flush (manual 4.5.3: "writes str directly to the client,
then flushes the buffer, unless flush is 0").

write(data) sends its bytes before write() returns, on every Python
version; write(data, 0) gathers them, so a handler that writes that way and
returns sends one response with a Content-Length.  Each flush test proves
arrival by a handshake, not by timing: the handler writes "part1", then
waits until the test, having read "part1" from its socket, creates a file
(see htdocs/flush/flushtest.py).
"""
import concurrent.futures

from conftest import header_values

HOST = "flush"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName flush
    DocumentRoot "{htdocs}/flush"
    PythonOutputFilter flushfilter FLUSHUPPER
    <Directory "{htdocs}/flush">
        SetHandler mod_python
        PythonDebug On
        <Files "hello">
            PythonHandler flushtest::hello
        </Files>
        <Files "hello_noflush">
            PythonHandler flushtest::hello_noflush
        </Files>
        <Files "wait_after">
            PythonHandler flushtest::wait_after
        </Files>
        <Files "chain">
            PythonHandler flushtest::first flushtest::second
        </Files>
        <Files "raises">
            PythonHandler flushtest::raises
        </Files>
        <Files "fixup">
            PythonFixupHandler flushtest::fixup_writes
            PythonHandler flushtest::after_fixup
        </Files>
        <Files "filtered">
            PythonPath "['{htdocs}/flush'] + sys.path"
            SetOutputFilter FLUSHUPPER
            PythonHandler flushtest::wait_after
        </Files>
    </Directory>
</VirtualHost>
"""


def _handshake(httpd, path, first=b"part1", rest=b"part2"):
    return httpd.handshake(path, first, rest, host=HOST)


def test_write_then_return_is_flushed(httpd):
    """write(data) flushes: the headers and data leave before the handler
    returns, so the response is chunked, not sent with a Content-Length."""
    status, headers, body = httpd.raw_request("/hello", host=HOST)
    assert status == 200
    assert body == b"Hello"
    assert header_values(headers, b"Transfer-Encoding") == [b"chunked"]
    assert header_values(headers, b"Content-Length") == []


def test_write_noflush_sends_one_whole_response(httpd):
    """write(data, 0) gathers: the response leaves once, at the end, with
    a Content-Length."""
    status, headers, body = httpd.raw_request("/hello_noflush", host=HOST)
    assert status == 200
    assert body == b"Hello"
    assert header_values(headers, b"Content-Length") == [b"5"]
    assert header_values(headers, b"Transfer-Encoding") == []


def test_flush_reaches_client_before_handler_goes_on(httpd):
    """write(data), then the handler waits: the client has data first."""
    _handshake(httpd, "/wait_after")


def test_flush_before_the_next_handler_of_a_chain(httpd):
    """PythonHandler a b: a writes and returns OK; its bytes are out
    before b runs."""
    _handshake(httpd, "/chain")


def test_flush_at_the_end_of_an_earlier_phase(httpd):
    """A fixup handler writes: its bytes are out before the content
    handler runs."""
    _handshake(httpd, "/fixup")


def test_flush_through_a_python_output_filter(httpd):
    """The flush runs the request's Python output filter: the filtered
    first part arrives while the handler still waits."""
    _handshake(httpd, "/filtered", b"PART1", b"PART2")


def test_exception_after_write(httpd):
    """write() then an exception: the data went out first (status 200 is
    already sent), the traceback follows, and the error is logged."""
    mark = httpd.log_mark()
    status, headers, body = httpd.raw_request("/raises", host=HOST)
    assert status == 200
    assert body.startswith(b"part1")
    assert b"ValueError: after the write" in body
    httpd.wait_for_log(r"ValueError: after the write", mark)


def test_concurrent_requests(httpd):
    """40 requests, 8 at a time (threads under event and worker), each get
    their own whole body."""
    def one(i):
        path = "/hello" if i % 2 else "/hello_noflush"
        r = httpd.get(path, host=HOST)
        return r.status_code, r.text

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(40)))
    for code, text in results:
        assert code == 200
        assert text == "Hello"
