/*
 * configtable.c -- configuration as Python tables (see configtable.h).
 */
#include "configtable.h"
#include "tableobject.h"
#include "watchdog.h"

static void
config_flag(apr_table_t *t, const char *name, mp_flag f)
{
    if (f != MP_UNSET) {
        apr_table_set(t, name, f == MP_ON ? "1" : "0");
    }
}

PyObject *
mp_config_table(mp_module_state *st, const mp_dir_config *conf)
{
    PyObject *t = mp_table_new(st);
    apr_table_t *at;
    char seconds[16];

    if (t == NULL || (at = mp_table_get(st, t)) == NULL) {
        Py_XDECREF(t);
        return NULL;
    }
    config_flag(at, "PythonDebug", conf->debug);
    config_flag(at, "PythonAutoReload", conf->autoreload);
    config_flag(at, "PythonInterpPerDirectory", conf->interp_per_directory);
    config_flag(at, "PythonInterpPerDirective", conf->interp_per_directive);
    config_flag(at, "PythonEnablePdb", conf->enable_pdb);
    if (conf->interpreter) {
        apr_table_set(at, "PythonInterpreter", conf->interpreter);
    }
    if (conf->python_path) {
        apr_table_set(at, "PythonPath", conf->python_path);
    }
    if (conf->request_timeout >= 0) {
        apr_snprintf(seconds, sizeof(seconds), "%d", conf->request_timeout);
        apr_table_set(at, "PythonRequestTimeout", seconds);
    }
    if (conf->timeout_action != MP_TIMEOUT_ACTION_UNSET) {
        apr_table_set(at, "PythonRequestTimeoutAction",
                      conf->timeout_action == MP_TIMEOUT_ACTION_RESTART
                      ? "restart" : "log");
    }
    return t;
}

PyObject *
mp_options_table(mp_module_state *st, const apr_table_t *options)
{
    PyObject *t = mp_table_new(st);
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    apr_table_t *at;
    int i;

    if (t == NULL || (at = mp_table_get(st, t)) == NULL) {
        Py_XDECREF(t);
        return NULL;
    }
    arr = apr_table_elts(options);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        /* "" marks a key removed by `PythonOption key` alone. */
        if (e[i].val[0] != '\0') {
            apr_table_set(at, e[i].key, e[i].val);
        }
    }
    return t;
}
