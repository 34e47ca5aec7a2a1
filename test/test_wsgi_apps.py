"""Real applications under mod_python.wsgi (Doc/wsgi.rst, "Flask" and
"Django"): Debian's Flask and Django, configured as the manual shows.

The Flask application is htdocs/wsgi/flaskapp.py; the Django project is
htdocs/wsgi/djsite (its sqlite database is made in the server's writable
directory by the fixture below, with Django's own migrate command)."""

import hashlib
import os
import re
import subprocess
import sys

import pytest
import requests

HOST = "wsgiapps"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName wsgiapps
    DocumentRoot "{htdocs}/wsgi"
    PythonPath "['{htdocs}/wsgi'] + sys.path"
    SetEnv DJSITE_DB "{var}/djsite.sqlite3"
    <Location /flask>
        SetHandler mod_python
        PythonHandler mod_python.wsgi
        PythonOption mod_python.wsgi.application flaskapp::app
    </Location>
    <Location /dj>
        SetHandler mod_python
        PythonHandler mod_python.wsgi
        PythonOption mod_python.wsgi.application djsite.wsgi
        PythonInterpreter djsite
    </Location>
    Alias /dj/static/ "{htdocs}/wsgi/djsite/static/"
    <Location /dj/static>
        SetHandler None
    </Location>
</VirtualHost>
"""


def url(httpd, path):
    return httpd.url(path)


def session(httpd):
    s = requests.Session()
    s.headers["Host"] = HOST
    return s


# ------------------------------------------------------------------ Flask

def test_flask_routes(httpd):
    """Doc/wsgi.rst, Flask: routes, with url_for knowing SCRIPT_NAME."""
    r = httpd.get("/flask/", host=HOST)
    assert r.status_code == 200
    assert r.text == "Hello from Flask at /flask/"
    assert httpd.get("/flask/hello/Ann", host=HOST).text == "Hello, Ann!"


def test_flask_form_post(httpd):
    """Doc/wsgi.rst, Flask: a form POST."""
    r = httpd.post("/flask/form", host=HOST,
                   data={"name": "Bob", "age": "42"})
    assert r.status_code == 200
    assert r.text == "Bob is 42 years old"


def test_flask_file_upload(httpd):
    """Doc/wsgi.rst, Flask: a multipart file upload through wsgi.input."""
    data = os.urandom(300000)
    r = httpd.post("/flask/upload", host=HOST, data={"note": "binary"},
                   files={"file": ("blob.bin", data)})
    assert r.status_code == 200, r.text
    assert r.json() == {"filename": "blob.bin", "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "note": "binary"}


def test_flask_json_api(httpd):
    """Doc/wsgi.rst, Flask: a JSON API, with its status codes.  (The
    items live in the process's memory: one keep-alive connection keeps
    the requests in one child.)"""
    s = session(httpd)
    r = s.post(url(httpd, "/flask/api/items"), json={"name": "cup"})
    assert r.status_code == 201
    assert r.json()["item"] == {"name": "cup"}
    r = s.get(url(httpd, "/flask/api/items"))
    assert r.headers["Content-Type"] == "application/json"
    assert {"name": "cup"} in r.json()["items"]
    # Last: Apache closes the connection after a 400.
    r = s.post(url(httpd, "/flask/api/items"), json=[1, 2])
    assert r.status_code == 400
    assert r.json() == {"error": "an item needs a name"}


def test_flask_streamed_response(httpd):
    """Doc/wsgi.rst, Flask: a streamed response arrives whole, chunked."""
    r = httpd.get("/flask/stream", host=HOST, stream=True)
    assert r.headers.get("Transfer-Encoding") == "chunked"
    assert r.text == "".join("line %d\n" % i for i in range(5))


def test_flask_session_cookie(httpd):
    """Doc/wsgi.rst, Flask: sessions in Flask's signed cookie; a forged
    cookie is not believed."""
    s = session(httpd)
    r = s.get(url(httpd, "/flask/session/set/blue"))
    assert r.text == "stored"
    cookie = s.cookies.get("session")
    assert cookie
    assert s.get(url(httpd, "/flask/session/get")).text == "blue"
    forged = requests.get(url(httpd, "/flask/session/get"),
                          headers={"Host": HOST},
                          cookies={"session": cookie[:-2] + "xx"})
    assert forged.text == "nothing"


def test_flask_error_handlers(httpd):
    """Doc/wsgi.rst, Flask: the application's error handlers answer with
    their own status and page."""
    r = httpd.get("/flask/teapot", host=HOST)
    assert (r.status_code, r.text) == (418, "I am a teapot, handled by Flask")
    r = httpd.get("/flask/missing", host=HOST)
    assert (r.status_code, r.text) == (404, "Flask's own not found page")
    r = httpd.get("/flask/no/such/route", host=HOST)
    assert r.status_code == 404


# ----------------------------------------------------------------- Django

@pytest.fixture(scope="module")
def django_db(httpd):
    """The djsite database in the server's writable directory, made by
    Django's migrate, with an admin user."""
    db = os.path.join(httpd.var, "djsite.sqlite3")
    env = dict(os.environ, DJSITE_DB=db,
               DJANGO_SETTINGS_MODULE="djsite.settings",
               PYTHONPATH=os.path.join(httpd.htdocs, "wsgi"))
    manage = os.path.join(httpd.htdocs, "wsgi", "manage.py")
    if not os.path.exists(db):
        subprocess.run([sys.executable, manage, "migrate", "--noinput"],
                       env=env, check=True, capture_output=True, timeout=120)
        subprocess.run(
            [sys.executable, manage, "shell", "-c",
             "from django.contrib.auth.models import User; "
             "User.objects.create_superuser('admin', 'a@example.org', "
             "'admin-pass-123')"],
            env=env, check=True, capture_output=True, timeout=120)
        # The children may run as another user than the tests.
        os.chmod(db, 0o666)
    return db


def _csrf(text):
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    assert m, text[:500]
    return m.group(1)


def test_django_admin_login(httpd, django_db):
    """Doc/wsgi.rst, Django: the admin's login form with its CSRF token;
    without the token the POST is refused."""
    s = session(httpd)
    r = s.get(url(httpd, "/dj/admin/login/?next=/dj/admin/"))
    assert r.status_code == 200, r.text[:500]
    token = _csrf(r.text)
    refused = s.post(url(httpd, "/dj/admin/login/"),
                     data={"username": "admin", "password": "admin-pass-123"})
    assert refused.status_code == 403
    r = s.post(url(httpd, "/dj/admin/login/?next=/dj/admin/"),
               data={"username": "admin", "password": "admin-pass-123",
                     "csrfmiddlewaretoken": token, "next": "/dj/admin/"},
               allow_redirects=False)
    assert r.status_code == 302, r.text[:500]
    assert r.headers["Location"] == "/dj/admin/"
    r = s.get(url(httpd, "/dj/admin/"))
    assert r.status_code == 200
    assert "Site administration" in r.text
    assert "/dj/admin/notes/note/" in r.text


def test_django_model_saved_and_listed(httpd, django_db):
    """Doc/wsgi.rst, Django: a model saved to sqlite through a form with
    its CSRF token, then listed, from another request (maybe another
    child)."""
    s = session(httpd)
    r = s.get(url(httpd, "/dj/notes/"))
    assert r.status_code == 200, r.text[:500]
    text = "note %d" % os.getpid()
    r = s.post(url(httpd, "/dj/notes/"),
               data={"text": text, "csrfmiddlewaretoken": _csrf(r.text)},
               allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"] == "/dj/notes/"
    r = requests.get(url(httpd, "/dj/notes/"), headers={"Host": HOST})
    assert '<li class="note">%s</li>' % text in r.text
    assert 'href="/dj/static/site.css"' in r.text


def test_django_static_file_through_apache(httpd, django_db):
    """Doc/wsgi.rst, Django: static files are Apache's (Alias and
    SetHandler None), not the application's."""
    r = httpd.get("/dj/static/site.css", host=HOST)
    assert r.status_code == 200
    assert "served by Apache itself" in r.text
    assert r.headers["Content-Type"].startswith("text/css")
    assert "ETag" in r.headers


def test_django_404(httpd, django_db):
    """Doc/wsgi.rst, Django: an unknown URL gets the project's 404 page."""
    r = httpd.get("/dj/no/such/page", host=HOST)
    assert r.status_code == 404
    assert "djsite: no such page" in r.text
