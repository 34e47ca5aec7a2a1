"""PythonPostReadRequestHandler of the request35 host: with the header
X-R35-Early, fetches req.subprocess_env before the URI is mapped."""
from mod_python import apache


def postreadrequesthandler(req):
    if "X-R35-Early" in req.headers_in:
        env = req.subprocess_env
        req.r35_early = {"method": env.get("REQUEST_METHOD"),
                         "script_filename": env.get("SCRIPT_FILENAME"),
                         "path_info": env.get("PATH_INFO")}
    return apache.OK
