"""Module import with automatic reloading (``apache.import_module``).

A module imported here is re-imported when its source file's modification
time changes, unless ``autoreload`` is false, in which case no ``stat`` is
made at all.  This keeps development edits live without restarting Apache.
"""

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import threading

# module name -> mtime (ns) of the source we last loaded it from
_mtimes = {}
_lock = threading.RLock()


def _source_mtime(module):
    filename = getattr(module, "__file__", None)
    if not filename:
        return None
    try:
        return os.stat(filename).st_mtime_ns
    except OSError:
        return None


def _forget_bytecode(module):
    # Python validates a .pyc by whole seconds and size: an edit within the
    # same second that keeps the size would load the stale code.
    filename = getattr(module, "__file__", None)
    if filename and filename.endswith(".py"):
        try:
            os.unlink(importlib.util.cache_from_source(filename))
        except (OSError, NotImplementedError, ValueError):
            pass


def _log(message):
    from . import apache
    apache.log_error(message, apache.APLOG_NOTICE)


def _load_from_path(module_name, path):
    spec = importlib.machinery.PathFinder.find_spec(module_name, list(path))
    if spec is None:
        raise ImportError("No module named %r in %r" % (module_name, path),
                          name=module_name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def import_module(module_name, autoreload=1, log=0, path=None):
    """Import module_name (dots allowed) and return the module.

    With autoreload true, a module already imported is re-imported when its
    file has changed since.  With log true, each (re)import is logged.  With
    path, the module is looked for only in those directories.
    """
    module = sys.modules.get(module_name)
    if module is not None:
        if path is not None:
            filename = getattr(module, "__file__", None) or ""
            here = os.path.dirname(os.path.abspath(filename))
            if not any(os.path.abspath(p) == here for p in path):
                module = None
        if module is not None:
            if not autoreload:
                return module
            mtime = _source_mtime(module)
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
                    _log("mod_python: reimporting module '%s'" % module_name)
                _forget_bytecode(module)
                importlib.invalidate_caches()
                module = importlib.reload(module)
                _mtimes[module_name] = _source_mtime(module)
                return module

    with _lock:
        # Another thread may have imported it while we waited.
        module = sys.modules.get(module_name)
        if module is not None and path is None:
            _mtimes.setdefault(module_name, _source_mtime(module))
            return module
        if log:
            _log("mod_python: importing module '%s'" % module_name)
        if path is not None and "." not in module_name:
            module = _load_from_path(module_name, path)
        else:
            module = importlib.import_module(module_name)
        _mtimes[module_name] = _source_mtime(module)
        return module
