"""The table object (manual 4.5.2), run inside Apache by
htdocs/table/tabletest.py, and the request's tables writing through to
Apache (what the client sends and receives).

Tables hold str keys and values, converted to and from Apache as latin-1;
writes also take bytes (as mod_python 3.5 does); a str that is not
latin-1 raises TypeError naming the key (ARCHITECTURE, Python 3
decisions).
"""
import json

import pytest

HOST = "table"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName table
    DocumentRoot "{htdocs}/table"
</VirtualHost>
<Directory "{htdocs}/table">
    SetHandler mod_python
    PythonHandler tabletest
    PythonDebug On
</Directory>
"""

RESULT = "result"
RAISED = "raised"

# name -> (kind, expected): check_<name>() in tabletest.py returns expected
# (kind RESULT) or raises the exception named expected (kind RAISED).
CHECKS = {
    # keys are case-insensitive
    "subscript_case_insensitive": (RESULT, ["text/plain"] * 3),
    "get_case_insensitive": (RESULT, "text/plain"),
    "in_case_insensitive": (RESULT, [True, True, False, True]),
    # add() and duplicate keys: a list on subscript
    "add_duplicates_subscript_list": (RESULT, {"sub": ["1", "2"], "len": 2}),
    "single_value_is_str": (RESULT, ["1", "str"]),
    "missing_key": (RAISED, "KeyError"),
    "set_replaces_duplicates": (RESULT, {"sub": "3", "len": 1}),
    # the mapping protocol, duplicates included
    "len": (RESULT, [0, 3]),
    "iteration": (RESULT, ["a", "b", "a"]),
    "keys_values_items": (RESULT, {"keys": ["a", "b", "a"],
                                   "values": ["1", "2", "3"],
                                   "items": [["a", "1"], ["b", "2"],
                                             ["a", "3"]]}),
    "get_default": (RESULT, [None, "dflt", "1"]),
    "copy_independent": (RESULT, {"t": [["a", "1"], ["d", "1"], ["d", "2"]],
                                  "c_a": "changed", "c_b": "2",
                                  "c_d": ["1", "2"], "is_table": True}),
    "del_removes_all": (RESULT, [["a", "1"]]),
    "del_missing": (RAISED, "KeyError"),
    "clear": (RESULT, [0, []]),
    "update_dict": (RESULT, {"a": "new", "b": "2", "len": 2}),
    "update_table": (RESULT, {"a": "1", "c": "3", "len": 2}),
    "setdefault": (RESULT, ["v", "v", "v", 1]),
    "pop": (RESULT, ["v", False, "d"]),
    "pop_missing": (RAISED, "KeyError"),
    "popitem": (RESULT, [["only", "1"], 0]),
    "popitem_empty": (RAISED, "KeyError"),
    "empty_is_false": (RESULT, [False, True]),
    # constructors
    "from_dict": (RESULT, [["a", "1"], ["b", "2"]]),
    "from_pairs": (RESULT, [["a", "1"], ["b", "2"]]),
    "from_table": (RESULT, {"t": [["a", "1"], ["b", "2"]],
                            "src": [["a", "1"]]}),
    "make_table": (RESULT, [True, True]),
    # str (latin-1 only) or bytes
    "nonlatin1_value": (RAISED, "TypeError"),
    "nonlatin1_key": (RAISED, "TypeError"),
    "nonlatin1_add": (RAISED, "TypeError"),
    "nonstr_value": (RAISED, "TypeError"),
    "nonstr_key": (RAISED, "TypeError"),
    "bytes_value": (RESULT, ["x\u00e9", "x\u00e9", True, "v"]),
    "latin1_roundtrip": (RESULT, ["caf\u00e9", ["k\u00e9y"]]),
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_table_behaviour(httpd, name):
    """4.5.2: apache.table behaves like a dictionary with case-insensitive
    str keys, duplicate keys through add(), the constructors and errors
    listed in CHECKS (run inside Apache: mod_python.apache cannot be
    imported elsewhere)."""
    kind, expected = CHECKS[name]
    r = httpd.get("/check?" + name, host=HOST)
    assert r.status_code == 200, r.text
    got = r.json()
    if kind == RESULT:
        assert got == {"result": expected}
    else:
        assert got.get("raised") == expected, got


def test_request_tables_are_tables(httpd):
    """4.5.3: headers_in, headers_out, err_headers_out, notes and
    subprocess_env are table objects."""
    r = httpd.get("/types", host=HOST)
    assert r.status_code == 200, r.text
    assert r.json() == [True] * 5


def test_headers_out_set_reaches_client(httpd):
    """4.5.2: request tables are Apache's own: a header set in headers_out
    is sent."""
    r = httpd.get("/out_set", host=HOST)
    assert r.status_code == 200
    assert r.headers.get("X-Mp-Set") == "set-value"


def test_headers_out_add_sends_two_headers(httpd):
    """4.5.2 add(): two values for one key are two header lines."""
    r = httpd.get("/out_add", host=HOST)
    assert r.headers.get("X-Dup") == "one, two"
    status, headers, body = httpd.raw_request("/out_add", host=HOST)
    assert status == 200
    assert httpd.header_values(headers, b"X-Dup") == [b"one", b"two"]


def test_headers_out_del(httpd):
    """4.5.2 del: deleting from headers_out removes the header from the
    response (case-insensitive key)."""
    r = httpd.get("/out_del", host=HOST)
    assert r.status_code == 200
    assert "X-Gone" not in r.headers
    assert r.headers.get("X-Kept") == "1"


def test_headers_in_reflect_request(httpd):
    """4.5.2/4.5.3: headers_in holds the request's headers as sent (names
    as spelled by the client); len() counts them.  Apache itself merges
    repeated request headers into one 'a, b' value (RFC 7230) before any
    handler runs."""
    status, headers, body = httpd.raw_request(
        "/in_dump", host=HOST,
        headers=[("X-One", "1"), ("x-two", "2"), ("X-Rep", "a"),
                 ("X-Rep", "b")])
    assert status == 200, body
    data = json.loads(body)
    assert data["keys"] == ["Host", "X-One", "x-two", "X-Rep", "Connection"]
    assert data["len"] == 5
    assert ["X-Rep", "a, b"] in data["items"]


def test_latin1_response_header_roundtrip(httpd):
    """4.5.2: a str value with U+00E9 leaves Apache as the byte 0xE9."""
    status, headers, body = httpd.raw_request("/out_latin1", host=HOST)
    assert status == 200
    assert httpd.header_values(headers, b"X-Latin") == [b"caf\xe9"]


def test_latin1_request_header_roundtrip(httpd):
    """4.5.2: a request header byte 0xE9 reads as U+00E9 in headers_in."""
    status, headers, body = httpd.raw_request(
        "/in_value?X-Latin-In", host=HOST,
        headers=[(b"X-Latin-In", b"caf\xe9")])
    assert status == 200, body
    assert json.loads(body) == {"value": "caf\u00e9"}
