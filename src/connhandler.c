/*
 * connhandler.c -- PythonConnectionHandler (see connhandler.h).
 */
#include "connhandler.h"
#include "config.h"
#include "connobject.h"
#include "pycall.h"
#include "pyconfig.h"
#include "mp_log.h"

typedef struct {
    conn_rec *c;
    const mp_handler *handler;
    const mp_dir_config *conf;
    PyObject *conn;             /* the connection object, once made      */
} conn_call;

static PyObject *
conn_prepare(mp_pycall *call, mp_interp *ip)
{
    conn_call *cc = call->data;
    PyObject *dispatch, *config, *todo;

    dispatch = mp_interp_entry(ip, call->s, MP_ENTRY_CONNECTION);
    if (dispatch == NULL) {
        return NULL;
    }
    cc->conn = mp_conn_new(ip->state, cc->c);
    if (cc->conn == NULL) {
        return NULL;
    }
    config = mp_pyconfig(ip, cc->conf, cc->handler, 1, -1);
    if (config == NULL) {
        return NULL;
    }
    todo = PyTuple_Pack(3, dispatch, cc->conn, config);
    Py_DECREF(config);
    return todo;
}

static int
conn_finish(mp_pycall *call, mp_interp *ip, PyObject *result, int status)
{
    conn_call *cc = call->data;

    (void)ip;
    if (cc->conn != NULL) {
        mp_conn_end(cc->conn);
        Py_CLEAR(cc->conn);
    }
    /* Better a closed connection than HTTP spoken to the client of
     * another protocol. */
    if (result == NULL) {
        cc->c->aborted = 1;
    }
    return status;
}

int
mp_process_connection(conn_rec *c)
{
    server_rec *s = c->base_server;
    mp_server_config *sconf = mp_server_conf(s);
    conn_call cc;
    mp_pycall call = {0};
    const char *name;

    if (sconf->connection == NULL) {
        return DECLINED;
    }
    /* Server-level directives (PythonInterpreter, PythonDebug,
     * PythonPath...) apply; there is no directory at this stage. */
    cc.c = c;
    cc.handler = sconf->connection;
    cc.conf = ap_get_module_config(s->lookup_defaults, &python_module);
    cc.conn = NULL;
    name = cc.conf->interpreter ? cc.conf->interpreter
         : s->server_hostname ? s->server_hostname : MP_MAIN_INTERPRETER;
    call.s = s;
    call.prepare = conn_prepare;
    call.finish = conn_finish;
    call.data = &cc;
    call.failed = MPLOGNO(0029) "the connection dispatcher failed";
    call.what = "PythonConnectionHandler";
    call.handler = cc.handler->handler;
    if (mp_pycall_run(&call, name) == HTTP_INTERNAL_SERVER_ERROR
        && cc.conn == NULL) {
        c->aborted = 1;
    }
    /* The connection was Python's, whatever the handler returned. */
    return OK;
}
