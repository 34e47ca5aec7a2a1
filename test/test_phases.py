"""Every request phase's directive (manual 5.1) and the handler syntax of
5.1.1: order of the phases, several handlers, '| .ext', module::object,
default object names, sys.path, PythonHandlerModule and req.add_handler.
"""
import json
import os
import time
import uuid

HTTPD_CONF = """
# -- phase order: server-level phases in the virtual host, the others in
#    the directory; handlers in htdocs/phases/recorder.py
<VirtualHost *:{port}>
    ServerName phases-order
    DocumentRoot "{htdocs}/phases/order"
    PythonPath "sys.path + ['{htdocs}/phases']"
    PythonOption record_dir "{var}"
    PythonPostReadRequestHandler recorder
    PythonTransHandler recorder
</VirtualHost>
<Directory "{htdocs}/phases/order">
    SetHandler mod_python
    AuthType Basic
    AuthName "phases"
    Require valid-user
    PythonHeaderParserHandler recorder
    PythonAccessHandler recorder
    PythonAuthenHandler recorder
    PythonAuthzHandler recorder
    PythonTypeHandler recorder
    PythonFixupHandler recorder
    PythonHandler recorder
    PythonLogHandler recorder
    PythonCleanupHandler recorder
</Directory>

# -- PythonInitHandler at server level: PostReadRequest
<VirtualHost *:{port}>
    ServerName phases-init-server
    DocumentRoot "{htdocs}/phases/initserver"
    PythonPath "sys.path + ['{htdocs}/phases']"
    PythonInitHandler recorder::init
    PythonTransHandler recorder
</VirtualHost>
<Directory "{htdocs}/phases/initserver">
    SetHandler mod_python
    PythonHandler recorder
</Directory>

# -- PythonInitHandler in a directory: HeaderParser
<VirtualHost *:{port}>
    ServerName phases-init-dir
    DocumentRoot "{htdocs}/phases/initdir"
    PythonPath "sys.path + ['{htdocs}/phases']"
    PythonTransHandler recorder
</VirtualHost>
<Directory "{htdocs}/phases/initdir">
    SetHandler mod_python
    PythonInitHandler recorder::init
    PythonAccessHandler recorder
    PythonHandler recorder
</Directory>

# -- PythonTransHandler runs before mod_alias
<VirtualHost *:{port}>
    ServerName phases-trans
    DocumentRoot "{htdocs}/phases/trans"
    PythonPath "sys.path + ['{htdocs}/phases']"
    PythonOption trans_target "{htdocs}/phases/trans/by_python.txt"
    PythonTransHandler transmap
    Alias /aliased "{htdocs}/phases/trans/by_alias.txt"
    Alias /alias-only "{htdocs}/phases/trans/by_alias.txt"
</VirtualHost>

# -- directive's directory prepended to sys.path (fresh interpreter: the
#    virtual host's own)
<VirtualHost *:{port}>
    ServerName phases-syspath
    DocumentRoot "{htdocs}/phases/syspath"
</VirtualHost>
<Directory "{htdocs}/phases/syspath">
    SetHandler mod_python
    PythonHandler syspath_report
</Directory>

# -- everything else: one virtual host, one directory per feature
<VirtualHost *:{port}>
    ServerName phases
    DocumentRoot "{htdocs}/phases"
</VirtualHost>
<Directory "{htdocs}/phases/access">
    SetHandler mod_python
    PythonAccessHandler gate
    PythonHandler gate
</Directory>
<Directory "{htdocs}/phases/authen">
    SetHandler mod_python
    AuthType Basic
    AuthName "authen"
    Require valid-user
    PythonAuthenHandler authen_default
    PythonHandler authen_default
</Directory>
<Directory "{htdocs}/phases/authz">
    SetHandler mod_python
    AuthType Basic
    AuthName "authz"
    Require valid-user
    PythonAuthenHandler authzmod
    PythonAuthzHandler authzmod
    PythonHandler authzmod
</Directory>
<Directory "{htdocs}/phases/type">
    PythonTypeHandler typer
</Directory>
<Directory "{htdocs}/phases/ext">
    SetHandler mod_python
    PythonFixupHandler ext::fixup | .py
    PythonFixupHandler ext::fixup2 | .htm .html
    PythonHandler ext
</Directory>
<Directory "{htdocs}/phases/multi">
    SetHandler mod_python
    PythonHandler multi::first multi::second
</Directory>
<Directory "{htdocs}/phases/multilines">
    SetHandler mod_python
    PythonHandler multilines::second
    PythonHandler multilines::first multilines::third
</Directory>
<Directory "{htdocs}/phases/stop">
    SetHandler mod_python
    PythonFixupHandler stop::fix_declined stop::fix_never
    PythonHandler stop
</Directory>
<Directory "{htdocs}/phases/stop403">
    SetHandler mod_python
    PythonFixupHandler stop403::fix_ok stop403::fix_forbidden stop403::fix_never
    PythonHandler stop403
</Directory>
<Directory "{htdocs}/phases/stopcontent">
    SetHandler mod_python
    PythonHandler stopc::declines stopc::second
</Directory>
<Directory "{htdocs}/phases/objects">
    SetHandler mod_python
    PythonHandler objects::start objects::holder.handle objects::Klass.method objects::outer.inner.handle
</Directory>
<Directory "{htdocs}/phases/dotted">
    SetHandler mod_python
    PythonHandler mypkg.mymod::spam mypkg.mymod
</Directory>
<Directory "{htdocs}/phases/hmod">
    SetHandler mod_python
    AuthType Basic
    AuthName "hmod"
    Require valid-user
    PythonHandlerModule hmod
</Directory>
<Directory "{htdocs}/phases/addfix">
    SetHandler mod_python
    PythonFixupHandler addfix
</Directory>
<Directory "{htdocs}/phases/addchain">
    SetHandler mod_python
    PythonHandler addchain::first
</Directory>
"""

REQUEST_PHASES = [
    "PythonPostReadRequestHandler",
    "PythonTransHandler",
    "PythonHeaderParserHandler",
    "PythonAccessHandler",
    "PythonAuthenHandler",
    "PythonAuthzHandler",
    "PythonTypeHandler",
    "PythonFixupHandler",
    "PythonHandler",
]


def test_phase_order(httpd):
    """5.1.2-5.1.11: every phase's handler is called, once, in Apache's
    order, with req.phase naming the directive; a dynamic attribute of req
    persists from the first phase to the content handler (4.5.3).  Default
    object names are used for every phase (5.1.1)."""
    ident = uuid.uuid4().hex
    r = httpd.get("/page?" + ident, host="phases-order", auth=("spam", "eggs"))
    assert r.status_code == 200, r.text
    assert r.json() == REQUEST_PHASES


def test_log_and_cleanup_phases(httpd):
    """5.1.12, 5.1.13: PythonLogHandler then PythonCleanupHandler run after
    the response, with the same request object (its attributes intact)."""
    ident = uuid.uuid4().hex
    r = httpd.get("/page?" + ident, host="phases-order", auth=("spam", "eggs"))
    assert r.status_code == 200, r.text
    path = os.path.join(httpd.var, ident + ".json")
    text = httpd.wait_for_file(path, lambda t: "PythonCleanupHandler" in t)
    assert json.loads(text) == REQUEST_PHASES + ["PythonLogHandler",
                                                 "PythonCleanupHandler"]


def test_authen_failure_stops_before_content(httpd):
    """5.1.7: the authen handler's HTTP_UNAUTHORIZED ends the request with
    401 after the phases before it; the content handler never runs."""
    r = httpd.get("/page", host="phases-order", auth=("spam", "wrong"))
    assert r.status_code == 401
    assert "PythonHandler" not in r.text


def test_init_handler_at_server_level(httpd):
    """5.1.5: PythonInitHandler outside any directory is the
    PostReadRequest handler: it runs once, before translation."""
    r = httpd.get("/x", host="phases-init-server")
    assert r.status_code == 200, r.text
    assert r.json() == ["INIT", "PythonTransHandler", "PythonHandler"]


def test_init_handler_in_directory(httpd):
    """5.1.5: PythonInitHandler inside a directory is the HeaderParser
    handler: after translation, before access checking."""
    r = httpd.get("/x", host="phases-init-dir")
    assert r.status_code == 200, r.text
    assert r.json() == ["PythonTransHandler", "INIT", "PythonAccessHandler",
                        "PythonHandler"]


def test_trans_handler_beats_alias(httpd):
    """5.1.3: PythonTransHandler translates the URI before the server's
    default rules: for /aliased, which has an Alias too, req.filename set
    by Python wins."""
    r = httpd.get("/aliased", host="phases-trans")
    assert r.status_code == 200
    assert r.text == "served by python\n"


def test_trans_handler_declined_leaves_alias(httpd):
    """5.1.3: when the trans handler declines, mod_alias and the core map
    the URI as usual."""
    r = httpd.get("/alias-only", host="phases-trans")
    assert r.status_code == 200
    assert r.text == "served by alias\n"
    r = httpd.get("/by_alias.txt", host="phases-trans")
    assert r.status_code == 200
    assert r.text == "served by alias\n"


def test_access_handler_forbidden(httpd):
    """5.1.6: an access handler returning HTTP_FORBIDDEN gives 403."""
    r = httpd.get("/access/x?deny", host="phases")
    assert r.status_code == 403
    assert "allowed" not in r.text


def test_access_handler_ok(httpd):
    """5.1.6: access handler OK: the request proceeds to the content
    handler, which sees the attribute the access handler set."""
    r = httpd.get("/access/x", host="phases")
    assert r.status_code == 200
    assert r.text == "allowed access_checked=True"


def test_authen_handler_before_mod_auth_basic(httpd):
    """5.1.7: the Python authen handler runs before mod_auth_basic (loaded
    first; with no AuthUserFile it would answer 500), and its default
    object name is authenhandler."""
    r = httpd.get("/authen/x", host="phases", auth=("spam", "eggs"))
    assert r.status_code == 200, r.text
    assert r.text == "user=spam"


def test_authen_handler_refuses(httpd):
    """5.1.7: HTTP_UNAUTHORIZED from the authen handler gives 401 with a
    Basic challenge."""
    r = httpd.get("/authen/x", host="phases")
    assert r.status_code == 401
    assert r.headers.get("WWW-Authenticate") == 'Basic realm="authen"'
    r = httpd.get("/authen/x", host="phases", auth=("spam", "bacon"))
    assert r.status_code == 401


def test_authz_handler_decides_on_user(httpd):
    """5.1.8: the authz handler runs after authentication and decides on
    req.user: alice is let in, bob (authenticated too) is refused, though
    'Require valid-user' alone would let him in."""
    r = httpd.get("/authz/x", host="phases", auth=("alice", "pw"))
    assert r.status_code == 200
    assert r.text == "hello alice"
    r = httpd.get("/authz/x", host="phases", auth=("bob", "pw"))
    assert r.status_code == 403
    r = httpd.get("/authz/x", host="phases", auth=("alice", "nope"))
    assert r.status_code == 401


def test_type_handler_beats_mod_mime(httpd):
    """5.1.9: the type handler sets content_type before mod_mime does: a
    .txt file gets the handler's type."""
    r = httpd.get("/type/plain.txt", host="phases")
    assert r.status_code == 200
    assert r.text == "plain text file\n"
    assert r.headers["Content-Type"] == "application/x-mp-typed"


def test_type_handler_declined_leaves_mod_mime(httpd):
    """5.1.9: when the type handler declines, mod_mime sets the type."""
    r = httpd.get("/type/control.html", host="phases")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")


def test_extension_restriction(httpd):
    """5.1.1: '| .ext ...' restricts a handler to those extensions."""
    expected = {
        "/ext/a.py": ["fixup"],
        "/ext/a.html": ["fixup2"],
        "/ext/a.htm": ["fixup2"],
        "/ext/a.txt": [],
    }
    for path, fixups in expected.items():
        r = httpd.get(path, host="phases")
        assert r.status_code == 200, (path, r.text)
        assert r.json() == fixups, path


def test_several_handlers_on_one_line(httpd):
    """5.1.1: handlers on one line are called left to right."""
    r = httpd.get("/multi/x", host="phases")
    assert r.status_code == 200
    assert r.text == "first;second;"


def test_several_handler_lines(httpd):
    """5.1.1: the same directive given several times: all handlers run,
    from first to last, in the order of the lines."""
    r = httpd.get("/multilines/x", host="phases")
    assert r.status_code == 200
    assert r.text == "second;first;third;"


def test_declined_stops_the_list(httpd):
    """5.1.1: a handler returning something other than OK (here DECLINED)
    aborts the rest of its list; later phases still run."""
    r = httpd.get("/stop/x", host="phases")
    assert r.status_code == 200
    assert r.json() == ["fix_declined"]


def test_error_stops_the_list(httpd):
    """5.1.1: an HTTP error from the second fixup: the third fixup and the
    content handler are never called; the client sees 403."""
    r = httpd.get("/stop403/x", host="phases")
    assert r.status_code == 403
    assert r.headers.get("X-Fix-Ok") == "1"
    assert "X-Fix-Never" not in r.headers
    assert "content handler called" not in r.text


def test_declined_content_handler_skips_next(httpd):
    """5.1.1 + 4.2: the first PythonHandler declines: the second is not
    called and Apache's default handler serves the file."""
    r = httpd.get("/stopcontent/page.txt", host="phases")
    assert r.status_code == 200
    assert "second called" not in r.text
    assert r.text == "static page\n"


def test_dotted_objects_and_classes(httpd):
    """5.1.1: module::object with dots resolves left to right; a class met
    on the way (Klass in Klass.method) is instantiated with the request and
    the method of the instance is called."""
    r = httpd.get("/objects/x", host="phases")
    assert r.status_code == 200, r.text
    assert r.text == ("holder.handle;Klass.method init_got_req=True;"
                      "outer.inner.handle;")


def test_package_module_names(httpd):
    """5.1.1: the module may be given in package dot notation, with an
    object or with the default one."""
    r = httpd.get("/dotted/x", host="phases")
    assert r.status_code == 200, r.text
    assert r.text == "mypkg.mymod::spam;mypkg.mymod::handler;"


def test_directive_directory_prepended_to_sys_path(httpd):
    """3.3 step 1, 4.2 note: the directory in which the PythonHandler
    directive was found is prepended to sys.path."""
    r = httpd.get("/x", host="phases-syspath")
    assert r.status_code == 200, r.text
    path = r.json()["path"]
    expected = os.path.join(httpd.htdocs, "phases", "syspath")
    assert os.path.normpath(path[0]) == expected
    assert r.json()["interpreter"] == "phases-syspath"


def test_handler_module(httpd):
    """5.4.7: PythonHandlerModule calls the module's authenhandler,
    fixuphandler and handler; the phases it has no function for are
    skipped silently."""
    mark = httpd.log_mark()
    r = httpd.get("/hmod/x", host="phases", auth=("spam", "eggs"))
    assert r.status_code == 200, r.text
    assert r.text == "fixed=True"
    r = httpd.get("/hmod/x", host="phases")
    assert r.status_code == 401
    time.sleep(1)   # log and cleanup phases run after the response
    log = httpd.error_log_since(mark)
    assert "Traceback" not in log
    assert "AttributeError" not in log
    assert ":error]" not in log


def test_add_handler_from_earlier_phase(httpd):
    """4.5.3 add_handler: a fixup handler adds the PythonHandler, which
    then serves the request (no PythonHandler is configured)."""
    r = httpd.get("/addfix/x", host="phases")
    assert r.status_code == 200, r.text
    assert r.text == "added handler ran"


def test_add_handler_same_phase(httpd):
    """4.5.3 add_handler: a handler registering another handler of the
    phase it is running in: the new one runs after it."""
    r = httpd.get("/addchain/x", host="phases")
    assert r.status_code == 200, r.text
    assert r.text == "first;second;"
