"""A CherryPy site for test_app_cherrypy.py, set up the way CherryPy's
mod_python adapter (cherrypy._cpmodpy) documents: Apache calls
``setup_server`` once per interpreter through ``PythonOption
cherrypy.setup cpapp::setup_server``.

It mounts CherryPy's own tutorials (the ones its package ships) under
/cp/tutNN, and a small application of ours under /cp for what the
tutorials do not show: basic authentication, two cookies, a redirect, a
handshake between two requests in flight, and a message logged from a
thread of our own."""

import logging
import os
import threading

import cherrypy
from cherrypy.lib import auth_basic, sessions
from cherrypy.tutorial import (tut03_get_and_post, tut07_sessions,
                               tut08_generators_and_yield, tut09_files,
                               tut10_http_errors)

# The server's writable directory, next to its copy of htdocs.
VAR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "var")
SESSIONS = os.path.join(VAR, "cherrypy-sessions")


class Site:
    """What the tests need beyond the tutorials."""

    @cherrypy.expose
    def index(self):
        return "CherryPy %s under mod_python" % cherrypy.__version__

    @cherrypy.expose
    def cookies(self):
        cookie = cherrypy.response.cookie
        cookie["first"] = "1"
        cookie["first"]["path"] = "/cp"
        cookie["second"] = "two"
        cookie["second"]["path"] = "/cp"
        return "two cookies"

    @cherrypy.expose
    def go(self):
        raise cherrypy.HTTPRedirect("/cp/tut03/greetUser?name=Redirected")

    @cherrypy.expose
    def echo(self, n):
        return "echo %s" % n

    @cherrypy.expose
    def wait(self, go):
        """Answer once the file go exists: another request makes it while
        this one is still in flight.  Bounded by a count of tries."""
        event = threading.Event()
        for _ in range(600):
            if os.path.exists(os.path.join(VAR, go)):
                return "went"
            event.wait(0.05)
        return "gave up waiting"

    @cherrypy.expose
    def make(self, go):
        with open(os.path.join(VAR, go), "w"):
            pass
        return "made"

    @cherrypy.expose
    def bglog(self, marker):
        """Log marker through the engine's bus from a thread of ours; the
        adapter's subscriber calls apache.log_error(msg, level,
        req.server) with the server of the first request it saw."""
        thread = threading.Thread(
            target=cherrypy.engine.log,
            args=("background " + marker, logging.WARNING), daemon=True)
        thread.start()
        return "started"


class Secret:
    @cherrypy.expose
    def index(self):
        return "secret for %s" % cherrypy.request.login


def setup_server():
    os.makedirs(SESSIONS, exist_ok=True)
    # The adapter sends the engine's messages to Apache's error log;
    # CherryPy logs the tracebacks of failing pages to its own error log,
    # kept in the server's writable directory for whoever debugs a test.
    cherrypy.config.update({"environment": "production",
                            "log.screen": False,
                            "show_tracebacks": False,
                            "log.error_file": os.path.join(VAR,
                                                           "cherrypy.log")})
    cherrypy.tree.mount(Site(), "/cp")
    cherrypy.tree.mount(Secret(), "/cp/secret", {"/": {
        "tools.auth_basic.on": True,
        "tools.auth_basic.realm": "cherry",
        "tools.auth_basic.checkpassword":
            auth_basic.checkpassword_dict({"ann": "p\u00e4ss"}),
        "tools.auth_basic.accept_charset": "UTF-8",
    }})
    cherrypy.tree.mount(tut03_get_and_post.WelcomePage(), "/cp/tut03")
    cherrypy.tree.mount(tut07_sessions.HitCounter(), "/cp/tut07", {"/": {
        "tools.sessions.storage_class": sessions.FileSession,
        "tools.sessions.storage_path": SESSIONS,
    }})
    cherrypy.tree.mount(tut08_generators_and_yield.GeneratorDemo(),
                        "/cp/tut08", {"/": {"response.stream": True}})
    cherrypy.tree.mount(tut09_files.FileDemo(), "/cp/tut09")
    cherrypy.tree.mount(tut10_http_errors.HTTPErrorDemo(), "/cp/tut10")
