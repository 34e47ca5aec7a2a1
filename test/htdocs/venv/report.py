"""Reports where this interpreter's Python comes from (PythonHome)."""
import json
import sys

from mod_python import apache


def handler(req):
    import mp_venv_probe
    try:
        import flask            # in the system's packages, not the venv's
        system_package = True
    except ImportError:
        system_package = False
    req.content_type = "application/json"
    req.write(json.dumps({
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "executable": sys.executable,
        "probe": mp_venv_probe.WHERE,
        "probe_file": mp_venv_probe.__file__,
        "system_package": system_package,
        "mod_python_file": apache.__file__,
    }))
    return apache.OK


def prefix(req):
    """sys.prefix and whether the standard library imports (json did)."""
    req.content_type = "application/json"
    req.write(json.dumps({"prefix": sys.prefix, "home": sys.base_prefix}))
    return apache.OK
