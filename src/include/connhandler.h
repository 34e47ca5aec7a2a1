/*
 * connhandler.h -- PythonConnectionHandler: Python serving whole
 * connections (manual 4.4, 5.3.1).
 *
 * The process_connection hook hands a connection whose (IP-based) virtual
 * host has a PythonConnectionHandler to mod_python._dispatch
 * .dispatch_connection, with a connection object that can read and write
 * the raw stream; the connection object is cut off when the handler
 * returns.  Connections of servers without one are DECLINED untouched, so
 * HTTP goes on as usual.
 */
#ifndef MP_CONNHANDLER_H
#define MP_CONNHANDLER_H

#include "mp_common.h"

/* The process_connection hook: OK when Python served c, else DECLINED. */
int mp_process_connection(conn_rec *c);

#endif /* MP_CONNHANDLER_H */
