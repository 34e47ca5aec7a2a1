"""The 4.8.2 hit counter with a pause between reading the count and saving
it, so that without the session lock concurrent requests lose updates even
when the store is a dict in memory (threads switch during the pause)."""
import time

from mod_python import apache, Session


def handler(req):
    session = Session.Session(req)
    hits = session.get('hits', 0) + 1
    time.sleep(0.001)
    session['hits'] = hits
    session.save()
    req.content_type = 'text/plain'
    req.write('Hits: %d\n' % hits)
    return apache.OK
