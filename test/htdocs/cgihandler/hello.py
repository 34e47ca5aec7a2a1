#!/usr/bin/python3
# An ordinary CGI script: imports cgi (deprecated in Python 3.11, gone in
# 3.13), prints a header block and a body.
try:
    import cgi  # noqa: F401
    PARSER = "cgi"
except ImportError:     # Python 3.13 and later
    PARSER = "none"

print("Content-Type: text/plain")
print()
print("Hello!")
