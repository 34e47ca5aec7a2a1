# Outside the publisher's directory (test/htdocs/publisher/app): whatever
# points here from there must not be published.

def index(req):
    return "TOP SECRET"

leak = "TOP SECRET"
