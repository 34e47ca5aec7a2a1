"""A handler run in interpreter th_other, so that the diagnostics page
(served from another interpreter of the same process) has something to
report about it (test_testhandler.py).  ?bad asks _apache about
interpreters in ways that must fail cleanly."""
from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    if req.args == "bad":
        import _apache
        out = []
        for arg in ("mp-no-such-interpreter", 42):
            try:
                _apache.interpreter_report(arg)
                out.append("no error")
            except Exception as exc:
                out.append("%s: %s" % (type(exc).__name__, exc))
        req.write("\n".join(out))
        return apache.OK
    req.write("other interpreter")
    return apache.OK
