/*
 * deferflush.c -- write()'s flush, put off until something follows it.
 * See deferflush.h for the rules.
 */
#include "deferflush.h"
#include <opcode.h>

/* Installing a tracer is cheap up to 3.11 (a pointer in the thread
 * state); from 3.12 on it switches sys.monitoring on for every code
 * object, which costs more than the flush it would save. */
#if PY_VERSION_HEX >= 0x030C0000
#define MP_DEFER_FLUSH 0
#else
#define MP_DEFER_FLUSH 1
#endif

/* ---- sending ---------------------------------------------------------- */

/* Stop watching: remove our tracer (only ours) and let the frame go back
 * to plain line events.  Keeps the current exception, if any. */
static void
stop_watching(mp_request *req)
{
    PyThreadState *ts = PyThreadState_Get();
    PyObject *type, *value, *tb;

    if (req->flush_frame == NULL) {
        return;
    }
    PyErr_Fetch(&type, &value, &tb);
    if (ts->c_traceobj == (PyObject *)req) {
        PyEval_SetTrace(NULL, NULL);
    }
    if (PyObject_SetAttrString((PyObject *)req->flush_frame,
                               "f_trace_opcodes", Py_False) < 0) {
        PyErr_Clear();
    }
    req->flush_frame = NULL;
    Py_CLEAR(req->flush_code);
    PyErr_Restore(type, value, tb);
}

int
mp_flush_now(mp_request *req)
{
    int rc;

    stop_watching(req);
    req->flush_pending = 0;
    if (req->r == NULL) {
        return 0;
    }
    if (mp_request_drain((PyObject *)req) < 0) {
        return -1;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = ap_rflush(req->r);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        PyErr_SetString(PyExc_OSError,
                        "flush failed: the client closed the connection");
        return -1;
    }
    return 0;
}

int
mp_flush_settle(mp_request *req)
{
    return req->flush_pending ? mp_flush_now(req) : 0;
}

void
mp_flush_forget(mp_request *req)
{
    stop_watching(req);
    req->flush_pending = 0;
}

void
mp_flush_phase_end(mp_request *req, int is_content_phase, int status)
{
    req->dispatching = 0;
    req->dispatch_frame = NULL;
    if (!req->flush_pending
        || (is_content_phase && (status == OK || status == DONE))) {
        /* Nothing to send, or Apache ends the response now and sends it
         * all. */
        mp_flush_forget(req);
        return;
    }
    if (mp_flush_now(req) < 0) {
        PyErr_Clear();
    }
}

/* ---- watching the frame ----------------------------------------------- */

/* Instructions that only load or drop a value: the frame running them is
 * about to return (or to do something that will end the wait).  A load of
 * an attribute might run a property, but that runs in a new frame and so
 * ends the wait too. */
static int
opcode_is_inert(int op)
{
    switch (op) {
    case CACHE:
    case POP_TOP:
    case PUSH_NULL:
    case NOP:
    case RESUME:
    case EXTENDED_ARG:
    case LOAD_CONST:
    case LOAD_FAST:
    case LOAD_GLOBAL:
    case LOAD_ATTR:
    case LOAD_DEREF:
    case LOAD_CLOSURE:
    case RETURN_VALUE:
        return 1;
    default:
        return 0;
    }
}

/* Whether the instruction the watched frame is about to run is inert. */
static int
next_is_inert(mp_request *req, PyFrameObject *frame)
{
    int lasti = PyFrame_GetLasti(frame);

    if (req->flush_code == NULL) {
        PyCodeObject *code = PyFrame_GetCode(frame);

        /* The unspecialised bytecode: the one opcode.h numbers. */
        req->flush_code = PyCode_GetCode(code);
        Py_DECREF(code);
        if (req->flush_code == NULL) {
            PyErr_Clear();
            return 0;
        }
    }
    if (lasti < 0 || lasti >= PyBytes_GET_SIZE(req->flush_code)) {
        return 0;
    }
    return opcode_is_inert(
        (unsigned char)PyBytes_AS_STRING(req->flush_code)[lasti]);
}

static int
returns_to_dispatcher(mp_request *req, PyFrameObject *frame)
{
    PyFrameObject *back = PyFrame_GetBack(frame);
    /* NULL, when fastdispatch.c called the handler from C. */
    int yes = req->dispatching && back == req->dispatch_frame;

    Py_XDECREF(back);
    return yes;
}

static int
flush_tracer(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
    mp_request *req = (mp_request *)obj;

    if (frame == req->flush_frame) {
        switch (what) {
        case PyTrace_LINE:
            return 0;           /* the opcode events decide */
        case PyTrace_OPCODE:
            if (next_is_inert(req, frame)) {
                return 0;
            }
            break;
        case PyTrace_RETURN:
            if (arg != NULL && returns_to_dispatcher(req, frame)) {
                stop_watching(req);     /* pending, for dispatch.c */
                return 0;
            }
            break;
        default:
            break;
        }
    }
    /* Something follows the write: the client gets the bytes first.  A
     * client that has gone is not an error of this instruction; the next
     * write() or flush() reports it. */
    if (mp_flush_now(req) < 0) {
        PyErr_Clear();
    }
    return 0;
}

int
mp_flush_defer(mp_request *req)
{
#if MP_DEFER_FLUSH
    PyThreadState *ts = PyThreadState_Get();
    PyFrameObject *frame;

    if (!req->dispatching || ts->c_tracefunc != NULL) {
        return 0;
    }
    frame = PyEval_GetFrame();          /* the caller of write() */
    if (frame == NULL) {
        return 0;
    }
    if (PyObject_SetAttrString((PyObject *)frame, "f_trace_opcodes",
                               Py_True) < 0) {
        PyErr_Clear();
        return 0;
    }
    PyEval_SetTrace(flush_tracer, (PyObject *)req);
    if (ts->c_tracefunc != flush_tracer) {
        /* An audit hook refused sys.settrace. */
        PyErr_Clear();
        if (PyObject_SetAttrString((PyObject *)frame, "f_trace_opcodes",
                                   Py_False) < 0) {
            PyErr_Clear();
        }
        return 0;
    }
    req->flush_frame = frame;
    req->flush_pending = 1;
    return 1;
#else
    (void)req;
    return 0;
#endif
}
