/*
 * requestmethods.h -- request methods that are thin calls of Apache's
 * request API (allow_methods, get_remote_host, internal_redirect,
 * sendfile, ...) and the request members built from Apache structures
 * (finfo, parsed_uri, ...).  They live apart from requestobject.c, which
 * holds the object itself, its life cycle and body I/O; requestobject.c
 * lists them in the type's method and member tables.
 *
 * All follow CPython's calling conventions: a new reference, or NULL with
 * an exception set; setters 0 or -1.
 */
#ifndef MP_REQUESTMETHODS_H
#define MP_REQUESTMETHODS_H

#include "requestobject.h"

#define MP_REQUEST_APACHE_METHODS \
    {"add_common_vars", mp_req_add_common_vars, METH_NOARGS, \
     mp_req_add_common_vars_doc}, \
    {"add_cgi_vars", mp_req_add_cgi_vars, METH_NOARGS, \
     mp_req_add_cgi_vars_doc}, \
    {"allow_methods", mp_req_allow_methods, METH_VARARGS, \
     mp_req_allow_methods_doc}, \
    {"get_remote_host", mp_req_get_remote_host, METH_VARARGS, \
     mp_req_get_remote_host_doc}, \
    {"is_https", mp_req_is_https, METH_NOARGS, mp_req_is_https_doc}, \
    {"ssl_var_lookup", mp_req_ssl_var_lookup, METH_VARARGS, \
     mp_req_ssl_var_lookup_doc}, \
    {"set_content_length", mp_req_set_content_length, METH_VARARGS, \
     mp_req_set_content_length_doc}, \
    {"meets_conditions", mp_req_meets_conditions, METH_NOARGS, \
     mp_req_meets_conditions_doc}, \
    {"internal_redirect", mp_req_internal_redirect, METH_VARARGS, \
     mp_req_internal_redirect_doc}, \
    {"sendfile", mp_req_sendfile, METH_VARARGS, mp_req_sendfile_doc}, \
    {"requires", mp_req_requires, METH_NOARGS, mp_req_requires_doc}, \
    MP_REQ_METHOD(construct_url, METH_VARARGS) \
    MP_REQ_METHOD(set_etag, METH_NOARGS) \
    MP_REQ_METHOD(set_last_modified, METH_NOARGS) \
    MP_REQ_METHOD(update_mtime, METH_VARARGS) \
    MP_REQ_METHOD(discard_request_body, METH_NOARGS) \
    MP_REQ_METHOD(auth_name, METH_NOARGS) \
    MP_REQ_METHOD(auth_type, METH_NOARGS) \
    MP_REQ_METHOD(send_http_header, METH_NOARGS) \
    MP_REQ_METHOD(add_input_filter, METH_VARARGS) \
    MP_REQ_METHOD(add_output_filter, METH_VARARGS) \
    MP_REQ_METHOD(register_input_filter, METH_VARARGS) \
    MP_REQ_METHOD(register_output_filter, METH_VARARGS) \
    MP_REQ_METHOD(get_addhandler_exts, METH_NOARGS)

#define MP_REQ_METHOD(name, flags) \
    {#name, mp_req_##name, flags, mp_req_##name##_doc},

#define MP_REQUEST_APACHE_GETSETS \
    {"finfo", mp_req_get_finfo, mp_req_set_finfo, mp_req_finfo_doc, \
     NULL}, \
    {"parsed_uri", mp_req_get_parsed_uri, NULL, mp_req_parsed_uri_doc, \
     NULL}, \
    {"allowed_xmethods", mp_req_get_allowed_xmethods, NULL, \
     mp_req_allowed_xmethods_doc, NULL}, \
    {"allowed_methods", mp_req_get_allowed_methods, NULL, \
     mp_req_allowed_methods_doc, NULL}, \
    {"content_languages", mp_req_get_content_languages, \
     mp_req_set_content_languages, mp_req_content_languages_doc, NULL},

#define MP_DECLARE_METHOD(name) \
    PyObject *name(PyObject *self, PyObject *args); \
    extern const char name##_doc[];
#define MP_DECLARE_GETTER(name) \
    PyObject *mp_req_get_##name(PyObject *self, void *closure); \
    extern const char mp_req_##name##_doc[];

MP_DECLARE_METHOD(mp_req_add_common_vars)
MP_DECLARE_METHOD(mp_req_add_cgi_vars)
MP_DECLARE_METHOD(mp_req_allow_methods)
MP_DECLARE_METHOD(mp_req_get_remote_host)
MP_DECLARE_METHOD(mp_req_is_https)
MP_DECLARE_METHOD(mp_req_ssl_var_lookup)
MP_DECLARE_METHOD(mp_req_set_content_length)
MP_DECLARE_METHOD(mp_req_meets_conditions)
MP_DECLARE_METHOD(mp_req_internal_redirect)
MP_DECLARE_METHOD(mp_req_sendfile)
MP_DECLARE_METHOD(mp_req_requires)
MP_DECLARE_METHOD(mp_req_construct_url)
MP_DECLARE_METHOD(mp_req_set_etag)
MP_DECLARE_METHOD(mp_req_set_last_modified)
MP_DECLARE_METHOD(mp_req_update_mtime)
MP_DECLARE_METHOD(mp_req_discard_request_body)
MP_DECLARE_METHOD(mp_req_auth_name)
MP_DECLARE_METHOD(mp_req_auth_type)
MP_DECLARE_METHOD(mp_req_send_http_header)
MP_DECLARE_METHOD(mp_req_add_input_filter)
MP_DECLARE_METHOD(mp_req_add_output_filter)
MP_DECLARE_METHOD(mp_req_register_input_filter)
MP_DECLARE_METHOD(mp_req_register_output_filter)
MP_DECLARE_METHOD(mp_req_get_addhandler_exts)
MP_DECLARE_GETTER(finfo)
MP_DECLARE_GETTER(parsed_uri)
MP_DECLARE_GETTER(allowed_xmethods)
MP_DECLARE_GETTER(allowed_methods)
MP_DECLARE_GETTER(content_languages)
int mp_req_set_finfo(PyObject *self, PyObject *value, void *closure);
int mp_req_set_content_languages(PyObject *self, PyObject *value,
                                 void *closure);

/* Put r's CGI variables in r->subprocess_env: Apache's common ones
 * (ap_add_common_vars) when common is true, the CGI/1.1 request ones
 * (ap_add_cgi_vars) when cgi is true.  GIL held on entry; released
 * while Apache works. */
void mp_req_cgi_vars(request_rec *r, int common, int cgi);

#endif /* MP_REQUESTMETHODS_H */
