/*
 * pyconfig.c -- Config objects for the dispatcher (see pyconfig.h).
 */
#include "pyconfig.h"
#include "convert.h"

/* What makes two Configs the same: the directives' values and the
 * handler list's identity.  PythonPath's text follows this header in
 * the key, so equal texts from different sections share a Config. */
typedef struct {
    const mp_handler *handlers;
    int n;
    int is_input;
    int debug, autoreload, enable_pdb;
    int has_path;
} config_key;

static PyObject *
handler_tuple(const mp_handler *h, int is_input)
{
    PyObject *dir;

    if (h->directory != NULL) {
        if ((dir = mp_str_from_path(h->directory)) == NULL) {
            return NULL;
        }
    }
    else {
        dir = Py_NewRef(Py_None);
    }
    return Py_BuildValue("(sNOO)", h->handler, dir,
                         h->silent ? Py_True : Py_False,
                         is_input < 0 ? Py_None
                                      : is_input ? Py_True : Py_False);
}

static PyObject *
make_config(mp_interp *ip, const config_key *k, const char *python_path)
{
    PyObject *factory = ip->entries[MP_ENTRY_CONFIG], *entries, *item;
    int i;

    if (factory == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "mod_python._dispatch is not loaded");
        return NULL;
    }
    entries = PyTuple_New(k->n);
    if (entries == NULL) {
        return NULL;
    }
    for (i = 0; i < k->n; i++) {
        item = handler_tuple(&k->handlers[i], k->is_input);
        if (item == NULL) {
            Py_DECREF(entries);
            return NULL;
        }
        PyTuple_SET_ITEM(entries, i, item);
    }
    return PyObject_CallFunction(factory, "OOzON",
                                 k->debug ? Py_True : Py_False,
                                 k->autoreload ? Py_True : Py_False,
                                 python_path,
                                 k->enable_pdb ? Py_True : Py_False,
                                 entries);
}

PyObject *
mp_pyconfig(mp_interp *ip, const mp_dir_config *conf,
            const mp_handler *handlers, int n, int is_input)
{
    config_key k;
    char buf[sizeof(config_key) + 256], *key;
    void *stored;
    apr_size_t path_len, key_len;
    PyObject *config;
    int i;

    memset(&k, 0, sizeof(k));
    k.handlers = n > 0 ? handlers : NULL;
    k.n = n;
    k.is_input = is_input;
    k.debug = mp_flag_on(conf->debug, 0);
    k.autoreload = mp_flag_on(conf->autoreload, 1);
    k.enable_pdb = mp_flag_on(conf->enable_pdb, 0);
    k.has_path = conf->python_path != NULL;
    for (i = 0; i < n; i++) {
        if (!handlers[i].persistent) {
            /* .htaccess: for this request only. */
            return make_config(ip, &k, conf->python_path);
        }
    }
    path_len = conf->python_path ? strlen(conf->python_path) : 0;
    key_len = sizeof(k) + path_len;
    key = key_len <= sizeof(buf) ? buf : malloc(key_len);
    if (key == NULL) {
        return PyErr_NoMemory();
    }
    memcpy(key, &k, sizeof(k));
    if (path_len > 0) {
        memcpy(key + sizeof(k), conf->python_path, path_len);
    }
    config = apr_hash_get(ip->configs, key, (apr_ssize_t)key_len);
    if (config != NULL) {
        if (key != buf) {
            free(key);
        }
        return Py_NewRef(config);
    }
    config = make_config(ip, &k, conf->python_path);
    if (config == NULL) {
        if (key != buf) {
            free(key);
        }
        return NULL;
    }
    /* The cache owns one reference, and the key a copy in the cache's
     * pool, for the life of the child. */
    stored = apr_pmemdup(apr_hash_pool_get(ip->configs), key, key_len);
    apr_hash_set(ip->configs, stored, (apr_ssize_t)key_len,
                 Py_NewRef(config));
    if (key != buf) {
        free(key);
    }
    return config;
}
