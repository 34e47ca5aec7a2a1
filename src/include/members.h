/*
 * members.h -- reading and writing plain members of Apache structs.
 *
 * Each Python type that mirrors an Apache struct (request_rec, conn_rec,
 * server_rec) describes its plain members once, in a table of mp_member
 * (name, offset, C type), and serves them all through mp_member_get() and
 * mp_member_set().  Members that need more than a conversion (tables,
 * tuples, other objects) have getters of their own in their type's file.
 *
 * mp_member_get returns a new reference, or NULL with an exception set;
 * mp_member_set returns 0, or -1 with TypeError/AttributeError set.
 * Strings written are copied into the pool given.
 */
#ifndef MP_MEMBERS_H
#define MP_MEMBERS_H

#include "mp_common.h"

typedef enum {
    MP_M_STR,       /* char *, latin-1 (protocol text)                   */
    MP_M_PATH,      /* char *, UTF-8 with surrogateescape (paths, URIs)   */
    MP_M_INT,       /* int                                               */
    MP_M_UINT,      /* unsigned int                                      */
    MP_M_LONG,      /* long                                              */
    MP_M_BOOL,      /* int used as a flag                                */
    MP_M_CHARBOOL,  /* char used as a flag                               */
    MP_M_PORT,      /* apr_port_t                                        */
    MP_M_OFF,       /* apr_off_t                                         */
    MP_M_INT64,     /* apr_int64_t                                       */
    MP_M_TIME,      /* apr_time_t, exposed as whole seconds              */
    MP_M_INTERVAL   /* apr_interval_time_t, exposed as whole seconds     */
} mp_member_type;

typedef struct {
    const char *name;
    size_t offset;
    mp_member_type type;
} mp_member;

PyObject *mp_member_get(const void *base, const mp_member *m);

/* Only MP_M_PATH, MP_M_STR, MP_M_INT and the flag members (from a bool
 * or int) can be written. */
int mp_member_set(apr_pool_t *pool, void *base, const mp_member *m,
                  PyObject *value);

/* Define `static const mp_member member_<name>` for a struct's field. */
#define MP_DEFINE_MEMBER(STRUCT, name, type) \
    static const mp_member member_##name = { \
        #name, APR_OFFSETOF(STRUCT, name), type };

#endif /* MP_MEMBERS_H */
