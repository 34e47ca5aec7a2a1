"""Handlers for the bad-input tests."""
import json
import os
import time

from mod_python import apache


def handler(req):
    what = req.args or ""
    if what == "types":
        results = {}
        for name, value in (("status", "200"), ("content_type", 5),
                            ("filename", 7), ("assbackwards", "1"),
                            ("path_info", b"/x"), ("uri", 5)):
            try:
                setattr(req, name, value)
                results[name] = "accepted"
            except TypeError:
                results[name] = "TypeError"
        for name in ("unparsed_uri", "method", "the_request", "headers_in",
                     "connection", "interpreter"):
            try:
                setattr(req, name, getattr(req, name))
                results[name] = "accepted"
            except (AttributeError, TypeError) as e:
                results[name] = type(e).__name__
        req.content_type = "application/json"
        req.write(json.dumps(results))
        return apache.OK
    if what == "shortbody":
        try:
            req.read()
            outcome = "read"
        except IOError as e:
            outcome = "IOError: %s" % e
        req.content_type = "application/json"
        req.write(json.dumps({"outcome": outcome}))
        return apache.OK
    if what.startswith("disconnect"):
        marker = os.path.join(req.get_options()["var"], "disconnect.txt")
        req.content_type = "text/plain"
        try:
            for i in range(2000):
                req.write("x" * 65536)
                time.sleep(0.005)
            outcome = "finished"
        except IOError as e:
            outcome = "IOError"
        with open(marker, "w") as f:
            f.write(outcome)
        return apache.OK
    return apache.HTTP_NOT_FOUND
