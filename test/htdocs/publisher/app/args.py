"""Argument matching and invocation (manual 6.1.2): each function reports
what it was called with."""
import json


def both(a, b="b default"):
    return json.dumps({"a": a, "b": b})


def with_req(req, x="x default"):
    return json.dumps({"req": type(req).__name__, "uri": req.uri, "x": x})


def without_req(x="x default"):
    return json.dumps({"x": x})


def kwargs(a, **kw):
    return json.dumps({"a": a, "kw": sorted(kw),
                       "req": type(kw.get("req")).__name__,
                       "c": kw.get("c")})


def value_types(v, w=None):
    return json.dumps({"v": v, "v_type": type(v).__name__,
                       "v_is_str": isinstance(v, str),
                       "w_types": [type(x).__name__ for x in w]
                       if isinstance(w, list) else None})


def form_attr(req):
    return json.dumps({"form": type(req.form).__name__,
                       "keys": sorted(req.form.keys()),
                       "first": req.form.getfirst("k")})


def positional_only(a, /, b="b default"):
    return json.dumps({"a": a, "b": b})


def keyword_only(*, k):
    return json.dumps({"k": k})


def upload(req, f, note):
    return json.dumps({"filename": f.filename,
                      "data": f.file.read().decode("utf-8"),
                      "note": note})


def no_arguments():
    return "no arguments"


def blank(name):
    return json.dumps({"name": name})


def fails(req):
    raise ValueError("the published function failed")
