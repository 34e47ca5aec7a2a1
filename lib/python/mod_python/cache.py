"""mod_python.cache -- thread-safe caches of things that are costly to build.

mod_python 3.2.10 shipped this module (undocumented); this one keeps its
interface.  A cache maps a *name* to a value built on first use and
rebuilt when it goes stale:

``Cache``
    the base class.  ``cache[name]`` returns the value, building it with
    ``build()`` when missing or when ``check()`` says it is stale.
    ``max_size`` > 0 bounds the number of entries; the least recently used
    one is dropped first.
``WeakCache``
    keeps only weak references: a value lives as long as someone else
    uses it.
``FileCache``
    the contents of a file, read again when its modification time changes.
``ModuleCache``
    a module made by running a Python file, made again when the file
    changes (not put in ``sys.modules``).
``HTTPCache``, ``HttpModuleCache``
    the same for a URL, revalidated with the ETag / Last-Modified the
    server sent and kept for its ``Cache-Control: max-age`` or
    ``Expires``.
``FunctionCache``
    memoises a function of hashable arguments.

Each entry has a lock of its own, so two threads asking for the same
name build it once, while other names stay available.  The caches live in
one interpreter of one process: they are not shared between Apache
children.
"""

import collections
import email.utils
import os
import re
import threading
import time
import types
import urllib.error
import urllib.request
import weakref

__all__ = ["NOT_INITIALIZED", "Entry", "Cache", "WeakCache", "FileCache",
           "HTTPEntity", "HTTPCache", "ModuleCache", "HttpModuleCache",
           "FunctionCache", "parseRFC822Time", "re_max_age"]


class _NotInitialized:
    def __repr__(self):
        return "NOT_INITIALIZED"


# The value of an entry that has not been built yet.
NOT_INITIALIZED = _NotInitialized()


class Entry:
    """One cache entry: its key, its value (or NOT_INITIALIZED) and its
    lock.  check() and build() may keep metadata on it as attributes."""

    def __init__(self, key):
        self._key = key
        self._value = NOT_INITIALIZED
        self._lock = threading.Lock()


class Cache:
    """A cache of values built on demand; subclasses provide build() and,
    for values that can go stale, check()."""

    def __init__(self, max_size=0):
        if not isinstance(max_size, int) or max_size < 0:
            raise ValueError("max_size must be an int >= 0 (0: no limit), "
                             "not %r" % (max_size,))
        self._maxsize = max_size
        # Ordered from least to most recently used.
        self._dict = collections.OrderedDict()
        self._lock = threading.Lock()

    # -- what subclasses override -----------------------------------------
    def key(self, name):
        """The key under which name is kept (name itself by default)."""
        return name

    def check(self, key, name, entry):
        """None when entry's value is still good; otherwise something
        "opened" (a file, a response) that build() makes the new value
        from.  Called for new entries too."""
        return None

    def build(self, key, name, opened, entry):
        """Make the value for name from what check() returned."""
        raise NotImplementedError("%s must define build()"
                                  % type(self).__name__)

    def commit(self):
        """Called after each change of the cache's contents (to persist
        them, for instance); does nothing here."""

    def _pack(self, entry, value):
        entry._value = value

    def _unpack(self, entry):
        return entry._value

    # -- the mapping --------------------------------------------------------
    def _get_entry(self, key):
        with self._lock:
            entry = self._dict.get(key)
            if entry is None:
                entry = Entry(key)
                self._dict[key] = entry
                if self._maxsize and len(self._dict) > self._maxsize:
                    self._dict.popitem(last=False)
            else:
                self._dict.move_to_end(key)
            return entry

    def _checkitem(self, name):
        """(is_new, key, value, entry) for name, building the value when
        it is missing or stale (is_new is then True)."""
        key = self.key(name)
        entry = self._get_entry(key)
        with entry._lock:
            value = self._unpack(entry)
            opened = self.check(key, name, entry)
            if value is NOT_INITIALIZED or opened is not None:
                value = self.build(key, name, opened, entry)
                self._pack(entry, value)
                self.commit()
                return True, key, value, entry
            return False, key, value, entry

    def checkitem(self, name):
        """Like cache[name], returning (is_new, key, value, entry)."""
        return self._checkitem(name)

    def __getitem__(self, name):
        return self._checkitem(name)[2]

    def __setitem__(self, name, value):
        entry = self._get_entry(self.key(name))
        with entry._lock:
            self._pack(entry, value)
            self.commit()

    def __delitem__(self, name):
        with self._lock:
            del self._dict[self.key(name)]
        self.commit()

    def __contains__(self, name):
        with self._lock:
            return self.key(name) in self._dict

    def __len__(self):
        with self._lock:
            return len(self._dict)

    def mru(self):
        """The most recently used key (None when the cache is unbounded
        or empty)."""
        with self._lock:
            if not self._maxsize or not self._dict:
                return None
            return next(reversed(self._dict))

    def lru(self):
        """The least recently used key: the next to go (None when the
        cache is unbounded or empty)."""
        with self._lock:
            if not self._maxsize or not self._dict:
                return None
            return next(iter(self._dict))

    def clear(self):
        """Drop every entry."""
        with self._lock:
            self._dict.clear()
        self.commit()


class WeakCache(Cache):
    """A cache holding weak references: an entry is dropped once nobody
    else uses its value.  Values must be weakly referenceable."""

    def _pack(self, entry, value):
        key = entry._key
        me = weakref.ref(self)

        def gone(ref):
            cache = me()
            if cache is None:
                return
            with cache._lock:
                if cache._dict.get(key) is entry and entry._value is ref:
                    del cache._dict[key]

        entry._value = weakref.ref(value, gone)

    def _unpack(self, entry):
        if entry._value is NOT_INITIALIZED:
            return NOT_INITIALIZED
        value = entry._value()
        return NOT_INITIALIZED if value is None else value


class FileCache(Cache):
    """File name -> the file's contents (bytes with the default mode
    'rb', str with 'r'), read again when the file's modification time
    changes.  Override build() to keep something made from the file."""

    def __init__(self, max_size=0, mode="rb"):
        Cache.__init__(self, max_size)
        if mode not in ("r", "rb", "rt"):
            raise ValueError("mode must be 'r', 'rt' or 'rb', not %r"
                             % (mode,))
        self.mode = mode

    def check(self, key, name, entry):
        stamp = os.stat(key).st_mtime_ns
        if entry._value is NOT_INITIALIZED \
                or getattr(entry, "_timestamp", None) != stamp:
            entry._timestamp = stamp
            return open(key, self.mode)
        return None

    def build(self, key, name, opened, entry):
        with opened:
            return opened.read()


def parseRFC822Time(t):
    """Seconds since the epoch for an HTTP date such as a Last-Modified
    or Expires value; ValueError when it is not one."""
    parsed = email.utils.parsedate_tz(t) if t else None
    if parsed is None:
        raise ValueError("not an HTTP date: %r" % (t,))
    return email.utils.mktime_tz(parsed)


re_max_age = re.compile(r"max-age\s*=\s*(\d+)", re.I)


class HTTPEntity:
    """What HTTPCache keeps for a URL: the body (``entity``, bytes) and
    the response headers (``metadata``, a dict)."""

    def __init__(self, entity, metadata):
        self.entity = entity
        self.metadata = metadata

    def __repr__(self):
        return "HTTPEntity(%r, %r)" % (self.entity, self.metadata)

    def __str__(self):
        entity = self.entity
        if isinstance(entity, bytes):
            return entity.decode("utf-8", "replace")
        return str(entity)


class HTTPCache(Cache):
    """URL -> HTTPEntity, fetched with urllib.  Kept without asking again
    for the response's Cache-Control max-age (or Expires - Date); after
    that, revalidated with If-None-Match (the ETag) or If-Modified-Since
    (Last-Modified): a 304 keeps the cached entity.  A URL is always
    given as the key; check() raises urllib.error.HTTPError for an error
    status."""

    timeout = 30

    def check(self, key, name, entry):
        if entry._value is not NOT_INITIALIZED \
                and time.time() < getattr(entry, "_expires", 0):
            return None
        request = urllib.request.Request(key)
        if entry._value is not NOT_INITIALIZED:
            validator = getattr(entry, "_validator", None)
            if validator is not None:
                request.add_header(*validator)
        try:
            opened = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            if error.code == 304 and entry._value is not NOT_INITIALIZED:
                error.close()
                self._note_freshness(entry, error.headers)
                return None
            raise
        self._note_freshness(entry, opened.headers)
        etag = opened.headers.get("ETag")
        modified = opened.headers.get("Last-Modified")
        if etag:
            entry._validator = ("If-None-Match", etag)
        elif modified:
            entry._validator = ("If-Modified-Since", modified)
        else:
            entry._validator = None
        return opened

    @staticmethod
    def _note_freshness(entry, headers):
        entry._expires = 0
        match = re_max_age.search(headers.get("Cache-Control") or "")
        if match:
            entry._expires = time.time() + int(match.group(1))
            return
        try:
            lifetime = (parseRFC822Time(headers.get("Expires"))
                        - parseRFC822Time(headers.get("Date")))
        except ValueError:
            return
        entry._expires = time.time() + lifetime

    def build(self, key, name, opened, entry):
        with opened:
            return HTTPEntity(opened.read(), dict(opened.headers.items()))


_not_word = re.compile(r"\W+")


def _module_from_source(key, source, filename):
    module = types.ModuleType(_not_word.sub("_", key))
    module.__file__ = filename
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


class ModuleCache(FileCache):
    """File name -> the module made by running that Python file, made
    again when the file changes.  The module is not put in sys.modules."""

    def __init__(self, max_size=0):
        FileCache.__init__(self, max_size, "rb")

    def build(self, key, name, opened, entry):
        with opened:
            source = opened.read()
        return _module_from_source(key, source, key)


class HttpModuleCache(HTTPCache):
    """URL -> the module made by running the Python source found there.
    Only for URLs you trust as much as your own code."""

    def __init__(self, max_size=0):
        HTTPCache.__init__(self, max_size)

    def build(self, key, name, opened, entry):
        with opened:
            source = opened.read()
        return _module_from_source(key, source, key)


class FunctionCache(Cache):
    """function(*args, **kw) computed once per distinct arguments (which
    must be hashable): call the cache as you would the function."""

    def __init__(self, function, max_size=0):
        Cache.__init__(self, max_size)
        if not callable(function):
            raise TypeError("FunctionCache needs a callable, not %r"
                            % (function,))
        self.function = function

    def __call__(self, *args, **kw):
        return self[args, tuple(sorted(kw.items()))]

    def build(self, key, name, opened, entry):
        args, kw = key
        return self.function(*args, **dict(kw))
