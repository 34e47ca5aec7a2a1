/*
 * _parseqsmodule.c -- parseqs.c's functions as the extension module
 * mod_python._parseqs (see parseqs.h), built by dist/setup.py only: inside
 * Apache the same functions are part of _apache.
 */
#include "parseqs.h"

static PyModuleDef_Slot parseqs_slots[] = {
#ifdef Py_mod_multiple_interpreters
    /* No state and no Python object held across calls. */
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    {0, NULL}
};

static struct PyModuleDef parseqs_module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mod_python._parseqs",
    .m_doc = "parse_qs and parse_qsl in C, as _apache has them, for use "
             "outside Apache.",
    .m_size = 0,
    .m_methods = mp_parseqs_functions,
    .m_slots = parseqs_slots,
};

PyMODINIT_FUNC
PyInit__parseqs(void)
{
    return PyModuleDef_Init(&parseqs_module_def);
}
