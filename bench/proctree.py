"""What a process tree (httpd's parent and children) uses, from /proc.

Memory: RSS counts every resident page a process maps, so pages shared
between the httpd parent and its forked children are counted once per
process; PSS divides each shared page among the processes sharing it, so
the sum of PSS over the tree is what the tree really costs.  Both are read from
/proc/PID/smaps_rollup (Linux 4.14+), in kB.

CPU: the time every thread of the tree has spent running, in nanoseconds,
from /proc/PID/task/TID/schedstat (falling back to the clock ticks of
/proc/PID/stat).  Divided by the requests served in between, it is the
server's cost of a request, which other processes competing for the CPUs
disturb much less than they disturb requests per second.
"""

import os
import sys

# The process tree itself is the launcher's (scripts/httpd_launcher.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "scripts"))
from httpd_launcher import process_tree as tree  # noqa: E402
sys.path.pop(0)


def rollup(pid):
    """{'Rss': kB, 'Pss': kB} of one process, or None if it has gone."""
    values = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    values[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return values if len(values) == 2 else None


def tree_memory(pid):
    """Sum of RSS and PSS (MB) over pid and its descendants.

    Returns {'procs': n, 'rss_mb': float, 'pss_mb': float}.
    """
    rss = pss = procs = 0
    for p in tree(pid):
        values = rollup(p)
        if values is None:
            continue
        procs += 1
        rss += values["Rss"]
        pss += values["Pss"]
    return {"procs": procs, "rss_mb": rss / 1024.0, "pss_mb": pss / 1024.0}


_TICK_NS = 1e9 / os.sysconf("SC_CLK_TCK")


def _task_ns(pid):
    """CPU time of all threads of one process, ns (0 if it has gone)."""
    total = 0
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return 0
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return _stat_ns(pid)
    return total


def _stat_ns(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
    except OSError:
        return 0
    rest = stat[stat.rfind(b")") + 2:].split()
    # utime and stime are fields 14 and 15 of stat, 12 and 13 after ')'.
    return (int(rest[11]) + int(rest[12])) * _TICK_NS


def tree_cpu_ns(pid):
    """CPU time used so far by pid and its descendants, in ns."""
    return sum(_task_ns(p) for p in tree(pid))
