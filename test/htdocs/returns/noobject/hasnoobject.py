"""A module that exists, without the object the configuration names."""
from mod_python import apache


def handler(req):
    req.write("the default object should not be called")
    return apache.OK
