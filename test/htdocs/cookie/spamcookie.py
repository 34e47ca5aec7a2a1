from mod_python import apache, Cookie

def handler(req):

    cookies = Cookie.get_cookies(req, Cookie.MarshalCookie,
                                 secret='secret007')

    if 'spam' in cookies:
        spamcookie = cookies['spam']

        req.write('Great, a spam cookie was found: %s\n'
                  % str(spamcookie))
        if type(spamcookie) is Cookie.MarshalCookie:
            req.write('Here is what it looks like decoded: %s=%s\n'
                      % (spamcookie.name, spamcookie.value))
        else:
            req.write('WARNING: The cookie found is not a '
                      'MarshalCookie, it may have been tampered with!')

    else:

        # MarshalCookie allows value to be any marshallable object
        value = {'egg_count': 32, 'color': 'white'}
        Cookie.add_cookie(req, Cookie.MarshalCookie('spam', value,
                                                    'secret007'))
        req.write('Spam cookie not found, but we just set one!\n')

    return apache.OK
