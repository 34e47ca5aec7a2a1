def index(req):
    return "private module"
