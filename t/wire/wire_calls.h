/* The generated wire-test cases (wire_calls.c, from tools/gen-management.py). */
#ifndef T_WIRE_CALLS_H
#define T_WIRE_CALLS_H

#include <auth0.h>

typedef auth0_status (*wire_fn)(auth0_client *c, const auth0_request_options *o, json_t **out, auth0_error **err);

typedef struct wire_case {
	const char *mapping_id;   /* the WireMock mapping's id */
	const char *mapping_name;
	const char *op_id;        /* NULL when left out */
	const char *method;
	const char *url_path;     /* the path the call must produce, as WireMock journals it */
	wire_fn call;             /* NULL when left out */
	const char *left_out;     /* why the case could not be generated, or NULL */
} wire_case;

extern const wire_case wire_cases[];
extern const size_t wire_case_count;

#endif
