"""Session locks (manual 2.3.2 "Mutex Locks", 4.8): a pool of global
mutexes made at start-up (count and directory from PythonOption
mod_python.mutex_locks / mod_python.mutex_directory), shared by every
process and thread of the server."""

import os
import threading

import pytest
import requests

HOST = "locks"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName locks
    DocumentRoot "{htdocs}/locks"
</VirtualHost>
<Directory "{htdocs}/locks">
    SetHandler mod_python
    PythonHandler counter
    PythonOption var "{var}"
</Directory>
"""


def test_lock_serialises_processes_and_threads(httpd):
    """8 clients x 50 requests increment one counter under the lock and
    end at exactly 400 (processes under prefork, threads under event)."""
    path = os.path.join(httpd.var, "locked-counter")
    if os.path.exists(path):
        os.unlink(path)
    errors = []

    def client():
        for _ in range(50):
            r = httpd.get("/x", host=HOST)
            if r.status_code != 200:
                errors.append(r.text)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open(path) as f:
        assert f.read() == "400"


def test_mutex_options(extra_httpd, tmp_path):
    """PythonOption mod_python.mutex_locks sets the number of locks, and
    mod_python.mutex_directory where their files go."""
    lockdir = tmp_path / "locks"
    lockdir.mkdir()
    os.chmod(str(lockdir), 0o777)
    os.chmod(str(tmp_path), 0o755)
    server = extra_httpd("""
PythonOption mod_python.mutex_locks 3
PythonOption mod_python.mutex_directory "%s"
<VirtualHost *:{port}>
    ServerName locks
    DocumentRoot "{htdocs}/locks"
</VirtualHost>
<Directory "{htdocs}/locks">
    SetHandler mod_python
    PythonHandler counter
    PythonOption var "{var}"
</Directory>
""" % lockdir, name="locks")
    r = server.get("/x?count", host="locks")
    assert r.text == "3"
    assert server.get("/x", host="locks").text == "1"


def test_lock_of_a_dead_process_is_recovered(extra_httpd):
    """A child that dies holding a session lock (a crash, os._exit: no
    cleanup runs) does not leave the lock taken for ever: the global
    mutexes are robust, so the next process to ask gets it at once."""
    server = extra_httpd("""
<Directory "{htdocs}/locks">
    SetHandler mod_python
    PythonHandler holder
</Directory>
""", name="locks-dead")
    assert server.get("/locks/x").text.startswith("got the lock")
    with pytest.raises(requests.ConnectionError):
        # The child takes the lock and exits without answering.
        server.get("/locks/x?die", timeout=10)
    for _ in range(3):
        # A lock still held would make these wait until the timeout.
        r = server.get("/locks/x", timeout=10)
        assert r.status_code == 200
        assert r.text.startswith("got the lock")
