"""Increments a counter file under a session lock (_apache._global_lock),
with a pause inside the critical section so that a broken lock loses
updates."""
import os
import time

import _apache
from mod_python import apache


def handler(req):
    path = os.path.join(req.get_options()["var"], "locked-counter")
    if req.args == "count":
        req.content_type = "text/plain"
        req.write(str(_apache._global_lock_count()))
        return apache.OK
    _apache._global_lock(req.server, "counter")
    try:
        try:
            with open(path) as f:
                n = int(f.read() or 0)
        except FileNotFoundError:
            n = 0
        time.sleep(0.002)
        with open(path + ".tmp", "w") as f:
            f.write(str(n + 1))
        os.replace(path + ".tmp", path)
    finally:
        _apache._global_unlock(req.server, "counter")
    req.content_type = "text/plain"
    req.write(str(n + 1))
    return apache.OK
