def index(req):
    return "published under a <Location>"
