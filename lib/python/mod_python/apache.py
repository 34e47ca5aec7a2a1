"""mod_python.apache -- the interface between handlers and Apache.

Import it in handlers as ``from mod_python import apache``.  It only works
inside Apache, where mod_python provides the built-in ``_apache`` module.

This module holds the public names of the manual's section 4.5: return
codes, ``SERVER_RETURN``, ``import_module``, ``log_error``, ``table``, the
``APLOG_*``, ``M_*``, ``AP_MPMQ_*`` and other constants.  The machinery that
runs handlers lives in the private ``mod_python._dispatch``.
"""


import _apache
from _apache import (table, log_error, server_root, mpm_query,
                     exists_config_define, register_cleanup, config_tree)

from ._context import running
from ._importer import import_module

# table() was once made by make_table(); both names stay.
make_table = table

# ---------------------------------------------------------------- returns
OK = 0
DECLINED = -1
DONE = -2

HTTP_CONTINUE = 100
HTTP_SWITCHING_PROTOCOLS = 101
HTTP_PROCESSING = 102
HTTP_OK = 200
HTTP_CREATED = 201
HTTP_ACCEPTED = 202
HTTP_NON_AUTHORITATIVE = 203
HTTP_NO_CONTENT = 204
HTTP_RESET_CONTENT = 205
HTTP_PARTIAL_CONTENT = 206
HTTP_MULTI_STATUS = 207
HTTP_MULTIPLE_CHOICES = 300
HTTP_MOVED_PERMANENTLY = 301
HTTP_MOVED_TEMPORARILY = 302
HTTP_SEE_OTHER = 303
HTTP_NOT_MODIFIED = 304
HTTP_USE_PROXY = 305
HTTP_TEMPORARY_REDIRECT = 307
HTTP_BAD_REQUEST = 400
HTTP_UNAUTHORIZED = 401
HTTP_PAYMENT_REQUIRED = 402
HTTP_FORBIDDEN = 403
HTTP_NOT_FOUND = 404
HTTP_METHOD_NOT_ALLOWED = 405
HTTP_NOT_ACCEPTABLE = 406
HTTP_PROXY_AUTHENTICATION_REQUIRED = 407
HTTP_REQUEST_TIME_OUT = 408
HTTP_CONFLICT = 409
HTTP_GONE = 410
HTTP_LENGTH_REQUIRED = 411
HTTP_PRECONDITION_FAILED = 412
HTTP_REQUEST_ENTITY_TOO_LARGE = 413
HTTP_REQUEST_URI_TOO_LARGE = 414
HTTP_UNSUPPORTED_MEDIA_TYPE = 415
HTTP_RANGE_NOT_SATISFIABLE = 416
HTTP_EXPECTATION_FAILED = 417
HTTP_UNPROCESSABLE_ENTITY = 422
HTTP_LOCKED = 423
HTTP_FAILED_DEPENDENCY = 424
HTTP_INTERNAL_SERVER_ERROR = 500
HTTP_NOT_IMPLEMENTED = 501
HTTP_BAD_GATEWAY = 502
HTTP_SERVICE_UNAVAILABLE = 503
HTTP_GATEWAY_TIME_OUT = 504
HTTP_VERSION_NOT_SUPPORTED = 505
HTTP_VARIANT_ALSO_VARIES = 506
HTTP_INSUFFICIENT_STORAGE = 507
HTTP_NOT_EXTENDED = 510


class SERVER_RETURN(Exception):
    """Raise to end a handler with a status: ``raise SERVER_RETURN(code)``.

    The argument is the value the handler would have returned (``OK``,
    ``DECLINED``, ``HTTP_FORBIDDEN``...).  A ``(code, status)`` pair also
    sets ``req.status`` to ``status``.
    """


# -------------------------------------------- constants from Apache itself
def _export_constants(prefixes):
    g = globals()
    for name in dir(_apache):
        if name.startswith(prefixes):
            g[name] = getattr(_apache, name)


_export_constants(("APLOG_", "M_", "AP_MPMQ_", "REMOTE_", "PROXYREQ_"))

# Indexes into req.finfo and req.parsed_uri.
(FINFO_MODE, FINFO_INO, FINFO_DEV, FINFO_NLINK, FINFO_UID, FINFO_GID,
 FINFO_SIZE, FINFO_ATIME, FINFO_MTIME, FINFO_CTIME, FINFO_FNAME,
 FINFO_NAME) = range(12)

(URI_SCHEME, URI_HOSTINFO, URI_USER, URI_PASSWORD, URI_HOSTNAME, URI_PORT,
 URI_PATH, URI_QUERY, URI_FRAGMENT) = range(9)

# The name of the interpreter this module was imported in.
interpreter = _apache.interpreter if hasattr(_apache, "interpreter") else None
mp_version = _apache.mp_version
# The Apache httpd this mod_python runs in, e.g. "Apache/2.4.62 (Debian)".
apache_version = _apache.apache_version


# ------------------------------------------------ the request being handled


def allow_methods(*methods):
    """Add methods (apache.M_GET, apache.M_POST, ... or names) to the
    allowed methods of the request being handled, which Apache sends in
    the Allow: header of an HTTP_METHOD_NOT_ALLOWED or HTTP_NOT_IMPLEMENTED
    response (manual 4.5.1).  Same as ``req.allow_methods(methods)``.
    """
    req = running.request
    if req is None:
        raise RuntimeError("apache.allow_methods() called outside a request "
                           "handler; use req.allow_methods() there")
    req.allow_methods(methods)


# ========================================================================
# Compatibility: the helpers 3.2.10's apache.py had beyond its manual and
# the names mod_python 3.3-3.5 added (stat, main_server, exists_config,
# more constants).  They live in the private mod_python._compat; a name
# defined above in this module takes precedence over its namesake there.
from . import _compat

for _name in _compat.__all__:
    globals().setdefault(_name, getattr(_compat, _name))
del _name


def __getattr__(name):
    # ApacheLogHandler loads the logging package: only when asked for.
    if name == "ApacheLogHandler":
        from ._loghandler import ApacheLogHandler
        return ApacheLogHandler
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
