/*
 * tableobject.c -- the `table` type (mp_table): a Python mapping over an
 * apr_table_t.  See include/tableobject.h for ownership and error rules,
 * and include/table_private.h for the rule about raw APR pointers that
 * shapes most functions below.  update() and the constructor's pair
 * collection live in tableupdate.c.
 */

#include "table_private.h"

#include <string.h>
#include <strings.h>

/* What a detached table points at.  It is only ever read: detaching makes
 * every later *tablep yield NULL, whatever the table was before. */
static apr_table_t *const detached_table = NULL;

/* Bytes a table we own may copy into its pool before we look at how much
 * of the pool is garbage.  APR never frees a string it replaced, so a
 * long-lived table that is set over and over grows without bound unless
 * it is now and then rebuilt in a fresh pool. */
#define MP_TABLE_MIN_SLACK 65536

typedef struct {
    PyObject_HEAD
    mp_table_object *table; /* NULL once exhausted or failed */
    int pos;                /* next entry */
    int nelts;              /* entries when iteration started */
} mp_table_iter;

static PyObject *
err_changed(void)
{
    PyErr_SetString(PyExc_RuntimeError,
                    "table changed size during iteration");
    return NULL;
}

/* Entry i of self's table, provided it still has n entries: loops that
 * create Python objects between entries call this for every entry, so a
 * table changed under them is reported instead of read out of bounds. */
static const apr_table_entry_t *
entry_at(mp_table_object *self, int i, int n)
{
    apr_table_t *t;
    const apr_array_header_t *a;

    if ((t = mp_table_of(self)) == NULL) {
        return NULL;
    }
    a = apr_table_elts(t);
    if (a->nelts != n) {
        err_changed();
        return NULL;
    }
    return (const apr_table_entry_t *)a->elts + i;
}

/* Latin-1 maps every byte to the code point of the same value, so any
 * byte a client or a module put in a header comes back unchanged.  APR
 * lets a module store a NULL value; it reads as None. */
static PyObject *
decode(const char *s)
{
    if (s == NULL) {
        Py_RETURN_NONE;
    }
    return PyUnicode_DecodeLatin1(s, (Py_ssize_t)strlen(s), NULL);
}

/* The TypeError for a str holding a character above U+00FF.  key is the
 * key o is the value of, or NULL when o is the key. */
static void
err_not_latin1(PyObject *o, PyObject *key)
{
    Py_ssize_t i, n = PyUnicode_GET_LENGTH(o);
    Py_UCS4 ch = 0;
    char cp[16];

    for (i = 0; i < n; i++) {
        ch = PyUnicode_READ_CHAR(o, i);
        if (ch > 0xff) {
            break;
        }
    }
    PyOS_snprintf(cp, sizeof(cp), "U+%04X", (unsigned int)ch);
    if (key == NULL) {
        PyErr_Format(PyExc_TypeError,
                     "table key %.100R is not latin-1 text: character %s "
                     "at position %zd cannot go to Apache, which holds "
                     "bytes (give bytes for another encoding)", o, cp, i);
    } else {
        PyErr_Format(PyExc_TypeError,
                     "the value for table key %.100R is not latin-1 text: "
                     "character %s at position %zd cannot go to Apache, "
                     "which holds bytes (give bytes for another encoding)",
                     key, cp, i);
    }
}

PyObject *
mp_table_latin1_holder(PyObject *o, PyObject *key, const char **cstr,
                       Py_ssize_t *len)
{
    PyObject *holder;
    const char *s;
    Py_ssize_t n;

    if (PyBytes_Check(o)) {
        /* As mod_python 3.5 takes them: the bytes go to Apache as they
         * are, and read back as the str they decode to as latin-1. */
        s = PyBytes_AS_STRING(o);
        n = PyBytes_GET_SIZE(o);
        Py_INCREF(o);
        holder = o;
    } else if (!PyUnicode_Check(o)) {
        if (key == NULL) {
            PyErr_Format(PyExc_TypeError,
                         "table keys must be str or bytes, not %.200s",
                         Py_TYPE(o)->tp_name);
        } else {
            PyErr_Format(PyExc_TypeError,
                         "the value for table key %.100R must be str or "
                         "bytes, not %.200s", key, Py_TYPE(o)->tp_name);
        }
        return NULL;
    } else {
        /* A str from the pre-3.3 API may not be in its compact form
         * before 3.12; asking its length (public API) puts it there. */
        if (PyUnicode_GetLength(o) < 0) {
            return NULL;
        }
        if (PyUnicode_IS_ASCII(o)) {
            /* Cached in the str object: no copy on the common path. */
            if ((s = PyUnicode_AsUTF8AndSize(o, &n)) == NULL) {
                return NULL;
            }
            Py_INCREF(o);
            holder = o;
        } else if (PyUnicode_KIND(o) == PyUnicode_1BYTE_KIND) {
            if ((holder = PyUnicode_AsLatin1String(o)) == NULL) {
                return NULL;
            }
            s = PyBytes_AS_STRING(holder);
            n = PyBytes_GET_SIZE(holder);
        } else {
            /* A str wider than one byte per character holds a character
             * above U+00FF by construction. */
            err_not_latin1(o, key);
            return NULL;
        }
    }
    /* APR strings end at the first NUL: storing one would silently cut
     * the key or value short. */
    if (memchr(s, '\0', (size_t)n) != NULL) {
        Py_DECREF(holder);
        if (key == NULL) {
            PyErr_Format(PyExc_ValueError,
                         "table key %.100R must not contain a NUL "
                         "character", o);
        } else {
            PyErr_Format(PyExc_ValueError,
                         "the value for table key %.100R must not contain "
                         "a NUL character", key);
        }
        return NULL;
    }
    *cstr = s;
    *len = n;
    return holder;
}

/* --- looking a key up ------------------------------------------------- */

/* The values apr_table_do() finds for one key, gathered as plain pointers
 * so that no Python code runs while APR walks the table. */
typedef struct {
    const char **vals;
    int n;
    int cap;
    int nomem;
    const char *first[4];
} mp_found;

static int
found_value(void *rec, const char *key, const char *val)
{
    mp_found *f = rec;
    const char **v;

    (void)key;
    if (f->n == f->cap) {
        size_t cap = (size_t)f->cap * 2;

        if (f->vals == f->first) {
            if ((v = PyMem_Malloc(cap * sizeof(*v))) != NULL) {
                memcpy(v, f->first, sizeof(f->first));
            }
        } else {
            v = PyMem_Realloc(f->vals, cap * sizeof(*v));
        }
        if (v == NULL) {
            f->nomem = 1;
            return 0;
        }
        f->vals = v;
        f->cap = (int)cap;
    }
    f->vals[f->n++] = val;
    return 1;
}

static int
found_any(void *rec, const char *key, const char *val)
{
    (void)key;
    (void)val;
    *(int *)rec = 1;
    return 0; /* one is enough: stop */
}

/* Whether t has key.  Not apr_table_get(): it cannot tell a missing key
 * from a key stored with a NULL value. */
static int
has_key(const apr_table_t *t, const char *key)
{
    int found = 0;

    apr_table_do(found_any, &found, t, key, (char *)NULL);
    return found;
}

/*
 * The values of key in t, as t[key] gives them: a str, or a list of str
 * when the key has several.  *count is the number of entries.  Returns
 * NULL with *count 0 and no exception when the key is absent, NULL with
 * *count -1 and an exception on error.
 */
static PyObject *
values_of(const apr_table_t *t, const char *key, int *count)
{
    mp_found f;
    PyObject **strs = NULL;
    PyObject *result = NULL;
    int i, ndecoded = 0;

    f.vals = f.first;
    f.n = 0;
    f.cap = (int)(sizeof(f.first) / sizeof(f.first[0]));
    f.nomem = 0;
    /* apr_table_do() uses APR's own index and case-insensitive compare,
     * so lookups here agree with apr_table_get() in every module. */
    apr_table_do(found_value, &f, t, key, (char *)NULL);
    *count = -1;
    if (f.nomem) {
        PyErr_NoMemory();
        goto done;
    }
    if (f.n <= 1) {
        *count = f.n;
        if (f.n == 1) {
            result = decode(f.vals[0]);
            if (result == NULL) {
                *count = -1;
            }
        }
        goto done;
    }
    /* Decode every value before creating the list: creating it may run
     * Python code, after which the pointers in f may be stale. */
    if ((strs = PyMem_Malloc((size_t)f.n * sizeof(*strs))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (ndecoded = 0; ndecoded < f.n; ndecoded++) {
        if ((strs[ndecoded] = decode(f.vals[ndecoded])) == NULL) {
            goto done;
        }
    }
    if ((result = PyList_New(f.n)) == NULL) {
        goto done;
    }
    for (i = 0; i < f.n; i++) {
        PyList_SET_ITEM(result, i, strs[i]);
    }
    ndecoded = 0; /* the list owns them now */
    *count = f.n;

done:
    if (strs != NULL) {
        for (i = 0; i < ndecoded; i++) {
            Py_DECREF(strs[i]);
        }
        PyMem_Free(strs);
    }
    if (f.vals != f.first) {
        PyMem_Free(f.vals);
    }
    return result;
}

/* --- tables we own ---------------------------------------------------- */

/*
 * A new table with its own pool, holding a copy of src (NULL: empty).
 * Allocating the object runs no Python code (the type is not GC-tracked),
 * so src, fetched by the caller, is still good when it is copied.
 */
static mp_table_object *
new_owning(PyTypeObject *type, const apr_table_t *src)
{
    mp_table_object *self;

    if ((self = (mp_table_object *)type->tp_alloc(type, 0)) == NULL) {
        return NULL;
    }
    self->tablep = &detached_table; /* until it has a table */
    /* A pool of our own, not the request's: a table made from Python may
     * outlive any request, and is freed when the object is. */
    if (apr_pool_create(&self->pool, NULL) != APR_SUCCESS) {
        self->pool = NULL;
        Py_DECREF(self);
        PyErr_NoMemory();
        return NULL;
    }
    apr_pool_tag(self->pool, "mod_python table");
    /* apr_table_clone(), not apr_table_copy(): the copy must not point
     * at strings in a pool that may die before it does. */
    self->own = src ? apr_table_clone(self->pool, src)
                    : apr_table_make(self->pool, 8);
    self->tablep = &self->own;
    self->churn_limit = MP_TABLE_MIN_SLACK;
    return self;
}

/* Rebuilding costs a pass over the live entries and happens only after at
 * least that much new data, so it is amortised O(1) per byte stored. */
void
mp_table_grew(mp_table_object *self, apr_size_t bytes)
{
    const apr_array_header_t *a;
    const apr_table_entry_t *e;
    apr_pool_t *pool;
    apr_table_t *copy;
    apr_size_t live = 0;
    int i;

    if (self->tablep != &self->own) {
        return;
    }
    self->churn += bytes;
    if (self->churn <= self->churn_limit) {
        return;
    }
    a = apr_table_elts(self->own);
    e = (const apr_table_entry_t *)a->elts;
    for (i = 0; i < a->nelts; i++) {
        live += mp_table_entry_bytes(&e[i]);
    }
    /* If no pool can be had, keep the old one: wasting memory beats
     * failing a store that has already succeeded. */
    if (live < self->churn / 2
        && apr_pool_create(&pool, NULL) == APR_SUCCESS) {
        apr_pool_tag(pool, "mod_python table");
        copy = apr_table_clone(pool, self->own);
        apr_pool_destroy(self->pool);
        self->pool = pool;
        self->own = copy;
        self->churn = live;
    }
    self->churn_limit = self->churn
                        + (live > MP_TABLE_MIN_SLACK ? live
                                                     : MP_TABLE_MIN_SLACK);
}

/* --- the type ---------------------------------------------------------- */

PyDoc_STRVAR(table_doc,
"mp_table(mapping_or_sequence=(), /)\n"
"--\n"
"\n"
"A dictionary over an Apache table.  Keys and values are str (latin-1,\n"
"as Apache stores bytes); keys compare without regard to case; a key may\n"
"have several values (see add()), and then t[key] is a list of them.\n"
"\n"
"The optional argument gives the initial contents: a mapping (another\n"
"table keeps its repeated keys) or a sequence of (key, value) pairs.");

static PyObject *
table_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    mp_table_object *self;
    PyObject *arg = NULL;
    apr_table_t *src = NULL;

    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError,
                        "table() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "table", 0, 1, &arg)) {
        return NULL;
    }
    if (arg != NULL && Py_IS_TYPE(arg, type)) {
        /* A table copies as a whole, duplicates and order included. */
        if ((src = mp_table_of((mp_table_object *)arg)) == NULL) {
            return NULL;
        }
        return (PyObject *)new_owning(type, src);
    }
    if ((self = new_owning(type, NULL)) == NULL) {
        return NULL;
    }
    if (arg != NULL && mp_table_update_from(self, arg, NULL) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void
table_dealloc(PyObject *op)
{
    mp_table_object *self = (mp_table_object *)op;
    PyTypeObject *tp = Py_TYPE(op);

    if (self->pool != NULL) {
        apr_pool_destroy(self->pool);
    }
    tp->tp_free(op);
    Py_DECREF(tp);
}

static Py_ssize_t
table_length(PyObject *op)
{
    apr_table_t *t = mp_table_of((mp_table_object *)op);

    return t ? apr_table_elts(t)->nelts : -1;
}

static PyObject *
table_subscript(PyObject *op, PyObject *key)
{
    PyObject *hk, *v;
    apr_table_t *t;
    const char *k;
    Py_ssize_t klen;
    int n;

    if ((hk = mp_table_latin1_holder(key, NULL, &k, &klen)) == NULL) {
        return NULL;
    }
    if ((t = mp_table_of((mp_table_object *)op)) == NULL) {
        Py_DECREF(hk);
        return NULL;
    }
    v = values_of(t, k, &n);
    if (v == NULL && n == 0) {
        PyErr_SetObject(PyExc_KeyError, key);
    }
    Py_DECREF(hk);
    return v;
}

static int
table_ass_subscript(PyObject *op, PyObject *key, PyObject *value)
{
    mp_table_object *self = (mp_table_object *)op;
    PyObject *hk, *hv = NULL;
    apr_table_t *t;
    const char *k, *v;
    Py_ssize_t klen, vlen;
    int rc = -1;

    if ((hk = mp_table_latin1_holder(key, NULL, &k, &klen)) == NULL) {
        return -1;
    }
    if (value != NULL
        && (hv = mp_table_latin1_holder(value, key, &v, &vlen)) == NULL) {
        goto done;
    }
    if ((t = mp_table_of(self)) == NULL) {
        goto done;
    }
    if (value == NULL) {
        if (!has_key(t, k)) {
            PyErr_SetObject(PyExc_KeyError, key);
            goto done;
        }
        apr_table_unset(t, k);
    } else {
        /* apr_table_set() copies both strings into the table's pool and
         * drops every other value of the key. */
        apr_table_set(t, k, v);
        mp_table_grew(self, sizeof(apr_table_entry_t) + (apr_size_t)klen
                            + (apr_size_t)vlen + 2);
    }
    rc = 0;

done:
    Py_DECREF(hk);
    Py_XDECREF(hv);
    return rc;
}

static int
table_contains(PyObject *op, PyObject *key)
{
    PyObject *hk;
    apr_table_t *t;
    const char *k;
    Py_ssize_t klen;
    int rc = -1;

    if ((hk = mp_table_latin1_holder(key, NULL, &k, &klen)) == NULL) {
        return -1;
    }
    if ((t = mp_table_of((mp_table_object *)op)) != NULL) {
        rc = has_key(t, k);
    }
    Py_DECREF(hk);
    return rc;
}

static PyObject *
table_iter(PyObject *op)
{
    mp_table_object *self = (mp_table_object *)op;
    mp_module_state *st;
    mp_table_iter *it;
    apr_table_t *t;

    if ((st = PyType_GetModuleState(Py_TYPE(op))) == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_SystemError, "_apache module has no state");
        }
        return NULL;
    }
    it = PyObject_GC_New(mp_table_iter, st->table_iter_type);
    if (it == NULL) {
        return NULL;
    }
    it->table = NULL;
    it->pos = 0;
    it->nelts = 0;
    PyObject_GC_Track(it);
    /* Fetched after the allocation above, which may run Python code. */
    if ((t = mp_table_of(self)) == NULL) {
        Py_DECREF(it);
        return NULL;
    }
    it->nelts = apr_table_elts(t)->nelts;
    Py_INCREF(self);
    it->table = self;
    return (PyObject *)it;
}

/* The detached-table repr does not raise: repr() is what error reports
 * and debuggers call, often after the request has ended. */
static PyObject *
table_repr(PyObject *op)
{
    mp_table_object *self = (mp_table_object *)op;
    PyObject *parts, *sep = NULL, *body = NULL, *result = NULL;
    apr_table_t *t;
    int i, n;

    if ((t = *self->tablep) == NULL) {
        return PyUnicode_FromString("<detached mp_table>");
    }
    n = apr_table_elts(t)->nelts;
    if (n == 0) {
        return PyUnicode_FromString("{}");
    }
    if ((parts = PyList_New(n)) == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        const apr_table_entry_t *e = entry_at(self, i, n);
        PyObject *k, *v, *part;

        if (e == NULL) {
            goto done;
        }
        if ((k = decode(e->key)) == NULL) {
            goto done;
        }
        if ((v = decode(e->val)) == NULL) {
            Py_DECREF(k);
            goto done;
        }
        part = PyUnicode_FromFormat("%R: %R", k, v);
        Py_DECREF(k);
        Py_DECREF(v);
        if (part == NULL) {
            goto done;
        }
        PyList_SET_ITEM(parts, i, part);
    }
    if ((sep = PyUnicode_FromString(", ")) == NULL) {
        goto done;
    }
    if ((body = PyUnicode_Join(sep, parts)) == NULL) {
        goto done;
    }
    result = PyUnicode_FromFormat("{%U}", body);

done:
    Py_DECREF(parts);
    Py_XDECREF(sep);
    Py_XDECREF(body);
    return result;
}

/*
 * Whether two APR tables hold the same values for the same keys: the
 * same number of entries and, for every key, the same values in the same
 * order.  Pure C, so nothing can change either table meanwhile.
 */
static int
tables_equal(const apr_table_t *ta, const apr_table_t *tb)
{
    const apr_array_header_t *aa = apr_table_elts(ta);
    const apr_array_header_t *ab = apr_table_elts(tb);
    const apr_table_entry_t *a = (const apr_table_entry_t *)aa->elts;
    const apr_table_entry_t *b = (const apr_table_entry_t *)ab->elts;
    int n = aa->nelts, i, j, ia, ib;

    if (ta == tb) {
        return 1;
    }
    if (n != ab->nelts) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        /* Compare each key's values once, from its first entry. */
        for (j = 0; j < i && strcasecmp(a[j].key, a[i].key) != 0; j++) {
        }
        if (j < i) {
            continue;
        }
        for (ia = i, ib = 0;; ia++, ib++) {
            while (ia < n && strcasecmp(a[ia].key, a[i].key) != 0) {
                ia++;
            }
            while (ib < n && strcasecmp(b[ib].key, a[i].key) != 0) {
                ib++;
            }
            if (ia == n || ib == n) {
                if (ia != ib) {
                    return 0; /* one has more values for this key */
                }
                break;
            }
            if (a[ia].val == NULL || b[ib].val == NULL
                ? a[ia].val != b[ib].val
                : strcmp(a[ia].val, b[ib].val) != 0) {
                return 0;
            }
        }
    }
    /* Equal entry counts and every key of a matched: b has no others. */
    return 1;
}

/*
 * Whether self equals a dict: each dict key names entries of the table
 * and d[k] == t[k] (a list for a repeated key), and together the dict's
 * keys name every entry exactly once -- so {'A': x, 'a': x} is not equal
 * to a table holding one A.
 */
static int
equals_dict(mp_table_object *self, PyObject *dict)
{
    PyObject *items;
    apr_table_t *t;
    Py_ssize_t i, matched = 0;
    int eq = 1;

    if ((items = PyDict_Items(dict)) == NULL) {
        return -1;
    }
    for (i = 0; eq == 1 && i < PyList_GET_SIZE(items); i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        PyObject *key = PyTuple_GET_ITEM(item, 0), *hk, *v;
        const char *k;
        Py_ssize_t klen;
        int n;

        if (!PyUnicode_Check(key)) {
            eq = 0;
            break;
        }
        if ((hk = mp_table_latin1_holder(key, NULL, &k, &klen)) == NULL) {
            /* A key a table cannot hold is a key this table lacks. */
            if (PyErr_ExceptionMatches(PyExc_ValueError)
                || PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Clear();
                eq = 0;
            } else {
                eq = -1;
            }
            break;
        }
        if ((t = mp_table_of(self)) == NULL) {
            Py_DECREF(hk);
            eq = -1;
            break;
        }
        v = values_of(t, k, &n);
        Py_DECREF(hk);
        if (v == NULL) {
            eq = n == 0 ? 0 : -1;
            break;
        }
        matched += n;
        eq = PyObject_RichCompareBool(v, PyTuple_GET_ITEM(item, 1), Py_EQ);
        Py_DECREF(v);
    }
    Py_DECREF(items);
    if (eq == 1) {
        if ((t = mp_table_of(self)) == NULL) {
            return -1;
        }
        eq = matched == apr_table_elts(t)->nelts;
    }
    return eq;
}

static PyObject *
table_richcompare(PyObject *op, PyObject *other, int opid)
{
    mp_table_object *self = (mp_table_object *)op;
    apr_table_t *ta, *tb;
    int eq;

    if (opid != Py_EQ && opid != Py_NE) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (Py_IS_TYPE(other, Py_TYPE(op))) {
        if ((ta = mp_table_of(self)) == NULL
            || (tb = mp_table_of((mp_table_object *)other)) == NULL) {
            return NULL;
        }
        eq = tables_equal(ta, tb);
    } else if (PyDict_Check(other)) {
        if ((eq = equals_dict(self, other)) < 0) {
            return NULL;
        }
    } else {
        Py_RETURN_NOTIMPLEMENTED;
    }
    return PyBool_FromLong(opid == Py_EQ ? eq : !eq);
}

/* --- methods ----------------------------------------------------------- */

enum { MP_KEYS, MP_VALUES, MP_ITEMS };

static PyObject *
entries_list(mp_table_object *self, int what)
{
    PyObject *list, *k, *v;
    apr_table_t *t;
    int i, n;

    if ((t = mp_table_of(self)) == NULL) {
        return NULL;
    }
    n = apr_table_elts(t)->nelts;
    if ((list = PyList_New(n)) == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        const apr_table_entry_t *e = entry_at(self, i, n);
        PyObject *item;

        if (e == NULL) {
            goto error;
        }
        if (what == MP_KEYS) {
            item = decode(e->key);
        } else if (what == MP_VALUES) {
            item = decode(e->val);
        } else {
            /* Both decoded before the tuple exists: creating it may run
             * Python code, after which e may be stale. */
            if ((k = decode(e->key)) == NULL) {
                goto error;
            }
            if ((v = decode(e->val)) == NULL) {
                Py_DECREF(k);
                goto error;
            }
            if ((item = PyTuple_New(2)) == NULL) {
                Py_DECREF(k);
                Py_DECREF(v);
                goto error;
            }
            PyTuple_SET_ITEM(item, 0, k);
            PyTuple_SET_ITEM(item, 1, v);
        }
        if (item == NULL) {
            goto error;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;

error:
    Py_DECREF(list);
    return NULL;
}

PyDoc_STRVAR(keys_doc,
"keys($self, /)\n"
"--\n"
"\n"
"A list of the keys in table order, one per entry: a key with several\n"
"values appears once for each.");

static PyObject *
table_keys(PyObject *op, PyObject *unused)
{
    (void)unused;
    return entries_list((mp_table_object *)op, MP_KEYS);
}

PyDoc_STRVAR(values_doc,
"values($self, /)\n"
"--\n"
"\n"
"A list of the values in table order, one per entry.");

static PyObject *
table_values(PyObject *op, PyObject *unused)
{
    (void)unused;
    return entries_list((mp_table_object *)op, MP_VALUES);
}

PyDoc_STRVAR(items_doc,
"items($self, /)\n"
"--\n"
"\n"
"A list of (key, value) pairs in table order, one per entry: a key with\n"
"several values gives one pair for each.");

static PyObject *
table_items(PyObject *op, PyObject *unused)
{
    (void)unused;
    return entries_list((mp_table_object *)op, MP_ITEMS);
}

/* The argument count check of a METH_FASTCALL method. */
static int
check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t min,
            Py_ssize_t max)
{
    if (nargs < min) {
        PyErr_Format(PyExc_TypeError,
                     "%s expected at least %zd argument%s, got %zd",
                     name, min, min == 1 ? "" : "s", nargs);
        return 0;
    }
    if (nargs > max) {
        PyErr_Format(PyExc_TypeError,
                     "%s expected at most %zd argument%s, got %zd",
                     name, max, max == 1 ? "" : "s", nargs);
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(get_doc,
"get($self, key, default=None, /)\n"
"--\n"
"\n"
"The value of key as t[key] gives it (a list if the key has several\n"
"values), or default if the table has no such key.");

static PyObject *
table_get(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *hk, *v;
    apr_table_t *t;
    const char *k;
    Py_ssize_t klen;
    int n;

    if (!check_nargs("get", nargs, 1, 2)) {
        return NULL;
    }
    if ((hk = mp_table_latin1_holder(args[0], NULL, &k, &klen)) == NULL) {
        return NULL;
    }
    if ((t = mp_table_of((mp_table_object *)op)) == NULL) {
        Py_DECREF(hk);
        return NULL;
    }
    v = values_of(t, k, &n);
    Py_DECREF(hk);
    if (v == NULL && n == 0) {
        v = nargs > 1 ? args[1] : Py_None;
        Py_INCREF(v);
    }
    return v;
}

PyDoc_STRVAR(setdefault_doc,
"setdefault($self, key, default='', /)\n"
"--\n"
"\n"
"t[key] if the table has key; otherwise store default (a str: a table\n"
"cannot hold None) under key and return it.");

static PyObject *
table_setdefault(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    mp_table_object *self = (mp_table_object *)op;
    PyObject *hk, *hv = NULL, *dflt = NULL, *v = NULL;
    apr_table_t *t;
    const char *k, *dv;
    Py_ssize_t klen, dlen;
    int n;

    if (!check_nargs("setdefault", nargs, 1, 2)) {
        return NULL;
    }
    if ((hk = mp_table_latin1_holder(args[0], NULL, &k, &klen)) == NULL) {
        return NULL;
    }
    if ((t = mp_table_of(self)) == NULL) {
        goto done;
    }
    if ((v = values_of(t, k, &n)) != NULL || n < 0) {
        goto done;
    }
    if (nargs > 1) {
        dflt = args[1];
        Py_INCREF(dflt);
    } else if ((dflt = PyUnicode_FromStringAndSize("", 0)) == NULL) {
        goto done;
    }
    if ((hv = mp_table_latin1_holder(dflt, args[0], &dv, &dlen)) == NULL) {
        goto done;
    }
    if ((t = mp_table_of(self)) == NULL) {
        goto done;
    }
    apr_table_set(t, k, dv);
    mp_table_grew(self, sizeof(apr_table_entry_t) + (apr_size_t)klen
                        + (apr_size_t)dlen + 2);
    v = dflt;
    dflt = NULL;

done:
    Py_DECREF(hk);
    Py_XDECREF(hv);
    Py_XDECREF(dflt);
    return v;
}

/* Remove every value of key k and return them as t[key] would: NULL with
 * *count 0 and no exception if absent, NULL with *count -1 on error. */
static PyObject *
pop_key(mp_table_object *self, const char *k, int *count)
{
    apr_table_t *t;
    PyObject *v;

    *count = -1;
    if ((t = mp_table_of(self)) == NULL) {
        return NULL;
    }
    if ((v = values_of(t, k, count)) == NULL) {
        return NULL;
    }
    /* Again: building the value may have run Python code. */
    if ((t = mp_table_of(self)) == NULL) {
        Py_DECREF(v);
        *count = -1;
        return NULL;
    }
    apr_table_unset(t, k);
    return v;
}

PyDoc_STRVAR(pop_doc,
"pop($self, key, default=<unrepresentable>, /)\n"
"--\n"
"\n"
"Remove key, every value of it, and return what t[key] gave (a list if\n"
"it had several values).  If the table has no such key, return default,\n"
"or raise KeyError if none was given.");

static PyObject *
table_pop(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *hk, *v;
    const char *k;
    Py_ssize_t klen;
    int n;

    if (!check_nargs("pop", nargs, 1, 2)) {
        return NULL;
    }
    if ((hk = mp_table_latin1_holder(args[0], NULL, &k, &klen)) == NULL) {
        return NULL;
    }
    v = pop_key((mp_table_object *)op, k, &n);
    Py_DECREF(hk);
    if (v == NULL && n == 0) {
        if (nargs > 1) {
            v = args[1];
            Py_INCREF(v);
        } else {
            PyErr_SetObject(PyExc_KeyError, args[0]);
        }
    }
    return v;
}

PyDoc_STRVAR(popitem_doc,
"popitem($self, /)\n"
"--\n"
"\n"
"Remove the key of the last entry, with all its values, and return\n"
"(key, value) with value as t[key] gave it.  KeyError if the table is\n"
"empty.");

static PyObject *
table_popitem(PyObject *op, PyObject *unused)
{
    mp_table_object *self = (mp_table_object *)op;
    PyObject *result, *key = NULL, *hk = NULL, *v;
    const apr_array_header_t *a;
    apr_table_t *t;
    const char *k;
    Py_ssize_t klen;
    int n;

    (void)unused;
    /* Made first, so nothing can fail once the key is gone. */
    if ((result = PyTuple_New(2)) == NULL) {
        return NULL;
    }
    if ((t = mp_table_of(self)) == NULL) {
        goto error;
    }
    a = apr_table_elts(t);
    if (a->nelts == 0) {
        PyErr_SetString(PyExc_KeyError, "popitem(): table is empty");
        goto error;
    }
    key = decode(((const apr_table_entry_t *)a->elts)[a->nelts - 1].key);
    if (key == NULL) {
        goto error;
    }
    if ((hk = mp_table_latin1_holder(key, NULL, &k, &klen)) == NULL) {
        goto error;
    }
    if ((v = pop_key(self, k, &n)) == NULL) {
        if (n == 0) {
            err_changed();
        }
        goto error;
    }
    Py_DECREF(hk);
    PyTuple_SET_ITEM(result, 0, key);
    PyTuple_SET_ITEM(result, 1, v);
    return result;

error:
    Py_XDECREF(hk);
    Py_XDECREF(key);
    Py_DECREF(result);
    return NULL;
}

PyDoc_STRVAR(clear_doc,
"clear($self, /)\n"
"--\n"
"\n"
"Remove every entry.");

static PyObject *
table_clear(PyObject *op, PyObject *unused)
{
    apr_table_t *t;

    (void)unused;
    if ((t = mp_table_of((mp_table_object *)op)) == NULL) {
        return NULL;
    }
    apr_table_clear(t);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(copy_doc,
"copy($self, /)\n"
"--\n"
"\n"
"A new table of its own with the same entries, repeated keys included.\n"
"Changing it does not change this one (nor Apache's).");

static PyObject *
table_copy(PyObject *op, PyObject *unused)
{
    apr_table_t *t;

    (void)unused;
    if ((t = mp_table_of((mp_table_object *)op)) == NULL) {
        return NULL;
    }
    return (PyObject *)new_owning(Py_TYPE(op), t);
}

PyDoc_STRVAR(update_doc,
"update($self, other=(), /, **kwargs)\n"
"--\n"
"\n"
"Store the entries of other (a mapping, or a sequence of (key, value)\n"
"pairs), then the keyword arguments.  Each key given replaces every value\n"
"the table had for it; a key given several times (a table with repeated\n"
"keys, or pairs) keeps all the values given.  If a pair is not str,\n"
"nothing is stored.");

static PyObject *
table_update(PyObject *op, PyObject *args, PyObject *kwds)
{
    PyObject *arg = NULL;

    if (!PyArg_UnpackTuple(args, "update", 0, 1, &arg)) {
        return NULL;
    }
    if (mp_table_update_from((mp_table_object *)op, arg, kwds) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(add_doc,
"add($self, key, value, /)\n"
"--\n"
"\n"
"Add value under key, keeping the values key already has, as\n"
"apr_table_add() does.  For headers that may repeat, such as\n"
"Set-Cookie.");

static PyObject *
table_add(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    mp_table_object *self = (mp_table_object *)op;
    PyObject *hk, *hv, *result = NULL;
    apr_table_t *t;
    const char *k, *v;
    Py_ssize_t klen, vlen;

    if (!check_nargs("add", nargs, 2, 2)) {
        return NULL;
    }
    if ((hk = mp_table_latin1_holder(args[0], NULL, &k, &klen)) == NULL) {
        return NULL;
    }
    if ((hv = mp_table_latin1_holder(args[1], args[0], &v, &vlen)) == NULL) {
        Py_DECREF(hk);
        return NULL;
    }
    if ((t = mp_table_of(self)) != NULL) {
        apr_table_add(t, k, v);
        mp_table_grew(self, sizeof(apr_table_entry_t) + (apr_size_t)klen
                            + (apr_size_t)vlen + 2);
        result = Py_None;
        Py_INCREF(result);
    }
    Py_DECREF(hk);
    Py_DECREF(hv);
    return result;
}

/* Methods whose C signature is not PyCFunction's, cast through void (*)(void)
 * so that -Wcast-function-type stays quiet. */
#define MP_METH(f) ((PyCFunction)(void (*)(void))(f))

static PyMethodDef table_methods[] = {
    {"keys", table_keys, METH_NOARGS, keys_doc},
    {"values", table_values, METH_NOARGS, values_doc},
    {"items", table_items, METH_NOARGS, items_doc},
    {"get", MP_METH(table_get), METH_FASTCALL, get_doc},
    {"setdefault", MP_METH(table_setdefault), METH_FASTCALL,
     setdefault_doc},
    {"pop", MP_METH(table_pop), METH_FASTCALL, pop_doc},
    {"popitem", table_popitem, METH_NOARGS, popitem_doc},
    {"clear", table_clear, METH_NOARGS, clear_doc},
    {"copy", table_copy, METH_NOARGS, copy_doc},
    {"update", MP_METH(table_update), METH_VARARGS | METH_KEYWORDS,
     update_doc},
    {"add", MP_METH(table_add), METH_FASTCALL, add_doc},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot table_slots[] = {
    {Py_tp_doc, (void *)table_doc},
    {Py_tp_new, table_new},
    {Py_tp_dealloc, table_dealloc},
    {Py_tp_repr, table_repr},
    {Py_tp_richcompare, table_richcompare},
    /* Mutable and compared by contents, like dict. */
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, table_iter},
    {Py_tp_methods, table_methods},
    {Py_mp_length, table_length},
    {Py_mp_subscript, table_subscript},
    {Py_mp_ass_subscript, table_ass_subscript},
    {Py_sq_contains, table_contains},
    {0, NULL}
};

/* Not GC-aware: a table refers to no Python object, so it cannot be part
 * of a reference cycle.  Not a base type: subclasses would add a __dict__
 * and with it everything that GC-awareness would then require. */
static PyType_Spec table_spec = {
    .name = "_apache.mp_table",
    .basicsize = sizeof(mp_table_object),
    .flags = Py_TPFLAGS_DEFAULT
#if PY_VERSION_HEX >= 0x030A0000
             | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_MAPPING
#endif
             ,
    .slots = table_slots,
};

/* --- the iterator ------------------------------------------------------ */

static int
table_iter_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(((mp_table_iter *)op)->table);
    return 0;
}

static void
table_iter_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);

    PyObject_GC_UnTrack(op);
    Py_XDECREF(((mp_table_iter *)op)->table);
    tp->tp_free(op);
    Py_DECREF(tp);
}

/* Like a dict's iterator: a change in size is an error, and after an
 * error or the last key the iterator stays exhausted. */
static PyObject *
table_iter_next(PyObject *op)
{
    mp_table_iter *it = (mp_table_iter *)op;
    const apr_array_header_t *a;
    apr_table_t *t;

    if (it->table == NULL) {
        return NULL;
    }
    if ((t = mp_table_of(it->table)) == NULL) {
        Py_CLEAR(it->table);
        return NULL;
    }
    a = apr_table_elts(t);
    if (a->nelts != it->nelts) {
        Py_CLEAR(it->table);
        return err_changed();
    }
    if (it->pos >= it->nelts) {
        Py_CLEAR(it->table);
        return NULL;
    }
    return decode(((const apr_table_entry_t *)a->elts)[it->pos++].key);
}

static PyType_Slot table_iter_slots[] = {
    {Py_tp_dealloc, table_iter_dealloc},
    {Py_tp_traverse, table_iter_traverse},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, table_iter_next},
    {0, NULL}
};

/* GC-aware: it holds a reference to its table. */
static PyType_Spec table_iter_spec = {
    .name = "_apache.mp_table_iterator",
    .basicsize = sizeof(mp_table_iter),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC
#if PY_VERSION_HEX >= 0x030A0000
             | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION
#endif
             ,
    .slots = table_iter_slots,
};

/* --- the C interface --------------------------------------------------- */

static int
add_type(PyObject *mod, const char *name, PyTypeObject *type)
{
#if PY_VERSION_HEX >= 0x030A0000
    return PyModule_AddObjectRef(mod, name, (PyObject *)type);
#else
    Py_INCREF(type);
    if (PyModule_AddObject(mod, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
#endif
}

int
mp_table_init_types(PyObject *mod, mp_module_state *st)
{
    /* The state owns the types (released by the module's m_clear), so a
     * failure half-way leaves nothing for us to release here. */
    st->table_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        mod, &table_spec, NULL);
    if (st->table_type == NULL) {
        return -1;
    }
    st->table_iter_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        mod, &table_iter_spec, NULL);
    if (st->table_iter_type == NULL) {
        return -1;
    }
    /* make_table is the manual's obsolete alias of table. */
    if (add_type(mod, "table", st->table_type) < 0
        || add_type(mod, "make_table", st->table_type) < 0) {
        return -1;
    }
    return 0;
}

PyObject *
mp_table_new(mp_module_state *st)
{
    return (PyObject *)new_owning(st->table_type, NULL);
}

PyObject *
mp_table_copy_of(mp_module_state *st, const apr_table_t *t)
{
    return (PyObject *)new_owning(st->table_type, t);
}

PyObject *
mp_table_wrap(mp_module_state *st, apr_table_t **tablep)
{
    mp_table_object *self;

    self = (mp_table_object *)st->table_type->tp_alloc(st->table_type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->tablep = tablep;
    return (PyObject *)self;
}

apr_table_t *
mp_table_get(mp_module_state *st, PyObject *o)
{
    if (!Py_IS_TYPE(o, st->table_type)) {
        PyErr_Format(PyExc_TypeError, "expected a table, not %.200s",
                     Py_TYPE(o)->tp_name);
        return NULL;
    }
    return mp_table_of((mp_table_object *)o);
}

void
mp_table_detach(PyObject *table)
{
    ((mp_table_object *)table)->tablep = &detached_table;
}
