"""Accepts any Basic credentials, then reports req.requires()."""
import json

from mod_python import apache


def authenhandler(req):
    req.get_basic_auth_pw()
    return apache.OK


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps(list(req.requires())))
    return apache.OK
