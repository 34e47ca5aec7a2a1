#!/usr/bin/python3
# Echoes the request body read from sys.stdin: bytes from .buffer, or
# text lines.
import hashlib
import os
import sys

print("Content-Type: text/plain")
print()
if os.environ.get("QUERY_STRING") == "lines":
    for line in sys.stdin:
        print("line: " + line.rstrip("\n"))
else:
    data = sys.stdin.buffer.read()
    print(len(data), hashlib.sha256(data).hexdigest())
