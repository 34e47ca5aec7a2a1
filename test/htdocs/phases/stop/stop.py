"""The first fixup declines: the second must not be called."""
import json

from mod_python import apache


def fix_declined(req):
    req.fixups = ["fix_declined"]
    return apache.DECLINED


def fix_never(req):
    req.fixups.append("fix_never")
    return apache.OK


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps(getattr(req, "fixups", None)))
    return apache.OK
