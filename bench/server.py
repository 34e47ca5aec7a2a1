"""One httpd for one (build, MPM): its ServerRoot, configuration and life.

``Httpd`` is a context manager.  Entering it makes a temporary ServerRoot
(mkdtemp, mode 0755), copies into it everything the children must read —
the variants' files and, for a mod_python build with a Python path, that
Python package — world-readable, because as root Apache runs its children as
an unprivileged user.  It writes httpd.conf, starts the system httpd in the
foreground (``-DFOREGROUND``) as our child on a free 127.0.0.1 port, and waits
until it accepts connections.  Leaving it stops that httpd by PID (SIGTERM,
then SIGKILL for anything of its tree still alive), and removes the
ServerRoot unless asked to keep it.

The MPM settings are fixed and the same for every build, sized so that the
pool never grows or shrinks during a run: wrk's 16 connections always find an
idle worker, and no idle worker is ever reaped, so neither throughput nor the
memory of the tree includes processes being started or stopped.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Optional

import proctree
from variants import Place

HERE = os.path.dirname(os.path.abspath(__file__))
HTDOCS = os.path.join(HERE, "htdocs")

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
BASE_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}


class ServerError(Exception):
    """httpd failed to start, or something it needs is missing."""


@dataclass(frozen=True)
class Build:
    """A module under test, and how httpd loads it."""

    name: str                         # "ours", "other", "wsgi"
    kind: str                         # "mod_python" or "wsgi"
    module: str                       # path of the .so
    pythonpath: Optional[str] = None  # dir holding the mod_python package

    @property
    def load_line(self):
        symbol = "python_module" if self.kind == "mod_python" else \
            "wsgi_module"
        return 'LoadModule %s "%s"' % (symbol, self.module)

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
    builtin: frozenset    # modules compiled in, e.g. "mod_unixd.c"

    @classmethod
    def find(cls, binary=None, apxs="apxs"):
        libexec = None
        try:
            libexec = subprocess.run(
                [apxs, "-q", "LIBEXECDIR"], capture_output=True, text=True,
                check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            pass
        libexec = libexec or "/usr/lib/apache2/modules"
        if binary is None:
            for candidate in ("/usr/sbin/apache2", "/usr/sbin/httpd"):
                if os.access(candidate, os.X_OK):
                    binary = candidate
                    break
        if binary is None or not os.access(binary, os.X_OK):
            raise ServerError("no httpd binary found (looked for "
                              "/usr/sbin/apache2 and /usr/sbin/httpd)")
        out = subprocess.run([binary, "-l"], capture_output=True, text=True,
                             env=BASE_ENV).stdout
        builtin = frozenset(line.strip() for line in out.splitlines()[1:])
        return cls(binary, libexec, builtin)

    def version(self):
        out = subprocess.run([self.binary, "-v"], capture_output=True,
                             text=True, env=BASE_ENV).stdout
        return out.splitlines()[0].partition(":")[2].strip() if out else "?"

    def load(self, short):
        """The LoadModule line for mod_<short>, or "" if compiled in."""
        if "mod_%s.c" % short in self.builtin or "%s.c" % short in \
                self.builtin:
            return ""
        path = os.path.join(self.libexec, "mod_%s.so" % short)
        if not os.path.exists(path):
            raise ServerError("Apache module %s not found" % path)
        return 'LoadModule %s_module "%s"' % (short, path)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _readable_tree(path):
    """Make a copied tree readable (and dirs searchable) by anyone."""
    os.chmod(path, 0o755)
    for dirpath, dirnames, filenames in os.walk(path):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            # CGI scripts keep their execute bit.
            full = os.path.join(dirpath, f)
            executable = os.stat(full).st_mode & 0o100
            os.chmod(full, 0o755 if executable else 0o644)


def _child_user():
    """User and group the children run as when we are root."""
    for name in ("www-data", "apache", "daemon", "nobody"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        import grp
        return name, grp.getgrgid(pw.pw_gid).gr_name
    raise ServerError("no unprivileged user to run httpd's children as")


class Httpd:
    """httpd serving ``variants`` with ``build`` under ``mpm``."""

    START_TIMEOUT = 30.0
    STOP_TIMEOUT = 15.0

    def __init__(self, apache, build, mpm, variants, keep=False,
                 log=print):
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
        self.root = None
        self.port = None
        self.proc = None
        self._pids_seen = set()

    # -- the ServerRoot ----------------------------------------------------

    def _populate(self):
        self.root = tempfile.mkdtemp(prefix="mpbench-%s-%s-"
                                     % (self.build.name, self.mpm))
        os.chmod(self.root, 0o755)
        for sub in ("conf", "logs", "run", "htdocs"):
            os.mkdir(os.path.join(self.root, sub))
        open(os.path.join(self.root, "conf", "mime.types"), "w").close()
        for v in self.variants:
            vdir = os.path.join(self.root, "htdocs", v.name)
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
            shutil.copytree(pkg, os.path.join(self.root, "pylib",
                                              "mod_python"),
                            ignore=shutil.ignore_patterns("__pycache__",
                                                          "*.pyc"))
        _readable_tree(self.root)
        self._precompile()
        # Somewhere the children (www-data when run as root) may write:
        # session files, dbm files.  Made after the tree is chmod-ed.
        var = os.path.join(self.root, "var")
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
        _readable_tree(self.root)

    def config(self):
        a, root = self.apache, self.root
        lines = [
            "# generated by bench/run: build %s, MPM %s"
            % (self.build.name, self.mpm),
            'ServerRoot "%s"' % root,
            "ServerName 127.0.0.1",
            "Listen 127.0.0.1:%d" % self.port,
            'PidFile "%s/run/httpd.pid"' % root,
            'DefaultRuntimeDir "%s/run"' % root,
            'ErrorLog "%s/logs/error_log"' % root,
            "LogLevel warn",
        ]
        if os.geteuid() == 0:
            user, group = _child_user()
            lines += ["User %s" % user, "Group %s" % group]
        mods = ["mpm_" + self.mpm, "authz_core", "mime"]
        for v in self.variants:
            for m in v.apache_modules(self.mpm):
                if m not in mods:
                    mods.append(m)
        lines += [line for line in (a.load(m) for m in mods) if line]
        lines.append(self.build.load_line)
        lines.append(MPM_SETTINGS[self.mpm])
        lines.append(COMMON.format(root=root))
        for v in self.variants:
            place = _place(root, v)
            lines.append("# variant %s: %s" % (v.name, v.url))
            lines.append(v.setup_for(self.build.kind).config(place))
        return "\n".join(lines) + "\n"

    # -- the process -------------------------------------------------------

    def env(self):
        env = dict(BASE_ENV)
        if self.build.pythonpath:
            env["PYTHONPATH"] = os.path.join(self.root, "pylib")
        return env

    def start(self):
        self._populate()
        conf = os.path.join(self.root, "conf", "httpd.conf")
        for attempt in range(3):
            self.port = free_port()
            with open(conf, "w") as f:
                f.write(self.config())
            out = open(os.path.join(self.root, "logs", "stdout"), "wb")
            # A session of its own, so the terminal's ^C reaches only us and
            # we stop httpd ourselves, by PID.
            self.proc = subprocess.Popen(
                [self.apache.binary, "-d", self.root, "-f", conf,
                 "-DFOREGROUND"],
                env=self.env(), stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
            out.close()
            if self._wait_listening():
                return
            text = self.output()
            if "Address already in use" in text and attempt < 2:
                continue
            raise ServerError("httpd (%s, %s) did not start:\n%s"
                              % (self.build.name, self.mpm, text))

    def _wait_listening(self):
        deadline = time.monotonic() + self.START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=1):
                    return True
            except OSError:
                time.sleep(0.05)
        self.stop()
        return False

    @property
    def pid(self):
        return self.proc.pid

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def memory(self):
        """Memory of the whole tree, and remember its PIDs for stop()."""
        pids = proctree.tree(self.pid)
        self._pids_seen.update(pids)
        return proctree.tree_memory(self.pid)

    def cpu_ns(self):
        """CPU time the whole tree has used so far, in ns."""
        return proctree.tree_cpu_ns(self.pid)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._pids_seen.update(proctree.tree(self.pid))
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.log("httpd %d did not stop in %ds: killing it"
                         % (self.pid, self.STOP_TIMEOUT))
                for p in proctree.tree(self.pid):
                    _kill(p)
                self.proc.wait()
        # Children left behind (re-parented once the parent went) are ours.
        deadline = time.monotonic() + 5
        while True:
            left = [p for p in self._pids_seen - {self.pid}
                    if _is_httpd(p, self.apache.binary, self.root)]
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        for p in left:
            self.log("killing leftover httpd child %d" % p)
            _kill(p)

    # -- logs --------------------------------------------------------------

    def output(self):
        parts = []
        for name in ("stdout", "error_log"):
            path = os.path.join(self.root, "logs", name)
            try:
                with open(path, errors="replace") as f:
                    text = f.read()
            except OSError:
                continue
            if text.strip():
                parts.append("--- %s ---\n%s" % (name, text[-6000:]))
        return "\n".join(parts) or "(no output)"

    def error_log(self):
        try:
            with open(os.path.join(self.root, "logs", "error_log"),
                      errors="replace") as f:
                return f.read()
        except OSError:
            return ""

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
        try:
            self.stop()
        finally:
            if self.root and not self.keep:
                shutil.rmtree(self.root, ignore_errors=True)
            elif self.root:
                self.log("kept ServerRoot %s" % self.root)


def _place(root, variant):
    return Place(dir=os.path.join(root, "htdocs", variant.name),
                 url="/" + variant.name, root=root)


def _is_httpd(pid, binary, root):
    """Whether pid is still one of our httpd processes."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    return bool(argv) and os.path.basename(argv[0].decode(errors="replace")) \
        == os.path.basename(binary) and root.encode() in b" ".join(argv)


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit("server.py is a module of bench/run")
