"""Imported by PythonImport r35startup::started, found through the
server's PythonPath; started() is called once per child."""
import os

CALLS = []


def started():
    CALLS.append(os.getpid())
