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
"""

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


def summarise(text):
    invalid = {"all": 0, "mod_python": 0}
    uninit = {"all": 0, "mod_python": 0}
    lost = {"all": 0, "mod_python": 0}
    ours_examples = []
    for rec in records(text):
        head = rec[0]
        ours = any("mod_python.so" in line for line in rec)
        for kinds, count in (
                (("Invalid read", "Invalid write", "Invalid free"), invalid),
                (("Conditional jump", "Use of uninitialised"), uninit)):
            if head.startswith(kinds):
                count["all"] += 1
                if ours:
                    count["mod_python"] += 1
                    ours_examples.append("\n".join(rec[:12]))
        m = re.match(r"([\d,]+) (?:\([\d,]+ direct, [\d,]+ indirect\) )?"
                     r"bytes in [\d,]+ blocks are definitely lost", head)
        if m:
            size = int(m.group(1).replace(",", ""))
            lost["all"] += size
            if ours:
                lost["mod_python"] += size
                ours_examples.append("\n".join(rec[:12]))
    return invalid, uninit, lost, ours_examples


def main():
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
    invalid, uninit, lost, examples = summarise(text)
    print("invalid reads/writes/frees: %d in all, %d in mod_python"
          % (invalid["all"], invalid["mod_python"]))
    print("uses of uninitialised values (contexts): %d in all, %d in "
          "mod_python" % (uninit["all"], uninit["mod_python"]))
    print("bytes definitely lost: %d in all, %d in mod_python"
          % (lost["all"], lost["mod_python"]))
    m = re.search(r"ERROR SUMMARY: .*", text)
    print(m.group(0) if m else "(no ERROR SUMMARY: did valgrind finish?)")
    for e in examples[:10]:
        print("--\n" + e)
    print("full report: %s" % log_path)
    bad = invalid["mod_python"] + uninit["mod_python"] + lost["mod_python"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
