"""Runs _apache.parse_qs/parse_qsl and urllib's on the posted inputs and
returns both results (or the exception each raised) as JSON."""
import json
import urllib.parse

import _apache
from mod_python import apache


def _run(func, qs, keep, strict):
    try:
        return ["ok", func(qs, keep, strict)]
    except Exception as e:
        return [type(e).__name__, str(e)]


def handler(req):
    cases = json.loads(req.read())
    out = []
    for qs, keep, strict in cases:
        out.append({
            "qsl": [_run(_apache.parse_qsl, qs, keep, strict),
                    _run(urllib.parse.parse_qsl, qs, keep, strict)],
            "qs": [_run(_apache.parse_qs, qs, keep, strict),
                   _run(urllib.parse.parse_qs, qs, keep, strict)],
        })
    req.content_type = "application/json"
    req.write(json.dumps(out))
    return apache.OK
