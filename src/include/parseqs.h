/*
 * parseqs.h -- parse_qs and parse_qsl in C for the _apache module (manual
 * 4.6.4): the same results as urllib.parse.parse_qs/parse_qsl (UTF-8,
 * errors="replace"), without a Python-level loop per field.
 */
#ifndef MP_PARSEQS_H
#define MP_PARSEQS_H

#include "mp_common.h"

extern PyMethodDef mp_parseqs_functions[];

#endif /* MP_PARSEQS_H */
