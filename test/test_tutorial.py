"""The manual's own examples: chapter 2.4 (mptest) and chapter 3 (tutorial).

The handlers in htdocs/tutorial/ are the manual's code in Python 3 form and
the configuration is the manual's, inside a virtual host of its own.  The
3.1 feedback form (htdocs/publisher/tutorial/, the one the demo serves) is
tested in test_publisher.py; here, with text that is not ASCII, against an
SMTP server of this module's own.
"""

import email
import email.policy
import time

import pytest

from conftest import free_port, smtp_mailbox

# The port goes into httpd.conf, which is written before any test runs.
SMTP_PORT = free_port()
FORM_HOST = "tutorial-form"

# Each example has a virtual host (so an interpreter) of its own: three of
# them name their module myscript, as the manual does, and one interpreter
# holds one module of a name.
HTTPD_CONF = """
# 2.4 Testing
<VirtualHost *:{port}>
    ServerName tutorial-mptest
    DocumentRoot "{htdocs}/tutorial/test"
</VirtualHost>
<Directory "{htdocs}/tutorial/test">
    AddHandler mod_python .py
    PythonHandler mptest
    PythonDebug On
</Directory>

# 3.3 So what Exactly does Mod-python do?
<VirtualHost *:{port}>
    ServerName tutorial-hello
    DocumentRoot "{htdocs}/tutorial/hello"
</VirtualHost>
<Directory "{htdocs}/tutorial/hello">
    AddHandler mod_python .py
    PythonHandler myscript
    PythonDebug On
</Directory>

# 3.4 Now something More Complicated - Authentication
<VirtualHost *:{port}>
    ServerName tutorial-auth
    DocumentRoot "{htdocs}/tutorial/auth"
</VirtualHost>
<Directory "{htdocs}/tutorial/auth">
    AddHandler mod_python .py
    PythonHandler myscript
    PythonAuthenHandler myscript
    PythonDebug On
    AuthType Basic
    AuthName "Restricted Area"
    require valid-user
</Directory>

# 3.5 Your Own 404 Handler
<VirtualHost *:{port}>
    ServerName tutorial-404
    DocumentRoot "{htdocs}/tutorial/notfound"
</VirtualHost>
<Directory "{htdocs}/tutorial/notfound">
    AddHandler mod_python .html
    PythonHandler myscript
    PythonDebug On
</Directory>

# 3.1 the publisher's feedback form, its mail sent to this module's server
<VirtualHost *:{port}>
    ServerName tutorial-form
    DocumentRoot "{htdocs}/publisher/tutorial"
    <Location />
        AddHandler mod_python .py
        PythonHandler mod_python.publisher
        PythonDebug On
        PythonOption smtp_server 127.0.0.1:%d
    </Location>
</VirtualHost>
""" % SMTP_PORT


def test_mptest_handler(httpd):
    """2.4 Testing: mptest.py answers Hello World! as text/plain."""
    r = httpd.get("/mptest.py", host="tutorial-mptest")
    assert r.status_code == 200
    assert r.text == "Hello World!"
    assert r.headers["Content-Type"] == "text/plain"


def test_mptest_any_py_url(httpd):
    """2.4 step 7: any .py URL in the directory is handled by mptest,
    /test/foobar.py included, though no such file exists."""
    r = httpd.get("/foobar.py", host="tutorial-mptest")
    assert r.status_code == 200
    assert r.text == "Hello World!"


def test_hello_world(httpd):
    """3.3: AddHandler mod_python .py + PythonHandler myscript: the handler
    function ``handler`` of myscript.py writes Hello World!."""
    r = httpd.get("/myscript.py", host="tutorial-hello")
    assert r.status_code == 200
    assert r.text == "Hello World!"
    assert r.headers["Content-Type"] == "text/plain"


def test_hello_world_any_file_name(httpd):
    """3.3 'food for thought': /mywebdir/montypython.py gives the exact same
    result as myscript.py; the file need not exist."""
    r = httpd.get("/montypython.py", host="tutorial-hello")
    assert r.status_code == 200
    assert r.text == "Hello World!"


def test_hello_world_other_extensions_untouched(httpd):
    """3.3: only .py files go to mod_python; a .txt file beside the handler
    is served by Apache as it is."""
    r = httpd.get("/readme.txt", host="tutorial-hello")
    assert r.status_code == 200
    assert r.text == "not a python file\n"
    assert r.headers["Content-Type"].startswith("text/plain")


def test_authentication_no_credentials(httpd):
    """3.4: without credentials the authenhandler returns
    HTTP_UNAUTHORIZED: 401 with a Basic challenge for the AuthName."""
    r = httpd.get("/myscript.py", host="tutorial-auth")
    assert r.status_code == 401
    assert r.headers.get("WWW-Authenticate") == 'Basic realm="Restricted Area"'
    assert "Hello World!" not in r.text


def test_authentication_good_credentials(httpd):
    """3.4: spam/eggs passes the authenhandler, then handler() runs.
    mod_auth_basic is loaded before mod_python and there is no
    AuthUserFile: the Python handler must run first, or this is a 500."""
    r = httpd.get("/myscript.py", host="tutorial-auth", auth=("spam", "eggs"))
    assert r.status_code == 200
    assert r.text == "Hello World!"


def test_authentication_wrong_password(httpd):
    """3.4: a wrong password is refused with 401 again."""
    r = httpd.get("/myscript.py", host="tutorial-auth", auth=("spam", "ham"))
    assert r.status_code == 401
    assert "Hello World!" not in r.text
    r = httpd.get("/myscript.py", host="tutorial-auth", auth=("eggs", "eggs"))
    assert r.status_code == 401


def test_own_404_apache_error_page(httpd):
    """3.5: returning HTTP_NOT_FOUND makes Apache render its error page."""
    r = httpd.get("/apache-error.html", host="tutorial-404")
    assert r.status_code == 404
    assert "Not Found" in r.text
    assert "Page not here" not in r.text


def test_own_404_handler_page(httpd):
    """3.5: req.status = HTTP_NOT_FOUND, write a page, return OK: the client
    gets a 404 whose body is the handler's page."""
    r = httpd.get("/handler-error.html", host="tutorial-404")
    assert r.status_code == 404
    assert r.text == "Page not here. Page left, not know where gone."


def test_own_404_existing_file(httpd):
    """3.5: any other file is read by the handler and sent with 200."""
    r = httpd.get("/existing.html", host="tutorial-404")
    assert r.status_code == 200
    assert r.text == ("<html><body>An existing page, served by the 404 "
                      "handler.</body></html>\n")


# ------------------------------------------------- 3.1 the feedback form
@pytest.fixture(scope="module")
def mailbox():
    with smtp_mailbox(SMTP_PORT) as box:
        yield box


def test_form_mail_not_ascii(httpd, mailbox):
    """3.1 (Doc/publisher.rst, A feedback form): a name and a comment that
    are not ASCII reach the webmaster intact: the mail is 7-bit, its From
    header's name is RFC 2047-encoded UTF-8 and its body is UTF-8 in a
    transfer encoding; decoded, it says what the form said."""
    mailbox.arrived.clear()
    before = len(mailbox.envelopes)
    r = httpd.post("/form.py/email", host=FORM_HOST,
                   data={"name": "José Ñandú", "email": "jose@example.org",
                         "comment": "Très bien — ça marche!\n"
                                    "Grüße, 日本語も"})
    assert r.status_code == 200, r.text
    assert "Dear José Ñandú,<br>" in r.text
    assert mailbox.arrived.wait(10)
    assert len(mailbox.envelopes) == before + 1
    mail = mailbox.envelopes[-1]
    assert mail.mail_from == "jose@example.org"
    assert mail.rcpt_tos == ["webmaster"]
    # what went over the wire is ASCII, headers and body
    mail.original_content.decode("ascii")
    raw_from = [line for line in mail.original_content.split(b"\r\n")
                if line.startswith(b"From: ")]
    assert raw_from and b"=?utf-8?" in raw_from[0], raw_from
    message = email.message_from_bytes(mail.original_content,
                                       policy=email.policy.default)
    assert message["From"] == "José Ñandú <jose@example.org>"
    assert message["From"].addresses[0].display_name == "José Ñandú"
    assert message.get_content_charset() == "utf-8"
    text = message.get_content().replace("\r\n", "\n")
    assert ("I have the following comment:\n\nTrès bien — ça marche!\n"
            "Grüße, 日本語も\n") in text
    assert "Thank You,\n\nJosé Ñandú\n" in text


def test_form_bad_address(httpd, mailbox):
    """3.1: an e-mail field that is not an address (here one that would
    add a header) gets a page saying so, and no mail is sent."""
    before = len(mailbox.envelopes)
    for bad in ("jose", "jose@example.org\r\nBcc: all@example.org",
                "a@b, c@d"):
        r = httpd.post("/form.py/email", host=FORM_HOST,
                       data={"name": "José", "email": bad,
                             "comment": "Très bien"})
        assert r.status_code == 200, r.text
        assert r.text.startswith("%s is not an e-mail address" % bad)
    time.sleep(0.3)
    assert len(mailbox.envelopes) == before
