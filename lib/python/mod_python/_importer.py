"""Module import with automatic reloading (``apache.import_module``).

Two kinds of import happen here:

* By name, as Python's ``import`` does: the module lives in ``sys.modules``.
* From given directories (``path=``; the dispatcher passes the directory of
  the ``Python*Handler`` directive): a module found there is kept under its
  file name, not in ``sys.modules``, so that ``PythonHandler myscript`` in
  two directories runs two different ``myscript.py`` files in the same
  interpreter.  A module not found there is imported by name.

Either way, with ``autoreload`` a module is re-imported when its source
file's modification time changes; without it no ``stat`` is made at all.
A module's file is looked at no more than once per CHECK_INTERVAL seconds:
a ``stat`` per request would cost a hello-world handler a third of its
time, and an edit is still picked up within a second.
"""

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import threading
import time

from ._context import running

CHECK_INTERVAL = 1.0
_monotonic = time.monotonic

# module name -> mtime (ns) of the source we last loaded it from
_mtimes = {}
# (module name, directories) -> source file found there, or None
_locations = {}
# source file -> (module, mtime) for modules imported from directories
_by_file = {}
# module name or source file -> monotonic time of the next mtime check
_next_check = {}
_lock = threading.RLock()


def _mtime(filename):
    try:
        return os.stat(filename).st_mtime_ns
    except (OSError, TypeError, ValueError):
        return None


def _forget_bytecode(filename):
    # Python validates a .pyc by whole seconds and size: an edit within the
    # same second that keeps the size would load the stale code.
    if filename and filename.endswith(".py"):
        try:
            os.unlink(importlib.util.cache_from_source(filename))
        except (OSError, NotImplementedError, ValueError):
            pass


def _log(message):
    import _apache
    _apache.log_error(message, _apache.APLOG_NOTICE)


def _locate(module_name, path):
    """The file module_name is loaded from in the directories, or None."""
    key = (module_name, path)
    try:
        return _locations[key]
    except KeyError:
        pass
    origin = None
    if "." not in module_name:
        spec = importlib.machinery.PathFinder.find_spec(module_name,
                                                        list(path))
        if spec is not None and spec.origin and spec.has_location:
            origin = spec.origin
    _locations[key] = origin
    return origin


def _exec_file(module_name, filename):
    loader = importlib.machinery.SourceFileLoader(module_name, filename) \
        if filename.endswith(".py") else None
    spec = importlib.util.spec_from_file_location(module_name, filename,
                                                  loader=loader)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_due(key):
    """Whether key's file may be looked at now (once per CHECK_INTERVAL)."""
    now = _monotonic()
    if now < _next_check.get(key, 0.0):
        return False
    _next_check[key] = now + CHECK_INTERVAL
    return True


def _import_from_file(module_name, filename, autoreload, log):
    entry = _by_file.get(filename)
    if entry is not None:
        module, known = entry
        if not autoreload or not _check_due(filename):
            return module
        mtime = _mtime(filename)
        if mtime == known:
            return module
    with _lock:
        entry = _by_file.get(filename)
        mtime = _mtime(filename)
        if entry is not None and (not autoreload or entry[1] == mtime):
            return entry[0]
        if log:
            if entry:
                _log("mod_python: MP0041: reimporting module '%s' from %s"
                     % (module_name, filename))
            else:
                _log("mod_python: MP0040: importing module '%s' from %s"
                     % (module_name, filename))
        if entry is not None:
            _forget_bytecode(filename)
        module = _exec_file(module_name, filename)
        _by_file[filename] = (module, mtime)
        return module


def _initializing(module):
    # A module another thread is still executing is in sys.modules
    # already; only the import machinery knows to wait for it.
    spec = getattr(module, "__spec__", None)
    return spec is not None and getattr(spec, "_initializing", False)


def _import_by_name(module_name, autoreload, log):
    module = sys.modules.get(module_name)
    if module is not None and _initializing(module):
        # importlib waits on the module's own lock until the thread that
        # runs it is done, then hands over the finished module.
        module = importlib.import_module(module_name)
    if module is not None:
        if not autoreload or not _check_due(module_name):
            return module
        filename = getattr(module, "__file__", None)
        mtime = _mtime(filename)
        known = _mtimes.get(module_name)
        if known is None:
            _mtimes[module_name] = mtime
            return module
        if mtime == known:
            return module
        with _lock:
            if _mtimes.get(module_name) == mtime:
                return sys.modules[module_name]
            if log:
                _log("mod_python: MP0042: reimporting module '%s'"
                     % module_name)
            _forget_bytecode(filename)
            importlib.invalidate_caches()
            module = importlib.reload(module)
            _mtimes[module_name] = _mtime(getattr(module, "__file__", None))
            return module

    with _lock:
        # Another thread may have imported it while we waited.
        module = sys.modules.get(module_name)
        if module is None:
            if log:
                _log("mod_python: MP0043: importing module '%s'"
                     % module_name)
            module = importlib.import_module(module_name)
        _mtimes.setdefault(module_name,
                           _mtime(getattr(module, "__file__", None)))
        return module


def _defaults(autoreload, log):
    """autoreload and log as given, or from the configuration of the
    handler running in this thread (PythonAutoReload, PythonDebug)."""
    if autoreload is None or log is None:
        config = running.config
        if autoreload is None:
            autoreload = config.autoreload if config is not None else True
        if log is None:
            log = config.debug if config is not None else False
    return autoreload, log


def _name_of_file(filename):
    base = os.path.basename(filename)
    return base[:-3] if base.endswith(".py") else base


def import_module(module_name, autoreload=None, log=None, path=None):
    """Import a module and return it.

    module_name is a module name (dots allowed), or the path of a Python
    source file: an absolute path, or one starting with '~/', './' or
    '../' (relative to the directory of the handler running, or else the
    current directory).  A file is loaded under its own name, kept apart
    from same-named modules elsewhere, and not put in sys.modules.

    With autoreload true, a module already imported is re-imported when its
    file has changed since.  With log true, each (re)import is logged.  Left
    as None they follow the PythonAutoReload and PythonDebug of the handler
    running (on, off outside one).  With path, a list of directories, the
    module is taken from the first of them that has it (and kept apart from
    same-named modules elsewhere); if none has it, ImportError is raised.
    """
    autoreload, log = _defaults(autoreload, log)
    if _is_file_path(module_name):
        filename = _file_path(module_name)
        if not os.path.isfile(filename):
            raise ImportError("No module file %s" % filename,
                              name=module_name, path=filename)
        return _import_from_file(_name_of_file(filename), filename,
                                 autoreload, log)
    if path:
        path = tuple(path)
        filename = _locate(module_name, path)
        if filename is None:
            raise ImportError("No module named %r in %s"
                              % (module_name, ", ".join(path)),
                              name=module_name)
        return _import_from_file(module_name, filename, autoreload, log)
    return _import_by_name(module_name, autoreload, log)


def _is_file_path(module_name):
    return (module_name.startswith(("/", "~/", "./", "../"))
            or module_name.endswith(".py") and os.sep in module_name)


def _file_path(module_name):
    if module_name.startswith("~/"):
        return os.path.expanduser(module_name)
    if module_name.startswith(("./", "../")):
        req = running.request
        hlist = getattr(req, "hlist", None) if req is not None else None
        base = getattr(hlist, "directory", None) or os.getcwd()
        return os.path.normpath(os.path.join(base, module_name))
    return module_name


def loaded():
    """The modules this importer has loaded in this interpreter, as
    (name, file, mtime in ns or None, how) tuples: how is "file" for a
    module kept under its file name, "name" for one in sys.modules."""
    out = []
    for filename, (module, mtime) in list(_by_file.items()):
        out.append((getattr(module, "__name__", "?"), filename, mtime,
                    "file"))
    for name, mtime in list(_mtimes.items()):
        module = sys.modules.get(name)
        out.append((name, getattr(module, "__file__", None), mtime, "name"))
    out.sort(key=lambda item: (item[0], item[1] or ""))
    return out


def import_handler_module(module_name, directory, autoreload, log):
    """The module a Python*Handler names: from the directive's directory
    when it is there, else by name from sys.path; or the file it names."""
    if _is_file_path(module_name):
        return import_module(module_name, autoreload, log)
    if directory is not None:
        filename = _locate(module_name, (directory,))
        if filename is not None:
            return _import_from_file(module_name, filename, autoreload, log)
    return _import_by_name(module_name, autoreload, log)
