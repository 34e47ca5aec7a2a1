"""Hello world as a bare WSGI application (the wsgi-hello variant):
the bytes and headers of htdocs/hello/hello.wsgi."""

BODY = b"Hello World!"


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
