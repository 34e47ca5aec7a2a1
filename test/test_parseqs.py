"""parse_qs and parse_qsl in C (_apache; manual 4.6.4) give exactly what
urllib.parse.parse_qs/parse_qsl give, on every input: a property test
(hypothesis) whose inputs are parsed by both inside Apache."""

from hypothesis import given, settings, strategies as st

HOST = "parseqs"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName parseqs
    DocumentRoot "{htdocs}/parseqs"
</VirtualHost>
<Directory "{htdocs}/parseqs">
    SetHandler mod_python
    PythonHandler compare
</Directory>
"""

# Query-string-shaped text: the separators and escapes, hex digits, and
# characters beyond ASCII, so that broken and partial %-escapes and
# invalid UTF-8 occur often.
ALPHABET = "&=+%;aZ09AFcf \u00e9\u20ac\U0001F600\x00\t"
qs_text = st.one_of(st.text(alphabet=ALPHABET, max_size=40),
                    st.text(max_size=20))


def _check(httpd, cases):
    r = httpd.post("/x", host=HOST, json=cases)
    assert r.status_code == 200, r.text
    for case, result in zip(cases, r.json()):
        assert result["qsl"][0] == result["qsl"][1], case
        assert result["qs"][0] == result["qs"][1], case


def test_known_cases(httpd):
    """Hand-picked edge cases: blanks, strictness, broken escapes,
    invalid UTF-8, '+' and empty fields."""
    cases = []
    for qs in ["", "a=1&b=2&a=3", "a", "a=", "=b", "&&", "a=1&", "&a=1",
               "a+b=c+d", "%41%42=%4", "%zz=%", "%C3%A9=%C3", "x=%E2%82",
               "x=%ff%fe", "k=\u00e9%C3%A9", "a=b=c", "a==", "%2B=%26"]:
        for keep in (0, 1):
            for strict in (0, 1):
                cases.append([qs, keep, strict])
    _check(httpd, cases)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(qs_text, st.booleans(), st.booleans()),
                min_size=1, max_size=10))
def test_same_as_urllib(httpd, cases):
    """Property: on any input both agree, results and errors alike."""
    _check(httpd, [[qs, int(k), int(s)] for qs, k, s in cases])
