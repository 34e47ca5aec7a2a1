/*
 * config.h -- mod_python's configuration: the per-directory and per-server
 * records, how they merge, and the directive callbacks that fill them.
 *
 * All of it lives in Apache's configuration pools (pconf for the server
 * config and <Directory> sections, the request pool for .htaccess merges)
 * and is read-only once the server runs, so any thread may read it without
 * a lock.  Nothing here touches Python: deciding that no Python handler
 * applies to a request must not cost a trip into the interpreter.
 */
#ifndef MP_CONFIG_H
#define MP_CONFIG_H

#include "mp_common.h"

/* The request phases, in the order Apache runs them.  MP_PHASE_INIT is the
 * PythonInitHandler alias: it runs at post-read-request (server config) or
 * at header-parser time (directory config). */
typedef enum {
    MP_PHASE_POST_READ_REQUEST = 0,
    MP_PHASE_TRANS,
    MP_PHASE_HEADER_PARSER,
    MP_PHASE_INIT,
    MP_PHASE_ACCESS,
    MP_PHASE_AUTHEN,
    MP_PHASE_AUTHZ,
    MP_PHASE_TYPE,
    MP_PHASE_FIXUP,
    MP_PHASE_HANDLER,
    MP_PHASE_LOG,
    MP_PHASE_CLEANUP,
    MP_PHASE_COUNT
} mp_phase;

/* "PythonHandler", "PythonAuthenHandler", ... indexed by mp_phase. */
extern const char *const mp_phase_names[MP_PHASE_COUNT];

/* Phase number for a directive name (case-insensitive), or -1. */
int mp_phase_from_name(const char *name);

/* One handler named by a Python*Handler directive (or req.add_handler). */
typedef struct {
    const char *handler;    /* "module" or "module::object", as written   */
    const char *directory;  /* directory of the directive, or NULL        */
    const char **exts;      /* NULL, or NULL-terminated ".ext" list       */
    int silent;             /* PythonHandlerModule: a missing object is
                               skipped instead of being an error          */
    int persistent;         /* from httpd.conf: this struct and its strings
                               live as long as the child (not .htaccess),
                               so their address can name it (pyconfig.h) */
} mp_handler;

/* A flag directive's value: unset inherits the parent's. */
typedef enum { MP_UNSET = -1, MP_OFF = 0, MP_ON = 1 } mp_flag;

typedef struct {
    /* apr array of mp_handler per phase; NULL when not set in this section,
     * so that a child's list replaces its parent's on merge. */
    apr_array_header_t *handlers[MP_PHASE_COUNT];
    apr_table_t *options;      /* PythonOption; "" marks a removed key    */
    const char *interpreter;   /* PythonInterpreter                        */
    const char *python_path;   /* PythonPath text, evaluated in Python     */
    mp_flag debug;
    mp_flag autoreload;
    mp_flag interp_per_directory;
    mp_flag interp_per_directive;
    mp_flag enable_pdb;
    apr_array_header_t *requires; /* Require lines seen here (char *), for
                                     req.requires(); NULL when none      */
    /* mod_python.wsgi's SCRIPT_NAME (as mod_python 3.5): the <Location>
     * path of the innermost section that sets PythonHandler or the option
     * mod_python.wsgi.application, or NULL when that section is not a
     * <Location>.  app_location_set: this section set it. */
    const char *app_location;
    int app_location_set;
    int request_timeout;       /* PythonRequestTimeout seconds, -1 unset  */
    int timeout_action;        /* MP_TIMEOUT_ACTION_* (watchdog.h)        */
} mp_dir_config;

/* A PythonImport line. */
typedef struct {
    const char *module;
    const char *interpreter;
} mp_import;

/* A PythonInputFilter/PythonOutputFilter registration. */
typedef struct {
    mp_handler entry;           /* the handler, as a one-entry list       */
    const char *name;
    int is_input;
} mp_filter_config;

typedef struct {
    apr_table_t *options;       /* PythonOption at server scope only       */
    apr_array_header_t *imports;        /* of mp_import                   */
    const mp_handler *connection;       /* PythonConnectionHandler, or NULL */
    apr_hash_t *filters;        /* name -> mp_filter_config               */
    mp_flag optimize;           /* PythonOptimize (main server only)       */
    int timeouts;               /* MP_TIMEOUTS_* set here (watchdog.h)     */
    /* PythonHome (main server only): a virtual environment (is_venv: it
     * holds a pyvenv.cfg) or a Python installation prefix; NULL: none. */
    const char *python_home;
    int python_home_is_venv;
} mp_server_config;

void *mp_create_dir_config(apr_pool_t *p, char *dir);
void *mp_merge_dir_config(apr_pool_t *p, void *base, void *add);
void *mp_create_server_config(apr_pool_t *p, server_rec *s);
void *mp_merge_server_config(apr_pool_t *p, void *base, void *add);

extern const command_rec mp_directives[];

/* The PythonInputFilter/PythonOutputFilter named `name` for server s. */
const mp_filter_config *mp_filter_config_get(server_rec *s,
                                             const char *name);

/* Helpers for the hooks. */
static inline mp_dir_config *
mp_dir_conf(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &python_module);
}

static inline mp_server_config *
mp_server_conf(server_rec *s)
{
    return ap_get_module_config(s->module_config, &python_module);
}

/* Does handler entry h apply to a request for file `filename` (its
 * "| .ext" restriction)? */
int mp_handler_applies(const mp_handler *h, const char *filename);

/* The directive value of a flag as Python*Handler code sees it. */
static inline int
mp_flag_on(mp_flag f, int dflt)
{
    return f == MP_UNSET ? dflt : f == MP_ON;
}

#endif /* MP_CONFIG_H */
