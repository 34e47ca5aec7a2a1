"""The ``mod_python`` command: make and run a stand-alone Apache instance
for a mod_python application (``mod_python create``, ``genconfig``,
``start``, ``stop``, ``restart``, ``version``).  Installed as the script
``mod_python``; ``python3 -m mod_python`` runs it too.
"""

import argparse
import contextlib
import io
import os
import platform
import runpy
import sys

import mod_python
from mod_python import httpdconf, version


def _conf_path(target):
    """A configuration file, or an instance directory holding one."""
    if os.path.isdir(target):
        target = os.path.join(target, "conf", "httpd.conf")
    if not os.path.isfile(target):
        raise SystemExit("mod_python: %s: no such configuration file "
                         "(give httpd.conf or the instance directory)"
                         % target)
    return os.path.abspath(target)


def _generate(script):
    """What the configuration script prints."""
    if not os.path.isfile(script):
        raise SystemExit("mod_python: %s: no such file" % script)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(script, run_name="__main__")
    return out.getvalue()


def cmd_create(args):
    pythonpath = []
    for entry in args.pythonpath:
        pythonpath += [p for p in entry.split(os.pathsep) if p]
    module = args.module
    if module is None:
        libexec = version.LIBEXECDIR
        if not libexec:
            raise SystemExit("mod_python: cannot tell where Apache's "
                             "modules are: give --module PATH/mod_python.so")
        module = os.path.join(libexec, "mod_python.so")
    module = os.path.abspath(module)
    if not os.path.isfile(module):
        raise SystemExit("mod_python: %s does not exist: give --module "
                         "PATH/mod_python.so" % module)
    try:
        script = httpdconf.write_basic_config(
            args.directory, listen=args.listen,
            pythonhandler=args.pythonhandler, pythonpath=pythonpath,
            pythonoptions=args.pythonoption, module=module, mpm=args.mpm,
            replace_config=args.replace)
    except (FileExistsError, ValueError) as e:
        raise SystemExit("mod_python: %s" % e)
    conf = os.path.join(os.path.dirname(script), "httpd.conf")
    with open(conf, "w") as f:
        f.write(_generate(script))
    print("Created the instance in %s:" % os.path.abspath(args.directory))
    print("  %s  (the configuration, as Python: edit this one)" % script)
    print("  %s  (written from it)" % conf)
    print("After editing %s, write httpd.conf again with" % script)
    print("  mod_python genconfig %s > %s" % (script, conf))
    print("and run the instance with")
    print("  mod_python start %s" % conf)


def cmd_genconfig(args):
    text = _generate(args.script)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


def _httpd(args, action):
    httpd = args.httpd or version.HTTPD
    if not httpd or not os.access(httpd, os.X_OK):
        raise SystemExit("mod_python: cannot find Apache httpd: give "
                         "--httpd PATH")
    conf = _conf_path(args.conf)
    env = dict(os.environ)
    # Apache's Python imports this same mod_python package, wherever it is.
    package_parent = os.path.dirname(os.path.dirname(
        os.path.abspath(mod_python.__file__)))
    paths = [package_parent] + [p for p in env.get("PYTHONPATH", "")
                                .split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    sys.stdout.flush()
    os.execve(httpd, [httpd, "-f", conf, "-k", action], env)


def cmd_start(args):
    _httpd(args, "start")


def cmd_stop(args):
    _httpd(args, "stop")


def cmd_restart(args):
    _httpd(args, "graceful")


def cmd_version(args):
    so = os.path.join(version.LIBEXECDIR or "?", "mod_python.so")
    print("mod_python:  %s" % version.version)
    print("             %s" % so)
    print("python:      %s" % " ".join(sys.version.split()))
    print("             %s" % version.PYTHON_BIN)
    print("httpd:       %s" % version.HTTPD_VERSION)
    print("             %s" % version.HTTPD)
    print("apr:         %s" % version.APR_VERSION)
    print("platform:    %s" % platform.platform())


def parser():
    top = argparse.ArgumentParser(
        prog="mod_python",
        description="Create and run an Apache instance for a mod_python "
                    "application.")
    sub = top.add_subparsers(dest="command", metavar="command")
    sub.required = True

    p = sub.add_parser("create", help="write a new instance: its "
                       "directories, conf/httpd_conf.py and conf/httpd.conf")
    p.add_argument("directory")
    p.add_argument("--listen", default="8888",
                   help="[address:]port to listen on (default 8888)")
    p.add_argument("--pythonhandler", required=True,
                   help="the handler of every URL, e.g. myapp or "
                        "mod_python.publisher")
    p.add_argument("--pythonpath", action="append", default=[],
                   help="directories to put first on sys.path ("
                        + os.pathsep + "-separated; may be repeated)")
    p.add_argument("--pythonoption", action="append", default=[],
                   help="a PythonOption line, e.g. 'key value' (may be "
                        "repeated)")
    p.add_argument("--module", help="the mod_python.so to load (default: "
                   "the one in Apache's module directory)")
    p.add_argument("--mpm", default="event",
                   choices=("prefork", "worker", "event"))
    p.add_argument("--replace", action="store_true",
                   help="overwrite an existing conf/httpd_conf.py")
    p.set_defaults(func=cmd_create)

    p = sub.add_parser("genconfig", help="run a configuration script and "
                       "print the httpd.conf it makes")
    p.add_argument("script")
    p.add_argument("-o", "--output", help="write to this file instead")
    p.set_defaults(func=cmd_genconfig)

    for name, func, what in (("start", cmd_start, "start"),
                             ("stop", cmd_stop, "stop"),
                             ("restart", cmd_restart,
                              "gracefully restart")):
        p = sub.add_parser(name, help="%s the instance (httpd -k)" % what)
        p.add_argument("conf", help="its httpd.conf, or the instance "
                                    "directory")
        p.add_argument("--httpd", help="the httpd binary (default: %s)"
                       % "the one apxs names")
        p.set_defaults(func=func)

    p = sub.add_parser("version", help="print the versions and paths of "
                       "mod_python, Python, httpd and APR")
    p.set_defaults(func=cmd_version)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
