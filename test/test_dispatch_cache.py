"""The dispatcher keeps what it resolved for a configured handler (its
module, through the handler entry of the cached Config, see
src/include/pyconfig.h) from one request to the next: the second request
for a handler must behave as the first.

Each test asks twice on one keep-alive connection (so under prefork the
same child answers) and checks both answers (a failing request comes
second: Apache closes the connection after a 500).
"""
import re

import requests

HOST = "dispatchcache"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName dispatchcache
    DocumentRoot "{htdocs}/dispatchcache"
    <Directory "{htdocs}/dispatchcache">
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
        <Files "running">
            PythonHandler fastmod::running
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


def test_exception_on_a_cached_entry(httpd):
    """An exception gives a 500 with the traceback, and one numbered log
    entry holding the whole traceback, on the first and the later calls."""
    mark = httpd.log_mark()
    first, second = twice(httpd, "/raises", "/raises?fail")
    assert first.text == "ok"
    assert second.status_code == 500
    assert "ValueError: raised on purpose" in second.text
    log = httpd.wait_for_log(r"ValueError: raised on purpose", mark)
    entries = [e for e in re.split(r"\n(?=\[)", log)
               if "MP0005:" in e and "fastmod::raises" in e]
    assert len(entries) == 1, log
    assert "Traceback (most recent call last)" in entries[0]
    assert "ValueError: raised on purpose" in entries[0]


def test_allow_methods_sees_the_request(httpd):
    """apache.allow_methods() finds the running request on both calls."""
    for r in twice(httpd, "/allow"):
        assert r.status_code == 405
        assert "PUT" in r.headers["Allow"]


def test_running_request_is_per_thread_and_phase(httpd):
    """apache.running.request is the request being handled, its own during
    an internal redirect and the outer one again after it; a thread the
    handler starts sees None; twice on one connection."""
    mark = httpd.log_mark()
    for r in twice(httpd, "/running"):
        assert r.status_code == 200
        assert r.text == "running:True,True,True redirected:True", r.text
    log = httpd.wait_for_log(r"(running after redirect: \w+.*\n.*){2}",
                             mark)
    assert log.count("running after redirect: True") == 2, log


def test_added_handler_runs_after(httpd):
    """A handler added during the call runs after it, on both calls."""
    for r in twice(httpd, "/adds"):
        assert r.status_code == 200
        assert r.text == "main added"


def test_server_return(httpd):
    for r in twice(httpd, "/forbids"):
        assert r.status_code == 403


def test_declined_through_server_return(httpd):
    """SERVER_RETURN(DECLINED) from the content handler leaves the request
    to Apache's default handler (no such file here: 404) on both calls."""
    first, second = twice(httpd, "/declines", "/declines?decline")
    assert first.text == "ok"
    assert second.status_code == 404


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


def test_handler_directory(httpd):
    """req.hlist.directory is the directive's directory on both calls."""
    first, second = twice(httpd, "/handler_dir")
    assert first.text == second.text
    assert first.text.rstrip("/").endswith("htdocs/dispatchcache")


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
