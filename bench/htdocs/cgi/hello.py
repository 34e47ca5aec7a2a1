#!/usr/bin/python3
# The CGI script of manual 1.1: imports cgi, prints one word.
import cgi  # noqa: F401  (what a typical CGI script begins with)

print("Content-Type: text/plain")
print()
print("Hello!")
