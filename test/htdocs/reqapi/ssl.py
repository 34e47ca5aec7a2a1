"""Reports SSL state for the mod_ssl test."""
import json

from mod_python import apache


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps({
        "is_https": req.is_https(),
        "protocol": req.ssl_var_lookup("SSL_PROTOCOL"),
        "cipher": req.ssl_var_lookup("SSL_CIPHER"),
        "unknown": req.ssl_var_lookup("SSL_NO_SUCH_VARIABLE"),
    }))
    return apache.OK
