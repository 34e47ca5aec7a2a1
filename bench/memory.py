#!/usr/bin/env python3
"""Memory while moving large bodies (issue 3): req.sendfile of a 100 MB
file and reading a 100 MB POST with req.read(65536) in a loop must keep
the serving child's resident memory flat.

    bench/memory.py [--size-mb 100] [--limit-mb 20] [--mpm prefork]

Prints the growth of the child's RSS in each case; exits 1 when either
grows by more than --limit-mb.
"""

import argparse
import os
import re
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from server import Apache, Build, Httpd  # noqa: E402
from variants import Setup, Variant  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _config(place):
    return """<Directory "%s">
    SetHandler mod_python
    PythonHandler memory
</Directory>
""" % place.dir


VARIANT = Variant(
    name="memory", path="memory.py", body=lambda body: True,
    setups={"mod_python": Setup(config=_config,
                                files={"memory.py": "memory/memory.py"})},
    issue="3", about="large bodies")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--limit-mb", type=int, default=20)
    ap.add_argument("--mpm", default="prefork")
    args = ap.parse_args()
    size = args.size_mb * 1024 * 1024

    workdir = tempfile.mkdtemp(prefix="mpbench-memory-")
    os.chmod(workdir, 0o755)
    big = os.path.join(workdir, "big.bin")
    with open(big, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(args.size_mb):
            f.write(block)
    os.chmod(big, 0o644)

    build = Build("ours", "mod_python", os.path.join(REPO, "src",
                                                     "mod_python.so"),
                  os.path.join(REPO, "lib", "python"))
    failures = 0
    try:
        with Httpd(Apache.find(), build, args.mpm, [VARIANT]) as httpd:
            url = httpd.base_url + "/memory/memory.py"
            # sendfile: stream the response away, then read the log line.
            with urllib.request.urlopen(url + "?send=" + big,
                                        timeout=120) as r:
                got = 0
                while True:
                    chunk = r.read(1 << 20)
                    if not chunk:
                        break
                    got += len(chunk)
            assert got == size, (got, size)
            time.sleep(0.5)
            m = re.findall(r"mp-memory sendfile sent=(\d+) before=(\d+) "
                           r"after=(\d+)", httpd.error_log())
            sent, before, after = map(int, m[-1])
            growth = (after - before) / 1024
            print("sendfile %d MB: child RSS %+.1f MB" % (args.size_mb,
                                                           growth))
            failures += growth > args.limit_mb

            def body():
                with open(big, "rb") as f:
                    while True:
                        chunk = f.read(1 << 20)
                        if not chunk:
                            break
                        yield chunk

            req = urllib.request.Request(url, data=body(), method="POST",
                                         headers={"Content-Length":
                                                  str(size)})
            import json
            with urllib.request.urlopen(req, timeout=120) as r:
                info = json.loads(r.read())
            assert info["read"] == size, info
            growth = (info["after_kb"] - info["before_kb"]) / 1024
            print("read %d MB POST in 64 kB reads: child RSS %+.1f MB"
                  % (args.size_mb, growth))
            failures += growth > args.limit_mb
    finally:
        os.unlink(big)
        os.rmdir(workdir)
    print("limit %d MB: %s" % (args.limit_mb,
                                "ok" if not failures else "MISSED"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
