/*
 * deferflush.h -- the flush that req.write(data) promises, sent at the
 * last moment it can matter.
 *
 * The manual's write(data) sends data to the client and flushes.  Taken
 * literally, every handler that ends with req.write(page); return OK pays
 * for two trips down the filter chain and a chunked response, though the
 * flush could not make the bytes arrive one instant sooner: the response
 * ends right after it.  So write(data) puts its flush off, by installing a
 * one-shot trace function on the calling thread that watches the frame
 * which called write():
 *
 *   - while that frame only loads values (a constant, a global, an
 *     attribute, a local) or discards one, nothing is sent;
 *   - anything else it does -- a call, a store, a jump, an exception, a new
 *     frame -- first sends the flush, and the tracer goes away;
 *   - when it returns to the dispatcher, the tracer goes away and the flush
 *     stays pending: the dispatcher flushes before running another handler
 *     of the chain, and dispatch.c drops it when the content handler ended
 *     the response (Apache sends everything then, with a Content-Length),
 *     and flushes it otherwise.
 *
 * So whatever the handler does after write(), the client has the bytes
 * before it starts; only the flush that nothing follows is saved.  When a
 * tracer is already installed (pdb, coverage, a profiler using settrace),
 * or on Python 3.12 and later, where installing a tracer re-instruments
 * every code object, write() flushes at once as before.
 *
 * All functions run with the GIL held.
 */
#ifndef MP_DEFERFLUSH_H
#define MP_DEFERFLUSH_H

#include "requestobject.h"

/* Put the flush write() was asked for off, as above.  1: deferred;
 * 0: cannot be deferred here, flush now. */
int mp_flush_defer(mp_request *req);

/* Flush now: what write(..., 0) gathered, then Apache's buffers, to the
 * client (req.flush(), and a deferred flush when its time comes).  0, or
 * -1 with OSError set when the client has gone. */
int mp_flush_now(mp_request *req);

/* Send a pending flush now (the tracer, if installed, is removed first).
 * 0, or -1 with OSError set when the client has gone. */
int mp_flush_settle(mp_request *req);

/* The phase's handlers have returned: forget a pending flush if the
 * content handler ended the response with status, else send it.  Errors
 * are not reported: the client is gone and nobody is left to tell. */
void mp_flush_phase_end(mp_request *req, int is_content_phase, int status);

/* The request is ending: drop a pending flush and the tracer. */
void mp_flush_forget(mp_request *req);

#endif /* MP_DEFERFLUSH_H */
