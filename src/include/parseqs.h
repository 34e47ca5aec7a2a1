/*
 * parseqs.h -- parse_qs and parse_qsl in C (manual 4.6.4): the same results
 * as urllib.parse.parse_qs/parse_qsl (UTF-8, errors="replace", and
 * max_num_fields), without a Python-level loop per field.
 *
 * Built twice from the same source, as _psp is: into mod_python.so, where
 * _apache adds these functions to itself; and by dist/setup.py, with
 * _parseqsmodule.c, as the ordinary extension mod_python._parseqs, so the
 * parser can be used and tested outside Apache.  It uses neither Apache
 * nor APR.  The functions return new references, or NULL with a Python
 * exception set.
 */
#ifndef MP_PARSEQS_H
#define MP_PARSEQS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

extern PyMethodDef mp_parseqs_functions[];

#endif /* MP_PARSEQS_H */
