"""The Redis side of Session.RedisSession: one client (and connection pool)
per interpreter and server address, and the Lua scripts of the lock.

The redis package (Debian: python3-redis) is imported on first use, so
that the other session classes work without it.

Every script is idempotent: a command whose connection broke is sent
again once (``retry_on_error``), and the server may have run the first
one.  Taking a lock the request already holds, releasing one it no longer
holds, saving the same bytes twice: each gives the same state.
"""

import os
import threading
import urllib.parse

# SET the lock key (KEYS[1]) to our token, unless somebody else's token is
# there.  Our own token already there (a retried call that had run) counts
# as taken: its expiry is renewed.  Returns {0} if the lock is another's,
# else {1, the session (KEYS[2]) or nil, 1 if the session key holds
# something that is no string}: locking and loading are one round trip.
ACQUIRE = """
local held = redis.call('get', KEYS[1])
if held ~= false and held ~= ARGV[1] then
    return {0}
end
redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2])
local value = redis.pcall('get', KEYS[2])
if type(value) == 'table' and value.err then
    return {1, false, 1}
end
return {1, value}
"""

# DEL the lock key only if it still holds our token: a lock that expired
# and was taken by another request is that request's.
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""

# Write (or with no value, delete) the session only while its lock holds
# our token, in one step: a request whose lock expired under it must not
# overwrite what the next holder saved.
WRITE_LOCKED = """
if redis.call('get', KEYS[2]) ~= ARGV[1] then
    return 0
end
if ARGV[2] == '' then
    redis.call('del', KEYS[1])
else
    redis.call('set', KEYS[1], ARGV[2], 'px', ARGV[3])
end
return 1
"""

_SCHEMES = ("redis", "rediss", "unix")

_lock = threading.Lock()
# (url, connect timeout, timeout) -> Client.  Module state, so one per
# interpreter; each entry remembers the process that made it.
_clients = {}


def _redis():
    try:
        import redis
    except ImportError as exc:
        raise ImportError("RedisSession needs the redis package "
                          "(Debian: python3-redis): %s" % exc) from exc
    return redis


class Client:
    """A redis.Redis over its own connection pool, with the scripts
    registered on it, for one process."""

    def __init__(self, url, connect_timeout, timeout, tls=None):
        redis = _redis()
        self.pid = os.getpid()
        self.url = url
        self.where = safe_url(url)
        self.errors = redis.exceptions
        # from_url makes nothing connect: a server that is down costs
        # nothing until a request needs it (Apache starts regardless).
        kwargs = {"socket_timeout": timeout or None,
                  # One more try on a broken connection: after a restart
                  # of Redis every pooled connection is dead, and the
                  # first command on each would fail although the server
                  # is back.
                  "retry_on_error": [redis.exceptions.ConnectionError]}
        if not url.lower().startswith("unix:"):
            # (a Unix socket connects at once or not at all)
            kwargs["socket_connect_timeout"] = connect_timeout or None
        if tls is not None:
            ca_certs, check_hostname, certfile, keyfile = tls
            kwargs.update(ssl_cert_reqs="required", ssl_ca_certs=ca_certs,
                          ssl_check_hostname=check_hostname,
                          ssl_certfile=certfile, ssl_keyfile=keyfile)
        self.redis = redis.Redis.from_url(url, **kwargs)
        self.acquire = self.redis.register_script(ACQUIRE)
        self.release = self.redis.register_script(RELEASE)
        self.write_locked = self.redis.register_script(WRITE_LOCKED)


def client(url, connect_timeout, timeout, tls=None):
    """The Client of this interpreter for these settings, made on first
    use and again in a process forked from the one that made it (a child
    must not share its parent's sockets).  tls is what check_tls()
    returned."""
    key = (url, connect_timeout, timeout, tls)
    found = _clients.get(key)
    pid = os.getpid()
    if found is not None and found.pid == pid:
        return found
    with _lock:
        found = _clients.get(key)
        if found is None or found.pid != pid:
            found = _clients[key] = Client(url, connect_timeout, timeout,
                                           tls)
    return found


def check_url(name, url):
    """url, if its scheme is one Redis is reached by, else ValueError
    naming the option."""
    scheme = url.partition(":")[0].lower()
    if scheme not in _SCHEMES or "://" not in url:
        raise ValueError("PythonOption %s must be a redis://, rediss:// "
                         "or unix:// URL, not %r" % (name, safe_url(url)))
    return url


def check_tls(url, tls, names):
    """The TLS settings (ca_certs, check_hostname, certfile, keyfile) for
    a rediss:// url, None for another scheme.  A file option naming no
    readable file, or a key without a certificate, is a ValueError naming
    the option (names: those of ca_certs, certfile, keyfile)."""
    if not url.lower().startswith("rediss:"):
        return None
    ca_certs, check_hostname, certfile, keyfile = tls
    for name, path in zip(names, (ca_certs, certfile, keyfile)):
        if path is not None and not os.access(path, os.R_OK):
            raise ValueError("PythonOption %s: %r is not a readable file"
                             % (name, path))
    if keyfile is not None and certfile is None:
        raise ValueError("PythonOption %s needs %s" % (names[2], names[1]))
    return tls


def safe_url(url):
    """url without its password, for the error log."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(an unparsable URL)"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path,
                                    "", ""))
