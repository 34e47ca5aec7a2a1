"""Hello world from Flask (the wsgi-flask variant)."""

from flask import Flask, Response

app = Flask(__name__)


@app.route("/hello")
def hello():
    return Response(b"Hello World!", mimetype="text/plain")
