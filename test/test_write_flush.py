"""write(data)'s flush (manual 4.5.3), and how it is put off.

write(data) flushes; the module sends that flush at the last moment it can
matter: before the handler does anything after the write, or never when
the handler just returns and Apache ends the response anyway (see
Doc/request.rst and src/include/deferflush.h).  Each test here shows one
side of that: bytes arrive before whatever follows the write, and a
response whose handler only returns goes out whole, with a Content-Length.
"""
import concurrent.futures

from conftest import header_values

HOST = "flush"
EARLY = 1.2             # the handlers pause 1.5 s after the first write

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
        <Files "sleep_after">
            PythonHandler flushtest::sleep_after
        </Files>
        <Files "sleep_same_line">
            PythonHandler flushtest::sleep_same_line
        </Files>
        <Files "helper_writes">
            PythonHandler flushtest::helper_writes
        </Files>
        <Files "spin">
            PythonHandler flushtest::spin
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
            PythonHandler flushtest::sleep_after
        </Files>
        <Files "traced">
            PythonHandler flushtest::traced
        </Files>
    </Directory>
</VirtualHost>
"""


def test_write_then_return_sends_one_whole_response(httpd):
    """A handler that writes and returns: the flush would come just before
    the end anyway, so the response leaves once, with a Content-Length."""
    status, headers, body = httpd.raw_request("/hello", host=HOST)
    assert status == 200
    assert body == b"Hello"
    assert header_values(headers, b"Content-Length") == [b"5"]
    assert header_values(headers, b"Transfer-Encoding") == []


def _assert_part1_early(httpd, path):
    seen, data = httpd.time_to_first(path, b"part1", host=HOST)
    assert seen < EARLY, "part1 arrived only after %.2fs" % seen
    assert b"part2" in data
    return data


def test_flush_reaches_client_before_next_call(httpd):
    """write(data) then a slow call: the client has data first."""
    _assert_part1_early(httpd, "/sleep_after")


def test_flush_before_call_on_the_same_line(httpd):
    """The flush is sent before the next instruction that does anything,
    not at the next line: write(); sleep() on one line still flushes
    first."""
    _assert_part1_early(httpd, "/sleep_same_line")


def test_flush_from_a_helper_function(httpd):
    """write() in a function the handler calls: the flush goes when that
    function returns to the handler, before the handler's next step."""
    _assert_part1_early(httpd, "/helper_writes")


def test_flush_before_pure_python_work(httpd):
    """No call at all after the write, just a loop: its first store sends
    the flush, long before the loop ends."""
    seen, data = httpd.time_to_first("/spin", b"part2", host=HOST)
    first, _ = httpd.time_to_first("/spin", b"part1", host=HOST)
    assert seen > 0.2, "the loop is too short to tell: %.2fs" % seen
    assert first < seen / 2, \
        "part1 took %.2fs of the %.2fs loop" % (first, seen)


def test_flush_before_the_next_handler_of_a_chain(httpd):
    """PythonHandler a b: a writes and returns OK; its flush is sent
    before b runs."""
    data = _assert_part1_early(httpd, "/chain")
    assert data.endswith(b"part1") or b"part1" in data


def test_flush_at_the_end_of_an_earlier_phase(httpd):
    """A fixup handler writes: its flush is sent when the fixup phase
    ends, before the content handler runs."""
    _assert_part1_early(httpd, "/fixup")


def test_flush_through_a_python_output_filter(httpd):
    """The put-off flush runs the request's Python output filter (here
    from inside the trace function): the filtered first part still
    arrives before the handler's sleep."""
    seen, data = httpd.time_to_first("/filtered", b"PART1", host=HOST)
    assert seen < EARLY, "PART1 arrived only after %.2fs" % seen
    assert b"PART2" in data


def test_exception_after_write(httpd):
    """write() then an exception: the data went out first (status 200 is
    already sent), the traceback follows, and the error is logged."""
    mark = httpd.log_mark()
    status, headers, body = httpd.raw_request("/raises", host=HOST)
    assert status == 200
    assert body.startswith(b"part1")
    assert b"ValueError: after the write" in body
    httpd.wait_for_log(r"ValueError: after the write", mark)


def test_another_tracer_is_left_alone(httpd):
    """With a tracer of the handler's own installed, write() flushes at
    once (a chunked response) and the tracer stays in place and keeps
    seeing calls."""
    status, headers, body = httpd.raw_request("/traced", host=HOST)
    assert status == 200
    assert header_values(headers, b"Transfer-Encoding") == [b"chunked"]
    assert body == b"Hello True 1"


def test_concurrent_requests(httpd):
    """Each thread (event, worker) has its own tracer: 40 requests, 8 at a
    time, each get their own whole body."""
    def one(i):
        path = "/hello" if i % 2 else "/chain"
        r = httpd.get(path, host=HOST)
        return path, r.status_code, r.text

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(40)))
    for path, code, text in results:
        assert code == 200
        assert text == ("Hello" if path == "/hello" else "part1part2")
