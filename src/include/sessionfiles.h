/*
 * sessionfiles.h -- the file operation FileSession needs and Python lacks:
 * _apache._exchange_files(a, b), Linux renameat2(RENAME_EXCHANGE).
 */
#ifndef MP_SESSIONFILES_H
#define MP_SESSIONFILES_H

#include "mod_python.h"

extern PyMethodDef mp_sessionfiles_functions[];

#endif /* MP_SESSIONFILES_H */
