# Manual 6.1.2, Authentication: "the same functionality, but using an
# alternative technique", as printed.

__auth_realm__ = "Members only"
__auth__ = {"eggs":"spam", "joe":"eoj"}
__access__ = ["eggs"]

def hello(req):
    return "hello"
