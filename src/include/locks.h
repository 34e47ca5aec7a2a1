/*
 * locks.h -- the pool of global (cross-process, cross-thread) mutexes
 * that session locking uses (manual 2.3.2 "Mutex Locks", 4.8).
 *
 * The parent creates `mod_python.mutex_locks` mutexes (default from
 * --with-max-locks) with their lock files in `mod_python.mutex_directory`
 * (default --with-mutex-dir), both read from PythonOption at global scope;
 * each child re-attaches them.  They live in the configuration pool and
 * are recreated on every restart.  Python reaches them through
 * _apache._global_lock/_global_trylock/_global_unlock.
 */
#ifndef MP_LOCKS_H
#define MP_LOCKS_H

#include "mp_common.h"

/* post_config: create the pool.  OK, or an HTTP error status (logged). */
int mp_locks_create(apr_pool_t *pconf, server_rec *s);

/* child_init: attach this child to the pool. */
void mp_locks_child_init(apr_pool_t *pchild, server_rec *s);

/* The functions _apache exports. */
extern PyMethodDef mp_lock_functions[];

#endif /* MP_LOCKS_H */
