"""Takes a session lock; with ?die the child process dies holding it
(os._exit: no cleanup, no unlock), as a crashing handler would."""
import os

import _apache
from mod_python import apache


def handler(req):
    _apache._global_lock(req.server, "held")
    if req.args == "die":
        os._exit(1)
    _apache._global_unlock(req.server, "held")
    req.content_type = "text/plain"
    req.write("got the lock in %d" % os.getpid())
    return apache.OK
