"""CherryPy through its own mod_python adapter, ``cherrypy._cpmodpy``,
configured as its documentation gives it (``SetHandler python-program``,
``PythonHandler cherrypy._cpmodpy::handler``, ``PythonOption
cherrypy.setup module::function``).  Doc/porting.rst, "Running
applications written for mod_python 3.5".

The site is htdocs/cherrypy/cpapp.py: CherryPy's own tutorials (forms,
sessions in files, generators, file upload and serve_file download,
error pages) and a few pages of ours (basic authentication, two cookies,
a redirect, requests in flight together, a message logged from a thread
through ``apache.log_error(msg, level, req.server)``).  CherryPy is the
one scripts/setup.sh installs from PyPI."""

import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

APPS = os.environ.get("MP_TEST_APPS", "/usr/local/lib/mod_python-test-apps")
HOST = "cherrypy"
TUTORIAL = os.path.join(APPS, "cherrypy", "tutorial")

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName cherrypy
    DocumentRoot "{htdocs}/cherrypy"
    <Location "/cp">
        PythonPath "sys.path + ['%(apps)s', '{htdocs}/cherrypy']"
        SetHandler python-program
        PythonHandler cherrypy._cpmodpy::handler
        PythonOption cherrypy.setup cpapp::setup_server
    </Location>
</VirtualHost>
""" % {"apps": APPS}


@pytest.fixture(scope="module")
def cp(httpd):
    if not os.path.isfile(os.path.join(APPS, "cherrypy", "_cpmodpy.py")):
        pytest.fail("CherryPy is not installed in %s: run scripts/setup.sh"
                    % APPS, pytrace=False)
    return httpd


def get(httpd, path, **kw):
    r = httpd.get(path, host=HOST, **kw)
    # CherryPy encodes its text as UTF-8; its Content-Type does not get
    # through the adapter (see test_content_type_stays_the_adapters).
    r.encoding = "utf-8"
    return r


def test_front_page(cp):
    """The adapter runs the setup function and serves the mounted root."""
    r = get(cp, "/cp/")
    assert r.status_code == 200, r.text
    assert r.text.startswith("CherryPy 18.")


def test_tutorial_forms(cp):
    """Tutorial 3: a GET form and its handler, with a non-ASCII value."""
    r = get(cp, "/cp/tut03/")
    assert r.status_code == 200
    assert 'action="greetUser"' in r.text
    r = get(cp, "/cp/tut03/greetUser", params={"name": "Zo\u00eb"})
    assert r.status_code == 200
    assert r.text == "Hey Zo\u00eb, what's up?"
    r = cp.post("/cp/tut03/greetUser", host=HOST, data={"name": "B\u00f6"})
    r.encoding = "utf-8"
    assert r.text == "Hey B\u00f6, what's up?"
    r = get(cp, "/cp/tut03/greetUser", params={"name": ""})
    assert "No, really" in r.text


def test_tutorial_file_sessions(cp):
    """Tutorial 7 with FileSession: the hit counter counts per session
    cookie, whichever child serves the request, and a second client has
    its own count."""
    one, two = requests.Session(), requests.Session()
    for s in (one, two):
        s.headers["Host"] = HOST
    counts = []
    for _ in range(3):
        r = one.get(cp.url("/cp/tut07/"), timeout=30)
        assert r.status_code == 200, r.text
        counts.append(int(re.search(r"viewed this\s+page (\d+)",
                                    r.text).group(1)))
    assert counts == [1, 2, 3]
    r = two.get(cp.url("/cp/tut07/"), timeout=30)
    assert re.search(r"page 1 times", r.text), r.text
    assert one.cookies["session_id"] != two.cookies["session_id"]
    files = os.listdir(os.path.join(cp.var, "cherrypy-sessions"))
    assert "session-" + one.cookies["session_id"] in files


def test_tutorial_generators(cp):
    """Tutorial 8: a generator body with response.stream on (the adapter
    flushes the headers, then writes each piece)."""
    r = get(cp, "/cp/tut08/")
    assert r.status_code == 200
    assert r.text == ("<html><body><h2>Generators rule!</h2>"
                      "<h3>List of users:</h3>Remi<br/>Carlos<br/>"
                      "Hendrik<br/>Lorenzo Lamas<br/></body></html>")


def test_tutorial_upload_and_download(cp):
    """Tutorial 9: a multipart upload read in pieces, and serve_file
    sending the PDF the tutorial ships, byte for byte, as an attachment."""
    data = os.urandom(200000)
    r = cp.post("/cp/tut09/upload", host=HOST,
                files={"myFile": ("d\u00e9j\u00e0.bin", data,
                                  "application/x-test")})
    assert r.status_code == 200, r.text
    assert "myFile length: %d" % len(data) in r.text
    assert "myFile mime-type: application/x-test" in r.text
    r = get(cp, "/cp/tut09/download")
    assert r.status_code == 200
    with open(os.path.join(TUTORIAL, "pdf_file.pdf"), "rb") as f:
        pdf = f.read()
    assert hashlib.sha256(r.content).digest() == \
        hashlib.sha256(pdf).digest()
    assert r.headers["Content-Disposition"] == \
        'attachment; filename="pdf_file.pdf"'
    assert int(r.headers["Content-Length"]) == len(pdf)


def test_content_type_stays_the_adapters(cp):
    """What CherryPy 18's adapter does with Content-Type under Python 3:
    it sets req.content_type to text/plain, then compares each header
    name, which CherryPy gives as bytes, with the str 'content-type'; the
    comparison never matches, so CherryPy's Content-Type goes into
    headers_out, and Apache writes the header from req.content_type
    (ap_http_header_filter), as it does for any module.  Every page is
    text/plain; the bytes are CherryPy's.  Doc/porting.rst says so."""
    r = get(cp, "/cp/tut03/")
    assert r.headers["Content-Type"] == "text/plain"
    r = get(cp, "/cp/tut09/download")
    assert r.headers["Content-Type"] == "text/plain"


def test_tutorial_error_pages(cp):
    """Tutorial 10: errors the application raises keep their status; the
    403 uses the tutorial's custom page; an unknown path is CherryPy's
    404; a 500 carries its message and no traceback (production)."""
    for code in (400, 401, 402):
        r = get(cp, "/cp/tut10/error", params={"code": code})
        assert r.status_code == code
    r = get(cp, "/cp/tut10/error", params={"code": 403})
    assert r.status_code == 403
    with open(os.path.join(TUTORIAL, "custom_error.html")) as f:
        assert f.read().split("%(")[0].strip()[:40] in r.text
    r = get(cp, "/cp/tut10/doesNotExist")
    assert r.status_code == 404
    assert "The path '/cp/tut10/doesNotExist' was not found." in r.text
    r = get(cp, "/cp/tut10/messageArg")
    assert r.status_code == 500
    assert "construct an HTTPError with a &#x27;message&#x27;" in r.text \
        or "construct an HTTPError with a 'message'" in r.text
    assert "Traceback" not in r.text


def test_redirect(cp):
    """HTTPRedirect: a 303 with an absolute Location, which the client
    follows to the form handler."""
    r = get(cp, "/cp/go")
    assert r.status_code == 303
    assert r.headers["Location"] == \
        "http://cherrypy/cp/tut03/greetUser?name=Redirected"
    r = get(cp, "/cp/tut03/greetUser?name=Redirected")
    assert r.text == "Hey Redirected, what's up?"


def test_basic_auth(cp):
    """CherryPy's auth_basic tool: 401 with its challenge without
    credentials or with wrong ones, 200 with the right (UTF-8) ones; the
    Authorization header reaches the application untouched."""
    r = get(cp, "/cp/secret/")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == \
        'Basic realm="cherry", charset="UTF-8"'
    r = get(cp, "/cp/secret/", auth=("ann", "wrong"))
    assert r.status_code == 401
    r = get(cp, "/cp/secret/", auth=("ann", "p\u00e4ss".encode("utf-8")))
    assert r.status_code == 200, r.text
    assert r.text == "secret for ann"


def test_two_set_cookie_headers(cp):
    """Two cookies are two Set-Cookie header lines (the adapter adds each
    of CherryPy's header pairs to headers_out)."""
    status, headers, body = cp.raw_request("/cp/cookies", host=HOST)
    assert status == 200, body
    cookies = sorted(cp.header_values(headers, b"set-cookie"))
    assert cookies == [b"first=1; Path=/cp", b"second=two; Path=/cp"]
    assert body == b"two cookies"


def test_head(cp):
    """HEAD: the GET's status and headers, no body."""
    get_r = get(cp, "/cp/tut03/")
    status, headers, body = cp.raw_request("/cp/tut03/", host=HOST,
                                           method="HEAD")
    assert status == 200
    assert body == b""
    assert cp.header_values(headers, b"content-type")[0].decode() == \
        get_r.headers["Content-Type"]


def test_requests_in_flight_together(cp):
    """One request waits until a second one, sent while the first is in
    flight, makes a file: both are served at the same time.  Then 40
    requests from 8 client threads each get their own answer."""
    go = "go-" + os.urandom(8).hex()
    with ThreadPoolExecutor(8) as pool:
        waiting = pool.submit(get, cp, "/cp/wait", params={"go": go})
        made = get(cp, "/cp/make", params={"go": go})
        assert made.text == "made"
        assert waiting.result().text == "went"
        answers = list(pool.map(
            lambda n: get(cp, "/cp/echo", params={"n": n}).text, range(40)))
    assert answers == ["echo %d" % n for n in range(40)]
    os.unlink(os.path.join(cp.var, go))


def test_log_from_background_thread(cp):
    """The adapter's log subscriber calls apache.log_error(msg, level,
    req.server) with the server of the first request it saw; called from
    a thread of the application after that request ended, the line lands
    in the error log at the mapped level."""
    get(cp, "/cp/")
    marker = os.urandom(8).hex()
    mark = cp.log_mark()
    r = get(cp, "/cp/bglog", params={"marker": marker})
    assert r.text == "started"
    text = cp.wait_for_log("background " + marker, mark)
    # (CherryPy's access log line names the marker too: with Python
    # logging into the error log it lands there at info.)
    line = [l for l in text.splitlines() if "background " + marker in l]
    assert line, text
    assert "[python:warn]" in line[0] or ":warn]" in line[0], line
