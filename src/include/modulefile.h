/*
 * modulefile.h -- the file this module was loaded from.
 *
 * Kept apart from introspect.h (the diagnostics page's functions, which
 * need the interpreters) so that the interpreter code and the start-up
 * log can name the .so without depending on them.
 */
#ifndef MP_MODULEFILE_H
#define MP_MODULEFILE_H

#include "mp_common.h"

/* The path of the mod_python.so this code runs from, or NULL when the
 * system cannot say.  Static storage; any thread, no GIL needed. */
const char *mp_module_file(void);

#endif /* MP_MODULEFILE_H */
