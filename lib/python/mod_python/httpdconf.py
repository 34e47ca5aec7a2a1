"""mod_python.httpdconf -- Apache configuration written as Python objects.

As in mod_python 3.5, a configuration is a tree of objects whose ``str()``
is httpd.conf text and whose ``repr()`` is the Python that makes them::

    from mod_python.httpdconf import *

    conf = Container(
        Listen("127.0.0.1:8000"),
        Location("/app",
            SetHandler("mod_python"),
            PythonHandler("myapp"),
        ),
    )
    print(conf)

``Directive(name, value)`` is one line, ``ContainerTag(tag, attr, args)``
a ``<Tag attr> ... </Tag>`` section, ``Container(*items)`` a plain list of
items and ``Comment(text)`` a ``#`` line.  Each common directive and
section has a class of its own named after it (``Listen``,
``PythonHandler``, ``VirtualHost``, ...); ``Directive`` covers the rest.

``write_basic_config()`` writes the Python source of a small, complete
configuration for a mod_python application; the ``mod_python`` command
(``mod_python create``) uses it.
"""

import os
import sys

import mod_python  # for the expressions of Container(expr=...)

__all__ = ["Directive", "Container", "ContainerTag", "Comment",
           "quote_if_space", "write_basic_config", "basic_config",
           "DIRECTIVES", "SECTIONS"]


class Directive:
    """One configuration line: ``name value``.  With flipslash (the
    default), backslashes in the line become slashes, as Apache wants in
    paths even on Windows."""

    def __init__(self, name, val, flipslash=1):
        if not isinstance(name, str) or not name or any(
                c.isspace() for c in name):
            raise ValueError("a directive name must be one word, not %r"
                             % (name,))
        if "\n" in str(val) or "\r" in str(val):
            raise ValueError("the value of %s must be one line, not %r"
                             % (name, val))
        self.name = name
        self.val = val
        self.indent = 0
        self.flipslash = flipslash

    def __str__(self):
        line = "%s%s %s\n" % (" " * self.indent, self.name, self.val)
        return line.replace("\\", "/") if self.flipslash else line

    def __repr__(self):
        pad = " " * self.indent
        if type(self).__name__ == self.name:
            return "%s%s(%r)" % (pad, self.name, self.val)
        return "%sDirective(%r, %r)" % (pad, self.name, self.val)


class Comment:
    """A comment line (or lines) in the configuration."""

    def __init__(self, comment):
        self.comment = comment
        self.indent = 0

    def __str__(self):
        pad = " " * self.indent
        return "".join("%s# %s\n" % (pad, line)
                       for line in str(self.comment).splitlines() or [""])

    def __repr__(self):
        return "%sComment(%r)" % (" " * self.indent, self.comment)


def _check_item(value):
    if not isinstance(value, (Directive, Container, ContainerTag, Comment)):
        raise TypeError("a configuration item must be a Directive, "
                        "Container, ContainerTag or Comment, not %r"
                        % (value,))
    return value


class Container:
    """A list of items written one after the other, without a section
    around them.  With expr, the items are written only when expr holds:
    a bool, a function of no arguments, or a Python expression (str)
    evaluated with ``sys``, ``os`` and ``mod_python`` in scope."""

    def __init__(self, *args, **kwargs):
        unknown = set(kwargs) - {"expr"}
        if unknown:
            raise TypeError("Container() takes only expr=, not %s"
                            % ", ".join(sorted(unknown)))
        self.args = [_check_item(a) for a in args]
        self.indent = 0
        self.expr = kwargs.get("expr")

    def append(self, value):
        self.args.append(_check_item(value))

    def _enabled(self):
        expr = self.expr
        if expr is None:
            return True
        if callable(expr):
            return bool(expr())
        if isinstance(expr, str):
            return bool(eval(expr, {"__builtins__": __builtins__,
                                    "sys": sys, "os": os,
                                    "mod_python": mod_python}))
        return bool(expr)

    def __str__(self):
        if not self._enabled():
            return ""
        out = []
        for arg in self.args:
            arg.indent = self.indent
            out.append(str(arg))
        return "".join(out)

    def __repr__(self):
        pad = " " * self.indent
        parts = []
        for arg in self.args:
            arg.indent = self.indent + 4
            parts.append(repr(arg))
        tail = ""
        if self.expr is not None:
            tail = "\n%s    expr=%r," % (pad, self.expr)
        body = "".join("\n%s," % p for p in parts)
        return "%sContainer(%s%s\n%s)" % (pad, body, tail, pad)


class ContainerTag:
    """A section: ``<tag attr>``, the items, ``</tag>``."""

    def __init__(self, tag, attr, args, flipslash=1):
        self.tag = tag
        self.attr = attr
        self.args = [_check_item(a) for a in args]
        self.indent = 0
        self.flipslash = flipslash

    def append(self, value):
        self.args.append(_check_item(value))

    def __str__(self):
        pad = " " * self.indent
        head = "%s<%s %s>\n" % (pad, self.tag, self.attr)
        if self.flipslash:
            head = head.replace("\\", "/")
        out = [head]
        for arg in self.args:
            arg.indent = self.indent + 4
            out.append(str(arg))
        out.append("%s</%s>\n" % (pad, self.tag))
        return "".join(out)

    def __repr__(self):
        pad = " " * self.indent
        parts = []
        for arg in self.args:
            arg.indent = self.indent + 4
            parts.append(repr(arg))
        body = "".join("\n%s," % p for p in parts)
        if type(self).__name__ == self.tag:
            return "%s%s(%r,%s\n%s)" % (pad, self.tag, self.attr, body, pad)
        return "%sContainerTag(%r, %r, [%s\n%s])" % (pad, self.tag,
                                                     self.attr, body, pad)


# ------------------------------------------------- one class per name
# Directives whose value is not a path keep their backslashes.
_KEEP_SLASHES = {"LogFormat", "PythonPath", "PythonOption", "Header",
                 "RequestHeader", "SetEnv"}
# Directives with a value by default.
_DEFAULTS = {"PythonInterpPerDirectory": "Off",
             "PythonInterpPerDirective": "Off"}

DIRECTIVES = sorted("""
    AddHandler AddOutputFilter AddType Alias AllowOverride
    AuthBasicAuthoritative AuthBasicProvider AuthName AuthType AuthUserFile
    CustomLog DefaultRuntimeDir DirectoryIndex DocumentRoot ErrorLog Group
    Header Include KeepAlive KeepAliveTimeout Listen LoadModule LockFile
    LogFormat LogLevel MaxClients MaxConnectionsPerChild MaxKeepAliveRequests
    MaxRequestWorkers MaxRequestsPerChild MaxSpareServers MaxSpareThreads
    MinSpareServers MinSpareThreads Mutex NameVirtualHost NumServers Options
    PassEnv PidFile PythonAccessHandler PythonAuthenHandler
    PythonAuthzHandler PythonAutoReload PythonCleanupHandler
    PythonConnectionHandler PythonDebug PythonEnablePdb PythonFixupHandler
    PythonHandler PythonHandlerModule PythonHeaderParserHandler PythonHome
    PythonImport PythonInitHandler PythonInputFilter PythonInterpPerDirective
    PythonInterpPerDirectory PythonInterpreter PythonLogHandler
    PythonOptimize PythonOption PythonOutputFilter PythonPath
    PythonPostReadRequestHandler PythonTransHandler PythonTypeHandler
    Require RequestHeader ServerAdmin ServerAlias ServerLimit ServerName
    ServerPath ServerRoot SetEnv SetHandler StartServers StartThreads
    ThreadLimit ThreadsPerChild Timeout TypesConfig User
""".split())

SECTIONS = ["Directory", "DirectoryMatch", "Files", "FilesMatch",
            "IfDefine", "IfModule", "Location", "LocationMatch",
            "VirtualHost"]


def _make_directive(name):
    flip = 0 if name in _KEEP_SLASHES else 1
    if name in _DEFAULTS:
        def __init__(self, val=_DEFAULTS[name]):
            Directive.__init__(self, name, val, flip)
    else:
        def __init__(self, val):
            Directive.__init__(self, name, val, flip)
    return type(name, (Directive,), {
        "__init__": __init__, "__module__": __name__,
        "__doc__": "The %s directive: %s(value)." % (name, name)})


def _make_section(tag):
    def __init__(self, attr, *args):
        ContainerTag.__init__(self, tag, attr, args)
    return type(tag, (ContainerTag,), {
        "__init__": __init__, "__module__": __name__,
        "__doc__": "A <%s> section: %s(attr, *items)." % (tag, tag)})


for _name in DIRECTIVES:
    globals()[_name] = _make_directive(_name)
for _name in SECTIONS:
    globals()[_name] = _make_section(_name)
del _name
__all__ += DIRECTIVES + SECTIONS


def quote_if_space(s):
    """s in double quotes when it holds a space (a path, say)."""
    s = str(s)
    if any(c.isspace() for c in s) and not (s.startswith('"')
                                            and s.endswith('"')):
        return '"%s"' % s.replace('"', '\\"')
    return s


# ------------------------------------------------ a whole configuration
# Modules a stand-alone instance needs: what its configuration uses.  Each
# is loaded only if Apache has it as a shared module and it is not already
# compiled in.
_NEEDED_MODULES = [
    ("authz_core_module", "mod_authz_core.so"),
    ("mime_module", "mod_mime.so"),
    ("dir_module", "mod_dir.so"),
    ("log_config_module", "mod_log_config.so"),
    ("unixd_module", "mod_unixd.so"),
]


def _run_as():
    """(user, group) for the children of an httpd started as root."""
    if os.geteuid() != 0:
        return None
    import grp
    import pwd
    for user, group in (("www-data", "www-data"), ("apache", "apache"),
                        ("daemon", "daemon"), ("nobody", "nogroup"),
                        ("nobody", "nobody")):
        try:
            pwd.getpwnam(user)
            grp.getgrnam(group)
        except KeyError:
            continue
        return user, group
    return None


def basic_config(server_root, listen="0.0.0.0:8888", conf="conf",
                 logs="logs", htdocs="public",
                 pythonhandler="mod_python.publisher", pythonpath=(),
                 pythonoptions=(), mp_comments=(), module=None, mpm="event",
                 libexecdir=None):
    """The Container of a small complete configuration: one server on
    listen, DocumentRoot server_root/htdocs, and every URL handled by
    pythonhandler with the directories pythonpath first on sys.path.
    module is the mod_python.so to load (default: the one in Apache's
    module directory), mpm the MPM (prefork, worker or event)."""
    from . import version
    if mpm not in ("prefork", "worker", "event"):
        raise ValueError("mpm must be prefork, worker or event, not %r"
                         % (mpm,))
    if not pythonhandler or any(c.isspace() for c in pythonhandler):
        raise ValueError("pythonhandler must be a module name "
                         "(module or module::function), not %r"
                         % (pythonhandler,))
    listen = str(listen)
    if not listen or any(c.isspace() for c in listen):
        raise ValueError("listen must be [address:]port, not %r" % listen)
    server_root = os.path.abspath(server_root)
    libexecdir = libexecdir or version.LIBEXECDIR
    if module is None:
        module = os.path.join(libexecdir or "", "mod_python.so")
    host = listen.rpartition(":")[0].strip("[]") or "localhost"
    if host in ("0.0.0.0", "*", "::"):
        host = "localhost"
    logs_dir = os.path.join(server_root, logs)
    docs = os.path.join(server_root, htdocs)

    items = [Comment("Written by mod_python.httpdconf."),
             ServerRoot(quote_if_space(server_root)),
             Listen(listen),
             ServerName(host),
             PidFile(quote_if_space(os.path.join(logs_dir, "httpd.pid"))),
             DefaultRuntimeDir(quote_if_space(logs_dir)),
             ErrorLog(quote_if_space(os.path.join(logs_dir, "error_log"))),
             LogLevel("warn")]
    mpm_so = os.path.join(libexecdir or "", "mod_mpm_%s.so" % mpm)
    loads = []
    if libexecdir and os.path.isfile(mpm_so):
        # An MPM compiled into httpd needs (and allows) no LoadModule.
        loads.append(IfModule("!mpm_%s_module" % mpm,
                              LoadModule("mpm_%s_module %s"
                                         % (mpm, quote_if_space(mpm_so)))))
    for name, so in _NEEDED_MODULES:
        path = os.path.join(libexecdir or "", so)
        if libexecdir and os.path.isfile(path):
            loads.append(IfModule("!" + name, LoadModule(
                "%s %s" % (name, quote_if_space(path)))))
    items += loads
    items.append(LoadModule("python_module %s" % quote_if_space(module)))
    run_as = _run_as()
    if run_as:
        items += [User(run_as[0]), Group(run_as[1])]
    if os.path.isfile("/etc/mime.types"):
        items.append(TypesConfig("/etc/mime.types"))
    items += [DocumentRoot(quote_if_space(docs)),
              Directory(quote_if_space(docs), Require("all granted"))]
    location = [SetHandler("mod_python"),
                PythonHandler(pythonhandler)]
    if pythonpath:
        extra = [os.path.abspath(p) for p in pythonpath if p]
        listed = ", ".join("'%s'" % p.replace("\\", "\\\\")
                           .replace("'", "\\'") for p in extra)
        # One argument to Apache: in double quotes, which it removes.
        location.append(PythonPath('"[%s] + sys.path"' % listed))
    for option in pythonoptions:
        location.append(PythonOption(option))
    for comment in mp_comments:
        location.append(Comment(comment))
    items.append(Location("/", *location))
    return Container(*items)


def write_basic_config(server_root, listen="0.0.0.0:8888", conf="conf",
                       logs="logs", htdocs="public",
                       pythonhandler="mod_python.publisher", pythonpath=(),
                       pythonoptions=(), mp_comments=(),
                       conf_name="httpd_conf.py", createdirs=True,
                       replace_config=False, **more):
    """Write server_root/conf/conf_name, a Python script that prints a
    basic configuration (see basic_config(), which also takes module,
    mpm and libexecdir here), creating the instance's directories.
    Returns the script's path; FileExistsError if it exists and
    replace_config is false."""
    server_root = os.path.abspath(server_root)
    conf_path = os.path.join(server_root, conf, conf_name)
    if os.path.exists(conf_path) and not replace_config:
        raise FileExistsError("%s already exists (pass replace_config=True "
                              "to overwrite it)" % conf_path)
    config = basic_config(server_root, listen=listen, conf=conf, logs=logs,
                          htdocs=htdocs, pythonhandler=pythonhandler,
                          pythonpath=pythonpath, pythonoptions=pythonoptions,
                          mp_comments=mp_comments, **more)
    if createdirs:
        for sub in ("", conf, logs, htdocs):
            os.makedirs(os.path.join(server_root, sub), exist_ok=True)
    source = ('"""The Apache configuration of this mod_python instance.\n\n'
              'Edit it, then write httpd.conf with\n'
              '    mod_python genconfig %s > %s\n"""\n\n'
              'from mod_python.httpdconf import *\n\n'
              'config = %s\n\nprint(config, end="")\n'
              % (conf_path, os.path.join(os.path.dirname(conf_path),
                                         "httpd.conf"), repr(config)))
    with open(conf_path, "w") as f:
        f.write(source)
    return conf_path
