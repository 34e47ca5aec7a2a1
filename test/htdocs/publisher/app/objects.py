"""What the publisher makes of each kind of object (manual 6.1.2)."""
import functools

TEXT = "a module-level string"
NUMBER = 42
LISTING = [1, "two", 3.0]
NOTHING = None
BLOB = b"raw module-level bytes"


class Thing:
    """A class: neither published nor called (404)."""
    calls = 0

    def __init__(self):
        Thing.calls += 1


# A CherryPy-style tree: attributes are pages or further nodes, and a
# node's own page is its index.
class Leaf:
    def index(self):
        return "leaf index"

    def hello(self, name="world"):
        return "hello %s" % name

    @staticmethod
    def static(word="s"):
        return "static %s" % word


class Branch:
    def __init__(self):
        self.leaf = Leaf()

    def index(self, req):
        return "branch index at %s" % req.uri


class Root:
    title = "the root's title"

    def __init__(self):
        self.branch = Branch()
        self.leaf = Leaf()

    def index(self):
        return "root index"


root = Root()


class Plain:
    def __str__(self):
        return "a plain object"


plain = Plain()


class Counter:
    def __call__(self, step="1"):
        return "called with step=%s" % step


counter = Counter()


def html():
    return "<html><body>hello</body></html>"


def html_doctype():
    return "<!DOCTYPE html>\n<title>t</title><p>hello"


def html_tail():
    return "<head><title>t</title></head><body>x</body></html>\n"


def text():
    return "plain text with <b>markup</b> inside"


def json_type(req):
    req.content_type = "application/json"
    return '{"a": 1}'


def latin1(req):
    req.content_type = "text/plain; charset=iso-8859-1"
    return "caf\u00e9"


def unicode():
    return "caf\u00e9 \u20ac"


def octets(req):
    req.content_type = "application/octet-stream"
    return bytes(range(256))


def writes_itself(req):
    req.content_type = "text/plain"
    req.write("written by the function")


def number():
    return 12345


def log(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return "[%s]" % func(*args, **kwargs)
    return wrapper


@log
def decorated(req, word="plain"):
    return "decorated %s" % word


shout = lambda what="hey": what.upper()  # noqa: E731


class Decorated:
    @log
    def method(self, word="m"):
        return "method %s" % word


decorated_object = Decorated()


class Loop:
    """A node whose index is itself: followed once, then its string."""

    def __init__(self):
        self.index = self

    def __str__(self):
        return "a loop"


loop = Loop()
