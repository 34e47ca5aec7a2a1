"""The redis-server of the session-redis variant.

Started on first use (when a server's configuration asks for its URL, so
before that httpd starts), on a free 127.0.0.1 port, without persistence,
in a temporary directory; stopped by its PID when the benchmark exits
(normally, or after ^C / SIGTERM, which bench/run turns into an exit).
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

REDIS_SERVER = "/usr/bin/redis-server"

_server = None


class RedisError(OSError):
    """redis-server is missing or did not start."""


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class _Server:
    def __init__(self):
        if not os.access(REDIS_SERVER, os.X_OK):
            raise RedisError("%s is missing: apt-get install redis-server"
                             % REDIS_SERVER)
        self.dir = tempfile.mkdtemp(prefix="mp-bench-redis-")
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", self.dir,
             "--daemonize", "no", "--protected-mode", "no",
             "--logfile", os.path.join(self.dir, "redis.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while not _ping(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RedisError("redis-server did not start on port %d"
                                 % self.port)
            time.sleep(0.05)

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


def url():
    """The redis:// URL of the benchmark's redis-server (started now if
    it is not running yet)."""
    global _server
    if _server is None:
        _server = _Server()
        atexit.register(_server.stop)
    return "redis://127.0.0.1:%d/0" % _server.port
