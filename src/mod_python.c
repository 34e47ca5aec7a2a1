/*
 * mod_python.c -- the map of the module: its record, directives and hooks.
 *
 * Every request-phase hook is a thin call into dispatch.c, which returns
 * DECLINED without touching Python when no handler applies.  Hooks that
 * compete with stock modules (translation, authentication, authorization,
 * type checking) are ordered first, so a configured Python handler wins
 * whatever the LoadModule order.
 */
#define MP_MODULE_FILE
#include "mp_common.h"
#include "config.h"
#include "dispatch.h"
#include "requestobject.h"
#include "pycall.h"
#include "pyconfig.h"
#include "connhandler.h"
#include "filterobject.h"
#include "locks.h"
#include "interpreter.h"
#include "watchdog.h"
#include "mp_log.h"
#include "_apachemodule.h"
#include "_pspmodule.h"
#include "modulefile.h"
#include "ssi.h"

/* PythonInputFilter/PythonOutputFilter of every server, registered with
 * Apache under their names (SetOutputFilter & co look them up per
 * request).  A virtual host's list includes the main server's, so a name
 * may come twice: registering it again is harmless. */
static void
register_filters(server_rec *main_s)
{
    server_rec *s;
    apr_hash_index_t *hi;

    for (s = main_s; s != NULL; s = s->next) {
        for (hi = apr_hash_first(NULL, mp_server_conf(s)->filters); hi;
             hi = apr_hash_next(hi)) {
            void *fc;

            apr_hash_this(hi, NULL, NULL, &fc);
            mp_filter_register(fc);
        }
    }
    mp_filter_register_request_filters();
}

static int
hook_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                 server_rec *s)
{
    (void)plog;
    (void)ptemp;
    mp_apache_set_main_server(s);
    /* Apache reads its configuration twice at start-up; the first pass
     * only checks it, so nothing is made then. */
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG
        && mp_locks_create(pconf, s) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG) {
        mp_watch_check_mpm(s);
    }
    register_filters(s);
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG) {
        /* A notice, which Apache logs whatever LogLevel says: which file
         * serves as mod_python is the first question about a server with
         * more than one installed. */
        mp_log_s(APLOG_NOTICE, s, MPLOGNO(0082) "mod_python %s loaded "
                 "from %s, built for Python %s",
                 MP_VERSION_STRING,
                 mp_module_file() ? mp_module_file() : "(unknown file)",
                 PY_VERSION);
    }
    mp_ssi_register();
    ap_add_version_component(pconf, "mod_python/" MP_VERSION_STRING);
    ap_add_version_component(pconf, "Python/" PY_VERSION);
    return OK;
}

/* PythonImport: each child imports the named modules in the named
 * interpreters before it serves anything (and calls module::function). */
typedef struct {
    const mp_import *imp;
    const mp_dir_config *conf;  /* the server's: PythonPath applies */
} import_call;

static PyObject *
import_prepare(mp_pycall *call, mp_interp *ip)
{
    import_call *ic = call->data;
    PyObject *entry, *config, *todo;

    entry = mp_interp_entry(ip, call->s, MP_ENTRY_IMPORT);
    if (entry == NULL) {
        return NULL;
    }
    config = mp_pyconfig(ip, ic->conf, NULL, 0, -1);
    if (config == NULL) {
        return NULL;
    }
    todo = Py_BuildValue("(OOs)", entry, config, ic->imp->module);
    Py_DECREF(config);
    return todo;
}

static void
run_imports(server_rec *main_s)
{
    server_rec *s;
    mp_server_config *sconf;
    const mp_import *imp;
    import_call ic;
    int i;

    for (s = main_s; s != NULL; s = s->next) {
        sconf = mp_server_conf(s);
        if (s != main_s && sconf->imports == mp_server_conf(main_s)->imports) {
            continue;
        }
        imp = (const mp_import *)sconf->imports->elts;
        for (i = 0; i < sconf->imports->nelts; i++) {
            mp_pycall call = {0};

            ic.imp = &imp[i];
            ic.conf = ap_get_module_config(s->lookup_defaults,
                                           &python_module);
            call.s = s;
            call.prepare = import_prepare;
            call.data = &ic;
            call.what = "PythonImport";
            call.handler = imp[i].module;
            call.failed = apr_psprintf(s->process->pool, MPLOGNO(0006)
                                       "PythonImport %s %s failed",
                                       imp[i].module, imp[i].interpreter);
            (void)mp_pycall_run(&call, imp[i].interpreter);
        }
    }
}

static void
hook_child_init(apr_pool_t *pchild, server_rec *s)
{
    /* The built-in modules, registered before Python starts so that every
     * interpreter can import them. */
    if (PyImport_AppendInittab("_apache", mp_init_apache_module) < 0) {
        mp_log_s(APLOG_CRIT, s, MPLOGNO(0018) "cannot register the "
                 "_apache module");
        return;
    }
    if (PyImport_AppendInittab("_psp", mp_init_psp_module) < 0) {
        mp_log_s(APLOG_CRIT, s, MPLOGNO(0019) "cannot register the _psp "
                 "module");
        return;
    }
    mp_locks_child_init(pchild, s);
    if (mp_python_child_init(pchild, s) == 0) {
        mp_watch_child_init(pchild, s);
        run_imports(s);
    }
}

/* PythonInitHandler at server level runs here, at post-read-request. */
static int
hook_post_read_request(request_rec *r)
{
    mp_dir_config *conf = mp_dir_conf(r);
    int rc;

    if (conf->handlers[MP_PHASE_INIT] != NULL) {
        mp_request_state_get(r, 1)->init_ran = conf->handlers[MP_PHASE_INIT];
        rc = mp_run_phase(r, MP_PHASE_INIT);
        if (rc != OK && rc != DECLINED) {
            return rc;
        }
    }
    return mp_run_phase(r, MP_PHASE_POST_READ_REQUEST);
}

static int
hook_translate_name(request_rec *r)
{
    return mp_run_phase(r, MP_PHASE_TRANS);
}

/* PythonInitHandler in a directory runs here, unless the very same list
 * already ran at post-read-request. */
static int
hook_header_parser(request_rec *r)
{
    mp_dir_config *conf = mp_dir_conf(r);
    mp_request_state *state;
    int status;

    if (conf->handlers[MP_PHASE_CLEANUP] != NULL) {
        mp_register_cleanup_phase(r);
    }
    if (conf->handlers[MP_PHASE_INIT] != NULL) {
        state = mp_request_state_get(r, 0);
        if (state == NULL
            || state->init_ran != conf->handlers[MP_PHASE_INIT]) {
            status = mp_run_phase(r, MP_PHASE_INIT);
            if (status != OK && status != DECLINED) {
                return status;
            }
        }
    }
    return mp_run_phase(r, MP_PHASE_HEADER_PARSER);
}

static int
hook_access(request_rec *r)
{
    return mp_run_phase(r, MP_PHASE_ACCESS);
}

/* A 401 from Python needs the WWW-Authenticate challenge that the auth
 * type's module (mod_auth_basic for Basic) knows how to write. */
static int
note_auth_failure(request_rec *r, int status)
{
    if (status == HTTP_UNAUTHORIZED && ap_auth_type(r) != NULL
        && apr_table_get(r->err_headers_out, "WWW-Authenticate") == NULL) {
        ap_note_auth_failure(r);
    }
    return status;
}

static int
hook_authn(request_rec *r)
{
    return note_auth_failure(r, mp_run_phase(r, MP_PHASE_AUTHEN));
}

static int
hook_authz(request_rec *r)
{
    return note_auth_failure(r, mp_run_phase(r, MP_PHASE_AUTHZ));
}

static int
hook_type_checker(request_rec *r)
{
    return mp_run_phase(r, MP_PHASE_TYPE);
}

static int
hook_fixups(request_rec *r)
{
    mp_dir_config *conf = mp_dir_conf(r);

    /* Sub-requests and redirects skip header_parser's registration. */
    if (conf->handlers[MP_PHASE_CLEANUP] != NULL) {
        mp_register_cleanup_phase(r);
    }
    return mp_run_phase(r, MP_PHASE_FIXUP);
}

static int
hook_handler(request_rec *r)
{
    if (r->handler == NULL
        || (strcmp(r->handler, "mod_python") != 0
            && strcmp(r->handler, "python-program") != 0)) {
        return DECLINED;
    }
    return mp_run_phase(r, MP_PHASE_HANDLER);
}

static int
hook_log_transaction(request_rec *r)
{
    return mp_run_phase(r, MP_PHASE_LOG);
}

static void
register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_config(hook_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(hook_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* Before the HTTP protocol's own handler (REALLY_LAST). */
    ap_hook_process_connection(mp_process_connection, NULL, NULL,
                               APR_HOOK_MIDDLE);
    ap_hook_post_read_request(hook_post_read_request, NULL, NULL,
                              APR_HOOK_MIDDLE);
    /* mod_rewrite translates at FIRST; Python must come before it. */
    ap_hook_translate_name(hook_translate_name, NULL, NULL,
                           APR_HOOK_REALLY_FIRST);
    ap_hook_header_parser(hook_header_parser, NULL, NULL, APR_HOOK_MIDDLE);
    /* Python handlers may decide per URI, so Apache must not reuse a
     * decision made for another URI with the same configuration. */
    ap_hook_check_access(hook_access, NULL, NULL, APR_HOOK_FIRST,
                         AP_AUTH_INTERNAL_PER_URI);
    ap_hook_check_authn(hook_authn, NULL, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_URI);
    ap_hook_check_authz(hook_authz, NULL, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_URI);
    ap_hook_type_checker(hook_type_checker, NULL, NULL,
                         APR_HOOK_REALLY_FIRST);
    ap_hook_fixups(hook_fixups, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(hook_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(hook_log_transaction, NULL, NULL,
                            APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(python) = {
    STANDARD20_MODULE_STUFF,
    mp_create_dir_config,
    mp_merge_dir_config,
    mp_create_server_config,
    mp_merge_server_config,
    mp_directives,
    register_hooks,
#ifdef AP_MODULE_FLAG_NONE
    AP_MODULE_FLAG_NONE
#endif
};
