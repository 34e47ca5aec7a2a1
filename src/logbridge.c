/*
 * logbridge.c -- Python's logging and standard streams into Apache's error
 * log (see logbridge.h).
 */
#include "logbridge.h"
#include "requestobject.h"
#include "_apachemodule.h"
#include "mp_log.h"
#include "apr_strings.h"

/* The live request_rec of req, or NULL for None or an ended request;
 * -1 with an exception set when req is something else. */
static int
live_request(PyObject *module, PyObject *req, request_rec **r)
{
    mp_module_state *st = PyModule_GetState(module);

    *r = NULL;
    if (req == Py_None) {
        return 0;
    }
    if (!PyObject_TypeCheck(req, st->request_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "expected a request object or None");
        return -1;
    }
    *r = ((mp_request *)req)->r;
    return 0;
}

static int
level_arg(int level)
{
    if (level < APLOG_EMERG || level > APLOG_TRACE8) {
        PyErr_Format(PyExc_ValueError, "%d is not an APLOG_* level", level);
        return -1;
    }
    return 0;
}

const char mp_log_enabled_doc[] =
    "_log_enabled(level, req, /)\n--\n\n"
    "True when Apache would write an entry of this APLOG_* level for the\n"
    "python module: the request's LogLevel when req is a live request,\n"
    "the main server's otherwise.";

PyObject *
mp_log_enabled(PyObject *module, PyObject *args)
{
    int level;
    PyObject *req;
    request_rec *r;

    if (!PyArg_ParseTuple(args, "iO:_log_enabled", &level, &req)
        || level_arg(level) < 0 || live_request(module, req, &r) < 0) {
        return NULL;
    }
    /* The macros read the level of APLOG_MODULE_INDEX, ours, so that
     * `LogLevel python:debug` applies. */
    if (r != NULL) {
        return PyBool_FromLong(APLOG_R_IS_LEVEL(r, level));
    }
    return PyBool_FromLong(APLOG_IS_LEVEL(mp_apache_main_server(), level));
}

const char mp_log_write_doc[] =
    "_log_write(level, message, req, /)\n--\n\n"
    "Write message as one error log entry at this APLOG_* level: against\n"
    "the request (Apache adds the client's address) when req is a live\n"
    "request, against the main server otherwise.";

PyObject *
mp_log_write(PyObject *module, PyObject *args)
{
    int level;
    PyObject *msg, *req, *bytes;
    request_rec *r;
    server_rec *s = mp_apache_main_server();
    const char *text;

    if (!PyArg_ParseTuple(args, "iUO:_log_write", &level, &msg, &req)
        || level_arg(level) < 0 || live_request(module, req, &r) < 0) {
        return NULL;
    }
    /* Lone surrogates (undecodable bytes a handler read) are written as
     * escapes rather than refused: a log call must not fail. */
    bytes = PyUnicode_AsEncodedString(msg, "utf-8", "backslashreplace");
    if (bytes == NULL) {
        return NULL;
    }
    text = PyBytes_AS_STRING(bytes);
    /* Writing may block on the log file or pipe. */
    Py_BEGIN_ALLOW_THREADS
    if (r != NULL) {
        ap_log_rerror(APLOG_MARK, level, 0, r, "%s", text);
    }
    else {
        ap_log_error(APLOG_MARK, level, 0, s, "%s", text);
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(bytes);
    Py_RETURN_NONE;
}

/* The APLOG_* level of a LogLevel word ("debug", "trace3"), or -1. */
static int
level_of_word(const char *word)
{
    static const char *const names[] = {
        "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"
    };
    int i;

    for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
        if (strcasecmp(word, names[i]) == 0) {
            return i;
        }
    }
    if (strncasecmp(word, "trace", 5) == 0 && word[5] >= '1'
        && word[5] <= '8' && word[6] == '\0') {
        return APLOG_DEBUG + (word[5] - '0');
    }
    return -1;
}

/* The level one LogLevel line gives the python module, or -1: its
 * "python:LEVEL" word when it has one, else its plain LEVEL word. */
static int
python_level_of_line(apr_pool_t *p, const char *args)
{
    const char *word;
    char *colon;
    int plain = -1, ours = -1;

    while (*args && (word = ap_getword_conf(p, &args)) != NULL
           && *word) {
        colon = strchr(word, ':');
        if (colon == NULL) {
            plain = level_of_word(word);
            continue;
        }
        *colon = '\0';
        if (strcmp(word, "python") == 0 || strcmp(word, "mod_python") == 0
            || strcmp(word, "mod_python.c") == 0
            || strcmp(word, "python_module") == 0) {
            ours = level_of_word(colon + 1);
        }
    }
    return ours >= 0 ? ours : plain;
}

static int
most_verbose(apr_pool_t *p, const ap_directive_t *d, int found)
{
    int level;

    for (; d != NULL; d = d->next) {
        if (strcasecmp(d->directive, "LogLevel") == 0 && d->args != NULL) {
            level = python_level_of_line(p, d->args);
            if (level > found) {
                found = level;
            }
        }
        if (d->first_child != NULL) {
            found = most_verbose(p, d->first_child, found);
        }
    }
    return found;
}

const char mp_log_python_level_doc[] =
    "_log_python_level()\n--\n\n"
    "The most verbose APLOG_* level any LogLevel line of the server\n"
    "configuration (global, virtual host or section) gives the python\n"
    "module; APLOG_WARNING, Apache's default, when none does.";

PyObject *
mp_log_python_level(PyObject *module, PyObject *noargs)
{
    /* The configuration does not change while a child lives: one walk
     * per process, whatever the number of interpreters.  Two threads may
     * both walk; they find the same answer. */
    static int level = -1;
    apr_pool_t *p;

    (void)module;
    (void)noargs;
    if (level < 0) {
        if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
            return PyErr_NoMemory();
        }
        level = most_verbose(p, ap_conftree, APLOG_WARNING);
        apr_pool_destroy(p);
    }
    return PyLong_FromLong(level);
}
