"""The Django project's WSGI application for mod_python.wsgi:

    PythonOption mod_python.wsgi.application djsite.wsgi

Django reads its settings once, at the first request: the database path
comes from the server's environment (SetEnv DJSITE_DB in the test
configuration), which WSGI passes in environ, not in os.environ."""

import os
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djsite.settings")

_django = None
_lock = threading.Lock()


def application(environ, start_response):
    global _django
    if _django is None:
        with _lock:
            if _django is None:
                os.environ.setdefault("DJSITE_DB", environ["DJSITE_DB"])
                from django.core.wsgi import get_wsgi_application
                _django = get_wsgi_application()
    return _django(environ, start_response)
