"""The manual's CAPITALIZE output filter (4.3), in Python 3 form."""
from mod_python import apache


def outputfilter(filter):

    s = filter.read()
    while s:
        filter.write(s.upper())
        s = filter.read()

    if s is None:
        filter.close()
