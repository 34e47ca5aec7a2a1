"""Start and stop one Apache httpd from a ServerRoot of its own.

The test suite (test/conftest.py), the benchmark (bench/server.py) and the
demo (scripts/demo.py) all run the system's httpd the same way, through this
module:

* ``Httpd(name)`` makes a temporary ServerRoot (mode 0755, with ``conf/``,
  ``logs/`` and ``run/``), or takes the one it is given;
* ``configure(body, ...)`` writes ``conf/httpd.conf``: the lines every server
  needs (ServerRoot, Listen, PidFile, ErrorLog, LogLevel, User and Group when
  run as root, the MPM and the modules to load) followed by the caller's
  body;
* ``start()`` checks the configuration (``httpd -t``), starts httpd in the
  foreground (``-DFOREGROUND``) in a session of its own, and waits until it
  accepts connections;
* ``stop()`` stops it by PID (SIGTERM, SIGKILL after a timeout), reaps it, and
  kills any child of it that outlived it;
* the error log (``error_log_since``, ``diagnostics``) tells what went wrong.

httpd's port is a free 127.0.0.1 port unless the caller names one; should
another process take it between the choice and httpd's bind, start() picks
another and tries again.

Why a session of its own: prefork signals its whole process group when it
stops, and a terminal's Ctrl-C reaches the whole foreground group; httpd in
ours would interrupt our own clean-up.  We stop it ourselves, by PID.

Why the environment is not inherited: an embedded Python that finds its
prefix through PATH, or a PYTHONPATH or PYTHONHOME of whoever runs us, must
not leak into httpd.  ``BASE_ENV`` plus what the caller passes is all httpd
gets.

This file has no dependencies beyond the standard library, so that scripts
can import it by putting its directory on ``sys.path``.
"""

import atexit
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

__all__ = ["BASE_ENV", "Httpd", "LaunchError", "child_user", "find_httpd",
           "find_modules_dir", "free_port", "make_readable", "process_tree"]

BASE_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}

MPMS = ("prefork", "event", "worker")


class LaunchError(Exception):
    """httpd, or something it needs, is missing, or it failed to start."""


# ---------------------------------------------------------------------------
# locating things

def find_httpd(binary=None):
    """The httpd binary: binary if given, else $MP_HTTPD, else the
    system's (Debian's /usr/sbin/apache2, or an httpd on PATH)."""
    binary = binary or os.environ.get("MP_HTTPD")
    if binary:
        if not os.access(binary, os.X_OK):
            raise LaunchError("httpd binary %s is not executable" % binary)
        return binary
    for path in ("/usr/sbin/apache2", "/usr/sbin/httpd"):
        if os.access(path, os.X_OK):
            return path
    for name in ("apache2", "httpd"):
        path = shutil.which(name)
        if path:
            return path
    if os.access("/usr/local/apache2/bin/httpd", os.X_OK):
        return "/usr/local/apache2/bin/httpd"
    raise LaunchError("no Apache httpd found: install apache2 (Debian)")


def find_modules_dir(apxs=None):
    """Apache's modules directory (``apxs -q LIBEXECDIR``)."""
    candidates = [apxs] if apxs else ["apxs", "apxs2"]
    for name in candidates:
        path = shutil.which(name)
        if not path:
            continue
        try:
            out = subprocess.run([path, "-q", "LIBEXECDIR"],
                                 capture_output=True, text=True,
                                 timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if out and os.path.isdir(out):
            return out
    for path in ("/usr/lib/apache2/modules", "/usr/lib64/httpd/modules",
                 "/usr/lib/httpd/modules", "/usr/local/apache2/modules"):
        if os.path.isdir(path):
            return path
    raise LaunchError("cannot find Apache's modules directory "
                      "(apxs -q LIBEXECDIR): install apache2-dev")


_BUILTIN = {}


def builtin_modules(binary):
    """The modules compiled into binary, as ``httpd -l`` lists them
    (``mod_unixd.c``, ...)."""
    if binary not in _BUILTIN:
        out = subprocess.run([binary, "-l"], capture_output=True, text=True,
                             env=BASE_ENV).stdout
        _BUILTIN[binary] = frozenset(line.strip()
                                     for line in out.splitlines()[1:])
    return _BUILTIN[binary]


def free_port():
    """A TCP port of 127.0.0.1 that nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_user():
    """(user, group) httpd's children run as when we are root, else None."""
    if os.geteuid() != 0:
        return None
    for user in ("www-data", "apache", "daemon", "nobody"):
        try:
            pw = pwd.getpwnam(user)
            return user, grp.getgrgid(pw.pw_gid).gr_name
        except KeyError:
            continue
    raise LaunchError("running as root but there is no unprivileged user "
                      "(www-data, apache, daemon, nobody) for the children")


def make_readable(top):
    """Let anyone read the tree at top and search its directories.

    As root, httpd's children run as an unprivileged user who may not be
    able to read what we copied; executable files keep their execute bit.
    """
    os.chmod(top, 0o755)
    for dirpath, dirnames, filenames in os.walk(top):
        for d in dirnames:
            path = os.path.join(dirpath, d)
            if not os.path.islink(path):
                os.chmod(path, 0o755)
        for f in filenames:
            path = os.path.join(dirpath, f)
            if os.path.islink(path):
                continue
            executable = os.stat(path).st_mode & 0o100
            os.chmod(path, 0o755 if executable else 0o644)


# ---------------------------------------------------------------------------
# processes (Linux /proc)

def _stat_fields(pid):
    """Fields of /proc/PID/stat after the command name, or None."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # the command name is in parentheses and may hold spaces or ')'
    return stat[stat.rfind(b")") + 2:].split()


def _identity(pid):
    """(pid, start time) of a live process, None if gone or a zombie:
    a PID the kernel has given to another process has another start
    time."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] == b"Z":
        return None
    return pid, int(fields[19])


def _children_map():
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None:
                kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def children_of(pid):
    """PIDs whose parent is pid."""
    return sorted(_children_map().get(pid, ()))


def process_tree(pid):
    """pid and all its descendants, parent first."""
    kids = _children_map()
    found, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        found.append(p)
        todo.extend(sorted(kids.get(p, ())))
    return found


# Servers started and not yet stopped: stopped at interpreter exit, should
# the caller die before its own clean-up.
_RUNNING = set()


@atexit.register
def _stop_running():
    for server in list(_RUNNING):
        server.stop()


# ---------------------------------------------------------------------------
# the server

class Httpd:
    """One httpd: its ServerRoot, its httpd.conf, its process.

    root is the ServerRoot to use (made if missing); without it a temporary
    one is made, named after name.  env is added to ``BASE_ENV`` for httpd
    (PYTHONPATH, say).  logs is the directory of the error log and of
    httpd's own output (``logs/`` of the ServerRoot by default; one outside
    it outlives remove()).  keep leaves the ServerRoot in place at
    remove().
    """

    START_TIMEOUT = 30.0
    STOP_TIMEOUT = 15.0

    def __init__(self, name="httpd", root=None, binary=None,
                 modules_dir=None, env=None, logs=None, keep=False,
                 wrapper=(), one_process=False):
        self.name = name
        # A command that runs httpd (valgrind and its options, say; the
        # configuration check, httpd -t, runs without it), and whether
        # httpd serves from its one process (-X) instead of children.
        self.wrapper = list(wrapper)
        self.one_process = one_process
        self.binary = find_httpd(binary)
        self._modules_dir = modules_dir
        self.env = dict(BASE_ENV)
        self.env.update(env or {})
        self.keep = keep
        if root is None:
            root = tempfile.mkdtemp(prefix="mp-%s-" % name)
        else:
            os.makedirs(root, exist_ok=True)
        self.root = os.path.abspath(root)
        # mkdtemp makes 0700 directories; the children (www-data when we
        # are root) must be able to traverse the ServerRoot.
        os.chmod(self.root, 0o755)
        for sub in ("conf", "logs", "run"):
            path = os.path.join(self.root, sub)
            os.makedirs(path, exist_ok=True)
            os.chmod(path, 0o755)
        self.logs = os.path.abspath(logs or os.path.join(self.root, "logs"))
        os.makedirs(self.logs, exist_ok=True)
        self.conf_path = os.path.join(self.root, "conf", "httpd.conf")
        self.error_log_path = os.path.join(self.logs, "error_log")
        self.stdout_path = os.path.join(self.logs, "stdout")
        self.port = None
        self.host = "127.0.0.1"
        self.conf_text = ""
        self.proc = None
        self._fixed_port = None
        self._body = None
        self._settings = None
        self._seen = set()          # (pid, start time) of our processes

    @property
    def modules_dir(self):
        if self._modules_dir is None:
            self._modules_dir = find_modules_dir()
        return self._modules_dir

    # -- httpd.conf ---------------------------------------------------------

    def load_line(self, module, required=True):
        """The LoadModule line for module: a short name (``"mime"`` for
        mod_mime.so in the modules directory) or a (symbol, path) pair.
        "" for a module compiled into httpd, or a missing one that is not
        required."""
        if not isinstance(module, str):
            symbol, path = module
            if not os.path.isfile(path):
                raise LaunchError("module %s not found" % path)
            return 'LoadModule %s "%s"' % (symbol, path)
        builtin = builtin_modules(self.binary)
        if "mod_%s.c" % module in builtin or "%s.c" % module in builtin:
            return ""
        path = os.path.join(self.modules_dir, "mod_%s.so" % module)
        if not os.path.isfile(path):
            if required:
                raise LaunchError("Apache module %s not found" % path)
            return ""
        return 'LoadModule %s_module "%s"' % (module, path)

    def configure(self, body, mpm="prefork", mpm_conf="", modules=(),
                  missing_ok=False, loglevel="warn", listen=None,
                  generator="httpd_launcher"):
        """Write conf/httpd.conf: the common head, then body.

        body is the text, or a function of the port that returns it (the
        port may change if start() must pick another).  mpm_conf goes in
        an ``<IfModule>`` of the MPM.  modules are loaded in order after
        the MPM, each as load_line() takes it; with missing_ok a short
        name whose file is missing is left out (a (symbol, path) pair must
        always exist).  listen is ``"host:port"``; without it httpd
        listens on a free 127.0.0.1 port.
        """
        if mpm not in MPMS:
            raise LaunchError("unknown MPM %r (known: %s)"
                              % (mpm, ", ".join(MPMS)))
        if listen:
            host, _, port = listen.rpartition(":")
            try:
                self._fixed_port = int(port)
            except ValueError:
                raise LaunchError("listen must be host:port, not %r"
                                  % listen) from None
            self.host = host or "127.0.0.1"
        self.mpm = mpm
        self._body = body
        loads = [self.load_line(m, required=not missing_ok)
                 for m in modules]
        self._settings = dict(mpm_conf=mpm_conf, loglevel=loglevel,
                              generator=generator,
                              loads="\n".join(l for l in loads if l))
        self._write_conf()

    def _write_conf(self):
        self.port = self._fixed_port or free_port()
        s = self._settings
        head = [
            "# generated by %s" % s["generator"],
            'ServerRoot "%s"' % self.root,
            "Listen %s:%d" % (self.host, self.port),
            "ServerName 127.0.0.1",
            'PidFile "%s/run/httpd.pid"' % self.root,
            'DefaultRuntimeDir "%s/run"' % self.root,
            'ErrorLog "%s"' % self.error_log_path,
            "LogLevel %s" % s["loglevel"],
        ]
        user = child_user()
        if user:
            head += ["User %s" % user[0], "Group %s" % user[1]]
        head.append(self.load_line("mpm_" + self.mpm))
        if s["mpm_conf"]:
            head += ["<IfModule mpm_%s_module>" % self.mpm,
                     s["mpm_conf"].rstrip("\n"), "</IfModule>"]
        head.append(s["loads"])
        body = self._body(self.port) if callable(self._body) else self._body
        self.conf_text = "\n".join(head) + "\n\n" + body.rstrip("\n") + "\n"
        with open(self.conf_path, "w") as f:
            f.write(self.conf_text)
        os.chmod(self.conf_path, 0o644)

    def numbered_conf(self):
        return "\n".join("%4d  %s" % (i + 1, line)
                         for i, line in enumerate(self.conf_text.splitlines()))

    # -- the process --------------------------------------------------------

    def command(self, *extra):
        return [self.binary, "-d", self.root, "-f", self.conf_path] + \
            list(extra)

    def config_test(self):
        """Run ``httpd -t``; returns the CompletedProcess (output in
        .stdout)."""
        return subprocess.run(self.command("-t"), env=self.env,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              errors="replace", timeout=60)

    def start(self, timeout=None, ready=None, check=True):
        """Start httpd and wait until it answers.

        ready(self) says whether it does (it may raise OSError or
        ValueError, meaning not yet); by default, whether the port accepts
        a connection.  Returns self; raises LaunchError with the logs'
        last lines if httpd does not start.
        """
        if self._settings is None:
            raise LaunchError("configure() the server before start()")
        if self.proc is not None:
            raise LaunchError("httpd %s is already running" % self.name)
        timeout = timeout or self.START_TIMEOUT
        if check:
            result = self.config_test()
            if result.returncode != 0:
                raise LaunchError("httpd -t rejected %s:\n%s\n--- config "
                                  "---\n%s" % (self.conf_path, result.stdout,
                                               self.numbered_conf()))
        for attempt in range(3):
            if attempt:
                self._write_conf()          # another port
            self._spawn()
            why = self._wait_ready(timeout, ready)
            if why is None:
                return self
            self.stop()
            if ("Address already in use" in self.output()
                    and not self._fixed_port and attempt < 2):
                continue
            raise LaunchError("httpd %s on %s:%s %s\n%s"
                              % (self.name, self.host, self.port, why,
                                 self.diagnostics()))

    def _spawn(self):
        with open(self.stdout_path, "ab") as out:
            extra = ["-X"] if self.one_process else ["-DFOREGROUND"]
            self.proc = subprocess.Popen(
                self.wrapper + self.command(*extra), env=self.env,
                stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        _RUNNING.add(self)
        self._remember(self.proc.pid)

    def _remember(self, pid):
        ident = _identity(pid)
        if ident:
            self._seen.add(ident)

    def _wait_ready(self, timeout, ready):
        """None once httpd answers, else why it does not."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return "exited with status %s at start-up" \
                    % self.proc.returncode
            try:
                if ready is not None:
                    ok = ready(self)
                else:
                    with socket.create_connection((self.host, self.port),
                                                  timeout=1):
                        ok = True
                if ok:
                    self.remember_children()
                    return None
            except (OSError, ValueError, IndexError) as e:
                last = e
            time.sleep(0.05)
        return "did not answer within %gs (last error: %r)" % (timeout, last)

    def remember_children(self):
        """Note httpd's current children, so that stop() kills any of
        them that outlives the parent."""
        if self.proc is not None:
            for pid in process_tree(self.proc.pid):
                self._remember(pid)

    def children(self):
        """PIDs of the running httpd's children."""
        if self.proc is None:
            return []
        kids = children_of(self.proc.pid)
        for pid in kids:
            self._remember(pid)
        return kids

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=None):
        """SIGTERM httpd, SIGKILL after timeout, and reap it; then kill the
        children that outlived it (theirs is a graceless end, so they are
        returned: the PIDs that had to be killed, empty when all went)."""
        if self.proc is None:
            return []
        timeout = timeout or self.STOP_TIMEOUT
        proc, self.proc = self.proc, None
        _RUNNING.discard(self)
        if proc.poll() is None:
            for pid in process_tree(proc.pid):
                self._remember(pid)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # Children are re-parented when the parent goes; they normally
        # exit within a moment of it.
        deadline = time.monotonic() + 5
        left = [i for i in self._seen if i[0] != proc.pid]
        while True:
            left = [i for i in left if _identity(i[0]) == i]
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        for pid, _ in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._seen.clear()
        return sorted(pid for pid, _ in left)

    def remove(self):
        """Remove the ServerRoot, unless keep was asked for."""
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            self.remove()
            raise

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            self.remove()
        return False

    # -- logs -----------------------------------------------------------------

    @staticmethod
    def read(path, since=0):
        try:
            with open(path, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_mark(self):
        """The error log's current size, to pass to error_log_since()."""
        try:
            return os.path.getsize(self.error_log_path)
        except OSError:
            return 0

    def error_log_since(self, mark=0):
        """The error log written after mark (all of it by default)."""
        return self.read(self.error_log_path, mark)

    def output(self):
        """What httpd wrote on its stdout and stderr, then its error log."""
        return self.read(self.stdout_path) + self.error_log_since()

    def diagnostics(self, lines=60):
        err = self.error_log_since().splitlines()[-lines:]
        out = self.read(self.stdout_path).splitlines()[-lines:]
        return ("--- %s (last %d lines) ---\n%s\n--- httpd stdout/stderr "
                "---\n%s" % (self.error_log_path, lines, "\n".join(err),
                             "\n".join(out)))
