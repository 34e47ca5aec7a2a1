"""An output filter that raises."""


def outputfilter(filter):
    filter.read()
    raise ValueError("mp-broken-filter")
