"""mod_python: Python embedded in Apache httpd.

Handlers import ``from mod_python import apache``; the other modules of the
package (util, Cookie, Session, psp, publisher, cgihandler, testhandler)
build on it.
"""

version = "3.2.10"
