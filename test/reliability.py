"""What the reliability tests (test_reliability.py) and the soak run
(scripts/soak.py) share: the configuration of the pages under load, and
wrk, run and read."""

import re
import subprocess

HOST = "reliability"

# {var} and friends are filled in by the harness.
CONF = """
<VirtualHost *:{port}>
    ServerName reliability
    DocumentRoot "{htdocs}/reliability"
</VirtualHost>
<Directory "{htdocs}/reliability/handler">
    SetHandler mod_python
    PythonHandler hello
</Directory>
<Directory "{htdocs}/reliability/pub">
    SetHandler mod_python
    PythonHandler mod_python.publisher
</Directory>
<Directory "{htdocs}/reliability/psp">
    AddHandler mod_python .psp
    PythonHandler mod_python.psp
</Directory>
<Directory "{htdocs}/reliability/counter">
    SetHandler mod_python
    PythonHandler counter
    PythonOption session_directory "{var}"
</Directory>
"""

# The four kinds of page: a handler, a publisher function, a PSP page,
# and a form read with FieldStorage plus a FileSession.
PAGES = {
    "handler": "/handler/x",
    "publisher": "/pub/page.py/hello?name=load",
    "psp": "/psp/page.psp?name=load",
    "session": "/counter/c?a=1&b=2",
}


class WrkResult:
    def __init__(self, text):
        self.text = text
        m = re.search(r"(\d+) requests in", text)
        self.requests = int(m.group(1)) if m else None
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        self.non_2xx = int(m.group(1)) if m else 0
        m = re.search(r"Socket errors: connect (\d+), read (\d+), "
                      r"write (\d+), timeout (\d+)", text)
        self.socket_errors = sum(map(int, m.groups())) if m else 0
        m = re.search(r"Requests/sec:\s+([\d.]+)", text)
        self.rate = float(m.group(1)) if m else None

    @property
    def failed(self):
        return self.non_2xx + self.socket_errors

    def __repr__(self):
        return ("WrkResult(requests=%s, non_2xx=%s, socket_errors=%s)"
                % (self.requests, self.non_2xx, self.socket_errors))


def wrk(port, path, seconds, connections=64, threads=2, headers=(),
        timeout_s=30):
    """Run wrk against 127.0.0.1:port with Host: reliability; returns a
    WrkResult (its text holds wrk's own report)."""
    cmd = ["wrk", "-t%d" % threads, "-c%d" % connections,
           "-d%ds" % seconds, "--timeout", "%ds" % timeout_s,
           "-H", "Host: " + HOST]
    for h in headers:
        cmd += ["-H", h]
    cmd.append("http://127.0.0.1:%d%s" % (port, path))
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          timeout=seconds + timeout_s + 30)
    if proc.returncode != 0:
        raise RuntimeError("wrk failed: %s %s" % (proc.stdout, proc.stderr))
    return WrkResult(proc.stdout)


def access_count(log_text, path, status=None):
    """Lines of the access log for path (exactly, with Host reliability);
    only those with the given status if status is given."""
    needle = '"GET %s HTTP/1.1" ' % path
    n = 0
    for line in log_text.splitlines():
        if needle in line and "host=" + HOST in line:
            if status is None or line.split(needle, 1)[1].startswith(
                    str(status) + " "):
                n += 1
    return n
