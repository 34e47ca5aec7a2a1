"""Imports an extension module that works in one interpreter per process
only (cryptography's Rust bindings, built with PyO3), which PythonImport
has already imported in main_interpreter."""
from mod_python import apache


def handler(req):
    import cryptography.hazmat.bindings._rust  # noqa: F401
    req.write("imported in %s" % req.interpreter)
    return apache.OK
