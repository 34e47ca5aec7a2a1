#!/usr/bin/env python3
"""Serve the tutorial examples (manual chapter 3) on 127.0.0.1:8080.

Also a PSP page with a session, and the test handler at /mpinfo.  The 3.1
publisher form sends its mail to a small SMTP server that this script runs
and that prints each message it receives on the console, decoded.

Builds nothing: run scripts/demo.sh, which builds first.  httpd runs (through
scripts/httpd_launcher.py, as in the test suite) in the foreground from a
temporary ServerRoot holding copies of the examples and of the mod_python
package (Apache's children, which run as www-data when started by root, may
not be able to read this checkout).  Its logs go to a directory that
outlives it (--logs, or $MP_DEMO_LOGS, or a new
/tmp/mod_python-demo-logs-XXXX), which the demo names when it stops.
Ctrl-C stops it.
"""

import argparse
import email
import email.policy
import os
import shutil
import signal
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
EXAMPLES = os.path.join(TOP, "test", "htdocs", "tutorial")
PUBLISHER_TUTORIAL = os.path.join(TOP, "test", "htdocs", "publisher",
                                  "tutorial")
MODULE = os.path.join(TOP, "src", "mod_python.so")

sys.path.insert(0, HERE)
import httpd_launcher as launcher  # noqa: E402  (needs the path above)

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

INDEX = """<html><head><meta charset="utf-8">
<title>mod_python tutorial</title></head><body>
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
    a local SMTP server that prints it: see the console)</li>
<li><a href="/psp/counter.psp">a PSP page with a session</a>
    (<a href="/psp/counter.psp_">its code</a>)</li>
<li><a href="/mpinfo">/mpinfo</a>: the test handler</li>
</ul></body></html>
"""

CONF = """
TypesConfig /etc/mime.types
DocumentRoot "{docs}"
DirectoryIndex index.html
CustomLog "{logs}/access_log" common
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

STOCK_MODULES = ["authz_core", "authn_core", "auth_basic", "authz_user",
                 "mime", "dir", "log_config", "unixd"]


class ConsoleMailbox:
    """An aiosmtpd handler that prints each message, decoded: headers as
    text (RFC 2047 words decoded), the body in its charset."""

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content,
                                           policy=email.policy.default)
        lines = ["", "---------- mail from %s to %s"
                 % (envelope.mail_from, ", ".join(envelope.rcpt_tos))]
        for name in ("From", "To", "Subject", "Date"):
            if message[name] is not None:
                lines.append("%s: %s" % (name, message[name]))
        body = message.get_body(preferencelist=("plain", "html"))
        if body is None:
            lines.append("(no text part)")
        else:
            lines += ["", body.get_content().replace("\r\n", "\n").rstrip()]
        lines.append("---------- end of mail")
        print("\n".join(lines), flush=True)
        return "250 Message accepted for delivery"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _populate(root):
    docs = os.path.join(root, "htdocs")
    pylib = os.path.join(root, "python")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(EXAMPLES, docs, ignore=ignore)
    shutil.copytree(PUBLISHER_TUTORIAL, os.path.join(docs, "form"),
                    ignore=ignore)
    os.mkdir(os.path.join(docs, "psp"))
    with open(os.path.join(docs, "psp", "counter.psp"), "w") as f:
        f.write(COUNTER_PSP)
    shutil.copytree(os.path.join(TOP, "lib", "python"), pylib, ignore=ignore)
    with open(os.path.join(docs, "index.html"), "w") as f:
        f.write(INDEX)
    launcher.make_readable(docs)
    launcher.make_readable(pylib)
    sessions = os.path.join(root, "sessions")
    os.mkdir(sessions)
    os.chmod(sessions, 0o1777)
    return docs, pylib


def _logs_dir(requested):
    if requested:
        os.makedirs(requested, exist_ok=True)
        path = requested
    else:
        path = tempfile.mkdtemp(prefix="mod_python-demo-logs-")
    # As root, httpd's children (www-data) write nothing here, but the
    # user who reads the logs afterwards may not be root.
    os.chmod(path, 0o755)
    return os.path.abspath(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8080",
                        help="where httpd listens (default %(default)s)")
    parser.add_argument("--logs", default=os.environ.get("MP_DEMO_LOGS"),
                        metavar="DIR",
                        help="directory for the logs, kept after the demo "
                             "stops (default $MP_DEMO_LOGS, else a new "
                             "/tmp/mod_python-demo-logs-XXXX)")
    args = parser.parse_args()
    if not os.path.exists(MODULE):
        sys.exit("demo: %s is missing; run scripts/demo.sh (it builds)"
                 % MODULE)
    from aiosmtpd.controller import Controller

    logs = _logs_dir(args.logs)
    smtp_port = launcher.free_port()
    httpd = launcher.Httpd(name="demo", logs=logs)
    smtpd = None
    try:
        docs, pylib = _populate(httpd.root)
        httpd.env["PYTHONPATH"] = pylib
        httpd.configure(
            CONF.format(root=httpd.root, docs=docs, logs=logs,
                        smtp="127.0.0.1:%d" % smtp_port),
            modules=STOCK_MODULES + [("python_module", MODULE)],
            missing_ok=True, listen=args.listen, generator="scripts/demo.py")
        smtpd = Controller(ConsoleMailbox(), hostname="127.0.0.1",
                           port=smtp_port)
        smtpd.start()
        httpd.start()
    except launcher.LaunchError as e:
        if smtpd is not None:
            smtpd.stop()
        httpd.remove()
        sys.exit("demo: %s\n(logs in %s)" % (e, logs))

    # SIGTERM (from a service manager, or kill) stops the demo as Ctrl-C
    # does, so that httpd and the SMTP server are stopped too.
    signal.signal(signal.SIGTERM, _interrupt)
    # Also when started from a script in the background, where SIGINT
    # comes in ignored and Python would leave it so.
    signal.signal(signal.SIGINT, _interrupt)
    print("mod_python demo on http://%s:%d/  (logs: %s)\n"
          "Press Ctrl-C to stop." % (httpd.host, httpd.port, logs),
          flush=True)
    try:
        httpd.proc.wait()
        print("demo: httpd exited with status %s" % httpd.proc.returncode,
              flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        # One stop request is enough: a second Ctrl-C must not cut the
        # clean-up short and leave httpd running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        httpd.stop()
        smtpd.stop()
        httpd.remove()
        print("\nmod_python demo stopped. Its error log is %s\n"
              "(the access log and httpd's own output are beside it). "
              "Goodbye!" % httpd.error_log_path, flush=True)


if __name__ == "__main__":
    main()
