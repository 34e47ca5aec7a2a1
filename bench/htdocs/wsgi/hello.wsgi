"""mod_wsgi's script for the wsgi-hello variant: the same application."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bench_wsgi_hello import application  # noqa: E402,F401
