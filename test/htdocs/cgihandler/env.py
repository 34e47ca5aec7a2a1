#!/usr/bin/python3
# Prints its environment (and what a child process sees) as JSON.
import json
import os
import subprocess
import sys


def child(**kw):
    return subprocess.run(["/bin/sh", "-c", "echo \"$REQUEST_METHOD\""],
                          capture_output=True, text=True, **kw).stdout.strip()


print("Content-Type: application/json")
print()
print(json.dumps({"environ": dict(os.environ), "argv": sys.argv,
                  "name": __name__, "cwd": os.getcwd(),
                  "child_given_environ": child(env=os.environ),
                  "child_inheriting": child()}))
