"""Running in production (Doc/production.rst): Python's logging and
print()/sys.stderr go to Apache's error log, at Apache's levels, under
Apache's LogLevel, with the request's client prefix; an extension module
that refuses subinterpreters gets a log line naming the fix."""

import os
import re
import subprocess
import sysconfig

import pytest

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName prodlog
    DocumentRoot "{htdocs}/prodlog"
    <Directory "{htdocs}/prodlog">
        SetHandler mod_python
        PythonHandler logs::levels
        PythonPath "sys.path + ['{htdocs}/prodlog']"
    </Directory>
    <Location /exception>
        PythonHandler logs::exception
    </Location>
    <Location /thread>
        PythonHandler logs::thread
    </Location>
    <Location /prints>
        PythonHandler logs::prints
    </Location>
</VirtualHost>
"""

# One server for the LogLevel tests: the global level is warn; one virtual
# host lets python:debug through for itself, another for one <Location>.
LEVELS_CONF = """
<Directory "{htdocs}/prodlog">
    SetHandler mod_python
    PythonHandler logs::levels
    PythonPath "sys.path + ['{htdocs}/prodlog']"
</Directory>
<Location /unformatted>
    PythonHandler logs::unformatted
</Location>
<VirtualHost *:{port}>
    ServerName plain
    DocumentRoot "{htdocs}/prodlog"
    <Location /debug-here>
        LogLevel warn python:debug
    </Location>
</VirtualHost>
<VirtualHost *:{port}>
    ServerName verbose
    DocumentRoot "{htdocs}/prodlog"
    LogLevel warn python:debug
</VirtualHost>
"""

LEVEL_NAMES = ("debug", "info", "warning", "error", "critical")
APACHE_LEVEL = {"debug": "debug", "info": "info", "warning": "warn",
                "error": "error", "critical": "crit"}


def _entries(server, mark, token):
    """The error log lines since mark that carry token."""
    return [l for l in server.error_log_since(mark).splitlines()
            if token in l]


def _levels_logged(server, mark, token):
    found = {}
    for line in _entries(server, mark, token):
        m = re.search(r"\[python:(\w+)\].*prodlog: at-(\w+) " + token,
                      line)
        if m:
            found[m.group(2)] = m.group(1)
    return found


@pytest.fixture(scope="module")
def levels_server(request):
    from conftest import HttpdServer
    server = HttpdServer(LEVELS_CONF, name="prodlog-levels", loglevel="warn")
    server.start()
    yield server
    left = server.stop()
    server.cleanup()
    assert left == []


def test_levels_under_global_warn(levels_server):
    """LogLevel warn: WARNING, ERROR and CRITICAL records are written as
    [python:warn], [python:error], [python:crit]; DEBUG and INFO are not."""
    mark = levels_server.log_mark()
    r = levels_server.get("/x?token=tok-warn", host="plain")
    assert r.status_code == 200, levels_server.diagnostics()
    # The response is sent after the handler logged.
    assert _levels_logged(levels_server, mark, "tok-warn") == {
        "warning": "warn", "error": "error", "critical": "crit"}


def test_python_debug_for_a_virtual_host(levels_server):
    """LogLevel warn python:debug in a <VirtualHost>: every level of that
    host's records is written, each at its Apache level."""
    mark = levels_server.log_mark()
    r = levels_server.get("/x?token=tok-vhost", host="verbose")
    assert r.status_code == 200
    assert _levels_logged(levels_server, mark, "tok-vhost") == APACHE_LEVEL
    # The root logger's own records too.
    assert any("[python:debug]" in l and "root-debug tok-vhost" in l
               for l in _entries(levels_server, mark, "tok-vhost"))


def test_python_debug_for_a_location(levels_server):
    """LogLevel python:debug in a <Location> applies to requests there
    only: the same handler elsewhere in the host writes warn and above."""
    mark = levels_server.log_mark()
    r = levels_server.get("/debug-here?token=tok-loc", host="plain")
    assert r.status_code == 200
    r = levels_server.get("/elsewhere?token=tok-else", host="plain")
    assert r.status_code == 200
    assert _levels_logged(levels_server, mark, "tok-loc") == APACHE_LEVEL
    assert _levels_logged(levels_server, mark, "tok-else") == {
        "warning": "warn", "error": "error", "critical": "crit"}


def test_dropped_record_is_not_formatted(levels_server):
    """A record below the request's LogLevel is dropped before its message
    is formatted: its argument's __str__ never runs under LogLevel warn,
    and runs once where python:debug lets the record through."""
    r = levels_server.get("/unformatted", host="plain")
    assert r.status_code == 200, levels_server.diagnostics()
    assert r.text == "0"
    r = levels_server.get("/unformatted", host="verbose")
    assert r.text == "1"


def test_root_logger_level_follows_loglevel(levels_server):
    """The root logger's level is the most verbose LogLevel any line of
    the configuration gives the python module (debug here), and its
    handler is mod_python's; sys.stdout and sys.stderr are the log
    streams."""
    info = levels_server.get("/x", host="plain").json()
    assert info["root_level"] == 10
    assert info["handlers"] == ["ApacheLogHandler"]
    assert info["public"] is True       # mod_python.apache.ApacheLogHandler
    assert info["stdout"] == info["stderr"] == "_LogStream"


def test_root_logger_level_warn_without_debug(extra_httpd):
    """With LogLevel warn everywhere the root logger's level is WARNING, so
    a debug() call is dropped before a record is made."""
    server = extra_httpd("""
<VirtualHost *:{port}>
    ServerName quiet
    DocumentRoot "{htdocs}/prodlog"
    <Directory "{htdocs}/prodlog">
        SetHandler mod_python
        PythonHandler logs::levels
    </Directory>
</VirtualHost>
""", name="prodlog-quiet", loglevel="warn")
    info = server.get("/x", host="quiet").json()
    assert info["root_level"] == 30


def test_request_prefix(httpd):
    """A record logged during a request carries Apache's request prefix:
    [python:level] [pid N:tid T] [client IP:port]."""
    mark = httpd.log_mark()
    assert httpd.get("/x?token=tok-prefix", host="prodlog").status_code \
        == 200
    lines = [l for l in _entries(httpd, mark, "at-error tok-prefix")]
    assert len(lines) == 1, httpd.error_log_since(mark)
    assert re.search(r"\[python:error\] \[pid \d+(:tid \d+)?\] "
                     r"\[client 127\.0\.0\.1:\d+\] prodlog: at-error "
                     r"tok-prefix$", lines[0]), lines[0]


def test_exception_is_one_entry(httpd):
    """logger.exception(): the message and the traceback are one entry
    (Apache writes the traceback's newlines as \\n in that entry)."""
    mark = httpd.log_mark()
    assert httpd.get("/exception?token=tok-exc",
                     host="prodlog").status_code == 200
    lines = _entries(httpd, mark, "caught tok-exc")
    assert len(lines) == 1, httpd.error_log_since(mark)
    entry = lines[0]
    assert "[python:error]" in entry and "[client 127.0.0.1:" in entry
    assert "prodlog: caught tok-exc\\nTraceback (most recent call last):" \
        in entry
    assert "KeyError: 'missing-key-tok-exc'" in entry


def test_logging_from_a_thread_of_the_handler(httpd):
    """A thread the handler starts: its records and print() lines reach
    the error log; they are the server's (no client) unless logged with
    extra={"req": req}, which makes them the request's."""
    mark = httpd.log_mark()
    assert httpd.get("/thread?token=tok-thr", host="prodlog").status_code \
        == 200
    plain = _entries(httpd, mark, "prodlog: from-thread tok-thr")
    with_req = _entries(httpd, mark, "from-thread-with-req tok-thr")
    assert len(plain) == 1 and len(with_req) == 1, \
        httpd.error_log_since(mark)
    assert "[python:warn]" in plain[0] and "[client " not in plain[0]
    assert "[python:warn]" in with_req[0]
    assert re.search(r"\[client 127\.0\.0\.1:\d+\]", with_req[0])
    # print() there: a whole line of the server's log too.
    printed = _entries(httpd, mark, "printed-from-thread tok-thr")
    assert len(printed) == 1 and "[python:error]" in printed[0]
    assert "[client " not in printed[0]


def test_print_and_stderr_lines_whole(httpd):
    """print() and sys.stderr.write() in a handler: each complete line is
    one error log entry of the request, however many writes made it (a
    flush() between them included); two lines printed at once are two
    entries; sys.stdout.buffer takes bytes; a line left without its
    newline is written when the handler's phase ends."""
    mark = httpd.log_mark()
    assert httpd.get("/prints?token=tok-pr", host="prodlog").status_code \
        == 200
    lines = _entries(httpd, mark, "tok-pr")
    messages = []
    for line in lines:
        m = re.search(r"\[python:error\] \[pid [^\]]+\] "
                      r"\[client 127\.0\.0\.1:\d+\] (.*)$", line)
        assert m, line
        messages.append(m.group(1))
    assert messages == [
        "printed-whole-line tok-pr",
        "stderr-in-pieces tok-pr",
        "second-stderr-line tok-pr",
        "first-of-two tok-pr",
        "second-of-two tok-pr",
        "flushed-still-one-line tok-pr",
        "bytes-line tok-pr",
        "left-open tok-pr",
    ]


def test_options_off(extra_httpd):
    """PythonOption mod_python.logging off / mod_python.stdio off at server
    level: the root logger keeps Python's defaults and sys.stdout/stderr
    stay Python's own."""
    server = extra_httpd("""
PythonOption mod_python.logging off
PythonOption mod_python.stdio off
<VirtualHost *:{port}>
    ServerName off
    DocumentRoot "{htdocs}/prodlog"
    <Directory "{htdocs}/prodlog">
        SetHandler mod_python
        PythonHandler logs::levels
    </Directory>
</VirtualHost>
""", name="prodlog-off")
    info = server.get("/x", host="off").json()
    assert info["handlers"] == []
    assert info["root_level"] == 30
    assert info["stdout"] == info["stderr"] == "TextIOWrapper"


def test_bad_option_value(extra_httpd):
    """A value other than On/Off: MP0307 names the option, and the default
    (On) applies."""
    server = extra_httpd("""
PythonOption mod_python.logging maybe
<VirtualHost *:{port}>
    ServerName bad
    DocumentRoot "{htdocs}/prodlog"
    <Directory "{htdocs}/prodlog">
        SetHandler mod_python
        PythonHandler logs::levels
    </Directory>
</VirtualHost>
""", name="prodlog-bad")
    info = server.get("/x", host="bad").json()
    assert info["handlers"] == ["ApacheLogHandler"]
    text = server.error_log_since(0)
    assert "MP0307: PythonOption mod_python.logging must be On or Off, " \
        "not 'maybe'" in text


INTERP_CONF = """
PythonImport cryptography.hazmat.bindings._rust main_interpreter
<VirtualHost *:{port}>
    ServerName ext
    DocumentRoot "{htdocs}/prodlog"
    <Directory "{htdocs}/prodlog">
        SetHandler mod_python
        PythonHandler interp
    </Directory>
    <Location /main>
        PythonInterpreter main_interpreter
    </Location>
</VirtualHost>
"""


def test_one_interpreter_extension_hint(extra_httpd):
    """An extension module that loads in one interpreter per process only
    (cryptography's PyO3 bindings), imported in a subinterpreter after
    main_interpreter has it: the 500's log names the module and the fix,
    PythonInterpreter main_interpreter (MP0305); in main_interpreter the
    same handler works."""
    server = extra_httpd(INTERP_CONF, name="prodlog-ext")
    mark = server.log_mark()
    r = server.get("/sub", host="ext")
    assert r.status_code == 500
    text = server.error_log_since(mark)
    hint = [l for l in text.splitlines() if "MP0305" in l]
    assert len(hint) == 1, text
    assert "'PythonInterpreter main_interpreter'" in hint[0]
    assert "interpreter 'ext'" in hint[0]
    assert "[client 127.0.0.1:" in hint[0]
    r = server.get("/main", host="ext")
    assert r.status_code == 200, server.diagnostics()
    assert r.text == "imported in main_interpreter"


ONEINTERP_C = r"""
#include <Python.h>

static struct PyModuleDef oneinterp = {
    PyModuleDef_HEAD_INIT, "oneinterp", NULL, -1, NULL
};

/* The text CPython 3.12 and later give when they refuse a module in a
 * subinterpreter, raised here in any interpreter but the main one. */
PyMODINIT_FUNC
PyInit_oneinterp(void)
{
    if (PyInterpreterState_Get() != PyInterpreterState_Main()) {
        PyErr_SetString(PyExc_ImportError, "module oneinterp does not "
                        "support loading in subinterpreters");
        return NULL;
    }
    return PyModule_Create(&oneinterp);
}
"""

ONEINTERP_CONF = """
<VirtualHost *:{port}>
    ServerName oneinterp
    DocumentRoot "{htdocs}/prodlog"
    <Directory "{htdocs}/prodlog">
        SetHandler mod_python
        PythonHandler oneinterp_handler
        PythonPath "sys.path + ['{root}/ext']"
    </Directory>
    <Location /main>
        PythonInterpreter main_interpreter
    </Location>
</VirtualHost>
"""


def _build_oneinterp(directory):
    os.mkdir(directory)
    source = os.path.join(directory, "oneinterp.c")
    with open(source, "w") as f:
        f.write(ONEINTERP_C)
    target = os.path.join(directory,
                          "oneinterp" + sysconfig.get_config_var("EXT_SUFFIX"))
    subprocess.run(["cc", "-shared", "-fPIC",
                    "-I" + sysconfig.get_paths()["include"],
                    "-o", target, source], check=True)
    os.chmod(directory, 0o755)
    os.chmod(target, 0o755)


def test_subinterpreter_refusal_hint(extra_httpd):
    """CPython's refusal text, "module X does not support loading in
    subinterpreters", from a C extension compiled here: MP0305 names
    PythonInterpreter main_interpreter, where the module loads."""
    server = extra_httpd(ONEINTERP_CONF, name="prodlog-oneinterp",
                         start=False)
    _build_oneinterp(os.path.join(server.root, "ext"))
    server.start()
    mark = server.log_mark()
    assert server.get("/sub", host="oneinterp").status_code == 500
    hint = [l for l in server.error_log_since(mark).splitlines()
            if "MP0305" in l]
    assert len(hint) == 1, server.error_log_since(mark)
    assert "does not support loading in subinterpreters" in hint[0]
    assert "'PythonInterpreter main_interpreter'" in hint[0]
    r = server.get("/main", host="oneinterp")
    assert r.status_code == 200, server.diagnostics()
    assert r.text == "imported in main_interpreter"


def test_hint_for_python_import(extra_httpd):
    """The same hint when it is a PythonImport that fails: the second
    interpreter to import cryptography's bindings in each child gets
    MP0305 (a server entry: no request) next to PythonImport's MP0006."""
    server = extra_httpd("""
PythonImport cryptography.hazmat.bindings._rust main_interpreter
PythonImport cryptography.hazmat.bindings._rust second_interp
""", name="prodlog-import")
    text = server.wait_for_log("MP0305")
    hint = [l for l in text.splitlines() if "MP0305" in l][0]
    assert "interpreter 'second_interp'" in hint
    assert "'PythonInterpreter main_interpreter'" in hint
    assert "[client " not in hint
    assert "MP0006: PythonImport cryptography.hazmat.bindings._rust " \
        "second_interp failed" in server.error_log_since(0)
