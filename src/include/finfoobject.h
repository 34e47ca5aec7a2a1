/*
 * finfoobject.h -- the file information object (mp_finfo): what apr_stat()
 * says about a file, as mod_python 3.3-3.5's req.finfo and apache.stat()
 * return it.
 *
 * An mp_finfo owns a copy of the apr_finfo_t it was made from and holds
 * its two names as Python strings, so it depends on no Apache pool and may
 * be kept for as long as Python likes.  It reads as named attributes
 * (fname, filetype, valid, protection, user, group, inode, device, nlink,
 * size, csize, atime, mtime, ctime, name) and, for code written for the
 * older tuple, as a 12-item sequence indexed with apache.FINFO_*; index
 * FINFO_FILETYPE (12) reads too, but iteration and len() stop at 12 so the
 * object unpacks into the old 12 names.
 *
 * Functions returning PyObject * return a new reference, or NULL with an
 * exception set; int functions return 0, or -1 with an exception set.
 */
#ifndef MP_FINFOOBJECT_H
#define MP_FINFOOBJECT_H

#include "mp_common.h"
#include "apr_file_info.h"

typedef struct {
    PyObject_HEAD
    apr_finfo_t f;      /* a copy; f.fname, f.name and f.pool are NULL */
    PyObject *fname;    /* str or None */
    PyObject *name;     /* str or None */
} mp_finfo;

int mp_finfo_init_type(PyObject *module, mp_module_state *st);

/* A new finfo object from f (copied; its names converted now). */
PyObject *mp_finfo_new(mp_module_state *st, const apr_finfo_t *f);

/* stat(fname, wanted) for the _apache module's function table. */
extern PyMethodDef mp_finfo_functions[];

#endif /* MP_FINFOOBJECT_H */
