"""A Flask application served by mod_python.wsgi (test_wsgi_apps.py)."""

import hashlib

from flask import (Flask, Response, abort, jsonify, request, session,
                   stream_with_context, url_for)

app = Flask(__name__)
# A fixed key: the tests only need the session cookie to be signed.
app.secret_key = "test-only key for the signed session cookie"

_items = []


class Teapot(Exception):
    pass


@app.route("/")
def index():
    return "Hello from Flask at %s" % url_for("index")


@app.route("/hello/<name>")
def hello(name):
    return "Hello, %s!" % name


@app.route("/form", methods=["GET", "POST"])
def form():
    if request.method == "POST":
        return "%s is %s years old" % (request.form["name"],
                                       request.form["age"])
    return '<form method="post"><input name="name"><input name="age"></form>'


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    data = f.read()
    return jsonify(filename=f.filename, size=len(data),
                   sha256=hashlib.sha256(data).hexdigest(),
                   note=request.form.get("note"))


@app.route("/api/items", methods=["GET", "POST"])
def items():
    if request.method == "POST":
        item = request.get_json()
        if not isinstance(item, dict) or "name" not in item:
            return jsonify(error="an item needs a name"), 400
        _items.append(item)
        return jsonify(item=item, count=len(_items)), 201
    return jsonify(items=_items)


@app.route("/stream")
def stream():
    def generate():
        for i in range(5):
            yield "line %d\n" % i
    return Response(stream_with_context(generate()), mimetype="text/plain")


@app.route("/session/set/<value>")
def session_set(value):
    session["value"] = value
    return "stored"


@app.route("/session/get")
def session_get():
    return session.get("value", "nothing")


@app.route("/teapot")
def teapot():
    raise Teapot()


@app.route("/missing")
def missing():
    abort(404)


@app.errorhandler(Teapot)
def handle_teapot(error):
    return "I am a teapot, handled by Flask", 418


@app.errorhandler(404)
def handle_404(error):
    return "Flask's own not found page", 404
