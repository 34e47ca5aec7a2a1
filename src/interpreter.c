/*
 * interpreter.c -- starting Python in an Apache child and moving threads
 * between its interpreters.  See interpreter.h for the rules.
 */
#include "interpreter.h"
#include "mp_log.h"
#include "mp_build_config.h"

static apr_pool_t *child_pool;
static apr_hash_t *interpreters;          /* name -> mp_interp            */
static apr_thread_mutex_t *table_lock;    /* guards `interpreters`        */
static apr_thread_mutex_t *create_lock;   /* one creation at a time       */
static mp_interp *main_interp;

int
mp_python_started(void)
{
    return main_interp != NULL;
}

apr_pool_t *
mp_child_pool(void)
{
    return child_pool;
}

/* Import what every interpreter needs and cache the dispatcher.  Called
 * with the GIL held in the new interpreter. */
static int
interp_setup(mp_interp *ip, server_rec *s)
{
    PyObject *name;
    int i;

    ip->apache_module = PyImport_ImportModule("_apache");
    if (ip->apache_module == NULL) {
        mp_log_exception(NULL, s, MPLOGNO(0014) "cannot import _apache in "
                         "interpreter '%s'", ip->name);
        return -1;
    }
    ip->state = PyModule_GetState(ip->apache_module);
    ip->state->interp = ip;
    name = PyUnicode_FromString(ip->name);
    if (name == NULL
        || PyObject_SetAttrString(ip->apache_module, "interpreter",
                                  name) < 0) {
        Py_XDECREF(name);
        mp_log_exception(NULL, s, MPLOGNO(0015) "cannot set "
                         "_apache.interpreter in interpreter '%s'", ip->name);
        return -1;
    }
    Py_DECREF(name);

    for (i = 0; i < MP_PHASE_COUNT; i++) {
        ip->phase_names[i] = PyUnicode_InternFromString(mp_phase_names[i]);
        if (ip->phase_names[i] == NULL) {
            mp_log_exception(NULL, s, MPLOGNO(0016) "cannot intern the "
                             "phase names in interpreter '%s'", ip->name);
            return -1;
        }
    }

    return 0;
}

PyObject *
mp_interp_entry(mp_interp *ip, server_rec *s, mp_entry which)
{
    static const char *const names[MP_ENTRY_COUNT] = {
        "dispatch_request", "dispatch_filter", "dispatch_connection",
        "run_import", "Config", "HandlerFailed", "dispatch_ssi"
    };
    PyObject *mod;
    int i;

    if (ip->entries[which] != NULL) {
        return ip->entries[which];
    }
    if (ip->state == NULL || ip->phase_names[MP_PHASE_COUNT - 1] == NULL) {
        mp_log_s(APLOG_ERR, s, MPLOGNO(0011) "interpreter '%s' did not "
                 "start properly (see the error logged when it was made)",
                 ip->name);
        return NULL;
    }
    /* Imported on first use, so an interpreter that never runs a handler
     * (often main_interpreter) never carries the mod_python package. */
    mod = PyImport_ImportModule("mod_python._dispatch");
    if (mod == NULL) {
        mp_log_exception(NULL, s, MPLOGNO(0003) "cannot import "
                         "mod_python._dispatch in interpreter '%s' (is the "
                         "mod_python package on sys.path? PYTHONPATH in "
                         "httpd's environment or 'make install_py_lib')",
                         ip->name);
        return NULL;
    }
    for (i = 0; i < MP_ENTRY_COUNT; i++) {
        PyObject *entry = PyObject_GetAttrString(mod, names[i]);
        if (entry == NULL) {
            mp_log_exception(NULL, s, MPLOGNO(0013) "mod_python._dispatch "
                             "in interpreter '%s' lacks %s", ip->name,
                             names[i]);
            break;
        }
        Py_XSETREF(ip->entries[i], entry);
    }
    Py_DECREF(mod);
    return ip->entries[which];
}

static mp_interp *
interp_record(const char *name)
{
    mp_interp *ip = apr_pcalloc(child_pool, sizeof(*ip));
    apr_pool_t *configs_pool;

    ip->name = apr_pstrdup(child_pool, name);
    if (apr_threadkey_private_create(&ip->tstate_key, NULL, child_pool)
        != APR_SUCCESS) {
        return NULL;
    }
    /* A pool of its own: the dispatcher's configurations are added under
     * this interpreter's GIL, while other threads may be making records
     * in the child pool under create_lock. */
    if (apr_pool_create(&configs_pool, child_pool) != APR_SUCCESS) {
        return NULL;
    }
    ip->configs = apr_hash_make(configs_pool);
    return ip;
}

static void
interp_register(mp_interp *ip)
{
    apr_thread_mutex_lock(table_lock);
    apr_hash_set(interpreters, ip->name, APR_HASH_KEY_STRING, ip);
    apr_thread_mutex_unlock(table_lock);
}

static PyStatus
start_python(server_rec *s)
{
    mp_server_config *sconf = mp_server_conf(s);
    PyConfig config;
    PyStatus status;
    wchar_t *argv[] = { L"mod_python" };

    /* Like an ordinary embedded Python (PYTHONPATH, PYTHONHOME and the
     * other PYTHON* variables of httpd's environment apply), but it must
     * never own the process: no signal handlers, no argv parsing, and a
     * failure comes back to us instead of calling exit(). */
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    config.optimization_level = sconf->optimize == MP_ON ? 1 : 0;

    /* The configured interpreter's path lets Python find its own prefix
     * even when it is not the one in /usr. */
    status = PyConfig_SetBytesString(&config, &config.program_name,
                                     MP_PYTHON_BIN);
    if (PyStatus_Exception(status)) {
        goto done;
    }
    status = PyConfig_SetArgv(&config, 1, argv);
    if (PyStatus_Exception(status)) {
        goto done;
    }
    status = Py_InitializeFromConfig(&config);
done:
    PyConfig_Clear(&config);
    return status;
}

int
mp_python_child_init(apr_pool_t *pchild, server_rec *s)
{
    PyStatus status;

    child_pool = pchild;
    interpreters = apr_hash_make(pchild);
    if (apr_thread_mutex_create(&table_lock, APR_THREAD_MUTEX_DEFAULT,
                                pchild) != APR_SUCCESS
        || apr_thread_mutex_create(&create_lock, APR_THREAD_MUTEX_DEFAULT,
                                   pchild) != APR_SUCCESS) {
        mp_log_s(APLOG_CRIT, s, MPLOGNO(0017) "cannot create the "
                 "interpreter locks");
        return -1;
    }

    status = start_python(s);
    if (PyStatus_Exception(status)) {
        mp_log_s(APLOG_CRIT, s, MPLOGNO(0001) "Python failed to start: "
                 "%s%s%s",
                 status.func ? status.func : "",
                 status.func ? ": " : "",
                 status.err_msg ? status.err_msg : "unknown error");
        return -1;
    }

    main_interp = interp_record(MP_MAIN_INTERPRETER);
    if (main_interp == NULL) {
        mp_log_s(APLOG_CRIT, s, MPLOGNO(0020) "cannot create a thread "
                 "key for the main interpreter");
        PyEval_SaveThread();
        main_interp = NULL;
        return -1;
    }
    main_interp->istate = PyInterpreterState_Main();
    apr_threadkey_private_set(PyThreadState_Get(), main_interp->tstate_key);
    /* On failure Python stays up, so the error shows on every 500. */
    (void)interp_setup(main_interp, s);
    /* The child's main thread gives up the GIL; worker threads take it
     * through their own thread states. */
    PyEval_SaveThread();
    interp_register(main_interp);
    mp_log_s(APLOG_INFO, s, MPLOGNO(0009) "Python %s started in process "
             "%" APR_PID_T_FMT,
             Py_GetVersion(), getpid());
    return 0;
}

/* This thread's state for ip, made on the thread's first visit. */
static PyThreadState *
thread_state(mp_interp *ip)
{
    void *ts = NULL;

    apr_threadkey_private_get(&ts, ip->tstate_key);
    if (ts == NULL) {
        /* PyThreadState_New does not need the GIL. */
        ts = PyThreadState_New(ip->istate);
        if (ts != NULL) {
            apr_threadkey_private_set(ts, ip->tstate_key);
        }
    }
    return ts;
}

static mp_interp *
interp_lookup(const char *name)
{
    mp_interp *ip;

    apr_thread_mutex_lock(table_lock);
    ip = apr_hash_get(interpreters, name, APR_HASH_KEY_STRING);
    apr_thread_mutex_unlock(table_lock);
    return ip;
}

/* Make a subinterpreter.  create_lock serialises creators; it is always
 * taken before the GIL, and no GIL holder ever waits for it (see the rule
 * in interpreter.h), so the two cannot deadlock. */
static mp_interp *
interp_create(const char *name, server_rec *s)
{
    mp_interp *ip;
    PyThreadState *main_ts, *new_ts;

    apr_thread_mutex_lock(create_lock);
    ip = interp_lookup(name);
    if (ip != NULL) {
        apr_thread_mutex_unlock(create_lock);
        return ip;
    }
    ip = interp_record(name);
    main_ts = ip ? thread_state(main_interp) : NULL;
    if (main_ts == NULL) {
        apr_thread_mutex_unlock(create_lock);
        mp_log_s(APLOG_ERR, s, MPLOGNO(0021) "cannot make a thread state "
                 "for creating interpreter '%s'", name);
        return NULL;
    }
    PyEval_RestoreThread(main_ts);
    new_ts = Py_NewInterpreter();
    if (new_ts == NULL) {
        if (PyErr_Occurred()) {
            mp_log_exception(NULL, s, MPLOGNO(0002) "Py_NewInterpreter "
                             "failed for '%s'", name);
        }
        else {
            mp_log_s(APLOG_ERR, s, MPLOGNO(0022) "Py_NewInterpreter failed "
                     "for '%s'", name);
        }
        PyThreadState_Swap(main_ts);
        PyEval_SaveThread();
        apr_thread_mutex_unlock(create_lock);
        return NULL;
    }
    ip->istate = PyThreadState_GetInterpreter(new_ts);
    apr_threadkey_private_set(new_ts, ip->tstate_key);
    (void)interp_setup(ip, s);
    PyEval_SaveThread();
    interp_register(ip);
    apr_thread_mutex_unlock(create_lock);
    return ip;
}

int
mp_interp_enter(mp_interp *ip, server_rec *s)
{
    PyThreadState *ts = thread_state(ip);

    if (ts == NULL) {
        mp_log_s(APLOG_ERR, s, MPLOGNO(0023) "cannot make this thread's "
                 "state for interpreter '%s'", ip->name);
        return -1;
    }
    PyEval_RestoreThread(ts);
    return 0;
}

mp_interp *
mp_interp_get(const char *name, server_rec *s)
{
    mp_interp *ip;

    if (main_interp == NULL) {
        mp_log_s(APLOG_ERR, s, MPLOGNO(0024) "Python is not running in "
                 "this process (see the error logged when it started)");
        return NULL;
    }
    ip = interp_lookup(name);
    return ip != NULL ? ip : interp_create(name, s);
}

const char *
mp_interpreter_name(request_rec *r, mp_phase phase,
                    const char *first_directory)
{
    mp_dir_config *conf = mp_dir_conf(r);

    if (conf->interpreter != NULL) {
        return conf->interpreter;
    }
    if (conf->interp_per_directive == MP_ON && first_directory != NULL) {
        return first_directory;
    }
    if (conf->interp_per_directory == MP_ON) {
        /* Before translation there is no file, hence no directory. */
        if (phase == MP_PHASE_POST_READ_REQUEST || phase == MP_PHASE_TRANS
            || r->filename == NULL || r->filename[0] != '/') {
            return MP_MAIN_INTERPRETER;
        }
        if (r->finfo.filetype == APR_DIR) {
            size_t n = strlen(r->filename);
            return r->filename[n - 1] == '/'
                   ? r->filename
                   : apr_pstrcat(r->pool, r->filename, "/", NULL);
        }
        return ap_make_dirstr_parent(r->pool, r->filename);
    }
    return r->server->server_hostname ? r->server->server_hostname
                                       : MP_MAIN_INTERPRETER;
}

void
mp_interp_release(mp_interp *ip)
{
    (void)ip;
    PyEval_SaveThread();
}
