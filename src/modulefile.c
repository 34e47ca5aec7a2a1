/*
 * modulefile.c -- the file this module was loaded from (see
 * modulefile.h).
 */
#include <dlfcn.h>

#include "modulefile.h"

const char *
mp_module_file(void)
{
    /* The module record is ours, so the object it lives in is the .so
     * Apache loaded, whatever LoadModule's path looked like. */
    Dl_info info;

    if (dladdr((void *)&python_module, &info) != 0
        && info.dli_fname != NULL) {
        return info.dli_fname;
    }
    return NULL;
}
