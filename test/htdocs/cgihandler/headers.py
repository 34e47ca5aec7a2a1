#!/usr/bin/python3
# One CGI response header block per QUERY_STRING.
import os
import sys

what = os.environ.get("QUERY_STRING", "")
if what == "status":
    print("Status: 404 Not Found")
    print("Content-Type: text/plain")
    print()
    print("the script's own not-found page")
elif what == "redirect":
    print("Location: http://example.org/elsewhere")
    print()
elif what == "moved":
    print("Status: 301 Moved Permanently")
    print("Location: /hello.py")
    print()
elif what == "local":
    print("Location: /hello.py")
    print()
    print("this body is dropped")
elif what == "cookies":
    print("Content-Type: text/plain")
    print("Set-Cookie: a=1")
    print("Set-Cookie: b=2")
    print("X-Custom: yes")
    print("Content-Length: 999")
    print()
    print("cookies")
elif what == "crlf":
    sys.stdout.write("Content-Type: text/plain\r\nX-Crlf: 1\r\n\r\nbody")
elif what == "folded":
    print("X-Folded: a")
    print("  b")
    print("Content-Type: text/plain")
    print()
    print("folded")
elif what == "malformed":
    print("Content-Type text/plain")
    print()
elif what == "badstatus":
    print("Status: abc")
    print()
elif what == "nothing":
    pass
elif what == "noblank":
    print("Content-Type: text/plain")
else:
    print("just a body, no headers")
