"""Handlers for test_util.py (manual 4.6): the last part of the URL picks
one; most answer with a JSON report of what FieldStorage found."""
import hashlib
import json

from mod_python import apache, util

import callbacks
import greet
import redirects
import storage_factory
import storage_simple


def _describe(item):
    """What a test needs to know about one Field or StringField."""
    out = {"class": type(item).__name__, "name": item.name,
           "filename": item.filename, "type": item.type,
           "type_options": item.type_options,
           "disposition": item.disposition,
           "disposition_options": item.disposition_options,
           "file_class": type(item.file).__name__}
    if item.filename is None:
        out["value"] = item.value
        out["is_str"] = isinstance(item, str) or isinstance(item.value, str)
        out["file_read"] = item.file.read()
        item.file.seek(0)
    else:
        # Read the upload in pieces, as a handler with a big file should.
        digest = hashlib.sha256()
        size = 0
        while True:
            piece = item.file.read(65536)
            if not piece:
                break
            digest.update(piece)
            size += len(piece)
        item.file.seek(0)
        out["sha256"] = digest.hexdigest()
        out["size"] = size
        out["value_is_bytes"] = isinstance(item.value, bytes)
        if size < 4096:
            out["value"] = item.value.decode("latin-1")
    return out


def _mapping(fs):
    return {
        "keys": fs.keys(),
        "len": len(fs),
        "iter": list(fs),
        "items": [[k, type(v).__name__] for k, v in fs.items()],
        "values": [type(v).__name__ for v in fs.values()],
        "getitem": {k: ([str(x) for x in fs[k]] if isinstance(fs[k], list)
                        else type(fs[k]).__name__)
                    for k in fs.keys()},
        "getlist": {k: [x.value if x.filename is None else x.filename
                        for x in fs.getlist(k)] for k in fs.keys()},
        "getfirst": {k: (fs.getfirst(k).value
                         if fs.getfirst(k).filename is None
                         else fs.getfirst(k).filename) for k in fs.keys()},
        "missing": [fs.getfirst("nope"), fs.getfirst("nope", "dflt"),
                    fs.getlist("nope"), fs.get("nope"), fs.get("nope", 7),
                    "nope" in fs, fs.has_key("nope")],
        "contains": [k in fs and fs.has_key(k) for k in fs.keys()],
        "list": [_describe(f) for f in fs.list],
    }


def _json(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def handler(req):
    what = req.uri.rsplit("/", 1)[-1]
    if what == "dump":
        return _json(req, _mapping(util.FieldStorage(req)))
    if what == "blank":
        return _json(req, _mapping(util.FieldStorage(req,
                                                     keep_blank_values=1)))
    if what == "strict":
        return _json(req, _mapping(util.FieldStorage(req,
                                                     strict_parsing=1)))
    if what == "stringfield":
        import copy
        import pickle
        fs = util.FieldStorage(req)
        sf = fs["a"]
        again = pickle.loads(pickle.dumps(sf, pickle.HIGHEST_PROTOCOL))
        sf.note = "mine"                    # any attribute can be set
        by_hand = util.StringField("typed")
        return _json(req, {"class": type(sf).__name__,
                           "is_str": isinstance(sf, str),
                           "value": sf.value,
                           "value_class": type(sf.value).__name__,
                           "upper": sf.upper(), "eq": sf == "hello",
                           "file": sf.file.read(), "name": sf.name,
                           "list_class": type(fs.list[0]).__name__,
                           "pickled": [type(again).__name__, again,
                                       again.name],
                           "copied": copy.copy(sf).name,
                           "note": sf.note,
                           "defaults": [by_hand.name, by_hand.type,
                                        by_hand.type_options,
                                        by_hand.filename,
                                        by_hand.file.read()]})
    if what == "parseqs":
        import _apache
        qs = "a=1&b=&a=%C3%A9"
        return _json(req, {
            "same": [util.parse_qs is _apache.parse_qs,
                     util.parse_qsl is _apache.parse_qsl],
            "qs": util.parse_qs(qs), "qs_blank": util.parse_qs(qs, 1),
            "qsl": util.parse_qsl(qs), "qsl_blank": util.parse_qsl(qs, 1, 0),
            "qsl_kw": util.parse_qsl(qs, keep_blank_values=True,
                                     strict_parsing=False)})
    if what == "greet":
        return greet.handler(req)
    if what == "storage_simple":
        return storage_simple.handler(req)
    if what == "storage_factory":
        return storage_factory.handler(req)
    if what == "fieldcb":
        return callbacks.handler(req)
    if what.startswith("redirect"):
        return redirects.handler(req)
    return apache.HTTP_NOT_FOUND
