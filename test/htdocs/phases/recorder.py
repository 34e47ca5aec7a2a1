"""Records the phases a request goes through (test_phases.py).

Every handler appends req.phase to a list kept as a dynamic attribute of the
request, which must survive from phase to phase.  The content handler sends
the list; the log and cleanup handlers, which run after the response, save
it to <record_dir>/<id>.json where id is the query string.
"""
import json
import os
import re

from mod_python import apache


def _record(req, what=None):
    if not hasattr(req, "mp_phases"):
        req.mp_phases = []
    req.mp_phases.append(what or req.phase)


def _save(req):
    ident = req.args or ""
    if not re.fullmatch(r"[0-9a-f]{32}", ident):
        return
    directory = req.get_options()["record_dir"]
    tmp = os.path.join(directory, ident + ".tmp")
    with open(tmp, "w") as f:
        json.dump(req.mp_phases, f)
    os.replace(tmp, os.path.join(directory, ident + ".json"))


def postreadrequesthandler(req):
    _record(req)
    return apache.OK


def transhandler(req):
    _record(req)
    return apache.DECLINED      # let Apache map the URI


def headerparserhandler(req):
    _record(req)
    return apache.OK


def init(req):
    _record(req, "INIT")
    return apache.OK


def accesshandler(req):
    _record(req)
    return apache.OK


def authenhandler(req):
    _record(req)
    pw = req.get_basic_auth_pw()
    if req.user == "spam" and pw == "eggs":
        return apache.OK
    return apache.HTTP_UNAUTHORIZED


def authzhandler(req):
    _record(req)
    return apache.OK


def typehandler(req):
    _record(req)
    return apache.DECLINED      # let mod_mime do its work too


def fixuphandler(req):
    _record(req)
    return apache.OK


def handler(req):
    _record(req)
    req.content_type = "application/json"
    req.write(json.dumps(req.mp_phases))
    return apache.OK


def loghandler(req):
    _record(req)
    _save(req)
    return apache.OK


def cleanuphandler(req):
    _record(req)
    _save(req)
    return apache.OK
