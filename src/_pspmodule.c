/*
 * _pspmodule.c -- the `_psp` module (see _pspmodule.h): parse() and
 * parsestring() of the manual's section 4.9, and the variants
 * mod_python.psp uses to map generated lines back to page lines.
 */
#include <errno.h>
#include <string.h>

#include "_pspmodule.h"
#include "psp_parser.h"

/* Turn a failed psp_result into a Python exception; returns NULL. */
static PyObject *
set_error(psp_result *res)
{
    PyObject *file = NULL, *exc = NULL;

    if (res->status == PSP_ENOMEM) {
        return PyErr_NoMemory();
    }
    if (res->err_file != NULL) {
        file = PyUnicode_DecodeFSDefault(res->err_file);
    }
    else {
        file = PyUnicode_FromString("<string>");
    }
    if (file == NULL) {
        return NULL;
    }
    if (res->status == PSP_EOS) {
        const char *why = strerror(res->err_errno);
        PyObject *msg;
        if (res->err_include_line > 0) {
            msg = PyUnicode_FromFormat(
                "%s (included from %s, line %d)", why,
                res->err_include_from ? res->err_include_from : "<string>",
                res->err_include_line);
        }
        else {
            msg = PyUnicode_FromString(why);
        }
        if (msg != NULL) {
            /* OSError(errno, ...) makes the subclass for the errno, e.g.
             * FileNotFoundError. */
            exc = PyObject_CallFunction(PyExc_OSError, "iOO",
                                        res->err_errno, msg, file);
            Py_DECREF(msg);
        }
        if (exc != NULL) {
            PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
            Py_DECREF(exc);
        }
    }
    else {
        /* A malformed page is a syntax error of the page: file and line
         * are shown the way Python shows its own. */
        /* The message may quote the page, which need not be UTF-8. */
        PyObject *msg = PyUnicode_DecodeUTF8(res->err_msg,
                                             (Py_ssize_t)strlen(res->err_msg),
                                             "replace");
        exc = msg ? Py_BuildValue("(N(OiOO))", msg, file, res->err_line,
                                  Py_None, Py_None) : NULL;
        if (exc != NULL) {
            PyErr_SetObject(PyExc_SyntaxError, exc);
            Py_DECREF(exc);
        }
    }
    Py_DECREF(file);
    return NULL;
}

/* The generated code as str.  Text the parser could not place in a str
 * is already written as bytes, so only Python code that is not UTF-8 can
 * fail here: reported as a SyntaxError on its page line. */
static PyObject *
code_str(psp_result *res)
{
    PyObject *s, *type, *value, *tb;
    Py_ssize_t start, i;
    size_t line = 0;
    int page;

    s = PyUnicode_DecodeUTF8(res->code.data, (Py_ssize_t)res->code.len,
                             "strict");
    if (s != NULL || !PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        return s;
    }
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value == NULL || PyUnicodeDecodeError_GetStart(value, &start) < 0) {
        PyErr_Restore(type, value, tb);
        return NULL;
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    for (i = 0; i < start; i++) {
        if (res->code.data[i] == '\n') {
            line++;
        }
    }
    page = line < res->nlines ? res->lines[line] : 0;
    if (page < 0) {
        snprintf(res->err_msg, sizeof(res->err_msg),
                 "Python code in the file included on this line is not "
                 "valid UTF-8");
        page = -page;
    }
    else {
        snprintf(res->err_msg, sizeof(res->err_msg),
                 "Python code is not valid UTF-8");
    }
    res->status = PSP_ESYNTAX;
    res->err_line = page;
    return set_error(res);
}

/* (code, lines, includes) for the *_map functions. */
static PyObject *
result_tuple(psp_result *res)
{
    PyObject *code = NULL, *lines = NULL, *includes = NULL, *item;
    size_t i;

    code = code_str(res);
    if (code == NULL) {
        goto fail;
    }
    lines = PyList_New((Py_ssize_t)res->nlines);
    if (lines == NULL) {
        goto fail;
    }
    for (i = 0; i < res->nlines; i++) {
        item = PyLong_FromLong(res->lines[i]);
        if (item == NULL) {
            goto fail;
        }
        PyList_SET_ITEM(lines, (Py_ssize_t)i, item);
    }
    includes = PyList_New((Py_ssize_t)res->nincludes);
    if (includes == NULL) {
        goto fail;
    }
    for (i = 0; i < res->nincludes; i++) {
        item = PyUnicode_DecodeFSDefault(res->includes[i]);
        if (item == NULL) {
            goto fail;
        }
        PyList_SET_ITEM(includes, (Py_ssize_t)i, item);
    }
    return Py_BuildValue("(NNN)", code, lines, includes);

fail:
    Py_XDECREF(code);
    Py_XDECREF(lines);
    Py_XDECREF(includes);
    return NULL;
}

static PyObject *
do_parse(PyObject *args, PyObject *kw, int with_map)
{
    static char *kwlist[] = {"filename", "dir", NULL};
    PyObject *filename = NULL, *dir = NULL, *dir_arg = Py_None, *ret;
    psp_result res;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kw,
                                     with_map ? "O&|O:_parse_map"
                                              : "O&|O:parse", kwlist,
                                     PyUnicode_FSConverter, &filename,
                                     &dir_arg)) {
        return NULL;
    }
    if (dir_arg != Py_None && !PyUnicode_FSConverter(dir_arg, &dir)) {
        Py_DECREF(filename);
        return NULL;
    }
    psp_result_init(&res);
    res.gather = with_map;      /* the code psp.py runs: see psp_parser.h */
    /* The parser touches no Python object: other threads may run. */
    Py_BEGIN_ALLOW_THREADS
    rc = psp_parse_file(PyBytes_AS_STRING(filename),
                        dir ? PyBytes_AS_STRING(dir) : NULL, &res);
    Py_END_ALLOW_THREADS
    Py_DECREF(filename);
    Py_XDECREF(dir);
    if (rc < 0) {
        ret = set_error(&res);
    }
    else {
        ret = with_map ? result_tuple(&res) : code_str(&res);
    }
    psp_result_free(&res);
    return ret;
}

static PyObject *
do_parsestring(PyObject *args, PyObject *kw, int with_map)
{
    static char *kwlist[] = {"string", "dir", NULL};
    PyObject *string, *dir_arg = Py_None, *dir = NULL, *encoded = NULL;
    PyObject *ret;
    Py_buffer view;
    psp_result res;
    int rc;

    if (with_map) {
        if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O:_parsestring_map",
                                         kwlist, &string, &dir_arg)) {
            return NULL;
        }
    }
    else if (kw != NULL && PyDict_GET_SIZE(kw) != 0) {
        PyErr_SetString(PyExc_TypeError,
                        "parsestring() takes no keyword arguments");
        return NULL;
    }
    else if (!PyArg_ParseTuple(args, "O:parsestring", &string)) {
        return NULL;
    }
    if (PyUnicode_Check(string)) {
        encoded = PyUnicode_AsUTF8String(string);
        if (encoded == NULL) {
            return NULL;
        }
        string = encoded;
    }
    if (PyObject_GetBuffer(string, &view, PyBUF_SIMPLE) < 0) {
        Py_XDECREF(encoded);
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Format(PyExc_TypeError,
                         "parsestring() needs str or bytes, not %.100s",
                         Py_TYPE(string)->tp_name);
        }
        return NULL;
    }
    if (dir_arg != Py_None && !PyUnicode_FSConverter(dir_arg, &dir)) {
        PyBuffer_Release(&view);
        Py_XDECREF(encoded);
        return NULL;
    }
    psp_result_init(&res);
    res.gather = with_map;
    Py_BEGIN_ALLOW_THREADS
    rc = psp_parse_string(view.buf, (size_t)view.len,
                          dir ? PyBytes_AS_STRING(dir) : NULL, &res);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    Py_XDECREF(encoded);
    Py_XDECREF(dir);
    if (rc < 0) {
        ret = set_error(&res);
    }
    else {
        ret = with_map ? result_tuple(&res) : code_str(&res);
    }
    psp_result_free(&res);
    return ret;
}

PyDoc_STRVAR(parse_doc,
"parse($module, /, filename, dir=None)\n--\n\n"
"Read the PSP page dir + filename and return the Python code it becomes.\n"
"\n"
"dir and filename are simply concatenated.  With dir, include directives\n"
"may name files relative to it.  Raises OSError when a file cannot be read\n"
"and SyntaxError for a malformed page (e.g. '<%' without '%>').");

static PyObject *
psp_parse(PyObject *module, PyObject *args, PyObject *kw)
{
    (void)module;
    return do_parse(args, kw, 0);
}

PyDoc_STRVAR(parsestring_doc,
"parsestring($module, string, /)\n--\n\n"
"Return the Python code the PSP page in string (str or bytes) becomes.");

static PyObject *
psp_parsestring(PyObject *module, PyObject *args, PyObject *kw)
{
    (void)module;
    return do_parsestring(args, kw, 0);
}

PyDoc_STRVAR(parse_map_doc,
"_parse_map($module, /, filename, dir=None)\n--\n\n"
"Like parse(), but return (code, lines, includes): lines[i] is the page\n"
"line that line i + 1 of code comes from (-n: from a file included on\n"
"page line n), includes the files include directives read.");

static PyObject *
psp_parse_map(PyObject *module, PyObject *args, PyObject *kw)
{
    (void)module;
    return do_parse(args, kw, 1);
}

PyDoc_STRVAR(parsestring_map_doc,
"_parsestring_map($module, /, string, dir=None)\n--\n\n"
"Like parsestring(), but return (code, lines, includes) as _parse_map()\n"
"does; relative include paths are taken relative to dir.");

static PyObject *
psp_parsestring_map(PyObject *module, PyObject *args, PyObject *kw)
{
    (void)module;
    return do_parsestring(args, kw, 1);
}

static PyMethodDef psp_functions[] = {
    {"parse", (PyCFunction)(void (*)(void))psp_parse,
     METH_VARARGS | METH_KEYWORDS, parse_doc},
    {"parsestring", (PyCFunction)(void (*)(void))psp_parsestring,
     METH_VARARGS | METH_KEYWORDS, parsestring_doc},
    {"_parse_map", (PyCFunction)(void (*)(void))psp_parse_map,
     METH_VARARGS | METH_KEYWORDS, parse_map_doc},
    {"_parsestring_map", (PyCFunction)(void (*)(void))psp_parsestring_map,
     METH_VARARGS | METH_KEYWORDS, parsestring_map_doc},
    {NULL, NULL, 0, NULL}
};

static PyModuleDef_Slot psp_slots[] = {
#ifdef Py_mod_multiple_interpreters
    /* No state and no Python object held across calls: safe even with a
     * GIL per interpreter. */
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL}
};

static struct PyModuleDef psp_module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_psp",
    .m_doc = "The PSP parser (C); use mod_python.psp instead.",
    .m_size = 0,
    .m_methods = psp_functions,
    .m_slots = psp_slots,
};

PyMODINIT_FUNC
mp_init_psp_module(void)
{
    return PyModuleDef_Init(&psp_module_def);
}

/* The entry point when built as the extension mod_python._psp. */
PyMODINIT_FUNC
PyInit__psp(void)
{
    return PyModuleDef_Init(&psp_module_def);
}
