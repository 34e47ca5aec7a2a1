"""mod_python.testhandler -- a page describing mod_python's setup (2.5).

Configure it at a URL of its own::

    <Location /mpinfo>
        SetHandler mod_python
        PythonHandler mod_python.testhandler
    </Location>

and it answers with an HTML page listing the mod_python, Python and
Apache versions, the MPM, the interpreter and ``sys.path``, the members
of the request, its headers and CGI environment, the configuration and
options in effect (``req.get_config()``, ``req.get_options()``), the
server and connection, and Apache's configuration tree
(``apache.config_tree()``).  Every value is HTML-escaped: the page shows
what the client sent, and must not run it.

The page tells anyone who asks a good deal about the server: remove the
``<Location>`` when done.
"""

import html
import os
import sys
import threading


from . import apache
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

_STYLE = """\
body { font-family: sans-serif; margin: 1em 2em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: left;
         vertical-align: top; }
th { background: #eee; width: 16em; }
td { font-family: monospace; white-space: pre-wrap; }
ul.tree { font-family: monospace; }
"""


def handler(req):
    """Answer with the diagnostics page."""
    req.content_type = "text/html; charset=utf-8"
    parts = [
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<title>mod_python test page</title>"
        "<style>\n%s</style></head><body>\n" % _STYLE,
        "<h1>mod_python %s</h1>\n" % _esc(_mp_package_version),
    ]
    for title, rows in _sections(req):
        parts.append(_table(title, rows))
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
    yield "Interpreter", [
        ("name (req.interpreter)", _get(req, "interpreter")),
        ("process id", os.getpid()),
        ("thread id", threading.get_ident()),
        ("sys.executable", sys.executable),
        ("sys.prefix", sys.prefix),
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
