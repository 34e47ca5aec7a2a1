"""PSP used from a handler: PSP(string=...), vars, the string cache, and
where the _psp module comes from inside Apache."""

import sys

from mod_python import apache, psp


def strings(req):
    """Three runs of one string page: at most one parse in a request."""
    before = psp._parse_counts.get("<string>", 0)
    for i in range(3):
        psp.PSP(req, string="<%= x %>,", vars={"x": i}).run()
    req.write("|parsed=%d" % (psp._parse_counts.get("<string>", 0) - before))


def vars_override(req):
    """Variables given to run() win over those given to PSP()."""
    page = psp.PSP(req, string="<%= a %><%= b %>", vars={"a": 1, "b": 2})
    page.run({"b": 3})


def builtin(req):
    import _psp
    req.write("%s %s" % (_psp.__spec__.origin, psp._psp is sys.modules["_psp"]))


def listing(req):
    """display_code() of a string page."""
    req.write(psp.PSP(req, string="a<%= 1 %>b").display_code())


def handler(req):
    req.content_type = "text/plain"
    name = req.uri.rsplit("/", 1)[-1]
    func = {"strings": strings, "vars": vars_override, "builtin": builtin,
            "listing": listing}.get(name)
    if func is None:
        return apache.HTTP_NOT_FOUND
    func(req)
    return apache.OK
