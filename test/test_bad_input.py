"""Bad input (issues 2 and 3): wrong member types, a body shorter than its
Content-Length, and a client that leaves mid-response."""

import json
import os
import socket
import time

HOST = "badinput"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName badinput
    DocumentRoot "{htdocs}/badinput"
    Timeout 2
</VirtualHost>
<Directory "{htdocs}/badinput">
    SetHandler mod_python
    PythonHandler bad
    PythonOption var "{var}"
</Directory>
"""


def test_member_types(httpd):
    """4.5.3: a wrong type for a writable member raises TypeError; a
    read-only member refuses assignment."""
    r = httpd.get("/x?types", host=HOST)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "status": "TypeError", "content_type": "TypeError",
        "filename": "TypeError", "assbackwards": "TypeError",
        "path_info": "TypeError", "uri": "AttributeError",
        "method": "AttributeError", "the_request": "AttributeError",
        "headers_in": "AttributeError", "connection": "AttributeError",
        "interpreter": "AttributeError"}


def test_short_body_times_out_with_ioerror(httpd):
    """4.5.3 read(): a body shorter than its Content-Length ends in
    IOError after Apache's Timeout, not a hang."""
    s = socket.create_connection(("127.0.0.1", httpd.port), timeout=30)
    s.sendall(b"POST /x?shortbody HTTP/1.1\r\nHost: badinput\r\n"
              b"Content-Length: 100\r\nConnection: close\r\n\r\n"
              b"only ten b")
    # a hang ends in socket.timeout after 30 s
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    body = data.split(b"\r\n\r\n", 1)[1]
    if b"\r\n" in body:            # chunked
        body = body.split(b"\r\n")[1]
    info = json.loads(body)
    assert info["outcome"].startswith("IOError")
    # read() waited for Apache's Timeout (a lower bound: a busy machine
    # only makes the wait longer)
    assert info["seconds"] >= 1


def test_client_disconnect_gives_ioerror(httpd):
    """A client that leaves mid-response gives the handler an IOError
    (logged, not sent), and the server keeps serving."""
    marker = os.path.join(httpd.var, "disconnect.txt")
    if os.path.exists(marker):
        os.unlink(marker)
    s = socket.create_connection(("127.0.0.1", httpd.port), timeout=10)
    s.sendall(b"GET /x?disconnect HTTP/1.1\r\nHost: badinput\r\n\r\n")
    s.recv(65536)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()
    deadline = time.time() + 20
    while not os.path.exists(marker):
        assert time.time() < deadline, "the handler never saw IOError"
        time.sleep(0.1)
    time.sleep(0.2)
    with open(marker) as f:
        assert f.read() == "IOError"
    for _ in range(5):
        assert httpd.get("/x?types", host=HOST).status_code == 200
