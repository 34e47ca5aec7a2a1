"""Reports req.get_config() as JSON."""
import json

from mod_python import apache


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps(dict(req.get_config().items())))
    return apache.OK
