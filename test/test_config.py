"""Configuration directives of manual 5.4 (PythonDebug, PythonAutoReload,
PythonOption, PythonPath, PythonOptimize), req.get_config(), .htaccess,
how the embedded Python is set up (sys.argv, PYTHONPATH), and directives
with bad arguments stopping Apache at start-up (issue 2, 'Bad input').
"""
import os
import signal
import subprocess
import time
import uuid

import pytest
import requests


HOST = "config"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName config
    DocumentRoot "{htdocs}/config"
</VirtualHost>
<Directory "{htdocs}/config/reload">
    SetHandler mod_python
    PythonHandler reloadme
    PythonAutoReload On
</Directory>
<Directory "{htdocs}/config/noreload">
    SetHandler mod_python
    PythonHandler noreloadme
    PythonAutoReload Off
</Directory>
<Directory "{htdocs}/config/options">
    SetHandler mod_python
    PythonHandler opts
    PythonOption alpha one
    PythonOption beta "two words"
    PythonOption gone here
</Directory>
<Directory "{htdocs}/config/options/sub">
    PythonOption gamma three
    PythonOption alpha overridden
    PythonOption gone ""
</Directory>
<Directory "{htdocs}/config/options/sub2">
    PythonOption beta
</Directory>
<Directory "{htdocs}/config/dropped">
    SetHandler mod_python
    PythonHandler opts
    PythonOption alpha one
    PythonOption gamma two
    PythonOption beta kept
</Directory>
<Directory "{htdocs}/config/dropped/sub">
    PythonOption alpha
    PythonOption gamma ""
</Directory>
<Directory "{htdocs}/config/getconfig">
    SetHandler mod_python
    PythonHandler conf
    PythonDebug On
    PythonAutoReload Off
    PythonOption notinconfig yes
</Directory>
<Directory "{htdocs}/config/sysinfo">
    SetHandler mod_python
    PythonHandler sysinfo
</Directory>
<Directory "{htdocs}/config/htaccess_fileinfo">
    AllowOverride FileInfo
</Directory>
<Directory "{htdocs}/config/htaccess_all">
    AllowOverride All
</Directory>
<Directory "{htdocs}/config/htaccess_none">
    AllowOverride None
</Directory>

# get_options() across phases: the virtual host's options early, the
# directory's merged in for the content handler.
<VirtualHost *:{port}>
    ServerName config-optcache
    DocumentRoot "{htdocs}/config/optcache"
    PythonPath "sys.path + ['{htdocs}/config/optcache/dir']"
    PythonOption vhost_option v
    PythonPostReadRequestHandler optcache::postread
</VirtualHost>
<Directory "{htdocs}/config/optcache/dir">
    SetHandler mod_python
    PythonHandler optcache
    PythonOption dir_option d
</Directory>

# PythonPath gets a virtual host (so an interpreter) of its own: other
# directories of the same interpreter would prepend their own directories.
<VirtualHost *:{port}>
    ServerName config-pypath
    DocumentRoot "{htdocs}/config/pypath"
</VirtualHost>
<Directory "{htdocs}/config/pypath">
    SetHandler mod_python
    PythonHandler pathreport
    PythonPath "['{htdocs}/config/pypath/lib', '/nonexistent/mp-marker'] + [p for p in sys.path if p.startswith(sys.base_prefix)] + ['{python_lib}']"
</Directory>
"""

MODULE_TEMPLATE = '''\
import os
from mod_python import apache

VERSION = %r

def handler(req):
    req.content_type = "text/plain"
    req.write("%%s %%d" %% (VERSION, os.getpid()))
    return apache.OK
'''


def write_module(path, version, mtime):
    with open(path, "w") as f:
        f.write(MODULE_TEMPLATE % version)
    os.chmod(path, 0o644)
    os.utime(path, (mtime, mtime))


def versions(httpd, path, n):
    out = []
    for _ in range(n):
        r = httpd.get(path, host=HOST)
        assert r.status_code == 200, r.text
        version, pid = r.text.split()
        out.append((version, int(pid)))
    return out


def test_autoreload_on(httpd):
    """5.4.8: with PythonAutoReload On a module whose file changed (newer
    mtime) is re-imported: children that had the old version serve the
    new one."""
    path = os.path.join(httpd.htdocs, "config", "reload", "reloadme.py")
    v1, v2 = "v1-" + uuid.uuid4().hex, "v2-" + uuid.uuid4().hex
    now = time.time()
    write_module(path, v1, now - 100)
    before = versions(httpd, "/reload/x", 12)
    assert {v for v, _ in before} == {v1}
    write_module(path, v2, now + 100)
    # an implementation may throttle its stat() to once a second
    time.sleep(1.5)
    after = versions(httpd, "/reload/x", 12)
    assert {v for v, _ in after} == {v2}
    assert {p for _, p in before} & {p for _, p in after}, \
        "no child answered both before and after the change"


def test_autoreload_off(httpd):
    """5.4.8: with PythonAutoReload Off a changed module is not re-imported:
    a child that imported the old version keeps serving it."""
    path = os.path.join(httpd.htdocs, "config", "noreload", "noreloadme.py")
    v1, v2 = "v1-" + uuid.uuid4().hex, "v2-" + uuid.uuid4().hex
    now = time.time()
    write_module(path, v1, now - 100)
    before = versions(httpd, "/noreload/x", 12)
    assert {v for v, _ in before} == {v1}
    old_pids = {p for _, p in before}
    write_module(path, v2, now + 100)
    time.sleep(1.5)
    checked = 0
    for version, pid in versions(httpd, "/noreload/x", 24):
        if pid in old_pids:
            assert version == v1, "child %d reloaded the module" % pid
            checked += 1
    assert checked, "no child answered both before and after the change"


def options_of(httpd, path):
    r = httpd.get(path, host=HOST)
    assert r.status_code == 200, r.text
    mine = {"alpha", "beta", "gamma", "gone"}
    return {k: v for k, v in r.json().items() if k in mine}


def test_python_option(httpd):
    """5.4.10, 4.5.3 get_options(): PythonOption key value pairs reach the
    handler; a quoted value keeps its spaces."""
    assert options_of(httpd, "/options/x") == {
        "alpha": "one", "beta": "two words", "gone": "here"}


def test_python_option_inheritance(httpd):
    """5.4.10: a subdirectory inherits its parent's options, adds and
    overrides keys, and an empty value removes a key."""
    assert options_of(httpd, "/options/sub/x") == {
        "alpha": "overridden", "beta": "two words", "gamma": "three"}


def test_python_option_without_value_removes(httpd):
    """5.4.10: a PythonOption with the value omitted removes the key."""
    assert options_of(httpd, "/options/sub2/x") == {
        "alpha": "one", "gone": "here"}


def test_python_option_removed_in_a_child_directory(httpd):
    """5.4.10: "If the value is omitted or empty, then the key is removed
    from the local configuration": a child <Directory> that names a key
    with no value, or with "", drops what its parent set; other keys stay,
    and the parent still has them."""
    assert options_of(httpd, "/dropped/sub/x") == {"beta": "kept"}
    assert options_of(httpd, "/dropped/x") == {
        "alpha": "one", "gamma": "two", "beta": "kept"}


def test_get_options_one_table_per_request(httpd):
    """4.5.3 get_options(): a copy of the configuration for the request.
    Calls during one request return the same table (a change made to it
    is seen there), later requests start from the configuration again, and
    a handler running before the directory walk sees only the virtual
    host's options while the content handler sees the directory's too."""
    for _ in range(3):          # the same child may serve them all
        r = httpd.get("/dir/x", host="config-optcache")
        assert r.status_code == 200, r.text
        data = r.json()
        assert data["early"] == ["vhost_option"]
        assert data["late"] == ["dir_option", "vhost_option"]
        assert data["same_table"] is True
        assert data["change_seen_in_request"] is True
        assert data["change_from_earlier_request"] is False


def test_get_config(httpd):
    """4.5.3 get_config(): the mod_python configuration in effect, keyed by
    directive, without the Python*Handler directives and PythonOption."""
    r = httpd.get("/getconfig/x", host=HOST)
    assert r.status_code == 200, r.text
    config = r.json()
    assert config.get("PythonDebug") == "1"
    assert config.get("PythonAutoReload") == "0"
    for key, value in config.items():
        assert not (key.startswith("Python") and key.endswith("Handler")), key
        assert key != "PythonOption"
        assert "notinconfig" not in key and "notinconfig" not in value


def test_python_path(httpd):
    """5.4.11: PythonPath replaces sys.path with the evaluated list (the
    handler's module is found through it); no directive directory is
    prepended while it is in effect."""
    r = httpd.get("/x", host="config-pypath")
    assert r.status_code == 200, r.text
    path = r.json()
    assert path[0] == os.path.join(httpd.htdocs, "config", "pypath", "lib")
    assert path[1] == "/nonexistent/mp-marker"
    assert path[-1] == httpd.python_lib
    # The middle is the interpreter's own library (under /usr for
    # Debian's Python), as the expression kept it.
    assert path[2:-1] and all(p.startswith(path[2].split("/lib")[0])
                              for p in path[2:-1]), path
    directive_dir = os.path.join(httpd.htdocs, "config", "pypath")
    assert directive_dir not in [os.path.normpath(p) for p in path]


def test_embedded_python_setup(httpd):
    """Issue 2: Python is set up like a normal embedded Python: sys.argv
    is ['mod_python'], PYTHONPATH from httpd's environment is in sys.path
    (mod_python.apache is the in-tree copy found through it), and without
    PythonOptimize asserts run."""
    r = httpd.get("/sysinfo/x", host=HOST)
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["argv"] == ["mod_python"]
    assert httpd.python_lib in [os.path.normpath(p) for p in info["path"]]
    assert info["apache_file"].startswith(httpd.python_lib + os.sep)
    assert info["optimize"] == 0
    assert info["asserts_run"] is True


def test_python_optimize(extra_httpd):
    """5.4.9: PythonOptimize On (server config) is Python's -O:
    sys.flags.optimize is set and asserts are compiled out."""
    server = extra_httpd("""
PythonOptimize On
<VirtualHost *:{port}>
    ServerName optimize
    DocumentRoot "{htdocs}/config/optimize"
</VirtualHost>
<Directory "{htdocs}/config/optimize">
    SetHandler mod_python
    PythonHandler sysinfo
</Directory>
""", name="optimize")
    r = server.get("/x", host="optimize")
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["optimize"] >= 1
    assert info["asserts_run"] is False


def test_htaccess_fileinfo(httpd):
    """2.4, 5.1: with AllowOverride FileInfo, SetHandler, PythonHandler,
    PythonDebug and PythonOption work from .htaccess; the module is found
    in the .htaccess directory."""
    r = httpd.get("/htaccess_fileinfo/page.txt", host=HOST)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["options"].get("color") == "blue"
    assert data["config"].get("PythonDebug") == "1"


def test_htaccess_all_manual_example(httpd):
    """2.4: the manual's mptest configuration in an .htaccess file with
    AllowOverride All: any .py URL gives Hello World!, other files are
    static."""
    r = httpd.get("/htaccess_all/foobar.py", host=HOST)
    assert r.status_code == 200
    assert r.text == "Hello World!"
    r = httpd.get("/htaccess_all/page.txt", host=HOST)
    assert r.status_code == 200
    assert r.text == "page of htaccess_all\n"


def test_htaccess_ignored_with_allowoverride_none(httpd):
    """2.4: with AllowOverride None the .htaccess is not read: the file is
    served as it is."""
    r = httpd.get("/htaccess_none/page.txt", host=HOST)
    assert r.status_code == 200
    assert r.text == "page of htaccess_none\n"


BAD_FLAG_DIRECTIVES = ["PythonDebug", "PythonAutoReload", "PythonEnablePdb",
                       "PythonInterpPerDirectory", "PythonInterpPerDirective",
                       "PythonOptimize"]


@pytest.mark.parametrize("directive", BAD_FLAG_DIRECTIVES)
def test_bad_flag_stops_startup(extra_httpd, directive):
    """Issue 2: a flag directive with an argument other than On/Off stops
    Apache at start-up with a message naming the directive."""
    server = extra_httpd("%s maybe\n" % directive, start=False, name="badflag")
    result = server.config_test()
    assert result.returncode != 0, result.stdout
    assert directive in result.stdout


@pytest.mark.parametrize("directive", ["PythonAutoReload", "PythonDebug"])
def test_flag_without_argument_stops_startup(extra_httpd, directive):
    """Issue 2: a flag directive with no argument stops Apache at start-up,
    naming the directive."""
    server = extra_httpd("%s\n" % directive, start=False, name="noarg")
    result = server.config_test()
    assert result.returncode != 0, result.stdout
    assert directive in result.stdout


def test_handler_without_argument_stops_startup(extra_httpd):
    """Issue 2: PythonHandler with no handler stops Apache at start-up,
    naming the directive."""
    server = extra_httpd('<Directory "{htdocs}">\n    PythonHandler\n'
                         '</Directory>\n', start=False, name="nohandler")
    result = server.config_test()
    assert result.returncode != 0, result.stdout
    assert "PythonHandler" in result.stdout


@pytest.mark.parametrize("directive", ["PythonTransHandler",
                                       "PythonPostReadRequestHandler",
                                       "PythonOptimize"])
def test_server_only_directive_in_directory_refused(extra_httpd, directive):
    """5.1.2, 5.1.3, 5.4.9: directives whose context is server config (and
    virtual host) are refused inside <Directory> at start-up."""
    arg = "On" if directive == "PythonOptimize" else "mp_handler_module"
    server = extra_httpd('<Directory "{htdocs}">\n    %s %s\n</Directory>\n'
                         % (directive, arg), start=False, name="context")
    result = server.config_test()
    assert result.returncode != 0, result.stdout
    assert directive in result.stdout


def test_bad_python_path(extra_httpd):
    """Issue 2, bad input: a PythonPath that does not evaluate is refused at
    start-up naming the directive, or, if only evaluated when a request
    needs it, gives that request a 500 while the server goes on serving."""
    server = extra_httpd("""
<VirtualHost *:{port}>
    ServerName badpath
    DocumentRoot "{htdocs}/config"
</VirtualHost>
<Directory "{htdocs}/config/sysinfo">
    SetHandler mod_python
    PythonHandler sysinfo
</Directory>
<Directory "{htdocs}/config/options">
    SetHandler mod_python
    PythonHandler opts
    PythonPath "[unterminated"
</Directory>
""", start=False, name="badpath")
    result = server.config_test()
    if result.returncode != 0:
        assert "PythonPath" in result.stdout
        return
    server.start()
    r = server.get("/options/x", host="badpath")
    assert r.status_code == 500
    for _ in range(5):
        r = server.get("/sysinfo/x", host="badpath")
        assert r.status_code == 200


def _pdb_conf(host):
    """A virtual host whose handler (sysinfo) runs under pdb."""
    return """
<VirtualHost *:{port}>
    ServerName %s
    DocumentRoot "{htdocs}/config/optimize"
</VirtualHost>
""" % host + """<Directory "{htdocs}/config/optimize">
    SetHandler mod_python
    PythonHandler sysinfo
    PythonEnablePdb On
</Directory>
"""


def test_enable_pdb_runs_handler_under_pdb(extra_httpd):
    """5.4.1: PythonEnablePdb On runs the handler through pdb.runcall.
    With no terminal (httpd's stdin is not one here) pdb's prompt reads
    end-of-file and quits before the handler runs, so runcall returns None
    instead of the handler's OK -- proof that pdb, not a plain call, ran
    it.  Off calls it plainly."""
    server = extra_httpd(_pdb_conf("pdb") + """<Location /nopdb>
    PythonEnablePdb Off
</Location>
""", name="pdb")
    mark = server.log_mark()
    r = server.get("/x", host="pdb")
    assert r.status_code == 500
    assert "returned None" in server.error_log_since(mark)
    r = server.get("/nopdb", host="pdb")
    assert r.status_code == 200, r.text


def _read_until(fd, needle, timeout=20.0):
    """Read from a pty master until needle shows up; return all read."""
    import select
    seen = b""
    idle = 0        # half-second waits with nothing read: a count, no clock
    while needle not in seen:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            idle += 1
            if idle > timeout / 0.5:
                raise AssertionError("no %r on the terminal; got:\n%s"
                                     % (needle, seen.decode(errors="replace")))
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:         # EIO: the other side closed
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_enable_pdb_interactive_session(extra_httpd):
    """5.4.1 as the manual means it: httpd started by hand with -X
    (-DONE_PROCESS) on a terminal stops at pdb's prompt inside the handler;
    the developer steps into it, prints the request's URI, continues, and
    the client then gets the handler's answer."""
    import pty
    import threading
    server = extra_httpd(_pdb_conf("pdbtty"), start=False, name="pdbtty")
    master, slave = pty.openpty()
    proc = subprocess.Popen(server.command("-X"), env=server.environment(),
                            stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)
    os.close(slave)
    answer = {}
    try:
        def client():
            for _ in range(100):                # tries, not a deadline
                try:
                    answer["r"] = server.get("/x", host="pdbtty", timeout=60)
                    return
                except requests.ConnectionError:
                    time.sleep(0.2)
        t = threading.Thread(target=client, daemon=True)
        t.start()
        _read_until(master, b"(Pdb)")
        os.write(master, b"step\n")        # from runcall's frame into handler
        _read_until(master, b"(Pdb)")
        os.write(master, b"p req.uri\n")
        out = _read_until(master, b"(Pdb)")
        assert b"'/x'" in out, out
        os.write(master, b"continue\n")
        t.join(30)
        assert not t.is_alive(), "the request did not finish after continue"
        r = answer["r"]
        assert r.status_code == 200, r.text
        assert r.json()["argv"] == ["mod_python"]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        os.close(master)
