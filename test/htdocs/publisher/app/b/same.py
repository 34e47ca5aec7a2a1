def index(req):
    return "same.py in b"
