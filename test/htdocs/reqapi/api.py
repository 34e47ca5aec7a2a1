"""Request methods and members over Apache's request API (manual 4.5.3),
chosen by the first word of the query string."""
import json
import os

from mod_python import apache

HERE = os.path.dirname(os.path.abspath(__file__))


def _json(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def handler(req):
    what = (req.args or "").split("&")[0]
    if what == "members":
        before = req.subprocess_env.get("REMOTE_ADDR")
        req.add_common_vars()
        return _json(req, {
            "finfo": list(req.finfo) if req.finfo else None,
            "fname": req.finfo[apache.FINFO_FNAME],
            "size": req.finfo[apache.FINFO_SIZE],
            "parsed_uri": list(req.parsed_uri),
            "path": req.parsed_uri[apache.URI_PATH],
            "query": req.parsed_uri[apache.URI_QUERY],
            "remote_nolookup": req.get_remote_host(apache.REMOTE_NOLOOKUP),
            "remote_tuple": list(req.get_remote_host(apache.REMOTE_NOLOOKUP,
                                                     1)),
            "remote_name": req.get_remote_host(),
            "is_https": req.is_https(),
            "ssl_cipher": req.ssl_var_lookup("SSL_CIPHER"),
            "env_before": before,
            "env_after": req.subprocess_env.get("REMOTE_ADDR"),
            "allowed_xmethods": list(req.allowed_xmethods),
        })
    if what == "allow":
        req.allow_methods(["GET", "PROPFIND", "FROBNICATE"])
        req.allow_methods(["POST"])
        req.headers_out["X-Allowed"] = ",".join(req.allowed_methods)
        req.err_headers_out["X-Allowed"] = ",".join(req.allowed_methods)
        return apache.HTTP_METHOD_NOT_ALLOWED
    if what == "modallow":
        # The module-level form (manual 4.5.1): M_* numbers, no req.
        apache.allow_methods(apache.M_PUT, apache.M_DELETE)
        req.err_headers_out["X-Allowed-Bits"] = str(req.allowed)
        return apache.HTTP_NOT_IMPLEMENTED
    if what == "modallowerrors":
        import threading
        errors = {}
        try:
            req.allow_methods([apache.M_INVALID])
        except ValueError as exc:
            errors["number"] = str(exc)
        try:
            req.allow_methods([1.5])
        except TypeError as exc:
            errors["type"] = str(exc)

        def elsewhere():
            try:
                apache.allow_methods(apache.M_GET)
            except RuntimeError as exc:
                errors["thread"] = str(exc)
        t = threading.Thread(target=elsewhere)
        t.start()
        t.join()
        errors["allowed"] = list(req.allowed_methods)
        return _json(req, errors)
    if what == "allowreset":
        req.allow_methods(["PUT"])
        req.allow_methods(["GET"], 1)
        return _json(req, {"allowed": list(req.allowed_methods)})
    if what == "languages":
        req.content_languages = ("en", "fr")
        req.content_type = "text/plain"
        req.write("bonjour hello")
        return apache.OK
    if what == "length":
        req.content_type = "text/plain"
        req.set_content_length(5)
        req.write("12345", 0)
        return apache.OK
    if what == "conditions":
        req.headers_out["ETag"] = '"mp-etag-1"'
        status = req.meets_conditions()
        if status != apache.OK:
            return status
        req.content_type = "text/plain"
        req.write("fresh")
        return apache.OK
    if what == "redirect":
        req.internal_redirect("/redirected.py?target")
        return apache.OK
    if what == "target":
        prev = req.prev
        return _json(req, {"prev_uri": prev.uri if prev else None,
                           "prev_args": prev.args if prev else None,
                           "uri": req.uri,
                           "prev_next_is_me": prev is not None
                           and prev.next is req})
    if what == "sendfile":
        req.content_type = "application/octet-stream"
        n = req.sendfile(os.path.join(HERE, "data.bin"))
        req.headers_out["X-Ignored"] = str(n)
        return apache.OK
    if what == "sendrange":
        req.content_type = "application/octet-stream"
        req.sendfile(os.path.join(HERE, "data.bin"), 10, 5)
        return apache.OK
    if what == "sendlink":
        req.content_type = "application/octet-stream"
        req.sendfile(os.path.join(HERE, "link.bin"))
        return apache.OK
    if what == "sendcount":
        req.content_type = "text/plain"
        n = req.sendfile(os.path.join(HERE, "data.bin"), 250)
        req.write("|%d" % n)
        return apache.OK
    if what == "sendmissing":
        try:
            req.sendfile(os.path.join(HERE, "no-such-file"))
        except OSError as e:
            return _json(req, {"error": str(e)})
        return _json(req, {"error": None})
    if what == "badlanguages":
        try:
            req.content_languages = "en"
        except TypeError:
            return _json(req, {"refused": True})
        return _json(req, {"refused": False})
    return apache.HTTP_NOT_FOUND
