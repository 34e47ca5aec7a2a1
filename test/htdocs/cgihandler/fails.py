#!/usr/bin/python3
print("Content-Type: text/plain")
print()
print("partial output")
raise RuntimeError("the CGI script failed")
