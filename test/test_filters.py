"""Filters (manual 4.3, 4.5.5, 5.2): PythonOutputFilter and
PythonInputFilter register named filters that Add/SetOutputFilter and
SetInputFilter put on requests."""

HOST = "filters"

HTTPD_CONF = """
PythonOutputFilter capitalize CAPITALIZE
PythonOutputFilter marker MARKER
PythonOutputFilter broken BROKEN
PythonOutputFilter passer PASSER
PythonInputFilter upper_in UPPERIN
PythonOutputFilter main_seen MAINSEEN
PythonInputFilter buffer_in BUFFERIN
<VirtualHost *:{port}>
    ServerName filters
    DocumentRoot "{htdocs}/filters"
</VirtualHost>
<Directory "{htdocs}/filters">
    PythonPath "['{htdocs}/filters'] + sys.path"
    AddHandler mod_python .py
    PythonHandler handler
    PythonDebug On
    AddOutputFilter CAPITALIZE .py .txt
</Directory>
<Location /marked>
    SetHandler mod_python
    SetOutputFilter MARKER
</Location>
<Location /broken>
    SetHandler mod_python
    SetOutputFilter BROKEN
</Location>
<Location /passed>
    SetHandler mod_python
    SetOutputFilter PASSER
</Location>
<Directory "{htdocs}/filters/inc">
    SetHandler mod_python
    PythonHandler part
    RemoveOutputFilter .py
    SetOutputFilter MAINSEEN
</Directory>
<Files "page.shtml">
    SetHandler None
    Options +Includes
    SetOutputFilter INCLUDES
</Files>
<Location /buffer-in>
    SetHandler mod_python
    SetInputFilter BUFFERIN
</Location>
<Location /upper-in>
    SetHandler mod_python
    SetInputFilter UPPERIN
</Location>
"""


def test_capitalize_handler_output(httpd):
    """4.3: the manual's CAPITALIZE filter on a handler's output."""
    r = httpd.get("/x.py", host=HOST)
    assert r.status_code == 200, r.text
    assert r.text == "HELLO FILTER WORLD"


def test_capitalize_static_file(httpd):
    """4.3: the same filter on a file Apache serves itself."""
    r = httpd.get("/page.txt", host=HOST)
    assert r.text == "A STATIC PAGE\n"


def test_called_many_times_and_members(httpd):
    """4.3: a filter is called once per flush; 4.5.5 members."""
    r = httpd.get("/marked/x?chunks", host=HOST)
    assert r.status_code == 200, r.text
    assert r.text.startswith("[MARKER False marker False]")
    body = r.text[len("[MARKER False marker False]"):]
    assert body.replace("|", "") == "".join("chunk%d " % i for i in range(5))
    assert body.count("|") >= 5


def test_input_filter_rewrites_post_body(httpd):
    """5.2.1: an input filter's output is what the handler reads."""
    r = httpd.post("/upper-in/x?echo", host=HOST, data=b"post me please")
    assert r.text == "body=POST ME PLEASE"


def test_input_filter_large_body(httpd):
    """The input filter is called as many times as the body needs."""
    data = b"abcdefghij" * 20000
    r = httpd.post("/upper-in/x?echo", host=HOST, data=data)
    assert r.content == b"body=" + data.upper()


def test_pass_on(httpd):
    """4.5.5: pass_on() passes data untouched."""
    r = httpd.get("/passed/x", host=HOST)
    assert r.text == "hello filter world"


def test_exception_in_filter(httpd):
    """An exception in a filter is logged, shown with PythonDebug On, and
    does not loop; the server keeps serving."""
    mark = httpd.log_mark()
    r = httpd.get("/broken/x", host=HOST)
    assert "mp-broken-filter" in r.text
    assert "ValueError" in httpd.error_log_since(mark)
    for _ in range(10):
        assert httpd.get("/x.py", host=HOST).text == "HELLO FILTER WORLD"


def test_filter_in_subrequest_sees_main(httpd):
    """4.3: a filter runs again in a subrequest (here mod_include's
    <!--#include virtual -->), where filter.req.main is the including
    request."""
    r = httpd.get("/page.shtml", host=HOST)
    assert r.status_code == 200, r.text
    assert r.text == "before [sub]included main=True after\n"


def test_buffering_input_filter(httpd):
    """An input filter call that reads but writes nothing is not the end
    of the body: the filter is asked again until it writes or the body
    ends."""
    data = bytes(range(256)) * 400
    r = httpd.post("/buffer-in/x?echo", host=HOST, data=data)
    assert r.content == b"body=" + data[::-1]
