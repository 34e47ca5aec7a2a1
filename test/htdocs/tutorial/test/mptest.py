# Manual 2.4: the installation test handler, verbatim (Python 3 form).
from mod_python import apache

def handler(req):
    req.content_type = 'text/plain'
    req.write("Hello World!")
    return apache.OK
