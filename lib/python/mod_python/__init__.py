"""mod_python: Python embedded in Apache httpd.

Handlers import ``from mod_python import apache``; the other modules of the
package (util, Cookie, Session, psp, publisher, cgihandler, testhandler,
cache, httpdconf) build on it.

``mod_python.version`` is the mod_python.version module (as in mod_python
3.3-3.5), which also stands for the version string (as in 3.2):
``mod_python.version == "3.2.10"`` holds.  ``mod_python.mp_version`` is
the plain string.
"""

from . import version

mp_version = version.version
