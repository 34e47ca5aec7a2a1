/*
 * introspect.h -- what the running module can say about itself: the file
 * it was loaded from (modulefile.h), the interpreters of this process and
 * what each has loaded.  The diagnostics page (mod_python.testhandler) and the start-up
 * log use it.
 *
 * The _apache functions here return new references, or NULL with an
 * exception set.  Looking into another interpreter is done in that
 * interpreter, with only C strings crossing over (interpreter.h,
 * mp_interp_visit): no Python object is ever shared between two.
 */
#ifndef MP_INTROSPECT_H
#define MP_INTROSPECT_H

#include "mp_common.h"

/* _apache.module_file, interpreter_names, interpreter_report,
 * module_loglevel. */
extern PyMethodDef mp_introspect_functions[];

#endif /* MP_INTROSPECT_H */
