#!/usr/bin/env python3
"""Memory while moving large bodies (issue 3): req.sendfile of a 100 MB
file and reading a 100 MB POST with req.read(65536) in a loop must keep
the serving child's resident memory flat; (issue 4) a 200 MB upload
through util.FieldStorage must grow it by less than 20 MB.

    bench/memory.py [--size-mb 100] [--upload-mb 200] [--limit-mb 20]
                    [--mpm prefork]

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
from variants import Setup, Variant, directory  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_CONFIG = directory("SetHandler mod_python", "PythonHandler memory")

VARIANT = Variant(
    name="memory", path="memory.py", body=lambda body: True,
    setups={"mod_python": Setup(config=_CONFIG,
                                files={"memory.py": "memory/memory.py"})},
    issue="3", about="large bodies")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--limit-mb", type=int, default=20)
    ap.add_argument("--mpm", default="prefork")
    ap.add_argument("--upload-mb", type=int, default=200,
                    help="size of the FieldStorage upload (0: skip it)")
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
    if args.upload_mb:
        growth = fieldstorage_upload(args.upload_mb, args.limit_mb, args.mpm)
        failures += growth > args.limit_mb
    print("limit %d MB: %s" % (args.limit_mb,
                                "ok" if not failures else "MISSED"))
    return 1 if failures else 0


def fieldstorage_upload(size_mb=200, limit_mb=20, mpm="prefork"):
    """Upload a size_mb file as multipart/form-data through
    util.FieldStorage (issue 4: streamed to a temporary file, never held
    in memory) and print how much the serving child's resident memory
    grew at its peak.  Returns the growth in MB.

        python3 -c 'import memory; memory.fieldstorage_upload()'
    """
    handler = b"""import json
from mod_python import apache, util


def _status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def handler(req):
    before = _status("VmRSS")
    upload = util.FieldStorage(req)["upload"]
    size = upload.file.seek(0, 2)
    req.content_type = "application/json"
    req.write(json.dumps({"size": size, "before_kb": before,
                          "peak_kb": _status("VmHWM")}))
    return apache.OK
"""
    variant = Variant(
        name="upload", path="upload.py", body=lambda body: True,
        setups={"mod_python": Setup(
            config=directory("SetHandler mod_python",
                             "PythonHandler upload"),
            files={"upload.py": handler})},
        issue="4", about="FieldStorage upload")
    size = size_mb * 1024 * 1024
    boundary = b"mp-bench-upload"
    head = (b"--" + boundary + b"\r\nContent-Disposition: form-data; "
            b'name="upload"; filename="big.bin"\r\nContent-Type: '
            b"application/octet-stream\r\n\r\n")
    tail = b"\r\n--" + boundary + b"--\r\n"

    def body():
        yield head
        block = os.urandom(1 << 20)
        for _ in range(size_mb):
            yield block
        yield tail

    build = Build("ours", "mod_python", os.path.join(REPO, "src",
                                                     "mod_python.so"),
                  os.path.join(REPO, "lib", "python"))
    with Httpd(Apache.find(), build, mpm, [variant]) as httpd:
        req = urllib.request.Request(
            httpd.base_url + variant.url, data=body(), method="POST",
            headers={"Content-Length": str(len(head) + size + len(tail)),
                     "Content-Type": "multipart/form-data; boundary="
                     + boundary.decode()})
        import json
        with urllib.request.urlopen(req, timeout=300) as r:
            info = json.loads(r.read())
    assert info["size"] == size, info
    # The child's peak RSS (VmHWM) over its RSS before: an upper bound of
    # what the upload cost, whatever the child did earlier.
    growth = (info["peak_kb"] - info["before_kb"]) / 1024
    print("FieldStorage upload of %d MB: child peak RSS %+.1f MB (limit "
          "%d MB: %s)" % (size_mb, growth, limit_mb,
                          "ok" if growth <= limit_mb else "MISSED"))
    return growth


if __name__ == "__main__":
    sys.exit(main())
