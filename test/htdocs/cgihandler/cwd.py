#!/usr/bin/python3
# CGI scripts run in their own directory: a relative open() works.
print("Content-Type: text/plain")
print()
with open("data.txt") as f:
    print(f.read().strip())
