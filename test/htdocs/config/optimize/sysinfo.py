"""Reports how the embedded Python is configured."""
import json
import sys

from mod_python import apache


def handler(req):
    try:
        assert False
        asserts = False
    except AssertionError:
        asserts = True
    req.content_type = "application/json"
    req.write(json.dumps({
        "argv": sys.argv,
        "path": sys.path,
        "optimize": sys.flags.optimize,
        "asserts_run": asserts,
        "apache_file": apache.__file__,
        "version": list(sys.version_info[:3]),
    }))
    return apache.OK
