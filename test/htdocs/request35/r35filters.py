"""Filters that r35.py registers for one request."""


def upper(filter):
    data = filter.read()
    while data:
        filter.write(data.upper())
        data = filter.read()
    if data is None:
        filter.close()


def lower(filter):
    data = filter.read()
    while data:
        filter.write(data.lower())
        data = filter.read()
    if data is None:
        filter.close()


def swapcase(filter):
    data = filter.read()
    while data:
        filter.write(data.swapcase())
        data = filter.read()
    if data is None:
        filter.close()
