"""Running the measurements of one MPM, in interleaved rounds.

The machine is small and shared, so its speed drifts from second to second.
A ratio is only worth something if both of its sides saw the same machine:
every build's httpd for the MPM is started at once (an idle httpd costs no
CPU), and the load is cut into rounds.  In each round, each variant is
measured on each build, one right after the other, with ab then wrk; the
order of the builds alternates from round to round.  A ratio (to the static
file, ours over theirs) is the median of the ratios of the rounds, each
taken between neighbouring measurements.

The first round warms each variant up just before measuring it, and reads
the memory of the httpd tree after its wrk run: so the memory of a variant
is that of the tree having served the variants before it in table order,
and it.  Around every measurement the CPU time of the whole httpd tree is
read, giving the server's CPU per request.
"""

import contextlib
import math
import statistics
from dataclasses import dataclass

import measure
from server import Httpd, ServerError


@dataclass
class Plan:
    tools: list
    rounds: int
    ab_requests: int          # over all rounds
    ab_concurrency: int
    wrk_duration: float       # seconds, over all rounds
    wrk_threads: int
    wrk_connections: int
    warmup: float
    keep: bool = False

    @property
    def ab_per_round(self):
        return max(1, math.ceil(self.ab_requests / self.rounds))

    @property
    def wrk_per_round(self):
        # wrk takes whole seconds only.
        return max(1, round(self.wrk_duration / self.rounds))


def median_ratio(a, b):
    """Median over rounds of a[i] / b[i], skipping rounds missing a side."""
    pairs = [x / y for x, y in zip(a, b) if x and y]
    return statistics.median(pairs) if pairs else None


class MpmRun:
    """All builds under one MPM: start, verify, measure, stop."""

    def __init__(self, apache, builds, mpm, variants, plan, say):
        self.apache = apache
        self.builds = builds
        self.mpm = mpm
        self.variants = variants
        self.plan = plan
        self.say = say
        self.servers = {}        # build name -> Httpd
        self.failures = []
        self.samples = {}        # (build, variant, tool) -> [Load or None]
        self.errors = {}         # (build, variant, tool) -> last message
        self.memory = {}         # (build, variant) -> tree memory
        self.broken = set()      # (build, variant) not to measure
        self.headers = {}        # (build, variant) -> request headers

    def tag(self, build):
        return "[%s %s]" % (self.mpm, build)

    def fail(self, msg):
        self.say(msg)
        self.failures.append(msg.splitlines()[0])

    def run(self):
        """Returns (result rows, failure messages)."""
        with contextlib.ExitStack() as stack:
            for b in self.builds:
                httpd = Httpd(self.apache, b, self.mpm, self.variants,
                              keep=self.plan.keep, log=self.say)
                try:
                    stack.enter_context(httpd)
                except ServerError as exc:
                    self.fail("%s %s" % (self.tag(b.name), exc))
                    continue
                self.servers[b.name] = httpd
                self.say("%s httpd %d on %s" % (self.tag(b.name), httpd.pid,
                                                httpd.base_url))
            self.verify()
            for n in range(self.plan.rounds):
                self.round(n)
            self.check_logs()
        return self.rows(), self.failures

    def verify(self):
        for name, httpd in self.servers.items():
            for v in httpd.variants:
                try:
                    headers = dict(v.headers)
                    if v.prepare is not None:
                        headers.update(v.prepare(httpd.base_url))
                    self.headers[(name, v.name)] = headers
                    measure.verify(httpd.base_url, v, headers=headers)
                except (measure.MeasureError, OSError) as exc:
                    self.fail("%s WRONG ANSWER: %s\n%s"
                              % (self.tag(name), exc,
                                 _indent(httpd.output())))
                    self.broken.add((name, v.name))
                    for tool in self.plan.tools:
                        self.errors[(name, v.name, tool)] = str(exc)

    def round(self, n):
        order = list(self.servers.items())
        if n % 2:
            order.reverse()
        plan = self.plan
        for v in self.variants:
            for name, httpd in order:
                if v not in httpd.variants or (name, v.name) in self.broken:
                    continue
                url = httpd.base_url + v.url
                if n == 0:
                    try:
                        measure.warm_up(url, plan.warmup,
                                        plan.wrk_connections,
                                        self.headers[(name, v.name)],
                                        v.variable_length)
                    except measure.MeasureError as exc:
                        self.say("%s warm-up of %s failed: %s"
                                 % (self.tag(name), v.name, exc))
                for tool in plan.tools:
                    self.measure(n, name, httpd, v, tool, url)
                if not httpd.alive():
                    self.fail("%s httpd died during %s\n%s"
                              % (self.tag(name), v.name,
                                 _indent(httpd.output())))
                    for other in httpd.variants:
                        self.broken.add((name, other.name))

    def measure(self, n, name, httpd, v, tool, url):
        plan, key = self.plan, (name, v.name, tool)
        samples = self.samples.setdefault(key, [])
        cpu_before = httpd.cpu_ns()
        try:
            if tool == "ab":
                load = measure.run_ab(url, plan.ab_per_round,
                                      plan.ab_concurrency,
                                      self.headers[(name, v.name)],
                                      v.variable_length)
            else:
                load = measure.run_wrk(url, plan.wrk_per_round,
                                       plan.wrk_threads,
                                       plan.wrk_connections,
                                       self.headers[(name, v.name)])
        except measure.MeasureError as exc:
            self.fail("%s %s %s round %d: %s" % (self.tag(name), v.name,
                                                 tool, n + 1, exc))
            self.errors[key] = str(exc)
            samples.append(None)
            return
        if load.requests:
            load.cpu_us = (httpd.cpu_ns() - cpu_before) / 1000.0 \
                / load.requests
        samples.append(load)
        extra = ""
        if tool == "wrk" and n == 0:
            mem = httpd.memory()
            self.memory[(name, v.name)] = mem
            extra = "  PSS %.1f MB" % mem["pss_mb"]
        if load.errors:
            extra += "  %d ERRORS" % load.errors
            self.failures.append("%s %s %s round %d: %d of %d requests "
                                 "failed" % (self.tag(name), v.name, tool,
                                             n + 1, load.errors,
                                             load.requests))
        self.say("%s round %d %-8s %-3s %8.0f req/s  p99 %6.2f ms  "
                 "%6.1f us CPU/req%s"
                 % (self.tag(name), n + 1, v.name, tool, load.rps,
                    load.p99_ms, load.cpu_us or 0, extra))

    def check_logs(self):
        for name, httpd in self.servers.items():
            bad = httpd.problems()
            if not bad:
                continue
            self.say("%s the error log has %d error lines, e.g.:\n%s"
                     % (self.tag(name), len(bad), _indent("\n".join(bad[:8]))))
            crashes = [line for line in bad if "exit signal" in line.lower()]
            if crashes:
                self.failures.append("%s %d children crashed: %s"
                                     % (self.tag(name), len(crashes),
                                        crashes[0].strip()))

    def rows(self):
        rows = []
        for b in self.builds:
            for v in self.variants:
                if v.setup_for(b.kind) is None:
                    continue
                for tool in self.plan.tools:
                    key = (b.name, v.name, tool)
                    row = {"build": b.name, "variant": v.name,
                           "mpm": self.mpm, "tool": tool}
                    loads = [s for s in self.samples.get(key, []) if s]
                    if not loads:
                        row["failed"] = self.errors.get(key, "not run")
                        rows.append(row)
                        continue
                    rps = [s.rps if s else None
                           for s in self.samples[key]]
                    cpu = [s.cpu_us if s else None
                           for s in self.samples[key]]
                    known = [c for c in cpu if c]
                    row.update(
                        rps=statistics.median(s.rps for s in loads),
                        p99_ms=statistics.median(s.p99_ms for s in loads),
                        requests=sum(s.requests for s in loads),
                        errors=sum(s.errors for s in loads),
                        seconds=sum(s.seconds for s in loads),
                        rounds_rps=rps,
                        cpu_us=statistics.median(known) if known else None,
                        rounds_cpu_us=cpu,
                        spread=(max(s.rps for s in loads)
                                - min(s.rps for s in loads))
                        / 2 / statistics.median(s.rps for s in loads),
                        command=loads[0].detail)
                    if tool == "wrk" and (b.name, v.name) in self.memory:
                        row.update(self.memory[(b.name, v.name)])
                    rows.append(row)
        return rows


def _indent(text):
    return "\n".join("    " + line for line in text.splitlines())
