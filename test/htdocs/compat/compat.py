"""Handlers for test/test_compat.py: the names mod_python 3.2.10's code
and mod_python 3.3-3.5 offered beyond the 3.2.10 manual.  The first part
of the path after /compat/ picks the check; each answers JSON."""

import builtins
import json
import os
import sys
import threading
import types

from mod_python.python22 import *  # as handler files of the 3.2 days did
from mod_python import apache, util


def _json(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def names(req):
    """The added names of mod_python.apache and their values."""
    wanted = ["build_cgi_env", "resolve_object", "setup_cgi",
              "restore_nocgi", "CGIStdin", "CGIStdout", "NullIO",
              "module_mtime", "exists_config", "main_server", "stat",
              "MODULE_MAGIC_NUMBER_MAJOR", "MODULE_MAGIC_NUMBER_MINOR",
              "FINFO_FILETYPE", "REQ_PROCEED", "REQ_NOACTION",
              "REQ_ABORTED", "REQ_EXIT", "CGI_MAGIC_TYPE", "DIR_MAGIC_TYPE",
              "AP_REQ_ACCEPT_PATH_INFO", "REQUEST_CHUNKED_DECHUNK"]
    ms = apache.main_server
    return _json(req, {
        "missing": [n for n in wanted if not hasattr(apache, n)],
        "consts": {n: getattr(apache, n) for n in dir(apache)
                   if n.startswith(("HTTP_", "AP_CONN_", "APR_",
                                    "MODULE_MAGIC"))},
        "exists_config_is_alias":
            apache.exists_config is apache.exists_config_define,
        "exists_config": [apache.exists_config("MP_COMPAT_DEFINE_NOT_SET")],
        "main_server": [type(ms).__name__, ms.server_hostname,
                        ms.is_virtual, ms.server_admin],
        "python22": [enumerate is builtins.enumerate,
                     "generators" in globals()],
    })


def stat(req):
    """apache.stat() on this handler's file, its directory, a missing
    file and bad arguments."""
    here = req.filename
    f = apache.stat(here, apache.APR_FINFO_NORM)
    st = os.stat(here)
    (mode, ino, dev, nlink, uid, gid, size, atime, mtime, ctime, fname,
     name) = f
    d = apache.stat(os.path.dirname(here), apache.APR_FINFO_MIN)
    missing = apache.stat(here + ".nothing-here", apache.APR_FINFO_NORM)
    errors = {}
    for label, args in (("int_name", (123, apache.APR_FINFO_NORM)),
                        ("nul", ("a\0b", apache.APR_FINFO_NORM)),
                        ("no_wanted", (here,))):
        try:
            apache.stat(*args)
            errors[label] = None
        except Exception as e:
            errors[label] = type(e).__name__
    try:
        f[13]
        errors["index13"] = None
    except IndexError:
        errors["index13"] = "IndexError"
    return _json(req, {
        "type": type(f).__name__,
        "len": len(f),
        "tuple_len": len(tuple(f)),
        "equals_tuple": f == tuple(f),
        "unpacked": [mode == st.st_mode, ino == st.st_ino,
                     dev == st.st_dev, nlink == st.st_nlink,
                     uid == st.st_uid, gid == st.st_gid,
                     size == st.st_size, abs(mtime - st.st_mtime) < 1e-5,
                     fname == here, name],
        "attrs": [f.size == st.st_size, f.inode == st.st_ino,
                  f.user == st.st_uid, f.filetype == apache.APR_REG,
                  f[apache.FINFO_FILETYPE] == apache.APR_REG,
                  f[apache.FINFO_SIZE] == st.st_size,
                  f[-1] == name, f[1:3] == (ino, dev),
                  (f.valid & apache.APR_FINFO_NORM)
                  == apache.APR_FINFO_NORM,
                  f.protection & 0x0400 != 0, f.csize is not None],
        "dir": [d.filetype == apache.APR_DIR, d.size is not None],
        "missing": [missing.filetype == apache.APR_NOFILE, missing.size,
                    missing.mtime, missing.valid, missing[0],
                    missing.fname == here + ".nothing-here"],
        "errors": errors,
        "repr": repr(f),
    })


class Greeter:
    """For resolve_object: instantiated with the argument."""

    def __init__(self, arg):
        self.arg = arg

    def greet(self):
        return "hello %s" % self.arg

    class Inner:
        value = "inner"


def resolve(req):
    """apache.resolve_object() and apache.module_mtime()."""
    # Handler modules are not in sys.modules: a module of our own.
    mod = types.ModuleType("compat_probe")
    mod.__file__ = __file__
    mod.Greeter, mod.names = Greeter, names
    greet = apache.resolve_object(mod, "Greeter.greet", arg="world")
    try:
        apache.resolve_object(mod, "Nowhere.thing")
        missing = None
    except AttributeError as e:
        missing = str(e)
    return _json(req, {
        "greet": greet(),
        "plain": apache.resolve_object(mod, "names") is names,
        "silent": apache.resolve_object(mod, "Greeter.nothing", arg=1,
                                        silent=1),
        "silent_top": apache.resolve_object(mod, "nothing", silent=1),
        "missing": missing,
        "mtime_ok": apache.module_mtime(mod) == os.path.getmtime(__file__),
        "mtime_builtin": apache.module_mtime(sys),
    })


def cgienv(req):
    """apache.build_cgi_env()."""
    env = apache.build_cgi_env(req)
    keys = ("SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "REQUEST_METHOD",
            "GATEWAY_INTERFACE", "HTTP_AUTHORIZATION", "SERVER_PROTOCOL",
            "REQUEST_URI", "REMOTE_ADDR", "SERVER_NAME", "HTTP_X_COMPAT")
    return _json(req, {k: env.get(k) for k in keys})


def cgirun(req):
    """apache.setup_cgi(), a CGI-style script body, restore_nocgi()."""
    before_env = dict(os.environ)
    before_in, before_out = sys.stdin, sys.stdout
    saved = apache.setup_cgi(req)
    try:
        body = sys.stdin.read()
        method = os.environ.get("REQUEST_METHOD")
        print("Status: 201")
        print("Content-Type: text/plain; charset=utf-8")
        print("X-Compat: yes")
        print()
        print("method=%s" % method)
        sys.stdout.write(b"body=" + body + b"\n")
        sys.stdout.write("caf\u00e9\n")
    finally:
        apache.restore_nocgi(*saved)
    restored = (sys.stdin is before_in and sys.stdout is before_out
                and dict(os.environ) == before_env)
    req.write("restored=%s\n" % restored)
    return apache.OK


def _target(a, b="default", *, c=None):
    return {"a": a, "b": b, "c": c}


def _takes_all(req, **kw):
    return {"req": req.uri, "kw": sorted(kw)}


class _Made:
    def __init__(self, x, y=0):
        self.got = {"x": x, "y": y}


class _Callable:
    def __call__(self, upload, many):
        return {"upload": [upload.filename, upload.value.decode()],
                "many": many}


def applyfs(req):
    """util.apply_fs_data() with a plain FieldStorage."""
    fs = util.FieldStorage(req, keep_blank_values=1)
    out = {"function": util.apply_fs_data(_target, fs),
           "takes_all": util.apply_fs_data(_takes_all, fs, req=req),
           "class": util.apply_fs_data(_Made, fs).got
           if "x" in fs else None}
    if "upload" in fs:
        out["callable"] = util.apply_fs_data(_Callable(), fs)
    # dict's parameters cannot be inspected: called with none.
    out["builtin"] = util.apply_fs_data(dict, fs)
    try:
        util.apply_fs_data("not callable", fs)
        out["bad"] = None
    except TypeError as e:
        out["bad"] = str(e)
    return _json(req, out)


def conn(req):
    """The connection members 3.3-3.5 added, and conn.log_error."""
    c = req.connection
    c.notes["compat"] = "noted"
    c.log_error("compat-conn-log-%s" % req.args, apache.APLOG_NOTICE)
    return _json(req, {
        "client_ip": c.client_ip, "client_addr": list(c.client_addr),
        "remote_ip": c.remote_ip, "local_ip": c.local_ip,
        "local_host": c.local_host, "id": c.id,
        "notes": c.notes.get("compat"),
        "notes_type": type(c.notes).__name__,
    })


def server(req):
    """The server members 3.3-3.5 added, and server.log_error."""
    s = req.server
    s.log_error("compat-server-log-%s" % req.args, apache.APLOG_NOTICE)
    import time
    return _json(req, {
        "keep_alive_max": s.keep_alive_max, "keep_alive": s.keep_alive,
        "path": s.path, "pathlen": s.pathlen,
        "limit_req_line": s.limit_req_line,
        "limit_req_fieldsize": s.limit_req_fieldsize,
        "limit_req_fields": s.limit_req_fields,
        "my_generation": s.my_generation,
        "restart_time_type": type(s.restart_time).__name__,
        "restart_time_past": 0 < s.restart_time <= time.time(),
    })


_kept = []


def keep(req):
    """Keep req.server and req.connection.base_server and log through
    them from a thread once this request has ended."""
    token = req.args
    srv = req.server
    base = req.connection.base_server
    _kept.append((srv, base))

    def later():
        # Wait for the end of the request: its object then refuses use.
        while True:
            try:
                req.uri
            except RuntimeError:
                break
            threading.Event().wait(0.01)
        apache.log_error("compat-kept-apache-%s" % token,
                         apache.APLOG_NOTICE, srv)
        base.log_error("compat-kept-base-%s" % token, apache.APLOG_NOTICE)
        apache.main_server.log_error("compat-kept-main-%s" % token,
                                     apache.APLOG_NOTICE)
        srv.log_error("compat-kept-members-%s-%s" % (
            token, srv.server_hostname), apache.APLOG_NOTICE)

    threading.Thread(target=later, daemon=True).start()
    return _json(req, {"kept": True})


CHECKS = {"names": names, "stat": stat, "resolve": resolve,
          "cgienv": cgienv, "cgirun": cgirun, "applyfs": applyfs,
          "conn": conn, "server": server, "keep": keep}


def handler(req):
    first = (req.path_info or "/").lstrip("/").split("/", 1)[0]
    check = CHECKS.get(first)
    if check is None:
        return apache.HTTP_NOT_FOUND
    return check(req)
