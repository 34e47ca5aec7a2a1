"""Imports `oneinterp`, a C extension the test compiles, which refuses any
interpreter but the main one with CPython's own refusal text."""
from mod_python import apache


def handler(req):
    import oneinterp  # noqa: F401
    req.write("imported in %s" % req.interpreter)
    return apache.OK
