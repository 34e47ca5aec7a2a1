#!/usr/bin/python3
# A CGI script reading its form with cgi.FieldStorage, unmodified: the
# fields come from QUERY_STRING (GET) or sys.stdin (POST).
import json
import sys

if sys.version_info < (3, 13):
    import cgi
    form = cgi.FieldStorage()
    fields = {}
    for name in form.keys():
        item = form[name]
        if isinstance(item, list):
            fields[name] = [i.value for i in item]
        elif item.filename:
            fields[name] = {"filename": item.filename,
                            "data": item.file.read().decode("utf-8")}
        else:
            fields[name] = item.value
    parser = "cgi"
else:   # no cgi module any more
    import os
    import urllib.parse
    fields = {}
    qs = os.environ.get("QUERY_STRING", "")
    if os.environ["REQUEST_METHOD"] == "POST":
        qs = sys.stdin.read()
    for name, values in urllib.parse.parse_qs(qs).items():
        fields[name] = values if len(values) > 1 else values[0]
    parser = "urllib"

print("Content-Type: application/json")
print()
print(json.dumps({"parser": parser, "fields": fields}))
