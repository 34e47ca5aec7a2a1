"""The manual's echo server (4.4), in Python 3 form."""
from mod_python import apache


def connectionhandler(conn):

    while 1:
        conn.write(conn.readline())

    return apache.OK
