"""Registers child-exit cleanups (req.server.register_cleanup and
apache.register_cleanup) that write marker files into a directory."""
import os

from mod_python import apache


def _mark(path):
    with open(path, "a") as f:
        f.write("%d\n" % os.getpid())


def handler(req):
    where = req.get_options()["marker_dir"]
    req.server.register_cleanup(req, _mark, os.path.join(where, "server"))
    apache.register_cleanup(_mark, os.path.join(where, "apache"))
    req.content_type = "text/plain"
    req.write(str(os.getpid()))
    return apache.OK
