"""PythonHome: every interpreter of the child runs from a virtual
environment (Doc/production.rst, "Virtual environments").

Each test makes its venv at test time with ``/usr/bin/python3 -m venv``
(no network: a small package is written straight into its site-packages)
inside a server's own ServerRoot, which the children can read.
"""

import os
import shutil
import subprocess
import sys

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName venv-none
    DocumentRoot "{htdocs}/venv"
    <Directory "{htdocs}/venv">
        SetHandler mod_python
        PythonHandler report
    </Directory>
</VirtualHost>
"""
PYTHON = "/usr/bin/python3"
VERSION = "%d.%d" % sys.version_info[:2]

VENV_CONF = """
PythonHome "{root}/venv"
<VirtualHost *:{port}>
    ServerName venv
    DocumentRoot "{htdocs}/venv"
    <Directory "{htdocs}/venv">
        SetHandler mod_python
        PythonHandler report
    </Directory>
</VirtualHost>
"""


def _make_venv(path, probe=True):
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", path],
                   check=True)
    _make_venv_readable_with_probe(path, probe)


def _make_venv_readable_with_probe(path, probe=True):
    if probe:
        site = os.path.join(path, "lib", "python%s" % VERSION,
                            "site-packages", "mp_venv_probe")
        os.makedirs(site)
        with open(os.path.join(site, "__init__.py"), "w") as f:
            f.write("WHERE = 'the venv'\n")
    for dirpath, dirnames, filenames in os.walk(path):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            full = os.path.join(dirpath, name)
            if not os.path.islink(full):
                os.chmod(full, os.stat(full).st_mode | 0o444)


def _set_version(venv, version):
    cfg = os.path.join(venv, "pyvenv.cfg")
    with open(cfg) as f:
        lines = [l for l in f if not l.startswith("version")]
    lines.append("version = %s\n" % version)
    with open(cfg, "w") as f:
        f.writelines(lines)


def test_handler_runs_in_the_venv(extra_httpd):
    """PythonHome DIR with a venv: sys.prefix is the venv, a package only
    the venv holds imports, and the system's site-packages (which hold
    flask) are not on sys.path."""
    server = extra_httpd(VENV_CONF, name="venv", start=False)
    venv = os.path.join(server.root, "venv")
    _make_venv(venv)
    server.start()
    r = server.get("/x", host="venv")
    assert r.status_code == 200, server.diagnostics()
    info = r.json()
    assert os.path.realpath(info["prefix"]) == os.path.realpath(venv)
    assert info["base_prefix"] != info["prefix"]
    assert info["probe"] == "the venv"
    assert info["probe_file"].startswith(venv)
    assert info["system_package"] is False


def test_without_python_home_the_system_python(httpd):
    """Without PythonHome the same handler's import fails: the probe
    package exists only in the venv (so the test above proves the venv)."""
    r = httpd.get("/x", host="venv-none")
    assert r.status_code == 500


def test_venv_of_another_python_version_stops_apache(extra_httpd):
    """A venv whose pyvenv.cfg names another Python X.Y than the one
    mod_python is built with: httpd refuses the configuration with MP0303,
    naming both versions."""
    server = extra_httpd(VENV_CONF, name="venv-old", start=False)
    venv = os.path.join(server.root, "venv")
    _make_venv(venv, probe=False)
    other = "3.%d.4" % (sys.version_info[1] - 2)
    _set_version(venv, other)
    result = server.config_test()
    assert result.returncode != 0
    assert "MP0303" in result.stdout, result.stdout
    assert "Python 3.%d" % (sys.version_info[1] - 2) in result.stdout
    assert "runs Python %s" % VERSION in result.stdout


def test_python_home_not_a_directory(extra_httpd):
    """PythonHome naming nothing: MP0300, Apache does not start."""
    server = extra_httpd(VENV_CONF, name="venv-missing", start=False)
    result = server.config_test()
    assert result.returncode != 0
    assert "MP0300" in result.stdout and "not a directory" in result.stdout


def test_python_home_neither_venv_nor_installation(extra_httpd):
    """A directory with neither pyvenv.cfg nor lib/pythonX.Y: MP0301."""
    server = extra_httpd(VENV_CONF, name="venv-empty", start=False)
    os.mkdir(os.path.join(server.root, "venv"))
    result = server.config_test()
    assert result.returncode != 0
    assert "MP0301" in result.stdout, result.stdout


def test_pyvenv_cfg_without_version(extra_httpd):
    """A pyvenv.cfg with no version line: MP0304."""
    server = extra_httpd(VENV_CONF, name="venv-noversion", start=False)
    venv = os.path.join(server.root, "venv")
    os.mkdir(venv)
    with open(os.path.join(venv, "pyvenv.cfg"), "w") as f:
        f.write("home = /usr/bin\n")
    result = server.config_test()
    assert result.returncode != 0
    assert "MP0304" in result.stdout, result.stdout


def test_python_home_only_at_server_level(extra_httpd):
    """PythonHome inside a <VirtualHost> is refused: one Python per
    process, started before any virtual host is chosen."""
    server = extra_httpd("""
<VirtualHost *:{port}>
    ServerName venv-vhost
    PythonHome "{root}"
</VirtualHost>
""", name="venv-vhost", start=False)
    result = server.config_test()
    assert result.returncode != 0
    assert "PythonHome" in result.stdout


def test_httpdconf_writes_python_home():
    """mod_python.httpdconf knows the directive, as it knows the others."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "lib", "python"))
    try:
        from mod_python import httpdconf
    finally:
        sys.path.pop(0)
    assert str(httpdconf.PythonHome("/srv/shop/venv")) == \
        "PythonHome /srv/shop/venv\n"


def test_python_home_installation_prefix(extra_httpd):
    """PythonHome naming a Python installation rather than a venv (a
    directory with lib/pythonX.Y, as PYTHONHOME takes it; here one whose
    standard library is the system's, by a symbolic link): Python starts
    with that directory as its prefix."""
    server = extra_httpd("""
PythonHome "{root}/pyhome"
<VirtualHost *:{port}>
    ServerName prefix
    DocumentRoot "{htdocs}/venv"
    <Directory "{htdocs}/venv">
        SetHandler mod_python
        PythonHandler report::prefix
    </Directory>
</VirtualHost>
""", name="venv-prefix", start=False)
    home = os.path.join(server.root, "pyhome")
    os.makedirs(os.path.join(home, "lib"))
    os.chmod(home, 0o755)
    os.chmod(os.path.join(home, "lib"), 0o755)
    os.symlink(os.path.join(sys.base_prefix, "lib", "python" + VERSION),
               os.path.join(home, "lib", "python" + VERSION))
    server.start()
    r = server.get("/x", host="prefix")
    assert r.status_code == 200, server.diagnostics()
    assert r.json() == {"prefix": home, "home": home}


def _copy_for_pip(top):
    """What dist/setup.py builds from (it finds ../lib/python and ../src),
    copied so that pip's build leaves the source tree alone."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    skip = shutil.ignore_patterns("*.o", "*.lo", "*.slo", "*.so", ".libs",
                                  "__pycache__", "build", "*.egg-info")
    for part in ("dist", "src", os.path.join("lib", "python")):
        shutil.copytree(os.path.join(repo, part), os.path.join(top, part),
                        ignore=skip)
    return os.path.join(top, "dist")


def test_mod_python_installed_in_the_venv(extra_httpd, tmp_path):
    """The way Doc/production.rst installs mod_python's package into the
    environment (pip install --no-index --no-build-isolation ./dist) works:
    with no PYTHONPATH at all, handlers import mod_python from the venv."""
    server = extra_httpd(VENV_CONF, name="venv-installed", start=False)
    server.server.env.pop("PYTHONPATH")
    venv = os.path.join(server.root, "venv")
    subprocess.run([PYTHON, "-m", "venv", venv], check=True)
    dist = _copy_for_pip(str(tmp_path))
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q",
                    "--no-index", "--no-build-isolation", dist],
                   check=True)
    _make_venv_readable_with_probe(venv)
    server.start()
    r = server.get("/x", host="venv")
    assert r.status_code == 200, server.diagnostics()
    info = r.json()
    assert info["mod_python_file"].startswith(venv)
    assert info["probe"] == "the venv"


def test_venv_without_mod_python(extra_httpd):
    """A venv that cannot import mod_python (not installed there, no
    PYTHONPATH): each interpreter logs MP0306 when it is made, and a
    handler fails with MP0003 naming the cause."""
    server = extra_httpd(VENV_CONF, name="venv-bare", start=False)
    server.server.env.pop("PYTHONPATH")
    _make_venv(os.path.join(server.root, "venv"))
    server.start()
    assert server.get("/x", host="venv").status_code == 500
    text = server.wait_for_log("MP0003")
    assert "MP0306" in text
    assert "No module named 'mod_python'" in text
