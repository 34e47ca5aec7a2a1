"""mod_python.util (manual 4.6): FieldStorage over urlencoded and
multipart/form-data bodies (streamed uploads, nested multipart/mixed,
file_callback and field_callback), bad bodies answered with 400, and
redirect."""

import hashlib
import json
import os
import re
import socket

import pytest

from conftest import wait_until

HOST = "util"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName util
    DocumentRoot "{htdocs}/util"
    Timeout 3
</VirtualHost>
<Directory "{htdocs}/util">
    SetHandler mod_python
    PythonHandler form
    PythonDebug On
    PythonOption upload_dir "{var}"
    # test_long_urlencoded_body_over_many_reads sends 20001 fields.
    PythonOption mod_python.max_form_fields 30000
</Directory>
"""

BOUNDARY = b"mp-util-Bndry"


def _part(headers, data, boundary=BOUNDARY):
    return (b"--" + boundary + b"\r\n" + b"\r\n".join(headers) + b"\r\n\r\n"
            + data + b"\r\n")


def _multipart(parts, boundary=BOUNDARY):
    """A multipart body from [(header lines, data)], closed properly."""
    return (b"".join(_part(h, d, boundary) for h, d in parts)
            + b"--" + boundary + b"--\r\n")


def _ctype(boundary=BOUNDARY):
    return "multipart/form-data; boundary=" + boundary.decode()


def _post_multipart(httpd, path, body, boundary=BOUNDARY):
    return httpd.post(path, host=HOST, data=body,
                      headers={"Content-Type": _ctype(boundary)})


def _ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def _still_serving(httpd):
    r = httpd.get("/dump?alive=yes", host=HOST)
    assert r.status_code == 200, r.text
    assert r.json()["getfirst"] == {"alive": "yes"}


# ------------------------------------------------------------- urlencoded

def test_get_query_string(httpd):
    """4.6.1: the query string as a mapping; a name given twice gives a
    list; getfirst/getlist/get defaults; has_key/in/len/iter/items."""
    info = _ok(httpd.get("/dump?a=1&b=2&a=3&c=%C3%A9+x", host=HOST))
    assert info["keys"] == ["a", "b", "c"]
    assert info["iter"] == ["a", "b", "c"]
    assert info["len"] == 3
    assert info["getitem"] == {"a": ["1", "3"], "b": "StringField",
                               "c": "StringField"}
    assert info["getlist"] == {"a": ["1", "3"], "b": ["2"], "c": ["\u00e9 x"]}
    assert info["getfirst"] == {"a": "1", "b": "2", "c": "\u00e9 x"}
    assert info["items"] == [["a", "list"], ["b", "StringField"],
                             ["c", "StringField"]]
    assert info["values"] == ["list", "StringField", "StringField"]
    assert info["contains"] == [True, True, True]
    assert info["missing"] == [None, "dflt", [], None, 7, False, False]
    # fs.list: one Field per input, in order, with an in-memory file.
    assert [(f["name"], f["value"]) for f in info["list"]] == [
        ("a", "1"), ("b", "2"), ("a", "3"), ("c", "\u00e9 x")]
    for f in info["list"]:
        assert f["class"] == "Field"
        assert f["file_class"] == "StringIO"
        assert f["file_read"] == f["value"]
        assert f["filename"] is None
        assert f["type"] == "text/plain"
        assert f["type_options"] == {} and f["disposition_options"] == {}


def test_post_urlencoded_body(httpd):
    """4.6.1: an application/x-www-form-urlencoded POST body."""
    r = httpd.post("/dump", host=HOST,
                   data={"name": "J\u00fcrgen", "tags": ["x", "y"]})
    info = _ok(r)
    assert info["getitem"] == {"name": "StringField", "tags": ["x", "y"]}
    assert info["getfirst"]["name"] == "J\u00fcrgen"


def test_post_without_content_type_is_urlencoded(httpd):
    """4.6.1 (as the original): a POST body without Content-Type is
    read as urlencoded."""
    status, _, body = httpd.raw_request("/dump", host=HOST, method="POST",
                                        body=b"k=v&k2=v2")
    assert status == 200, body
    assert json.loads(body)["getfirst"] == {"k": "v", "k2": "v2"}


def test_query_and_body_together_query_first(httpd):
    """4.6.1: query-string fields come before body fields."""
    r = httpd.post("/dump?a=1&z=0", host=HOST, data="a=2&b=3",
                   headers={"Content-Type":
                            "application/x-www-form-urlencoded"})
    info = _ok(r)
    assert [f["name"] for f in info["list"]] == ["a", "z", "a", "b"]
    assert info["getlist"]["a"] == ["1", "2"]
    assert info["getfirst"]["a"] == "1"
    assert info["keys"] == ["a", "z", "b"]


def test_long_urlencoded_body_over_many_reads(httpd):
    """4.6.1: a urlencoded body read in 64 KiB pieces keeps every field
    whole, also one cut by a piece boundary."""
    fields = ["f%d=%s" % (i, "v" * (i % 50 + 1)) for i in range(20000)]
    fields.append("big=" + "%C3%A9" * 40000)      # one field of 240 kB
    r = httpd.post("/dump", host=HOST, data="&".join(fields),
                   headers={"Content-Type":
                            "application/x-www-form-urlencoded"})
    info = _ok(r)
    assert info["len"] == 20001
    assert info["getfirst"]["f1234"] == "v" * (1234 % 50 + 1)
    assert info["getfirst"]["big"] == "\u00e9" * 40000


def test_keep_blank_values(httpd):
    """4.6.1: blank values are dropped unless keep_blank_values."""
    info = _ok(httpd.post("/dump?a=&b=1", host=HOST, data="c=&d=2",
                          headers={"Content-Type":
                                   "application/x-www-form-urlencoded"}))
    assert info["keys"] == ["b", "d"]
    info = _ok(httpd.post("/blank?a=&b=1", host=HOST, data="c=&d=2",
                          headers={"Content-Type":
                                   "application/x-www-form-urlencoded"}))
    assert info["keys"] == ["a", "b", "c", "d"]
    assert info["getfirst"] == {"a": "", "b": "1", "c": "", "d": "2"}


def test_strict_parsing(httpd):
    """4.6.1: with strict_parsing, a field without '=' is a bad request
    (the C parse_qsl's strict mode); without it, it is skipped."""
    assert _ok(httpd.get("/dump?a=1&junk", host=HOST))["keys"] == ["a"]
    assert httpd.get("/strict?a=1&junk", host=HOST).status_code == 400
    assert _ok(httpd.get("/strict?a=1", host=HOST))["keys"] == ["a"]


def test_stringfield(httpd):
    """4.6.1: a simple value is a StringField, a str subclass with a
    .value (a plain str) and a .file; it pickles and copies with its name
    (a session may store one), takes attributes of your own, and one
    made by hand has the defaults of a Field."""
    info = _ok(httpd.get("/stringfield?a=hello", host=HOST))
    assert info == {"class": "StringField", "is_str": True,
                    "value": "hello", "value_class": "str",
                    "upper": "HELLO", "eq": True, "file": "hello",
                    "name": "a", "list_class": "Field",
                    "pickled": ["StringField", "hello", "a"],
                    "copied": "a", "note": "mine",
                    "defaults": [None, "text/plain", {}, None, "typed"]}


def test_names_and_values_are_utf8_with_replacement(httpd):
    """Python 3 decision: names and values are str decoded as UTF-8,
    errors="replace", in the query string and the body."""
    info = _ok(httpd.post("/dump?n%C3%A9=%FFok", host=HOST,
                          data=b"k=\xff\xfe&\xc3\xa9t\xc3\xa9=%E2%82%AC",
                          headers={"Content-Type":
                                   "application/x-www-form-urlencoded"}))
    assert info["getfirst"] == {"n\u00e9": "\ufffdok", "k": "\ufffd\ufffd",
                                "\u00e9t\u00e9": "\u20ac"}


def test_raw_non_ascii_query_string(httpd):
    """A query string of raw non-ASCII bytes, not %-escaped (mod_python
    3.5 raises SystemError on it): UTF-8 is read as such, other bytes
    become U+FFFD, and nothing fails."""
    status, _, body = httpd.raw_request(
        b"/dump?q=caf\xc3\xa9+\xe6\x97\xa5&r=\xff\xfe&\xc3\xa9=1",
        host=HOST)
    assert status == 200, body
    info = json.loads(body)
    assert info["getfirst"] == {"q": "caf\u00e9 \u65e5", "r": "\ufffd\ufffd",
                                "\u00e9": "1"}


# -------------------------------------------------------------- multipart

def test_greet_example(httpd):
    """4.6.1 as the chapter's first example uses it: getfirst with a
    default, getlist, get, and an upload read in pieces; the same
    handler answers a GET and a multipart POST."""
    r = httpd.get("/greet", host=HOST)
    assert r.status_code == 200 and r.text == "Hello, stranger!\n"
    r = httpd.get("/greet?name=Ann&colour=red&colour=blue", host=HOST)
    assert r.text == "Hello, Ann!\nYou like red, blue.\n"
    data = os.urandom(100000)
    r = httpd.post("/greet", host=HOST,
                   data={"name": "Bob", "colour": "green"},
                   files={"photo": ("me.jpg", data, "image/jpeg")})
    assert r.text == ("Hello, Bob!\nYou like green.\n"
                      "me.jpg (image/jpeg): 100000 bytes, sha256 %s\n"
                      % hashlib.sha256(data).hexdigest())


def test_multipart_field_attributes_from_a_real_upload(httpd):
    """4.6.3: every Field attribute of an upload made by requests (as a
    browser does), and a simple multipart value as a StringField."""
    r = httpd.post("/dump", host=HOST, data={"x": "y \u00e9"},
                   files={"f": ("hello.txt", b"hello\r\nworld\n",
                                "text/plain; charset=utf-8")})
    info = _ok(r)
    simple, upload = info["list"]
    assert simple["class"] == "Field" and simple["filename"] is None
    assert simple["value"] == "y \u00e9" and simple["is_str"]
    assert simple["file_class"] == "StringIO"
    assert simple["disposition"] == "form-data"
    assert simple["disposition_options"] == {"name": "x"}
    assert upload["class"] == "Field"
    assert upload["name"] == "f"
    assert upload["filename"] == "hello.txt"
    assert upload["type"] == "text/plain"
    assert upload["type_options"] == {"charset": "utf-8"}
    assert upload["disposition"] == "form-data"
    assert upload["disposition_options"] == {"name": "f",
                                             "filename": "hello.txt"}
    assert upload["file_class"] == "BufferedRandom"   # a TemporaryFile
    assert upload["value_is_bytes"]
    assert upload["value"] == "hello\r\nworld\n"
    assert info["getitem"] == {"x": "StringField", "f": "Field"}


def test_multipart_header_details(httpd):
    """4.6.3: type_options and disposition_options parsed from quoted
    and bare parameters; a Windows path keeps its backslashes; a part
    without Content-Type is text/plain; UTF-8 names and file names."""
    body = _multipart([
        ([b'Content-Disposition: form-data; name="pic";'
          b' filename="C:\\dir\\p\xc3\xa9c.png"',
          b'Content-Type: Image/PNG; name="a;b"; x=y'], b"\x89PNG"),
        ([b'content-disposition: FORM-DATA; name=n\xc3\xa4me'],
         b"plain"),
        ([b'Content-Disposition: form-data; name="e"'], b""),
    ])
    info = _ok(_post_multipart(httpd, "/dump", body))
    pic, plain, empty = info["list"]
    assert pic["filename"] == "C:\\dir\\p\u00e9c.png"
    assert pic["type"] == "image/png"
    assert pic["type_options"] == {"name": "a;b", "x": "y"}
    assert pic["disposition_options"] == {"name": "pic",
                                          "filename": "C:\\dir\\p\u00e9c.png"}
    assert pic["value"] == "\x89PNG"
    assert plain["name"] == "n\u00e4me" and plain["value"] == "plain"
    assert plain["type"] == "text/plain" and plain["type_options"] == {}
    assert plain["disposition"] == "form-data"
    # A multipart blank value is kept (keep_blank_values is about
    # urlencoded data).
    assert empty["value"] == ""


def test_large_upload_round_trips(httpd):
    """4.6.1: a ~5 MB upload arrives byte for byte (sha256)."""
    data = os.urandom(5 * 1024 * 1024 + 12345)
    r = httpd.post("/dump", host=HOST,
                   files={"big": ("big.bin", data,
                                  "application/octet-stream")})
    info = _ok(r)
    (upload,) = info["list"]
    assert upload["size"] == len(data)
    assert upload["sha256"] == hashlib.sha256(data).hexdigest()


def test_boundary_straddling_read_chunks(httpd):
    """4.6.1 streaming: the body is read 64 KiB at a time; a delimiter
    cut by a chunk edge at every offset is still found, and CRLF-- that
    is not the delimiter (also cut by a chunk edge) is data."""
    delim = b"\r\n--" + BOUNDARY
    head = _part([b'Content-Disposition: form-data; name="f";'
                  b' filename="s.bin"'], b"")[:-2]   # up to the data
    decoy = b"\r\n--" + BOUNDARY[:-1] + b"\r\n--\r\n-"
    for shift in range(-1, len(delim) + 2):
        size = 65536 - len(head) - shift
        data = bytearray(os.urandom(size))
        # A decoy right across the first chunk edge, and one at the end.
        at = 65536 - len(head) - 5
        if 0 <= at and at + len(decoy) <= size - len(decoy):
            data[at:at + len(decoy)] = decoy
        data[-len(decoy):] = decoy
        data = bytes(data)
        body = _multipart([([b'Content-Disposition: form-data; name="f";'
                             b' filename="s.bin"'], data)])
        assert body.startswith(head + data)
        # The delimiter after the data starts `shift` bytes before 64 KiB.
        assert body.index(delim, len(head) + len(data) - 2) == 65536 - shift
        info = _ok(_post_multipart(httpd, "/dump", body))
        (upload,) = info["list"]
        assert upload["size"] == size, shift
        assert upload["sha256"] == hashlib.sha256(data).hexdigest(), shift


def test_nested_multipart_mixed(httpd):
    """4.6.1, RFC 1867: a multipart/mixed part holding several files;
    each becomes a Field named after the outer part."""
    inner_b = b"inner-Bndry"
    inner = _multipart([
        ([b'Content-Disposition: file; filename="file1.txt"',
          b'Content-Type: text/plain'], b"...contents of file1.txt..."),
        ([b'Content-Disposition: file; filename="file2.gif"',
          b'Content-Type: image/gif'], b"GIF89a\r\n--inner-Bndr\r\n"),
    ], inner_b)
    body = _multipart([
        ([b'Content-Disposition: form-data; name="field1"'], b"Joe Blow"),
        ([b'Content-Disposition: form-data; name="pics"',
          b'Content-Type: multipart/mixed; boundary=' + inner_b], inner),
        ([b'Content-Disposition: form-data; name="after"'], b"yes"),
    ])
    info = _ok(_post_multipart(httpd, "/dump", body))
    assert [(f["name"], f["filename"]) for f in info["list"]] == [
        ("field1", None), ("pics", "file1.txt"), ("pics", "file2.gif"),
        ("after", None)]
    one, two = info["list"][1:3]
    assert one["value"] == "...contents of file1.txt..."
    assert one["type"] == "text/plain" and one["disposition"] == "file"
    assert two["value"] == "GIF89a\r\n--inner-Bndr\r\n"
    assert two["type"] == "image/gif"
    assert info["getlist"]["pics"] == ["file1.txt", "file2.gif"]
    assert info["getfirst"]["after"] == "yes"


# ------------------------------------------------------------- callbacks

def _wait_gone(path, timeout=10):
    wait_until(lambda: not os.path.exists(path),
               "%s was not removed" % path, timeout)


def test_file_callback_class_constructor(httpd):
    """4.6.2 first example (Storage class as file_callback), in Python
    3: the upload is written to the application's file, which Storage
    removes when FieldStorage closes it at the end of the request."""
    data = os.urandom(300000)
    r = httpd.post("/storage_simple", host=HOST, data={"blank": ""},
                   files={"upload": ("report.pdf", data,
                                     "application/pdf")})
    info = _ok(r)
    assert info["file_class"] == "Storage"
    assert info["advisory_filename"] == "report.pdf"
    assert info["filename"] == "report.pdf"
    assert os.path.dirname(info["real_filename"]) == httpd.var
    assert info["same_on_disk"] and info["size"] == len(data)
    assert info["blank"] == ""            # keep_blank_values=True
    _wait_gone(info["real_filename"])


def test_file_callback_object_factory(httpd):
    """4.6.2 second example (StorageFactory.create as file_callback),
    with two files under one name."""
    r = httpd.post("/storage_factory", host=HOST,
                   files=[("upload", ("a.txt", b"AAA", "text/plain")),
                          ("upload", ("b.txt", b"BBBB", "text/plain"))])
    files = _ok(r)
    assert [f["advisory_filename"] for f in files] == ["a.txt", "b.txt"]
    assert [f["value"] for f in files] == ["AAA", "BBBB"]
    for f in files:
        assert f["file_class"] == "Storage"
        assert f["directory"] == httpd.var
        assert f["exists"]
    assert files[0]["real_filename"] != files[1]["real_filename"]
    for f in files:
        _wait_gone(f["real_filename"])


def test_field_callback(httpd):
    """4.6.1 field_callback: each simple multipart value is written to
    the object field_callback() returns (Field.file); value decodes it;
    its close() is called when the request ends.  Uploads still go to
    temporary files."""
    log = "closed-%d.txt" % os.getpid()
    path = os.path.join(httpd.var, log)
    if os.path.exists(path):
        os.unlink(path)
    big = "\u00e9" * 100000                 # 200 kB: several writes
    r = httpd.post("/fieldcb?" + log, host=HOST,
                   data={"a": "one", "b": big},
                   files={"f": ("f.bin", b"\x00\x01", "x/y")})
    fields = _ok(r)
    a, b, f = fields
    assert a["file_class"] == b["file_class"] == "CountingBuffer"
    assert a["value"] == "one" and a["value_class"] == "str"
    assert a["item_class"] == "StringField" and a["item"] == "one"
    assert b["value"] == big and b["writes"] >= 2
    assert f["file_class"] == "BufferedRandom"
    assert f["value_class"] == "bytes"
    text = httpd.wait_for_file(path, lambda t: t.count("\n") == 2)
    assert text.splitlines() == ["one", big]


# ------------------------------------------------------------- bad input

def _send_raw(httpd, head, body, timeout=30):
    """Send a request whose body the server may stop reading; return
    (status, body) of the response."""
    with socket.create_connection(("127.0.0.1", httpd.port),
                                  timeout=timeout) as s:
        try:
            s.sendall(head + body)
            s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    status, _, rbody = httpd.parse_response(data)
    return status, rbody


def _head(length, ctype=None, path="/dump"):
    lines = [b"POST %s HTTP/1.1" % path.encode(), b"Host: util",
             b"Content-Length: %d" % length, b"Connection: close"]
    if ctype is not None:
        lines.append(b"Content-Type: " + ctype.encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


_GOOD_PART = _part([b'Content-Disposition: form-data; name="a"'], b"abc")

BAD_BODIES = {
    "no boundary parameter": ("multipart/form-data", _multipart(
        [([b'Content-Disposition: form-data; name="a"'], b"abc")])),
    "boundary not in the body": (_ctype(), b"just some text\r\n"),
    "truncated part headers": (
        _ctype(), b"--" + BOUNDARY + b"\r\nContent-Disposition: form-da"),
    "truncated part data": (
        _ctype(), _GOOD_PART + b"--" + BOUNDARY + b"\r\nContent-Disposition:"
        b' form-data; name="b"; filename="x"\r\n\r\npartial da'),
    "missing final boundary": (_ctype(), _GOOD_PART),
    "delimiter then end of body": (_ctype(), _GOOD_PART + b"--" + BOUNDARY),
    "delimiter, CRLF, end of body": (
        _ctype(), _GOOD_PART + b"--" + BOUNDARY + b"\r\n"),
    "Content-Disposition with an open quote": (_ctype(), _multipart(
        [([b'Content-Disposition: form-data; name="a'], b"abc")])),
    "Content-Disposition without a name": (_ctype(), _multipart(
        [([b'Content-Disposition: form-data; filename="a"'], b"abc")])),
    "Content-Disposition parameter without =": (_ctype(), _multipart(
        [([b'Content-Disposition: form-data; name'], b"abc")])),
    "no Content-Disposition": (_ctype(), _multipart(
        [([b'Content-Type: text/plain'], b"abc")])),
    "header line without a colon": (_ctype(), _multipart(
        [([b'Content-Disposition: form-data; name="a"', b"junk"], b"x")])),
    "junk after a boundary": (
        _ctype(), b"--" + BOUNDARY + b"junk\r\n" + _GOOD_PART[2 + len(
            BOUNDARY) + 2:] + b"--" + BOUNDARY + b"--\r\n"),
    "nested part without boundary": (_ctype(), _multipart(
        [([b'Content-Disposition: form-data; name="a"',
           b"Content-Type: multipart/mixed"], b"--x\r\n\r\nq\r\n--x--")])),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_multipart_is_400(httpd, case):
    """4.6.1, bad input: a malformed multipart body gets 400 (not 500,
    not a hang), and the server goes on serving."""
    ctype, body = BAD_BODIES[case]
    # a hang ends in _send_raw's socket timeout
    status, rbody = _send_raw(httpd, _head(len(body), ctype), body)
    assert status == 400, rbody[:500]
    _still_serving(httpd)


# Past mod_python.max_part_header_size (test_form_limits.py has the rest).
HUGE_HEADERS = {
    "10 MB header line": (
        _ctype(), b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data;'
        b' name="a"; x="' + b"x" * (10 * 1024 * 1024)),
    "10 MB of short header lines": (
        _ctype(), b"--" + BOUNDARY + b"\r\n" + b"X-A: b\r\n" * 1400000),
}


@pytest.mark.parametrize("case", sorted(HUGE_HEADERS))
def test_huge_part_headers_are_413(httpd, case):
    """Bad input: a part whose headers never end is not buffered: 413
    once they pass the limit, and the server goes on serving."""
    ctype, body = HUGE_HEADERS[case]
    status, rbody = _send_raw(httpd, _head(len(body), ctype), body)
    assert status == 413, rbody[:500]
    _still_serving(httpd)


def test_bad_body_is_logged(httpd):
    """A 400 from FieldStorage leaves the reason in the error log."""
    mark = httpd.log_mark()
    ctype, body = BAD_BODIES["header line without a colon"]
    status, _ = _send_raw(httpd, _head(len(body), ctype), body)
    assert status == 400
    assert re.search(r"MP0353: FieldStorage: bad request body: a part "
                     r"header without a name", httpd.wait_for_log(
                         "MP0353", mark))


def test_body_shorter_than_content_length_is_400(httpd):
    """Bad input: a body that stops short of its Content-Length ends in
    400 after Apache's Timeout (3 s here), not a hang."""
    body = _GOOD_PART
    head = _head(len(body) + 1000, _ctype())
    mark = httpd.log_mark()
    with socket.create_connection(("127.0.0.1", httpd.port),
                                  timeout=30) as s:
        s.sendall(head + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    # The server gave up waiting (a hang would end in the socket's timeout
    # instead), and says why: the read failed, it did not stop early.
    assert httpd.parse_response(data)[0] == 400
    assert re.search(r"MP0353: FieldStorage: bad request body: reading the "
                     r"body failed: client read error",
                     httpd.wait_for_log("MP0353", mark))
    _still_serving(httpd)


def test_unsupported_body_type_is_501(httpd):
    """4.6.1 (as the original mod_python): a POST body that is neither
    urlencoded nor multipart is refused with 501 Not Implemented."""
    r = httpd.post("/dump?a=1", host=HOST, json={"a": 2})
    assert r.status_code == 501
    _still_serving(httpd)


def test_post_without_length_is_411(httpd):
    """4.6.1 (as the original): a POST with neither Content-Length nor
    chunked transfer-coding is refused with 411; a chunked one is read."""
    status, _, _ = httpd.raw_request("/dump", host=HOST, method="POST")
    assert status == 411

    def chunks():
        yield b"a=1&"
        yield b"b=2"
    r = httpd.post("/dump", host=HOST, data=chunks(),
                   headers={"Content-Type":
                            "application/x-www-form-urlencoded"})
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert _ok(r)["getfirst"] == {"a": "1", "b": "2"}


def test_chunked_multipart_upload(httpd):
    """A chunked multipart upload is read like one with a length."""
    data = os.urandom(200000)
    body = _multipart([([b'Content-Disposition: form-data; name="f";'
                         b' filename="c.bin"'], data)])

    def chunks():
        for i in range(0, len(body), 7000):
            yield body[i:i + 7000]
    r = httpd.post("/dump", host=HOST, data=chunks(),
                   headers={"Content-Type": _ctype()})
    (upload,) = _ok(r)["list"]
    assert upload["sha256"] == hashlib.sha256(data).hexdigest()


# ------------------------------------------------------ parse_qs/parse_qsl

def test_parse_qs_and_parse_qsl(httpd):
    """4.6.4: util.parse_qs/parse_qsl are _apache's C functions, called
    with the manual's signatures (qs[, keep_blank_values,
    strict_parsing])."""
    info = _ok(httpd.get("/parseqs", host=HOST))
    assert info["same"] == [True, True]
    assert info["qs"] == {"a": ["1", "\u00e9"]}
    assert info["qs_blank"] == {"a": ["1", "\u00e9"], "b": [""]}
    assert info["qsl"] == [["a", "1"], ["a", "\u00e9"]]
    assert info["qsl_blank"] == [["a", "1"], ["b", ""], ["a", "\u00e9"]]
    assert info["qsl_kw"] == info["qsl_blank"]


# -------------------------------------------------------------- redirect

def test_redirect_temporary(httpd):
    """4.6.4 redirect: 302, Location, a short text/html page that
    links to the (escaped) location."""
    r = httpd.get("/redirect_temp", host=HOST)
    assert r.status_code == 302
    assert r.headers["Location"] == "/elsewhere?a=1&b=<2>"
    assert r.headers["Content-Type"].startswith("text/html")
    assert '<a href="/elsewhere?a=1&amp;b=&lt;2&gt;">' in r.text


def test_redirect_permanent(httpd):
    """4.6.4 redirect with permanent=1: 301."""
    r = httpd.get("/redirect_perm", host=HOST)
    assert r.status_code == 301
    assert r.headers["Location"] == "http://example.invalid/new"
    assert "http://example.invalid/new" in r.text


def test_redirect_text(httpd):
    """4.6.4 redirect with text: the body is exactly that text."""
    r = httpd.get("/redirect_text", host=HOST)
    assert r.status_code == 302
    assert r.headers["Location"] == "/moved"
    assert r.text == "Gone to /moved\n"


def test_redirect_after_write_raises_ioerror(httpd):
    """4.6.4: after the headers went out, redirect raises IOError."""
    r = httpd.get("/redirect_late", host=HOST)
    assert r.status_code == 200
    assert "Location" not in r.headers
    assert r.text == ("already started\nIOError: Cannot redirect after "
                      "headers have already been sent.\n")


def test_redirect_server_return_can_be_caught(httpd):
    """4.6.4: redirect raises apache.SERVER_RETURN; a handler that
    catches it goes on."""
    r = httpd.get("/redirect_caught", host=HOST)
    assert r.status_code == 302
    assert r.headers["Location"] == "/caught"
    assert r.text.endswith("</p>\n<p>and more</p>\n")
