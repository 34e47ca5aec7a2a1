#!/usr/bin/env python3
"""Serve the tutorial examples (manual chapter 3) on 127.0.0.1:8080.

Also a PSP page with a session, and the test handler at /mpinfo.  The 3.1
publisher form sends its mail to a local debugging SMTP server (aiosmtpd)
that this script starts and that prints each message on the console.

Builds nothing: run scripts/demo.sh, which builds first.  The server runs in
the foreground from a temporary ServerRoot holding copies of the examples
and of the mod_python package (Apache's children, which run as www-data when
started by root, may not be able to read this checkout).  Ctrl-C stops it.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
EXAMPLES = os.path.join(TOP, "test", "htdocs", "tutorial")
PUBLISHER_TUTORIAL = os.path.join(TOP, "test", "htdocs", "publisher",
                                  "tutorial")

# A PSP page (manual 4.9) using the session global (4.8).
COUNTER_PSP = """<html><head><title>PSP and a session</title></head><body>
<%
session["hits"] = session.get("hits", 0) + 1
%>
<h1>Hello from PSP</h1>
<p>This session (<code><%= session.id() %></code>) has seen this page
<b><%= session["hits"] %></b> time(s). Reload to count.</p>
<p>The time is <%= __import__("time").strftime("%H:%M:%S") %>.</p>
</body></html>
"""
MODULE = os.path.join(TOP, "src", "mod_python.so")

INDEX = """<html><head><title>mod_python tutorial</title></head><body>
<h1>mod_python: the tutorial examples</h1>
<ul>
<li><a href="/test/mptest.py">2.4 mptest.py</a> - Hello World!</li>
<li><a href="/hello/myscript.py">3.3 hello world</a>
    (any .py name works: <a href="/hello/montypython.py">montypython.py</a>)</li>
<li><a href="/auth/myscript.py">3.4 authentication</a>
    (user <b>spam</b>, password <b>eggs</b>)</li>
<li><a href="/notfound/existing.html">3.5 a file served by the handler</a>,
    <a href="/notfound/handler-error.html">the handler's own 404</a>,
    <a href="/notfound/apache-error.html">Apache's 404</a></li>
<li><a href="/form/form.html">3.1 the publisher form</a> (the mail goes to
    a local debugging SMTP server: see the console)</li>
<li><a href="/psp/counter.psp">a PSP page with a session</a>
    (<a href="/psp/counter.psp_">its code</a>)</li>
<li><a href="/mpinfo">/mpinfo</a>: the test handler</li>
</ul></body></html>
"""

CONF = """
ServerRoot "{root}"
Listen {listen}
ServerName 127.0.0.1
PidFile "{root}/httpd.pid"
DefaultRuntimeDir "{root}"
ErrorLog "{root}/error_log"
LogLevel warn
{user}
{modules}
LoadModule python_module "{module}"
TypesConfig /etc/mime.types
DocumentRoot "{docs}"
DirectoryIndex index.html
<Directory "{docs}">
    Require all granted
</Directory>
<Directory "{docs}/test">
    AddHandler mod_python .py
    PythonHandler mptest
    PythonDebug On
</Directory>
<Directory "{docs}/hello">
    AddHandler mod_python .py
    PythonHandler myscript
    PythonDebug On
</Directory>
<Directory "{docs}/auth">
    AddHandler mod_python .py
    PythonHandler myscript
    PythonAuthenHandler myscript
    PythonDebug On
    AuthType Basic
    AuthName "Restricted Area"
    require valid-user
</Directory>
<Directory "{docs}/notfound">
    AddHandler mod_python .html
    PythonHandler myscript
    PythonDebug On
</Directory>
<Directory "{docs}/form">
    AddHandler mod_python .py
    PythonHandler mod_python.publisher
    PythonOption smtp_server {smtp}
    PythonDebug On
</Directory>
<Directory "{docs}/psp">
    AddHandler mod_python .psp .psp_
    PythonHandler mod_python.psp
    PythonOption session FileSession
    PythonOption session_directory "{root}/sessions"
    PythonDebug On
</Directory>
<Location /mpinfo>
    SetHandler mod_python
    PythonHandler mod_python.testhandler
</Location>
"""

STOCK_MODULES = ["mpm_prefork", "authz_core", "authn_core", "auth_basic",
                 "authz_user", "mime", "dir", "unixd"]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def modules_dir():
    out = subprocess.run(["apxs", "-q", "LIBEXECDIR"], capture_output=True,
                         text=True)
    return out.stdout.strip() or "/usr/lib/apache2/modules"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8080")
    args = parser.parse_args()
    if not os.path.exists(MODULE):
        sys.exit("demo: %s is missing; run scripts/demo.sh (it builds)"
                 % MODULE)

    root = tempfile.mkdtemp(prefix="mod_python-demo-")
    os.chmod(root, 0o755)
    docs = os.path.join(root, "htdocs")
    pylib = os.path.join(root, "python")
    shutil.copytree(EXAMPLES, docs)
    shutil.copytree(PUBLISHER_TUTORIAL, os.path.join(docs, "form"))
    os.mkdir(os.path.join(docs, "psp"))
    with open(os.path.join(docs, "psp", "counter.psp"), "w") as f:
        f.write(COUNTER_PSP)
    shutil.copytree(os.path.join(TOP, "lib", "python"), pylib,
                    ignore=shutil.ignore_patterns("__pycache__"))
    with open(os.path.join(docs, "index.html"), "w") as f:
        f.write(INDEX)
    for top, dirs, files in os.walk(root):
        for d in dirs:
            os.chmod(os.path.join(top, d), 0o755)
        for name in files:
            os.chmod(os.path.join(top, name), 0o644)

    mdir = modules_dir()
    loads = "\n".join('LoadModule %s_module "%s/mod_%s.so"' % (m, mdir, m)
                      for m in STOCK_MODULES
                      if os.path.exists("%s/mod_%s.so" % (mdir, m)))
    user = "User www-data\nGroup www-data" if os.getuid() == 0 else ""
    conf = os.path.join(root, "httpd.conf")
    sessions = os.path.join(root, "sessions")
    os.mkdir(sessions)
    os.chmod(sessions, 0o1777)
    smtp_port = free_port()
    with open(conf, "w") as f:
        f.write(CONF.format(root=root, listen=args.listen, user=user,
                            modules=loads, module=MODULE, docs=docs,
                            smtp="127.0.0.1:%d" % smtp_port))

    env = dict(os.environ, PYTHONPATH=pylib)
    httpd = shutil.which("apache2", path="/usr/sbin:" + os.environ["PATH"]) \
        or shutil.which("httpd")
    check = subprocess.run([httpd, "-d", root, "-f", conf, "-t"], env=env,
                           capture_output=True, text=True)
    if check.returncode != 0:
        sys.exit("demo: the configuration does not load:\n" + check.stderr)
    # The debugging SMTP server prints every message it receives.
    smtpd = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n",
                              "-l", "127.0.0.1:%d" % smtp_port,
                              "-c", "aiosmtpd.handlers.Debugging"])
    # In a session of its own: prefork signals its whole process group when
    # it stops, which would interrupt the clean-up below a second time.
    # Ctrl-C reaches it through that clean-up.
    proc = subprocess.Popen([httpd, "-d", root, "-f", conf, "-DFOREGROUND"],
                            env=env, start_new_session=True)
    # SIGTERM (from a service manager, or kill) stops the demo as Ctrl-C
    # does, so that httpd and the SMTP server are stopped too.
    signal.signal(signal.SIGTERM, _interrupt)
    # Also when started from a script in the background, where SIGINT
    # comes in ignored and Python would leave it so.
    signal.signal(signal.SIGINT, _interrupt)
    print("mod_python demo on http://%s/  (error log: %s/error_log)\n"
          "Press Ctrl-C to stop." % (args.listen, root), flush=True)
    try:
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        # One stop request is enough: a second Ctrl-C must not cut the
        # clean-up short and leave httpd running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for child in (proc, smtpd):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
