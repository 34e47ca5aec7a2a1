# The example of manual 6.1.2 (Traversal), as printed.

def index(req):

    return "We are in index()"

def hello(req):

    return "We are in hello()"
