"""mod_python.version -- which mod_python this is, and where its parts are.

``version`` is mod_python's version string.  The other names say where
the pieces mod_python works with are, as ``mod_python version`` prints
them:

``HTTPD``          the Apache httpd binary
``HTTPD_VERSION``  its version, e.g. ``"2.4.62"``
``APXS``           the apxs mod_python was built with
``LIBEXECDIR``     Apache's module directory (where mod_python.so goes)
``PYTHON_BIN``     the Python interpreter mod_python embeds
``APR_VERSION``    the APR version

``make install`` records what ``configure`` found in
``mod_python/_build_paths.py``; without it (a source tree) they are looked
up on first use through apxs and the PATH, and are None when not found.

For code written for mod_python 3.2, where ``mod_python.version`` was the
version string itself, this module also behaves as that string: it
compares equal to it, ``str()`` and ``%s`` give it, and string methods
(``split``, ``startswith``...) work on it.
"""

import os
import sys
import types

version = "3.2.10"

_LAZY = ("HTTPD", "HTTPD_VERSION", "APXS", "LIBEXECDIR", "PYTHON_BIN",
         "APR_VERSION")

try:
    from ._build_paths import *  # noqa: F401,F403  (written by install)
except ImportError:
    pass


def _run(*cmd):
    # Imported here: every interpreter that runs a handler imports this
    # module, and only `mod_python version` and the lazy names run tools.
    import subprocess
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True,
                             timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _find(name):
    import shutil
    g = globals()
    if name == "APXS":
        return shutil.which("apxs") or shutil.which("apxs2")
    apxs = g["APXS"] if "APXS" in g else _lookup("APXS")
    if name == "LIBEXECDIR":
        found = apxs and _run(apxs, "-q", "LIBEXECDIR")
        if found:
            return found
        for path in ("/usr/lib/apache2/modules", "/usr/lib64/httpd/modules",
                     "/usr/lib/httpd/modules"):
            if os.path.isdir(path):
                return path
        return None
    if name == "HTTPD":
        if apxs:
            sbin = _run(apxs, "-q", "SBINDIR")
            target = _run(apxs, "-q", "TARGET")
            if sbin and target:
                path = os.path.join(sbin, target)
                if os.access(path, os.X_OK):
                    return path
        for path in ("/usr/sbin/apache2", "/usr/sbin/httpd"):
            if os.access(path, os.X_OK):
                return path
        return shutil.which("apache2") or shutil.which("httpd")
    if name == "HTTPD_VERSION":
        httpd = _lookup("HTTPD")
        text = httpd and _run(httpd, "-v")
        if text:
            for word in text.split():
                if word.startswith("Apache/"):
                    return word.split("/", 1)[1]
        return None
    if name == "PYTHON_BIN":
        exe = sys.executable
        if exe and os.path.basename(exe).startswith("python"):
            return exe
        # Inside Apache, sys.executable is not the interpreter.
        candidate = os.path.join(sys.base_exec_prefix, "bin", "python%d.%d"
                                 % sys.version_info[:2])
        return candidate if os.access(candidate, os.X_OK) else None
    if name == "APR_VERSION":
        config = apxs and _run(apxs, "-q", "APR_CONFIG")
        if not config:
            config = shutil.which("apr-1-config")
        return (config and _run(config, "--version")) or None
    raise AttributeError(name)


def _lookup(name):
    g = globals()
    if name not in g:
        g[name] = _find(name)
    return g[name]


class _VersionModule(types.ModuleType):
    """The module, also standing in for the 3.2 version string."""

    def __getattr__(self, name):
        if name in _LAZY:
            return _lookup(name)
        if not name.startswith("__") and hasattr(str, name):
            return getattr(version, name)
        raise AttributeError("module %r has no attribute %r"
                             % (self.__name__, name))

    def __str__(self):
        return version

    def __eq__(self, other):
        if isinstance(other, str):
            return other == version
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(version)

    def __lt__(self, other):
        return version < str(other)

    def __le__(self, other):
        return version <= str(other)

    def __gt__(self, other):
        return version > str(other)

    def __ge__(self, other):
        return version >= str(other)

    def __add__(self, other):
        return version + other

    def __radd__(self, other):
        return other + version

    def __len__(self):
        return len(version)

    def __getitem__(self, index):
        return version[index]

    def __contains__(self, part):
        return part in version


sys.modules[__name__].__class__ = _VersionModule
