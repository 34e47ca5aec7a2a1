"""The publisher handler (manual 6.1) and the tutorial built on it (3.1).

Handlers live in htdocs/publisher/: manual/ holds the 6.1.2 traversal
example as printed, tutorial/ the 3.1 feedback form, app/ the modules
probing argument matching, return values, authentication and the
security rules of Doc/publisher.rst; outside/ is a module no URL may
reach.
"""

import email
import email.policy
import os
import time

import pytest

from conftest import free_port, smtp_mailbox

# The tutorial sends its mail through an SMTP server this module starts;
# the port goes into httpd.conf, which is written before any test runs.
SMTP_PORT = free_port()

MANUAL = "publisher-manual"
TUTORIAL = "publisher-tutorial"
APP = "publisher-app"

HTTPD_CONF = """
# 6.1.2: the traversal example's configuration
<VirtualHost *:{port}>
    ServerName publisher-manual
    DocumentRoot "{htdocs}/publisher/manual"
</VirtualHost>
<Directory "{htdocs}/publisher/manual">
    SetHandler mod_python
    PythonHandler mod_python.publisher
</Directory>

# 3.1: the tutorial's configuration, and where its mail goes
<VirtualHost *:{port}>
    ServerName publisher-tutorial
    DocumentRoot "{htdocs}/publisher/tutorial"
</VirtualHost>
<Directory "{htdocs}/publisher/tutorial">
    AddHandler mod_python .py
    PythonHandler mod_python.publisher
    PythonDebug On
    PythonOption smtp_server 127.0.0.1:@SMTP_PORT@
</Directory>

<VirtualHost *:{port}>
    ServerName publisher-app
    DocumentRoot "{htdocs}/publisher/app"
    AllowEncodedSlashes On
</VirtualHost>
<Directory "{htdocs}/publisher/app">
    SetHandler mod_python
    PythonHandler mod_python.publisher
    PythonDebug On
</Directory>
# Apache authenticates, the module's __access__ authorizes
<Directory "{htdocs}/publisher/app/members">
    AuthType Basic
    AuthName "Apache members"
    AuthUserFile "{htdocs}/publisher/outside/htpasswd"
    Require valid-user
</Directory>

# PythonHandler in a <Location>: no directive directory, so modules are
# confined to the document root
<VirtualHost *:{port}>
    ServerName publisher-location
    DocumentRoot "{htdocs}/publisher/location"
    <Location />
        SetHandler mod_python
        PythonHandler mod_python.publisher
    </Location>
</VirtualHost>
""".replace("@SMTP_PORT@", str(SMTP_PORT))


def get(httpd, path, **kw):
    return httpd.get(path, host=APP, **kw)


# ------------------------------------------------------------ 6.1.1, 6.1.2
def test_introduction_say(httpd):
    """6.1.1: hello.py/say returns 'I am saying NOTHING'; with
    ?what=hello, 'I am saying hello'."""
    r = get(httpd, "/hello.py/say")
    assert r.status_code == 200
    assert r.text == "I am saying NOTHING"
    r = get(httpd, "/hello.py/say?what=hello")
    assert r.text == "I am saying hello"


@pytest.mark.parametrize("url, status, text", [
    # the manual's table, URL by URL
    ("/index/index", 200, "We are in index()"),
    ("/index/", 200, "We are in index()"),
    ("/index/hello", 200, "We are in hello()"),
    ("/hello", 200, "We are in hello()"),
    ("/spam", 404, None),
    # and what follows from the same rules
    ("/", 200, "We are in index()"),
    ("/index", 200, "We are in index()"),
    ("/index.py", 200, "We are in index()"),
    ("/index.py/hello", 200, "We are in hello()"),
    ("/index.py/hello/", 200, "We are in hello()"),
    ("/index/spam", 404, None),
    ("/index/hello/extra", 404, None),
])
def test_traversal_table(httpd, url, status, text):
    """6.1.2 Traversal: the module is req.filename without its extension
    (index when there is none such, the name then moving to the object
    path), the object path is PATH_INFO (index when empty)."""
    r = httpd.get(url, host=MANUAL)
    assert r.status_code == status, (url, r.text)
    if text is not None:
        assert r.text == text


def test_directory_index_module(httpd):
    """6.1.2: a URL naming a directory publishes index.py's index; an
    object name after the directory falls back to index.py too."""
    r = get(httpd, "/sub/")
    assert (r.status_code, r.text) == (200, "sub/index.py index()")
    r = get(httpd, "/sub/page")
    assert (r.status_code, r.text) == (200, "sub/index.py page()")
    r = get(httpd, "/sub/index.py/page")
    assert r.text == "sub/index.py page()"
    assert get(httpd, "/nothing.py").status_code == 404
    assert get(httpd, "/nothing.py/index").status_code == 404


def test_same_name_modules_kept_apart(httpd):
    """6.1.2 / changes 3.1.4: modules of the same name in different
    directories are different modules, in one interpreter."""
    for _ in range(3):
        assert get(httpd, "/a/same.py").text == "same.py in a"
        assert get(httpd, "/b/same.py").text == "same.py in b"


def test_module_reloaded_when_changed(httpd):
    """Modules are loaded through apache.import_module's machinery, so an
    edited module is used on the next request (PythonAutoReload On)."""
    path = os.path.join(httpd.htdocs, "publisher", "app", "reloaded.py")
    with open(path, "w") as f:
        f.write("def index(req):\n    return 'version 1'\n")
    os.chmod(path, 0o644)
    children = len(httpd.children())
    # every child answers version 1 once (keep-alive off: new connections)
    for _ in range(children * 2):
        assert get(httpd, "/reloaded.py").text == "version 1"
    with open(path, "w") as f:
        f.write("def index(req):\n    return 'version 2 is longer'\n")
    os.utime(path, (time.time() + 5, time.time() + 5))
    time.sleep(1.2)   # the importer looks at a file once a second
    for _ in range(children * 2):
        assert get(httpd, "/reloaded.py").text == "version 2 is longer"


def _session_gets(httpd, paths):
    """GET each path on one keep-alive connection (so, under prefork, from
    one child); a path may come as (path, (user, password))."""
    import requests
    with requests.Session() as s:
        out = []
        for p in paths:
            p, auth = p if isinstance(p, tuple) else (p, None)
            out.append(s.get(httpd.url(p), headers={"Host": APP},
                             auth=auth, timeout=30))
        return out


RESTORE = ("/runtime.py/restore", ("user", "secret"))


def test_rebound_function_is_published_at_once(httpd):
    """A URL published once is published quickly again, but always as what
    the module binds now: a function rebound at run time is served on the
    very next request."""
    r = _session_gets(httpd, ["/runtime.py/page", "/runtime.py/page",
                              "/runtime.py/rebind", "/runtime.py/page",
                              RESTORE, "/runtime.py/page"])
    assert [x.text for x in r] == ["page", "page", "rebound", "other",
                                   "restored", "page"]


def test_protection_added_at_run_time_applies_at_once(httpd):
    """A module that gains __auth__ after one of its URLs was published
    protects that URL on the very next request."""
    r = _session_gets(httpd, ["/runtime.py/page", "/runtime.py/page",
                              "/runtime.py/protect", "/runtime.py/page",
                              RESTORE, "/runtime.py/page"])
    assert [x.status_code for x in r] == [200, 200, 200, 401, 200, 200]
    assert r[4].text == "restored"


def test_methods(httpd):
    """The publisher answers GET, POST and HEAD; other methods get 405
    with an Allow header naming those."""
    r = httpd.request("PUT", "/hello.py/say", host=APP, data=b"x")
    assert r.status_code == 405
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert {"GET", "POST", "HEAD"} <= allow
    assert "PUT" not in allow
    assert httpd.request("DELETE", "/hello.py/say",
                         host=APP).status_code == 405
    r = httpd.request("HEAD", "/hello.py/say", host=APP)
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"


# ------------------------------------------------ 3.1 the tutorial's form
@pytest.fixture(scope="module")
def smtp_server():
    with smtp_mailbox(SMTP_PORT) as box:
        yield box


def test_tutorial_form_page(httpd):
    """3.1: form.html is an ordinary page whose form posts to
    form.py/email."""
    r = httpd.get("/form.html", host=TUTORIAL)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert '<form action="form.py/email" method="POST">' in r.text
    for name in ("name", "email", "comment"):
        assert 'name="%s"' % name in r.text


def test_tutorial_form_sends_mail(httpd, smtp_server):
    """3.1: posting the form calls email(req, name, email, comment): the
    feedback mail goes out through SMTP and the page thanks the user."""
    smtp_server.arrived.clear()
    before = len(smtp_server.envelopes)
    r = httpd.post("/form.py/email", host=TUTORIAL,
                   data={"name": "Joe Smith", "email": "joe@example.org",
                         "comment": "Nice site!\nKeep going."})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.text.startswith("<html>")
    assert "Dear Joe Smith,<br>" in r.text
    assert "Thank You for your kind comments" in r.text
    assert smtp_server.arrived.wait(10)
    assert len(smtp_server.envelopes) == before + 1
    mail = smtp_server.envelopes[-1]
    assert mail.mail_from == "joe@example.org"
    assert mail.rcpt_tos == ["webmaster"]
    message = email.message_from_bytes(mail.content,
                                       policy=email.policy.default)
    assert message["From"] == "Joe Smith <joe@example.org>"
    assert message["Subject"] == "feedback"
    assert message["To"] == "webmaster"
    text = message.get_content().replace("\r\n", "\n")
    assert "I have the following comment:\n\nNice site!\nKeep going.\n" \
        in text
    assert "Thank You,\n\nJoe Smith\n" in text


def test_tutorial_form_blank_field(httpd, smtp_server):
    """3.1: a field left blank reaches email() as '' (blank values are
    kept) and the function answers that a parameter is missing; no mail
    is sent."""
    before = len(smtp_server.envelopes)
    r = httpd.post("/form.py/email", host=TUTORIAL,
                   data={"name": "Joe", "email": "joe@example.org",
                         "comment": ""})
    assert r.status_code == 200
    assert r.text.startswith("A required parameter is missing")
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    time.sleep(0.3)
    assert len(smtp_server.envelopes) == before


def test_tutorial_form_absent_field(httpd, smtp_server):
    """6.1.2 (our decision): a required argument with no form field at all
    is a bad request: 400 naming the field, and email() is not called."""
    before = len(smtp_server.envelopes)
    r = httpd.post("/form.py/email", host=TUTORIAL,
                   data={"name": "Joe", "email": "joe@example.org"})
    assert r.status_code == 400
    assert r.text == "Bad Request: missing form field(s): comment\n"
    time.sleep(0.3)
    assert len(smtp_server.envelopes) == before


# ------------------------------------------------------ argument matching
def test_arguments_matched_by_name(httpd):
    """6.1.2: form fields whose names match the arguments are passed;
    others are silently dropped; defaults apply to absent ones."""
    r = get(httpd, "/args.py/both?a=1")
    assert r.json() == {"a": "1", "b": "b default"}
    r = get(httpd, "/args.py/both?a=1&b=2&c=3")
    assert r.json() == {"a": "1", "b": "2"}


def test_request_passed_only_when_wanted(httpd):
    """3.1/6.1.2: req is passed to a function with a req argument, and
    only then; a form field named req does not replace it."""
    r = get(httpd, "/args.py/with_req?x=1&req=forged")
    assert r.json() == {"req": "mp_request", "uri": "/args.py/with_req",
                        "x": "1"}
    r = get(httpd, "/args.py/without_req?x=2")
    assert r.json() == {"x": "2"}


def test_kwargs_get_all_fields(httpd):
    """6.1.2: a **kwargs function gets the fields no argument matched
    (and req)."""
    r = get(httpd, "/args.py/kwargs?a=1&b=2&c=3")
    assert r.json() == {"a": "1", "kw": ["b", "c", "req"],
                        "req": "mp_request", "c": "3"}


def test_values_are_strings_lists_for_repeats(httpd):
    """6.1.2: values are passed as strings (StringField, a str); a name
    given several times is passed as a list."""
    r = get(httpd, "/args.py/value_types?v=x&w=1&w=2")
    assert r.json() == {"v": "x", "v_type": "StringField", "v_is_str": True,
                        "w_types": ["StringField", "StringField"]}


def test_values_same_type_on_every_request(httpd):
    """6.1.2: the first request for a URL (found by the walk) and the next
    ones (served from the publisher's remembered route) pass a field the
    same way: a StringField, on one keep-alive connection so that under
    prefork the same child answers both."""
    import requests
    with requests.Session() as s:
        answers = [s.get(httpd.url("/args.py/value_types?v=x&w=1&w=2"),
                         headers={"Host": APP}, timeout=30).json()
                   for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["v_type"] == "StringField"


def test_post_and_query_fields(httpd):
    """6.1.2: fields come from the query string (GET) and the body (POST),
    both at once too."""
    r = httpd.post("/args.py/both?a=query", host=APP, data={"b": "body"})
    assert r.json() == {"a": "query", "b": "body"}
    r = httpd.post("/args.py/both", host=APP, data={"a": "posted"})
    assert r.json() == {"a": "posted", "b": "b default"}


def test_blank_values_kept(httpd):
    """6.1.3: the FieldStorage keeps blank values, so an empty field
    satisfies an argument."""
    r = get(httpd, "/args.py/blank?name=")
    assert r.json() == {"name": ""}


def test_request_form(httpd):
    """6.1.3: the FieldStorage is kept as req.form."""
    r = get(httpd, "/args.py/form_attr?k=v1&k=v2&z=")
    assert r.json() == {"form": "FieldStorage", "keys": ["k", "z"],
                        "first": "v1"}


def test_positional_and_keyword_only(httpd):
    """Python 3 signatures: positional-only and keyword-only arguments are
    matched by name like the others."""
    r = get(httpd, "/args.py/positional_only?a=1")
    assert r.json() == {"a": "1", "b": "b default"}
    r = get(httpd, "/args.py/positional_only?a=1&b=2")
    assert r.json() == {"a": "1", "b": "2"}
    r = get(httpd, "/args.py/keyword_only?k=3")
    assert r.json() == {"k": "3"}
    assert get(httpd, "/args.py/no_arguments?x=1").text == "no arguments"


def test_file_upload_argument(httpd):
    """6.1.2 with 4.6.3: an uploaded file is passed as a Field with its
    filename and file."""
    r = httpd.post("/args.py/upload", host=APP, data={"note": "n"},
                   files={"f": ("hello.txt", b"file contents\n",
                                "text/plain")})
    assert r.json() == {"filename": "hello.txt", "data": "file contents\n",
                        "note": "n"}


def test_missing_argument_is_bad_request(httpd):
    """Our decision (Doc/publisher.rst): a required argument without a
    field is 400 naming every missing field; the function is not called."""
    mark = httpd.log_mark()
    r = get(httpd, "/args.py/both")
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.text == "Bad Request: missing form field(s): a\n"
    r = get(httpd, "/args.py/upload")
    assert r.text == "Bad Request: missing form field(s): f, note\n"
    assert r.status_code == 400
    assert get(httpd, "/args.py/keyword_only").status_code == 400
    assert "missing form field(s): a" in httpd.wait_for_log(
        "missing form field", mark)


def test_function_error_is_500(httpd):
    """A published function's exception is the handler's error: 500 and a
    log entry (with PythonDebug On, the traceback)."""
    mark = httpd.log_mark()
    r = get(httpd, "/args.py/fails")
    assert r.status_code == 500
    assert "the published function failed" in r.text
    assert "ValueError" in httpd.wait_for_log("ValueError", mark)


# ---------------------------------------------------------- return values
@pytest.mark.parametrize("name, text", [
    ("TEXT", "a module-level string"),
    ("NUMBER", "42"),
    ("LISTING", "[1, 'two', 3.0]"),
    ("plain", "a plain object"),
    ("number", "12345"),
    ("root/title", "the root's title"),
])
def test_values_published_as_strings(httpd, name, text):
    """6.1.2: a non-callable object is published as its string
    representation, and a callable's result likewise."""
    r = get(httpd, "/objects.py/" + name)
    assert r.status_code == 200
    assert r.text == text
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_class_not_published(httpd):
    """6.1.2: only what is "callable and not a class" is called, and a
    class is not published either: 404 (test_publisher_classes.py has
    the rest)."""
    r = get(httpd, "/objects.py/Thing")
    assert r.status_code == 404
    assert "<class" not in r.text


def test_none_publishes_nothing(httpd):
    """A function returning None has written its own response (or none):
    nothing is added, not 'None'."""
    r = get(httpd, "/objects.py/writes_itself")
    assert r.text == "written by the function"
    r = get(httpd, "/objects.py/NOTHING")
    assert r.status_code == 200
    assert r.content == b""


def test_bytes_published_as_they_are(httpd):
    """Python 3: bytes are written unchanged."""
    r = get(httpd, "/objects.py/octets")
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert r.content == bytes(range(256))
    r = get(httpd, "/objects.py/BLOB")
    assert r.content == b"raw module-level bytes"
    assert r.headers["Content-Type"] == "text/plain"


@pytest.mark.parametrize("name, ctype", [
    ("html", "text/html; charset=utf-8"),
    ("html_doctype", "text/html; charset=utf-8"),
    ("html_tail", "text/html; charset=utf-8"),
    ("text", "text/plain; charset=utf-8"),
    ("json_type", "application/json"),
])
def test_content_type_guessed(httpd, name, ctype):
    """When the function sets no content type, the result's start (<html,
    <!DOCTYPE html) or end (</html>) makes it text/html, anything else
    text/plain; a type the function set is kept."""
    r = get(httpd, "/objects.py/" + name)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == ctype


def test_text_encoding(httpd):
    """Text is encoded as UTF-8, or in the charset of the content type the
    function set."""
    r = get(httpd, "/objects.py/unicode")
    assert r.content == "caf\u00e9 \u20ac".encode("utf-8")
    r = get(httpd, "/objects.py/latin1")
    assert r.headers["Content-Type"] == "text/plain; charset=iso-8859-1"
    assert r.content == b"caf\xe9"


def test_response_has_content_length(httpd):
    """The result is written in one piece without a flush, so Apache sends
    a Content-Length, not a chunked body."""
    status, headers, body = httpd.raw_request("/objects.py/TEXT", host=APP)
    assert status == 200
    assert httpd.header_values(headers, b"content-length") == [b"21"]
    assert body == b"a module-level string"


def test_object_hierarchy(httpd):
    """3.1.4 changes: objects published CherryPy style: attributes are
    pages or further objects, and an object's page is its index."""
    cases = {
        "/objects.py/root": "root index",
        "/objects.py/root/": "root index",
        "/objects.py/root/index": "root index",
        "/objects.py/root/branch": "branch index at /objects.py/root/branch",
        "/objects.py/root/branch/leaf": "leaf index",
        "/objects.py/root/branch/leaf/hello?name=tree": "hello tree",
        "/objects.py/root/leaf/hello": "hello world",
    }
    for url, text in cases.items():
        r = get(httpd, url)
        assert (r.status_code, r.text) == (200, text), url
    assert get(httpd, "/objects.py/root/nothing").status_code == 404
    # an index that is the node itself is followed once
    assert get(httpd, "/objects.py/loop").text == "a loop"
    assert get(httpd, "/objects.py/root/branch/leaf/nothing").status_code \
        == 404


def test_callable_instance_and_wrapped_function(httpd):
    """A callable instance of the module's class is called with the form;
    a functools.wraps-decorated function is matched by its own signature;
    a lambda is a function too."""
    assert get(httpd, "/objects.py/counter?step=5").text \
        == "called with step=5"
    assert get(httpd, "/objects.py/decorated?word=w").text == "[decorated w]"
    assert get(httpd, "/objects.py/shout?what=hi").text == "HI"
    assert get(httpd, "/objects.py/decorated_object/method?word=x").text \
        == "[method x]"
    assert get(httpd, "/objects.py/root/leaf/static?word=t").text \
        == "static t"


# --------------------------------------------------------- authentication
def _challenge(r):
    return r.headers.get("WWW-Authenticate")


@pytest.mark.parametrize("module", ["auth_module", "auth_dict"])
def test_manual_auth_examples(httpd, module):
    """6.1.2 Authentication: both of the manual's examples: only eggs/spam
    reaches hello; joe/eoj is authenticated but refused access (403);
    anything else is 401 with realm "Members only"."""
    url = "/%s.py/hello" % module
    r = get(httpd, url)
    assert r.status_code == 401
    assert _challenge(r) == 'Basic realm="Members only"'
    assert "hello" != r.text
    r = get(httpd, url, auth=("eggs", "wrong"))
    assert r.status_code == 401
    r = get(httpd, url, auth=("joe", "eoj"))
    assert r.status_code == 403
    r = get(httpd, url, auth=("eggs", "spam"))
    assert (r.status_code, r.text) == (200, "hello")


def test_auth_nested_in_function(httpd):
    """6.1.2: the manual's `sensitive` function protected by an __auth__
    defined inside it, read without running the function."""
    r = get(httpd, "/auth_nested.py/sensitive")
    assert r.status_code == 401
    assert _challenge(r) == 'Basic realm="unknown"'
    assert get(httpd, "/auth_nested.py/sensitive",
               auth=("spam", "wrong")).status_code == 401
    r = get(httpd, "/auth_nested.py/sensitive", auth=("spam", "eggs"))
    assert (r.status_code, r.text) == (200, "sensitive information")


def test_auth_realm_nested_in_function(httpd):
    """6.1.2: __auth_realm__ assigned inside a function is the realm."""
    r = get(httpd, "/auth_nested.py/realm")
    assert r.status_code == 401
    assert _challenge(r) == 'Basic realm="Nested realm"'
    r = get(httpd, "/auth_nested.py/realm", auth=("a", "b"))
    assert r.text == "realm passed"


def test_auth_and_access_constants_in_function(httpd):
    """6.1.2: __auth__ and __access__ may be constants inside a function:
    false refuses (401, 403) without running it, true lets in."""
    r = get(httpd, "/auth_nested.py/denied_constant", auth=("a", "b"))
    assert r.status_code == 401
    r = get(httpd, "/auth_nested.py/access_constant", auth=("a", "b"))
    assert r.status_code == 403
    r = get(httpd, "/auth_nested.py/allowed_constant")
    assert (r.status_code, r.text) == (200, "constant allowed")
    assert "denied_constant" not in get(httpd, "/auth_nested.py/ran").text
    assert "access_constant" not in get(httpd, "/auth_nested.py/ran").text


def test_access_function_nested(httpd):
    """6.1.2: __access__(req, user) inside a function: 403 unless it
    agrees with the user __auth__ let in."""
    r = get(httpd, "/auth_nested.py/access_function", auth=("bob", "pw"))
    assert r.status_code == 403
    r = get(httpd, "/auth_nested.py/access_function", auth=("admin", "x"))
    assert r.status_code == 401
    r = get(httpd, "/auth_nested.py/access_function", auth=("admin", "pw"))
    assert (r.status_code, r.text) == (200, "access granted")


def test_access_needs_a_verified_user(httpd):
    """Our rule: __access__ judges a user whose password something has
    checked (an __auth__, or Apache); a name merely claimed in the
    Authorization header is not trusted."""
    r = get(httpd, "/auth_nested.py/access_only", auth=("admin", "any"))
    assert r.status_code == 403
    assert "never shown" not in r.text


def test_access_after_apache_authentication(httpd):
    """6.1.2: Apache authenticates (AuthUserFile), then __access__ decides
    which of its users may see the page."""
    r = get(httpd, "/members/")
    assert r.status_code == 401
    assert _challenge(r) == 'Basic realm="Apache members"'
    r = get(httpd, "/members/", auth=("bob", "builder"))
    assert r.status_code == 403
    r = get(httpd, "/members/", auth=("alice", "wrong"))
    assert r.status_code == 401
    r = get(httpd, "/members/", auth=("alice", "wonderland"))
    assert (r.status_code, r.text) == (200, "members area for alice")


def test_unreadable_nested_auth_fails_closed(httpd):
    """6.1.2 ("will not work if they are a dictionary or a list"): an
    __auth__ using the function's locals, or an __access__ list built at
    run time, cannot be read without running the function: 500 and a log
    entry, and the function does not run."""
    mark = httpd.log_mark()
    assert get(httpd, "/auth_nested.py/closure",
               auth=("spam", "x")).status_code == 500
    assert get(httpd, "/auth_nested.py/access_list",
               auth=("eggs", "x")).status_code == 500
    ran = get(httpd, "/auth_nested.py/ran").text
    assert "closure" not in ran and "access_list" not in ran
    assert "cannot be read without running the function" in \
        httpd.wait_for_log("cannot be read without running", mark)


def test_auth_function_attribute(httpd):
    """A function attribute __auth__ (a dict here) protects the
    function."""
    assert get(httpd, "/auth_nested.py/attribute").status_code == 401
    r = get(httpd, "/auth_nested.py/attribute", auth=("fa", "fb"))
    assert r.text == "function attribute passed"


def test_auth_on_object(httpd):
    """6.1.2: at every traversal step: an object's __auth__ method and
    __auth_realm__ protect it and everything below it."""
    r = get(httpd, "/auth_nested.py/vault/open")
    assert r.status_code == 401
    assert _challenge(r) == 'Basic realm="Vault"'
    r = get(httpd, "/auth_nested.py/vault", auth=("v", "w"))
    assert r.text == "vault index"
    r = get(httpd, "/auth_nested.py/vault/open", auth=("v", "w"))
    assert r.text == "vault opened"


def test_malformed_authorization(httpd):
    """Bad input: an Authorization header that is not valid Basic
    credentials is a 400."""
    for value in ("Basic !!!notbase64", "Basic " + "bm9jb2xvbg=="):
        status, _, _ = httpd.raw_request(
            "/auth_module.py/hello", host=APP,
            headers=[("Authorization", value)])
        assert status == 400, value


# --------------------------------------------------------------- security
@pytest.mark.parametrize("path", [
    "/security.py/_private",
    "/security.py/_hidden",
    "/security.py/public/__globals__",
    "/security.py/public/__code__",
    "/security.py/obj/__class__",
    "/security.py/obj/__dict__",
    "/security.py/obj/method/__func__",
    "/security.py/obj/method/__self__",
    "/security.py/__builtins__",
    "/security.py/__dict__",
    "/_private_module.py",
    "/_private_module",
    "/_private_module.py/index",
])
def test_underscore_names_not_found(httpd, path):
    """6.1.2: a name beginning with an underscore is never traversed:
    404 (and so is a module file whose name begins with one)."""
    r = get(httpd, path)
    assert r.status_code == 404
    assert "underscore" not in r.text and "private module" not in r.text


@pytest.mark.parametrize("path", [
    "/security.py/os",
    "/security.py/os/system",
    "/security.py/apache",
    "/security.py/apache/OK",
    "/security.py/shutil/rmtree",
    "/security.py/subprocess/call",
    "/security.py/sub_module",
    "/security.py/sub_module/join",
])
def test_modules_not_found(httpd, path):
    """6.1.2: a module is never published nor traversed: 404."""
    mark = httpd.log_mark()
    assert get(httpd, path).status_code == 404
    assert "is a module" in httpd.wait_for_log("is a module", mark)


def test_imported_functions_never_called(httpd):
    """Our rule: only functions defined in the published module are
    called.  os.system (a builtin), shutil.rmtree and subprocess.call
    (Python functions of other modules) imported into it are not found,
    and do not run."""
    victim = os.path.join(httpd.var, "publisher-victim")
    os.makedirs(victim, exist_ok=True)
    os.chmod(victim, 0o777)
    marker = os.path.join(httpd.var, "publisher-pwned")
    for url in ("/security.py/system?command=touch+" + marker,
                "/security.py/call?args=touch+%s&shell=1" % marker,
                "/security.py/rmtree?path=" + victim):
        assert get(httpd, url).status_code == 404, url
    assert not os.path.exists(marker)
    assert os.path.isdir(victim)


@pytest.mark.parametrize("path", [
    "/security.py/builtin",
    "/security.py/builtin/__self__",
    "/security.py/public/func_globals",
    "/security.py/public/func_code",
    "/security.py/obj/method/im_func",
    "/security.py/obj/method/im_self",
    "/security.py/generator",
    "/security.py/generator/gi_frame",
    "/security.py/generator/gi_code",
    "/security.py/FILE",
    "/security.py/FILE/read",
    "/security.py/pattern",
    "/security.py/pattern/match",
    "/security.py/foreign_class",
    "/security.py/foreign_instance",
    "/security.py/foreign_instance/clear",
    "/security.py/Obj/method",
    "/objects.py/TEXT/upper",
    "/objects.py/LISTING/clear",
    "/objects.py/Thing/calls",
    "/objects.py/root.leaf",
    "/builtins.py/TEXT/upper",
    "/builtins.py/generator",
    "/builtins.py/generator/gi_frame",
    "/builtins.py/generator/gi_frame/f_globals",
    "/objects.py/root/branch.leaf",
    "/objects.py/root/leaf%20x",
    "/objects.py/root/leaf-x",
])
def test_only_own_objects_traversed(httpd, path):
    """Our rules: builtins, generators, files, objects of other modules'
    classes, classes and plain values have no published attributes; a
    path segment that is not an identifier (a dot) names nothing."""
    assert get(httpd, path).status_code == 404


def test_own_objects_still_published(httpd):
    """The counterpart of the refusals: the module's own function, method
    and class attribute through its instance are published."""
    assert get(httpd, "/security.py/public").text == "public function"
    assert get(httpd, "/security.py/obj/method").text == "method of Obj"
    assert get(httpd, "/security.py/obj/attribute").text == "class attribute"


@pytest.mark.parametrize("raw_path", [
    b"/../outside/secret.py",
    b"/%2e%2e/outside/secret.py",
    b"/sub/../../outside/secret.py",
    b"/sub/%2e%2e/%2E%2E/outside/secret.py",
    b"/..%2foutside%2fsecret.py",
    b"/sub%2f..%2f..%2foutside%2fsecret.py/leak",
    b"/index.py/..%2f..%2foutside%2fsecret.py/leak",
    b"/index.py/../../outside/secret.py/leak",
    b"/index.py/%2e%2e/leak",
])
def test_no_escape_from_directory(httpd, raw_path):
    """A URL never reaches a module outside the handler's directory:
    .., %2e%2e and encoded slashes (AllowEncodedSlashes On here)."""
    status, _, body = httpd.raw_request(raw_path.decode("latin-1"), host=APP)
    assert b"TOP SECRET" not in body
    assert status in (400, 403, 404), (raw_path, status)


def test_symlink_out_of_directory(httpd):
    """A module file (or directory) that is a symlink leading out of the
    handler's directory is not published; one leading inside is."""
    app = os.path.join(httpd.htdocs, "publisher", "app")
    links = {"link_out.py": os.path.join("..", "outside", "secret.py"),
             "linkdir": os.path.join("..", "outside"),
             "link_in.py": "hello.py"}
    for name, target in links.items():
        path = os.path.join(app, name)
        if not os.path.islink(path):
            os.symlink(target, path)
    mark = httpd.log_mark()
    for url in ("/link_out.py", "/link_out.py/leak", "/linkdir/secret.py",
                "/linkdir/secret.py/leak", "/linkdir/secret"):
        r = get(httpd, url)
        assert r.status_code == 404, url
        assert "TOP SECRET" not in r.text
    assert "no module" in httpd.wait_for_log("no module", mark)
    r = get(httpd, "/link_in.py/say?what=linked")
    assert (r.status_code, r.text) == (200, "I am saying linked")


def test_symlink_out_of_document_root(httpd):
    """With PythonHandler in a <Location> (no directory of its own), a
    module file must lie inside the document root."""
    here = os.path.join(httpd.htdocs, "publisher", "location")
    link = os.path.join(here, "elsewhere.py")
    if not os.path.islink(link):
        os.symlink(os.path.join("..", "outside", "secret.py"), link)
    r = httpd.get("/where.py", host="publisher-location")
    assert (r.status_code, r.text) == (200, "published under a <Location>")
    r = httpd.get("/elsewhere.py", host="publisher-location")
    assert r.status_code == 404
    assert "TOP SECRET" not in r.text
