"""RedisSession (Doc/session.rst, "Several hosts on Redis"): the session
API of manual 4.8 on a real redis-server, one session shared by two
Apache instances, the lock across hosts (and its expiry when a host dies),
a Redis restart in the middle of a run, Redis down at start-up, and bad
input: ids that are not ours, foreign values under a session key.

The redis-server is the ``redis_server`` fixture of conftest.py: loopback
TCP port and a Unix socket at {var}/redis.sock of the shared httpd, no
persistence unless a test saves.  The handlers are in htdocs/redis_session/:
api.py drives the API from the query string, counter/hitcounter.py is the
manual's hit counter (4.8.2).
"""

import json
import os
import re
import signal
import threading
import time

import pytest
import requests

import conftest

from conftest import wait_until

SID_RE = re.compile(r"[0-9a-f]{32}\Z")
PREFIX = "t:"

HANDLER_DIRS = """
<Directory "{htdocs}/redis_session">
    SetHandler mod_python
    PythonHandler api
    PythonDebug On
</Directory>
<Directory "{htdocs}/redis_session/counter">
    PythonHandler hitcounter
</Directory>
"""


def _vhost(name, url, options=""):
    return """
<VirtualHost *:{port}>
    ServerName %s
    DocumentRoot "{htdocs}/redis_session"
    PythonOption mod_python.session.session_type RedisSession
    PythonOption mod_python.session.redis_url %s
    PythonOption mod_python.session.redis_prefix %s
    PythonOption mod_python.session.redis_lock_expiry 2
    PythonOption mod_python.session.redis_lock_timeout 15
%s</VirtualHost>
""" % (name, url, PREFIX, options)


# The session server reaches Redis by its Unix socket; the second host of
# the two-host tests (an extra httpd) by TCP: the same sessions.
HTTPD_CONF = HANDLER_DIRS + "".join([
    _vhost("redis", "unix://{var}/redis.sock?db=0"),
    _vhost("redis-short", "unix://{var}/redis.sock?db=0",
           "    PythonOption mod_python.session.redis_lock_timeout 0.5\n"
           "    PythonOption mod_python.session.redis_lock_expiry 30\n"),
    _vhost("redis-old-names", "unix://{var}/redis.sock?db=0",
           "    PythonOption session RedisSession\n"
           "    PythonOption mod_python.session.session_type \"\"\n"),
    _vhost("redis-badurl", "http://127.0.0.1/"),
])


def second_host_conf(redis_port, mpm_conf=""):
    """The configuration of another Apache host on the same Redis (TCP),
    with the same handlers and the virtual host "redis"."""
    return (mpm_conf + HANDLER_DIRS
            + _vhost("redis", "redis://127.0.0.1:%d/0" % redis_port))


def _cookie(sid):
    return {"Cookie": "pysid=" + sid}


def _info(server, query="", host="redis", **kw):
    r = server.get("/api?" + query, host=host, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def _set_cookies(response):
    return [v for k, v in response.raw.headers.items()
            if k.lower() == "set-cookie"]


def _new(server, query="", host="redis"):
    info = _info(server, query, host=host)
    assert info["is_new"] is True and SID_RE.match(info["id"])
    return info["id"]


def _keys(redis_server):
    """The keys in Redis once no request holds a lock any more (a request
    releases its lock in a cleanup, after its response)."""
    client = redis_server.client()
    try:
        wait_until(lambda: not client.keys("*:lock"), "", timeout=10,
                   interval=0.01)
    except AssertionError:
        pass            # the caller's assertion on the keys says what is left
    return sorted(k.decode() for k in client.keys("*"))


@pytest.fixture(autouse=True)
def _clean(redis_server):
    # every test starts from an empty Redis
    redis_server.client().flushall()


# ------------------------------------------------------------- the API

def test_session_api(httpd, redis_server):
    """4.8.1 BaseSession on RedisSession: Session() returns a RedisSession
    (PythonOption mod_python.session.session_type); is_new(), id(),
    created(), last_accessed(), timeout() (1800), set_timeout(); the
    session lives under <prefix><id> with Redis's expiry set to its
    timeout; no lock key is left after the request."""
    # created() is a timestamp taken while the request ran: between the
    # clock readings before and after it (a value check, not a timing).
    before = time.time()
    first = _info(httpd, "set=color:blue")
    after = time.time()
    assert first["cls"] == "RedisSession" and first["is_new"] is True
    assert before - 1 <= first["created"] <= after + 1
    assert first["timeout"] == 1800
    sid = first["id"]
    client = redis_server.client()
    assert _keys(redis_server) == [PREFIX + sid]
    assert 1790 * 1000 < client.pttl(PREFIX + sid) <= 1800 * 1000

    second = _info(httpd, "set=size:9&settimeout=600", headers=_cookie(sid))
    assert second["is_new"] is False and second["id"] == sid
    assert second["data"] == {"color": "blue", "size": "9"}
    assert second["created"] == first["created"]
    assert second["last_accessed"] >= first["last_accessed"]
    assert 590 * 1000 < client.pttl(PREFIX + sid) <= 600 * 1000

    third = _info(httpd, "sid=" + sid + "&nosave")    # the sid argument
    assert third["is_new"] is False and third["timeout"] == 600
    assert third["data"] == {"color": "blue", "size": "9"}

    unknown = "0123456789abcdef" * 2
    fresh = _info(httpd, "sid=" + unknown)
    assert fresh["is_new"] is True and fresh["id"] not in (unknown, sid)
    assert not client.exists(PREFIX + unknown)
    assert not [k for k in _keys(redis_server) if k.endswith(":lock")]


def test_old_option_name(httpd):
    """The 3.2 option name PythonOption session still picks the class."""
    assert _info(httpd, host="redis-old-names")["cls"] == "RedisSession"


def test_expiry_by_redis(httpd, redis_server):
    """4.8.1 timeout: Redis itself drops a session whose timeout has
    passed (no cleanup sweep); the id then gives a new session."""
    sid = _new(httpd, "set=k:v&settimeout=1")
    client = redis_server.client()
    assert client.exists(PREFIX + sid)
    wait_until(lambda: not client.exists(PREFIX + sid),
               "the session did not expire in Redis", timeout=10,
               interval=0.1)
    info = _info(httpd, headers=_cookie(sid))
    assert info["is_new"] is True and info["id"] != sid


def test_invalidate_delete_load(httpd, redis_server):
    """4.8.1 invalidate() removes the key and expires the cookie, a later
    save() stores nothing; delete() removes the key; load() reads back
    what is stored, dropping unsaved changes."""
    sid = _new(httpd, "set=k:v")
    r = httpd.get("/api?op=invalidate", host="redis", headers=_cookie(sid))
    assert r.status_code == 200, r.text
    cookie = _set_cookies(r)[0]
    assert cookie.startswith("pysid=%s;" % sid) and "Max-Age=0" in cookie
    assert _keys(redis_server) == []

    sid = _new(httpd, "set=k:v")
    assert _info(httpd, "op=delete", headers=_cookie(sid))["data"] == {}
    assert _keys(redis_server) == []

    sid = _new(httpd, "set=k:v")
    info = _info(httpd, "op=load", headers=_cookie(sid))
    assert info["loaded"] is True and info["data"] == {"k": "v"}


def test_cleanup_is_redis_expiry(httpd, redis_server):
    """4.8.1 cleanup(): nothing to sweep (Redis expires the keys); calling
    it leaves every session in place."""
    sids = {_new(httpd, "set=n:%d" % i) for i in range(5)}
    _info(httpd, "op=cleanup")
    assert {k[len(PREFIX):] for k in _keys(redis_server)} >= sids


def test_signed_cookie(httpd):
    """4.8.1 secret: the id travels signed; an unsigned id is ignored."""
    r = httpd.get("/api?secret", host="redis")
    sid = r.json()["id"]
    value = re.match(r"pysid=([0-9a-f]+);", _set_cookies(r)[0]).group(1)
    assert value.endswith(sid) and value != sid
    again = _info(httpd, "secret", headers=_cookie(value))
    assert again["is_new"] is False and again["id"] == sid
    assert _info(httpd, "secret", headers=_cookie(sid))["is_new"] is True


def test_lock_key_while_held(httpd, redis_server):
    """4.8.1 lock(): while a request holds a session, its lock key exists
    (with an expiry: redis_lock_expiry 2 s here) holding a random token;
    at the end of the request (register_cleanup) it is gone; unlock()
    releases early and lock() takes it again."""
    sid = _new(httpd)
    client = redis_server.client()
    lock_key = PREFIX + sid + ":lock"
    result = {}
    t = threading.Thread(target=lambda: result.update(r=httpd.get(
        "/api?op=hold&secs=1", host="redis", headers=_cookie(sid))))
    t.start()
    wait_until(lambda: client.exists(lock_key), "the lock was never taken",
               timeout=10, interval=0.01)
    token = client.get(lock_key)
    assert re.fullmatch(rb"[0-9a-f]{32}", token)
    assert 0 < client.pttl(lock_key) <= 2000
    t.join()
    assert result["r"].status_code == 200
    assert _keys(redis_server) == [PREFIX + sid]
    info = _info(httpd, "op=unlock", headers=_cookie(sid))
    assert info["data"] == {"held": "yes", "relocked": "yes"}
    assert _keys(redis_server) == [PREFIX + sid]


def test_lock_twice_in_one_request(httpd):
    """Doc/session.rst Locking: a second locked object for the same id in
    one request raises RuntimeError instead of waiting for itself."""
    sid = _new(httpd)
    mark = httpd.log_mark()
    r = httpd.get("/api?op=twice", host="redis", headers=_cookie(sid))
    assert r.status_code == 500
    assert "already locked by this thread" in httpd.wait_for_log(
        "already locked", mark)


def test_lock_wait_times_out_with_503(httpd, redis_server):
    """A request that cannot get the lock within
    mod_python.session.redis_lock_timeout gets 503 and one MP0206 line;
    it leaves the other holder's lock alone (released only by its own
    token)."""
    sid = _new(httpd, host="redis-short")
    client = redis_server.client()
    lock_key = PREFIX + sid + ":lock"
    client.set(lock_key, b"another request's token", px=60000)
    mark = httpd.log_mark()
    r = httpd.get("/api", host="redis-short", headers=_cookie(sid))
    assert r.status_code == 503
    assert "Traceback" not in r.text
    log = httpd.wait_for_log("MP0206", mark)
    assert len(re.findall(r"MP0206: RedisSession: session %s stayed locked"
                          % sid, log)) == 1, log
    assert client.get(lock_key) == b"another request's token"


# ------------------------------------------------------ bad input, faults

def _bad_sids(good):
    return ["", "x", good[:31], good + "0", good.upper(),
            "../" + good[3:], good[:16] + "/" + good[17:],
            good[:31] + "\u00e9", "*", "t:*", "%s:lock" % good,
            "a" * 4000, "\\x00" + good[4:], " " + good[1:],
            good[:10] + "\r\nFLUSHALL\r\n" + good[22:]]


def _keys_named(commands):
    """The keys the commands MONITOR reported work on (the commands the
    session code sends: GET, SET, DEL and scripts)."""
    keys = set()
    for command in commands:
        words = command.split(" ")
        name = words[0].upper()
        if name in ("GET", "SET", "DEL"):
            keys.add(words[1])
        elif name in ("EVALSHA", "EVAL"):
            keys.update(words[3:3 + int(words[2])])
    return keys


def test_foreign_ids_never_reach_redis(httpd, redis_server):
    """A session id that is not ours (any characters, any length), from
    the cookie or the sid argument, never reaches Redis: MONITOR sees no
    command naming it, the request gets a new session, and every key in
    Redis is <prefix><32 hex digits>."""
    good = _new(httpd, "set=secret:1")
    seen = []
    monitor_ready = threading.Event()
    marker = "end-of-bad-input-%d" % os.getpid()

    def monitor():
        with redis_server.client().monitor() as m:
            monitor_ready.set()
            for command in m.listen():
                seen.append(command["command"])
                if marker in command["command"]:
                    return

    t = threading.Thread(target=monitor, daemon=True)
    t.start()
    assert monitor_ready.wait(10)
    time.sleep(0.2)         # MONITOR registered on the server
    for bad in _bad_sids(good):
        quoted = requests.utils.quote(bad, safe="")
        info = _info(httpd, "sid=" + quoted)
        assert info["is_new"] is True and info["id"] not in (good, bad)
        if all(" " < ch < "\x7f" and ch not in ";," for ch in bad):
            info = _info(httpd, headers=_cookie(bad))
            assert info["is_new"] is True and info["id"] != good
    redis_server.client().echo(marker)
    t.join(10)
    assert not t.is_alive()
    named = _keys_named(seen)
    assert len(named) > 10          # the new sessions of the requests
    key_re = re.escape(PREFIX) + r"[0-9a-f]{32}(:lock)?"
    assert [k for k in named if not re.fullmatch(key_re, k)] == []
    commands = "\n".join(seen)
    for bad in _bad_sids(good):
        if len(bad) > 8 and bad not in good:
            assert bad not in commands, bad
    for key in _keys(redis_server):
        assert re.fullmatch(re.escape(PREFIX) + r"[0-9a-f]{32}", key), key
    assert _info(httpd, "sid=" + good)["data"] == {"secret": "1"}


def test_raw_bytes_cookie_header(httpd, redis_server):
    """A Cookie header of raw non-UTF-8 bytes next to (and inside) the
    session cookie gives a new session, not an error; the session cookie
    beside such bytes is still found."""
    sid = _new(httpd, "set=k:v")
    for header, known in ((b"a=\xff\xfe; \xc3\x28=v; b=\x80", False),
                          (b"pysid=\xff" + sid.encode()[1:], False),
                          (b"a=\xff\xfe; \xc3\x28=v; pysid=" + sid.encode()
                           + b"; b=\x80", True)):
        status, _, body = httpd.raw_request("/api", host="redis",
                                            headers=[("Cookie", header)])
        assert status == 200, body
        info = json.loads(body)
        assert (info["id"] == sid) is known and info["is_new"] is not known


def test_foreign_value_starts_fresh_session(httpd, redis_server):
    """A value under a session key that is not one of our sessions
    (garbage, a bare pickle without our frame, a frame with a damaged
    checksum, a Redis hash) is never unpickled: the request gets a new
    session and the error log exactly one MP0200 line."""
    import pickle
    import struct
    import zlib
    client = redis_server.client()
    payload = pickle.dumps({"_data": {"evil": 1}, "_created": 0,
                            "_accessed": time.time(), "_timeout": 1e9})
    framed = struct.pack("<4sII", b"mpS1", len(payload),
                         zlib.crc32(payload) ^ 1) + payload
    for value in (b"garbage\x00\xff", payload, framed, "hash"):
        sid = _new(httpd, "set=k:v")
        key = PREFIX + sid
        if value == "hash":
            client.delete(key)
            client.hset(key, "field", "value")
        else:
            client.set(key, value)
        mark = httpd.log_mark()
        info = _info(httpd, headers=_cookie(sid))
        assert info["is_new"] is True and info["id"] != sid
        assert info["data"] == {}
        log = httpd.wait_for_log("MP0200", mark)
        time.sleep(0.2)
        log = httpd.error_log_since(mark)
        lines = [l for l in log.splitlines() if "MP0200" in l]
        assert len(lines) == 1, log
        assert "session %s: corrupt data in Redis key %s" % (sid, key) \
            in lines[0]


def test_bad_redis_url_is_a_clear_error(httpd):
    """A redis_url that is not redis://, rediss:// or unix:// is a clear
    error naming the option (500 and a log line)."""
    mark = httpd.log_mark()
    r = httpd.get("/api", host="redis-badurl")
    assert r.status_code == 500
    assert "PythonOption mod_python.session.redis_url must be a redis://" \
        in httpd.wait_for_log("redis_url must be", mark)


def test_redis_down_at_startup(extra_httpd):
    """Redis unreachable when Apache starts does not stop it: requests
    get 503 (one MP0205 line each, no traceback) until Redis is there,
    then sessions work."""
    redis = conftest.RedisServer()
    try:
        server = extra_httpd(second_host_conf(redis.port), name="redisdown")
        mark = server.log_mark()
        r = server.get("/api", host="redis")
        assert r.status_code == 503
        assert "Traceback" not in r.text
        log = server.wait_for_log("MP0205", mark)
        assert re.search(r"MP0205: RedisSession: Redis at redis://127\.0\.0"
                         r"\.1:%d/0 failed while locking session [0-9a-f]{32}"
                         r": ConnectionError" % redis.port, log), log
        redis.start()
        sid = _new(server, "set=k:v")
        info = _info(server, headers=_cookie(sid))
        assert info["is_new"] is False and info["data"] == {"k": "v"}
    finally:
        redis.cleanup()


# ------------------------------------------------------------- two hosts

def _hammer(hosts, sid, clients=8, each=200, path="/counter/"):
    """clients threads x each hit-counter requests on one session, each
    thread going round the hosts; returns (counts of the 200s, other
    answers)."""
    counts = []
    others = []

    def client(i):
        sessions = [requests.Session() for _ in hosts]
        try:
            for j in range(each):
                k = (i + j) % len(hosts)
                try:
                    r = sessions[k].get(hosts[k].url(path), timeout=60,
                                        headers={"Host": "redis",
                                                 "Cookie": "pysid=" + sid})
                except requests.RequestException as e:
                    others.append(repr(e))
                    continue
                m = re.match(r"Hits: (\d+)\n\Z", r.text)
                if r.status_code == 200 and m:
                    counts.append(int(m.group(1)))
                else:
                    others.append((r.status_code, r.text[:300]))
        finally:
            for s in sessions:
                s.close()

    threads = [threading.Thread(target=client, args=(i,))
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts, others


def test_two_hosts_one_counter(httpd, redis_server, extra_httpd):
    """Sessions shared by several hosts: two Apache instances (different
    ports, the same Redis, one by its Unix socket and one by TCP) serve
    one session; 8 clients x 200 locked hit-counter increments spread
    over both end at exactly 1600, every count answered once."""
    other = extra_httpd(second_host_conf(redis_server.port), name="redis2")
    sid = _new(httpd)
    assert _info(other, headers=_cookie(sid))["is_new"] is False
    counts, others = _hammer([httpd, other], sid)
    assert others == []
    assert sorted(counts) == list(range(1, 1601))
    r = other.get("/counter/", host="redis", headers=_cookie(sid))
    assert r.text == "Hits: 1601\n"


def test_host_dies_holding_the_lock(httpd, redis_server, extra_httpd):
    """A host that dies while it holds a session's lock (its whole process
    group killed, so no cleanup runs) blocks the session only until the
    lock expires (redis_lock_expiry 2 s): a request on the other host
    then gets the session, with what the dead host had saved."""
    other = extra_httpd(second_host_conf(redis_server.port), name="redisdie")
    sid = _new(httpd, "set=k:v")
    client = redis_server.client()
    lock_key = PREFIX + sid + ":lock"
    t = threading.Thread(target=lambda: _quiet_get(
        other, "/api?op=hold&secs=60", sid), daemon=True)
    t.start()
    wait_until(lambda: client.exists(lock_key)
               and b"held" in (client.get(PREFIX + sid) or b""),
               "the other host never held the lock", timeout=10,
               interval=0.01)
    token = client.get(lock_key)
    # the whole httpd of the other host: parent and children, at once
    os.killpg(other.proc.pid, signal.SIGKILL)
    other.proc.wait(10)
    assert client.get(lock_key) == token        # left behind
    info = _info(httpd, headers=_cookie(sid))
    assert info["is_new"] is False
    assert info["data"] == {"k": "v", "held": "yes"}
    assert _keys(redis_server) == [PREFIX + sid]


def _quiet_get(server, path, sid):
    try:
        server.get(path, host="redis", headers=_cookie(sid), timeout=120)
    except requests.RequestException:
        pass


def test_redis_restart_mid_run(httpd, redis_server, extra_httpd):
    """Redis restarted in the middle of a run (SHUTDOWN SAVE, a pause,
    start again on the same port, socket and data): requests during the
    outage get 503 (no 500, no traceback, no new session), and the
    counter goes on afterwards from where it was, on both hosts.  (A save
    Redis stored just before it went away, whose reply was lost, counts
    although its request got the 503: a remote store cannot tell.)"""
    other = extra_httpd(second_host_conf(redis_server.port),
                        name="redisrestart")
    hosts = [httpd, other]
    sid = _new(httpd)
    counts, others = [], []
    restarted = threading.Event()

    def client(i):
        sessions = [requests.Session() for _ in hosts]
        after = 0
        j = 0
        # until 50 requests of this client have been sent after the
        # restart
        while after < 50:
            if restarted.is_set():
                after += 1
            k = (i + j) % len(hosts)
            j += 1
            r = sessions[k].get(hosts[k].url("/counter/"), timeout=60,
                                headers={"Host": "redis",
                                         "Cookie": "pysid=" + sid})
            m = re.match(r"Hits: (\d+)\n\Z", r.text)
            if r.status_code == 200 and m:
                counts.append(int(m.group(1)))
            else:
                others.append((r.status_code, r.text[:300]))
                time.sleep(0.01)
        for s in sessions:
            s.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(counts) >= 100, lambda: others[:5],
                   timeout=60, interval=0.01)
        redis_server.stop(save=True)
        time.sleep(1)
        during = len(others)
        redis_server.start()
    finally:
        restarted.set()
        for t in threads:
            t.join()
    assert during > 0
    assert {status for status, _ in others} == {503}, others[:5]
    assert all("Traceback" not in text for _, text in others)
    # No update lost (two requests never saw the same count) and no
    # session lost (a new one would count from 1 again).  A save whose
    # reply was cut by the shutdown may have been stored although its
    # request got a 503: each gap in the counts must be such a request.
    assert len(set(counts)) == len(counts)
    gaps = set(range(1, max(counts) + 1)) - set(counts)
    assert len(gaps) <= len(others), sorted(gaps)
    assert len(counts) >= 100 + 4 * 40
    r = httpd.get("/counter/", host="redis", headers=_cookie(sid))
    assert r.text == "Hits: %d\n" % (max(counts) + 1)


# ------------------------------------------------------------- TLS

def _tls_conf(redis):
    """An Apache host reaching the TLS port of redis (rediss://) with
    the options of each virtual host."""
    ca, other = redis.tls_file("ca.crt"), redis.tls_file("other-ca.crt")
    cert, key = redis.tls_file("client.crt"), redis.tls_file("client.key")
    by_name = "rediss://localhost:%d/0" % redis.tls_port

    def opts(ca_certs=ca, certfile=cert, keyfile=key, extra=""):
        text = "    PythonOption mod_python.session.redis_ssl_ca_certs %s\n" \
            % ca_certs
        if certfile:
            text += ("    PythonOption mod_python.session.redis_ssl_certfile"
                     " %s\n    PythonOption mod_python.session."
                     "redis_ssl_keyfile %s\n" % (certfile, keyfile))
        return text + extra
    unchecked = ("    PythonOption mod_python.session.redis_ssl_check_hostname"
                 " Off\n")
    return HANDLER_DIRS + "".join([
        _vhost("redis", redis.tls_url, opts()),
        _vhost("tls-other-ca", redis.tls_url, opts(ca_certs=other)),
        _vhost("tls-no-client-cert", redis.tls_url, opts(certfile=None)),
        _vhost("tls-by-name", by_name, opts()),
        _vhost("tls-by-name-unchecked", by_name, opts(extra=unchecked)),
        _vhost("tls-missing-ca", redis.tls_url,
               opts(ca_certs=redis.tls_file("nothing.crt"))),
    ])


def test_tls_counter(redis_tls_server, extra_httpd):
    """Doc/session.rst, "Redis over TLS": with a rediss:// redis_url and
    the CA of PythonOption mod_python.session.redis_ssl_ca_certs (and
    the client certificate of redis_ssl_certfile / redis_ssl_keyfile,
    which this Redis demands), the manual's hit counter (4.8.2) counts
    1, 2, 3 on a session that is in that Redis.  The server's
    certificate is checked: signed by another CA, or issued for
    127.0.0.1 while the URL says localhost, the request gets 503 and an
    MP0205 line (the name is not checked with redis_ssl_check_hostname
    Off); without a client certificate the server refuses it (503).  A
    CA file that is not there is a clear error naming the option."""
    redis = redis_tls_server
    server = extra_httpd(_tls_conf(redis), name="redistls")
    r = server.get("/counter/", host="redis")
    assert (r.status_code, r.text) == (200, "Hits: 1\n"), r.text
    sid = re.search(r"pysid=([0-9a-f]{32})", r.headers["Set-Cookie"]).group(1)
    for n in (2, 3):
        r = server.get("/counter/", host="redis", headers=_cookie(sid))
        assert (r.status_code, r.text) == (200, "Hits: %d\n" % n)
    assert redis.client().exists(PREFIX + sid) == 1

    for host, why in (("tls-other-ca", "certificate verify failed"),
                      ("tls-by-name", "certificate verify failed"),
                      ("tls-no-client-cert", "")):
        mark = server.log_mark()
        r = server.get("/counter/", host=host)
        assert r.status_code == 503, (host, r.status_code, r.text)
        assert "Traceback" not in r.text
        log = server.wait_for_log("MP0205", mark)
        assert re.search(r"MP0205: RedisSession: Redis at rediss://[^ ]+ "
                         r"failed while locking session", log), log
        assert why in log, (host, log)

    r = server.get("/counter/", host="tls-by-name-unchecked",
                   headers=_cookie(sid))
    assert (r.status_code, r.text) == (200, "Hits: 4\n"), r.text

    # A redis_ssl_ca_certs naming no readable file is a clear error naming
    # the option and the path (500 and a log line).
    mark = server.log_mark()
    r = server.get("/counter/", host="tls-missing-ca")
    assert r.status_code == 500
    log = server.wait_for_log("is not a readable file", mark)
    assert "PythonOption mod_python.session.redis_ssl_ca_certs: '%s' is " \
        "not a readable file" % redis_tls_server.tls_file("nothing.crt") \
        in log, log


def test_reply_parser_waits_for_whole_replies():
    """The replies of the session's scripts are read by RedisSession's own
    RESP parser (Doc/session.rst, "Connections"): every cut of a reply
    short of its end is "not yet" (so a reply split over several reads
    is never taken half), the whole gives the value, and an error reply
    is an error, not a value."""
    import sys
    sys.path.insert(0, conftest.find_python_lib())
    try:
        from mod_python import _redisstore
    finally:
        sys.path.pop(0)
    cases = [
        (b"*3\r\n:1\r\n$-1\r\n:1\r\n", [1, None, 1]),
        (b"*2\r\n:1\r\n$5\r\nab\r\nc\r\n", [1, b"ab\r\nc"]),
        (b"*1\r\n:0\r\n", [0]),
        (b":1\r\n", 1),
        (b"$0\r\n\r\n", b""),
        (b"+OK\r\n", b"OK"),
    ]
    for data, value in cases:
        for cut in range(len(data)):
            assert _redisstore._parse(data[:cut], 0) is None, (data, cut)
        assert _redisstore._parse(data + b":7\r\n", 0) == (value, len(data))
    err, end = _redisstore._parse(b"-NOSCRIPT No matching script\r\n", 0)
    assert isinstance(err, _redisstore._Error)
    assert err.text == "NOSCRIPT No matching script"
