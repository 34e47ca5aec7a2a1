#!/usr/bin/env python3
"""Time mod_python's PSP parser on a 1 MB page (manual 4.9: "very fast").

Builds the mod_python._psp extension with dist/setup.py into a temporary
directory, then parses a generated 1 MB page (text with quotes, backslashes
and UTF-8, expressions, one-line and multi-line code) from a string and from
a file.  Prints the best of several runs, in milliseconds, and exits 1
when either takes 100 ms or more (issue 5's target).

    bench/psp_parse.py [path/to/repository]     (run with /usr/bin/python3)
"""

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                       else os.path.dirname(HERE))
LIMIT_MS = 100.0
CHUNK = ('<tr><td class="x">"quoted" \\ back\\slash été</td>'
         '<td><%= i * 2 %></td></tr>\n'
         '<% for i in range(3): %>\n<li><%= i %></li>\n<%\n# end\n%>\n'
         '<p>Some paragraph text that goes on, with <b>markup</b> &amp; '
         'entities.</p>\n')


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(REPO, "dist", "setup.py"),
                        "--quiet", "build", "--build-base",
                        os.path.join(tmp, "b"), "--build-lib",
                        os.path.join(tmp, "lib")], check=True)
        sys.path.insert(0, os.path.join(tmp, "lib"))
        from mod_python import _psp

        page = CHUNK * (1024 * 1024 // len(CHUNK.encode()) + 1)
        page = page.encode()[:1024 * 1024].decode("utf-8", "ignore")
        cut = page.rfind("<tr>")
        page = page[:cut]
        path = os.path.join(tmp, "page.psp")
        with open(path, "w") as f:
            f.write(page)
        size = len(page.encode())

        def best(fn, runs=7):
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
            return min(times) * 1000

        t_str = best(lambda: _psp.parsestring(page))
        t_file = best(lambda: _psp.parse(path))
        print("page %d bytes -> %d bytes of Python"
              % (size, len(_psp.parsestring(page).encode())))
        print("parsestring: %.1f ms   parse(file): %.1f ms" % (t_str, t_file))
        ok = max(t_str, t_file) < LIMIT_MS
        print("target: a 1 MB page parses in under %d ms: %s"
              % (LIMIT_MS, "met" if ok else "MISSED"))
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
