"""The server object (4.5.6) and connection object (4.5.4) members, the
request members that reach them and related requests, apache.config_tree,
apache.log_error with a server, and cleanups at child exit."""

import os

from conftest import wait_until

HOST = "objects"

HTTPD_CONF = """
PythonOption objects.global here
<VirtualHost *:{port}>
    ServerName objects
    ServerAlias objects-alias *.objects-wild
    ServerAdmin admin@objects.test
    DocumentRoot "{htdocs}/objects"
    PythonOption objects.vhost not-global
    PythonDebug On
</VirtualHost>
<Directory "{htdocs}/objects">
    SetHandler mod_python
    PythonHandler report
</Directory>
"""


def test_server_object(httpd):
    """4.5.6: server members with the manual's types; get_options() holds
    only global-scope options; get_config() the server-level directives."""
    r = httpd.get("/x", host=HOST)
    assert r.status_code == 200, r.text
    s = r.json()["server"]
    assert s["server_hostname"] == "objects"
    assert s["server_admin"] == "admin@objects.test"
    assert s["names"] == ["objects-alias"]
    assert s["wild_names"] == ["*.objects-wild"]
    assert s["names_is_tuple"] is True
    assert s["is_virtual"] is True
    assert s["defn_name"].endswith("httpd.conf")
    assert s["defn_line_number"] > 0
    assert isinstance(s["timeout"], int) and s["timeout"] > 0
    assert isinstance(s["keep_alive_timeout"], int)
    assert s["limit_req_line"] == 8190
    assert s["limit_req_fields"] == 100
    assert s["options"].get("objects.global") == "here"
    assert "objects.vhost" not in s["options"]
    assert s["config"].get("PythonDebug") == "1"


def test_connection_object(httpd):
    """4.5.4: connection members: addresses as (ip, port) tuples, the
    client's IP, counters, notes as a table, base_server."""
    r = httpd.get("/x", host=HOST)
    info = r.json()
    assert info["remote_ip"] == "127.0.0.1"
    assert info["remote_addr"][0] == "127.0.0.1"
    assert info["remote_addr"][1] > 0
    assert info["local_addr"] == ["127.0.0.1", httpd.port]
    assert info["local_ip"] == "127.0.0.1"
    assert info["aborted"] is False
    assert info["keepalive"] in (0, 1, -1)
    assert info["keepalives"] == 0
    assert isinstance(info["id"], int)
    assert info["notes"] == "yes"
    assert info["base_server_hostname"]
    assert info["same_server_object"] is True
    assert info["same_connection_object"] is True


def test_objects_are_read_only(httpd):
    """4.5.4, 4.5.6: members marked Read-Only refuse assignment."""
    refused = httpd.get("/x", host=HOST).json()["read_only"]
    assert refused == {"server_hostname": True, "port": True,
                       "remote_ip": True, "keepalives": True, "notes": True}


def test_related_requests_none(httpd):
    """4.5.3: main, prev and next are None for a plain request."""
    info = httpd.get("/x", host=HOST).json()
    assert info["main"] and info["prev"] and info["next"]


def test_config_tree_and_log_error_with_server(httpd):
    """4.5.1: config_tree() is the server's configuration tree;
    log_error(message, level, server) logs for that server."""
    mark = httpd.log_mark()
    info = httpd.get("/x", host=HOST).json()
    assert info["config_tree_has_vhost"] is True
    assert "objects-log-via-server" in httpd.error_log_since(mark)


def test_cleanups_run_at_child_exit(extra_httpd):
    """4.5.6 server.register_cleanup(req, callable, data) and 4.5.1
    apache.register_cleanup(handler, data) run when the child exits."""
    server = extra_httpd("""
<VirtualHost *:{port}>
    ServerName atexit
    DocumentRoot "{htdocs}/objects"
</VirtualHost>
<Directory "{htdocs}/objects">
    SetHandler mod_python
    PythonHandler atexit
    PythonOption marker_dir "{var}"
</Directory>
""", name="atexit")
    r = server.get("/x", host="atexit")
    assert r.status_code == 200, r.text
    pid = r.text
    markers = [os.path.join(server.var, n) for n in ("server", "apache")]
    assert not any(os.path.exists(m) for m in markers)
    server.stop()
    wait_until(lambda: all(os.path.exists(m) for m in markers),
               "cleanups did not run at exit", timeout=10, interval=0.1)
    for m in markers:
        with open(m) as f:
            assert pid in f.read().split()
