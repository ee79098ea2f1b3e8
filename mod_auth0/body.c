/*
 * Request bodies this module reads itself (a Management call's JSON, a form
 * kept across a login): at most a given size, read whole into the request's
 * pool with httpd's client-block API, which dechunks and applies
 * LimitRequestBody.
 */
#include "mod_auth0.h"

#include <apr_strings.h>

int a0m_read_body(request_rec *r, apr_size_t max, char **body, apr_size_t *len)
{
	*body = NULL;
	*len = 0;
	const char *declared = apr_table_get(r->headers_in, "Content-Length");
	if (declared) {
		char *end;
		apr_off_t size;
		if (apr_strtoff(&size, declared, &end, 10) != APR_SUCCESS || *end || size < 0)
			return HTTP_BAD_REQUEST;
		if (size > (apr_off_t)max)
			return HTTP_REQUEST_ENTITY_TOO_LARGE; /* refused before a byte of it is read */
	}
	int rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK);
	if (rc != OK)
		return rc;
	char *buf = apr_palloc(r->pool, max + 2);
	apr_size_t have = 0;
	if (ap_should_client_block(r)) {
		long got;
		/* one byte more than max: a body that has it is too long */
		while ((got = ap_get_client_block(r, buf + have, max + 1 - have)) > 0) {
			have += (apr_size_t)got;
			if (have > max)
				return HTTP_REQUEST_ENTITY_TOO_LARGE;
		}
		if (got < 0)
			return HTTP_BAD_REQUEST;
	}
	buf[have] = '\0';
	*body = buf;
	*len = have;
	return OK;
}
