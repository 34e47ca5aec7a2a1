"""Python in server-side includes (Doc/ssi.rst; mod_python 3.3's "Server
Side Includes"): the ``<!--#python exec="..." -->`` and ``<!--#python
eval="..." -->`` elements of mod_include's INCLUDES filter.  The pages are
in htdocs/ssi."""

import re

HOST = "ssi"
ERROR = "[an error occurred while processing this directive]"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName ssi
    DocumentRoot "{htdocs}/ssi"
</VirtualHost>
<Directory "{htdocs}/ssi">
    Options +Includes
    AddType text/html .shtml
    AddOutputFilter INCLUDES .shtml
    <Files "globals.shtml">
        PythonFixupHandler prepare
    </Files>
    <Files "debug.shtml">
        PythonDebug On
    </Files>
    <Files "dynamic.py">
        SetHandler mod_python
        PythonHandler dynamic
        SetOutputFilter INCLUDES
    </Files>
</Directory>
<Directory "{htdocs}/ssi/noexec">
    Options IncludesNOEXEC
</Directory>
"""


def page(httpd, path):
    r = httpd.get(path, host=HOST)
    assert r.status_code == 200, r.text
    r.encoding = "utf-8"
    return r.text


def test_eval_and_exec(httpd):
    """"Using Python code": eval puts str() of the expression's value in
    the page (UTF-8), exec writes with filter.write() or print(...,
    file=filter), and what one block
    defines (imports, functions) the next can use ("Scope of global
    data"); filter.req is the request, filter.name the INCLUDES filter."""
    text = page(httpd, "/basic.shtml")
    assert "<p>eval: " + 10 * "HELLO " + "</p>" in text
    assert "<p>len: 5</p>" in text
    assert "<p>exec: 5</p>" in text
    assert "<p>printed 42</p>" in text
    assert "<p>shared: CAF\u00c9 &amp; CR\u00c8ME</p>" in text
    assert "<p>text: \u65e5\u672c\u8a9e \u2603</p>" in text
    assert "<p>utf8: GR\u00dcSSE</p>" in text
    assert "<p>uri: /basic.shtml</p>" in text
    assert "<p>name: INCLUDES</p>" in text
    assert "<p>end</p>" in text
    assert "#python" not in text and ERROR not in text


def test_page_variables(httpd):
    """"Conditional expressions": the page's variables are
    filter.req.subprocess_env both ways: #set is seen by Python, what
    Python sets is seen by #if and #echo; a #python inside a false #if
    does not run."""
    text = page(httpd, "/vars.shtml")
    assert "<p>from set: hello from set</p>" in text
    assert "if saw python's variable" in text
    assert "did not see" not in text
    assert "<p>echo: yes</p>" in text
    assert "never run" not in text
    assert "<p>done</p>" in text


def test_include_virtual(httpd):
    """#include virtual: the included page's #python elements run in its
    subrequest, whose filter.req is the subrequest (req.main the page's),
    with globals of its own."""
    text = page(httpd, "/outer.shtml")
    assert "<p>outer: /outer.shtml</p>" in text
    assert "<p>inner: /inner.shtml main /outer.shtml</p>" in text
    assert "<p>inner sees: nothing</p>" in text
    assert "<p>outer again: outer-global</p>" in text


def test_globals_prepared_by_fixup(httpd):
    """"Pre-populating globals": a fixup handler's req.ssi_globals is the
    page's global namespace, and changes persist from block to block of
    the request, but not into the next request."""
    for _ in range(2):
        text = page(httpd, "/globals.shtml")
        assert "<p>prepared: by the fixup handler</p>" in text
        assert "<p>helper: 42</p>" in text
        assert "<p>counter: [0, 1]</p>" in text


def test_handler_output_through_includes(httpd):
    """SSI on generated content: a Python handler's output goes through
    SetOutputFilter INCLUDES and its #python elements run."""
    text = page(httpd, "/dynamic.py")
    assert "<p>made by mod_python</p>" in text
    assert "<p>sum 10</p>" in text


def test_raising_element(httpd):
    """A raising #python: the page shows Apache's SSI error string where
    the element was and goes on; the error log has one numbered entry
    (MP0109) per element, with the traceback."""
    marker = "m%d" % id(httpd)
    mark = httpd.log_mark()
    text = page(httpd, "/raises.shtml?" + marker)
    assert text.count(ERROR) == 2, text
    assert text.index("before") < text.index(ERROR) < text.index("between")
    assert "<p>after</p>" in text
    assert "Traceback" not in text
    log = httpd.wait_for_log("ZeroDivisionError", mark)
    entries = [l for l in log.splitlines() if "MP0109" in l]
    assert len(entries) == 2, log
    assert "#python exec in" in entries[0] and "raised ValueError" in \
        entries[0]
    assert "ssi-broken-" + marker in entries[0]
    assert "Traceback (most recent call last)" in entries[0]
    assert "raises.shtml (#python exec)" in entries[0]
    assert "#python eval in" in entries[1] and "ZeroDivisionError" in \
        entries[1]


def test_raising_element_with_debug(httpd):
    """PythonDebug On: the traceback (HTML-escaped) is written into the
    page before the error string, as a filter's would be."""
    text = page(httpd, "/debug.shtml")
    assert "Traceback (most recent call last)" in text
    assert "KeyError: &#x27;&lt;debug-shown&gt;&#x27;" in text
    assert text.index("Traceback") < text.index(ERROR) < \
        text.index("<p>after</p>")


def test_bad_elements(httpd):
    """Bad input gets a clear error: an unknown attribute, both exec and
    eval, no attribute at all (MP0108, MP0106), and code that does not
    compile (MP0109, SyntaxError) each give the error string and a log
    line; the rest of the page is served."""
    mark = httpd.log_mark()
    text = page(httpd, "/bad.shtml")
    assert text.count(ERROR) == 4, text
    for letter in "abcde":
        assert "<p>%s</p>" % letter in text
    assert "x" not in re.sub(r"<p>.</p>|\[an error[^]]*\]|\s", "", text)
    log = httpd.wait_for_log("SyntaxError", mark)
    assert "MP0108" in log and "attribute 'code'" in log
    assert "attribute 'eval' after the code" in log
    assert "MP0106" in log
    assert re.search(r"MP0109: #python eval in \S+bad.shtml raised "
                     r"SyntaxError", log), log


def test_includes_noexec(httpd):
    """Options IncludesNOEXEC: no Python runs (as 3.3 documents); the
    element gives the error string and MP0107 says why."""
    mark = httpd.log_mark()
    text = page(httpd, "/noexec/forbidden.shtml")
    assert ERROR in text
    assert "<p>after</p>" in text
    log = httpd.wait_for_log("MP0107", mark)
    assert "IncludesNOEXEC" in log
    assert "ssi-noexec-ran" not in log
