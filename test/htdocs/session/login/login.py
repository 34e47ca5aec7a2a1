from mod_python import apache, Session, util

FORM = '''<form method="post" action="/login/">
<input name="user"> <input type="submit" value="Log in">
</form>
'''

def handler(req):
    session = Session.Session(req)
    user = util.FieldStorage(req).getfirst('user')
    if not user:
        req.content_type = 'text/html'
        req.write(FORM)
        return apache.OK

    session['user'] = user
    session.save()
    util.redirect(req, '/members/')
