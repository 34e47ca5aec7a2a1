"""A translate-name handler (test_phases.py): maps /aliased, for which an
Alias also exists, to the file named by PythonOption trans_target."""
from mod_python import apache


def transhandler(req):
    if req.uri == "/aliased":
        req.filename = req.get_options()["trans_target"]
        return apache.OK
    return apache.DECLINED
