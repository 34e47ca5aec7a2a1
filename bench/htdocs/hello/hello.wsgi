"""The same hello world as a WSGI application, for mod_wsgi's embedded mode.

It sets Content-Length as mod_wsgi's own hello world does; the bytes of the
body are the mod_python handler's.
"""

BODY = b"Hello World!"


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
