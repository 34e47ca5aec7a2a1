"""An input filter that keeps everything until the end of the body, then
writes it reversed: most of its calls write nothing."""


def inputfilter(filter):
    s = filter.read()
    if s is None:
        filter.write(b"".join(getattr(filter.req, "kept", []))[::-1])
        filter.close()
        return
    if not hasattr(filter.req, "kept"):
        filter.req.kept = []
    filter.req.kept.append(s)
