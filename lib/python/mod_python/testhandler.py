"""mod_python.testhandler -- a page describing mod_python's setup (2.5).

Configure it at a URL of its own::

    <Location /mpinfo>
        SetHandler mod_python
        PythonHandler mod_python.testhandler
    </Location>

and it answers with an HTML page listing the mod_python, Python and
Apache versions, the MPM, the interpreter and ``sys.path``, which
``mod_python.so`` and which Python package were loaded, the interpreters
of the process with the modules mod_python imported in each and the
handler configurations it keeps for them, the virtual environment and log
levels, the members of the request, its headers and CGI environment, the configuration and
options in effect (``req.get_config()``, ``req.get_options()``), the
server and connection, and Apache's configuration tree
(``apache.config_tree()``).  Every value is HTML-escaped: the page shows
what the client sent, and must not run it.

The page tells anyone who asks a good deal about the server: remove the
``<Location>`` when done.
"""

import html
import json
import os
import sys
import threading
import time


from . import apache
from . import _stacks
from . import mp_version as _mp_package_version

__all__ = ["handler"]

_REQUEST_MEMBERS = (
    "the_request", "protocol", "proto_num", "method", "method_number",
    "hostname", "uri", "unparsed_uri", "args", "filename",
    "canonical_filename", "path_info", "handler", "content_type",
    "content_encoding", "content_languages", "user", "ap_auth_type",
    "status", "header_only", "request_time", "remaining", "read_chunked",
    "proxyreq", "assbackwards", "phase", "interpreter", "finfo",
    "parsed_uri", "allowed_methods",
)

_SERVER_MEMBERS = (
    "server_hostname", "port", "server_admin", "defn_name",
    "defn_line_number", "is_virtual", "error_fname", "timeout",
    "keep_alive", "keep_alive_timeout", "keep_alive_max",
)

_CONNECTION_MEMBERS = (
    "remote_ip", "remote_addr", "remote_host", "local_ip", "local_addr",
    "local_host", "keepalives", "id",
)

_MPM_QUERIES = (
    "AP_MPMQ_IS_THREADED", "AP_MPMQ_IS_FORKED", "AP_MPMQ_MAX_THREADS",
    "AP_MPMQ_MAX_DAEMONS", "AP_MPMQ_MAX_DAEMON_USED",
    "AP_MPMQ_HARD_LIMIT_DAEMONS", "AP_MPMQ_HARD_LIMIT_THREADS",
    "AP_MPMQ_MIN_SPARE_DAEMONS", "AP_MPMQ_MAX_SPARE_DAEMONS",
    "AP_MPMQ_MIN_SPARE_THREADS", "AP_MPMQ_MAX_SPARE_THREADS",
    "AP_MPMQ_MAX_REQUESTS_DAEMON",
)

# Not among the manual's AP_MPMQ_* codes, but answered by Apache 2.4.
_AP_MPMQ_IS_ASYNC = 14

# Long values (PATH, sys.path entries, header values, configuration
# lines) have few spaces: they must break anywhere rather than widen the
# page, so that it reads in a narrow window without scrolling sideways.
_STYLE = """\
body { font-family: sans-serif; margin: 1em 2em; }
table { border-collapse: collapse; margin-bottom: 1.5em; width: 100%;
        table-layout: fixed; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: left;
         vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; width: 30%; }
td { font-family: monospace; white-space: pre-wrap; }
ul.tree { font-family: monospace; overflow-wrap: anywhere; }
p.warning { color: #a00; font-weight: bold; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
"""

_LOG_LEVELS = ("emerg", "alert", "crit", "error", "warn", "notice", "info",
               "debug") + tuple("trace%d" % n for n in range(1, 9))


def handler(req):
    """Answer with the diagnostics page."""
    req.content_type = "text/html; charset=utf-8"
    parts = [
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<title>mod_python test page</title>"
        "<style>\n%s</style></head><body>\n" % _STYLE,
        "<h1>mod_python %s</h1>\n" % _esc(_mp_package_version),
    ]
    mixed = _mixed_installation()
    if mixed:
        parts.append("<p class=\"warning\">%s</p>\n" % _esc(mixed))
    for title, rows in _sections(req):
        parts.append(_table(title, rows))
    for title, rows in _interpreter_sections():
        parts.append(_table(title, rows))
    # What every thread of this process runs in this interpreter, with
    # the request it serves: the on-demand view of the stuck-request
    # watchdog's reports (Doc/stuck_requests.rst).
    parts.append("<h2>Python threads of this process "
                 "(this interpreter)</h2>\n<pre>%s</pre>\n"
                 % _esc(_call(_stacks.format_all)))
    parts.append("<h2>Apache configuration tree "
                 "(<code>apache.config_tree()</code>)</h2>\n")
    parts.append(_tree(_call(apache.config_tree)))
    parts.append("</body></html>\n")
    req.write("".join(parts), 0)
    return apache.OK


def _sections(req):
    yield "Versions", [
        ("mod_python", _mp_package_version),
        ("mod_python (C module)", apache.mp_version),
        ("Python", sys.version),
        ("Apache", apache.apache_version),
        ("MPM", _mpm_name()),
    ]
    yield "Installation", [
        ("mod_python.so (the module Apache loaded)",
         _call(_apache().module_file)),
        ("its version", apache.mp_version),
        ("Python package (mod_python.__file__)",
         os.path.dirname(_package_file())),
        ("its version", _mp_package_version),
        ("consistent", _mixed_installation() or "yes: same version"),
    ]
    yield "Python environment", [
        ("sys.version", sys.version),
        ("sys.executable", sys.executable),
        ("sys.prefix", sys.prefix),
        ("sys.base_prefix", sys.base_prefix),
        ("virtual environment",
         "yes: %s" % sys.prefix if sys.prefix != sys.base_prefix
         else "no (sys.prefix is sys.base_prefix)"),
        ("PYTHONHOME", os.environ.get("PYTHONHOME", "(not set)")),
        ("PYTHONPATH", os.environ.get("PYTHONPATH", "(not set)")),
        ("PATH", os.environ.get("PATH", "(not set)")),
    ]
    yield "Logging", [
        ("error log (req.server.error_fname)",
         _get(req.server, "error_fname")),
        ("LogLevel of this server", _level(_get(req.server, "loglevel"))),
        ("LogLevel for mod_python (python:)",
         _level(_call(_apache().module_loglevel, req.server))),
    ]
    yield "Interpreter", [
        ("name (req.interpreter)", _get(req, "interpreter")),
        ("process id", os.getpid()),
        ("thread id", threading.get_ident()),
        ("sys.path", "\n".join(sys.path)),
        ("server root (apache.server_root())", _call(apache.server_root)),
    ]
    yield "MPM (apache.mpm_query())", [
        (name, _call(apache.mpm_query, getattr(apache, name)))
        for name in _MPM_QUERIES if hasattr(apache, name)
    ]
    yield "Request members", [
        ("req." + name, _get(req, name)) for name in _REQUEST_MEMBERS
    ]
    yield "Request headers (req.headers_in)", _items(req.headers_in)
    yield "mod_python configuration (req.get_config())", \
        _items(req.get_config())
    yield "Options (req.get_options())", _items(req.get_options())
    yield "Server options (req.server.get_options())", \
        _items(_call(req.server.get_options))
    yield "Request notes (req.notes)", _items(req.notes)
    req.add_common_vars()
    yield "CGI environment (req.subprocess_env after add_common_vars())", \
        _items(req.subprocess_env)
    yield "Server (req.server)", [
        ("req.server." + name, _get(req.server, name))
        for name in _SERVER_MEMBERS
    ]
    yield "Connection (req.connection)", [
        ("req.connection." + name, _get(req.connection, name))
        for name in _CONNECTION_MEMBERS
    ]


def _apache():
    import _apache
    return _apache


def _package_file():
    import mod_python
    return mod_python.__file__


def _mixed_installation():
    """A warning when the C module and the Python package differ in
    version (one from a distribution package, the other built here),
    else None."""
    if apache.mp_version == _mp_package_version:
        return None
    return ("mixed installation: mod_python.so %s is version %s, but the "
            "Python package %s is version %s; install both from the same "
            "source" % (_call(_apache().module_file), apache.mp_version,
                        os.path.dirname(_package_file()),
                        _mp_package_version))


def _level(value):
    if isinstance(value, int) and 0 <= value < len(_LOG_LEVELS):
        return "%s (%d)" % (_LOG_LEVELS[value], value)
    return value


def _interpreter_sections():
    """For each interpreter of this process: the modules mod_python's
    importer loaded there and the handler configurations kept there.
    Each report is made inside its own interpreter (see
    _apache.interpreter_report) and comes back as JSON text."""
    names = _call(_apache().interpreter_names)
    if not isinstance(names, list):
        yield "Interpreters", [("(error)", names)]
        return
    current = apache.interpreter
    yield "Interpreters in process %d" % os.getpid(), [
        (name, "this request's interpreter" if name == current else "")
        for name in names
    ]
    for name in names:
        report = _call(_apache().interpreter_report, name)
        if report is None:
            yield "Interpreter %s" % name, [
                ("(nothing)", "no mod_python handler has run here")]
            continue
        if not report.startswith("{"):
            yield "Interpreter %s" % name, [("(error)", report)]
            continue
        data = json.loads(report)
        yield "Interpreter %s: modules imported by mod_python" % name, [
            (m["name"], "%s\nmtime %s (%s)"
             % (m["file"], _mtime_text(m["mtime_ns"]),
                "kept by file name" if m["how"] == "file"
                else "in sys.modules"))
            for m in data["modules"]
        ]
        rows = [("configurations cached", str(len(data["configs"])))]
        for number, config in enumerate(data["configs"], 1):
            lines = ["PythonDebug %s, PythonAutoReload %s%s"
                     % ("On" if config["debug"] else "Off",
                        "On" if config["autoreload"] else "Off",
                        ", PythonPath %s" % config["python_path"]
                        if config["python_path"] is not None else "")]
            for entry in config["handlers"]:
                lines.append("%s (directory %s) -> %s"
                             % (entry["handler"], entry["directory"],
                                entry["module_file"] or "not imported yet"))
            rows.append(("configuration %d" % number, "\n".join(lines)))
        yield "Interpreter %s: handler cache" % name, rows
        yield "Interpreter %s: Python" % name, [
            ("sys.prefix", data["prefix"]),
            ("sys.base_prefix", data["base_prefix"]),
            ("sys.path", "\n".join(data["sys_path"])),
        ]


def _mtime_text(mtime_ns):
    if mtime_ns is None:
        return "unknown"
    return time.strftime("%Y-%m-%d %H:%M:%S",
                         time.localtime(mtime_ns / 1e9))


def _mpm_name():
    """The MPM's name, as far as mpm_query() can tell it."""
    threaded = _call(apache.mpm_query, apache.AP_MPMQ_IS_THREADED)
    forked = _call(apache.mpm_query, apache.AP_MPMQ_IS_FORKED)
    asynchronous = _call(apache.mpm_query, _AP_MPMQ_IS_ASYNC)
    if forked and not threaded:
        return "prefork (forked, not threaded)"
    if forked and threaded:
        return ("event (forked, threaded, asynchronous)" if asynchronous
                else "worker (forked, threaded)")
    return "threaded=%s, forked=%s" % (threaded, forked)


def _get(obj, name):
    try:
        return getattr(obj, name)
    except Exception as exc:     # a member may not apply to this request
        return "(%s: %s)" % (type(exc).__name__, exc)


def _call(func, *args):
    try:
        return func(*args)
    except Exception as exc:
        return "(%s: %s)" % (type(exc).__name__, exc)


def _items(table):
    try:
        return sorted(table.items(), key=lambda kv: kv[0].lower())
    except Exception as exc:
        return [("(error)", "%s: %s" % (type(exc).__name__, exc))]


def _esc(value):
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    elif not isinstance(value, str):
        value = repr(value)
    # Paths and URIs keep undecodable bytes as surrogates.
    value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return html.escape(value, quote=True)


def _table(title, rows):
    out = ["<h2>%s</h2>\n<table>\n" % _esc(title)]
    if not rows:
        out.append("<tr><td>(none)</td></tr>\n")
    for name, value in rows:
        out.append("<tr><th>%s</th><td>%s</td></tr>\n"
                   % (_esc(name), _esc(value)))
    out.append("</table>\n")
    return "".join(out)


def _tree(nodes, depth=0):
    """apache.config_tree(): (directive, args) or (section, args,
    children) tuples, as nested lists."""
    if not isinstance(nodes, (list, tuple)):
        return "<p>%s</p>\n" % _esc(nodes)
    out = ["<ul class=\"tree\">\n"]
    for node in nodes:
        if isinstance(node, (list, tuple)) and len(node) >= 2:
            out.append("<li>%s %s" % (_esc(node[0]), _esc(node[1])))
            if len(node) > 2 and depth < 20:
                out.append(_tree(node[2], depth + 1))
            out.append("</li>\n")
        else:
            out.append("<li>%s</li>\n" % _esc(node))
    out.append("</ul>\n")
    return "".join(out)
