/*
 * watchdog.c -- noting the Python calls in progress and reporting those
 * that run past PythonRequestTimeout (see watchdog.h).
 */
#include "watchdog.h"
#include "config.h"
#include "mp_log.h"
#include "convert.h"
#include "mpm_common.h"
#include "apr_thread_cond.h"
#include "apr_thread_proc.h"
#include <signal.h>
#include <pthread.h>

#define URI_MAX 256
#define WHAT_MAX 200

/* One Apache thread's call into Python.  Written by its thread and read
 * by the watchdog, both under table_lock. */
typedef struct slot {
    struct slot *next;
    unsigned long thread_id;    /* Python's id of the thread              */
    int depth;                  /* calls nested in the outermost one (a
                                   Python filter run by a handler's write) */
    apr_time_t start;           /* of the outermost call                  */
    apr_time_t next_report;
    apr_interval_time_t timeout;        /* 0: not watched                 */
    int reports;                /* times this call was reported           */
    mp_interp *ip;
    server_rec *s;
    /* What the outermost call serves, as pointers: taking a copy on every
     * call would cost each request two formatted copies.  They stay valid
     * while depth > 0 (the request's method and URI, the configuration's
     * handler text, or a handler registered in the request's pool), which
     * is the only time the watchdog reads them, under table_lock; it then
     * copies them into text of its own (slot_text). */
    const char *method;         /* NULL: no request                       */
    const char *uri;
    const char *what;           /* "PythonHandler", ...                   */
    const char *handler;        /* "module::object", or NULL              */
} slot;

/* What the watchdog copies out of a slot before it reports on it. */
typedef struct {
    unsigned long thread_id;
    mp_interp *ip;
    server_rec *s;
    long seconds;
    long timeout;
    int reports;
    char uri[URI_MAX];
    char what[WHAT_MAX];
} overdue;

static apr_pool_t *table_pool;          /* never destroyed: see watchdog.h */
static apr_thread_mutex_t *table_lock;
static apr_thread_cond_t *table_cond;   /* wakes the watchdog to stop     */
static apr_threadkey_t *slot_key;       /* this thread's slot             */
static slot *slots;
static int stopping, watchdog_running;
static int restart_supported, restart_requested;

static int
is_prefork(void)
{
    return strcmp(ap_show_mpm(), "prefork") == 0;
}

static int
configured(server_rec *s)
{
    int used = 0;

    for (; s != NULL; s = s->next) {
        used |= mp_server_conf(s)->timeouts;
    }
    return used;
}

void
mp_watch_check_mpm(server_rec *s)
{
    if ((configured(s) & MP_TIMEOUTS_RESTART) && !is_prefork()) {
        mp_log_s(APLOG_WARNING, s, MPLOGNO(0323) "PythonRequestTimeoutAction "
                 "restart works with the prefork MPM only; under %s, calls "
                 "that run past PythonRequestTimeout are logged and the "
                 "process goes on serving", ap_show_mpm());
    }
}

static slot *
slot_new(void)
{
    slot *sl;

    apr_thread_mutex_lock(table_lock);
    sl = apr_pcalloc(table_pool, sizeof(*sl));
    sl->thread_id = PyThread_get_thread_ident();
    sl->next = slots;
    slots = sl;
    apr_thread_mutex_unlock(table_lock);
    apr_threadkey_private_set(sl, slot_key);
    return sl;
}

void *
mp_watch_begin(request_rec *r, server_rec *s, mp_interp *ip,
               const char *what, const char *handler)
{
    const mp_dir_config *conf;
    void *found = NULL;
    slot *sl;

    if (table_lock == NULL) {
        return NULL;
    }
    apr_threadkey_private_get(&found, slot_key);
    sl = found != NULL ? found : slot_new();
    /* No request: the server's own setting; calls at child exit have
     * neither. */
    conf = r != NULL ? mp_dir_conf(r)
         : s != NULL ? ap_get_module_config(s->lookup_defaults,
                                            &python_module)
         : NULL;

    apr_thread_mutex_lock(table_lock);
    if (sl->depth++ == 0) {
        sl->start = apr_time_now();
        sl->timeout = conf != NULL && conf->request_timeout > 0
                      ? apr_time_from_sec(conf->request_timeout) : 0;
        sl->next_report = sl->start + sl->timeout;
        sl->reports = 0;
        sl->ip = ip;
        sl->s = s;
        /* Pointers, read only while this call runs (see slot). */
        sl->method = r != NULL ? r->method : NULL;
        sl->uri = r != NULL ? r->uri : NULL;
        sl->what = what;
        sl->handler = handler;
    }
    apr_thread_mutex_unlock(table_lock);
    return sl;
}

/* PythonRequestTimeoutAction restart: no further request on this
 * connection, and the child leaves once it is done with it.  Prefork's
 * child takes AP_SIG_GRACEFUL, the signal of a graceful restart, as
 * "stop listening, finish the connection in hand, then exit"; raised in
 * this (the child's only serving) thread, it is handled right here. */
static void
restart_child(request_rec *r, long seconds, long timeout)
{
    struct sigaction sa;

    r->connection->keepalive = AP_CONN_CLOSE;
    if (restart_requested) {
        return;
    }
    restart_requested = 1;
    /* Only prefork's child handler may take it: without one (never the
     * case in a prefork child) the signal would kill the process. */
    if (sigaction(AP_SIG_GRACEFUL, NULL, &sa) != 0
        || sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN) {
        return;
    }
    mp_log_r(APLOG_NOTICE, r, MPLOGNO(0322) "%s %s ran for %ld s, past "
             "its PythonRequestTimeout of %ld s: process %" APR_PID_T_FMT
             " exits after this connection (PythonRequestTimeoutAction "
             "restart)", r->method, r->uri, seconds, timeout, getpid());
    raise(AP_SIG_GRACEFUL);
}

void
mp_watch_end(void *token, request_rec *r)
{
    slot *sl = token;
    apr_time_t ran = 0;
    apr_interval_time_t timeout = 0;

    if (sl == NULL) {
        return;
    }
    apr_thread_mutex_lock(table_lock);
    if (--sl->depth == 0) {
        ran = apr_time_now() - sl->start;
        timeout = sl->timeout;
        if (timeout > 0 && sl->reports == 0 && ran < timeout) {
            timeout = 0;
        }
        sl->timeout = 0;
        sl->ip = NULL;
    }
    apr_thread_mutex_unlock(table_lock);
    if (timeout > 0 && r != NULL && restart_supported
        && mp_dir_conf(r)->timeout_action == MP_TIMEOUT_ACTION_RESTART) {
        restart_child(r, (long)apr_time_sec(ran), (long)apr_time_sec(timeout));
    }
}

/* A slot's method and URI ("GET /path", or "(no request)") and what
 * runs ("PythonHandler module::object") as text of the caller's.  Its
 * call in progress (depth > 0) and table_lock held: see slot. */
static void
slot_text(const slot *sl, char *uri, apr_size_t uri_size, char *what,
          apr_size_t what_size)
{
    if (sl->method != NULL || sl->uri != NULL) {
        apr_snprintf(uri, uri_size, "%s %s", sl->method ? sl->method : "-",
                     sl->uri ? sl->uri : "-");
    }
    else {
        apr_cpystrn(uri, "(no request)", uri_size);
    }
    apr_snprintf(what, what_size, "%s%s%s",
                 sl->what ? sl->what : "Python code",
                 sl->handler ? " " : "", sl->handler ? sl->handler : "");
}

/* The first call past its next report time, copied into *o and its next
 * report set.  table_lock held. */
static int
take_overdue(overdue *o)
{
    apr_time_t now = apr_time_now();
    slot *sl;

    for (sl = slots; sl != NULL; sl = sl->next) {
        if (sl->depth > 0 && sl->timeout > 0 && now >= sl->next_report) {
            o->thread_id = sl->thread_id;
            o->ip = sl->ip;
            o->s = sl->s;
            o->seconds = (long)apr_time_sec(now - sl->start);
            o->timeout = (long)apr_time_sec(sl->timeout);
            o->reports = ++sl->reports;
            slot_text(sl, o->uri, sizeof(o->uri), o->what,
                      sizeof(o->what));
            sl->next_report = now + sl->timeout;
            return 1;
        }
    }
    return 0;
}

static void
report(const overdue *o)
{
    /* Only the watchdog thread uses it; Apache cuts an entry at 8 KiB. */
    static char stack[MAX_STRING_LEN];
    PyObject *mod, *text = NULL;
    const char *utf8 = NULL;

    if (mp_interp_enter(o->ip, o->s) < 0) {
        return;
    }
    mod = PyImport_ImportModule("mod_python._stacks");
    if (mod != NULL) {
        text = PyObject_CallMethod(mod, "format_thread", "k", o->thread_id);
        Py_DECREF(mod);
    }
    if (text != NULL && PyUnicode_Check(text)) {
        utf8 = PyUnicode_AsUTF8(text);
    }
    if (utf8 == NULL) {
        mp_log_exception(NULL, o->s, MPLOGNO(0321) "cannot format the Python "
                         "stack of %s (%s), which has run past its "
                         "PythonRequestTimeout", o->uri, o->what);
        PyErr_Clear();
    }
    else {
        apr_cpystrn(stack, utf8, sizeof(stack));
    }
    Py_XDECREF(text);
    /* The GIL is not held while the log is written. */
    mp_interp_release(o->ip);
    if (utf8 != NULL) {
        mp_log_s(APLOG_WARNING, o->s, MPLOGNO(0320) "%s has been in %s for "
                 "%ld s, past its PythonRequestTimeout of %ld s (report %d; "
                 "interpreter '%s', process %" APR_PID_T_FMT ", thread %lu); "
                 "its Python stack, most recent call last:\n%s",
                 o->uri, o->what, o->seconds, o->timeout, o->reports,
                 o->ip->name, getpid(), o->thread_id, stack);
    }
}

static void *APR_THREAD_FUNC
watchdog_main(apr_thread_t *thd, void *data)
{
    overdue o;

    (void)data;
    apr_thread_mutex_lock(table_lock);
    while (!stopping) {
        apr_thread_cond_timedwait(table_cond, table_lock,
                                  apr_time_from_sec(1));
        while (!stopping && take_overdue(&o)) {
            apr_thread_mutex_unlock(table_lock);
            report(&o);
            apr_thread_mutex_lock(table_lock);
        }
    }
    watchdog_running = 0;
    apr_thread_cond_broadcast(table_cond);
    apr_thread_mutex_unlock(table_lock);
    apr_thread_exit(thd, APR_SUCCESS);
    return NULL;
}

/* Child exit: the watchdog must be out of the interpreters (whose records
 * live in the child pool) before the pool goes.  A report stuck behind a
 * GIL that a runaway thread never gives back is not waited for long. */
static apr_status_t
stop_watchdog(void *data)
{
    int tries;

    (void)data;
    apr_thread_mutex_lock(table_lock);
    stopping = 1;
    apr_thread_cond_broadcast(table_cond);
    for (tries = 0; watchdog_running && tries < 50; tries++) {
        apr_thread_cond_timedwait(table_cond, table_lock,
                                  apr_time_from_msec(100));
    }
    apr_thread_mutex_unlock(table_lock);
    return APR_SUCCESS;
}

static void
start_watchdog(apr_pool_t *pchild, server_rec *s)
{
    apr_threadattr_t *attr;
    apr_thread_t *thd;
    sigset_t all, old;
    apr_status_t rv;

    if (apr_thread_cond_create(&table_cond, table_pool) != APR_SUCCESS
        || apr_threadattr_create(&attr, table_pool) != APR_SUCCESS
        || apr_threadattr_detach_set(attr, 1) != APR_SUCCESS) {
        mp_log_s(APLOG_ERR, s, MPLOGNO(0324) "cannot start the watchdog "
                 "thread: PythonRequestTimeout has no effect in process %"
                 APR_PID_T_FMT, getpid());
        return;
    }
    /* Signals are for the MPM's own thread(s): the new thread starts with
     * all of them blocked. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    watchdog_running = 1;
    rv = apr_thread_create(&thd, attr, watchdog_main, NULL, table_pool);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rv != APR_SUCCESS) {
        watchdog_running = 0;
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, "mod_python: "
                     MPLOGNO(0325) "cannot start the watchdog thread: "
                     "PythonRequestTimeout has no effect in process %"
                     APR_PID_T_FMT, getpid());
        return;
    }
    apr_pool_pre_cleanup_register(pchild, NULL, stop_watchdog);
}

void
mp_watch_child_init(apr_pool_t *pchild, server_rec *s)
{
    int used = configured(s);

    if (apr_pool_create_unmanaged_ex(&table_pool, NULL, NULL) != APR_SUCCESS
        || apr_thread_mutex_create(&table_lock, APR_THREAD_MUTEX_DEFAULT,
                                   table_pool) != APR_SUCCESS
        || apr_threadkey_private_create(&slot_key, NULL, table_pool)
           != APR_SUCCESS) {
        table_lock = NULL;
        mp_log_s(APLOG_ERR, s, MPLOGNO(0326) "cannot make the table of "
                 "running Python calls: PythonRequestTimeout has no effect "
                 "and mod_python._stacks shows no URIs in process %"
                 APR_PID_T_FMT, getpid());
        return;
    }
    /* With -X (ONE_PROCESS) the one process is the whole server. */
    restart_supported = is_prefork()
                        && !ap_exists_config_define("ONE_PROCESS");
    if (used & MP_TIMEOUTS_SET) {
        start_watchdog(pchild, s);
    }
}

PyDoc_STRVAR(running_calls_doc,
"running_calls()\n--\n\n"
"The Python calls this process is running, as a list of tuples\n"
"(thread_id, interpreter, uri, what, seconds, timeout): the Python id of\n"
"the thread, the interpreter's name, \"METHOD /uri\" (or \"(no request)\"),\n"
"the phase or filter and its handler, whole seconds since the call\n"
"began, and its PythonRequestTimeout (0 for none).");

static PyObject *
running_calls(PyObject *module, PyObject *noargs)
{
    apr_time_t now = apr_time_now();
    overdue *copy;
    PyObject *list, *item;
    slot *sl;
    int n = 0, i;

    (void)module;
    (void)noargs;
    if (table_lock == NULL) {
        return PyList_New(0);
    }
    /* Copied under the lock, turned into objects after it: making objects
     * may run arbitrary Python code, which could come back here. */
    apr_thread_mutex_lock(table_lock);
    for (sl = slots; sl != NULL; sl = sl->next) {
        n += sl->depth > 0;
    }
    copy = PyMem_RawCalloc(n ? n : 1, sizeof(*copy));
    if (copy == NULL) {
        apr_thread_mutex_unlock(table_lock);
        return PyErr_NoMemory();
    }
    for (i = 0, sl = slots; sl != NULL && i < n; sl = sl->next) {
        if (sl->depth > 0) {
            copy[i].thread_id = sl->thread_id;
            copy[i].ip = sl->ip;
            copy[i].seconds = (long)apr_time_sec(now - sl->start);
            copy[i].timeout = (long)apr_time_sec(sl->timeout);
            slot_text(sl, copy[i].uri, sizeof(copy[i].uri), copy[i].what,
                      sizeof(copy[i].what));
            i++;
        }
    }
    apr_thread_mutex_unlock(table_lock);

    list = PyList_New(0);
    for (i = 0; list != NULL && i < n; i++) {
        /* A URI is bytes: undecodable ones come back as surrogates. */
        item = Py_BuildValue("(ksNNll)", copy[i].thread_id,
                             copy[i].ip ? copy[i].ip->name : "",
                             mp_str_from_path(copy[i].uri),
                             mp_str_from_path(copy[i].what),
                             copy[i].seconds, copy[i].timeout);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_CLEAR(list);
        }
        Py_XDECREF(item);
    }
    PyMem_RawFree(copy);
    return list;
}

PyMethodDef mp_watch_functions[] = {
    {"running_calls", running_calls, METH_NOARGS, running_calls_doc},
    {NULL, NULL, 0, NULL}
};
