"""An output filter that marks the end of each call with '|', and reports
its own members once."""


def outputfilter(filter):
    if not getattr(filter.req, "members_sent", False):
        filter.req.members_sent = True
        filter.write("[%s %s %s %s]" % (filter.name, filter.is_input,
                                        filter.handler, filter.closed))
    s = filter.read()
    while s:
        filter.write(s)
        s = filter.read()
    if s is None:
        filter.close()
        return
    filter.write("|")
