"""The Redis side of Session.RedisSession: one client (and connection pool)
per interpreter and server address, and the Lua scripts of the lock, which
run on connections of their own (_Conn, _Script) for speed.

The redis package (Debian: python3-redis) is imported on first use, so
that the other session classes work without it.

Every script is idempotent: a command whose connection broke is sent
again once (``retry_on_error``), and the server may have run the first
one.  Taking a lock the request already holds, releasing one it no longer
holds, saving the same bytes twice: each gives the same state.
"""

import hashlib
import os
import socket
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
        self.pool = self.redis.connection_pool
        # the scripts' connections not in use (list.pop and append are
        # atomic: threads need no lock)
        self.idle = []
        self.acquire = _Script(self, ACQUIRE)
        self.release = _Script(self, RELEASE)
        self.write_locked = _Script(self, WRITE_LOCKED)


def _bulk(item):
    """item (bytes, str or int) as a RESP bulk string."""
    if not isinstance(item, bytes):
        item = str(item).encode() if isinstance(item, int) \
            else item.encode("utf-8")
    return b"$%d\r\n%s\r\n" % (len(item), item)


class _Error:
    """An error reply inside a reply."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


def _parse(buf, pos):
    """The RESP reply starting at buf[pos]: (value, end), or None when
    buf does not hold all of it yet.  Bulk strings are bytes, nil is
    None, an error is an _Error."""
    nl = buf.find(b"\r\n", pos)
    if nl < 0:
        return None
    kind = buf[pos]
    line = buf[pos + 1:nl]
    pos = nl + 2
    if kind == 0x24:                            # $ bulk string
        n = int(line)
        if n < 0:
            return None, pos
        if len(buf) < pos + n + 2:
            return None
        return buf[pos:pos + n], pos + n + 2
    if kind == 0x3a:                            # : integer
        return int(line), pos
    if kind == 0x2a:                            # * array
        n = int(line)
        if n < 0:
            return None, pos
        items = []
        for _ in range(n):
            item = _parse(buf, pos)
            if item is None:
                return None
            items.append(item[0])
            pos = item[1]
        return items, pos
    if kind == 0x2b:                            # + simple string
        return line, pos
    if kind == 0x2d:                            # - error
        return _Error(line.decode("utf-8", "replace")), pos
    raise ValueError("not a Redis reply: %r" % buf[pos - len(line) - 3:nl])


class _Conn:
    """One connection for the scripts: connected (TLS, AUTH, SELECT: all
    that the URL says) by a redis-py Connection, then spoken to directly
    on its socket, two system calls per command."""

    def __init__(self, client):
        self.errors = client.errors
        pool = client.pool
        self.rconn = pool.connection_class(**pool.connection_kwargs)
        self.rconn.connect()
        self.sock = self.rconn._sock
        self.buf = b""
        # replies to commands sent without waiting, not read yet
        self.owed = 0

    def call(self, command, wait=True):
        """Send command and return its reply (the replies still owed for
        commands sent without waiting come first and are dropped).  With
        wait false, only send it."""
        errors = self.errors
        try:
            self.sock.sendall(command)
            if not wait:
                self.owed += 1
                return None
            while self.owed:
                self._reply()
                self.owed -= 1
            value = self._reply()
        except socket.timeout:
            raise errors.TimeoutError("Timeout reading from Redis") \
                from None
        except OSError as exc:
            raise errors.ConnectionError("Error while talking to Redis: "
                                         "%s" % exc) from None
        if isinstance(value, _Error):
            if value.text.startswith("NOSCRIPT"):
                raise errors.NoScriptError(value.text)
            raise errors.ResponseError(value.text)
        return value

    def _reply(self):
        while True:
            if self.buf:
                reply = _parse(self.buf, 0)
                if reply is not None:
                    self.buf = self.buf[reply[1]:]
                    return reply[0]
            data = self.sock.recv(65536)
            if not data:
                raise self.errors.ConnectionError("Redis closed the "
                                                  "connection")
            self.buf += data

    def close(self):
        try:
            self.rconn.disconnect()
        except Exception:
            pass


class _Script:
    """One of the Lua scripts above, run by EVALSHA, and loaded (SCRIPT
    LOAD) when the server does not know it yet (first use, or after a
    restart of Redis).

    redis-py's Script and execute_command cost about twice the CPU of
    this: they build the command piece by piece and check every pooled
    connection's health with a non-blocking read (three more system
    calls) before each command.  Here the command is one join, and a
    connection that turns out broken is dropped and the call made once
    more on a new one (the scripts are idempotent, see above), as the
    client's retry_on_error does for its own commands."""

    def __init__(self, client, source):
        self.client = client
        self.source = source
        self.sha = hashlib.sha1(source.encode("utf-8")).hexdigest()
        self.head = b"$7\r\nEVALSHA\r\n" + _bulk(self.sha)
        self.load = b"".join([b"*3\r\n", _bulk("SCRIPT"), _bulk("LOAD"),
                              _bulk(source)])
        # EVAL with the source, for a call whose reply is not waited for:
        # a server without the script (restarted) must run it all the same
        self.head_eval = b"$4\r\nEVAL\r\n" + _bulk(source)

    def __call__(self, keys, args, wait=True):
        """The script's reply; with wait false, None at once: the script
        is sent and its reply dropped when the connection is next used."""
        parts = [b"*%d\r\n" % (3 + len(keys) + len(args)),
                 self.head if wait else self.head_eval, _bulk(len(keys))]
        parts += [_bulk(k) for k in keys]
        parts += [_bulk(a) for a in args]
        command = b"".join(parts)
        try:
            return self._run(command, wait)
        except self.client.errors.ConnectionError:
            return self._run(command, wait)

    def _run(self, command, wait):
        client = self.client
        try:
            conn = client.idle.pop()
        except IndexError:
            conn = _Conn(client)
        try:
            try:
                value = conn.call(command, wait)
            except client.errors.NoScriptError:
                conn.call(self.load)
                value = conn.call(command)
        except BaseException:
            # it may hold half a reply: never used again
            conn.close()
            raise
        client.idle.append(conn)
        return value


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
