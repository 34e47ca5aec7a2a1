/*
 * finfoobject.c -- the file information object (see finfoobject.h).
 */
#include "finfoobject.h"
#include "convert.h"

/* One id per readable field; the getset closures and the sequence
 * positions both name fields by these. */
enum {
    F_MODE, F_INODE, F_DEVICE, F_NLINK, F_USER, F_GROUP, F_SIZE, F_ATIME,
    F_MTIME, F_CTIME, F_FNAME, F_NAME, F_FILETYPE,
    F_VALID, F_PROTECTION, F_CSIZE
};

/* The old tuple's order (apache.FINFO_MODE .. FINFO_NAME), then
 * FINFO_FILETYPE, which 3.3 added after it. */
#define SEQ_LEN 12
#define SEQ_INDEXABLE 13

/* APR keeps each class's read/write/execute bits in a hex digit of its
 * own (APR_UREAD is 0x400) and the set-id and sticky bits above them;
 * st_mode packs them in octal, with the file type on top. */
static long
posix_mode(const apr_finfo_t *f)
{
    apr_fileperms_t p = f->protection;
    long mode = (((p >> 8) & 7) << 6) | (((p >> 4) & 7) << 3) | (p & 7);

    if (p & APR_USETID) {
        mode |= 04000;
    }
    if (p & APR_GSETID) {
        mode |= 02000;
    }
    if (p & APR_WSTICKY) {
        mode |= 01000;
    }
    switch (f->filetype) {
    case APR_REG: mode |= 0100000; break;
    case APR_DIR: mode |= 0040000; break;
    case APR_CHR: mode |= 0020000; break;
    case APR_BLK: mode |= 0060000; break;
    case APR_PIPE: mode |= 0010000; break;
    case APR_LNK: mode |= 0120000; break;
    case APR_SOCK: mode |= 0140000; break;
    default: break;
    }
    return mode;
}

static PyObject *
seconds(apr_time_t t)
{
    return PyFloat_FromDouble((double)t / APR_USEC_PER_SEC);
}

/* A field's value; None when apr_stat() did not fill it in (it was not
 * asked for, the platform lacks it, or there is no file). */
static PyObject *
field(mp_finfo *self, int id)
{
    const apr_finfo_t *f = &self->f;
    apr_int32_t v = f->valid;

    switch (id) {
    case F_FNAME:
        return Py_NewRef(self->fname);
    case F_FILETYPE:
        return PyLong_FromLong(f->filetype);
    default:
        break;
    }
    if (f->filetype == APR_NOFILE) {
        Py_RETURN_NONE;
    }
    switch (id) {
    case F_VALID:
        return PyLong_FromLong(v);
    case F_MODE:
        if (v & (APR_FINFO_TYPE | APR_FINFO_PROT)) {
            return PyLong_FromLong(posix_mode(f));
        }
        break;
    case F_PROTECTION:
        if (v & APR_FINFO_PROT) {
            return PyLong_FromLong(f->protection);
        }
        break;
    case F_INODE:
        if (v & APR_FINFO_INODE) {
            return PyLong_FromUnsignedLongLong(
                (unsigned long long)f->inode);
        }
        break;
    case F_DEVICE:
        if (v & APR_FINFO_DEV) {
            return PyLong_FromUnsignedLongLong(
                (unsigned long long)f->device);
        }
        break;
    case F_NLINK:
        if (v & APR_FINFO_NLINK) {
            return PyLong_FromLong((long)f->nlink);
        }
        break;
    case F_USER:
        if (v & APR_FINFO_USER) {
            return PyLong_FromLong((long)f->user);
        }
        break;
    case F_GROUP:
        if (v & APR_FINFO_GROUP) {
            return PyLong_FromLong((long)f->group);
        }
        break;
    case F_SIZE:
        if (v & APR_FINFO_SIZE) {
            return PyLong_FromLongLong((long long)f->size);
        }
        break;
    case F_CSIZE:
        if (v & APR_FINFO_CSIZE) {
            return PyLong_FromLongLong((long long)f->csize);
        }
        break;
    case F_ATIME:
        if (v & APR_FINFO_ATIME) {
            return seconds(f->atime);
        }
        break;
    case F_MTIME:
        if (v & APR_FINFO_MTIME) {
            return seconds(f->mtime);
        }
        break;
    case F_CTIME:
        if (v & APR_FINFO_CTIME) {
            return seconds(f->ctime);
        }
        break;
    case F_NAME:
        return Py_NewRef(self->name);
    default:
        PyErr_SetString(PyExc_SystemError, "unknown finfo field");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
finfo_get(PyObject *op, void *closure)
{
    return field((mp_finfo *)op, (int)(intptr_t)closure);
}

#define FIELD(name, id, doc) \
    {name, finfo_get, NULL, PyDoc_STR(doc), (void *)(intptr_t)(id)}

static PyGetSetDef finfo_getset[] = {
    FIELD("fname", F_FNAME, "the path that was examined"),
    FIELD("filetype", F_FILETYPE,
          "apache.APR_REG, APR_DIR, ...; APR_NOFILE when there is no file"),
    FIELD("valid", F_VALID,
          "the APR_FINFO_* bits of the fields that were filled in"),
    FIELD("protection", F_PROTECTION,
          "permission bits in APR's layout (APR_UREAD is 0x400)"),
    FIELD("user", F_USER, "owner's user id"),
    FIELD("group", F_GROUP, "owner's group id"),
    FIELD("inode", F_INODE, "inode number"),
    FIELD("device", F_DEVICE, "device number"),
    FIELD("nlink", F_NLINK, "number of hard links"),
    FIELD("size", F_SIZE, "size in bytes"),
    FIELD("csize", F_CSIZE, "storage the file takes, in bytes"),
    FIELD("atime", F_ATIME, "last access, seconds since the epoch"),
    FIELD("mtime", F_MTIME, "last modification, seconds since the epoch"),
    FIELD("ctime", F_CTIME, "inode change, seconds since the epoch"),
    FIELD("name", F_NAME, "the file's own name, when APR_FINFO_NAME was "
                          "asked for"),
    {NULL, NULL, NULL, NULL, NULL}
};

static const int seq_fields[SEQ_INDEXABLE] = {
    F_MODE, F_INODE, F_DEVICE, F_NLINK, F_USER, F_GROUP, F_SIZE, F_ATIME,
    F_MTIME, F_CTIME, F_FNAME, F_NAME, F_FILETYPE
};

static PyObject *
as_tuple(mp_finfo *self)
{
    PyObject *t = PyTuple_New(SEQ_LEN);
    Py_ssize_t i;

    for (i = 0; t != NULL && i < SEQ_LEN; i++) {
        PyObject *v = field(self, seq_fields[i]);
        if (v == NULL) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, i, v);
    }
    return t;
}

static Py_ssize_t
finfo_length(PyObject *op)
{
    (void)op;
    return SEQ_LEN;
}

static PyObject *
finfo_subscript(PyObject *op, PyObject *key)
{
    mp_finfo *self = (mp_finfo *)op;
    Py_ssize_t i;

    if (PySlice_Check(key)) {
        PyObject *t = as_tuple(self), *out;
        if (t == NULL) {
            return NULL;
        }
        out = PyObject_GetItem(t, key);
        Py_DECREF(t);
        return out;
    }
    i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Format(PyExc_TypeError,
                         "finfo indices must be integers (apache.FINFO_*) "
                         "or slices, not %.100s", Py_TYPE(key)->tp_name);
        }
        return NULL;
    }
    if (i < 0) {
        i += SEQ_LEN;
    }
    if (i < 0 || i >= SEQ_INDEXABLE) {
        PyErr_SetString(PyExc_IndexError, "finfo index out of range");
        return NULL;
    }
    return field(self, seq_fields[i]);
}

static PyObject *
finfo_iter(PyObject *op)
{
    PyObject *t = as_tuple((mp_finfo *)op), *it;

    if (t == NULL) {
        return NULL;
    }
    it = PyObject_GetIter(t);
    Py_DECREF(t);
    return it;
}

/* Equal to another finfo or to a tuple with the same 12 items, so that
 * code comparing req.finfo with a saved tuple keeps working. */
static PyObject *
finfo_richcompare(PyObject *op, PyObject *other, int cmp)
{
    PyObject *mine, *theirs, *out;

    if ((cmp != Py_EQ && cmp != Py_NE)
        || !(PyTuple_Check(other) || Py_TYPE(other) == Py_TYPE(op))) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    mine = as_tuple((mp_finfo *)op);
    if (mine == NULL) {
        return NULL;
    }
    theirs = PyTuple_Check(other) ? Py_NewRef(other)
                                  : as_tuple((mp_finfo *)other);
    if (theirs == NULL) {
        Py_DECREF(mine);
        return NULL;
    }
    out = PyObject_RichCompare(mine, theirs, cmp);
    Py_DECREF(mine);
    Py_DECREF(theirs);
    return out;
}

static PyObject *
finfo_repr(PyObject *op)
{
    mp_finfo *self = (mp_finfo *)op;
    PyObject *size = field(self, F_SIZE), *mtime, *out = NULL;

    if (size == NULL) {
        return NULL;
    }
    mtime = field(self, F_MTIME);
    if (mtime != NULL) {
        out = PyUnicode_FromFormat("<mp_finfo fname=%R filetype=%d "
                                   "size=%R mtime=%R>", self->fname,
                                   (int)self->f.filetype, size, mtime);
    }
    Py_DECREF(size);
    Py_XDECREF(mtime);
    return out;
}

static int
finfo_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    return 0;
}

static void
finfo_dealloc(PyObject *op)
{
    mp_finfo *self = (mp_finfo *)op;
    PyTypeObject *tp = Py_TYPE(op);

    PyObject_GC_UnTrack(op);
    Py_CLEAR(self->fname);
    Py_CLEAR(self->name);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyType_Slot finfo_slots[] = {
    {Py_tp_doc, "File information from apr_stat(): named attributes, and\n"
                "the 12-item sequence older code indexes with "
                "apache.FINFO_*."},
    {Py_tp_getset, finfo_getset},
    {Py_mp_length, finfo_length},
    {Py_sq_length, finfo_length},
    {Py_mp_subscript, finfo_subscript},
    {Py_tp_iter, finfo_iter},
    {Py_tp_richcompare, finfo_richcompare},
    {Py_tp_repr, finfo_repr},
    {Py_tp_traverse, finfo_traverse},
    {Py_tp_dealloc, finfo_dealloc},
    {Py_tp_new, mp_type_no_new},
    {0, NULL}
};

static PyType_Spec finfo_spec = {
    .name = "_apache.mp_finfo",
    .basicsize = sizeof(mp_finfo),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = finfo_slots,
};

int
mp_finfo_init_type(PyObject *module, mp_module_state *st)
{
    st->finfo_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &finfo_spec, NULL);
    return st->finfo_type ? 0 : -1;
}

PyObject *
mp_finfo_new(mp_module_state *st, const apr_finfo_t *f)
{
    mp_finfo *self;
    PyObject *fname, *name;

    fname = mp_str_from_path(f->fname);
    if (fname == NULL) {
        return NULL;
    }
    if (f->filetype != APR_NOFILE && (f->valid & APR_FINFO_NAME)) {
        name = mp_str_from_path(f->name);
    }
    else {
        name = Py_NewRef(Py_None);
    }
    if (name == NULL) {
        Py_DECREF(fname);
        return NULL;
    }
    self = PyObject_GC_New(mp_finfo, st->finfo_type);
    if (self == NULL) {
        Py_DECREF(fname);
        Py_DECREF(name);
        return NULL;
    }
    self->f = *f;
    /* The copy must not point into the pool f came from. */
    self->f.fname = NULL;
    self->f.name = NULL;
    self->f.pool = NULL;
    self->fname = fname;
    self->name = name;
    PyObject_GC_Track((PyObject *)self);
    return (PyObject *)self;
}

PyDoc_STRVAR(stat_doc,
"stat(fname, wanted, /)\n--\n\n"
"apr_stat(): information about the file fname (str, bytes or path-like)\n"
"as an mp_finfo object.  wanted is an OR of apache.APR_FINFO_* bits\n"
"naming the fields to fill in.  A file that does not exist gives an\n"
"object whose filetype is apache.APR_NOFILE; other failures raise\n"
"OSError.");

static PyObject *
apache_stat(PyObject *module, PyObject *args)
{
    mp_module_state *st = PyModule_GetState(module);
    PyObject *path = NULL, *out = NULL;
    apr_int32_t wanted;
    int wanted_i;
    apr_pool_t *pool = NULL;
    apr_finfo_t finfo;
    apr_status_t rv;
    const char *fname;

    if (!PyArg_ParseTuple(args, "O&i:stat", PyUnicode_FSConverter, &path,
                          &wanted_i)) {
        return NULL;
    }
    wanted = (apr_int32_t)wanted_i;
    fname = PyBytes_AS_STRING(path);
    if ((Py_ssize_t)strlen(fname) != PyBytes_GET_SIZE(path)) {
        Py_DECREF(path);
        PyErr_SetString(PyExc_ValueError, "stat(): embedded null character "
                        "in fname");
        return NULL;
    }
    /* A pool of its own, with its own allocator: no parent pool is shared
     * with other threads, and nothing outlives this call. */
    if (apr_pool_create_unmanaged_ex(&pool, NULL, NULL) != APR_SUCCESS) {
        Py_DECREF(path);
        return PyErr_NoMemory();
    }
    memset(&finfo, 0, sizeof(finfo));
    Py_BEGIN_ALLOW_THREADS
    rv = apr_stat(&finfo, fname, wanted, pool);
    Py_END_ALLOW_THREADS
    if (rv == APR_SUCCESS || rv == APR_INCOMPLETE) {
        if (finfo.fname == NULL) {
            finfo.fname = fname;
        }
        out = mp_finfo_new(st, &finfo);
    }
    else if (APR_STATUS_IS_ENOENT(rv) || APR_STATUS_IS_ENOTDIR(rv)) {
        memset(&finfo, 0, sizeof(finfo));
        finfo.filetype = APR_NOFILE;
        finfo.fname = fname;
        out = mp_finfo_new(st, &finfo);
    }
    else {
        char err[256];
        apr_strerror(rv, err, sizeof(err));
        if (rv < APR_OS_START_ERROR) {
            PyObject *exc_args = Py_BuildValue("(isO)", (int)rv, err, path);
            if (exc_args != NULL) {
                PyErr_SetObject(PyExc_OSError, exc_args);
                Py_DECREF(exc_args);
            }
        }
        else {
            PyErr_Format(PyExc_OSError, "stat(%s) failed: %s", fname, err);
        }
    }
    apr_pool_destroy(pool);
    Py_DECREF(path);
    return out;
}

PyMethodDef mp_finfo_functions[] = {
    {"stat", apache_stat, METH_VARARGS, stat_doc},
    {NULL, NULL, 0, NULL}
};
