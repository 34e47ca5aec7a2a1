"""The publisher does not publish classes (manual 6.1.2, "Argument
Matching and Invocation": only an object that is "callable and not a
class" is called).  A class at the end of a path, whether a module-level
name or an attribute reached through an instance, is 404 like any other
unpublishable object, logged with its reason, and never instantiated.
Handlers: htdocs/publisher/classes/kinds.py.
"""

HOST = "publisher-classes"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName publisher-classes
    DocumentRoot "{htdocs}/publisher/classes"
</VirtualHost>
<Directory "{htdocs}/publisher/classes">
    SetHandler mod_python
    PythonHandler mod_python.publisher
</Directory>
"""


def test_module_class_is_not_found(httpd):
    """6.1.2: /kinds.py/Klass names a class: 404 with the reason in the
    log, neither its repr in the body nor a call."""
    mark = httpd.log_mark()
    r = httpd.get("/kinds.py/Klass", host=HOST)
    assert r.status_code == 404
    assert "<class" not in r.text
    line = httpd.wait_for_log(r"kinds\.py/Klass.*is a class", mark)
    assert "not published" in line
    assert httpd.get("/kinds.py/made", host=HOST).text == "0"


def test_class_found_by_traversal_is_not_found(httpd):
    """6.1.2 traversal: holder.Inner is a class reached through an
    instance of the module's class: 404, not called."""
    for method in ("GET", "POST", "HEAD"):
        r = httpd.request(method, "/kinds.py/holder/Inner", host=HOST)
        assert r.status_code == 404, method
    assert httpd.get("/kinds.py/made", host=HOST).text == "0"


def test_instances_and_methods_still_published(httpd):
    """The counterpart: the instance's method is called and an instance
    of the module's class is published as str()."""
    assert httpd.get("/kinds.py/holder/page", host=HOST).text == \
        "holder page"
    assert httpd.get("/kinds.py/instance", host=HOST).text == "an instance"
