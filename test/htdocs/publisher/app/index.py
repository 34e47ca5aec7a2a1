def index(req):
    return "app index"
