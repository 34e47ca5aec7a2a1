#!/usr/bin/python3
"""A representative part of the suite once under valgrind's memcheck
("make valgrind"; Doc/reliability.rst).

One httpd -X (a single process, so valgrind sees every request) under
memcheck, with the configuration of test_bad_input.py,
test_form_limits.py and the reliability pages, takes: the whole
malformed-request corpus, requests past each form limit, and each
reliability page a few times.  Then it is stopped and the report is
summed up: invalid reads and writes, and bytes definitely lost, in all
and in mod_python's own code (a stack through mod_python.so).

Python runs with PYTHONMALLOC=malloc so that its own allocator does not
hide (or fake) errors.  Exit status 1 when mod_python's code has an
invalid access or a definite leak.

With --suite ("make valgrind-suite") it runs the whole test suite
instead, every httpd (parent and children, under prefork) under
memcheck through the harness's MP_TEST_VALGRIND, and sums up the
reports of all the processes.  Tests that wait for something with a
bound of their own may fail there because everything is some twenty
times slower; the point of that run is the report, not the tests.
"""

import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "test"))

import conftest                                         # noqa: E402
import reliability                                      # noqa: E402
import test_bad_input                                   # noqa: E402
import test_form_limits                                 # noqa: E402


def wait_up(server, proc, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("httpd under valgrind exited: %s"
                             % server.diagnostics())
        try:
            status, _, _ = conftest.parse_response(server.raw(
                b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", timeout=30))
            if status:
                return
        except (OSError, ValueError, IndexError):
            pass
        time.sleep(1)
    raise SystemExit("httpd under valgrind did not answer")


def traffic(server):
    n = 0
    for page in reliability.PAGES.values():
        for _ in range(5):
            server.get(page, host=reliability.HOST, timeout=120)
            n += 1
    for case in sorted(test_bad_input.CORPUS):
        server.raw(test_bad_input.CORPUS[case], timeout=120)
        n += 1
    limits = test_form_limits
    for path in ("/x?" + limits._fields(1001), "/small/x?" + limits._fields(11),
                 "/x?explicit=3&" + limits._fields(5)):
        server.get(path, host=limits.HOST, timeout=120)
        n += 1
    for parts, pad in ((251, 0), (2, 9000), (3, 0)):
        body, headers = limits._multipart(parts, header_pad=pad)
        server.post("/x", host=limits.HOST, headers=headers, data=body,
                    timeout=120)
        n += 1
    return n


def records(text):
    """The log's error records: lists of lines, without the ==pid== part."""
    out, cur = [], []
    for line in text.splitlines():
        body = re.sub(r"^==\d+== ?", "", line)
        if not body.strip():
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(body)
    if cur:
        out.append(cur)
    return out


# A frame in our code: in mod_python.so, or (a build with -g) at a line
# of one of our C sources.
_SRC = os.path.join(os.path.dirname(HERE), "src")
_OURS = re.compile(r"mod_python\.so|\((?:%s):\d+\)" % "|".join(
    re.escape(name) for name in sorted(os.listdir(_SRC))
    if name.endswith(".c")))
_FRAME = re.compile(r"^\s+(?:at|by) 0x[0-9A-F]+: ")


def _frames(rec):
    return [line for line in rec if _FRAME.match(line)]


def _is_ours(rec, kind):
    """Whether an error record is mod_python's: for an invalid access or
    an uninitialised value, the innermost frame is in our code; for a
    leak, the first frame below the allocator (malloc, Python's and
    APR's allocation functions) is."""
    frames = _frames(rec)
    if kind == "leak":
        for line in frames:
            if re.search(r"vgpreload|[Mm]alloc|[Cc]alloc|[Rr]ealloc|"
                         r"PyMem_|PyObject_Malloc|_PyObject_GC_|apr_palloc|"
                         r"strdup", line) and not _OURS.search(line):
                continue
            return bool(_OURS.search(line))
        return False
    return bool(frames) and bool(_OURS.search(frames[0]))


def summarise(text):
    """Counts of error records: invalid accesses, uses of uninitialised
    values and bytes definitely lost, each in all, in mod_python's code
    (see _is_ours) and with our code anywhere on the stack ("through"),
    and the records of ours."""
    def counter():
        return {"all": 0, "mod_python": 0, "through": 0}
    invalid, uninit, lost = counter(), counter(), counter()
    ours_examples = []
    for rec in records(text):
        head = rec[0]
        through = any(_OURS.search(line) for line in rec)
        for kinds, count in (
                (("Invalid read", "Invalid write", "Invalid free"), invalid),
                (("Conditional jump", "Use of uninitialised"), uninit)):
            if head.startswith(kinds):
                count["all"] += 1
                count["through"] += through
                if _is_ours(rec, "access"):
                    count["mod_python"] += 1
                    ours_examples.append("\n".join(rec[:14]))
        m = re.match(r"([\d,]+) (?:\([\d,]+ direct, [\d,]+ indirect\) )?"
                     r"bytes in [\d,]+ blocks are definitely lost", head)
        if m:
            size = int(m.group(1).replace(",", ""))
            lost["all"] += size
            if through:
                lost["through"] += size
            if _is_ours(rec, "leak"):
                lost["mod_python"] += size
                ours_examples.append("\n".join(rec[:14]))
    return invalid, uninit, lost, ours_examples


def report(text, where):
    invalid, uninit, lost, examples = summarise(text)
    for what, count in (("invalid reads/writes/frees", invalid),
                        ("uses of uninitialised values", uninit),
                        ("bytes definitely lost", lost)):
        print("%s: %d in all, %d with mod_python's code on the stack, %d "
              "in mod_python's code" % (what, count["all"], count["through"],
                                        count["mod_python"]))
    for e in examples[:10]:
        print("--\n" + e)
    print("full report: %s" % where)
    return invalid["mod_python"] + uninit["mod_python"] + lost["mod_python"]


def suite(logdir, pytest_args):
    """The whole suite with every httpd under memcheck; then the sum of
    the per-process reports in logdir."""
    logdir = os.path.abspath(logdir)
    os.makedirs(logdir, exist_ok=True)
    for old in glob.glob(os.path.join(logdir, "memcheck.*.log")):
        os.unlink(old)
    env = dict(os.environ, MP_TEST_VALGRIND=logdir, MP_TEST_MPM="prefork")
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    if not any(a.startswith("test") or os.path.exists(a)
               for a in pytest_args):
        cmd.append(os.path.join(os.path.dirname(HERE), "test"))
    cmd += pytest_args
    print("running: MP_TEST_VALGRIND=%s %s" % (logdir, " ".join(cmd)),
          flush=True)
    tests = subprocess.run(cmd, env=env).returncode
    logs = sorted(glob.glob(os.path.join(logdir, "memcheck.*.log")))
    texts = []
    finished = 0
    for path in logs:
        with open(path, errors="replace") as f:
            text = f.read()
        finished += "ERROR SUMMARY:" in text
        texts.append(text)
    print("pytest exit status %d; %d processes ran under memcheck, %d "
          "finished their report" % (tests, len(logs), finished))
    return 1 if report("\n\n".join(texts), logdir) else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", metavar="LOGDIR",
                    help="run the whole test suite under memcheck, "
                    "reports in LOGDIR")
    ap.add_argument("pytest_args", nargs="*",
                    help="with --suite: more pytest arguments")
    args, more = ap.parse_known_args()
    if args.suite:
        return suite(args.suite, args.pytest_args + more)
    if args.pytest_args or more:
        ap.error("pytest arguments go with --suite")
    conf = "\n".join((test_bad_input.HTTPD_CONF, test_form_limits.HTTPD_CONF,
                      reliability.CONF))
    server = conftest.HttpdServer(conf, name="valgrind", mpm="prefork")
    log_path = os.path.join(server.root, "logs", "valgrind.log")
    env = dict(server.environment(), PYTHONMALLOC="malloc")
    cmd = ["valgrind", "--tool=memcheck", "--leak-check=full",
           "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
           "--num-callers=40", "--log-file=" + log_path] + \
        server.command("-X")
    print("running: %s" % " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_up(server, proc)
        n = traffic(server)
        print("%d requests sent" % n, flush=True)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    with open(log_path, errors="replace") as f:
        text = f.read()
    m = re.search(r"ERROR SUMMARY: .*", text)
    print(m.group(0) if m else "(no ERROR SUMMARY: did valgrind finish?)")
    return 1 if report(text, log_path) else 0


if __name__ == "__main__":
    sys.exit(main())
