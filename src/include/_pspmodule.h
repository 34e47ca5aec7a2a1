/*
 * _pspmodule.h -- the `_psp` module: the PSP parser for Python (manual 4.9,
 * parse() and parsestring()).
 *
 * Built twice from the same source: into mod_python.so, where it is
 * registered with PyImport_AppendInittab before Python starts so that every
 * interpreter can import the built-in `_psp`; and by dist/setup.py as the
 * ordinary extension `mod_python._psp`, so that mod_python.psp works
 * outside Apache.  It uses neither Apache nor APR.
 *
 * The module has no state at all (multi-phase initialisation, m_size 0):
 * each interpreter gets its own module object, and a parse runs without
 * the GIL on memory it owns.
 */
#ifndef MP_PSPMODULE_H
#define MP_PSPMODULE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* For PyImport_AppendInittab("_psp", ...) in interpreter.c. */
PyMODINIT_FUNC mp_init_psp_module(void);

#endif /* MP_PSPMODULE_H */
