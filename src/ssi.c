/*
 * ssi.c -- the #python element of server-side includes (see ssi.h).
 */
#include "ssi.h"
#include "mod_include.h"
#include "filterobject.h"
#include "interpreter.h"
#include "pycall.h"
#include "pyconfig.h"
#include "mp_log.h"

static APR_OPTIONAL_FN_TYPE(ap_ssi_get_tag_and_value) *get_tag_and_value;

/* One element's call into Python, as pycall.h's prepare and finish. */
typedef struct {
    include_ctx_t *ctx;
    ap_filter_t *f;
    apr_bucket_brigade *bb;
    const char *kind;           /* "exec" or "eval" */
    const char *code;
    PyObject *filter;           /* the filter object, once made */
    int failed;
} ssi_call;

static PyObject *
ssi_prepare(mp_pycall *call, mp_interp *ip)
{
    ssi_call *sc = call->data;
    request_rec *r = sc->f->r;
    PyObject *entry, *config, *todo;

    entry = mp_interp_entry(ip, r->server, MP_ENTRY_SSI);
    if (entry == NULL) {
        return NULL;
    }
    sc->filter = mp_filter_ssi(ip, sc->f, sc->bb);
    if (sc->filter == NULL) {
        return NULL;
    }
    config = mp_pyconfig(ip, mp_dir_conf(r), NULL, 0, -1);
    if (config == NULL) {
        return NULL;
    }
    todo = Py_BuildValue("(OOssO)", entry, sc->filter, sc->kind, sc->code,
                         config);
    Py_DECREF(config);
    return todo;
}

static int
ssi_finish(mp_pycall *call, mp_interp *ip, PyObject *result, int status)
{
    ssi_call *sc = call->data;

    (void)ip;
    if (result != NULL && PyUnicode_Check(result)) {
        /* eval's value: str() of it, as UTF-8 like req.write's text. */
        Py_ssize_t len;
        const char *text = PyUnicode_AsUTF8AndSize(result, &len);

        if (text == NULL) {
            mp_log_exception(call->r, call->s, MPLOGNO(0105) "the value of "
                             "#python eval in %s cannot be written",
                             sc->f->r->filename);
            status = HTTP_INTERNAL_SERVER_ERROR;
        }
        else if (len > 0) {
            APR_BRIGADE_INSERT_TAIL(sc->bb, apr_bucket_heap_create(
                text, (apr_size_t)len, NULL, sc->f->c->bucket_alloc));
        }
    }
    if (sc->filter != NULL) {
        mp_filter_cut(sc->filter);
        Py_CLEAR(sc->filter);
    }
    sc->failed = result == NULL || status != 0;
    return status;
}

/* Apache's error string in the page, where the element was. */
static apr_status_t
element_error(include_ctx_t *ctx, ap_filter_t *f, apr_bucket_brigade *bb)
{
    SSI_CREATE_ERROR_BUCKET(ctx, f, bb);
    return APR_SUCCESS;
}

static apr_status_t
handle_python(include_ctx_t *ctx, ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    char *tag = NULL, *value = NULL;
    ssi_call sc = {0};
    mp_pycall call = {0};

    if (!(ctx->flags & SSI_FLAG_PRINTING)) {
        return APR_SUCCESS;     /* inside a false #if */
    }
    if (ctx->argc == 0) {
        mp_log_r(APLOG_ERR, r, MPLOGNO(0106) "#python without exec= or "
                 "eval= in %s", r->filename);
        return element_error(ctx, f, bb);
    }
    if (ctx->flags & SSI_FLAG_NO_EXEC) {
        mp_log_r(APLOG_ERR, r, MPLOGNO(0107) "#python in %s not run: "
                 "Options IncludesNOEXEC forbids running code there",
                 r->filename);
        return element_error(ctx, f, bb);
    }
    for (;;) {
        get_tag_and_value(ctx, &tag, &value, SSI_VALUE_DECODED);
        if (tag == NULL) {
            break;
        }
        if ((strcmp(tag, "exec") != 0 && strcmp(tag, "eval") != 0)
            || value == NULL || sc.kind != NULL) {
            mp_log_r(APLOG_ERR, r, MPLOGNO(0108) "#python in %s: "
                     "attribute '%s' %s; give one exec=\"code\" or "
                     "eval=\"expression\"", r->filename, tag,
                     sc.kind != NULL ? "after the code" : "is not exec= or "
                     "eval= with a value");
            return element_error(ctx, f, bb);
        }
        sc.kind = apr_pstrdup(r->pool, tag);
        sc.code = value;
    }
    sc.ctx = ctx;
    sc.f = f;
    sc.bb = bb;
    call.s = r->server;
    call.r = r;
    call.prepare = ssi_prepare;
    call.finish = ssi_finish;
    call.data = &sc;
    call.failed = MPLOGNO(0104) "the #python element dispatcher failed";
    sc.failed = 1;
    (void)mp_pycall_run(&call, mp_interpreter_name(r, MP_PHASE_HANDLER,
                                                   NULL));
    if (sc.failed) {
        return element_error(ctx, f, bb);
    }
    return APR_SUCCESS;
}

void
mp_ssi_register(void)
{
    APR_OPTIONAL_FN_TYPE(ap_register_include_handler) *reg;

    reg = APR_RETRIEVE_OPTIONAL_FN(ap_register_include_handler);
    get_tag_and_value = APR_RETRIEVE_OPTIONAL_FN(ap_ssi_get_tag_and_value);
    if (reg != NULL && get_tag_and_value != NULL) {
        reg("python", handle_python);
    }
}

int
mp_ssi_on(request_rec *r)
{
    ap_filter_t *f;

    for (f = r->output_filters; f != NULL; f = f->next) {
        if (strcasecmp(f->frec->name, "includes") == 0) {
            return 1;
        }
    }
    return 0;
}
