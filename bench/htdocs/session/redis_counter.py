"""The hit counter of manual 4.8.2 on a RedisSession, locking on."""

from mod_python import Session, apache


def handler(req):
    session = Session.RedisSession(req)
    try:
        session["hits"] += 1
    except KeyError:
        session["hits"] = 1
    session.save()
    req.content_type = "text/plain"
    req.write("Hits: %d\n" % session["hits"])
    return apache.OK
