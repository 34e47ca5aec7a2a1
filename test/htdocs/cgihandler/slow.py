#!/usr/bin/python3
# Prints its id several times with pauses: concurrent runs must not mix
# their output or their environment.
import os
import time

ident = os.environ["QUERY_STRING"]
print("Content-Type: text/plain")
print()
for i in range(5):
    print("%s line %d" % (ident, i))
    time.sleep(0.003)
print("%s env %s" % (ident, os.environ["QUERY_STRING"]))
