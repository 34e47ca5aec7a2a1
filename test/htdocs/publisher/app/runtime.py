"""A module that changes itself at run time: the publisher must publish
what it binds now, not what it bound when a URL was first seen."""


def page(req):
    return "page"


def other(req):
    return "other"


def rebind(req):
    global page
    page = other
    return "rebound"


def protect(req):
    globals()["__auth__"] = {"user": "secret"}
    return "protected"


def restore(req):
    global page
    page = _original_page
    globals().pop("__auth__", None)
    return "restored"


_original_page = page
