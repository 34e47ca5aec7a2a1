"""Request methods and members that call Apache's request API (manual
4.5.3): finfo, parsed_uri, get_remote_host, is_https/ssl_var_lookup without
SSL, add_common_vars, allow_methods, content_languages,
set_content_length, meets_conditions, internal_redirect (prev/next) and
sendfile."""

import os

HOST = "reqapi"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName reqapi
    DocumentRoot "{htdocs}/reqapi"
    HostnameLookups Off
</VirtualHost>
<Directory "{htdocs}/reqapi">
    AddHandler mod_python .py
    PythonHandler api
    PythonDebug On
</Directory>
<Directory "{htdocs}/reqapi/auth">
    PythonHandler requires
    PythonAuthenHandler requires
    AuthType Basic
    AuthName "requires"
    require user joe
    Require valid-user
</Directory>
"""

DATA = bytes(range(256)) * 4


def _prepare(httpd):
    d = os.path.join(httpd.htdocs, "reqapi")
    path = os.path.join(d, "data.bin")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(DATA)
        os.chmod(path, 0o644)
        os.symlink("data.bin", os.path.join(d, "link.bin"))


def test_members(httpd):
    """finfo and parsed_uri tuples indexed by FINFO_*/URI_*;
    get_remote_host for each form; no SSL here; add_common_vars."""
    r = httpd.get("/api.py?members&x=1", host=HOST)
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["fname"].endswith("/reqapi/api.py")
    assert info["size"] == os.path.getsize(
        os.path.join(httpd.htdocs, "reqapi", "api.py"))
    assert len(info["finfo"]) == 12
    st = os.stat(os.path.join(httpd.htdocs, "reqapi", "api.py"))
    assert info["finfo"][0] == st.st_mode      # a true POSIX st_mode
    assert info["finfo"][0] & 0o170000 == 0o100000  # a regular file
    assert len(info["parsed_uri"]) == 9
    assert info["path"] == "/api.py"
    assert info["query"] == "members&x=1"
    assert info["remote_nolookup"] == "127.0.0.1"
    assert info["remote_tuple"] == ["127.0.0.1", 1]
    assert info["remote_name"] == "127.0.0.1"
    assert info["is_https"] == 0
    assert info["ssl_cipher"] is None
    # 3.2.10: the CGI variables are there before add_common_vars().
    assert info["env_before"] == "127.0.0.1"
    assert info["env_after"] == "127.0.0.1"
    assert info["allowed_xmethods"] == []


def test_requires(httpd):
    """requires(): the Require lines in effect, e.g. ('user joe',
    'valid-user'), read by mod_python while Apache reads its
    configuration (Apache 2.4 itself no longer lists them)."""
    r = httpd.get("/auth/x.py", host=HOST, auth=("joe", "pw"))
    assert r.status_code == 200, r.text
    assert r.json() == ["user joe", "valid-user"]


def test_allow_methods(httpd):
    """allow_methods() feeds the Allow: header of a 405."""
    r = httpd.get("/api.py?allow", host=HOST)
    assert r.status_code == 405
    assert r.headers["X-Allowed"] == "GET,POST,PROPFIND,FROBNICATE"
    allow = [m.strip() for m in r.headers["Allow"].split(",")]
    for m in ("GET", "PROPFIND", "POST"):
        assert m in allow


def test_module_allow_methods(httpd):
    """apache.allow_methods(M_PUT, M_DELETE) (manual 4.5.1) sets the bits of
    the running request's req.allowed and its Allow: header."""
    r = httpd.get("/api.py?modallow", host=HOST)
    assert r.status_code == 501
    allow = [m.strip() for m in r.headers["Allow"].split(",")]
    assert "PUT" in allow and "DELETE" in allow
    bits = int(r.headers["X-Allowed-Bits"])
    assert bits == (1 << 1) | (1 << 3), bits      # M_PUT == 1, M_DELETE == 3


def test_allow_methods_bad_arguments(httpd):
    """A number that is no M_* method is a ValueError, a float a TypeError,
    and apache.allow_methods outside a handler's thread a RuntimeError;
    none of them changes the list."""
    r = httpd.get("/api.py?modallowerrors", host=HOST)
    data = r.json()
    assert "M_* method number" in data["number"]
    assert "numbers (int)" in data["type"]
    assert "outside a request handler" in data["thread"]
    assert data["allowed"] == []


def test_allow_methods_reset(httpd):
    """allow_methods(methods, 1) clears the list first."""
    r = httpd.get("/api.py?allowreset", host=HOST)
    assert r.json()["allowed"] == ["GET"]


def test_content_languages(httpd):
    """content_languages is writable and reaches Content-Language."""
    r = httpd.get("/api.py?languages", host=HOST)
    assert r.headers["Content-Language"].replace(" ", "") == "en,fr"
    r = httpd.get("/api.py?badlanguages", host=HOST)
    assert r.json()["refused"] is True


def test_set_content_length(httpd):
    """set_content_length sets the Content-Length header."""
    r = httpd.get("/api.py?length", host=HOST)
    assert r.headers["Content-Length"] == "5"
    assert r.text == "12345"


def test_meets_conditions(httpd):
    """meets_conditions(): 304 for a matching If-None-Match, OK else."""
    r = httpd.get("/api.py?conditions", host=HOST)
    assert r.status_code == 200 and r.text == "fresh"
    r = httpd.get("/api.py?conditions", host=HOST,
                  headers={"If-None-Match": '"mp-etag-1"'})
    assert r.status_code == 304


def test_internal_redirect(httpd):
    """internal_redirect(new_uri): the new request runs every phase; its
    req.prev is the request redirected from, whose next is it."""
    r = httpd.get("/api.py?redirect", host=HOST)
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["uri"] == "/redirected.py"
    assert info["prev_uri"] == "/api.py"
    assert info["prev_args"] == "redirect"
    assert info["prev_next_is_me"] is True


def test_sendfile(httpd):
    """sendfile(path[, offset, len]): whole files, ranges, symlinks, the
    count returned, OSError for a missing file."""
    _prepare(httpd)
    r = httpd.get("/api.py?sendfile", host=HOST)
    assert r.content == DATA
    r = httpd.get("/api.py?sendrange", host=HOST)
    assert r.content == DATA[10:15]
    r = httpd.get("/api.py?sendlink", host=HOST)
    assert r.content == DATA
    r = httpd.get("/api.py?sendcount", host=HOST)
    assert r.content == DATA[250:] + b"|%d" % (len(DATA) - 250)
    r = httpd.get("/api.py?sendmissing", host=HOST)
    assert "no-such-file" in r.json()["error"]


def test_is_https_and_ssl_var_lookup_with_mod_ssl(extra_httpd, tmp_path):
    """is_https() and ssl_var_lookup() against Apache's real mod_ssl, with
    a self-signed certificate made here; plain HTTP on the other port."""
    import socket
    import subprocess
    import requests
    import urllib3

    urllib3.disable_warnings()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port2 = s.getsockname()[1]
    s.close()
    key = str(tmp_path / "key.pem")
    cert = str(tmp_path / "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=127.0.0.1"], check=True,
                   capture_output=True)
    server = extra_httpd("""
LoadModule socache_shmcb_module "{modules_dir}/mod_socache_shmcb.so"
LoadModule ssl_module "{modules_dir}/mod_ssl.so"
Listen 127.0.0.1:%(port2)d https
<VirtualHost 127.0.0.1:%(port2)d>
    ServerName ssl-side
    SSLEngine on
    SSLCertificateFile "%(cert)s"
    SSLCertificateKeyFile "%(key)s"
    DocumentRoot "{htdocs}/reqapi"
</VirtualHost>
<VirtualHost *:{port}>
    ServerName plain-side
    DocumentRoot "{htdocs}/reqapi"
</VirtualHost>
<Directory "{htdocs}/reqapi">
    AddHandler mod_python .py
    PythonHandler ssl
</Directory>
""" % {"port2": port2, "cert": cert, "key": key}, name="ssl")
    r = requests.get("https://127.0.0.1:%d/ssl.py" % port2, verify=False,
                     timeout=10)
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["is_https"] == 1
    assert info["protocol"].startswith("TLS")
    assert info["cipher"]
    assert info["unknown"] is None
    r = server.get("/ssl.py", host="plain-side")
    info = r.json()
    assert info["is_https"] == 0
    assert info["protocol"] is None
