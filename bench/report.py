"""Turning results into tables, target checks and JSON.

A result is a dict: build, variant, mpm, tool; rps, p99_ms and cpu_us
(server CPU per request): medians over the rounds; rounds_rps and
rounds_cpu_us (each round's); spread (half the range of the rounds' req/s
over their median); requests, errors, seconds; and for wrk procs, rss_mb,
pss_mb (the httpd tree).  A result whose run failed has ``failed`` set to
the reason.

``annotate`` adds ``x_static`` (req/s over the static file's on the same
server, the median of the rounds' ratios) and ``x_static_cpu`` (the static
file's CPU per request over the variant's: the same ratio by cost, much less
disturbed by other processes), and on the rows of the other builds
``ours_over`` (our req/s over theirs), ``ours_over_cpu`` (their CPU per
request over ours) and ``ours_pss_over`` (our PSS over theirs).
"""

import json
import math
import statistics

OURS = "ours"


def _key(r):
    return (r["build"], r["variant"], r["mpm"], r["tool"])


def _ratio(a, b, field="rps"):
    """a's field over b's: the median of the rounds' ratios."""
    ra, rb = a.get("rounds_" + field), b.get("rounds_" + field)
    if ra and rb and len(ra) == len(rb):
        pairs = [x / y for x, y in zip(ra, rb) if x and y]
        if pairs:
            return statistics.median(pairs)
    if a.get(field) and b.get(field):
        return a[field] / b[field]
    return None


def annotate(results, baseline="static"):
    index = {_key(r): r for r in results}
    for r in results:
        if r.get("failed"):
            continue
        base = index.get((r["build"], baseline, r["mpm"], r["tool"]))
        if base and not base.get("failed"):
            r["x_static"] = _ratio(r, base)
            # Cost, inverted so that, like req/s, more is better.
            r["x_static_cpu"] = _ratio(base, r, "cpu_us")
        if r["build"] == OURS:
            continue
        ours = index.get((OURS, r["variant"], r["mpm"], r["tool"]))
        if ours and not ours.get("failed"):
            r["ours_over"] = _ratio(ours, r)
            r["ours_over_cpu"] = _ratio(r, ours, "cpu_us")
            if ours.get("pss_mb") and r.get("pss_mb"):
                r["ours_pss_over"] = ours["pss_mb"] / r["pss_mb"]
    return results


def _fmt(value, spec):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


COLUMNS = [
    ("mpm", "<", lambda r: r["mpm"]),
    ("tool", "<", lambda r: r["tool"]),
    ("variant", "<", lambda r: r["variant"]),
    ("build", "<", lambda r: r["build"]),
    ("req/s", ">", lambda r: _fmt(r.get("rps"), ".0f")),
    ("+/-", ">", lambda r: _fmt(100 * r["spread"], ".0f") + "%"
     if r.get("spread") is not None else "-"),
    ("p99 ms", ">", lambda r: _fmt(r.get("p99_ms"), ".2f")),
    ("x static", ">", lambda r: _fmt(r.get("x_static"), ".2f")),
    ("CPU us", ">", lambda r: _fmt(r.get("cpu_us"), ".1f")),
    ("CPU x static", ">", lambda r: _fmt(r.get("x_static_cpu"), ".2f")),
    ("procs", ">", lambda r: _fmt(r.get("procs"), "d")),
    ("RSS MB", ">", lambda r: _fmt(r.get("rss_mb"), ".1f")),
    ("PSS MB", ">", lambda r: _fmt(r.get("pss_mb"), ".1f")),
    ("errors", ">", lambda r: _fmt(r.get("errors"), "d")),
    ("ours/theirs", ">", lambda r: _fmt(r.get("ours_over"), ".2f")),
    ("CPU ours/theirs", ">", lambda r: _fmt(r.get("ours_over_cpu"), ".2f")),
    ("PSS ours/theirs", ">", lambda r: _fmt(r.get("ours_pss_over"), ".2f")),
]


IDENTITY = ("mpm", "tool", "variant", "build")


def _order(results, mpms, variants, builds):
    def rank(seq, x):
        return seq.index(x) if x in seq else len(seq)
    tools = ["ab", "wrk"]
    return sorted(results, key=lambda r: (
        rank(mpms, r["mpm"]), rank(tools, r["tool"]),
        rank(variants, r["variant"]), rank(builds, r["build"])))


def table(results, mpms, variants, builds):
    """The results as an aligned text table, one row per measurement."""
    comparing = len(builds) > 1
    cols = [c for c in COLUMNS
            if comparing or c[0] not in ("build", "ours/theirs",
                                          "CPU ours/theirs",
                                          "PSS ours/theirs")]
    rows = []
    for r in _order(results, mpms, variants, builds):
        if r.get("failed"):
            cells = [c[2](r) if c[0] in IDENTITY else "-" for c in cols]
            cells[len([c for c in cols if c[0] in IDENTITY])] = "FAILED"
        else:
            cells = [c[2](r) for c in cols]
        rows.append(cells)
    widths = [max([len(c[0])] + [len(row[i]) for row in rows])
              for i, c in enumerate(cols)]
    lines = ["  ".join(format(c[0], c[1] + str(w))
                       for c, w in zip(cols, widths)).rstrip()]
    previous = None
    for r, row in zip(_order(results, mpms, variants, builds), rows):
        group = (r["mpm"], r["tool"])
        if previous is not None and group != previous:
            lines.append("")
        previous = group
        lines.append("  ".join(format(cell, c[1] + str(w))
                               for cell, c, w in zip(row, cols, widths))
                     .rstrip())
    return "\n".join(lines)


def targets(results, variants, mpms):
    """Lines saying, for our build, which targets are met.

    Returns (lines, all_met).
    """
    index = {_key(r): r for r in results}
    lines, all_met = [], True
    for v in variants:
        for mpm in mpms:
            for tool in ("ab", "wrk"):
                goal = v.target(mpm, tool)
                r = index.get((OURS, v.name, mpm, tool))
                if goal is None or r is None:
                    continue
                got = r.get("x_static")
                met = got is not None and got >= goal
                all_met &= met
                cpu = r.get("x_static_cpu")
                lines.append("%-8s %-8s %-4s %s, target >= %.2fx static  %s%s"
                             % (v.name, mpm, tool,
                                "not measured" if got is None else
                                "%.3fx static" % got, goal,
                                "ok" if met else "MISSED",
                                "  (by server CPU per request: %.2fx)" % cpu
                                if cpu else ""))
            for other in sorted({k[0] for k in v.relative_targets}):
                for tool in ("ab", "wrk"):
                    goal = v.relative_target(other, mpm, tool)
                    mine = index.get((OURS, v.name, mpm, tool))
                    base = index.get((OURS, other, mpm, tool))
                    if goal is None or mine is None or base is None:
                        continue
                    got = None
                    if not mine.get("failed") and not base.get("failed"):
                        if v.relative_by == "cpu":
                            # cost, inverted: more is better
                            got = _ratio(base, mine, "cpu_us")
                        else:
                            got = _ratio(mine, base)
                    met = got is not None and got >= goal
                    all_met &= met
                    what = other + ("'s CPU/req over ours"
                                    if v.relative_by == "cpu" else "")
                    lines.append("%-8s %-8s %-4s %s, target >= %.2fx %s  %s"
                                 % (v.name, mpm, tool, "not measured"
                                    if got is None else "%.3fx %s"
                                    % (got, what), goal, what,
                                    "ok" if met else "MISSED"))
            for other in v.pss_not_above:
                mine = index.get((OURS, v.name, mpm, "wrk"), {})
                theirs = index.get((other, v.name, mpm, "wrk"), {})
                if not mine.get("pss_mb") or not theirs.get("pss_mb"):
                    continue
                met = mine["pss_mb"] <= theirs["pss_mb"]
                all_met &= met
                lines.append("%-8s %-8s PSS %.1f MB, %s's %.1f MB: not "
                             "larger  %s" % (v.name, mpm, mine["pss_mb"],
                                             other, theirs["pss_mb"],
                                             "ok" if met else "MISSED"))
    return lines, all_met


def save_json(path, meta, results):
    clean = []
    for r in results:
        clean.append({k: (None if isinstance(v, float) and math.isnan(v)
                          else v) for k, v in r.items()})
    with open(path, "w") as f:
        json.dump({"meta": meta, "results": clean}, f, indent=2,
                  sort_keys=True)
        f.write("\n")
