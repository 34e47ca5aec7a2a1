"""mod_python.testhandler (manual 2.5, Troubleshooting): the page that
describes mod_python's setup, with every value HTML-escaped."""

import html.parser
import os
import re
import sys

HOST = "testhandler"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName testhandler
    DocumentRoot "{htdocs}/testhandler"
    # 2.5, as printed
    <Location /mpinfo>
        SetHandler mod_python
        PythonHandler mod_python.testhandler
    </Location>
    <Location /mpinfo-options>
        SetHandler mod_python
        PythonHandler mod_python.testhandler
        PythonDebug On
        PythonOption th.option "<b>option</b> & value"
    </Location>
</VirtualHost>
<Directory "{htdocs}/testhandler/other">
    SetHandler mod_python
    PythonInterpreter th_other
    PythonHandler th_other_mod
</Directory>
"""


class _Page(html.parser.HTMLParser):
    """{section title: {row name: value}} of the test page's tables."""

    def __init__(self):
        super().__init__()
        self.sections = {}
        self.tree = []
        self._where = None
        self._text = ""
        self._row = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "th", "td", "li"):
            self._where = tag
            self._text = ""

    def handle_endtag(self, tag):
        if tag != self._where and not (tag == "li" and self._where):
            return
        if tag == "h2":
            self._current = self.sections.setdefault(self._text, {})
        elif tag == "th":
            self._row = [self._text]
        elif tag == "td" and self._row:
            self._current[self._row[0]] = self._text
            self._row = []
        elif tag == "li":
            self.tree.append(self._text.strip())
        self._where = None

    def handle_data(self, data):
        if self._where:
            self._text += data


def page(httpd, path="/mpinfo", **kw):
    r = httpd.get(path, host=HOST, **kw)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    parser = _Page()
    parser.feed(r.text)
    return r, parser


def test_versions(httpd):
    """2.5: the page gives the mod_python, Python and Apache versions and
    the MPM."""
    r, p = page(httpd)
    versions = p.sections["Versions"]
    assert versions["mod_python"] == "3.2.10"
    assert versions["mod_python (C module)"] == "3.2.10"
    assert versions["Python"].split()[0] == sys.version.split()[0]
    assert re.match(r"Apache/2\.4\.\d+", versions["Apache"])
    assert versions["MPM"].startswith(httpd.mpm + " (")


def test_mpm_queries(httpd):
    """2.5 with 4.5.1 mpm_query: the MPM's answers."""
    _, p = page(httpd)
    mpm = p.sections["MPM (apache.mpm_query())"]
    threaded = httpd.mpm != "prefork"
    assert mpm["AP_MPMQ_IS_THREADED"] == ("1" if threaded else "0")
    assert mpm["AP_MPMQ_IS_FORKED"] != "0"
    assert mpm["AP_MPMQ_MAX_DAEMONS"] in ("4", "10")


def test_interpreter(httpd):
    """2.5: the interpreter (named after the virtual host), the process,
    sys.path."""
    _, p = page(httpd)
    interp = p.sections["Interpreter"]
    assert interp["name (req.interpreter)"] == "testhandler"
    assert int(interp["process id"]) in httpd.children()
    assert httpd.python_lib in interp["sys.path"].split("\n")
    assert interp["server root (apache.server_root())"] == httpd.root


def test_request_members(httpd):
    """2.5: the request's members."""
    _, p = page(httpd, "/mpinfo?a=1")
    req = p.sections["Request members"]
    assert req["req.uri"] == "/mpinfo"
    assert req["req.args"] == "a=1"
    assert req["req.method"] == "GET"
    assert req["req.the_request"] == "GET /mpinfo?a=1 HTTP/1.1"
    assert req["req.handler"] == "mod_python"
    assert req["req.phase"] == "PythonHandler"
    assert req["req.interpreter"] == "testhandler"
    headers = p.sections["Request headers (req.headers_in)"]
    assert headers["Host"] == "testhandler"
    env = p.sections[
        "CGI environment (req.subprocess_env after add_common_vars())"]
    assert env["REMOTE_ADDR"] == "127.0.0.1"
    assert env["HTTP_HOST"] == "testhandler"


def test_configuration_and_options(httpd):
    """2.5: the configuration (req.get_config()) and the options
    (req.get_options()) in effect."""
    _, p = page(httpd, "/mpinfo-options")
    config = p.sections["mod_python configuration (req.get_config())"]
    assert config["PythonDebug"] == "1"
    options = p.sections["Options (req.get_options())"]
    assert options["th.option"] == "<b>option</b> & value"
    _, p = page(httpd)
    assert "PythonDebug" not in p.sections[
        "mod_python configuration (req.get_config())"]
    assert "th.option" not in p.sections["Options (req.get_options())"]


def test_server_and_connection(httpd):
    """2.5: the server and connection objects."""
    _, p = page(httpd)
    server = p.sections["Server (req.server)"]
    assert server["req.server.server_hostname"] == "testhandler"
    assert server["req.server.is_virtual"] in ("1", "True")
    conn = p.sections["Connection (req.connection)"]
    assert conn["req.connection.remote_ip"] == "127.0.0.1"


def test_config_tree(httpd):
    """2.5 with 4.5.1 config_tree: Apache's configuration, as a tree."""
    _, p = page(httpd)
    assert "Apache configuration tree (apache.config_tree())" in p.sections
    assert any(item.startswith("ServerName testhandler")
               for item in p.tree)
    assert any(item.startswith("PythonHandler mod_python.testhandler")
               for item in p.tree)


def test_values_escaped(httpd):
    """Every value is HTML-escaped: markup sent by the client (a header,
    the query string) or found in the configuration is shown, not run."""
    script = "<script>alert('x')</script>"
    status, _, body = httpd.raw_request(
        "/mpinfo-options?q=%s" % script.replace(" ", "%20"), host=HOST,
        headers=[("X-Evil", script)])
    assert status == 200
    text = body.decode("utf-8")
    assert "<script>" not in text
    assert "<b>option</b>" not in text
    assert ("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
            in text)
    assert "&lt;b&gt;option&lt;/b&gt; &amp; value" in text
    _, p = page(httpd, "/mpinfo", headers={"X-Evil": script})
    assert p.sections["Request headers (req.headers_in)"]["X-Evil"] == script


def test_not_elsewhere(httpd):
    """2.5: the handler answers only where it is configured."""
    r = httpd.get("/", host=HOST)
    assert r.status_code == 200
    assert "mod_python test page" not in r.text
    assert os.path.isdir(os.path.join(httpd.htdocs, "testhandler"))


def _same_process(httpd, *paths):
    """GET each path in turn on one keep-alive connection, so one child
    serves them all (interpreters belong to a process)."""
    import requests
    out = []
    with requests.Session() as s:
        for path in paths:
            r = s.get(httpd.url(path), headers={"Host": HOST}, timeout=30)
            assert r.status_code == 200, r.text
            out.append(r)
    return out


def test_installation(httpd):
    """Which mod_python.so Apache loaded (found from the module's own
    code, not from the configuration) and which Python package was
    imported, with their versions, so a mixed installation shows."""
    _, p = page(httpd)
    inst = p.sections["Installation"]
    assert inst["mod_python.so (the module Apache loaded)"] == \
        os.path.realpath(httpd.module_so)
    assert inst["Python package (mod_python.__file__)"] == \
        os.path.join(httpd.python_lib, "mod_python")
    assert inst["consistent"].startswith("yes")


def test_python_environment_and_logging(httpd):
    """The Python environment (sys.prefix against sys.base_prefix: is a
    virtual environment in use) and the log levels in effect."""
    _, p = page(httpd)
    env = p.sections["Python environment"]
    assert env["sys.prefix"] == sys.base_prefix
    assert env["virtual environment"].startswith("no")
    assert "PATH" in env
    log = p.sections["Logging"]
    assert re.match(r"\w+ \(\d+\)$", log["LogLevel of this server"])
    assert re.match(r"\w+ \(\d+\)$", log["LogLevel for mod_python (python:)"])


def test_interpreters_and_their_modules(httpd):
    """The interpreters of the process, and for each (even one other than
    the page's own) the modules mod_python imported there with their
    files and modification times, and the handler configurations cached
    there with the module each handler came from."""
    other, info = _same_process(httpd, "/other/x", "/mpinfo")
    assert other.text == "other interpreter"
    p = _Page()
    p.feed(info.text)
    names = p.sections["Interpreters in process %s"
                       % p.sections["Interpreter"]["process id"]]
    assert "th_other" in names and "testhandler" in names
    assert names["testhandler"] == "this request's interpreter"
    mod_file = os.path.join(httpd.htdocs, "testhandler", "other",
                            "th_other_mod.py")
    modules = p.sections["Interpreter th_other: modules imported by "
                         "mod_python"]
    assert modules["th_other_mod"].startswith(mod_file + "\nmtime ")
    assert "kept by file name" in modules["th_other_mod"]
    cache = p.sections["Interpreter th_other: handler cache"]
    assert int(cache["configurations cached"]) >= 1
    assert any("th_other_mod (directory %s/) -> %s"
               % (os.path.dirname(mod_file), mod_file) in v
               for v in cache.values())
    own = p.sections["Interpreter testhandler: handler cache"]
    assert any("mod_python.testhandler" in v for v in own.values())


def test_interpreter_report_bad_input(httpd):
    """_apache.interpreter_report (what the page uses) answers a name
    that is not an interpreter of the process with KeyError, and a
    non-string with TypeError, and never makes an interpreter."""
    r = httpd.get("/other/x?bad", host=HOST)
    assert r.status_code == 200
    lines = r.text.split("\n")
    assert lines[0] == "KeyError: 'mp-no-such-interpreter'"
    assert lines[1].startswith("TypeError: interpreter_report() needs an "
                               "interpreter name (str), not int")


def test_python_threads_with_their_requests(httpd):
    """The page shows the Python stack of each thread of the process in
    its interpreter, the thread serving the page marked, with its URI and
    the handler's frame (Doc/stuck_requests.rst, on demand)."""
    r, _ = page(httpd, "/mpinfo?threads")
    m = re.search(r"<h2>Python threads of this process \(this "
                  r"interpreter\)</h2>\n<pre>(.*?)</pre>", r.text, re.S)
    assert m, r.text[-2000:]
    text = m.group(1)
    assert "[this request]" in text
    assert "/mpinfo" in text
    assert "testhandler.py" in text and "in handler" in text
