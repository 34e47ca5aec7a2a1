"""The manual in Doc/ builds without a single Sphinx warning (every
chapter in the table of contents, every cross reference resolved, every
literalinclude'd test handler present), so it cannot drift from the code
it includes without the suite noticing."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_manual_builds_without_warnings(tmp_path):
    """Every capability ships with its chapter in Doc/ (make docs)."""
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html",
         "-d", str(tmp_path / "doctrees"), os.path.join(REPO, "Doc"),
         str(tmp_path / "html")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300)
    assert result.returncode == 0, result.stdout
    for chapter in ("util", "cookie", "session", "psp", "publisher",
                    "cgihandler", "testhandler", "request", "apache"):
        assert os.path.isfile(tmp_path / "html" / (chapter + ".html")), \
            chapter
