"""Return values and exceptions of a content handler (test_returns.py).
The query string says what to do."""
import json
import os

from mod_python import apache

HTTP_NAMES = """
HTTP_CONTINUE HTTP_SWITCHING_PROTOCOLS HTTP_PROCESSING HTTP_OK HTTP_CREATED
HTTP_ACCEPTED HTTP_NON_AUTHORITATIVE HTTP_NO_CONTENT HTTP_RESET_CONTENT
HTTP_PARTIAL_CONTENT HTTP_MULTI_STATUS HTTP_MULTIPLE_CHOICES
HTTP_MOVED_PERMANENTLY HTTP_MOVED_TEMPORARILY HTTP_SEE_OTHER
HTTP_NOT_MODIFIED HTTP_USE_PROXY HTTP_TEMPORARY_REDIRECT HTTP_BAD_REQUEST
HTTP_UNAUTHORIZED HTTP_PAYMENT_REQUIRED HTTP_FORBIDDEN HTTP_NOT_FOUND
HTTP_METHOD_NOT_ALLOWED HTTP_NOT_ACCEPTABLE
HTTP_PROXY_AUTHENTICATION_REQUIRED HTTP_REQUEST_TIME_OUT HTTP_CONFLICT
HTTP_GONE HTTP_LENGTH_REQUIRED HTTP_PRECONDITION_FAILED
HTTP_REQUEST_ENTITY_TOO_LARGE HTTP_REQUEST_URI_TOO_LARGE
HTTP_UNSUPPORTED_MEDIA_TYPE HTTP_RANGE_NOT_SATISFIABLE
HTTP_EXPECTATION_FAILED HTTP_UNPROCESSABLE_ENTITY HTTP_LOCKED
HTTP_FAILED_DEPENDENCY HTTP_INTERNAL_SERVER_ERROR HTTP_NOT_IMPLEMENTED
HTTP_BAD_GATEWAY HTTP_SERVICE_UNAVAILABLE HTTP_GATEWAY_TIME_OUT
HTTP_VERSION_NOT_SUPPORTED HTTP_VARIANT_ALSO_VARIES
HTTP_INSUFFICIENT_STORAGE HTTP_NOT_EXTENDED
OK DECLINED DONE
""".split()


def constants(req):
    values = {name: getattr(apache, name, None) for name in HTTP_NAMES}
    values["SERVER_RETURN_is_exception"] = (
        isinstance(apache.SERVER_RETURN, type)
        and issubclass(apache.SERVER_RETURN, Exception))
    req.content_type = "application/json"
    req.write(json.dumps(values))
    return apache.OK


def handler(req):
    what = (req.args or "ok").split("-")[0]
    if what == "ok":
        req.content_type = "text/plain"
        req.write("ok")
        return apache.OK
    if what == "pid":
        req.content_type = "text/plain"
        req.write(str(os.getpid()))
        return apache.OK
    if what == "declined":
        return apache.DECLINED
    if what == "done":
        req.content_type = "text/plain"
        req.write("done")
        return apache.DONE
    if what.isdigit():
        return int(what)
    if what == "raise403":
        raise apache.SERVER_RETURN(apache.HTTP_FORBIDDEN)
    if what == "raiseok":
        req.content_type = "text/plain"
        req.write("raised ok")
        raise apache.SERVER_RETURN(apache.OK)
    if what == "raisepair":
        # Python 2's `raise SERVER_RETURN, (OK, 202)` in Python 3 form.
        req.content_type = "text/plain"
        req.write("accepted", 0)
        raise apache.SERVER_RETURN(apache.OK, apache.HTTP_ACCEPTED)
    if what == "raise":
        raise ValueError("mp-handler-exception " + req.args)
    if what == "nonint":
        return "x"
    if what == "none":
        return None
    if what == "constants":
        return constants(req)
    if what.startswith("write"):
        return write_then_fail(req, what[len("write"):])
    req.content_type = "text/plain"
    req.write("unknown request %r" % req.args)
    return apache.OK


def write_then_fail(req, how):
    """Part of a response goes out, then the handler fails: by returning
    None, by raising, or by returning an error status."""
    req.content_type = "text/plain"
    if how.endswith("cl"):
        req.set_content_length(1000)
    if how.startswith("buffered"):
        req.write("partial-body\n", 0)      # still gathered when it fails
    else:
        req.write("partial-body\n")         # flushed: headers are out
    if how.startswith(("none", "bufferednone")):
        return None
    if how.startswith("404"):
        return apache.HTTP_NOT_FOUND
    raise ValueError("mp-failed-after-writing " + req.args)
