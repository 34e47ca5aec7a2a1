"""A published function: the publisher reads the form with the limits of
PythonOption (Doc/util.rst "Limits")."""


def count(req, **fields):
    return "%d fields" % len(fields)
