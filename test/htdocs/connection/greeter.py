"""A connection handler using read() and the connection members."""
from mod_python import apache


def connectionhandler(conn):
    conn.write("hello %s, this is %s\n" % (conn.remote_ip,
                                            conn.base_server.server_hostname))
    data = conn.read(5)
    conn.write(b"got:" + data + b"\n")
    rest = conn.read(-1)
    conn.write(b"rest:%d\n" % len(rest))
    return apache.OK
