"""mod_wsgi's script for the wsgi-flask variant: the same Flask app."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bench_wsgi_flask import app as application  # noqa: E402,F401
