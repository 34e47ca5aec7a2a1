"""Limits on the work one request's form data can cause (Doc/util.rst,
"Limits"; Doc/directives.rst lists the options).

util.FieldStorage counts the fields (as urllib.parse's max_num_fields
counts them), the multipart parts and the bytes of a part's headers.
Past a limit the request ends with 413 and exactly one error log line
(MP0350-MP0352), before the fields are built; PythonOption
mod_python.max_form_fields, max_form_parts and max_part_header_size
change the defaults (1000, 250, 8192).  Handler: htdocs/formlimits/form.py.
Assertions are on statuses, counted fields and log lines, never on time.
"""

import re
import socket

HOST = "formlimits"

HTTPD_CONF = """
<VirtualHost *:{port}>
    ServerName formlimits
    DocumentRoot "{htdocs}/formlimits"
</VirtualHost>
<Directory "{htdocs}/formlimits">
    SetHandler mod_python
    PythonHandler form
</Directory>
<Directory "{htdocs}/formlimits/pub">
    PythonHandler mod_python.publisher
</Directory>
<Location "/small">
    PythonOption mod_python.max_form_fields 10
    PythonOption mod_python.max_form_parts 3
    PythonOption mod_python.max_part_header_size 200
</Location>
<Location "/large">
    PythonOption mod_python.max_form_fields 5000
    PythonOption mod_python.max_form_parts 600
    PythonOption mod_python.max_part_header_size 20000
</Location>
<Location "/badoption">
    PythonOption mod_python.max_form_fields lots
</Location>
"""

URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


def _fields(n):
    return "&".join("f%d=v" % i for i in range(n))


def _multipart(n, header_pad=0, boundary="BOUNDARY"):
    parts = []
    for i in range(n):
        parts.append(
            "--%s\r\nContent-Disposition: form-data; name=\"p%d\"\r\n"
            "%s\r\nvalue %d\r\n"
            % (boundary, i,
               "X-Pad: %s\r\n" % ("x" * header_pad) if header_pad else "", i))
    body = "".join(parts) + "--%s--\r\n" % boundary
    return body.encode(), {"Content-Type":
                           "multipart/form-data; boundary=" + boundary}


def _limit_lines(httpd, mark, number):
    """The MPnnnn lines written since mark (waiting for the first)."""
    text = httpd.wait_for_log("MP%s" % number, mark)
    return [line for line in text.splitlines()
            if re.search(r"mod_python: MP0\d{3}:", line)]


# --------------------------------------------------------------- fields

def test_default_field_limit_holds(httpd):
    """The default of mod_python.max_form_fields is 1000: 1000 fields in
    the query string are read, 1001 are 413 with one MP0350 line."""
    r = httpd.get("/x?" + _fields(1000), host=HOST)
    assert r.status_code == 200, r.text
    assert r.json()["fields"] == 1000
    mark = httpd.log_mark()
    r = httpd.get("/x?" + _fields(1001), host=HOST)
    assert r.status_code == 413
    lines = _limit_lines(httpd, mark, "0350")
    assert len(lines) == 1, lines
    assert "more than 1000 form fields" in lines[0]


def test_query_and_body_count_together(httpd):
    """Fields of the query string and of a url-encoded body share the
    limit: 600 + 400 are read, 600 + 401 are not."""
    r = httpd.post("/x?" + _fields(600), host=HOST, headers=URLENCODED,
                   data=_fields(400))
    assert r.status_code == 200 and r.json()["fields"] == 1000
    r = httpd.post("/x?" + _fields(600), host=HOST, headers=URLENCODED,
                   data=_fields(401))
    assert r.status_code == 413


def test_huge_urlencoded_body(httpd):
    """A 10 MB body of 'a=b&' repeated (2.6 million fields) ends in 413
    with one log line, and the server answers the next request."""
    mark = httpd.log_mark()
    r = httpd.post("/x", host=HOST, headers=URLENCODED,
                   data=b"a=b&" * (10 * 1024 * 1024 // 4))
    assert r.status_code == 413
    assert len(_limit_lines(httpd, mark, "0350")) == 1
    r = httpd.get("/x?a=1", host=HOST)
    assert r.status_code == 200 and r.json()["fields"] == 1


def test_empty_fields_are_counted(httpd):
    """As urllib.parse counts them: '&&&...' is as many fields as it has
    separators plus one, although none of them is kept."""
    r = httpd.get("/small/x?" + "&" * 9, host=HOST)
    assert r.status_code == 200 and r.json()["fields"] == 0
    assert httpd.get("/small/x?" + "&" * 10, host=HOST).status_code == 413


def test_option_changes_field_limit(httpd):
    """PythonOption mod_python.max_form_fields 10 lets 10 fields through
    and refuses 11; set to 5000 it lets 3000 through."""
    assert httpd.get("/small/x?" + _fields(10), host=HOST).json() == \
        {"fields": 10, "names": 10}
    mark = httpd.log_mark()
    assert httpd.get("/small/x?" + _fields(11), host=HOST).status_code == 413
    assert "more than 10 form fields" in _limit_lines(httpd, mark, "0350")[0]
    r = httpd.post("/large/x", host=HOST, headers=URLENCODED,
                   data=_fields(3000))
    assert r.status_code == 200 and r.json()["fields"] == 3000


def test_max_num_fields_argument_raises_valueerror(httpd):
    """FieldStorage(req, max_num_fields=N) behaves as urllib.parse's
    argument: past it a ValueError the handler can catch (it counts the
    'explicit=N' field itself)."""
    r = httpd.get("/x?explicit=5&" + _fields(4), host=HOST)
    assert r.json() == {"fields": 5, "names": 5}
    r = httpd.get("/x?explicit=5&" + _fields(5), host=HOST)
    assert r.status_code == 200
    assert r.json()["error"] == "ValueError"
    assert "more than 5 form fields" in r.json()["message"]


def test_bad_option_value(httpd):
    """A limit that is not a positive integer is a configuration error:
    500 and an MP0354 line naming the option."""
    mark = httpd.log_mark()
    assert httpd.get("/badoption/x?a=1", host=HOST).status_code == 500
    text = httpd.wait_for_log("MP0354", mark)
    assert "mod_python.max_form_fields" in text and "'lots'" in text


# ------------------------------------------------------------ multipart

def test_default_part_limit_holds(httpd):
    """The default of mod_python.max_form_parts is 250: 250 parts are
    read, 251 are 413 with one MP0351 line."""
    body, headers = _multipart(250)
    r = httpd.post("/x", host=HOST, headers=headers, data=body)
    assert r.status_code == 200 and r.json()["fields"] == 250
    body, headers = _multipart(251)
    mark = httpd.log_mark()
    r = httpd.post("/x", host=HOST, headers=headers, data=body)
    assert r.status_code == 413
    lines = _limit_lines(httpd, mark, "0351")
    assert len(lines) == 1 and "more than 250 multipart parts" in lines[0]


def test_many_tiny_parts(httpd):
    """100,000 empty parts (a few MB) stop at the limit: 413."""
    part = b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n"
    r = httpd.post("/x", host=HOST, data=part * 100000 + b"--B--\r\n",
                   headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert r.status_code == 413


def test_option_changes_part_limit(httpd):
    """mod_python.max_form_parts 3 lets 3 parts through, not 4; 600
    allows 500."""
    body, headers = _multipart(3)
    assert httpd.post("/small/x", host=HOST, headers=headers,
                      data=body).json()["fields"] == 3
    body, headers = _multipart(4)
    assert httpd.post("/small/x", host=HOST, headers=headers,
                      data=body).status_code == 413
    body, headers = _multipart(500)
    r = httpd.post("/large/x", host=HOST, headers=headers, data=body)
    assert r.status_code == 200 and r.json()["fields"] == 500


def test_part_fields_count_with_query(httpd):
    """Parts are fields too: 8 in the query and 3 parts pass the parts
    limit (3) but not the fields limit (10) of /small."""
    body, headers = _multipart(3)
    mark = httpd.log_mark()
    r = httpd.post("/small/x?" + _fields(8), host=HOST, headers=headers,
                   data=body)
    assert r.status_code == 413
    assert len(_limit_lines(httpd, mark, "0350")) == 1


def test_default_part_header_limit(httpd):
    """A part's headers may take 8192 bytes by default: a header of 8000
    bytes passes, one of 9000 is 413 with one MP0352 line; a single
    header line of 1 MB too."""
    body, headers = _multipart(1, header_pad=8000)
    assert httpd.post("/x", host=HOST, headers=headers,
                      data=body).status_code == 200
    mark = httpd.log_mark()
    body, headers = _multipart(1, header_pad=9000)
    assert httpd.post("/x", host=HOST, headers=headers,
                      data=body).status_code == 413
    lines = _limit_lines(httpd, mark, "0352")
    assert len(lines) == 1 and "longer than 8192 bytes" in lines[0]
    body, headers = _multipart(1, header_pad=1024 * 1024)
    assert httpd.post("/x", host=HOST, headers=headers,
                      data=body).status_code == 413


def test_option_changes_part_header_limit(httpd):
    """mod_python.max_part_header_size 200 refuses a 300-byte header;
    20000 accepts 15000 bytes."""
    body, headers = _multipart(1, header_pad=300)
    assert httpd.post("/small/x", host=HOST, headers=headers,
                      data=body).status_code == 413
    body, headers = _multipart(1, header_pad=15000)
    assert httpd.post("/large/x", host=HOST, headers=headers,
                      data=body).status_code == 200


def test_publisher_uses_the_limits(httpd):
    """6.1.2 with the limits: a published function is not called for a
    request past them; 413, one MP0350 line."""
    r = httpd.get("/pub/fields.py/count?" + _fields(999), host=HOST)
    assert r.status_code == 200 and r.text == "999 fields"
    mark = httpd.log_mark()
    r = httpd.post("/pub/fields.py/count", host=HOST, headers=URLENCODED,
                   data=_fields(1001))
    assert r.status_code == 413
    assert len(_limit_lines(httpd, mark, "0350")) == 1


# ----------------------------------------------------- huge query string

def test_huge_query_string(extra_httpd):
    """With LimitRequestLine raised, a 10 MB query string of 'a=b&'
    (2.6 million fields) is 413 with one MP0350 line, and the child
    serves the next request."""
    # The request line is read before name-based virtual hosting picks a
    # host, under the limits of the address's first host: a port of its
    # own gives this host the raised LimitRequestLine.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = extra_httpd("""
Listen 127.0.0.1:%d
<VirtualHost 127.0.0.1:%d>
    ServerName hugequery
    LimitRequestLine 12000000
    DocumentRoot "{htdocs}/formlimits"
    <Directory "{htdocs}/formlimits">
        SetHandler mod_python
        PythonHandler form
    </Directory>
</VirtualHost>
""" % (port, port))
    mark = server.log_mark()
    status, _, _ = server.raw_request(
        "/x?" + "a=b&" * (10 * 1024 * 1024 // 4), port=port)
    assert status == 413
    text = server.wait_for_log("MP0350", mark)
    assert len(re.findall("MP0350", text)) == 1
    status, _, body = server.raw_request("/x?a=1&b=2", port=port)
    assert status == 200 and b'"fields": 2' in body
