# Apache authenticates (AuthType Basic, AuthUserFile), __access__ picks
# among the authenticated users (manual 6.1.2, last paragraph).
__access__ = ["alice"]


def index(req):
    return "members area for %s" % req.user
