"""Installing mod_python beside a distribution's (Doc/installation.rst,
"Installing beside a packaged mod_python"), and telling at once which
module and which Python package a server runs (the start-up log lines
MP0082 and MP0009, the mixed-installation warning MP0081).

The make tests use the configured top-level Makefile of this tree and
never write outside a temporary directory: the refusals are checked with
``make -n install`` (the check runs even in a dry run, nothing else does)
against files the system's packages really own.
"""
import filecmp
import os
import shutil
import subprocess
import sysconfig
import tempfile

import pytest

from conftest import REPO

HTTPD_CONF = ""

PACKAGED_SO = "/usr/lib/apache2/modules/mod_python.so"
PACKAGED_PKG = "/usr/lib/python3/dist-packages/mod_python"
MODULES_DIR = "/usr/lib/apache2/modules"


def _make(*args):
    if not os.path.isfile(os.path.join(REPO, "Makefile")):
        pytest.fail("run ./configure --with-python=/usr/bin/python3 first",
                    pytrace=False)
    return subprocess.run(["make", "--no-print-directory", "-C", REPO]
                          + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)


def _owner(path):
    out = subprocess.run(["dpkg", "-S", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    return out.stdout.split(":")[0] if out.returncode == 0 else None


def test_refuses_to_overwrite_packaged_module():
    """make install stops before copying anything when the module's
    target file belongs to a package (Debian's libapache2-mod-python
    owns mod_python.so in Apache's module directory), and says what to
    do: remove the package, or MP_SO_NAME / PY_SITEDIR, or DESTDIR."""
    assert _owner(PACKAGED_SO) == "libapache2-mod-python"
    r = _make("-n", "install", "LIBEXECDIR=" + MODULES_DIR)
    assert r.returncode != 0, r.stdout
    assert ("stopped: %s belongs to the package libapache2-mod-python"
            % PACKAGED_SO) in r.stdout
    assert "apt-get remove libapache2-mod-python" in r.stdout
    assert "MP_SO_NAME=mod_python3.so" in r.stdout
    assert "DESTDIR=" in r.stdout
    # The dry run stopped at the check: nothing after it was even listed.
    assert "install -m 755" not in r.stdout


def test_refuses_any_package_owned_target():
    """The check asks the package database about the actual target path,
    whatever the name: here a stock Apache module's file."""
    owner = _owner(os.path.join(MODULES_DIR, "mod_alias.so"))
    assert owner
    r = _make("-n", "install", "LIBEXECDIR=" + MODULES_DIR,
              "MP_SO_NAME=mod_alias.so")
    assert r.returncode != 0, r.stdout
    assert "belongs to the package %s" % owner in r.stdout


def test_refuses_to_shadow_packaged_python_package():
    """Under another file name the module no longer collides, but a
    package directory on Python's own search path would hide Debian's
    mod_python package (or be hidden by it): make install stops and says
    to choose a PY_SITEDIR outside it."""
    assert _owner(PACKAGED_PKG) == "libapache2-mod-python"
    sitedir = sysconfig.get_path("purelib", "posix_local") \
        if "posix_local" in sysconfig.get_scheme_names() \
        else sysconfig.get_path("purelib")
    r = _make("-n", "install", "LIBEXECDIR=" + MODULES_DIR,
              "MP_SO_NAME=mod_python3.so", "PY_SITEDIR=" + sitedir)
    assert r.returncode != 0, r.stdout
    assert "the mod_python package would go into" in r.stdout
    assert PACKAGED_PKG in r.stdout
    assert "PY_SITEDIR=" in r.stdout


def test_installs_beside_under_another_name():
    """MP_SO_NAME and a PY_SITEDIR off Python's path pass the check; a
    staged install (DESTDIR) puts the module under that name and the
    package in that directory, and the closing message gives the
    LoadModule line for the new name."""
    stage = tempfile.mkdtemp(prefix="mp-install-")
    try:
        r = _make("install", "DESTDIR=" + stage,
                  "LIBEXECDIR=" + MODULES_DIR, "MP_SO_NAME=mod_python3.so",
                  "PY_SITEDIR=/usr/local/lib/mod_python3",
                  "BINDIR=/usr/local/bin")
        assert r.returncode == 0, r.stdout[-3000:]
        so = os.path.join(stage + MODULES_DIR, "mod_python3.so")
        assert filecmp.cmp(so, os.path.join(REPO, "src", "mod_python.so"),
                           shallow=False)
        assert os.stat(so).st_mode & 0o777 == 0o755
        assert not os.path.exists(os.path.join(stage + MODULES_DIR,
                                               "mod_python.so"))
        assert os.path.isfile(os.path.join(
            stage, "usr/local/lib/mod_python3/mod_python/__init__.py"))
        assert ("LoadModule python_module %s/mod_python3.so" % MODULES_DIR
                in r.stdout)
    finally:
        shutil.rmtree(stage)


def test_startup_names_module_and_package(httpd):
    """The start-up notice (MP0082, logged whatever LogLevel says) names
    the mod_python.so file Apache loaded; each child's MP0009 (info)
    names that file and the Python package directory it will import."""
    log = httpd.wait_for_log(r"MP0009")
    so = os.path.realpath(httpd.module_so)
    assert "MP0082: mod_python 3.2.10 loaded from %s, built for Python" \
        % so in log
    assert "module %s, Python package %s" % (
        so, os.path.join(httpd.python_lib, "mod_python")) in log


MIXED_CONF = """
<Location /mpinfo>
    SetHandler mod_python
    PythonHandler mod_python.testhandler
</Location>
"""


def test_mixed_installation_warned(extra_httpd):
    """A Python package whose version is not the module's (a module from
    one release, a package from another) gets a warning (MP0081) naming
    both files when the package is first imported, and /mpinfo opens
    with the same warning."""
    server = extra_httpd(MIXED_CONF, name="mixed", start=False)
    version_py = os.path.join(server.python_lib, "mod_python", "version.py")
    with open(version_py) as f:
        text = f.read()
    assert 'version = "3.2.10"' in text
    with open(version_py, "w") as f:
        f.write(text.replace('version = "3.2.10"', 'version = "9.8.7"', 1))
    server.start()
    mark = server.log_mark()
    r = server.get("/mpinfo")
    assert r.status_code == 200
    assert "mixed installation" in r.text
    log = server.wait_for_log("MP0081", mark)
    assert "MP0081: mixed installation: %s is mod_python 3.2.10, but the " \
        "Python package it imported (%s) is version 9.8.7" % (
            os.path.realpath(server.module_so),
            os.path.join(server.python_lib, "mod_python", "__init__.py")) \
        in log
