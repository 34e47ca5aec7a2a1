"""Configured from .htaccess: reports its options and config."""
import json

from mod_python import apache


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps({
        "options": dict(req.get_options().items()),
        "config": dict(req.get_config().items()),
    }))
    return apache.OK
