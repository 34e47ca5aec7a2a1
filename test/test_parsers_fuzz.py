"""The parsers a client's bytes go through, fuzzed with hypothesis
against a reference implementation (Doc/reliability.rst).

* parse_qs/parse_qsl (src/parseqs.c, manual 4.6.4), outside Apache as the
  extension mod_python._parseqs that dist/setup.py builds from the same
  C file: the same results and the same ValueError as urllib.parse, with
  max_num_fields too.  (test_parseqs.py compares them inside Apache.)
* The PSP scanner (_psp, manual 4.9), outside Apache: a page made of
  text and <%= %> expressions produces, when run, exactly the text and
  the values in order.
* util.FieldStorage's multipart parser (lib/python/mod_python/util.py,
  manual 4.6.1), inside Apache: the parts and their bytes are those the
  email package's MIME parser finds in the same body.

Cookie parsing is fuzzed in test_cookie.py.
"""

import email.parser
import email.policy
import io
import os
import subprocess
import sys
import urllib.parse

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = "fuzz"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName fuzz
    DocumentRoot "{htdocs}/fuzz"
</VirtualHost>
<Directory "{htdocs}/fuzz">
    SetHandler mod_python
    PythonHandler multipart
</Directory>
"""


@pytest.fixture(scope="module")
def ext(tmp_path_factory):
    """mod_python._parseqs and mod_python._psp as `setup.py build` makes
    them, imported from a temporary build directory."""
    top = tmp_path_factory.mktemp("fuzz-ext")
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "dist", "setup.py"), "--quiet",
         "build", "--build-base", str(top / "build"),
         "--build-lib", str(top / "lib")],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sys.path.insert(0, str(top / "lib"))
    saved = {k: v for k, v in sys.modules.items()
             if k == "mod_python" or k.startswith("mod_python.")}
    for k in saved:
        del sys.modules[k]
    try:
        from mod_python import _parseqs, _psp
        yield _parseqs, _psp
    finally:
        sys.path.remove(str(top / "lib"))
        for k in list(sys.modules):
            if k == "mod_python" or k.startswith("mod_python."):
                del sys.modules[k]
        sys.modules.update(saved)


SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# ------------------------------------------------------------ parse_qs

QS_ALPHABET = "&=+%;aZ09AFcf \u00e9\u20ac\U0001F600\x00\t"
qs_text = st.one_of(st.text(alphabet=QS_ALPHABET, max_size=60),
                    st.text(max_size=30))


def _outcome(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except ValueError as exc:
        return ("ValueError", str(exc))


def test_parseqs_extension_is_the_c_parser(ext):
    """The extension is parseqs.c: its functions are builtins with the
    signature of _apache's, max_num_fields included."""
    parseqs, _ = ext
    assert type(parseqs.parse_qsl).__name__ == "builtin_function_or_method"
    assert "max_num_fields" in parseqs.parse_qs.__text_signature__
    assert parseqs.parse_qsl("a=1&b=%C3%A9") == [("a", "1"), ("b", "\u00e9")]


@SETTINGS
@given(qs=qs_text, keep=st.booleans(), strict=st.booleans(),
       limit=st.one_of(st.none(), st.integers(-2, 12)))
def test_parseqs_matches_urllib(ext, qs, keep, strict, limit):
    """parse_qs/parse_qsl give what urllib.parse gives, ValueError and
    its message included, for any string and any max_num_fields."""
    parseqs, _ = ext
    for name in ("parse_qsl", "parse_qs"):
        ours = _outcome(getattr(parseqs, name), qs, keep, strict,
                        max_num_fields=limit)
        ref = _outcome(getattr(urllib.parse, name), qs, keep, strict,
                       max_num_fields=limit)
        assert ours == ref, (name, qs, keep, strict, limit)


def test_parseqs_limit_before_parsing(ext):
    """max_num_fields is checked before anything is built: a string of a
    million fields is refused with a limit of 10."""
    parseqs, _ = ext
    with pytest.raises(ValueError, match="Max number of fields exceeded"):
        parseqs.parse_qsl("a=b&" * 1000000, max_num_fields=10)
    with pytest.raises(TypeError):
        parseqs.parse_qs("a=b", max_num_fields="10")


# ----------------------------------------------------------------- PSP

class _Req:
    def __init__(self):
        self.out = []

    def write(self, data, flush=1):
        self.out.append(data)


# Text that is not PSP syntax: no "<%", and no "<" at the end, where the
# next piece could make one; anything else (quotes, backslashes, "%>",
# CR and LF) may appear.
psp_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                   max_size=30).filter(
                       lambda t: "<%" not in t and not t.endswith("<"))
# An expression ends at the first "%>" (manual 6.2: expressions are
# enclosed in '<%=' and '%>'; the scanner does not read Python strings), so
# no value's repr may hold one.
psp_value = st.one_of(st.integers(),
                      st.text(max_size=10).filter(lambda t: "%>" not in t),
                      st.lists(st.integers(), max_size=3))
psp_piece = st.one_of(st.tuples(st.just("text"), psp_text),
                      st.tuples(st.just("expr"), psp_value))


@SETTINGS
@given(pieces=st.lists(psp_piece, max_size=8))
def test_psp_scanner_reproduces_page(ext, pieces):
    """The code _psp.parsestring makes of text and <%= expr %> pieces
    writes, when run, each text as it is and each value as str()."""
    _, psp = ext
    page, expected = [], []
    for kind, value in pieces:
        if kind == "text":
            page.append(value)
            expected.append(value)
        else:
            page.append("<%%= %r %%>" % (value,))
            expected.append(str(value))
    code = psp.parsestring("".join(page))
    req = _Req()
    exec(compile(code, "<psp>", "exec"), {"req": req})
    assert "".join(map(str, req.out)) == "".join(expected)


@SETTINGS
@given(st.text(max_size=80))
def test_psp_scanner_any_text(ext, text):
    """Any page gives generated code as a str or a clean exception (a
    SyntaxError-like ValueError), never a crash."""
    _, psp = ext
    try:
        code = psp.parsestring(text)
    except (ValueError, SyntaxError):
        return
    assert isinstance(code, str)


# ----------------------------------------------------------- multipart

# Inner spaces only: email's get_filename() strips the ends of a file
# name, FieldStorage keeps the name as sent.
part_name = st.text(alphabet="abcXYZ019_-. ", min_size=1,
                    max_size=12).filter(lambda s: s == s.strip())
part_bytes = st.binary(max_size=60).map(
    lambda b: b.replace(b"\n", b"\r\n") if len(b) % 3 == 0 else b)
part = st.tuples(part_name,
                 st.one_of(st.none(), part_name),          # filename
                 st.one_of(st.none(), st.sampled_from(
                     ["text/plain", "application/octet-stream",
                      "image/png"])),
                 part_bytes)
boundary = st.text(alphabet="abcdefXYZ0123456789'()+_,-./:=?",
                   min_size=1, max_size=40).filter(
                       lambda b: not b.endswith(" "))


def _body(parts, bnd):
    out = io.BytesIO()
    out.write(b"preamble\r\n")
    for name, filename, ctype, data in parts:
        out.write(b"--%s\r\n" % bnd)
        disp = 'form-data; name="%s"' % name
        if filename is not None:
            disp += '; filename="%s"' % filename
        out.write(b"Content-Disposition: %s\r\n" % disp.encode())
        if ctype:
            out.write(b"Content-Type: %s\r\n" % ctype.encode())
        out.write(b"\r\n" + data + b"\r\n")
    out.write(b"--%s--\r\nepilogue" % bnd)
    return out.getvalue()


def _reference(body, bnd):
    """The parts as the email package parses the same body."""
    head = b'Content-Type: multipart/form-data; boundary="%s"\r\n\r\n' % bnd
    msg = email.parser.BytesParser(policy=email.policy.compat32) \
        .parsebytes(head + body)
    assert msg.is_multipart() and not msg.defects, msg.defects
    out = []
    for p in msg.get_payload():
        payload = p.get_payload(decode=True)
        out.append([p.get_param("name", header="content-disposition"),
                    p.get_filename(), payload.hex()])
    return out


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(part, min_size=1, max_size=5), bnd=boundary)
def test_multipart_matches_email_parser(httpd, parts, bnd):
    """FieldStorage finds the parts, names, file names and bytes that the
    email package finds in the same multipart/form-data body."""
    bnd = bnd.encode()
    body = _body(parts, bnd)
    # A boundary that occurs in the data is the sender's mistake.
    assume(all(b"--" + bnd not in p[3] for p in parts))
    assume(all(not (b"\r\n" + p[3]).endswith(b"\r") for p in parts))
    r = httpd.post("/x", host=HOST, data=body, headers={
        "Content-Type": 'multipart/form-data; boundary="%s"' % bnd.decode()})
    assert r.status_code == 200, r.text
    assert r.json() == _reference(body, bnd)
