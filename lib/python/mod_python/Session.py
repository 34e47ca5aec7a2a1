"""mod_python.Session -- sessions that persist across requests (manual 4.8).

A session is a ``dict`` whose contents outlive the request: the client
carries a random session id in a cookie (``pysid``), and the server keeps
the data under that id in a store:

``FileSession``    one pickle file per session in ``<dir>/mp_sess/``
``DbmSession``     one dbm file for all sessions (``mp_sess.dbm``)
``MemorySession``  a dictionary in the serving process
``RedisSession``   a Redis server, shared by any number of Apache hosts

``Session(req)`` picks one of them (``PythonOption
mod_python.session.session_type``, or 3.2's ``session``; else by the
MPM).  ``BaseSession`` holds what they share: the id and its cookie, expiry,
and locking, so that while one request has a session, a second request for
the same session waits (across processes and threads: the lock is one of
the global mutexes mod_python creates at start-up, see
``_apache._global_lock``).

Options are read by their mod_python 3.3+ names (``mod_python.session.*``,
``mod_python.file_session.*``, ``mod_python.dbm_session.*``), and by their
3.2 names when the new one is not set.

The session cookie is HttpOnly, SameSite=Lax, and Secure when the request
came over HTTPS, unless options say otherwise (see ``_cookie_flags``).

Session ids are 32 lowercase hex digits from ``secrets``.  Anything else a
client sends as an id is ignored before it reaches a file name or a dbm
key.  The stores hold pickles; only this module writes them, under a
directory or in a file the client cannot name, so unpickling them trusts
nothing the client sent.
"""

import dbm as _dbm_package
import os
import pickle
import random
import secrets
import struct
import tempfile
import threading
import time
import zlib

import _apache
from . import apache
from . import Cookie
from . import _redisstore

# One request in CLEANUP_CHANCE (on average) also sweeps expired sessions
# out of the store, after its response has gone.
CLEANUP_CHANCE = 1000

DFT_TIMEOUT = 30 * 60
DFT_COOKIE_NAME = "pysid"
DFT_GRACE_PERIOD = 240
DFT_CLEANUP_TIME_LIMIT = 2

SID_LENGTH = 32
_SID_CHARS = "0123456789abcdef"

# locks.c keeps global mutex 0 out of the hashed session locks, for the dbm
# store: session locks and the dbm lock can never be the same mutex (unless
# there is only one mutex, see DbmSession._dbm).
_DBM_LOCK_INDEX = 0

_PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL

# Session ids whose lock each thread holds: taking a lock this thread
# already holds would wait for ever (the global mutexes do not nest).
_local = threading.local()


def _valid_sid(sid):
    """Whether sid has the shape of an id this module generates.

    This is what keeps a client's '../x', '/etc/passwd' or NUL byte from
    ever becoming part of a file name or a dbm key.
    """
    return (type(sid) is str and len(sid) == SID_LENGTH
            and not sid.strip(_SID_CHARS))


def _new_sid():
    return secrets.token_hex(SID_LENGTH // 2)


def _held_sids():
    held = getattr(_local, "sids", None)
    if held is None:
        held = _local.sids = set()
    return held


# PythonOption names: the mod_python 3.3+ name first, then the older ones
# that still count when it is not set.
OPT_SESSION_TYPE = ("mod_python.session.session_type", "session")
OPT_COOKIE_NAME = ("mod_python.session.cookie_name", "session_cookie_name")
OPT_APPLICATION_DOMAIN = ("mod_python.session.application_domain",)
OPT_APPLICATION_PATH = ("mod_python.session.application_path",
                        "ApplicationPath")
OPT_FILE_DIRECTORY = ("mod_python.file_session.database_directory",
                      "mod_python.session.database_directory",
                      "session_directory")
OPT_DBM_FILENAME = ("mod_python.dbm_session.database_filename",
                    "session_dbm")
OPT_DBM_DIRECTORY = ("mod_python.dbm_session.database_directory",
                     "mod_python.session.database_directory",
                     "session_directory")
OPT_FAST_CLEANUP = ("mod_python.file_session.enable_fast_cleanup",
                    "session_fast_cleanup")
OPT_VERIFY_CLEANUP = ("mod_python.file_session.verify_session_timeout",
                      "session_verify_cleanup")
OPT_GRACE_PERIOD = ("mod_python.file_session.cleanup_grace_period",
                    "session_grace_period")
OPT_CLEANUP_TIME_LIMIT = ("mod_python.file_session.cleanup_time_limit",
                          "session_cleanup_time_limit")
# The session cookie's flags (ours: mod_python 3.5 has none of them).
OPT_COOKIE_HTTPONLY = ("mod_python.session.cookie_httponly",)
OPT_COOKIE_SAMESITE = ("mod_python.session.cookie_samesite",)
OPT_COOKIE_SECURE = ("mod_python.session.cookie_secure",)


def _option(options, names):
    """(name, value) of the first of names set in options, else
    (names[0], None).  An empty PythonOption is no option (Apache removes
    the key), so '' never comes back either."""
    for name in names:
        value = options.get(name)
        if value:
            return name, value
    return names[0], None


def _log(req, number, text, level):
    # Every line this module writes carries its own number (see
    # Doc/messages.rst); number is a literal at each call site.
    req.log_error("mod_python: %s: %s" % (number, text), level)


def _flag(options, names, default):
    """A boolean PythonOption: 1/0, on/off, true/false, yes/no."""
    name, value = _option(options, names)
    if value is None:
        return default
    value = value.strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False
    raise ValueError("PythonOption %s must be On or Off (1/0, true/false, "
                     "yes/no), not %r" % (name, value))


def _seconds(options, names, default):
    """A PythonOption holding a number of seconds (>= 0)."""
    name, value = _option(options, names)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1
    if not number >= 0:
        raise ValueError("PythonOption %s must be a number of seconds, "
                         "not %r" % (name, value))
    return number


def _cookie_path(req, options):
    """The path of the session cookie: PythonOption
    mod_python.session.application_path (ApplicationPath), else the
    directory of the handler directive relative to DocumentRoot."""
    path = _option(options, OPT_APPLICATION_PATH)[1]
    if path:
        return path
    # The directory of the Python*Handler directive now running (with a
    # trailing slash), or None when it was not in a <Directory>.
    directory = getattr(getattr(req, "hlist", None), "directory", None)
    if directory:
        root = req.document_root().rstrip("/")
        if directory.startswith(root + "/"):
            return directory[len(root):].rstrip("/") or "/"
    # Outside DocumentRoot (an Alias, a <Location>): no path below the
    # root can be computed, so the cookie covers the whole site.
    return "/"


def _is_https(req):
    """Whether the request came over HTTPS: mod_ssl's connection, or
    HTTPS=on in subprocess_env (set by mod_ssl, or by the configuration
    behind a proxy that ends TLS: SetEnvIf X-Forwarded-Proto https
    HTTPS=on)."""
    if req.is_https():
        return True
    return (req.subprocess_env.get("HTTPS") or "").lower() in ("on", "1")


_SAMESITE_VALUES = {"strict": "Strict", "lax": "Lax", "none": "None",
                    "off": None}


def _cookie_flags(req, options, cookie):
    """Set the session cookie's HttpOnly, SameSite and Secure.

    Defaults: HttpOnly, SameSite=Lax, Secure when the request came over
    HTTPS.  PythonOption mod_python.session.cookie_httponly On|Off,
    mod_python.session.cookie_samesite Strict|Lax|None|Off (Off: no
    SameSite attribute) and mod_python.session.cookie_secure Auto|On|Off
    override them.
    """
    if _flag(options, OPT_COOKIE_HTTPONLY, True):
        cookie.httponly = True
    name, value = _option(options, OPT_COOKIE_SAMESITE)
    if value is None:
        cookie.samesite = "Lax"
    else:
        key = value.strip().lower()
        if key not in _SAMESITE_VALUES:
            raise ValueError("PythonOption %s must be Strict, Lax, None or "
                             "Off, not %r" % (name, value))
        cookie.samesite = _SAMESITE_VALUES[key]
    name, value = _option(options, OPT_COOKIE_SECURE)
    if value is None or value.strip().lower() == "auto":
        secure = _is_https(req)
    else:
        secure = _flag(options, (name,), None)
        if secure is None:
            raise ValueError("PythonOption %s must be Auto, On or Off"
                             % name)
    if secure:
        cookie.secure = True


def _unlock_at_end(session):
    # Registered by lock(): runs when the request is over.
    session.unlock()


class BaseSession(dict):
    """A session: a dict whose contents persist across requests.

    ``BaseSession(req[, sid, secret, timeout, lock])``

    Not used directly: a subclass provides the store through ``do_load()``,
    ``do_save(data)`` and ``do_delete()``.  The id comes from *sid* or the
    session cookie; an id that is malformed, unknown or expired gives a new
    session with a new id (and a Set-Cookie header for it).  With *secret*
    the cookie is signed (``Cookie.SignedCookie``) and an id whose signature
    does not verify is ignored.  *timeout* (seconds, default 1800) applies
    to new sessions; a stored session keeps its own.  With *lock* true (the
    default) the session is locked until the end of the request.
    """

    def __init__(self, req, sid=None, secret=None, timeout=0, lock=1):
        dict.__init__(self)
        self._req = req
        self._secret = secret
        self._lock = lock
        self._locked = False
        self._held = None
        self._unlock_registered = False
        self._new = True
        self._invalid = False
        self._created = 0.0
        self._accessed = 0.0
        self._timeout = timeout or DFT_TIMEOUT
        self._sid = None
        # A subclass may have fetched the options already (one call less).
        options = self.__dict__.get("_options")
        if options is None:
            options = self._options = req.get_options()
        self._cookie_name = (_option(options, OPT_COOKIE_NAME)[1]
                             or DFT_COOKIE_NAME)

        self.init_lock()
        if not sid:
            sid = self._sid_from_cookie()
        if sid and _valid_sid(sid):
            self._sid = sid
            if lock:
                self.lock()
            if self.load():
                self._new = False
            else:
                self.unlock()
        now = time.time()
        if self._new:
            self._sid = _new_sid()
            if lock:
                self.lock()
            Cookie.add_cookie(req, self.make_cookie())
            self._created = now
            self._timeout = timeout or DFT_TIMEOUT
        self._accessed = now

        chance = CLEANUP_CHANCE
        if chance and random.random() * chance < 1:
            self.cleanup()

    # -- the id and its cookie ------------------------------------------

    def _sid_from_cookie(self):
        req = self._req
        header = req.headers_in.get("cookie")
        # Most requests without our cookie need no parsing at all.
        if not header:
            return None
        if not isinstance(header, str):
            # several Cookie entries (Apache itself joins them with ", ")
            header = "; ".join(header)
        if self._cookie_name not in header:
            return None
        if not self._secret:
            return Cookie._value_of(header, self._cookie_name)
        # Cookie.parse takes any text without an error: what a client
        # sends cannot make this raise (a bad secret can, and should).
        cookie = Cookie.SignedCookie.parse(header, self._secret).get(
            self._cookie_name)
        if not isinstance(cookie, Cookie.SignedCookie):
            # parse() hands back a plain Cookie when the signature fails.
            return None
        return cookie.value

    def make_cookie(self):
        """The cookie that carries this session's id to the client."""
        if self._secret:
            cookie = Cookie.SignedCookie(self._cookie_name, self._sid,
                                         self._secret)
        else:
            cookie = Cookie.Cookie(self._cookie_name, self._sid)
        options = self._options
        cookie.path = _cookie_path(self._req, options)
        domain = _option(options, OPT_APPLICATION_DOMAIN)[1]
        if domain:
            cookie.domain = domain
        _cookie_flags(self._req, options, cookie)
        return cookie

    # -- what the manual lists -------------------------------------------

    def is_new(self):
        """True if this session was just created (its id was generated
        now), False if it was loaded from the store."""
        return self._new

    def id(self):
        """The session id (32 hex digits)."""
        return self._sid

    def created(self):
        """When the session was created, in seconds since the epoch."""
        return self._created

    def last_accessed(self):
        """When the session was last accessed (this request, once it has
        been loaded), in seconds since the epoch."""
        return self._accessed

    def timeout(self):
        """The session's timeout in seconds."""
        return self._timeout

    def set_timeout(self, secs):
        """Set the session's timeout to secs seconds (stored by save())."""
        self._timeout = secs

    def invalidate(self):
        """Delete the session from the store and tell the client to drop
        its cookie; a later save() of this object stores nothing."""
        cookie = self.make_cookie()
        cookie.expires = 0
        cookie.max_age = 0
        Cookie.add_cookie(self._req, cookie)
        self.delete()
        self._invalid = True

    def load(self):
        """Replace the contents with what the store holds for this id.

        Returns True if a session was found and has not expired.  An
        expired session is removed from the store.
        """
        data = self.do_load()
        if data is None:
            return False
        if time.time() - data["_accessed"] > data["_timeout"]:
            self.do_delete()
            return False
        self._created = data["_created"]
        self._accessed = data["_accessed"]
        self._timeout = data["_timeout"]
        self.clear()
        self.update(data["_data"])
        return True

    def save(self):
        """Write the session's contents to the store."""
        if not self._invalid:
            self.do_save({"_data": dict(self),
                          "_created": self._created,
                          "_accessed": self._accessed,
                          "_timeout": self._timeout})

    def delete(self):
        """Remove the session from the store (and empty this dict)."""
        self.do_delete()
        self.clear()

    def init_lock(self):
        """Prepare the session lock.  BaseSession's lock needs nothing;
        a subclass with its own locking overrides this with lock() and
        unlock()."""

    def lock(self):
        """Lock this session, waiting while another request (process or
        thread) has it locked.  The lock is released by unlock() or, at
        the latest, when the request ends."""
        if self._locked:
            return
        sid = self._sid
        held = _held_sids()
        if sid in held:
            # The same thread locking the same id twice would wait for
            # itself for ever: a second session object for one id in one
            # request (or in an internal redirect of it).
            raise RuntimeError(
                "session %s is already locked by this thread: use one "
                "session object per request (or lock=0 for the others)"
                % sid)
        self._acquire_lock()
        held.add(sid)
        self._held = held
        self._locked = True
        if not self._unlock_registered:
            self._req.register_cleanup(_unlock_at_end, self)
            self._unlock_registered = True

    def unlock(self):
        """Release the session lock, if this object holds it."""
        if self._locked:
            self._locked = False
            self._held.discard(self._sid)
            self._release_lock()

    def _acquire_lock(self):
        """Take this session's lock (waiting for it): here the global
        mutex its id hashes to; RedisSession has its own."""
        _apache._global_lock(self._req.server, self._sid)

    def _release_lock(self):
        _apache._global_unlock(self._req.server, self._sid)

    def cleanup(self):
        """Remove expired sessions from the store.  Called by the
        constructor once in CLEANUP_CHANCE requests.  Subclasses register
        the actual work with req.register_cleanup, so that it runs after
        the response has been sent."""

    # -- the store: subclasses implement these -----------------------------

    def do_load(self):
        """The stored data of this id: a dict with keys '_data',
        '_created', '_accessed', '_timeout'; None if there is none (or it
        is unreadable)."""
        return None

    def do_save(self, data):
        """Store data (the dict do_load returns) under this id."""

    def do_delete(self):
        """Remove this id from the store."""

    # -- helpers for the stores ----------------------------------------------

    def _decode(self, blob, where):
        """Unpickle a stored session; None (and a log line) if it is not
        one.  The blob comes from the store, never from the client."""
        data = _unpickle_session(blob)
        if data is None:
            _log(self._req, "MP0200",
                 "session %s: corrupt data in %s ignored; a new session "
                 "is started" % (self._sid, where), apache.APLOG_WARNING)
        return data


def _unpickle_session(blob):
    """The session dict pickled in blob, or None if it is not one."""
    try:
        data = pickle.loads(blob)
    except Exception:
        # Garbage can make pickle raise nearly anything.
        return None
    if (type(data) is not dict or type(data.get("_data")) is not dict):
        return None
    for key in ("_created", "_accessed", "_timeout"):
        if not isinstance(data.get(key), (int, float)):
            return None
    return data


# ---------------------------------------------------------------- dbm store

def _default_dbm_file(options):
    name = _option(options, OPT_DBM_FILENAME)[1]
    if name:
        return name
    directory = (_option(options, OPT_DBM_DIRECTORY)[1]
                 or tempfile.gettempdir())
    return os.path.join(directory, "mp_sess.dbm")


class DbmSession(BaseSession):
    """A session stored in a dbm file shared by all sessions.

    ``DbmSession(req[, dbm, sid, secret, dbmtype, timeout, lock])``

    *dbm* is the file name; by default ``PythonOption
    mod_python.dbm_session.database_filename`` (``session_dbm``), else
    ``mp_sess.dbm`` in ``mod_python.dbm_session.database_directory``,
    ``mod_python.session.database_directory`` (``session_directory``),
    else in ``tempfile.gettempdir()``.  The file is created with mode 0640.
    *dbmtype* is the dbm module to use (e.g. ``dbm.gnu``); by default the
    ``dbm`` package, which picks the file's existing type or its default.
    Every access to the file holds a global mutex, so processes and threads
    take turns.
    """

    def __init__(self, req, dbm=None, sid=None, secret=None, dbmtype=None,
                 timeout=0, lock=1):
        self._options = req.get_options()
        if not dbm:
            dbm = _default_dbm_file(self._options)
        self._dbmfile = dbm
        self._dbmtype = _dbm_package if dbmtype is None else dbmtype
        BaseSession.__init__(self, req, sid=sid, secret=secret,
                             timeout=timeout, lock=lock)

    def _dbm(self, work):
        """work(db) with the dbm file open, under the dbm lock."""
        server = self._req.server
        # With a single global mutex, the session lock this object may hold
        # *is* the dbm lock: taking it again would wait for ever.
        take = not (self._locked and _apache._global_lock_count() == 1)
        if take:
            _apache._global_lock(server, "mp_sess.dbm", _DBM_LOCK_INDEX)
        try:
            db = self._dbmtype.open(self._dbmfile, "c", 0o640)
            try:
                return work(db)
            finally:
                db.close()
        finally:
            if take:
                _apache._global_unlock(server, "mp_sess.dbm",
                                       _DBM_LOCK_INDEX)

    def do_load(self):
        sid = self._sid

        def read(db):
            try:
                return db[sid]
            except KeyError:
                return None

        blob = self._dbm(read)
        if blob is None:
            return None
        data = self._decode(blob, "%s (dbm)" % self._dbmfile)
        if data is None:
            self.do_delete()
        return data

    def do_save(self, data):
        blob = pickle.dumps(data, _PICKLE_PROTOCOL)
        sid = self._sid

        def write(db):
            db[sid] = blob

        self._dbm(write)

    def do_delete(self):
        sid = self._sid

        def remove(db):
            try:
                del db[sid]
            except KeyError:
                pass

        self._dbm(remove)

    def cleanup(self):
        """Register a sweep of the dbm file that removes expired (and
        unreadable) sessions after the response."""
        self._req.register_cleanup(_dbm_cleanup, self)


def _dbm_cleanup(session):
    # The request is over: let this session's next request in now rather
    # than after the sweep.
    session.unlock()

    def sweep(db):
        now = time.time()
        removed = 0
        keys = db.keys()
        for key in keys:
            data = _unpickle_session(db[key])
            if data is None or now - data["_accessed"] > data["_timeout"]:
                del db[key]
                removed += 1
        return len(keys), removed

    examined, removed = session._dbm(sweep)
    _log(session._req, "MP0204",
         "DbmSession cleanup of %s: %d sessions examined, %d removed"
         % (session._dbmfile, examined, removed), apache.APLOG_INFO)


# --------------------------------------------------------------- file store

class FileSession(BaseSession):
    """A session stored in a file of its own.

    ``FileSession(req[, sid, secret, timeout, lock, fast_cleanup,
    verify_cleanup])``

    The files are in ``mp_sess/`` under ``PythonOption
    mod_python.file_session.database_directory``,
    ``mod_python.session.database_directory`` or ``session_directory``
    (default ``tempfile.gettempdir()``), created with mode 0700 if missing;
    a file is named after its session id and holds the pickled session in
    a frame with its length and CRC-32 (see ``_frame``), so that a reader
    recognises a file that is being written or was left half written.  A
    locked session is rewritten in place, through the descriptor its load
    opened; an unlocked save (lock=0) writes a temporary file and renames
    it over the session file.  *fast_cleanup* and *verify_cleanup*
    (default True, or ``PythonOption session_fast_cleanup`` /
    ``session_verify_cleanup``) choose how the cleanup decides that a file
    has expired: by its modification time, by the timeout stored in it, or
    both.
    """

    def __init__(self, req, sid=None, secret=None, timeout=0, lock=1,
                 fast_cleanup=None, verify_cleanup=None):
        self._options = options = req.get_options()
        self._sessdir = (_option(options, OPT_FILE_DIRECTORY)[1]
                         or tempfile.gettempdir()) + "/mp_sess"
        self._fast_cleanup = fast_cleanup
        self._verify_cleanup = verify_cleanup
        # While the session is locked: the session file, open for reading
        # and writing from its load to the end of the request, and the
        # length of what it holds (None: not known).
        self._fd = None
        self._file_size = None
        BaseSession.__init__(self, req, sid=sid, secret=secret,
                             timeout=timeout, lock=lock)

    def _path(self):
        # Only ever called with a validated id (hex digits): the name
        # cannot leave the directory.
        return self._sessdir + "/" + self._sid

    def do_load(self):
        path = self._path()
        if self._locked:
            # Under the lock no other locking request reads or writes this
            # file: keep it open for the save.
            self._close()
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                return None
            self._fd = fd
            blob = _read_all(fd)
            self._file_size = len(blob)
            payload = _unframe(blob)
        else:
            # A locking writer may be rewriting the file right now: a
            # frame that does not check out is read again, a few times.
            for attempt in range(_UNLOCKED_READS):
                try:
                    fd = os.open(path, os.O_RDONLY)
                except FileNotFoundError:
                    return None
                try:
                    blob = _read_all(fd)
                finally:
                    os.close(fd)
                payload = _unframe(blob)
                if payload is not None or attempt + 1 == _UNLOCKED_READS:
                    break
                time.sleep(0.001 * (attempt + 1))
        if payload is None:
            # A damaged file is left to the cleanup.
            where = path
            if not self._locked:
                where += " (read %d times, unlocked)" % _UNLOCKED_READS
            return self._decode(b"", where)
        return self._decode(payload, path)

    def do_save(self, data):
        blob = _frame(pickle.dumps(data, _PICKLE_PROTOCOL))
        if self._locked:
            # No other locking request reads or writes this file now.
            fd = self._fd
            if fd is None:
                # A new session (or a load that found no file): what the
                # file holds, if anything, is not known (_file_size None).
                fd = self._fd = self._create(self._path(),
                                             os.O_RDWR | os.O_CREAT)
            _pwrite_all(fd, blob)
            size = self._file_size
            if size is None:
                size = os.fstat(fd).st_size
            if size > len(blob):
                # Not needed to read it (the frame has the length), but a
                # session that shrank should not keep its old size.
                os.ftruncate(fd, len(blob))
            self._file_size = len(blob)
            return
        # Unlocked (lock=0): writers of this session may run at the same
        # time, so each writes a temporary file of its own (per process
        # and thread) and renames it over the session file.
        path = self._path()
        tmp = "%s.%d.%d.tmp" % (path, os.getpid(), threading.get_ident())
        fd = self._create(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            try:
                _pwrite_all(fd, blob)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            _unlink(tmp)
            raise

    def _create(self, path, flags):
        try:
            return os.open(path, flags, 0o600)
        except FileNotFoundError:
            # First session ever (or someone removed mp_sess): make it.
            # The directory above must exist, as the manual says.
            try:
                os.mkdir(self._sessdir, 0o700)
            except FileExistsError:
                pass
            return os.open(path, flags, 0o600)

    def _close(self):
        fd = self._fd
        if fd is not None:
            self._fd = None
            self._file_size = None
            os.close(fd)

    def do_delete(self):
        self._close()
        _unlink(self._path())

    def unlock(self):
        """Release the session lock (and the session file), if this object
        holds it."""
        self._close()
        BaseSession.unlock(self)

    def cleanup(self):
        """Register a sweep of the session directory that removes expired
        session files after the response (see the manual's FileSession
        section for fast_cleanup, verify_cleanup, session_grace_period and
        session_cleanup_time_limit)."""
        options = self._options
        try:
            fast = self._fast_cleanup
            if fast is None:
                fast = _flag(options, OPT_FAST_CLEANUP, True)
            verify = self._verify_cleanup
            if verify is None:
                verify = _flag(options, OPT_VERIFY_CLEANUP, True)
            grace = _seconds(options, OPT_GRACE_PERIOD, DFT_GRACE_PERIOD)
            limit = _seconds(options, OPT_CLEANUP_TIME_LIMIT,
                             DFT_CLEANUP_TIME_LIMIT)
        except ValueError as exc:
            # A configuration error must not turn a random request into a
            # 500: say so and leave the files for a fixed configuration.
            _log(self._req, "MP0201", "FileSession cleanup not run: %s"
                 % exc, apache.APLOG_ERR)
            return
        self._req.register_cleanup(
            _file_cleanup, (self, bool(fast), bool(verify) or not fast,
                            grace, limit))


# A session file: magic, payload length, CRC-32 of the payload, payload
# (the pickle).  The length lets a rewrite in place leave a longer old
# version's tail behind; the CRC tells a reader that raced a writer, or a
# file a dying process left half written, from a session.
_FRAME = struct.Struct("<4sII")
_FRAME_MAGIC = b"mpS1"

# How often an unlocked reader (lock=0) reads a file whose frame does not
# check out before it takes it as damaged.
_UNLOCKED_READS = 3


def _frame(payload):
    return _FRAME.pack(_FRAME_MAGIC, len(payload),
                       zlib.crc32(payload)) + payload


def _unframe(blob):
    """The payload of a session file's contents, or None if they are not
    a whole, intact frame."""
    header = _FRAME.size
    if len(blob) < header:
        return None
    magic, length, crc = _FRAME.unpack_from(blob)
    if magic != _FRAME_MAGIC or len(blob) < header + length:
        return None
    payload = blob[header:header + length]
    if zlib.crc32(payload) != crc:
        return None
    return payload


def _read_all(fd):
    # os.read rather than open(): no buffered file object per request.
    # The first read has it all unless the session is large.
    chunk = os.pread(fd, 65536, 0)
    if len(chunk) < 65536:
        return chunk
    chunks = [chunk]
    offset = len(chunk)
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _pwrite_all(fd, blob):
    view = memoryview(blob)
    offset = 0
    while offset < len(blob):
        offset += os.pwrite(fd, view[offset:], offset)


# The file in mp_sess/ that holds where the last time-limited sweep
# stopped; its lock also keeps two sweeps from running at once.
_POSITION_FILE = ".cleanup_position"


def _file_cleanup(args):
    session, fast, verify, grace, limit = args
    # The request is over: let this session's next request in now rather
    # than after the sweep.
    session.unlock()
    import fcntl
    req = session._req
    sessdir = session._sessdir
    try:
        fd = os.open(os.path.join(sessdir, _POSITION_FILE),
                     os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:
        return                                  # no sessions yet
    with open(fd, "r+", encoding="ascii", errors="replace") as posfile:
        try:
            fcntl.flock(posfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return                              # another sweep is running
        # Only ever compared with names, never opened: no check needed.
        start = posfile.read().strip()
        result = _sweep(session, sessdir, start, fast, verify, grace, limit)
        examined, removed, stopped_at = result
        posfile.seek(0)
        posfile.truncate()
        posfile.write(stopped_at)
    if stopped_at:
        _log(req, "MP0202",
             "FileSession cleanup of %s stopped by "
             "session_cleanup_time_limit (%gs) after %d files (%d removed); "
             "the next one resumes after %s"
             % (sessdir, limit, examined, removed, stopped_at),
             apache.APLOG_NOTICE)
    else:
        _log(req, "MP0203",
             "FileSession cleanup of %s done: %d files examined%s, %d "
             "removed" % (sessdir, examined,
                          " from %s" % start if start else "", removed),
             apache.APLOG_INFO)


def _sweep(session, sessdir, start, fast, verify, grace, limit):
    """Remove expired session files whose names sort after start.

    Returns (session files examined, removed, name to resume after or ''
    if the end of the directory was reached).
    """
    server = session._req.server
    timeout = session._timeout
    now = time.time()
    deadline = time.monotonic() + limit if limit > 0 else None
    names = sorted(os.listdir(sessdir))
    if start:
        import bisect
        names = names[bisect.bisect_right(names, start):]
    examined = removed = 0
    last = ""
    for name in names:
        if (deadline is not None and examined
                and time.monotonic() > deadline):
            return examined, removed, last
        last = name
        path = os.path.join(sessdir, name)
        if len(name) > SID_LENGTH and _valid_sid(name[:SID_LENGTH]):
            # A temporary file left by a process that died while saving
            # unlocked: if it is that old, nobody is writing it.
            try:
                if _older_than(path, now, timeout + grace):
                    _unlink(path)
            except FileNotFoundError:
                pass
            continue
        if not _valid_sid(name):
            continue
        examined += 1
        try:
            if not _expired(path, now, timeout, grace, fast, verify):
                continue
            # A request may have this session right now: leave it to a
            # later sweep rather than pull the file from under it.
            if not _apache._global_trylock(server, name):
                continue
            try:
                # Decided without the lock: a request may have saved the
                # session since.  Under the lock no (locking) writer runs.
                if _expired(path, time.time(), timeout, grace, fast, verify):
                    if _unlink(path):
                        removed += 1
            finally:
                _apache._global_unlock(server, name)
        except FileNotFoundError:
            continue
    return examined, removed, ""


def _expired(path, now, timeout, grace, fast, verify):
    """Whether the session file at path may go (see FileSession)."""
    if fast and not _older_than(path, now, timeout + grace):
        return False
    if not verify:
        return True
    with open(path, "rb") as f:
        payload = _unframe(f.read())
    data = None if payload is None else _unpickle_session(payload)
    if data is None:
        # Unreadable: kept for a grace period in case it is being looked
        # at, then dropped.
        return _older_than(path, now, grace)
    return now - data["_accessed"] > data["_timeout"] + grace


def _older_than(path, now, seconds):
    return now - os.stat(path).st_mtime > seconds


def _unlink(path):
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False


# ------------------------------------------------------------- memory store

# sid -> (last access, timeout, pickled data).  Per process and per
# interpreter: only useful when one process serves every request.
_memory_store = {}


class MemorySession(BaseSession):
    """A session stored in a dictionary of the serving process.

    ``MemorySession(req[, sid, secret, timeout, lock])``

    The fastest store, but only correct when a single process serves all
    requests (a threaded MPM with one child); sessions are lost when the
    process exits.  The data is stored pickled, so that it is a snapshot
    taken by save(), as with the other stores.
    """

    def __init__(self, req, sid=None, secret=None, timeout=0, lock=1):
        BaseSession.__init__(self, req, sid=sid, secret=secret,
                             timeout=timeout, lock=lock)

    def do_load(self):
        entry = _memory_store.get(self._sid)
        if entry is None:
            return None
        return pickle.loads(entry[2])

    def do_save(self, data):
        _memory_store[self._sid] = (data["_accessed"], data["_timeout"],
                                    pickle.dumps(data, _PICKLE_PROTOCOL))

    def do_delete(self):
        _memory_store.pop(self._sid, None)

    def cleanup(self):
        """Register a sweep of the process's sessions after the
        response."""
        self._req.register_cleanup(_memory_cleanup, self)


def _memory_cleanup(session):
    now = time.time()
    for sid, (accessed, timeout, _) in list(_memory_store.items()):
        if now - accessed > timeout:
            _memory_store.pop(sid, None)


# -------------------------------------------------------------- redis store

OPT_REDIS_URL = ("mod_python.session.redis_url",)
OPT_REDIS_PREFIX = ("mod_python.session.redis_prefix",)
OPT_REDIS_CONNECT_TIMEOUT = ("mod_python.session.redis_connect_timeout",)
OPT_REDIS_TIMEOUT = ("mod_python.session.redis_timeout",)
OPT_REDIS_LOCK_EXPIRY = ("mod_python.session.redis_lock_expiry",)
OPT_REDIS_LOCK_TIMEOUT = ("mod_python.session.redis_lock_timeout",)
# TLS (rediss:// URLs only): the CA bundle the server's certificate must
# chain to (default: the system's), whether its name or address must
# match the URL's host (default on), a client certificate and its key.
OPT_REDIS_SSL_CA_CERTS = ("mod_python.session.redis_ssl_ca_certs",)
OPT_REDIS_SSL_CHECK_HOSTNAME = ("mod_python.session.redis_ssl_check_hostname",)
OPT_REDIS_SSL_CERTFILE = ("mod_python.session.redis_ssl_certfile",)
OPT_REDIS_SSL_KEYFILE = ("mod_python.session.redis_ssl_keyfile",)

DFT_REDIS_URL = "redis://127.0.0.1:6379/0"
DFT_REDIS_PREFIX = "mp_sess:"
DFT_REDIS_CONNECT_TIMEOUT = 2
DFT_REDIS_TIMEOUT = 5
DFT_REDIS_LOCK_EXPIRY = 30
DFT_REDIS_LOCK_TIMEOUT = 40

# The longest pause between two tries for a lock another request holds.
_LOCK_POLL_MAX = 0.02

# The configuration of RedisSession, by the raw option values: parsed once
# per interpreter (and per distinct configuration).
_redis_configs = {}


class _RedisConfig:
    __slots__ = ("url", "prefix", "connect_timeout", "timeout",
                 "lock_expiry_ms", "lock_timeout", "tls")

    def __init__(self, options):
        name, url = _option(options, OPT_REDIS_URL)
        self.url = _redisstore.check_url(name, url or DFT_REDIS_URL)
        self.prefix = (_option(options, OPT_REDIS_PREFIX)[1]
                       or DFT_REDIS_PREFIX)
        self.connect_timeout = _seconds(options, OPT_REDIS_CONNECT_TIMEOUT,
                                        DFT_REDIS_CONNECT_TIMEOUT)
        self.timeout = _seconds(options, OPT_REDIS_TIMEOUT,
                                DFT_REDIS_TIMEOUT)
        expiry = _seconds(options, OPT_REDIS_LOCK_EXPIRY,
                          DFT_REDIS_LOCK_EXPIRY)
        if expiry < 0.01:
            raise ValueError("PythonOption %s must be at least 0.01 "
                             "seconds" % OPT_REDIS_LOCK_EXPIRY[0])
        self.lock_expiry_ms = int(expiry * 1000)
        self.lock_timeout = _seconds(options, OPT_REDIS_LOCK_TIMEOUT,
                                     DFT_REDIS_LOCK_TIMEOUT)
        tls = (_option(options, OPT_REDIS_SSL_CA_CERTS)[1],
               _flag(options, OPT_REDIS_SSL_CHECK_HOSTNAME, True),
               _option(options, OPT_REDIS_SSL_CERTFILE)[1],
               _option(options, OPT_REDIS_SSL_KEYFILE)[1])
        self.tls = _redisstore.check_tls(
            self.url, tls, (OPT_REDIS_SSL_CA_CERTS[0],
                            OPT_REDIS_SSL_CERTFILE[0],
                            OPT_REDIS_SSL_KEYFILE[0]))


def _redis_config(options):
    raw = tuple(options.get(names[0]) for names in (
        OPT_REDIS_URL, OPT_REDIS_PREFIX, OPT_REDIS_CONNECT_TIMEOUT,
        OPT_REDIS_TIMEOUT, OPT_REDIS_LOCK_EXPIRY, OPT_REDIS_LOCK_TIMEOUT,
        OPT_REDIS_SSL_CA_CERTS, OPT_REDIS_SSL_CHECK_HOSTNAME,
        OPT_REDIS_SSL_CERTFILE, OPT_REDIS_SSL_KEYFILE))
    config = _redis_configs.get(raw)
    if config is None:
        config = _redis_configs[raw] = _RedisConfig(options)
    return config


class RedisSession(BaseSession):
    """A session stored in Redis, which any number of Apache hosts share.

    ``RedisSession(req[, sid, secret, timeout, lock])``

    The session is the value of the key ``<prefix><id>`` (PythonOption
    mod_python.session.redis_prefix, default ``mp_sess:``) on the server
    of PythonOption mod_python.session.redis_url (redis://, rediss:// or
    unix://; default redis://127.0.0.1:6379/0): the pickle in the same
    checksummed frame as FileSession's, written with an expiry of the
    session's timeout, so Redis drops expired sessions itself and
    cleanup() has nothing to do.

    The lock is the key ``<prefix><id>:lock`` holding a random token of
    the request, set only if absent and with an expiry
    (mod_python.session.redis_lock_expiry, 30 s), so that a host that dies
    holding it blocks the session for that long at most.  A request finds
    it taken waits, up to mod_python.session.redis_lock_timeout (40 s),
    then gets 503.  Saves and deletes of a locked session happen only
    while the lock still holds the request's token; unlocking deletes it
    only then.  When Redis cannot be reached (or answers with an error),
    the request gets 503 and the error log a line: never a new session in
    place of one Redis could not produce.

    One client and connection pool per interpreter (and URL) serves every
    request of the process, and is made again in a forked process.
    """

    def __init__(self, req, sid=None, secret=None, timeout=0, lock=1):
        self._options = options = req.get_options()
        config = self._config = _redis_config(options)
        self._redis = _redisstore.client(config.url, config.connect_timeout,
                                         config.timeout, config.tls)
        self._token = None
        # What taking the lock read of the session, for the load that
        # follows: (value or None, whether it was no string), or None.
        self._prefetched = None
        BaseSession.__init__(self, req, sid=sid, secret=secret,
                             timeout=timeout, lock=lock)

    # Only ever called with a validated id (32 hex digits): nothing a
    # client sends becomes part of a key.
    def _key(self):
        return self._config.prefix + self._sid

    def _lock_key(self):
        return self._config.prefix + self._sid + ":lock"

    def _unavailable(self, doing, exc):
        """Log that Redis failed and end the request with 503."""
        _log(self._req, "MP0205",
             "RedisSession: Redis at %s failed while %s session %s: %s: "
             "%s; the request gets 503"
             % (self._redis.where, doing, self._sid, type(exc).__name__,
                exc), apache.APLOG_ERR)
        raise apache.SERVER_RETURN(apache.HTTP_SERVICE_UNAVAILABLE)

    def _acquire_lock(self):
        config = self._config
        client = self._redis
        token = secrets.token_hex(16)
        keys = [self._lock_key(), self._key()]
        args = [token, config.lock_expiry_ms]
        deadline = time.monotonic() + config.lock_timeout
        pause = 0.001
        while True:
            try:
                taken = client.acquire(keys=keys, args=args)
            except client.errors.RedisError as exc:
                self._unavailable("locking", exc)
            if taken[0]:
                self._token = token
                self._prefetched = (taken[1], len(taken) > 2)
                return
            left = deadline - time.monotonic()
            if left <= 0:
                _log(self._req, "MP0206",
                     "RedisSession: session %s stayed locked by another "
                     "request for mod_python.session.redis_lock_timeout "
                     "(%gs); the request gets 503"
                     % (self._sid, config.lock_timeout), apache.APLOG_ERR)
                raise apache.SERVER_RETURN(apache.HTTP_SERVICE_UNAVAILABLE)
            # Requests waiting for the same session try again at
            # staggered times.
            time.sleep(min(left, pause * (0.5 + random.random())))
            pause = min(pause * 2, _LOCK_POLL_MAX)

    def _release_lock(self):
        token, self._token = self._token, None
        self._prefetched = None
        if token is None:
            return
        client = self._redis
        try:
            client.release(keys=[self._lock_key()], args=[token], wait=False)
        except client.errors.RedisError as exc:
            # Runs at the end of the request: nothing to answer any more,
            # and the lock goes by itself when it expires.
            _log(self._req, "MP0208",
                 "RedisSession: session %s could not be unlocked (%s: %s); "
                 "its lock expires within %gs"
                 % (self._sid, type(exc).__name__, exc,
                    self._config.lock_expiry_ms / 1000.0),
                 apache.APLOG_WARNING)

    def _write_locked(self, doing, blob, ttl_ms):
        client = self._redis
        try:
            done = client.write_locked(keys=[self._key(), self._lock_key()],
                                       args=[self._token, blob, ttl_ms])
        except client.errors.RedisError as exc:
            self._unavailable(doing, exc)
        if not done:
            _log(self._req, "MP0207",
                 "RedisSession: session %s was not %s: its lock expired "
                 "(mod_python.session.redis_lock_expiry %gs) before the "
                 "request ended; the request gets 503"
                 % (self._sid, "saved" if blob else "deleted",
                    self._config.lock_expiry_ms / 1000.0), apache.APLOG_ERR)
            raise apache.SERVER_RETURN(apache.HTTP_SERVICE_UNAVAILABLE)

    def do_load(self):
        client = self._redis
        key = self._key()
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is not None:
            # read by the lock's script, a moment ago, under the lock
            blob, foreign = prefetched
        else:
            foreign = False
            try:
                blob = client.redis.get(key)
            except client.errors.ResponseError:
                foreign = True      # WRONGTYPE
            except client.errors.RedisError as exc:
                self._unavailable("loading", exc)
        if foreign:
            # Not a string value: somebody else's key.
            return self._decode(b"", "Redis key %s (not a string)" % key)
        if blob is None:
            return None
        # Anything without our frame is refused before pickle sees it.
        payload = _unframe(blob)
        return self._decode(b"" if payload is None else payload,
                            "Redis key %s" % key)

    def do_save(self, data):
        blob = _frame(pickle.dumps(data, _PICKLE_PROTOCOL))
        # Redis forgets the session when it expires.
        ttl_ms = max(1, int(data["_timeout"] * 1000))
        if self._token is not None:
            self._write_locked("saving", blob, ttl_ms)
            return
        client = self._redis
        try:
            client.redis.set(self._key(), blob, px=ttl_ms)
        except client.errors.RedisError as exc:
            self._unavailable("saving", exc)

    def do_delete(self):
        if self._token is not None:
            self._write_locked("deleting", b"", 0)
            return
        client = self._redis
        try:
            client.redis.delete(self._key())
        except client.errors.RedisError as exc:
            self._unavailable("deleting", exc)

    def cleanup(self):
        """Nothing to do: Redis removes each session when its expiry (the
        session's timeout) has passed."""


# ------------------------------------------------------------------ choice

_CLASSES = {
    "DbmSession": DbmSession,
    "FileSession": FileSession,
    "MemorySession": MemorySession,
    "RedisSession": RedisSession,
}


def Session(req, sid=None, secret=None, timeout=0, lock=1):
    """A session of the configured class (arguments as BaseSession).

    ``PythonOption mod_python.session.session_type`` (or 3.2's
    ``session``) names the class: DbmSession, FileSession, MemorySession
    or RedisSession.  Without it, MemorySession when one process serves
    every request (a threaded MPM that does not fork, or forks at most one
    child), else DbmSession.
    """
    option, name = _option(req.get_options(), OPT_SESSION_TYPE)
    if name:
        cls = _CLASSES.get(name)
        if cls is None:
            raise ValueError("PythonOption %s must be DbmSession, "
                             "FileSession, MemorySession or RedisSession, "
                             "not %r" % (option, name))
    elif (apache.mpm_query(apache.AP_MPMQ_IS_THREADED)
          and (not apache.mpm_query(apache.AP_MPMQ_IS_FORKED)
               or apache.mpm_query(apache.AP_MPMQ_MAX_DAEMONS) == 1)):
        cls = MemorySession
    else:
        cls = DbmSession
    return cls(req, sid=sid, secret=secret, timeout=timeout, lock=lock)
