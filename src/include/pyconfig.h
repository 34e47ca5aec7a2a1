/*
 * pyconfig.h -- the configuration as the Python dispatcher sees it.
 *
 * The dispatcher needs, for a phase (or a filter, or a connection), the
 * directives in effect (PythonDebug, PythonAutoReload, PythonPath,
 * PythonEnablePdb) and the handler list.  They reach Python one way: a
 * mod_python._dispatch.Config object, made once per interpreter for each
 * distinct (directives, handler list) and kept for the child's life, so a
 * request hands the dispatcher a ready object instead of rebuilding it --
 * and the handler entries in it keep what the dispatcher resolved
 * (module, object) from one request to the next.
 *
 * A handler list from httpd.conf lives as long as the child, so its
 * address names it; one read from .htaccess lives in a request's pool, so
 * its Config is made for that request alone.  The cache is guarded by the
 * GIL of its interpreter; its keys live in ip->configs' pool.
 */
#ifndef MP_PYCONFIG_H
#define MP_PYCONFIG_H

#include "mp_common.h"
#include "config.h"
#include "interpreter.h"

/* The Config for conf's directives and the n handlers at `handlers` (n may
 * be 0); is_input is 1 or 0 for a filter's entry, -1 otherwise.  New
 * reference, or NULL with an exception set.  GIL held in ip. */
PyObject *mp_pyconfig(mp_interp *ip, const mp_dir_config *conf,
                      const mp_handler *handlers, int n, int is_input);

#endif /* MP_PYCONFIG_H */
