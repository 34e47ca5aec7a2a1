"""One httpd for one (build, MPM): its ServerRoot, configuration and life.

``Httpd`` is a context manager.  Entering it makes a temporary ServerRoot
and copies into it everything the children must read -- the variants' files
and, for a mod_python build with a Python path, that Python package --
world-readable, because as root Apache runs its children as an
unprivileged user.  The process itself is run by scripts/httpd_launcher.py,
which the test suite and the demo use too: it writes httpd.conf (the common
head, then this benchmark's configuration), starts the system httpd in the
foreground on a free 127.0.0.1 port and waits until it accepts connections.
Leaving the context stops that httpd by PID (SIGTERM, then SIGKILL for
anything of its tree still alive) and removes the ServerRoot unless asked
to keep it.

The MPM settings are fixed and the same for every build, sized so that the
pool never grows or shrinks during a run: wrk's 16 connections always find an
idle worker, and no idle worker is ever reaped, so neither throughput nor the
memory of the tree includes processes being started or stopped.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Optional

import proctree
from variants import Place

HERE = os.path.dirname(os.path.abspath(__file__))
HTDOCS = os.path.join(HERE, "htdocs")

sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scripts"))
import httpd_launcher as launcher  # noqa: E402  (needs the path above)
sys.path.pop(0)

MPM_SETTINGS = {
    # 24 children: 16 busy under wrk -c16 (and a few more in lingering
    # close after ab's short connections) leaves more idle than
    # MinSpareServers, and 24 < MaxSpareServers, so the pool stays at 24.
    "prefork": """StartServers 24
MinSpareServers 2
MaxSpareServers 32
ServerLimit 32
MaxRequestWorkers 32
MaxConnectionsPerChild 0
""",
    # 2 children x 25 threads: 16 busy leaves 34 idle > MinSpareThreads,
    # and 50 < MaxSpareThreads, so the pool stays at 2 processes.
    "event": """StartServers 2
ServerLimit 4
ThreadLimit 25
ThreadsPerChild 25
MinSpareThreads 25
MaxSpareThreads 75
MaxRequestWorkers 50
MaxConnectionsPerChild 0
""",
}
MPM_SETTINGS["worker"] = MPM_SETTINGS["event"]

# The most concurrent requests the pools above serve without starting a
# process: busy workers may not push the idle ones below the minimum
# (prefork 24 - MinSpareServers 2; event 50 - MinSpareThreads 25).  wrk
# should not use more connections.
POOL_CONNECTIONS = {"prefork": 22, "event": 25, "worker": 25}

# The rest of the server's configuration, the same for every build.
COMMON = """Timeout 60
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5
TypesConfig "{root}/conf/mime.types"
AddType text/plain .txt
DocumentRoot "{root}/htdocs"
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
<Directory "{root}/htdocs">
    Require all granted
</Directory>
"""

# Environment of httpd: nothing inherited from whoever runs the benchmark
# (a virtualenv's or pyenv's PYTHONPATH/PYTHONHOME must not leak in).
BASE_ENV = launcher.BASE_ENV

# httpd failed to start, or something it needs is missing.
ServerError = launcher.LaunchError


@dataclass(frozen=True)
class Build:
    """A module under test, and how httpd loads it."""

    name: str                         # "ours", "other", "wsgi"
    kind: str                         # "mod_python" or "wsgi"
    module: str                       # path of the .so
    pythonpath: Optional[str] = None  # dir holding the mod_python package

    @property
    def symbol(self):
        return "python_module" if self.kind == "mod_python" else \
            "wsgi_module"

    def describe(self):
        text = "%s (%s): %s" % (self.name, self.kind, self.module)
        if self.pythonpath:
            text += ", PYTHONPATH=" + self.pythonpath
        return text


@dataclass(frozen=True)
class Apache:
    """The system httpd: its binary and its modules directory."""

    binary: str
    libexec: str

    @classmethod
    def find(cls, binary=None, apxs="apxs"):
        return cls(launcher.find_httpd(binary),
                   launcher.find_modules_dir(apxs))

    def version(self):
        out = subprocess.run([self.binary, "-v"], capture_output=True,
                             text=True, env=BASE_ENV).stdout
        return out.splitlines()[0].partition(":")[2].strip() if out else "?"


class Httpd:
    """httpd serving ``variants`` with ``build`` under ``mpm``."""

    def __init__(self, apache, build, mpm, variants, keep=False,
                 log=print, wrapper=(), one_process=False):
        if mpm not in MPM_SETTINGS:
            raise ServerError("unknown MPM %r (known: %s)"
                              % (mpm, ", ".join(sorted(MPM_SETTINGS))))
        self.apache = apache
        self.build = build
        self.mpm = mpm
        self.variants = [v for v in variants
                         if v.setup_for(build.kind) is not None]
        self.keep = keep
        self.log = log
        self.server = None
        self.wrapper = wrapper          # see launcher.Httpd
        self.one_process = one_process

    @property
    def root(self):
        return self.server.root if self.server else None

    @property
    def port(self):
        return self.server.port

    # -- the ServerRoot ----------------------------------------------------

    def _populate(self):
        root = self.root
        os.mkdir(os.path.join(root, "htdocs"))
        open(os.path.join(root, "conf", "mime.types"), "w").close()
        for v in self.variants:
            vdir = os.path.join(root, "htdocs", v.name)
            os.mkdir(vdir)
            for name, source in v.setup_for(self.build.kind).files.items():
                dest = os.path.join(vdir, name)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                if isinstance(source, bytes):
                    with open(dest, "wb") as f:
                        f.write(source)
                else:
                    shutil.copy(os.path.join(HTDOCS, source), dest)
        py = self.build.pythonpath
        if py:
            pkg = os.path.join(py, "mod_python")
            if not os.path.isdir(pkg):
                raise ServerError("no mod_python package in %s" % py)
            shutil.copytree(pkg, os.path.join(root, "pylib", "mod_python"),
                            ignore=shutil.ignore_patterns("__pycache__",
                                                          "*.pyc"))
        self._precompile()
        launcher.make_readable(root)
        # Somewhere the children (www-data when run as root) may write:
        # session files, dbm files.  Made after the tree is chmod-ed.
        var = os.path.join(root, "var")
        os.mkdir(var)
        os.chmod(var, 0o1777)

    def _precompile(self):
        """Byte-compile what the children import.

        Children running as www-data cannot write __pycache__ in a root-owned
        tree and would compile every module in every process; compile once,
        with the system Python (the one mod_python is built against).
        """
        python = "/usr/bin/python3"
        if not os.access(python, os.X_OK):
            return
        dirs = [os.path.join(self.root, "htdocs")]
        if self.build.pythonpath:
            dirs.append(os.path.join(self.root, "pylib"))
        subprocess.run([python, "-m", "compileall", "-q"] + dirs,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=BASE_ENV)

    def modules(self):
        """The Apache modules to load, after the MPM: the build last."""
        mods = ["authz_core", "mime"]
        for v in self.variants:
            for m in v.apache_modules(self.mpm):
                if m not in mods:
                    mods.append(m)
        return mods + [(self.build.symbol, self.build.module)]

    def config(self):
        """This benchmark's part of httpd.conf (after the launcher's
        head)."""
        root = self.root
        lines = [COMMON.format(root=root)]
        for v in self.variants:
            place = _place(root, v)
            lines.append("# variant %s: %s" % (v.name, v.url))
            lines.append(v.setup_for(self.build.kind).config(place))
        return "\n".join(lines) + "\n"

    # -- the process -------------------------------------------------------

    def start(self):
        env = {}
        self.server = launcher.Httpd(
            name="bench-%s-%s" % (self.build.name, self.mpm),
            binary=self.apache.binary, modules_dir=self.apache.libexec,
            keep=self.keep, wrapper=self.wrapper,
            one_process=self.one_process)
        if self.build.pythonpath:
            env["PYTHONPATH"] = os.path.join(self.root, "pylib")
        self.server.env.update(env)
        self._populate()
        self.server.configure(
            lambda port: self.config(), mpm=self.mpm,
            mpm_conf=MPM_SETTINGS[self.mpm], modules=self.modules(),
            loglevel="warn", generator="bench/run: build %s, MPM %s"
            % (self.build.name, self.mpm))
        try:
            self.server.start()
        except ServerError as e:
            raise ServerError("httpd (%s, %s) did not start: %s"
                              % (self.build.name, self.mpm, e)) from None

    @property
    def pid(self):
        return self.server.pid

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def alive(self):
        return self.server is not None and self.server.alive()

    def memory(self):
        """Memory of the whole tree, and remember its PIDs for stop()."""
        self.server.remember_children()
        return proctree.tree_memory(self.pid)

    def cpu_ns(self):
        """CPU time the whole tree has used so far, in ns."""
        return proctree.tree_cpu_ns(self.pid)

    def stop(self):
        if self.server is None:
            return
        for pid in self.server.stop():
            self.log("killed leftover httpd child %d" % pid)

    # -- logs --------------------------------------------------------------

    def output(self):
        if self.server is None:
            return "(no output)"
        parts = []
        for name, text in (("stdout", self.server.read(
                self.server.stdout_path)),
                ("error_log", self.server.error_log_since())):
            if text.strip():
                parts.append("--- %s ---\n%s" % (name, text[-6000:]))
        return "\n".join(parts) or "(no output)"

    def error_log(self):
        return self.server.error_log_since() if self.server else ""

    def problems(self):
        """Error-log lines that say something went wrong (crashes first)."""
        bad = []
        for line in self.error_log().splitlines():
            low = line.lower()
            if "exit signal" in low or "segmentation" in low or \
                    ":emerg]" in low or ":alert]" in low or ":crit]" in low \
                    or ":error]" in low:
                bad.append(line)
        return bad

    # -- context manager ---------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        if self.server is None:
            return
        try:
            self.stop()
        finally:
            self.server.remove()
            if self.keep:
                self.log("kept ServerRoot %s" % self.root)


def _place(root, variant):
    return Place(dir=os.path.join(root, "htdocs", variant.name),
                 url="/" + variant.name, root=root)


if __name__ == "__main__":
    sys.exit("server.py is a module of bench/run")
