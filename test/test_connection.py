"""Connection handlers (manual 4.4, 5.3.1): PythonConnectionHandler on a
virtual host of its own Listen port takes the raw connection, while HTTP
goes on as usual on the other port."""

import socket

from conftest import wait_until

HTTPD_CONF = ""


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# A protocol name of our own on the Listen line: Apache defers accept()
# until the client sends data only for http ports, and the greeter speaks
# first.
CONF = """
Listen 127.0.0.1:%(port2)d pyecho
<VirtualHost 127.0.0.1:%(port2)d>
    ServerName echo-server
    PythonPath "['{htdocs}/connection'] + sys.path"
    PythonConnectionHandler %(handler)s
    %(debug)s
</VirtualHost>
<VirtualHost *:{port}>
    ServerName http-side
    DocumentRoot "{htdocs}/connection"
</VirtualHost>
"""


def _connect(port):
    def connected():
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            return None
    return wait_until(connected, "port %d never accepted" % port,
                      timeout=10, interval=0.1)


def _recv_line(sock):
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_echo_server(extra_httpd):
    """4.4: the manual's echo server answers each line on its own port;
    HTTP keeps working on the other port; the child survives the client
    leaving."""
    port2 = _free_port()
    server = extra_httpd(CONF % {"port2": port2, "handler": "echo", "debug": ""},
                         name="echo")
    mark = server.log_mark()
    for _ in range(3):
        sock = _connect(port2)
        sock.sendall(b"hello\n")
        assert _recv_line(sock) == b"hello\n"
        sock.sendall(b"second line\r\n")
        assert _recv_line(sock) == b"second line\r\n"
        sock.close()
    r = server.get("/", host="http-side")
    assert r.status_code in (200, 403, 404)
    assert r.headers.get("Server", "").startswith("Apache")
    # The handler's loop ended with the client: logged, no crash.
    wait_until(lambda: "client has closed the connection"
               in server.error_log_since(mark),
               lambda: server.error_log_since(mark), timeout=5, interval=0.1)


def test_read_and_members(extra_httpd):
    """4.5.4: read(length), read(-1) until the client closes, write of str
    and bytes, remote_ip and base_server."""
    port2 = _free_port()
    server = extra_httpd(CONF % {"port2": port2, "handler": "greeter", "debug": ""},
                         name="greeter")
    sock = _connect(port2)
    assert _recv_line(sock) == b"hello 127.0.0.1, this is echo-server\n"
    sock.sendall(b"12345")
    assert _recv_line(sock) == b"got:12345\n"
    sock.sendall(b"x" * 10000)
    sock.shutdown(socket.SHUT_WR)
    assert _recv_line(sock) == b"rest:10000\n"
    sock.close()


def test_handler_error_debug(extra_httpd):
    """5.4.2: a connection handler's exception is logged; with PythonDebug
    On the traceback is sent to the client too."""
    for debug in ("PythonDebug On", "PythonDebug Off"):
        port2 = _free_port()
        server = extra_httpd(CONF % {"port2": port2, "handler": "failing",
                                     "debug": debug}, name="failing")
        mark = server.log_mark()
        sock = _connect(port2)
        data = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        sock.close()
        assert data.startswith(b"greeting\n")
        shown = b"mp-connection-handler-error" in data
        assert shown == (debug == "PythonDebug On")
        wait_until(lambda: "mp-connection-handler-error"
                   in server.error_log_since(mark),
                   lambda: server.error_log_since(mark), timeout=5,
                   interval=0.1)
        server.stop()
