"""Times _apache.parse_qs/parse_qsl against urllib.parse's inside httpd,
where _apache exists, and answers with the numbers (bench/parseqs.py)."""

import time
import urllib.parse

import _apache
from mod_python import apache

# 20 fields, some percent-encoded, some with '+', one blank: a typical form.
QUERY = "&".join(
    ["field%02d=value+number+%d%%21" % (i, i) for i in range(18)]
    + ["name=J%C3%BCrgen+M%C3%BCller", "blank="])


def _best(func, loops, repeat=5):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(loops):
            func(QUERY)
        took = (time.perf_counter() - start) / loops
        best = took if best is None or took < best else best
    return best


def handler(req):
    loops = int(req.args or "20000")
    assert _apache.parse_qs(QUERY) == urllib.parse.parse_qs(QUERY)
    assert _apache.parse_qsl(QUERY) == urllib.parse.parse_qsl(QUERY)
    lines = []
    for name, ours, theirs in (
            ("parse_qs", _apache.parse_qs, urllib.parse.parse_qs),
            ("parse_qsl", _apache.parse_qsl, urllib.parse.parse_qsl)):
        c = _best(ours, loops)
        py = _best(theirs, loops)
        lines.append("%s c_us=%.3f urllib_us=%.3f speedup=%.2f"
                     % (name, c * 1e6, py * 1e6, py / c))
    req.content_type = "text/plain"
    req.write("\n".join(lines) + "\n", 0)
    return apache.OK
