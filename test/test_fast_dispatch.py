"""A phase's single handler called straight from C (src/include/
fastdispatch.h) behaves as when mod_python._dispatch calls it.

The first request for a handler goes through the Python dispatcher, which
remembers it; requests in the next second are called from C.  Each test
asks twice on one keep-alive connection (so under prefork the same child
answers) and checks both answers (a failing request comes second: Apache
closes the connection after a 500).  test_second_call_comes_from_c shows
the second one really took the C path: its traceback has no dispatcher
frame.
"""
import re
import time

import requests

HOST = "fastpath"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName fastpath
    DocumentRoot "{htdocs}/fastpath"
    <Directory "{htdocs}/fastpath">
        SetHandler mod_python
        PythonDebug On
        <Files "rebind">
            PythonHandler fastmod::rebind
        </Files>
        <Files "raises">
            PythonHandler fastmod::raises
        </Files>
        <Files "allow">
            PythonHandler fastmod::allow
        </Files>
        <Files "adds">
            PythonHandler fastmod::adds
        </Files>
        <Files "forbids">
            PythonHandler fastmod::forbids
        </Files>
        <Files "declines">
            PythonHandler fastmod::declines
        </Files>
        <Files "not_a_status">
            PythonHandler fastmod::not_a_status
        </Files>
        <Files "hello">
            PythonHandler fastmod::hello
        </Files>
        <Files "handler_dir">
            PythonHandler fastmod::handler_dir
        </Files>
        <Files "page">
            PythonHandler fastmod::Page
        </Files>
        <Files "phases">
            PythonHandlerModule phasemod
        </Files>
        <Files "sleep_after">
            PythonHandler fastmod::sleep_after
        </Files>
    </Directory>
</VirtualHost>
"""


def twice(httpd, path, second=None):
    """GET path, then second (default path again), on one connection."""
    with requests.Session() as s:
        return [s.get(httpd.url(p), headers={"Host": HOST}, timeout=30)
                for p in (path, second or path)]


def test_rebound_name_is_found_again(httpd):
    """The object is looked up in its module on every call: a handler that
    rebinds its own name is replaced at once."""
    first, second = twice(httpd, "/rebind")
    assert first.text in ("first", "rebound")
    assert second.text == "rebound"


def test_second_call_comes_from_c(httpd):
    """An exception gives a 500 with the traceback on both paths.  Called
    from C, the traceback has no dispatcher frame; once the remembered
    handler has expired (after a second), the dispatcher's frame is
    back."""
    mark = httpd.log_mark()
    first, second = twice(httpd, "/raises", "/raises?fail")
    assert first.text == "ok"
    assert second.status_code == 500
    assert "ValueError: raised on purpose" in second.text
    assert "in dispatch_request" not in second.text
    httpd.wait_for_log(r"ValueError: raised on purpose", mark)
    time.sleep(1.2)
    third = httpd.get("/raises?fail", host=HOST)
    assert third.status_code == 500
    assert "ValueError: raised on purpose" in third.text
    assert "in dispatch_request" in third.text


def test_allow_methods_sees_the_request(httpd):
    """apache.allow_methods() finds the running request on both paths."""
    for r in twice(httpd, "/allow"):
        assert r.status_code == 405
        assert "PUT" in r.headers["Allow"]


def test_added_handler_runs_after(httpd):
    """A handler added during the call runs after it, on both paths."""
    for r in twice(httpd, "/adds"):
        assert r.status_code == 200
        assert r.text == "main added"


def test_server_return(httpd):
    for r in twice(httpd, "/forbids"):
        assert r.status_code == 403


def test_declined_through_server_return(httpd):
    """SERVER_RETURN(DECLINED) from the content handler leaves the request
    to Apache's default handler (no such file here: 404) on both paths."""
    first, second = twice(httpd, "/declines", "/declines?decline")
    assert first.text == "ok"
    assert second.status_code == 404
    time.sleep(1.2)     # remembered no more: the Python dispatcher's turn
    assert httpd.get("/declines?decline", host=HOST).status_code == 404


def test_non_integer_result_is_an_error(httpd):
    mark = httpd.log_mark()
    first, second = twice(httpd, "/not_a_status", "/not_a_status?fail")
    assert first.status_code == 200
    assert second.status_code == 500
    # The page is HTML: the quotes come escaped.
    assert re.search(r"TypeError: handler fastmod::not_a_status "
                     r"returned (&#x27;|')200(&#x27;|'), not an integer "
                     r"status", second.text)
    httpd.wait_for_log(r"not an integer status", mark)


def test_write_then_return_has_a_length(httpd):
    """write()'s deferred flush works when C called the handler."""
    for r in twice(httpd, "/hello"):
        assert r.text == "Hello"
        assert r.headers["Content-Length"] == "5"
        assert "Transfer-Encoding" not in r.headers


def test_handler_directory(httpd):
    """req._handler_dir is the directive's directory on both paths."""
    first, second = twice(httpd, "/handler_dir")
    assert first.text == second.text
    assert first.text.rstrip("/").endswith("htdocs/fastpath")


def test_class_handler_is_made_each_time(httpd):
    """A class is instantiated with each request, never remembered as an
    instance."""
    first, second = twice(httpd, "/page")
    n1 = int(first.text.split()[1])
    n2 = int(second.text.split()[1])
    assert n2 == n1 + 1


def test_handler_module_every_phase(httpd):
    """PythonHandlerModule: one module for every phase, each phase's own
    function remembered and called (the phases it lacks skipped), on both
    paths."""
    for r in twice(httpd, "/phases"):
        assert r.status_code == 200
        assert r.text == "fixup ran"


def test_flush_before_sleep_from_c(httpd):
    """On the second (C) call too, write()'s bytes reach the client before
    the handler's sleep."""
    httpd.get("/sleep_after", host=HOST)
    seen, data = httpd.time_to_first("/sleep_after", b"part1", host=HOST)
    # time_to_first opens a new connection: under prefork another child
    # may answer, so only the flush is asserted here.
    assert seen < 1.2
    assert b"part2" in data
