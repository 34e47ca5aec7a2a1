#!/usr/bin/python3
# sys.exit() in the middle of a script ends it; the output stands.
import sys

print("Content-Type: text/plain")
print()
print("before exit")
sys.exit(0)
print("after exit")
