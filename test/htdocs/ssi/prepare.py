"""PythonFixupHandler for globals.shtml: fills req.ssi_globals before
the page's #python elements run (Doc/ssi.rst, "Preparing the globals")."""

from mod_python import apache


def fixuphandler(req):
    req.ssi_globals = {
        "prepared": "by the fixup handler",
        "helper": lambda n: n * 2,
        "counter": [],
    }
    return apache.OK
