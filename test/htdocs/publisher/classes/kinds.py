"""Classes at the end of a publisher path (manual 6.1.2: only what is
"callable and not a class" is called; a class is not published)."""


class Klass:
    """Reached as /kinds.py/Klass: 404, and never instantiated."""
    made = 0

    def __init__(self, req=None):
        Klass.made += 1

    def __str__(self):
        return "an instance"


class Holder:
    """An instance of it is traversed; its class attribute Inner is a
    class found by traversal."""
    Inner = Klass

    def page(self):
        return "holder page"


holder = Holder()
instance = Klass.__new__(Klass)    # an instance, made without __init__


def made():
    return str(Klass.made)
