"""An output filter for test_write_flush.py: upper-cases what passes, and
passes a flush on when one comes (filter.flush())."""


def outputfilter(filter):
    s = filter.read()
    while s:
        filter.write(s.upper())
        s = filter.read()
    if s is None:
        filter.close()
    else:
        filter.flush()
