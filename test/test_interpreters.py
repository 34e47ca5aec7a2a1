"""Interpreter naming and lifetime (manual 4.1, 5.4.4-5.4.6).

counter.py reports req.interpreter, the PID, a token drawn when the module
was imported and a module-global counter; under prefork several children
answer, so results are grouped by PID.
"""
import collections
import os
import random

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName interp-a
    DocumentRoot "{htdocs}/interpreters"
</VirtualHost>
<VirtualHost *:{port}>
    ServerName interp-b
    DocumentRoot "{htdocs}/interpreters"
</VirtualHost>
<Directory "{htdocs}/interpreters/shared">
    SetHandler mod_python
    PythonHandler counter
</Directory>
<Directory "{htdocs}/interpreters/named">
    SetHandler mod_python
    PythonHandler counter
    PythonInterpreter mp-named-interpreter
</Directory>
<Directory "{htdocs}/interpreters/main">
    SetHandler mod_python
    PythonHandler counter
    PythonInterpreter main_interpreter
</Directory>
<Directory "{htdocs}/interpreters/perdir">
    SetHandler mod_python
    PythonHandler report
    PythonInterpPerDirectory On
</Directory>
<Directory "{htdocs}/interpreters/perdirective">
    SetHandler mod_python
    PythonHandler report
    PythonInterpPerDirective On
</Directory>
<Directory "{htdocs}/interpreters/perdirective/sub">
    PythonHandler report
</Directory>
"""


def fetch(httpd, path, host):
    r = httpd.get(path, host=host)
    assert r.status_code == 200, r.text
    return r.json()


def tokens_by_pid(httpd, path, hosts, requests=120):
    """({host: {pid: set of tokens}}, PIDs that answered for every host).

    Hosts are picked at random: prefork children take turns at accept(), so
    a strict a, b, a, b order could give every request for a to one child
    and every request for b to the other.  Stops once some PID has answered
    for every host."""
    seen = {h: collections.defaultdict(set) for h in hosts}
    common = set()
    for i in range(requests):
        h = hosts[i] if i < len(hosts) else random.choice(hosts)
        d = fetch(httpd, path, h)
        seen[h][d["pid"]].add(d["token"])
        common = set.intersection(*(set(seen[h]) for h in hosts))
        if common:
            break
    return seen, common


def test_default_name_is_server_name(httpd):
    """4.1: by default the interpreter is named after the virtual server's
    ServerName."""
    assert fetch(httpd, "/shared/x", "interp-a")["interpreter"] == "interp-a"
    assert fetch(httpd, "/shared/x", "interp-b")["interpreter"] == "interp-b"
    # the default server of the harness is ServerName 127.0.0.1
    d = fetch(httpd, "/interpreters/shared/x", "127.0.0.1")
    assert d["interpreter"] == "127.0.0.1"


def test_virtual_hosts_do_not_share_globals(httpd):
    """4.1: scripts in different virtual servers run in different
    subinterpreters with separate namespaces: the same module imported in
    one process for interp-a and for interp-b is two modules."""
    seen, common = tokens_by_pid(httpd, "/shared/x", ["interp-a", "interp-b"])
    assert common, "no child answered for both virtual hosts"
    for pid in common:
        assert not (seen["interp-a"][pid] & seen["interp-b"][pid]), pid


def test_interpreter_reused(httpd):
    """4.1: once created, a subinterpreter is reused for later requests: in
    each child the module is imported once and its global counter grows."""
    by_pid = collections.defaultdict(list)
    for _ in range(16):
        d = fetch(httpd, "/shared/x", "interp-a")
        by_pid[d["pid"]].append((d["count"], d["token"]))
    assert any(len(v) >= 2 for v in by_pid.values())
    for pid, results in by_pid.items():
        counts = [c for c, _ in results]
        tokens = {t for _, t in results}
        assert len(tokens) == 1, (pid, results)
        assert counts == sorted(counts) and len(set(counts)) == len(counts), \
            (pid, results)


def test_python_interpreter_directive(httpd):
    """5.4.6: PythonInterpreter names the interpreter, overriding the
    default naming; the same name in two virtual servers is one
    interpreter."""
    d = fetch(httpd, "/named/x", "interp-a")
    assert d["interpreter"] == "mp-named-interpreter"
    assert d["main"] in (False, None)
    seen, common = tokens_by_pid(httpd, "/named/x", ["interp-a", "interp-b"])
    assert common, "no child answered for both virtual hosts"
    for pid in common:
        assert seen["interp-a"][pid] == seen["interp-b"][pid], pid


def test_main_interpreter(httpd):
    """4.1: PythonInterpreter main_interpreter runs the handler in the first
    interpreter of the process (where PEP 311 extensions work), which is a
    different namespace from the virtual server's subinterpreter."""
    d = fetch(httpd, "/main/x", "interp-a")
    assert d["interpreter"] == "main_interpreter"
    assert d["main"] in (True, None)
    other = fetch(httpd, "/shared/x", "interp-a")
    assert other["main"] in (False, None)


def test_interp_per_directory(httpd):
    """5.4.4: PythonInterpPerDirectory names the interpreter after the
    directory of req.filename: a subdirectory without its own directive
    gets its own interpreter."""
    base = os.path.join(httpd.htdocs, "interpreters", "perdir")
    d = fetch(httpd, "/perdir/x", "interp-a")
    assert d["interpreter"].rstrip("/") == base
    d = fetch(httpd, "/perdir/sub/x", "interp-a")
    assert d["filename"] == os.path.join(base, "sub", "x")
    assert d["interpreter"].rstrip("/") == os.path.join(base, "sub")


def test_interp_per_directive(httpd):
    """5.4.5: PythonInterpPerDirective names the interpreter after the
    directory where the PythonHandler in effect was found: a subdirectory
    with no PythonHandler of its own shares its parent's interpreter, one
    with its own directive gets its own."""
    base = os.path.join(httpd.htdocs, "interpreters", "perdirective")
    d = fetch(httpd, "/perdirective/x", "interp-a")
    assert d["interpreter"].rstrip("/") == base
    d = fetch(httpd, "/perdirective/other/x", "interp-a")
    assert d["interpreter"].rstrip("/") == base
    d = fetch(httpd, "/perdirective/sub/x", "interp-a")
    assert d["interpreter"].rstrip("/") == os.path.join(base, "sub")
