"""mod_python.publisher -- publish a module's functions on the web (6.1).

``PythonHandler mod_python.publisher`` maps a URL to a Python object:
``/dir/hello.py/say?what=hi`` loads ``/dir/hello.py`` and calls
``say(what="hi")``; what the function returns is the response.

The module is ``req.filename`` without its extension (``index`` for a
directory, and ``index`` again, with the name moved in front of the object
path, when no such module exists); the object path is ``req.path_info``
split on ``/`` (``index`` when empty).  Modules are loaded by file through
mod_python's importer, so ``hello.py`` in two directories are two modules,
and they are reloaded when their file changes.

Security rules (Doc/publisher.rst lists them with their reasons):

* a name beginning with ``_``, or one that is not a Python identifier, is
  never looked up; neither is a module file whose name begins with ``_``
  or ``.``, nor a file whose real path (symlinks resolved) lies outside
  the directory of the ``PythonHandler`` directive;
* only the module itself and instances of classes defined in it are
  traversed; anything else (another module, a class, a function, a
  builtin, a string...) has no published attributes;
* only functions whose code is in the published module are called
  (methods of its classes, functions decorated with ``functools.wraps``
  included): a function imported from elsewhere (``from shutil import
  rmtree``) is never callable from the web;
* plain values (str, bytes, numbers, None, lists, tuples, dicts, sets)
  are published as ``str(value)``; everything else (classes, builtins,
  generators, files, foreign objects...) is not found.

Every refusal is ``HTTP_NOT_FOUND``, logged with its reason (at ``info``,
at ``warning`` with ``PythonDebug On``): a client cannot tell a refused
name from a missing one.
"""

# base64, hmac (which loads OpenSSL) and dis are imported where they are
# needed: most requests carry no credentials and most functions no
# __auth__, and every child would otherwise carry them.
import os
import re
import time
import types

from . import apache
from . import util
from . import _importer

__all__ = ["handler"]

_METHODS = ("GET", "POST", "HEAD")

# Values published as their string representation (these types exactly:
# a subclass's __str__ is code from wherever the subclass comes from).
_PLAIN_TYPES = frozenset((str, bytes, bytearray, int, float, complex, bool,
                          type(None), list, tuple, dict, set, frozenset))

_FunctionType = types.FunctionType
_MethodType = types.MethodType
_ModuleType = types.ModuleType

# A module file found good stays good as long as the importer trusts a
# module's mtime: a realpath() per request would cost several lstat()
# calls.  Only good files are remembered, so a client asking for endless
# missing names cannot grow this.
_CHECK_INTERVAL = _importer.CHECK_INTERVAL
_good_files = {}

_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([^\s;\"]+)", re.IGNORECASE)


class _BoundedCache(dict):
    """A dict forgotten when it grows past a size.

    Its keys are functions and code objects (a reloaded module brings new
    ones, and the old would be kept alive here for ever; a
    WeakKeyDictionary would cost a weak reference per look-up) or paths
    clients choose: either way it must not grow without end.
    """
    __slots__ = ()
    LIMIT = 2000

    def __setitem__(self, key, value):
        if len(self) >= self.LIMIT:
            self.clear()
        dict.__setitem__(self, key, value)


# (filename, path_info, handler directory) -> (expiry, what _find_module
# answered), for _CHECK_INTERVAL: some string work less per request.
# Refusals are not kept.
_located = _BoundedCache()


class _Refused(Exception):
    """The URL names nothing that may be published (answered 404)."""


class _Missing(Exception):
    """The form lacks fields the callable requires (answered 400)."""


# ----------------------------------------------------------------- handler
def handler(req):
    """Publish the object the URL names (manual 6.1.2).

    Only GET, POST and HEAD are accepted (405 with ``Allow`` otherwise).
    """
    if req.method not in _METHODS:
        # The Allow: header of the 405 lists them.
        req.allow_methods(_METHODS)
        raise apache.SERVER_RETURN(apache.HTTP_METHOD_NOT_ALLOWED)
    key = (req.filename or "", req.path_info, req.hlist.directory)
    route = _routes.get(key)
    if route is not None and route[0] > _monotonic():
        target = _route_target(route)
        if target is not None:
            if route[1] != key[0]:
                req.filename = route[1]
            return _respond(req, target, route[5])
    try:
        filename, name, names = _locate(req, key)
        # PythonAutoReload and PythonDebug of this handler apply.
        module = apache.import_module(filename)
        target = _traverse(req, module, names)
    except _Refused as exc:
        debug = req.get_config().get("PythonDebug") == "1"
        req.log_error("mod_python: MP0101: %s: not published: %s"
                      % (ascii(req.uri), exc),
                      apache.APLOG_WARNING if debug else apache.APLOG_INFO)
        raise apache.SERVER_RETURN(apache.HTTP_NOT_FOUND)
    if type(target) is _Value:
        _publish(req, target.value)
        return apache.OK
    plan = _plan(target)
    if (len(names) == 1 and type(target) is _FunctionType
            and _plain_function(module.__dict__, names[0]) is target):
        _routes[key] = (_monotonic() + _CHECK_INTERVAL, filename, module,
                        names[0], target, plan, target.__code__)
    return _respond(req, target, plan)


def _respond(req, target, plan):
    try:
        result = _call(req, target, plan)
    except _Missing as exc:
        return _bad_request(req, exc.args[0])
    _publish(req, result)
    return apache.OK


# (req.filename, req.path_info, handler directory) -> (expiry, module
# file, module, name, function, plan, code): a URL found to name a plain
# function of an unprotected module, published again without the walk
# until the importer would look at the module's file again.  Each use
# checks that the module still binds that very function (with the same
# code, and no __auth__ & co added since).
_routes = _BoundedCache()
_monotonic = time.monotonic


def _route_target(route):
    namespace = route[2].__dict__
    func = namespace.get(route[3])
    if (func is route[4] and func.__code__ is route[6] and not func.__dict__
            and not _module_protected(namespace)):
        return func
    return None


# -------------------------------------------------------- module and path
def _locate(req, key):
    """(module file, module name, object names) for the request; key is
    (req.filename, req.path_info, handler directory)."""
    filename, path_info, handler_dir = key
    entry = _located.get(key)
    if entry is not None and entry[0] > time.monotonic():
        path = entry[1][0]
        if path != filename:
            req.filename = path
        return entry[1]
    found = _find_module(req, filename, path_info, handler_dir)
    _located[key] = (time.monotonic() + _CHECK_INTERVAL, found)
    return found


def _find_module(req, filename, path_info, handler_dir):
    """_locate's answer, worked out."""
    directory, _, base = filename.rpartition("/")
    # A directory's req.filename ends with a slash: its module is index.
    # Otherwise the extension goes (the last one: a.b.py is module a.b).
    name = base.rpartition(".")[0] or base if base else "index"
    names = [n for n in path_info.split("/") if n] if path_info else []
    if not name or name[0] in "_.":
        raise _Refused("module name %s" % ascii(name))
    root = handler_dir or _fallback_root(req, directory)
    path = "%s/%s.py" % (directory, name)
    if not _good_module_file(path, root):
        if name == "index":
            raise _Refused("no module %s" % ascii(path))
        # /hello with no hello.py means index.py's hello (6.1.2).
        names.insert(0, name)
        name = "index"
        path = directory + "/index.py"
        if not _good_module_file(path, root):
            raise _Refused("no module %s" % ascii(path))
    if path != filename:
        req.filename = path
    return path, name, tuple(names) or ("index",)


def _fallback_root(req, directory):
    # PythonHandler in <Location> or at server level has no directory:
    # confine modules to the document root when they are under it, else
    # to their own directory (an Alias target).
    docroot = req.document_root()
    if docroot and (directory + "/").startswith(docroot.rstrip("/") + "/"):
        return docroot
    return directory


def _good_module_file(path, root):
    """path is a regular file whose real path lies inside root's."""
    now = time.monotonic()
    key = (path, root)
    if _good_files.get(key, 0.0) > now:
        return True
    if not os.path.isfile(path):
        return False
    real_root = os.path.realpath(root).rstrip("/") + "/"
    if not os.path.realpath(path).startswith(real_root):
        return False
    _good_files[key] = now + _CHECK_INTERVAL
    return True


# -------------------------------------------------------------- traversal
class _Value:
    """What _traverse returns for an object published as it is."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _traverse(req, module, names):
    """The callable to call, or a _Value to publish as it is.

    Raises _Refused, or SERVER_RETURN for a failed __auth__/__access__.
    """
    namespace = module.__dict__
    if len(names) == 1:
        # The common case, a plain function of an unprotected module,
        # without the general walk's costs.
        obj = _plain_function(namespace, names[0])
        if obj is not None:
            return obj
    auth = _Auth(req, module)
    if _module_protected(namespace):
        auth.check(module)
    obj = module
    for name in names:
        obj = _step(obj, name, module, auth)
    target = _final(obj, module)
    if target is _INDEX:
        # A CherryPy-style node: its page is its index (once: an index
        # that is again such a node is published as a string).
        obj = _step(obj, "index", module, auth)
        target = _final(obj, module, auto_index=False)
    return target


_INDEX = object()


def _plain_function(namespace, name):
    """The function namespace (a module's) binds to name, if it is one of
    its own, unprotected (no __auth__ & co in the module, on the function
    or in its code) and publishable by name; else None."""
    if _module_protected(namespace):
        return None
    obj = namespace.get(name)
    if (type(obj) is _FunctionType and obj.__globals__ is namespace
            and not obj.__dict__ and name[0] != "_"
            and name.isidentifier()
            and not _mentions_specials(obj.__code__)):
        return obj
    return None


def _step(obj, name, module, auth):
    """obj's attribute name, if the rules allow looking it up."""
    if name[0] == "_" or not name.isidentifier():
        raise _Refused("name %s" % ascii(name))
    if obj is not module and not _is_own_instance(obj, module):
        raise _Refused("%s is not traversable" % _kind(obj))
    try:
        obj = getattr(obj, name)
    except AttributeError:
        raise _Refused("no object %s" % ascii(name))
    if isinstance(obj, _ModuleType):
        raise _Refused("%s is a module" % ascii(name))
    auth.check(obj)
    return obj


def _final(obj, module, auto_index=True):
    """What to do with the object at the end of the path: a callable to
    call, a _Value to publish, or _INDEX to go on to its index."""
    if isinstance(obj, type):
        # 6.1.2 publishes what is "callable and not a class": a class is
        # neither called nor shown.
        raise _Refused("%s is a class" % ascii(obj.__name__))
    if _is_own_instance(obj, module):
        if callable(obj):
            if not _is_own_function(type(obj).__call__, module):
                raise _Refused("%s's __call__ is not defined in the module"
                               % _kind(obj))
            return obj
        if auto_index and _has_attr(obj, "index"):
            return _INDEX
        return _Value(obj)
    if callable(obj):
        if not _is_own_function(obj, module):
            raise _Refused("%s is not a function of the module" % _kind(obj))
        return obj
    if type(obj) in _PLAIN_TYPES:
        return _Value(obj)
    raise _Refused("%s is not publishable" % _kind(obj))


def _kind(obj):
    return "a %s object" % type(obj).__name__


_HEAPTYPE = 1 << 9      # Py_TPFLAGS_HEAPTYPE: a class made by a class statement


def _is_own_class(cls, module):
    """cls was defined by a class statement in the module.  (A module
    named builtins.py must not make str or frame objects its own.)"""
    return (cls.__module__ == module.__name__
            and bool(cls.__flags__ & _HEAPTYPE))


def _is_own_instance(obj, module):
    """obj is an instance of a class defined in the module."""
    return (_is_own_class(type(obj), module)
            and not isinstance(obj, (type, _ModuleType, _FunctionType,
                                     _MethodType)))


def _is_own_function(obj, module):
    """obj is a function (or method, or functools.wraps wrapper of one)
    whose code lives in the published module: nothing imported."""
    if isinstance(obj, _MethodType):
        obj = obj.__func__
    if isinstance(obj, _FunctionType) and obj.__globals__ is module.__dict__:
        return True
    inner = _unwrap(obj)
    return (isinstance(inner, _FunctionType)
            and inner.__globals__ is module.__dict__)


def _unwrap(obj):
    """What functools.wraps wrappers around obj lead to (obj when none)."""
    for _ in range(100):
        inner = getattr(obj, "__wrapped__", None)
        if inner is None:
            return obj
        obj = inner
    raise _Refused("a __wrapped__ chain that does not end")


def _has_attr(obj, name):
    # Look without running __getattr__: an object answering every name
    # would otherwise seem to have an index, or an __auth__.
    if isinstance(obj, type):
        return any(name in vars(klass) for klass in obj.__mro__)
    try:
        if name in vars(obj):
            return True
    except TypeError:
        pass
    return any(name in vars(klass) for klass in type(obj).__mro__)


# ---------------------------------------------------------- authentication
class _Auth:
    """__auth__, __access__ and __auth_realm__ along the path (6.1.2)."""

    def __init__(self, req, module):
        self.req = req
        self.module = module
        self.realm = "unknown"
        self._credentials = None
        # The user an __auth__ function or dictionary has let in.
        self.verified_user = None

    def check(self, obj):
        found = _protection(obj, self.module)
        if not found:
            return
        realm = found.get("__auth_realm__")
        if realm is not None:
            self.realm = str(realm)
        if "__auth__" in found:
            self._authenticate(found["__auth__"])
        if "__access__" in found:
            self._authorize(found["__access__"])

    def credentials(self):
        """(user, password) from the Authorization header, or the user
        another module authenticated with no password."""
        if self._credentials is None:
            self._credentials = _basic_credentials(self.req)
        return self._credentials

    def _authenticate(self, auth):
        user, passwd = self.credentials()
        if callable(auth):
            ok = auth(self.req, user, passwd)
        elif isinstance(auth, dict):
            expected = auth.get(user) if user is not None else None
            ok = (isinstance(expected, str) and passwd is not None
                  and _compare(expected.encode("utf-8"),
                               passwd.encode("utf-8")))
        else:
            ok = auth
        if ok and (callable(auth) or isinstance(auth, dict)):
            self.verified_user = user
        if not ok:
            realm = self.realm.replace("\\", "\\\\").replace('"', '\\"')
            realm = realm.replace("\r", " ").replace("\n", " ")
            self.req.err_headers_out["WWW-Authenticate"] = (
                'Basic realm="%s"' % realm)
            raise apache.SERVER_RETURN(apache.HTTP_UNAUTHORIZED)

    def _authorize(self, access):
        # A name from the Authorization header counts only once a password
        # check has passed: ours (__auth__), or else Apache's (req.user).
        # Without either, anyone could claim to be "admin".
        user = self.verified_user
        if user is None:
            user = self.req.user
        if callable(access):
            ok = access(self.req, user)
        elif isinstance(access, (list, tuple, set, frozenset)):
            ok = user is not None and user in access
        else:
            ok = access
        if not ok:
            raise apache.SERVER_RETURN(apache.HTTP_FORBIDDEN)


_SPECIAL = ("__auth__", "__access__", "__auth_realm__")


def _module_protected(d):
    return "__auth__" in d or "__access__" in d or "__auth_realm__" in d


def _protection(obj, module):
    """{special name: value} of obj; {} when it has none.  Only the
    module's own objects are asked: anything else is refused anyway, and
    its code is not to be run."""
    if obj is module:
        d = module.__dict__
        return {n: d[n] for n in _SPECIAL if n in d}
    if type(obj) in _PLAIN_TYPES:
        return {}
    if isinstance(obj, type):
        if not _is_own_class(obj, module):
            return {}
    elif isinstance(obj, (_FunctionType, _MethodType)):
        if not _is_own_function(obj, module):
            return {}
        func = obj.__func__ if isinstance(obj, _MethodType) else obj
        attrs = func.__dict__
        found = {n: attrs[n] for n in _SPECIAL if n in attrs} \
            if attrs else {}
        if hasattr(func, "__wrapped__"):
            func = _unwrap(func)
        for n, value in _function_protection(func).items():
            found.setdefault(n, value)
        return found
    elif not _is_own_instance(obj, module):
        return {}
    return {n: getattr(obj, n) for n in _SPECIAL if _has_attr(obj, n)}


# code object -> {name: ("const", value) | ("code", code) | ("unknown",)}
_code_specials = _BoundedCache()

_STORES = frozenset(("STORE_FAST", "STORE_NAME", "STORE_DEREF",
                     "STORE_GLOBAL"))
_CONSTS = frozenset(("LOAD_CONST", "LOAD_SMALL_INT"))
_MAKERS = frozenset(("MAKE_FUNCTION", "SET_FUNCTION_ATTRIBUTE"))


def _mentions_specials(code):
    # Cheap enough for every request: most functions name none of them.
    for names in (code.co_varnames, code.co_cellvars, code.co_names):
        if ("__auth__" in names or "__access__" in names
                or "__auth_realm__" in names):
            return True
    return False


def _scan_code(code):
    """What a function's own code assigns to __auth__ & co, read from its
    bytecode without running it: a constant, or a nested def."""
    import dis
    found = {}
    previous = None
    last_code = None
    for ins in dis.get_instructions(code):
        op = ins.opname
        if op.startswith("STORE"):
            targets = ins.argval if isinstance(ins.argval, tuple) \
                else (ins.argval,)
            for target in targets:
                if target not in _SPECIAL or target in found:
                    continue
                if op in _STORES and previous is not None \
                        and previous.opname in _CONSTS:
                    found[target] = ("const", previous.argval)
                elif op in _STORES and previous is not None \
                        and previous.opname in _MAKERS \
                        and last_code is not None:
                    found[target] = ("code", last_code)
                else:
                    found[target] = ("unknown",)
        if op in _CONSTS and isinstance(ins.argval, types.CodeType):
            last_code = ins.argval
        if op not in ("CACHE", "EXTENDED_ARG", "NOP"):
            previous = ins
    return found


def _function_protection(func):
    code = func.__code__
    if not _mentions_specials(code):
        return {}
    try:
        specials = _code_specials[code]
    except KeyError:
        specials = _code_specials[code] = _scan_code(code)
    result = {}
    for name, spec in specials.items():
        if spec[0] == "const":
            result[name] = spec[1]
        elif spec[0] == "code" and not spec[1].co_freevars:
            # Rebuilt with the module's globals: the enclosing function
            # never runs, so its locals (and default values) are unknown.
            result[name] = _FunctionType(spec[1], func.__globals__, name)
        else:
            # Cannot tell without running the function: fail closed.
            raise RuntimeError(
                "mod_python.publisher: %s of %s.%s cannot be read without "
                "running the function: give it a constant value, or a "
                "nested def that uses no local variables of %s"
                % (name, func.__module__, func.__qualname__, func.__name__))
    return result


def _compare(a, b):
    import hmac
    return hmac.compare_digest(a, b)


def _basic_credentials(req):
    header = req.headers_in.get("Authorization")
    if not header:
        return req.user, None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        # Another scheme, checked (or not) by another module.
        return req.user, None
    import base64
    import binascii
    try:
        raw = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise apache.SERVER_RETURN(apache.HTTP_BAD_REQUEST)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    user, colon, passwd = text.partition(":")
    if not colon:
        raise apache.SERVER_RETURN(apache.HTTP_BAD_REQUEST)
    return user, passwd


# ------------------------------------------------------------------ calling
_EMPTY = object()           # a parameter without a default
_CO_VARKEYWORDS = 0x08      # inspect.CO_VARKEYWORDS

# Signatures are slow to compute: one plan per function (and one per
# method's function, whose plan lacks self).
_function_plans = _BoundedCache()
_method_plans = _BoundedCache()


def _plan(obj):
    """(((name, positional_only, default), ...), takes_kwargs) for obj.

    Read from the code object, as inspect.signature would (following
    functools.wraps to the wrapped function), without importing inspect.
    """
    if isinstance(obj, _MethodType):
        cache, key = _method_plans, obj.__func__
    elif isinstance(obj, _FunctionType):
        cache, key = _function_plans, obj
    else:
        cache = key = None
    if cache is not None:
        plan = cache.get(key)
        if plan is not None:
            return plan
    if isinstance(obj, _MethodType):
        func, bound = obj.__func__, True
    elif isinstance(obj, _FunctionType) or hasattr(obj, "__wrapped__"):
        func, bound = obj, False
    else:
        # A callable instance of the module's class.
        func, bound = type(obj).__call__, True
    func = _unwrap(func)
    code = func.__code__
    nargs = code.co_argcount
    names = code.co_varnames[:nargs + code.co_kwonlyargcount]
    defaults = func.__defaults__ or ()
    kwdefaults = func.__kwdefaults__ or {}
    first_default = nargs - len(defaults)
    params = []
    for i, name in enumerate(names):
        if i < nargs:
            default = defaults[i - first_default] if i >= first_default \
                else _EMPTY
            params.append((name, i < code.co_posonlyargcount, default))
        else:
            params.append((name, False, kwdefaults.get(name, _EMPTY)))
    if bound and nargs:
        # self (or cls) is already bound.
        del params[0]
    plan = (tuple(params), bool(code.co_flags & _CO_VARKEYWORDS))
    if cache is not None:
        cache[key] = plan
    return plan


def _call(req, obj, plan):
    """Call obj with the form fields its parameters name (6.1.2); plan is
    _plan(obj)."""
    params, takes_kwargs = plan
    form = getattr(req, "form", None)
    if form is None:
        # An earlier handler may have read the body into req.form already;
        # it cannot be read twice.
        form = req.form = util.FieldStorage(req, keep_blank_values=1)
    args = []
    kwargs = {}
    missing = []
    for name, positional, default in params:
        if name == "req":
            value = req
        elif name in form:
            value = form[name]
        elif default is not _EMPTY:
            if positional:
                args.append(default)
            continue
        else:
            missing.append(name)
            continue
        if positional:
            args.append(value)
        else:
            kwargs[name] = value
    if missing:
        raise _Missing(missing)
    if takes_kwargs:
        named = {p[0] for p in params}
        for name in form.keys():
            if name not in named and name != "req":
                kwargs[name] = form[name]
        if "req" not in named:
            kwargs["req"] = req
    return obj(*args, **kwargs)


def _bad_request(req, missing):
    text = ("Bad Request: missing form field(s): %s\n" % ", ".join(missing))
    req.log_error("mod_python: MP0102: %s: %s"
                  % (ascii(req.uri), text.strip()), apache.APLOG_INFO)
    req.status = apache.HTTP_BAD_REQUEST
    req.content_type = "text/plain; charset=utf-8"
    req.write(text, 0)
    return apache.OK


# --------------------------------------------------------------- publishing
def _publish(req, result):
    """Write result: None writes nothing, bytes go as they are, anything
    else as str(result), encoded in the content type's charset (UTF-8
    when it names none).  When the callable set no content type, it is
    text/html if the result looks like HTML, else text/plain."""
    if result is None:
        return
    if isinstance(result, (bytes, bytearray, memoryview)):
        data = bytes(result)
        if not req._content_type_set:
            html = _looks_like_html(data[:256].decode("latin-1"),
                                    data[-100:].decode("latin-1"))
            req.content_type = "text/html" if html else "text/plain"
        # No flush: Apache then sends the response with a Content-Length.
        req.write(data, 0)
        return
    text = result if type(result) is str else str(result)
    if not req._content_type_set:
        req.content_type = ("text/html; charset=utf-8"
                            if _looks_like_html(text[:256], text[-100:])
                            else "text/plain; charset=utf-8")
        charset = "utf-8"
    else:
        match = _CHARSET.search(req.content_type or "")
        charset = match.group(1).lower() if match else "utf-8"
    if charset in ("utf-8", "utf8"):
        try:
            # req.write encodes a str as UTF-8 itself.
            req.write(text, 0)
            return
        except UnicodeEncodeError:
            pass
    try:
        # surrogateescape: a str from req.uri & co carries the bytes the
        # client sent as surrogates.
        data = text.encode(charset, "surrogateescape")
    except LookupError:
        data = text.encode("utf-8", "surrogateescape")
    req.write(data, 0)


def _looks_like_html(head, tail):
    """<html or <!DOCTYPE html at the start, or </html> near the end."""
    head = head.lstrip()[:14].lower()
    return (head.startswith("<html") or head.startswith("<!doctype html")
            or "</html" in tail.lower())
