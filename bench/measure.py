"""Load generators and the check that comes before them.

``verify`` fetches a variant once and compares status, body and content type
with what the variant expects.  ``run_ab`` runs ApacheBench without
keep-alive (a new connection per request, as the manual's chapter 1.1 did),
``run_wrk`` runs wrk with keep-alive.  Both return a ``Load``: requests per
second, the 99th percentile latency in milliseconds, and how many requests
failed.  ab's own percentile table is in whole milliseconds, too coarse on
loopback, so its p99 comes from the CSV that ``ab -e`` writes (fractions of a
millisecond).
"""

import http.client
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, asdict


class MeasureError(Exception):
    """A load generator failed, or a variant answered wrongly."""


@dataclass
class Load:
    tool: str
    rps: float
    p99_ms: float
    requests: int
    errors: int
    seconds: float
    detail: str = ""
    cpu_us: float = None      # server CPU per request, filled in by rounds

    def as_dict(self):
        return asdict(self)


def fetch(base_url, path, headers=None, timeout=10.0):
    """(status, content type, body) of one GET, connection closed after."""
    host, port = base_url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path,
                     headers=dict(_single(headers), Connection="close"))
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type"), resp.read()
    finally:
        conn.close()


def verify(base_url, variant, attempts=3, headers=None):
    """Raise MeasureError unless the variant answers exactly as expected.

    ``headers`` replaces the variant's own (those its ``prepare`` made).
    """
    if headers is None:
        headers = variant.headers
    last = None
    for attempt in range(attempts):
        try:
            status, ctype, body = fetch(base_url, variant.url, headers)
        except OSError as exc:
            last = "request failed: %s" % exc
            time.sleep(0.5)
            continue
        problems = []
        if status != 200:
            problems.append("status %d, expected 200" % status)
        if not variant.body_ok(body):
            problems.append("body %r, expected %s"
                            % (body[:300], "something else"
                               if callable(variant.body) else
                               repr(variant.body[:300])))
        if variant.content_type and (ctype or "").split(";")[0].strip() \
                != variant.content_type:
            problems.append("Content-Type %r, expected %r"
                            % (ctype, variant.content_type))
        if not problems:
            return
        last = "; ".join(problems)
        break
    raise MeasureError("%s %s: %s" % (variant.name, variant.url, last))


def _run(argv, timeout):
    try:
        proc = subprocess.run(argv, capture_output=True, text=True,
                              timeout=timeout)
    except FileNotFoundError:
        raise MeasureError("%s is not installed" % argv[0])
    except subprocess.TimeoutExpired:
        raise MeasureError("%s did not finish in %ds" % (argv[0], timeout))
    return proc


def _number(pattern, text, default=None, kind=float):
    m = re.search(pattern, text, re.M)
    if m is None:
        if default is None:
            raise MeasureError("no %r in output:\n%s" % (pattern, text))
        return default
    return kind(m.group(1))


class Rotating(tuple):
    """A request header whose value changes from request to request, e.g.
    the cookies of many sessions, so that concurrent clients do not share
    one.  wrk gives each of its threads a share of the values and sends
    them in turn (see ``_rotation_script``); ab and ``fetch`` send the
    first value."""


def _single(headers):
    return {name: value[0] if isinstance(value, Rotating) else value
            for name, value in (headers or {}).items()}


def _header_args(headers):
    args = []
    for name, value in _single(headers).items():
        args += ["-H", "%s: %s" % (name, value)]
    return args


def _lua_string(text):
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def _rotation_script(rotating, threads):
    """A wrk Lua script: thread i sends the values of its own slice of
    each Rotating header, one after the other."""
    names = list(rotating)
    count = min(len(v) for v in rotating.values())
    per_thread = count // threads
    if per_thread < 1:
        raise MeasureError("%d rotating values for %d wrk threads"
                           % (count, threads))
    lines = ["local values = {"]
    for name in names:
        lines.append("  [%s] = {%s}," % (
            _lua_string(name),
            ", ".join(_lua_string(v) for v in rotating[name][:count])))
    lines += ["}",
              "local per_thread = %d" % per_thread,
              "local started = 0",
              "function setup(thread)",
              "  thread:set('first', started * per_thread)",
              "  started = started + 1",
              "end",
              "local turn = 0",
              "function request()",
              "  turn = turn % per_thread + 1",
              "  for name, list in pairs(values) do",
              "    wrk.headers[name] = list[first + turn]",
              "  end",
              "  return wrk.format()",
              "end", ""]
    return "\n".join(lines)


def run_ab(url, requests, concurrency=1, headers=None,
           variable_length=False, timeout=None):
    """``ab -n requests -c concurrency`` without keep-alive."""
    fd, csv = tempfile.mkstemp(prefix="mpbench-ab-", suffix=".csv")
    os.close(fd)
    try:
        # -r: count socket errors instead of giving up at the first one;
        # -l: a body whose length changes is not a failed request.
        argv = ["ab", "-q", "-r", "-n", str(requests), "-c",
                str(concurrency), "-e", csv] + _header_args(headers) + \
            (["-l"] if variable_length else []) + [url]
        proc = _run(argv, timeout or max(120, requests / 20))
        out = proc.stdout + proc.stderr
        if "Requests per second" not in out:
            raise MeasureError("ab failed (exit %d):\n%s"
                               % (proc.returncode, out[-3000:]))
        with open(csv) as f:
            p99 = None
            for line in f:
                pct, _, ms = line.strip().partition(",")
                if pct == "99":
                    p99 = float(ms)
    finally:
        os.unlink(csv)
    complete = _number(r"^Complete requests:\s+(\d+)", out, kind=int)
    failed = _number(r"^Failed requests:\s+(\d+)", out, 0, int)
    non2xx = _number(r"^Non-2xx responses:\s+(\d+)", out, 0, int)
    return Load(tool="ab", rps=_number(r"^Requests per second:\s+([\d.]+)",
                                       out),
                p99_ms=p99 if p99 is not None else float("nan"),
                requests=complete, errors=failed + non2xx,
                seconds=_number(r"^Time taken for tests:\s+([\d.]+)", out),
                detail=" ".join(a for a in argv[:-1]
                                if a not in ("-e", csv)))


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if m is None:
        raise MeasureError("unknown wrk latency %r" % text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(url, duration, threads=2, connections=16, headers=None):
    """``wrk -t threads -c connections -d duration --latency`` (keep-alive)."""
    # wrk takes whole seconds only.
    duration = max(1, int(round(duration)))
    headers = headers or {}
    rotating = {n: v for n, v in headers.items() if isinstance(v, Rotating)}
    fixed = {n: v for n, v in headers.items() if n not in rotating}
    argv = ["wrk", "-t%d" % threads, "-c%d" % connections,
            "-d%ds" % duration, "--latency"] + _header_args(fixed)
    script = None
    if rotating:
        fd, script = tempfile.mkstemp(prefix="mpbench-wrk-", suffix=".lua")
        with os.fdopen(fd, "w") as f:
            f.write(_rotation_script(rotating, threads))
        argv += ["-s", script]
    try:
        proc = _run(argv + [url], duration + 60)
    finally:
        if script:
            os.unlink(script)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 or "Requests/sec" not in out:
        raise MeasureError("wrk failed (exit %d):\n%s"
                           % (proc.returncode, out[-3000:]))
    m = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    p99 = _ms(m.group(1)) if m else float("nan")
    m = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", out, re.M)
    if m is None:
        raise MeasureError("no request count in wrk output:\n%s" % out)
    requests = int(m.group(1))
    seconds = _ms(m.group(2) + m.group(3)) / 1000.0
    errors = _number(r"Non-2xx or 3xx responses:\s+(\d+)", out, 0, int)
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    if m:
        # wrk follows "Connection: close" (MaxKeepAliveRequests) without
        # counting it; any socket error is a request that failed.
        errors += sum(int(n) for n in m.groups())
    return Load(tool="wrk", rps=_number(r"^Requests/sec:\s+([\d.]+)", out),
                p99_ms=p99, requests=requests, errors=errors,
                seconds=seconds, detail=" ".join(
                    a for a in argv if a not in ("-s", script)) +
                (" (each thread sends its own %s)" % ", ".join(rotating)
                 if rotating else ""))


def warm_up(url, seconds, connections, headers=None,
            variable_length=False):
    """Load the workers (imports, caches, thread states) before measuring.

    So that the measurement does not include a first import in a cold
    worker, every prefork child and event process must serve some
    requests: short connections first (ab), because the kernel spreads new
    connections over the processes listening, while wrk's few long ones may
    all land in one event process; then wrk for ``seconds``, with as many
    ``connections`` as the measurement uses (no more, or prefork would
    start children).
    """
    if seconds <= 0:
        return
    run_ab(url, 20 * connections, connections, headers, variable_length)
    run_wrk(url, seconds, 2, connections, headers)
