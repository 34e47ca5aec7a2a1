/*
 * ssi.h -- Python in server-side includes: the <!--#python exec="..." -->
 * and <!--#python eval="..." --> elements of mod_include's INCLUDES filter
 * (mod_python 3.3's "Server Side Includes"; Doc/ssi.rst).
 *
 * mod_include parses the page; it calls our element handler, registered
 * through its optional function ap_register_include_handler, with the
 * brigade the page's output is being collected in.  The code runs in the
 * interpreter of the request's content phase, through mod_python._dispatch
 * .dispatch_ssi, with a filter object (filterobject.h, mp_filter_ssi) that
 * appends to that brigade.  Nothing here owns memory beyond one call: the
 * strings are mod_include's (its per-element pool), the buckets the
 * connection's allocator.
 */
#ifndef MP_SSI_H
#define MP_SSI_H

#include "mp_common.h"

/* Register the "python" element with mod_include when it is loaded; a
 * no-op otherwise.  From post_config, on every configuration pass:
 * mod_include makes its table of elements afresh in each. */
void mp_ssi_register(void);

/* Is the INCLUDES filter among r's output filters?  Its elements may run
 * Python after the content handler has returned. */
int mp_ssi_on(request_rec *r);

#endif /* MP_SSI_H */
