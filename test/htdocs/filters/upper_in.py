"""An input filter that upper-cases the request body."""


def inputfilter(filter):
    s = filter.read()
    if s is None:
        filter.close()
        return
    filter.write(s.upper())
