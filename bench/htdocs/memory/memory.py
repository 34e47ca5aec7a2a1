"""Sends a large file with req.sendfile, or reads a large request body with
req.read(65536) in a loop, and reports the child's resident memory before
and after (issue 3: both must keep memory flat)."""
import json
import os

from mod_python import apache


def _rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def handler(req):
    before = _rss_kb()
    if req.args and req.args.startswith("send="):
        path = req.args[len("send="):]
        req.content_type = "application/octet-stream"
        sent = req.sendfile(path)
        req.log_error("mp-memory sendfile sent=%d before=%d after=%d"
                      % (sent, before, _rss_kb()), apache.APLOG_NOTICE)
        return apache.OK
    total = 0
    while True:
        chunk = req.read(65536)
        if not chunk:
            break
        total += len(chunk)
    req.content_type = "application/json"
    req.write(json.dumps({"read": total, "before_kb": before,
                          "after_kb": _rss_kb()}))
    return apache.OK
