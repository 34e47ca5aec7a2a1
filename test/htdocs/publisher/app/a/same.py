def index(req):
    return "same.py in a"
