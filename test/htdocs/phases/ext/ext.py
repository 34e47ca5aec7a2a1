"""Handlers restricted to extensions with '| .ext'."""
import json

from mod_python import apache


def _mark(req, name):
    if not hasattr(req, "fixups"):
        req.fixups = []
    req.fixups.append(name)


def fixup(req):
    _mark(req, "fixup")
    return apache.OK


def fixup2(req):
    _mark(req, "fixup2")
    return apache.OK


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps(getattr(req, "fixups", [])))
    return apache.OK
