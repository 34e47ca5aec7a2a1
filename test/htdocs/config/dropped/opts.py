"""Reports req.get_options() as JSON."""
import json

from mod_python import apache


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps(dict(req.get_options().items())))
    return apache.OK
