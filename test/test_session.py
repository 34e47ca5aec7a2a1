"""Sessions (manual 4.8): BaseSession's id, cookie, expiry and locking,
DbmSession, FileSession (and its cleanup), MemorySession and the Session()
choice, with the 4.8.2 hit counter under concurrent load.

Every virtual host keeps its sessions under {var}/<its name>.  The
handlers, in htdocs/session/: api.py drives the API from the query string;
counter/hitcounter.py is the manual's example (4.8.2); slow/slowcounter.py
the same with a pause in the critical section; members/ and login/ the
is_new() login example of Doc/session.rst.
"""

import dbm.gnu
import json
import os
import re
import threading
import time

import pytest
import requests

from conftest import wait_until

SID_RE = re.compile(r"[0-9a-f]{32}\Z")


def _vhost(name, options=""):
    return """
<VirtualHost *:{port}>
    ServerName %s
    DocumentRoot "{htdocs}/session"
    PythonOption session_directory "{var}/%s"
%s</VirtualHost>
""" % (name, name, options)


# Each virtual host is an interpreter of its own, so the module state of
# one (MemorySession's store, CLEANUP_CHANCE) never leaks into another.
# The handlers' directories, shared by the session server and the
# one-process server below.
HANDLER_DIRS = """
<Directory "{htdocs}/session">
    SetHandler mod_python
    PythonHandler api
    PythonDebug On
</Directory>
<Directory "{htdocs}/session/counter">
    PythonHandler hitcounter
</Directory>
"""

HTTPD_CONF = HANDLER_DIRS + """
<Directory "{htdocs}/session/members">
    PythonHandler members
</Directory>
<Directory "{htdocs}/session/login">
    PythonHandler login
</Directory>
""" + "".join([
    _vhost("sess-file", "    PythonOption session FileSession\n"),
    _vhost("sess-dbm", "    PythonOption session DbmSession\n"),
    _vhost("sess-auto"),
    _vhost("sess-bogus", "    PythonOption session Bogus\n"),
    _vhost("sess-cookie", "    PythonOption session FileSession\n"
                          "    PythonOption session_cookie_name mysid\n"
                          "    PythonOption ApplicationPath /myapp\n"),
    _vhost("sess-dumb"),
    _vhost("sess-dbmfile", "    PythonOption session DbmSession\n"
                           '    PythonOption session_dbm "{var}/other.db"\n'),
    # one session for the whole site: /login/ and /members/
    _vhost("sess-app", "    PythonOption session FileSession\n"
                       "    PythonOption ApplicationPath /\n"),
    # cleanups only when a test asks for one
    _vhost("sess-clean", "    PythonOption session FileSession\n"
                         "    PythonOption session_grace_period 0\n"
                         "    PythonOption test_cleanup_chance 0\n"),
    # the cleanup options by their 3.3+ names
    _vhost("sess-limit",
           "    PythonOption mod_python.session.session_type FileSession\n"
           "    PythonOption mod_python.file_session.cleanup_grace_period 0\n"
           "    PythonOption mod_python.file_session.cleanup_time_limit "
           "0.005\n"
           "    PythonOption test_cleanup_chance 0\n"),
    _vhost("sess-dbmclean", "    PythonOption session DbmSession\n"
                            "    PythonOption test_cleanup_chance 0\n"),
    # a cleanup with every request
    _vhost("sess-chance",
           "    PythonOption session FileSession\n"
           "    PythonOption session_grace_period 0\n"
           "    PythonOption mod_python.file_session.verify_session_timeout "
           "Off\n"
           "    PythonOption mod_python.file_session.enable_fast_cleanup On\n"
           "    PythonOption test_cleanup_chance 1\n"),
    # the session cookie's flags
    _vhost("sess-proxied",
           "    PythonOption session FileSession\n"
           "    SetEnvIf X-Forwarded-Proto ^https$ HTTPS=on\n"),
    _vhost("sess-flags",
           "    PythonOption session FileSession\n"
           "    PythonOption mod_python.session.cookie_httponly Off\n"
           "    PythonOption mod_python.session.cookie_samesite strict\n"
           "    PythonOption mod_python.session.cookie_secure On\n"),
    _vhost("sess-noflags",
           "    PythonOption session FileSession\n"
           "    SetEnv HTTPS on\n"
           "    PythonOption mod_python.session.cookie_httponly Off\n"
           "    PythonOption mod_python.session.cookie_samesite Off\n"
           "    PythonOption mod_python.session.cookie_secure Off\n"),
    _vhost("sess-badflag",
           "    PythonOption session FileSession\n"
           "    PythonOption mod_python.session.cookie_samesite Sideways\n"),
    # the 3.3+ option names win over the 3.2 ones
    """
<VirtualHost *:{port}>
    ServerName sess-names
    DocumentRoot "{htdocs}/session"
    PythonOption mod_python.session.session_type FileSession
    PythonOption session DbmSession
    PythonOption mod_python.session.cookie_name xsid
    PythonOption session_cookie_name ysid
    PythonOption mod_python.session.application_path /app
    PythonOption ApplicationPath /old
    PythonOption mod_python.session.application_domain .example.org
    PythonOption mod_python.file_session.database_directory "{var}/names-file"
    PythonOption mod_python.session.database_directory "{var}/names-any"
    PythonOption session_directory "{var}/names-old"
</VirtualHost>
<VirtualHost *:{port}>
    ServerName sess-names-dbm
    DocumentRoot "{htdocs}/session"
    PythonOption mod_python.session.session_type DbmSession
    PythonOption mod_python.session.database_directory "{var}/names-any"
    PythonOption session_directory "{var}/names-old"
</VirtualHost>
<VirtualHost *:{port}>
    ServerName sess-names-dbmfile
    DocumentRoot "{htdocs}/session"
    PythonOption mod_python.session.session_type DbmSession
    PythonOption mod_python.dbm_session.database_filename "{var}/names.db"
    PythonOption session_dbm "{var}/names-old.db"
</VirtualHost>
""",
])

# The event MPM with a single child: Session() must choose MemorySession,
# and MemorySession must then be correct.  (The session server's event
# configuration runs up to 4 children.)
ONE_PROCESS_CONF = """
<IfModule mpm_event_module>
    StartServers 1
    ServerLimit 1
    ThreadsPerChild 10
    MaxRequestWorkers 10
    MinSpareThreads 1
    MaxSpareThreads 10
</IfModule>
""" + HANDLER_DIRS + """
<Directory "{htdocs}/session/slow">
    PythonHandler slowcounter
</Directory>
<VirtualHost *:{port}>
    ServerName sess-mem
    DocumentRoot "{htdocs}/session"
    PythonOption session_directory "{var}/sess-mem"
</VirtualHost>
"""


# PythonOption session_directory must name an existing directory (4.8.1)
STORE_DIRS = ["sess-app", "sess-dumb", "sess-file", "sess-dbm", "sess-auto",
              "sess-bogus", "sess-cookie", "sess-clean", "sess-limit",
              "sess-dbmclean", "sess-chance", "sess-proxied", "sess-flags",
              "sess-noflags", "sess-badflag", "names-file", "names-any",
              "names-old"]


@pytest.fixture(scope="module", autouse=True)
def _store_dirs(httpd):
    for name in STORE_DIRS:
        path = os.path.join(httpd.var, name)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o777)


def _sessdir(httpd, host):
    return os.path.join(httpd.var, host, "mp_sess")


def _cookie(sid, name="pysid"):
    return {"Cookie": "%s=%s" % (name, sid)}


def _info(httpd, host, query="", **kw):
    r = httpd.get("/api?" + query, host=host, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def _set_cookies(response):
    return [v for k, v in response.raw.headers.items()
            if k.lower() == "set-cookie"]


def _new_session(httpd, host, query=""):
    info = _info(httpd, host, query)
    assert info["is_new"] is True
    assert SID_RE.match(info["id"])
    return info["id"]


# ------------------------------------------------------------------ basics

@pytest.mark.parametrize("host", ["sess-file", "sess-dbm"])
def test_hit_counter_example(httpd, host):
    """4.8.2: the manual's hit counter counts the requests of a client;
    the cookie's path is the handler directory under DocumentRoot (4.8.1
    BaseSession: /counter here)."""
    r = httpd.get("/counter/", host=host)
    assert r.status_code == 200, r.text
    assert r.text == "Hits: 1\n"
    cookies = _set_cookies(r)
    assert len(cookies) == 1
    m = re.match(r"pysid=([0-9a-f]{32}); Path=/counter; HttpOnly; "
                 r"SameSite=Lax\Z", cookies[0])
    assert m, cookies
    sid = m.group(1)
    assert 'no-cache="set-cookie"' in r.headers["Cache-Control"]
    for n in (2, 3):
        r = httpd.get("/counter/", host=host, headers=_cookie(sid))
        assert r.text == "Hits: %d\n" % n
        assert _set_cookies(r) == []      # a known session: no new cookie
    # another client has its own count
    assert httpd.get("/counter/", host=host).text == "Hits: 1\n"


@pytest.mark.parametrize("host", ["sess-file", "sess-dbm"])
def test_session_methods(httpd, host):
    """4.8.1 BaseSession: a dict kept across requests; is_new(), id(),
    created(), last_accessed(), timeout() (default 1800), set_timeout();
    a known sid argument loads its session, an unknown one gives a new
    session with a new id."""
    before = time.time()
    first = _info(httpd, host, "set=color:blue")
    assert first["is_new"] is True
    assert before - 1 <= first["created"] <= time.time() + 1
    assert first["last_accessed"] >= first["created"]
    assert first["timeout"] == 1800
    sid = first["id"]

    time.sleep(0.05)
    second = _info(httpd, host, "set=size:9&settimeout=600",
                   headers=_cookie(sid))
    assert second["is_new"] is False
    assert second["id"] == sid
    assert second["data"] == {"color": "blue", "size": "9"}
    assert second["created"] == first["created"]
    assert second["last_accessed"] > first["last_accessed"]

    third = _info(httpd, host, "sid=" + sid)     # the sid argument
    assert third["is_new"] is False
    assert third["timeout"] == 600               # stored with the session
    assert third["data"] == {"color": "blue", "size": "9"}

    unknown = "0123456789abcdef" * 2
    fresh = _info(httpd, host, "sid=" + unknown)
    assert fresh["is_new"] is True
    assert fresh["id"] not in (unknown, sid)
    assert fresh["data"] == {}


@pytest.mark.parametrize("host", ["sess-file", "sess-dbm"])
def test_expired_session_is_new(httpd, host):
    """4.8.1: a session not accessed for more than its timeout loads as a
    new session (and the expired one is gone from the store)."""
    sid = _new_session(httpd, host, "set=k:v&settimeout=1")
    assert _info(httpd, host, headers=_cookie(sid))["is_new"] is False
    time.sleep(2.2)
    info = _info(httpd, host, headers=_cookie(sid))
    assert info["is_new"] is True
    assert info["id"] != sid and info["data"] == {}
    # the old id does not come back either
    assert _info(httpd, host, "sid=" + sid)["is_new"] is True
    if host == "sess-file":
        assert not os.path.exists(os.path.join(_sessdir(httpd, host), sid))


@pytest.mark.parametrize("host", ["sess-file", "sess-dbm"])
def test_invalidate(httpd, host):
    """4.8.1 invalidate(): the session leaves the store and the response
    carries a cookie that expires it; a save() afterwards stores nothing."""
    sid = _new_session(httpd, host, "set=k:v")
    r = httpd.get("/api?op=invalidate", host=host, headers=_cookie(sid))
    assert r.status_code == 200, r.text
    cookies = _set_cookies(r)
    assert len(cookies) == 1
    assert cookies[0].startswith("pysid=%s;" % sid)
    assert "expires=Thu, 01-Jan-1970 00:00:00 GMT" in cookies[0]
    assert "Max-Age=0" in cookies[0]
    assert _info(httpd, host, "sid=" + sid)["is_new"] is True
    if host == "sess-file":
        assert not os.path.exists(os.path.join(_sessdir(httpd, host), sid))


def test_cookie_name_and_application_path(httpd):
    """4.8.1: PythonOption ApplicationPath sets the cookie path;
    PythonOption session_cookie_name the cookie's name."""
    r = httpd.get("/api", host="sess-cookie")
    assert r.status_code == 200, r.text
    cookies = _set_cookies(r)
    m = re.match(r"mysid=([0-9a-f]{32}); Path=/myapp; HttpOnly; "
                 r"SameSite=Lax\Z", cookies[0])
    assert m, cookies
    sid = m.group(1)
    assert _info(httpd, "sess-cookie",
                 headers=_cookie(sid, "mysid"))["is_new"] is False
    # pysid is just another cookie here
    assert _info(httpd, "sess-cookie",
                 headers=_cookie(sid))["is_new"] is True


def test_cookie_path_of_handler_directory(httpd):
    """4.8.1: the cookie path is the directory of the PythonHandler in
    effect relative to DocumentRoot: / for the api handler (in the
    document root itself)."""
    r = httpd.get("/api", host="sess-file")
    assert re.match(r"pysid=[0-9a-f]{32}; Path=/; HttpOnly; "
                    r"SameSite=Lax\Z", _set_cookies(r)[0])


def test_login_example(httpd):
    """4.8.1 is_new(): a page for logged-in users redirects a new session
    to a login page, which stores the user in the session; with
    ApplicationPath / a browser (here requests' cookie jar, which honours
    the cookie's path) sends the session to both directories."""
    host = "sess-app"
    with requests.Session() as browser:
        def get(path, **kw):
            return browser.request(kw.pop("method", "GET"), httpd.url(path),
                                   headers={"Host": host},
                                   allow_redirects=False, timeout=30, **kw)

        r = get("/members/")
        assert r.status_code == 302
        assert r.headers["Location"] == "/login/"
        r = get("/login/")
        assert r.status_code == 200 and "<form" in r.text
        r = get("/login/", method="POST", data={"user": "alice"})
        assert r.status_code == 302, r.text
        assert r.headers["Location"] == "/members/"
        assert re.search(r"pysid=[0-9a-f]{32}; Path=/(;|$)",
                         r.headers["Set-Cookie"])
        assert get("/members/").text == "Hello alice, this is visit 1\n"
        assert get("/members/").text == "Hello alice, this is visit 2\n"
    # another browser is not logged in
    assert httpd.get("/members/", host=host).status_code == 302


def test_signed_cookie(httpd):
    """4.8.1: with a secret the id travels in a SignedCookie; a cookie
    whose signature does not verify (tampered, unsigned) gives a new
    session."""
    host = "sess-file"
    r = httpd.get("/api?secret", host=host)
    info = r.json()
    sid = info["id"]
    value = re.match(r"pysid=([0-9a-f]+);", _set_cookies(r)[0]).group(1)
    assert value.endswith(sid) and len(value) > len(sid)
    again = _info(httpd, host, "secret", headers=_cookie(value))
    assert again["is_new"] is False and again["id"] == sid
    signature = value[:-len(sid)]
    forged = ("0" if signature[0] != "0" else "1") + signature[1:] + sid
    for bad in (forged, sid):
        info = _info(httpd, host, "secret", headers=_cookie(bad))
        assert info["is_new"] is True and info["id"] != sid


# ------------------------------------------------- the cookie's flags

def test_cookie_secure_defaults(httpd):
    """Doc/session.rst secure defaults: the session cookie is HttpOnly and
    SameSite=Lax, and Secure only when the request came over HTTPS (here
    HTTPS=on in subprocess_env, as a TLS-ending proxy's configuration
    sets it)."""
    plain = _set_cookies(httpd.get("/api", host="sess-file"))[0]
    assert re.fullmatch(r"pysid=[0-9a-f]{32}; Path=/; HttpOnly; "
                        r"SameSite=Lax", plain), plain
    host = "sess-proxied"
    assert "secure" not in _set_cookies(httpd.get("/api", host=host))[0]
    https = _set_cookies(httpd.get("/api", host=host, headers={
        "X-Forwarded-Proto": "https"}))[0]
    assert re.fullmatch(r"pysid=[0-9a-f]{32}; Path=/; secure; HttpOnly; "
                        r"SameSite=Lax", https), https


def test_cookie_flag_options(httpd):
    """Doc/session.rst: PythonOption mod_python.session.cookie_httponly,
    cookie_samesite and cookie_secure override each flag (Secure even over
    plain HTTP, none of them even over HTTPS)."""
    flags = _set_cookies(httpd.get("/api", host="sess-flags"))[0]
    assert re.fullmatch(r"pysid=[0-9a-f]{32}; Path=/; secure; "
                        r"SameSite=Strict", flags), flags
    none = _set_cookies(httpd.get("/api", host="sess-noflags"))[0]
    assert re.fullmatch(r"pysid=[0-9a-f]{32}; Path=/", none), none


def test_cookie_flag_bad_option(httpd):
    """A cookie_samesite that is not Strict, Lax, None or Off is a clear
    error naming the option (500 and a log line)."""
    mark = httpd.log_mark()
    r = httpd.get("/api", host="sess-badflag")
    assert r.status_code == 500
    log = httpd.wait_for_log("cookie_samesite must be", mark)
    assert ("PythonOption mod_python.session.cookie_samesite must be "
            "Strict, Lax, None or Off, not 'Sideways'") in log


TLS_CONF = """
LoadModule socache_shmcb_module "{modules_dir}/mod_socache_shmcb.so"
LoadModule ssl_module "{modules_dir}/mod_ssl.so"
Listen 127.0.0.1:%(tls_port)d https
<Directory "{htdocs}/session">
    SetHandler mod_python
    PythonHandler api
</Directory>
<VirtualHost 127.0.0.1:%(tls_port)d>
    ServerName sess-tls
    DocumentRoot "{htdocs}/session"
    SSLEngine on
    SSLCertificateFile "%(cert)s"
    SSLCertificateKeyFile "%(key)s"
    PythonOption session FileSession
    PythonOption session_directory "{var}"
</VirtualHost>
"""


def test_cookie_secure_over_tls(extra_httpd, tmp_path):
    """Doc/session.rst secure defaults: over a real TLS connection
    (mod_ssl) the session cookie is Secure."""
    import subprocess
    import warnings
    from conftest import free_port
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    port = free_port()
    server = extra_httpd(TLS_CONF % {"tls_port": port, "cert": cert,
                                     "key": key}, name="sesstls")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # the certificate is our own
        r = requests.get("https://127.0.0.1:%d/api" % port, verify=False,
                         headers={"Host": "sess-tls"}, timeout=30)
    assert r.status_code == 200, r.text
    cookie = r.headers["Set-Cookie"]
    assert re.fullmatch(r"pysid=[0-9a-f]{32}; Path=/; secure; HttpOnly; "
                        r"SameSite=Lax", cookie), cookie
    plain = server.get("/api", host="sess-tls")
    assert "secure" not in plain.headers.get("Set-Cookie", "")


def test_option_names_33(httpd):
    """mod_python 3.3+ option names (mod_python.session.session_type,
    cookie_name, application_path, application_domain,
    mod_python.file_session.database_directory,
    mod_python.session.database_directory,
    mod_python.dbm_session.database_filename) are read, and win over the
    3.2 names set beside them."""
    r = httpd.get("/api", host="sess-names")
    info = r.json()
    assert info["cls"] == "FileSession"
    cookie = _set_cookies(r)[0]
    assert cookie == ("xsid=%s; Path=/app; Domain=.example.org; HttpOnly; "
                      "SameSite=Lax" % info["id"])
    assert os.path.exists(os.path.join(httpd.var, "names-file", "mp_sess",
                                       info["id"]))
    again = _info(httpd, "sess-names", headers=_cookie(info["id"], "xsid"))
    assert again["is_new"] is False
    for old in ("names-any", "names-old"):
        assert os.listdir(os.path.join(httpd.var, old)) == []

    assert _info(httpd, "sess-names-dbm")["cls"] == "DbmSession"
    assert os.path.exists(os.path.join(httpd.var, "names-any",
                                       "mp_sess.dbm"))
    assert os.listdir(os.path.join(httpd.var, "names-old")) == []
    _info(httpd, "sess-names-dbmfile")
    assert os.path.exists(os.path.join(httpd.var, "names.db"))
    assert not os.path.exists(os.path.join(httpd.var, "names-old.db"))


# ------------------------------------------------------------------ choice

def test_session_choice(httpd):
    """4.8.1 Session(): PythonOption session names the class; without it
    the MPM decides: DbmSession with several processes (prefork, and event
    with up to 4 children here)."""
    assert _info(httpd, "sess-file")["cls"] == "FileSession"
    assert _info(httpd, "sess-dbm")["cls"] == "DbmSession"
    assert _info(httpd, "sess-auto")["cls"] == "DbmSession"
    assert os.path.exists(os.path.join(httpd.var, "sess-auto", "mp_sess.dbm"))


def test_unknown_session_class(httpd):
    """4.8.1 Session(): an unknown PythonOption session value is a clear
    error (500 and a log line naming the valid values)."""
    mark = httpd.log_mark()
    r = httpd.get("/api", host="sess-bogus")
    assert r.status_code == 500
    log = httpd.wait_for_log("PythonOption session must be", mark)
    assert ("DbmSession, FileSession, MemorySession or RedisSession, not "
            "'Bogus'") in log


# ------------------------------------------------------------------ stores

def test_dbm_file(httpd):
    """4.8.1 DbmSession: mp_sess.dbm in PythonOption session_directory,
    created with mode 0640; PythonOption session_dbm names another file;
    it holds the sessions."""
    sid = _new_session(httpd, "sess-dbm", "set=k:v")
    path = os.path.join(httpd.var, "sess-dbm", "mp_sess.dbm")
    assert os.stat(path).st_mode & 0o777 == 0o640
    with dbm.gnu.open(path, "r") as db:
        assert sid.encode() in db.keys()

    other = _new_session(httpd, "sess-dbmfile", "set=k:v")
    path = os.path.join(httpd.var, "other.db")
    assert os.stat(path).st_mode & 0o777 == 0o640
    with dbm.gnu.open(path, "r") as db:
        assert db.keys() == [other.encode()]
    assert not os.path.exists(os.path.join(httpd.var, "sess-dbmfile"))


def test_dbmtype(httpd):
    """4.8.1 DbmSession: dbmtype chooses the dbm module (dbm.dumb here,
    which keeps mp_sess.dbm.dat and .dir files, created 0640)."""
    host = "sess-dumb"
    sid = _new_session(httpd, host, "cls=DbmSession&dbmtype=dumb&set=k:v")
    info = _info(httpd, host, "cls=DbmSession&dbmtype=dumb",
                 headers=_cookie(sid))
    assert info["is_new"] is False and info["data"] == {"k": "v"}
    base = os.path.join(httpd.var, host, "mp_sess.dbm")
    assert os.stat(base + ".dat").st_mode & 0o777 == 0o640
    assert os.path.exists(base + ".dir")
    assert not os.path.exists(base)


def _session_file(path):
    """The session a FileSession file holds: its frame (magic, payload
    length, CRC-32) checked, its payload unpickled."""
    import pickle
    import struct
    import zlib
    with open(path, "rb") as f:
        data = f.read()
    magic, length, crc = struct.unpack_from("<4sII", data)
    assert magic == b"mpS1"
    payload = data[12:12 + length]
    assert len(payload) == length and zlib.crc32(payload) == crc
    return pickle.loads(payload), data


def test_session_files(httpd):
    """4.8.1 FileSession: one file per session, named by its id, in
    mp_sess/ under session_directory (made if missing, 0700), mode 0600.
    A locked save rewrites the session's file in place (the same inode
    from save to save, nothing temporary beside it), as a checksummed
    frame around the pickle; invalidate() removes it."""
    host = "sess-file"
    sid = _new_session(httpd, host, "set=k:v")
    sessdir = _sessdir(httpd, host)
    assert os.stat(sessdir).st_mode & 0o777 == 0o700
    path = os.path.join(sessdir, sid)
    assert os.stat(path).st_mode & 0o777 == 0o600
    inode = os.stat(path).st_ino
    for n in range(1, 5):
        info = _info(httpd, host, "set=n:%d" % n, headers=_cookie(sid))
        assert info["data"] == {"k": "v", "n": str(n)}
        assert os.stat(path).st_ino == inode
        stored, _ = _session_file(path)
        assert stored["_data"] == {"k": "v", "n": str(n)}
    assert [n for n in os.listdir(sessdir) if n.startswith(sid)] == [sid]
    r = httpd.get("/api?op=invalidate", host=host, headers=_cookie(sid))
    assert r.status_code == 200
    assert not os.path.exists(path)


def test_session_file_shrinks(httpd):
    """A save of a smaller session leaves exactly its own frame in the
    file, which had held a longer version: nothing of that trails."""
    import pickle
    host = "sess-file"
    sid = _new_session(httpd, host, "set=big:" + "x" * 3000)
    path = os.path.join(_sessdir(httpd, host), sid)
    _info(httpd, host, "set=big:" + "y" * 3000, headers=_cookie(sid))
    for value in ("small", "s"):
        info = _info(httpd, host, "set=big:" + value, headers=_cookie(sid))
        assert info["data"]["big"] == value
        stored, data = _session_file(path)
        assert stored["_data"]["big"] == value
        assert data[12:] == pickle.dumps(stored, pickle.HIGHEST_PROTOCOL)


def test_session_file_tail_ignored(httpd):
    """What follows a session file's frame (a longer version's tail, if a
    process died between a rewrite and its truncation) is not read as part
    of the session."""
    host = "sess-file"
    sid = _new_session(httpd, host, "set=k:v")
    path = os.path.join(_sessdir(httpd, host), sid)
    with open(path, "ab") as f:
        f.write(b"\x80\x04old tail of a longer version" * 20)
    info = _info(httpd, host, "set=n:1", headers=_cookie(sid))
    assert info["is_new"] is False
    assert info["data"] == {"k": "v", "n": "1"}
    stored, data = _session_file(path)
    assert stored["_data"] == {"k": "v", "n": "1"}
    assert b"old tail" not in data


def test_unlocked_saves(httpd):
    """4.8.1 lock=0: sessions opened without the lock are saved through a
    temporary file of their own and a rename, so concurrent saves of one
    session never mix (the last one wins)."""
    host = "sess-file"
    sid = _new_session(httpd, host)
    errors = []

    def client(i):
        for j in range(20):
            r = httpd.get("/api?nolock&set=v:%d-%d" % (i, j), host=host,
                          headers=_cookie(sid))
            if r.status_code != 200 or r.json()["is_new"]:
                errors.append(r.text[:300])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    info = _info(httpd, host, headers=_cookie(sid))
    assert info["is_new"] is False
    assert re.match(r"[0-3]-\d+\Z", info["data"]["v"])
    sessdir = _sessdir(httpd, host)
    assert [n for n in os.listdir(sessdir) if n.endswith(".tmp")] == []


def test_memory_session_one_event_process(extra_httpd):
    """4.8.1 Session(): the event MPM with a single child gets
    MemorySession, which keeps sessions in that process; 4.8 locking: 8
    clients x 200 hit-counter requests on one session end at exactly 1600
    (threads of one process exclude each other), also with a pause inside
    the critical section, where unlocked threads would lose updates."""
    server = extra_httpd(ONE_PROCESS_CONF, name="sessmem", mpm="event")
    info = _info(server, "sess-mem", "set=k:v")
    assert info["cls"] == "MemorySession"
    again = _info(server, "sess-mem", headers=_cookie(info["id"]))
    assert again["is_new"] is False and again["data"] == {"k": "v"}
    # nothing on disk
    assert not os.path.exists(os.path.join(server.var, "sess-mem"))
    _hammer(server, "sess-mem")
    _hammer(server, "sess-mem", "/slow/")


# ----------------------------------------------------------------- locking

ONE_MUTEX_CONF = """
PythonOption mod_python.mutex_locks 1
<Directory "{htdocs}/session">
    SetHandler mod_python
    PythonHandler api
    PythonDebug On
</Directory>
<Directory "{htdocs}/session/counter">
    PythonHandler hitcounter
</Directory>
<VirtualHost *:{port}>
    ServerName sess-dbm
    DocumentRoot "{htdocs}/session"
    PythonOption session DbmSession
    PythonOption session_directory "{var}"
</VirtualHost>
<VirtualHost *:{port}>
    ServerName sess-file
    DocumentRoot "{htdocs}/session"
    PythonOption session FileSession
    PythonOption session_directory "{var}"
</VirtualHost>
"""

def _hammer(server, host, path="/counter/", clients=8, each=200):
    """clients threads x each hit-counter requests on one session; every
    answer from 1 to clients*each must come exactly once."""
    sid = _new_session(server, host)       # exists, has no hits yet
    counts = []
    errors = []

    def client():
        with requests.Session() as s:
            url = server.url(path)
            headers = {"Host": host, "Cookie": "pysid=" + sid}
            for _ in range(each):
                try:
                    r = s.get(url, headers=headers, timeout=30)
                    m = re.match(r"Hits: (\d+)\n\Z", r.text)
                    if r.status_code != 200 or not m:
                        errors.append((r.status_code, r.text[:300]))
                    else:
                        counts.append(int(m.group(1)))
                except requests.RequestException as e:
                    errors.append(repr(e))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = clients * each
    assert sorted(counts) == list(range(1, total + 1))
    r = server.get(path, host=host, headers=_cookie(sid))
    assert r.text == "Hits: %d\n" % (total + 1)


@pytest.mark.parametrize("host", ["sess-file", "sess-dbm"])
def test_locking_under_load(httpd, host):
    """4.8 session locking: 8 clients x 200 requests of the 4.8.2 hit
    counter on one session count to exactly 1600 (processes under prefork,
    processes and threads under event)."""
    _hammer(httpd, host)


def test_one_mutex(extra_httpd):
    """2.3.2 Mutex Locks: with PythonOption mod_python.mutex_locks 1 every
    session lock is the mutex that also guards the dbm file; DbmSession
    (and both cleanups) still work without a request waiting for itself,
    and concurrent requests still count exactly."""
    server = extra_httpd(ONE_MUTEX_CONF, name="sessmutex")
    assert server.get("/api?op=locks", host="sess-dbm").json() == 1
    for host, done in (("sess-dbm", r"DbmSession cleanup of \S+: 1 sess"),
                       ("sess-file", r"FileSession cleanup of \S+ done")):
        sid = _new_session(server, host)
        mark = server.log_mark()
        info = _info(server, host, "op=cleanup", headers=_cookie(sid),
                     timeout=20)
        assert info["id"] == sid
        assert re.search(done, server.wait_for_log(done, mark))
        _hammer(server, host, clients=4, each=25)


def test_second_lock_in_one_request_is_an_error(httpd):
    """4.8.1 lock: a second locked session object for the same id in one
    request would wait for itself; it raises instead (a 500 with a clear
    message, not a hang)."""
    sid = _new_session(httpd, "sess-file")
    mark = httpd.log_mark()
    r = httpd.get("/api?op=twice", host="sess-file", headers=_cookie(sid),
                  timeout=20)
    assert r.status_code == 500
    assert "already locked by this thread" in httpd.wait_for_log(
        "already locked", mark)
    # the lock was released at the end of that request
    r = httpd.get("/counter/", host="sess-file", headers=_cookie(sid),
                  timeout=20)
    assert r.text == "Hits: 1\n"


# --------------------------------------------------------------- bad input

def _tree(top):
    """{path: (size, mtime)} of everything under top except session
    stores (mp_sess/ and dbm files), which the requests do change."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d != "mp_sess"]
        for name in filenames + dirnames:
            path = os.path.join(dirpath, name)
            if ".db" in name:
                continue
            st = os.stat(path)
            out[path] = (st.st_size, st.st_mtime_ns)
    return out


def _bad_sids(good):
    return [
        "../mp_sess/" + good,             # reaches a real session file
        "../" + good[3:],
        "/etc/passwd",
        good[:15] + "/" + good[16:],
        ".." + good[2:],
        "." * 32,
        good[:-1],                        # too short
        good + "0",                       # too long
        good.upper(),
        good[:31] + "g",
    ]


@pytest.mark.parametrize("host", ["sess-file", "sess-dbm"])
def test_malformed_session_ids(httpd, host):
    """4.8.1 (and 3.2.8's traversal fix): a sid with '/', '..', NUL or of
    the wrong length, from a cookie or the sid argument, is ignored before
    any file or dbm access: a new session, nothing outside the store
    touched, even when the path would reach a real session."""
    good = _new_session(httpd, host, "set=secret:1")
    canary = os.path.join(httpd.var, host, "canary")
    with open(canary, "w") as f:
        f.write("x")
    os.chmod(canary, 0o666)
    before = _tree(httpd.var)
    for bad in _bad_sids(good) + [good[:31] + "\x00", "\x00" * 32,
                                  good + "\x00"]:
        via_arg = _info(httpd, host, "sid=" + requests.utils.quote(bad))
        assert via_arg["is_new"] is True, bad
        assert via_arg["id"] not in (good, bad) and via_arg["data"] == {}
    for bad in _bad_sids(good) + ["../canary" + "0" * 23]:
        via_cookie = _info(httpd, host, headers=_cookie(bad))
        assert via_cookie["is_new"] is True, bad
        assert via_cookie["id"] not in (good, bad)
    # a NUL byte in a Cookie header: refused by Apache or a new session
    status, headers, body = httpd.raw_request(
        "/api", host=host, headers=[("Cookie", b"pysid=" + good[:31].encode()
                                     + b"\x00")])
    assert status in (200, 400), body
    if status == 200:
        assert json.loads(body)["id"] != good
    assert _tree(httpd.var) == before
    assert _info(httpd, host, "sid=" + good)["data"] == {"secret": "1"}


def test_corrupt_session_file(httpd):
    """4.8.1 FileSession: a session file holding garbage, a truncated one
    (a process died while writing it), or one with a byte changed that
    would still unpickle (its CRC no longer matches) gives a new session
    and a log line, not a 500; the file is left for the cleanup."""
    host = "sess-file"
    sessdir = _sessdir(httpd, host)
    for damage in ("garbage", "truncated", "flipped"):
        sid = _new_session(httpd, host, "set=k:vvvv")
        path = os.path.join(sessdir, sid)
        with open(path, "rb") as f:
            intact = f.read()
        if damage == "garbage":
            garbage = b"\x80\x04garbage\xff" * 10
        elif damage == "truncated":
            garbage = intact[:-5]
        else:
            assert intact.count(b"vvvv") == 1
            garbage = intact.replace(b"vvvv", b"vwvv")
        with open(path, "wb") as f:
            f.write(garbage)
        # Unlocked, the reader may have raced a rewrite: it reads the
        # file again before it gives up; locked, once is enough.
        for query, where in (("nolock", path + " (read 3 times, unlocked)"),
                             ("", path + " ignored")):
            mark = httpd.log_mark()
            info = _info(httpd, host, query, headers=_cookie(sid))
            assert info["is_new"] is True and info["id"] != sid
            log = httpd.wait_for_log("corrupt data", mark)
            assert "session %s: corrupt data in %s" % (sid, where) in log
        # left for the cleanup to remove
        with open(path, "rb") as f:
            assert f.read() == garbage


def test_corrupt_dbm_entry(httpd):
    """4.8.1 DbmSession: an entry holding garbage gives a new session and
    a log line, not a 500."""
    host = "sess-dbm"
    sid = _new_session(httpd, host, "set=k:v")
    path = os.path.join(httpd.var, host, "mp_sess.dbm")
    with dbm.gnu.open(path, "w") as db:
        db[sid] = b"not a pickle \x00\xff"
    mark = httpd.log_mark()
    info = _info(httpd, host, headers=_cookie(sid))
    assert info["is_new"] is True and info["id"] != sid
    assert "session %s: corrupt data" % sid in httpd.wait_for_log(
        "corrupt data", mark)
    with dbm.gnu.open(path, "r") as db:
        assert sid.encode() not in db.keys()


# ----------------------------------------------------------------- cleanup

def _empty(directory):
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            os.unlink(os.path.join(directory, name))


def _make(httpd, host, n, timeout=None):
    query = "op=mk&n=%d" % n
    if timeout:
        query += "&timeout=%d" % timeout
    r = httpd.get("/api?" + query, host=host, timeout=60)
    assert r.status_code == 200, r.text
    return set(r.json())


def _backdate(directory, names, seconds):
    when = time.time() - seconds
    for name in names:
        os.utime(os.path.join(directory, name), (when, when))


def _sessions_in(directory):
    return {n for n in os.listdir(directory) if SID_RE.match(n)}


def _cleanup(httpd, host, query=""):
    """Ask for a cleanup; return the log it writes once it is over."""
    mark = httpd.log_mark()
    r = httpd.get("/api?op=cleanup&nolock&" + query, host=host)
    assert r.status_code == 200, r.text
    text = httpd.wait_for_log(r"cleanup of \S+ (done|stopped)", mark,
                              timeout=30)
    m = re.search(r"cleanup of \S+ (done|stopped)[^\n]*", text)
    assert m, text
    return m.group(0)


def test_file_cleanup_fast(httpd):
    """4.8.1 FileSession cleanup, fast_cleanup without verify_cleanup:
    of 1,000 sessions whose files are older than timeout + grace period
    and 200 fresh ones, exactly the 1,000 go, within the default 2 s time
    limit (one complete pass)."""
    host = "sess-clean"
    sessdir = _sessdir(httpd, host)
    _empty(sessdir)
    old = _make(httpd, host, 1000)
    live = _make(httpd, host, 200)
    _backdate(sessdir, old, 2 * 3600)
    log = _cleanup(httpd, host, "cls=FileSession&fast=1&verify=0")
    assert "done: 1200 files examined, 1000 removed" in log
    assert _sessions_in(sessdir) == live


def test_file_cleanup_orphans(httpd):
    """4.8.1 FileSession cleanup: an expired session's file goes; the
    temporary files of unlocked saves older than timeout + grace period
    (left by a process that died while saving) go too, younger ones
    stay."""
    host = "sess-clean"
    sessdir = _sessdir(httpd, host)
    _empty(sessdir)
    sid = _new_session(httpd, host)
    _info(httpd, host, "set=a:1", headers=_cookie(sid))
    orphans = {"e" * 32 + ".1.2.tmp": 2 * 3600, "c" * 32 + ".3.4.tmp": 0}
    for name, age in orphans.items():
        with open(os.path.join(sessdir, name), "wb") as f:
            f.write(b"x")
        _backdate(sessdir, [name], age)
    _backdate(sessdir, [sid], 2 * 3600)
    log = _cleanup(httpd, host, "cls=FileSession&fast=1&verify=0")
    assert "done: 1 files examined, 1 removed" in log
    assert sorted(os.listdir(sessdir)) == sorted(
        [".cleanup_position", "c" * 32 + ".3.4.tmp"])


def test_file_cleanup_verify(httpd):
    """4.8.1 FileSession cleanup with verify_cleanup: the timeout stored in
    each file decides, whatever the file's age: 1,000 sessions with a 1 s
    timeout go, 200 with the default timeout stay, although every file
    looks old; fast_cleanup=False reads every file and decides the same."""
    host = "sess-clean"
    sessdir = _sessdir(httpd, host)
    for query in ("cls=FileSession&fast=1&verify=1", "cls=FileSession&fast=0"):
        _empty(sessdir)
        short = _make(httpd, host, 1000, timeout=1)
        live = _make(httpd, host, 200)
        _backdate(sessdir, short | live, 2 * 3600)
        time.sleep(1.2)
        log = _cleanup(httpd, host, query)
        assert "done: 1200 files examined, 1000 removed" in log
        assert _sessions_in(sessdir) == live


def test_file_cleanup_time_limit_resumes(httpd):
    """4.8.1 session_cleanup_time_limit: a cleanup that runs out of time
    stops, and the next one resumes where it stopped (an expired file
    before that point is not looked at until the pass ends), so successive
    cleanups remove exactly the expired files.

    The time is counted, not measured: api.py's clock=STEP gives Session a
    clock that advances by STEP at each reading, so the 0.005 s limit is
    a fixed number of files per cleanup whatever else the machine does."""
    host = "sess-limit"
    sessdir = _sessdir(httpd, host)
    _empty(sessdir)
    old = _make(httpd, host, 1000)
    live = _make(httpd, host, 500)
    _backdate(sessdir, old, 2 * 3600)
    # 40.5 steps in the limit: no reading falls on the deadline itself
    query = "cls=FileSession&fast=1&verify=0&clock=%r" % (0.005 / 40.5)
    log = _cleanup(httpd, host, query)
    stopped = (r"stopped by session_cleanup_time_limit \(0.005s\) after "
               r"(\d+) files \((\d+) removed\); the next one resumes "
               r"after ([0-9a-f]{32})")
    m = re.search(stopped, log)
    assert m, log
    per_cleanup = int(m.group(1))
    assert 0 < per_cleanup < 100, log
    position = m.group(3)
    with open(os.path.join(sessdir, ".cleanup_position")) as f:
        assert f.read() == position
    # what went is exactly the expired files up to the position
    gone = old - _sessions_in(sessdir)
    assert gone == {n for n in old if n <= position}
    assert int(m.group(2)) == len(gone) > 0
    assert _sessions_in(sessdir) >= live

    # An expired session that sorts first: the cleanups that follow
    # resume after the position and only reach it in the next pass.
    first = "0" * 32
    with open(os.path.join(sessdir, first), "wb") as f:
        f.write(b"expired")
    st = os.stat(sessdir)
    os.chown(os.path.join(sessdir, first), st.st_uid, st.st_gid)
    _backdate(sessdir, [first], 2 * 3600)
    starts = [position]
    for _ in range(1500 // per_cleanup + 1):
        log = _cleanup(httpd, host, query)
        if "done" in log:
            break
        m = re.search(stopped, log)
        assert m, log
        # every cleanup gets as far as the limit lets it
        assert int(m.group(1)) == per_cleanup, log
        start = m.group(3)
        assert start > starts[-1]
        starts.append(start)
    # the 1,500 files of the pass, per_cleanup at a time: each stopped
    # cleanup left a start, and the last one reached the end
    assert len(starts) + 1 == -(-1500 // per_cleanup), (len(starts), log)
    assert re.search(r"done: \d+ files examined from %s, \d+ removed"
                     % starts[-1], log), log
    assert _sessions_in(sessdir) == live | {first}
    # the next pass starts from the beginning
    log = _cleanup(httpd, host, query)
    assert first not in os.listdir(sessdir)
    while "done" not in log:
        log = _cleanup(httpd, host, query)
    assert _sessions_in(sessdir) == live


def test_cleanup_chance(httpd):
    """4.8.1 cleanup(): with Session.CLEANUP_CHANCE = 1 every request
    orders a cleanup, after its response, which removes expired session
    files on its own."""
    host = "sess-chance"
    sessdir = _sessdir(httpd, host)
    mark = httpd.log_mark()
    expired = _make(httpd, host, 20)       # orders 20 cleanups
    wait_until(lambda: httpd.error_log_since(mark).count(
        "sess-chance/mp_sess done") >= 20,
        lambda: httpd.error_log_since(mark), timeout=20)
    assert _sessions_in(sessdir) == expired
    _backdate(sessdir, expired, 2 * 3600)
    mark = httpd.log_mark()
    live = _new_session(httpd, host)
    log = httpd.wait_for_log(r"cleanup of \S+ done: \d+ files examined, "
                             r"20 removed", mark)
    assert "21 files examined, 20 removed" in log
    assert _sessions_in(sessdir) == {live}


def test_dbm_cleanup(httpd):
    """4.8.1 DbmSession cleanup: expired sessions leave the dbm file, live
    ones stay."""
    host = "sess-dbmclean"
    path = os.path.join(httpd.var, host, "mp_sess.dbm")
    short = _make(httpd, host, 300, timeout=1)
    live = _make(httpd, host, 50)
    time.sleep(1.2)
    mark = httpd.log_mark()
    r = httpd.get("/api?op=cleanup&nolock", host=host)
    assert r.status_code == 200
    log = httpd.wait_for_log(r"DbmSession cleanup of \S+: \d+ sessions", mark)
    assert re.search(r"DbmSession cleanup of \S+: \d+ sessions examined, "
                     r"300 removed", log), log
    with dbm.gnu.open(path, "r") as db:
        keys = {k.decode() for k in db.keys()}
    assert keys == live and not (short & keys)
