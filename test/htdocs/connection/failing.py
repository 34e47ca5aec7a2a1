"""A connection handler that raises after greeting."""


def connectionhandler(conn):
    conn.write("greeting\n")
    raise RuntimeError("mp-connection-handler-error")
