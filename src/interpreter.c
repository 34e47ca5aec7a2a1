/*
 * interpreter.c -- starting Python in an Apache child and moving threads
 * between its interpreters.  See interpreter.h for the rules.
 */
#include "interpreter.h"
#include "mp_log.h"
#include "mp_build_config.h"
#include "modulefile.h"

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

/* Python's logging and print() into the error log (mod_python._logging),
 * before any code of the site runs in the interpreter, so that what
 * PythonImport modules log is not lost.  A failure is logged and the
 * interpreter still serves, with Python's own streams. */
static void
install_logging(mp_interp *ip, server_rec *s)
{
    apr_table_t *options = mp_server_conf(s)->options;
    PyObject *mod, *res;

    mod = PyImport_ImportModule("mod_python._logging");
    res = mod == NULL ? NULL
          : PyObject_CallMethod(mod, "_install", "zz",
                                apr_table_get(options, "mod_python.logging"),
                                apr_table_get(options, "mod_python.stdio"));
    if (res == NULL) {
        mp_log_exception(NULL, s, MPLOGNO(0306) "cannot send Python's "
                         "logging and standard streams to the error log in "
                         "interpreter '%s'", ip->name);
    }
    Py_XDECREF(res);
    Py_XDECREF(mod);
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
    install_logging(ip, s);

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

/* The directory of the mod_python package Python would import here, as
 * a string in p, or "(not found on sys.path)".  Found without importing
 * it: find_spec of a top-level name runs none of the package's code.
 * GIL held; no exception is left set. */
static const char *
package_directory(apr_pool_t *p)
{
    PyObject *util, *spec = NULL, *origin = NULL;
    const char *text, *dir = "(not found on sys.path)";

    util = PyImport_ImportModule("importlib.util");
    if (util != NULL) {
        spec = PyObject_CallMethod(util, "find_spec", "s", "mod_python");
        Py_DECREF(util);
    }
    if (spec != NULL && spec != Py_None) {
        origin = PyObject_GetAttrString(spec, "origin");
    }
    if (origin != NULL && PyUnicode_Check(origin)
        && (text = PyUnicode_AsUTF8(origin)) != NULL) {
        /* origin is the package's __init__.py */
        const char *slash = strrchr(text, '/');
        dir = slash ? apr_pstrndup(p, text, (apr_size_t)(slash - text))
                    : apr_pstrdup(p, text);
    }
    Py_XDECREF(origin);
    Py_XDECREF(spec);
    PyErr_Clear();
    return dir;
}

/* The Python package and this .so come from one release, or one of them
 * was installed from elsewhere (a distribution package beside a build
 * from source): say so, once per process, when the package is first
 * imported.  GIL held. */
static void
check_package_version(server_rec *s)
{
    static int checked;
    PyObject *pkg, *version, *file;
    const char *v, *f;

    if (checked) {
        return;
    }
    checked = 1;
    pkg = PyImport_ImportModule("mod_python");
    version = pkg ? PyObject_GetAttrString(pkg, "mp_version") : NULL;
    file = pkg ? PyObject_GetAttrString(pkg, "__file__") : NULL;
    v = version && PyUnicode_Check(version) ? PyUnicode_AsUTF8(version)
                                            : NULL;
    f = file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file) : NULL;
    if (v == NULL || strcmp(v, MP_VERSION_STRING) != 0) {
        mp_log_s(APLOG_WARNING, s, MPLOGNO(0081) "mixed installation: "
                 "%s is mod_python %s, but the Python package it imported "
                 "(%s) is version %s; install both from the same release",
                 mp_module_file() ? mp_module_file() : "mod_python.so",
                 MP_VERSION_STRING, f ? f : "mod_python",
                 v ? v : "unknown");
    }
    Py_XDECREF(file);
    Py_XDECREF(version);
    Py_XDECREF(pkg);
    PyErr_Clear();
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
        PyObject *exc = mp_exception_take();
        apr_pool_t *p = NULL;

        /* Another mod_python's package (a distribution's) first on
         * sys.path fails here: name the one found.  A pool of the call's
         * own, since this repeats on every request until fixed. */
        if (exc != NULL && apr_pool_create(&p, child_pool) == APR_SUCCESS) {
            mp_log_exception_object(NULL, s, exc, apr_psprintf(p,
                MPLOGNO(0003) "cannot import mod_python._dispatch in "
                "interpreter '%s': the mod_python package found is %s (is "
                "this module's own package on sys.path? PYTHONPATH in "
                "httpd's environment, or 'make install_py_lib')", ip->name,
                package_directory(p)));
            apr_pool_destroy(p);
        }
        Py_XDECREF(exc);
        return NULL;
    }
    check_package_version(s);
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
     * even when it is not the one in /usr.  A virtual environment is
     * found the way its own bin/python finds it: Python looks for
     * pyvenv.cfg next to the executable and one level up, and site.py
     * then makes the environment sys.prefix with its site-packages. */
    if (sconf->python_home != NULL && sconf->python_home_is_venv) {
        status = PyConfig_SetBytesString(
            &config, &config.program_name,
            apr_pstrcat(s->process->pconf, sconf->python_home,
                        "/bin/python" MP_PYTHON_VERSION, NULL));
    }
    else {
        status = PyConfig_SetBytesString(&config, &config.program_name,
                                         MP_PYTHON_BIN);
    }
    if (PyStatus_Exception(status)) {
        goto done;
    }
    if (sconf->python_home != NULL && !sconf->python_home_is_venv) {
        status = PyConfig_SetBytesString(&config, &config.home,
                                         sconf->python_home);
        if (PyStatus_Exception(status)) {
            goto done;
        }
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
    const char *package;

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
    package = package_directory(pchild);
    /* The child's main thread gives up the GIL; worker threads take it
     * through their own thread states. */
    PyEval_SaveThread();
    interp_register(main_interp);
    mp_log_s(APLOG_INFO, s, MPLOGNO(0009) "Python %s started in process "
             "%" APR_PID_T_FMT "; module %s, Python package %s",
             Py_GetVersion(), getpid(),
             mp_module_file() ? mp_module_file() : "(unknown)", package);
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

mp_interp *
mp_interp_find(const char *name)
{
    return interpreters != NULL ? interp_lookup(name) : NULL;
}

apr_array_header_t *
mp_interp_all(apr_pool_t *p)
{
    apr_array_header_t *all = apr_array_make(p, 4, sizeof(mp_interp *));
    apr_hash_index_t *hi;
    void *val;

    if (main_interp == NULL) {
        return all;
    }
    APR_ARRAY_PUSH(all, mp_interp *) = main_interp;
    apr_thread_mutex_lock(table_lock);
    for (hi = apr_hash_first(p, interpreters); hi; hi = apr_hash_next(hi)) {
        apr_hash_this(hi, NULL, NULL, &val);
        if (val != main_interp) {
            APR_ARRAY_PUSH(all, mp_interp *) = val;
        }
    }
    apr_thread_mutex_unlock(table_lock);
    return all;
}

int
mp_interp_visit(mp_interp *ip, server_rec *s,
                void (*fn)(mp_interp *ip, void *data), void *data)
{
    /* Our own state is set aside, not ended: the handler that called us
     * resumes in it.  ip's state for this thread is the one this thread
     * always uses there, so nothing is made per visit. */
    PyThreadState *mine = PyEval_SaveThread();
    int rc = mp_interp_enter(ip, s);

    if (rc == 0) {
        fn(ip, data);
        mp_interp_release(ip);
    }
    PyEval_RestoreThread(mine);
    return rc;
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
