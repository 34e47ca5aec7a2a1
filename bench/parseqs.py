#!/usr/bin/env python3
"""C parse_qs against urllib.parse (issue 4): on a 20-field query string,
_apache.parse_qs and parse_qsl must be at least 5x faster than
urllib.parse.parse_qs and parse_qsl.

    bench/parseqs.py [--loops 20000] [--mpm prefork] [--min-speedup 5]

_apache exists only inside httpd, so the timing runs in a handler (both
functions in the same process, interleaved best-of-5) and this script
prints what it answers; exits 1 below --min-speedup.
"""

import argparse
import os
import re
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from server import Apache, Build, Httpd  # noqa: E402
from variants import Setup, Variant, directory  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_CONFIG = directory("SetHandler mod_python", "PythonHandler parseqs",
                    "PythonDebug On")

VARIANT = Variant(
    name="parseqs", path="parseqs.py", body=lambda body: True,
    setups={"mod_python": Setup(config=_CONFIG,
                                files={"parseqs.py": "parseqs/parseqs.py"})},
    issue="4", about="C parse_qs against urllib.parse")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loops", type=int, default=20000)
    ap.add_argument("--mpm", default="prefork")
    ap.add_argument("--min-speedup", type=float, default=5.0)
    args = ap.parse_args()
    build = Build("ours", "mod_python",
                  os.path.join(REPO, "src", "mod_python.so"),
                  os.path.join(REPO, "lib", "python"))
    with Httpd(Apache.find(), build, args.mpm, [VARIANT]) as httpd:
        url = "%s/parseqs/parseqs.py?%d" % (httpd.base_url, args.loops)
        with urllib.request.urlopen(url, timeout=300) as r:
            text = r.read().decode()
    print(text, end="")
    speedups = [float(s) for s in re.findall(r"speedup=([\d.]+)", text)]
    if len(speedups) != 2:
        print("parseqs: unexpected answer", file=sys.stderr)
        return 1
    ok = min(speedups) >= args.min_speedup
    print("target: C >= %.1fx urllib: %s"
          % (args.min_speedup, "met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
