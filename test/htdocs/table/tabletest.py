"""apache.table exercised inside Apache (test_table.py).

/check?NAME runs check_NAME() and sends its result as JSON, or the name of
the exception it raised: {"result": ...} or {"raised": "KeyError"}.  The
other URLs work on the request's own tables.
"""
import json
import os

from mod_python import apache

table = apache.table


def check_subscript_case_insensitive():
    t = table()
    t["Content-Type"] = "text/plain"
    return [t["content-type"], t["CONTENT-TYPE"], t["Content-Type"]]


def check_get_case_insensitive():
    t = table()
    t["Content-Type"] = "text/plain"
    return t.get("cOnTeNt-TyPe")


def check_in_case_insensitive():
    t = table()
    t["Content-Type"] = "text/plain"
    return ["content-type" in t, "CONTENT-TYPE" in t, "nope" in t,
            "nope" not in t]


def check_add_duplicates_subscript_list():
    t = table()
    t.add("X", "1")
    t.add("x", "2")
    return {"sub": t["X"], "len": len(t)}


def check_single_value_is_str():
    t = table()
    t.add("a", "1")
    return [t["a"], type(t["a"]).__name__]


def check_missing_key():
    t = table()
    return t["nope"]


def check_set_replaces_duplicates():
    t = table()
    t.add("a", "1")
    t.add("a", "2")
    t["A"] = "3"
    return {"sub": t["a"], "len": len(t)}


def _abab():
    t = table()
    t["a"] = "1"
    t["b"] = "2"
    t.add("a", "3")
    return t


def check_len():
    return [len(table()), len(_abab())]


def check_iteration():
    return list(_abab())


def check_keys_values_items():
    t = _abab()
    return {"keys": list(t.keys()), "values": list(t.values()),
            "items": [list(p) for p in t.items()]}


def check_get_default():
    t = table()
    t["a"] = "1"
    return [t.get("missing"), t.get("missing", "dflt"), t.get("a", "dflt")]


def check_copy_independent():
    t = table()
    t["a"] = "1"
    t.add("d", "1")
    t.add("d", "2")
    c = t.copy()
    c["b"] = "2"
    c["a"] = "changed"
    return {"t": [list(p) for p in t.items()],
            "c_a": c["a"], "c_b": c["b"], "c_d": c["d"],
            "is_table": isinstance(c, table)}


def check_del_removes_all():
    t = table()
    t["a"] = "1"
    t.add("b", "1")
    t.add("b", "2")
    del t["B"]
    return [list(p) for p in t.items()]


def check_del_missing():
    t = table()
    del t["nope"]


def check_clear():
    t = _abab()
    t.clear()
    return [len(t), list(t)]


def check_update_dict():
    t = table()
    t["a"] = "old"
    t.update({"A": "new", "b": "2"})
    return {"a": t["a"], "b": t["b"], "len": len(t)}


def check_update_table():
    t = table()
    t["a"] = "1"
    other = table()
    other["c"] = "3"
    t.update(other)
    return {"a": t["a"], "c": t["c"], "len": len(t)}


def check_setdefault():
    t = table()
    return [t.setdefault("k", "v"), t.setdefault("K", "w"), t["k"], len(t)]


def check_pop():
    t = table()
    t["k"] = "v"
    return [t.pop("K"), "k" in t, t.pop("missing", "d")]


def check_pop_missing():
    return table().pop("nope")


def check_popitem():
    t = table()
    t["only"] = "1"
    item = t.popitem()
    return [list(item), len(t)]


def check_popitem_empty():
    return table().popitem()


def check_from_dict():
    t = table({"a": "1", "b": "2"})
    return sorted(list(p) for p in t.items())


def check_from_pairs():
    t = table([("a", "1"), ("b", "2")])
    return sorted(list(p) for p in t.items())


def check_from_table():
    src = table()
    src["a"] = "1"
    t = table(src)
    t["b"] = "2"
    return {"t": sorted(list(p) for p in t.items()),
            "src": [list(p) for p in src.items()]}


def check_make_table():
    return [apache.make_table is apache.table,
            isinstance(apache.make_table(), apache.table)]


def check_nonlatin1_value():
    table()["a"] = "\u20ac"


def check_nonlatin1_key():
    table()["\u20ac"] = "a"


def check_nonlatin1_add():
    table().add("a", "\u20ac")


def check_nonstr_value():
    table()["a"] = 1


def check_nonstr_key():
    table()[1] = "a"


def check_bytes_value():
    # bytes keys and values go in as they are and read back as latin-1.
    t = table()
    t[b"a"] = b"x\xe9"
    t.add(b"b", "v")
    return [t["a"], t[b"A"], b"a" in t, t.get(b"b")]


def check_latin1_roundtrip():
    t = table()
    t["k\u00e9y"] = "caf\u00e9"
    return [t["k\u00e9y"], list(t.keys())]


def check_empty_is_false():
    return [bool(table()), bool(table({"a": "1"}))]


def _json(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def check(req):
    func = globals().get("check_" + (req.args or ""))
    if func is None:
        return apache.HTTP_NOT_FOUND
    try:
        return _json(req, {"result": func()})
    except Exception as e:
        return _json(req, {"raised": type(e).__name__, "message": str(e)})


# -- the request's own tables -------------------------------------------

def types(req):
    return _json(req, [isinstance(t, table) for t in (
        req.headers_in, req.headers_out, req.err_headers_out, req.notes,
        req.subprocess_env)])


def out_set(req):
    req.headers_out["X-Mp-Set"] = "set-value"
    req.write("ok")
    return apache.OK


def out_add(req):
    req.headers_out.add("X-Dup", "one")
    req.headers_out.add("X-Dup", "two")
    req.write("ok")
    return apache.OK


def out_del(req):
    req.headers_out["X-Gone"] = "1"
    req.headers_out["X-Kept"] = "1"
    del req.headers_out["x-gone"]
    req.write("ok")
    return apache.OK


def out_latin1(req):
    req.headers_out["X-Latin"] = "caf\u00e9"
    req.write("ok")
    return apache.OK


def in_dump(req):
    h = req.headers_in
    return _json(req, {"keys": list(h.keys()), "len": len(h),
                       "items": [list(p) for p in h.items()]})


def in_value(req):
    return _json(req, {"value": req.headers_in.get(req.args)})


def handler(req):
    name = os.path.basename(req.filename)
    func = {"check": check, "types": types, "out_set": out_set,
            "out_add": out_add, "out_del": out_del, "out_latin1": out_latin1,
            "in_dump": in_dump, "in_value": in_value}.get(name)
    if func is None:
        return apache.HTTP_NOT_FOUND
    return func(req)
