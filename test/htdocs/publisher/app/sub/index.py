def index(req):
    return "sub/index.py index()"

def page(req):
    return "sub/index.py page()"
