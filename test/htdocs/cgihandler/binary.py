#!/usr/bin/python3
# Headers printed as text, body written as bytes to sys.stdout.buffer.
import sys

print("Content-Type: application/octet-stream")
print()
sys.stdout.buffer.write(bytes(range(256)))
print("text after the bytes", end="")
