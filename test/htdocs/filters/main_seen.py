"""An output filter that tags its output with whether it runs in a
subrequest (4.3: filters may run again in subrequests; check req.main)."""


def outputfilter(filter):
    s = filter.read()
    while s:
        tag = b"[sub]" if filter.req.main is not None else b"[main]"
        filter.write(tag + s)
        s = filter.read()
    if s is None:
        filter.close()
