"""PythonImport r35startup_broken::explode: the call raises."""


def explode():
    raise ValueError("r35 import boom")
