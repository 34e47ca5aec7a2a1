"""The diagnostics pages read in a narrow browser window: /mpinfo
(Doc/testhandler.rst, "Long values ... wrap"), the PSP listing of
PythonDebug (Doc/psp.rst) and the PythonDebug traceback page
(Doc/handlers.rst, "Errors") wrap long values instead of making the page
scroll sideways.

A real browser (Debian's chromium, headless) loads each page into an
800 pixel wide frame of htdocs/pagewidth/frame.html, whose script writes
the framed document's scrollWidth and clientWidth into the page; the
browser prints the resulting DOM.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.parse

import pytest

HOST = "pagewidth"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName pagewidth
    DocumentRoot "{htdocs}/pagewidth"
    <Location /mpinfo>
        SetHandler mod_python
        PythonHandler mod_python.testhandler
    </Location>
</VirtualHost>
<Directory "{htdocs}/pagewidth">
    AddHandler mod_python .psp .psp_
    PythonHandler mod_python.psp
    PythonDebug On
</Directory>
"""

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LONG = "x" * 700


def _widths(httpd, target):
    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is missing: apt-get install -y "
                    "--no-install-recommends chromium (scripts/setup.sh)",
                    pytrace=False)
    url = "http://%s:%d/frame.html?%s" % (
        HOST, httpd.port, urllib.parse.quote(target, safe=""))
    profile = tempfile.mkdtemp(prefix="mp-chromium-")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-dev-shm-usage", "--no-first-run",
           "--user-data-dir=" + profile,
           "--host-resolver-rules=MAP %s 127.0.0.1" % HOST,
           "--window-size=1000,800", "--virtual-time-budget=20000",
           "--dump-dom", url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    m = re.search(r"scrollWidth=(\d+) clientWidth=(\d+)", out)
    assert m, "no measurement in the browser's DOM:\n%s\n%s" % (
        out[-2000:], err[-2000:])
    return int(m.group(1)), int(m.group(2))


def test_mpinfo_fits_narrow_window(httpd):
    """/mpinfo with a 700-character query string (shown unbroken in
    req.args, req.the_request, QUERY_STRING...) and PATH, sys.path and
    the configuration tree is no wider than an 800 pixel window."""
    scroll, client = _widths(httpd, "/mpinfo?" + LONG)
    assert 700 < client <= 800      # less a vertical scroll bar
    assert scroll <= client, (scroll, client)


def test_psp_listing_fits_narrow_window(httpd):
    """The PythonDebug listing of a PSP page (URL ending in '_') with a
    line of 500 characters without a space wraps within the window."""
    scroll, client = _widths(httpd, "/long.psp_")
    assert scroll <= client, (scroll, client)


def test_traceback_page_fits_narrow_window(httpd):
    """The PythonDebug traceback page of a failing PSP page, whose
    exception message is 400 characters without a space, wraps within
    the window."""
    scroll, client = _widths(httpd, "/long.psp")
    assert scroll <= client, (scroll, client)
