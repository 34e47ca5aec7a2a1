from mod_python import apache, Session, util

def handler(req):
    session = Session.Session(req)
    if session.is_new() or 'user' not in session:
        # not logged in (or the session has expired): redirect to login
        util.redirect(req, '/login/')

    session['visits'] = session.get('visits', 0) + 1
    session.save()

    req.content_type = 'text/plain'
    req.write('Hello %s, this is visit %d\n'
              % (session['user'], session['visits']))
    return apache.OK
