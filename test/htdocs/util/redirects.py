"""util.redirect (manual 4.6.4): the last part of the URL says how."""
from mod_python import apache, util


def handler(req):
    what = req.uri.rsplit("/", 1)[-1]
    if what == "redirect_temp":
        util.redirect(req, "/elsewhere?a=1&b=<2>")
    elif what == "redirect_perm":
        util.redirect(req, "http://example.invalid/new", permanent=1)
    elif what == "redirect_text":
        util.redirect(req, "/moved", text="Gone to /moved\n")
    elif what == "redirect_late":
        req.content_type = "text/plain"
        req.write("already started\n")
        try:
            util.redirect(req, "/too-late")
        except IOError as exc:
            req.write("IOError: %s\n" % exc)
        return apache.OK
    elif what == "redirect_caught":
        # SERVER_RETURN can be caught: the handler goes on after it.
        try:
            util.redirect(req, "/caught")
        except apache.SERVER_RETURN:
            req.write("<p>and more</p>\n")
        return apache.OK
    return apache.HTTP_NOT_FOUND
