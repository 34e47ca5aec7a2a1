/*
 * filterobject.h -- Python input and output filters (manual 4.3, 4.5.5,
 * 5.2): the filter object (mp_filter) and the Apache filter functions
 * that drive it.
 *
 * PythonInputFilter/PythonOutputFilter register a named filter with Apache
 * at configuration time; Add/SetInputFilter and Add/SetOutputFilter put it
 * on requests.  Each time Apache calls the filter, a filter object is made
 * for that call only: an output filter's read() takes from the brigade
 * Apache handed in and write() collects into a brigade passed to the next
 * filter (on flush(), close() or return); an input filter's read() asks
 * the next filter and write() fills the brigade Apache asked for.  The
 * object is cut off when the call returns (later use raises
 * RuntimeError); state between calls belongs in attributes of filter.req.
 *
 * Brigades and buckets belong to Apache (request pool, connection bucket
 * allocator).  The GIL is released around every call into the filter
 * chain, since the next filter may be a Python filter too.
 */
#ifndef MP_FILTEROBJECT_H
#define MP_FILTEROBJECT_H

#include "mp_common.h"
#include "config.h"
#include "interpreter.h"

int mp_filter_init_type(PyObject *module, mp_module_state *st);

/* Are Python filters on r?  (Its request object must then outlive the
 * content handler: filters run until the end of the response.) */
int mp_request_has_python_filters(request_rec *r);

/* Register fc's filter with Apache (configuration time). */
void mp_filter_register(mp_filter_config *fc);

/* A filter object for the Python code of one <!--#python --> element
 * (ssi.h): write() and flush() append to bb, the brigade mod_include
 * handed the element, which it sends on in page order; read() gives None,
 * close() only closes the object.  filter.req is r's request object in
 * ip.  New reference, or NULL with an exception set.  GIL held in ip. */
PyObject *mp_filter_ssi(mp_interp *ip, ap_filter_t *f,
                        apr_bucket_brigade *bb);

/* Cut a filter object off from Apache once its call has returned: later
 * use raises RuntimeError. */
void mp_filter_cut(PyObject *filter);

/* The name under which Apache knows the filters of
 * req.register_input_filter()/register_output_filter() (one input and
 * one output filter stand for all of them); registered at configuration
 * time by mp_filter_register_request_filters(). */
#define MP_REQUEST_FILTER_NAME "MOD_PYTHON"
void mp_filter_register_request_filters(void);

/* Put fc, a filter registered for request r alone (r->pool), on r's
 * input or output chain.  0, or -1 when Apache refused. */
int mp_filter_add_to_request(request_rec *r, const mp_filter_config *fc);

#endif /* MP_FILTEROBJECT_H */
