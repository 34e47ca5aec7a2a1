"""Roundup, the issue tracker, through its own mod_python front end
(``roundup.cgi.apache``), configured the way Roundup's installation guide
("Apache HTTP Server with mod_python") gives it: AliasMatch onto a dummy
``.py`` file in the tracker home, ``AddHandler python-program .py``,
``PythonHandler roundup.cgi.apache`` and ``PythonOption TrackerHome``.
(Apache 2.4 spells the guide's ``Order allow,deny`` / ``Allow from all`` as
``Require all granted``; the guide's ``PythonOptimize On`` is a
server-wide directive, left out here so as not to change the whole test
server.)  Doc/porting.rst, "Running applications written
for mod_python 3.5".

The tracker (classic template, sqlite backend) is made at test time with
roundup-admin in the server's writable directory; Roundup itself is the
one scripts/setup.sh installs from PyPI.  The tests drive it as a user
would: front page, login, a new issue with a non-ASCII message, its page,
a search, a file attachment downloaded byte for byte (with Range and
If-None-Match), logout."""

import hashlib
import os
import re
import subprocess

import pytest
import requests

APPS = os.environ.get("MP_TEST_APPS", "/usr/local/lib/mod_python-test-apps")
HOST = "roundup"
BASE = "http://roundup/roundup/demo/"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName roundup
    DocumentRoot "{var}"
    PythonPath "['%(apps)s'] + sys.path"
    # let apache handle static files from 'html' directories
    AliasMatch /roundup/(.+)/@@file/(.*) "{var}/roundup/$1/html/$2"
    # everything else is handled by roundup web UI
    AliasMatch /roundup/([^/]+)/(?!@@file/)(.*) "{var}/roundup/$1/dummy.py/$2"
    # roundup requires a slash after tracker name - add it if missing
    RedirectMatch permanent ^/roundup/([^/]+)$ /roundup/$1/
    <Directory "{var}/roundup/*">
      Require all granted
      AllowOverride None
      Options None
      AddHandler python-program .py
      PythonHandler roundup.cgi.apache
    </Directory>
    <Directory "{var}/roundup/demo">
      PythonOption TrackerHome "{var}/roundup/demo"
    </Directory>
</VirtualHost>
""" % {"apps": APPS}


def roundup_admin(*args):
    env = dict(os.environ, PYTHONPATH=APPS, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        ["/usr/bin/python3", os.path.join(APPS, "bin", "roundup-admin")]
        + list(args), env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def tracker(httpd):
    """The tracker home, installed and initialised, owned by the user the
    children run as (it writes its sqlite database and sessions)."""
    if not os.path.isfile(os.path.join(APPS, "roundup", "cgi", "apache.py")):
        pytest.fail("Roundup is not installed in %s: run scripts/setup.sh"
                    % APPS, pytrace=False)
    home = os.path.join(httpd.var, "roundup", "demo")
    os.makedirs(os.path.dirname(home))
    roundup_admin("-i", home, "install", "classic", "sqlite",
                  "tracker_web=%s,web_debug=yes,mail_domain=localhost,"
                  "mail_host=127.0.0.1" % BASE)
    roundup_admin("-i", home, "initialise", "admin-pw")
    owner = os.stat(httpd.var)
    for top, dirs, files in os.walk(os.path.dirname(home)):
        for name in dirs + files + [""]:
            path = os.path.join(top, name)
            os.chmod(path, 0o777 if os.path.isdir(path) else 0o666)
    return home


class Browser:
    """A requests session that talks to the roundup virtual host, sends
    the Referer and Origin a browser would (Roundup's CSRF checks want
    them to match the tracker's web address), and finds the CSRF token
    in each form."""

    def __init__(self, httpd):
        self.httpd = httpd
        self.s = requests.Session()
        self.s.headers.update({"Host": HOST})

    def url(self, path):
        return self.httpd.url("/roundup/demo/" + path)

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        return self.s.get(self.url(path), timeout=60, **kw)

    def post(self, path, data, files=None, referer=""):
        headers = {"Referer": BASE + referer, "Origin": "http://roundup",
                   "X-Requested-With": "XMLHttpRequest"}
        return self.s.post(self.url(path), data=data, files=files,
                           headers=headers, timeout=60,
                           allow_redirects=False)

    @staticmethod
    def token(page):
        m = re.search(r'<input[^>]*name="@csrf"[^>]*value="([^"]+)"', page)
        assert m, page[:3000]
        return m.group(1)

    def login(self, user="admin", password="admin-pw"):
        front = self.get("")
        r = self.post("", {"__login_name": user, "__login_password": password,
                           "@action": "Login", "__came_from": BASE,
                           "@csrf": self.token(front.text)})
        return r


def test_front_page(httpd, tracker):
    """Roundup's front page (the issue index for anonymous) comes through
    roundup.cgi.apache: 200, text/html, the tracker's name."""
    r = Browser(httpd).get("")
    assert r.status_code == 200, r.text[-3000:]
    assert r.headers["Content-Type"].startswith("text/html")
    assert "Roundup issue tracker" in r.text or "Tracker" in r.text
    assert "__login_name" in r.text


def test_redirect_to_slash(httpd, tracker):
    """The guide's RedirectMatch: /roundup/demo goes to /roundup/demo/."""
    r = httpd.get("/roundup/demo", host=HOST)
    assert r.status_code == 301
    assert r.headers["Location"].endswith("/roundup/demo/")


def test_static_file_by_apache(httpd, tracker):
    """The guide's @@file AliasMatch: the tracker's html directory is
    served by Apache itself."""
    r = httpd.get("/roundup/demo/@@file/style.css", host=HOST)
    assert r.status_code == 200
    with open(os.path.join(tracker, "html", "style.css"), "rb") as f:
        assert r.content == f.read()


def test_issue_life(httpd, tracker):
    """A user's session: login (a session cookie), a new issue whose title
    and message are not ASCII, the issue's page, a search that finds it,
    an attachment uploaded and downloaded byte for byte, the download with
    Range (206) and with If-None-Match (304), and logout."""
    b = Browser(httpd)
    r = b.login()
    assert r.status_code in (200, 302, 303), r.text[-3000:]
    page = b.get("").text
    assert "Hello, admin" in page or "admin" in page
    assert "__login_name" not in page

    # a new issue with a non-ASCII title and message, and an attachment
    title = "Caf\u00e9 cr\u00e8me: \u65e5\u672c\u8a9e \u2014 test"
    message = "Der Br\u00fcckenbau \u00fcber den Fluss \u2603 geht weiter."
    attachment = os.urandom(50000) + bytes(range(256))
    form = b.get("issue?@template=item").text
    r = b.post("issue", {"title": title, "@note": message,
                         "priority": "bug", "status": "unread",
                         "@action": "new", "@template": "item",
                         "@csrf": b.token(form)},
               files={"@file": ("data.bin", attachment,
                                "application/octet-stream")},
               referer="issue?@template=item")
    assert r.status_code in (302, 303), r.text[-3000:]
    location = r.headers["Location"]
    m = re.search(r"issue(\d+)", location)
    assert m, location
    issue = "issue" + m.group(1)

    page = b.get(issue)
    assert page.status_code == 200, page.text[-3000:]
    assert page.encoding.lower() in ("utf-8", "utf8")
    assert title in page.text
    assert message in page.text
    m = re.search(r'href="(file\d+)/data\.bin"', page.text)
    assert m, page.text[-5000:]
    file_id = m.group(1)

    # search
    found = b.get("issue?@columns=title&@search_text="
                  + requests.utils.quote("Br\u00fcckenbau"))
    assert found.status_code == 200
    assert title in found.text
    nothing = b.get("issue?@columns=title&@search_text=zzyzzyva")
    assert nothing.status_code == 200
    assert title not in nothing.text

    # the attachment, whole, in part, and revalidated
    whole = b.get(file_id + "/data.bin")
    assert whole.status_code == 200
    assert whole.content == attachment
    assert hashlib.sha256(whole.content).digest() == \
        hashlib.sha256(attachment).digest()
    part = b.get(file_id + "/data.bin", headers={"Range": "bytes=100-299"})
    assert part.status_code == 206, part.headers
    assert part.content == attachment[100:300]
    assert part.headers["Content-Range"] == \
        "bytes 100-299/%d" % len(attachment)
    etag = whole.headers.get("ETag")
    assert etag, whole.headers
    again = b.get(file_id + "/data.bin", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""

    # logout
    r = b.get("?@action=logout")
    assert r.status_code in (200, 302, 303)
    assert "__login_name" in b.get("").text
