#!/usr/bin/python3
# Flushing sys.stdout sends what was printed so far (streaming).
import sys

print("Content-Type: text/plain")
print()
print("first part")
sys.stdout.flush()
print("second part")
