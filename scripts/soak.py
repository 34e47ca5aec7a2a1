#!/usr/bin/python3
"""The long reliability runs ("make soak"; Doc/reliability.rst).

For each MPM, one httpd with the reliability pages of
test/reliability.py (a handler, a publisher function, a PSP page, a form
with a FileSession), started by the test harness's launcher:

1. load: wrk at 64 connections on each page until it has answered
   --requests requests; counts non-2xx answers and socket errors, checks
   the session counter against the access log, and measures the resident
   memory of the children before (after a warm-up) and after: growth per
   100,000 requests;
2. graceful restarts: --restarts SIGUSR1 under load (a connection per
   request), counting failed requests;
3. full restarts: the same with SIGHUP, which kills the requests in
   flight by design: its failures are reported, not held against us.

Prints a summary; exit status 1 when a load run or a graceful restart
lost a request, a counter was wrong, or a child crashed.
"""

import argparse
import os
import signal
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TEST = os.path.join(os.path.dirname(HERE), "test")
sys.path.insert(0, TEST)

import conftest                                         # noqa: E402
from reliability import (CONF, HOST, PAGES, access_count,  # noqa: E402
                         wrk)


def rss_of(pids):
    """pid -> resident set size in KiB, for those still alive."""
    sizes = {}
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        sizes[pid] = int(line.split()[1])
        except OSError:
            pass
    return sizes


def rss_kib(pids):
    return sum(rss_of(pids).values())


def wait_quiet(read, timeout=30):
    last = read()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = read()
        if now == last:
            break
        last = now
    return last


def keepalive_headers(mpm):
    # As in test_reliability.py: event closes idle keep-alive connections
    # when all its workers are busy, which wrk counts as read errors.
    return [] if mpm == "prefork" else ["Connection: close"]


def load(server, page, target, slice_s, problems):
    path = PAGES[page]
    headers = keepalive_headers(server.mpm)
    cookie = None
    if page == "session":
        path += "&soak=%d" % time.time_ns()
        r = server.get(path, host=HOST)
        cookie = r.headers["Set-Cookie"].split(";")[0]
        headers = headers + ["Cookie: " + cookie]
    # Warm-up: the MPM starts the children it needs and each loads the
    # page's module.  Memory is compared over the children alive both
    # before and after, so that a child started or stopped in between
    # does not count as growth.
    wrk(server.port, path, seconds=5, headers=headers)
    before = rss_of(server.children())
    done = failed = 0
    start = time.monotonic()
    while done < target:
        result = wrk(server.port, path, seconds=slice_s, headers=headers)
        done += result.requests or 0
        failed += result.failed
    seconds = time.monotonic() - start
    after = rss_of(before)
    same = [pid for pid in before if pid in after]
    grew = sum(after[p] - before[p] for p in same)
    growth = grew * 100000.0 / max(done, 1)
    line = ("  %-9s %8d requests %7.0f/s  failed %d  %d children: "
            "RSS %6d -> %6d KiB (%+.0f KiB per 100k requests)"
            % (page, done, done / seconds, failed, len(same),
               sum(before[p] for p in same), sum(after[p] for p in same),
               growth))
    if failed:
        problems.append("%s: %s %d failed requests" % (server.mpm, page,
                                                       failed))
    if cookie is not None:
        served = wait_quiet(lambda: access_count(server.access_log(),
                                                 path, 200))
        r = server.get("/counter/c?peek", host=HOST,
                       headers={"Cookie": cookie})
        count = int(r.text.split()[0][2:])
        exact = count == served
        line += "\n  %-9s counter %d, access log %d 200s: %s" % (
            "", count, served, "exact" if exact else "WRONG")
        if not exact:
            problems.append("%s: session counter %d != %d served"
                            % (server.mpm, count, served))
    print(line, flush=True)


def restarts(server, sig, count, interval):
    path = PAGES["handler"]
    sent = []

    def kick():
        for _ in range(count):
            time.sleep(interval)
            os.kill(server.proc.pid, sig)
            sent.append(1)

    t = threading.Thread(target=kick)
    t.start()
    result = wrk(server.port, path, seconds=int(count * interval + 2),
                 headers=["Connection: close"])
    t.join()
    time.sleep(1)
    return result


def run_mpm(mpm, args, problems):
    print("== %s" % mpm, flush=True)
    server = conftest.HttpdServer(CONF, name="soak", mpm=mpm,
                                  loglevel="warn")
    try:
        server.start()
        for page in args.pages:
            load(server, page, args.requests, args.slice, problems)
        parent = server.proc.pid
        rss0 = rss_kib([parent])
        r = restarts(server, signal.SIGUSR1, args.restarts, args.interval)
        rss1 = rss_kib([parent])
        print("  graceful restarts (SIGUSR1) x%d under load: %d requests, "
              "%d failed; parent RSS %d -> %d KiB"
              % (args.restarts, r.requests or 0, r.failed, rss0, rss1),
              flush=True)
        if rss1 - rss0 > args.parent_growth:
            problems.append("%s: the parent grew by %d KiB over %d graceful "
                            "restarts" % (mpm, rss1 - rss0, args.restarts))
        if r.failed:
            problems.append("%s: %d requests failed across graceful "
                            "restarts" % (mpm, r.failed))
        r = restarts(server, signal.SIGHUP, args.restarts, args.interval)
        print("  full restarts (SIGHUP) x%d under load: %d requests, "
              "%d failed (requests in flight are killed by design)"
              % (args.restarts, r.requests or 0, r.failed), flush=True)
        log = server.error_log_since(0)
        for bad in ("exit signal", "Segmentation fault",
                    "partially initialized module"):
            lines = [l for l in log.splitlines() if bad in l]
            if lines:
                problems.append("%s: %d lines with %r in the error log, "
                                "the first: %s" % (mpm, len(lines), bad,
                                                   lines[0]))
        print("  parent RSS after the full restarts: %d KiB"
              % rss_kib([parent]), flush=True)
    finally:
        server.stop()
        if not args.keep:
            server.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mpm", default="prefork,event")
    ap.add_argument("--requests", type=int, default=200000,
                    help="requests per page (default 200000)")
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--restarts", type=int, default=20)
    ap.add_argument("--interval", type=float, default=1.0,
                    help="seconds between restarts")
    ap.add_argument("--slice", type=int, default=10,
                    help="seconds of one wrk run")
    ap.add_argument("--parent-growth", type=int, default=1024,
                    help="KiB the parent may grow over the graceful "
                    "restarts (default 1024)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the ServerRoots")
    args = ap.parse_args()
    args.pages = args.pages.split(",")
    problems = []
    for mpm in args.mpm.split(","):
        run_mpm(mpm, args, problems)
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
        return 1
    print("no problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())
