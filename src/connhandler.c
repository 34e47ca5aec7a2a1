/*
 * connhandler.c -- PythonConnectionHandler (see connhandler.h).
 */
#include "connhandler.h"
#include "config.h"
#include "connobject.h"
#include "interpreter.h"
#include "mp_log.h"

int
mp_process_connection(conn_rec *c)
{
    server_rec *s = c->base_server;
    mp_server_config *sconf = mp_server_conf(s);
    mp_dir_config *dconf;
    const char *name;
    mp_interp *ip;
    PyObject *dispatch, *conn, *result;

    if (sconf->connection_handler == NULL) {
        return DECLINED;
    }
    /* Server-level directives (PythonInterpreter, PythonDebug,
     * PythonPath...) apply; there is no directory at this stage. */
    dconf = ap_get_module_config(s->lookup_defaults, &python_module);
    name = dconf->interpreter ? dconf->interpreter
         : s->server_hostname ? s->server_hostname : MP_MAIN_INTERPRETER;
    ip = mp_interp_acquire(name, s);
    if (ip == NULL) {
        return DECLINED;
    }
    dispatch = mp_interp_entry(ip, s, MP_ENTRY_CONNECTION);
    if (dispatch == NULL) {
        mp_interp_release(ip);
        /* Better a closed connection than HTTP spoken to a non-HTTP
         * protocol's client. */
        c->aborted = 1;
        return OK;
    }
    conn = mp_conn_new(ip->state, c);
    if (conn == NULL) {
        mp_log_python_error(NULL, s, "creating the connection object");
        mp_interp_release(ip);
        c->aborted = 1;
        return OK;
    }
    result = PyObject_CallFunction(dispatch, "Osiiz", conn,
                                   sconf->connection_handler,
                                   mp_flag_on(dconf->debug, 0),
                                   mp_flag_on(dconf->autoreload, 1),
                                   dconf->python_path);
    if (result == NULL) {
        mp_log_s(APLOG_ERR, s, MP_DISPATCH_FAILED,
                 "the connection dispatcher failed");
        mp_log_python_error(NULL, s, "dispatching a connection");
    }
    Py_XDECREF(result);
    mp_conn_end(conn);
    Py_DECREF(conn);
    mp_interp_release(ip);
    /* The connection was Python's, whatever the handler returned. */
    return OK;
}
