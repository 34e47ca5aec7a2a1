/*
 * configtable.h -- mod_python's configuration as Python tables, for
 * req.get_config(), req.get_options(), server.get_config() and
 * server.get_options().
 *
 * Each call returns a new table owning a copy (a new reference), so code
 * that changes it cannot change the configuration; NULL with an exception
 * set on failure.  GIL held.
 */
#ifndef MP_CONFIGTABLE_H
#define MP_CONFIGTABLE_H

#include "mp_common.h"
#include "config.h"

/* The directives in effect (not Python*Handler nor PythonOption),
 * directive name to value ("1"/"0" for flags). */
PyObject *mp_config_table(mp_module_state *st, const mp_dir_config *conf);

/* The PythonOption values of an options table, without removed keys. */
PyObject *mp_options_table(mp_module_state *st, const apr_table_t *options);

#endif /* MP_CONFIGTABLE_H */
