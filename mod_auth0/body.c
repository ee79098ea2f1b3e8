/*
 * Request bodies this module reads itself (a Management call's JSON, a form
 * kept across a login): at most a given size, read whole into the request's
 * pool through the request's input filters, which dechunk and apply
 * LimitRequestBody and Timeout.
 *
 * What went wrong while reading is told apart as httpd's own handlers do
 * (ap_map_http_request_error): a client that stops sending gets 408, a body
 * over LimitRequestBody 413, and when an input filter has already answered
 * (a chunked body over the limit: HTTP_IN sends its 413 itself),
 * AP_FILTER_ERROR, so that no second response follows the first on the
 * connection. ap_get_client_block() would leave only "it failed".
 */
#include "mod_auth0.h"

#include <apr_strings.h>
#include <http_core.h>

/* The buckets of bb appended to buf (have bytes so far, room for max + 1); *eos once the body ended.
 * OK, HTTP_REQUEST_ENTITY_TOO_LARGE past max, or what reading a bucket failed with. */
static int take_buckets(apr_bucket_brigade *bb, char *buf, apr_size_t max, apr_size_t *have, bool *eos)
{
	for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b)) {
		if (APR_BUCKET_IS_EOS(b)) {
			*eos = true;
			return OK;
		}
		if (APR_BUCKET_IS_METADATA(b))
			continue;
		const char *data;
		apr_size_t n;
		apr_status_t rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ);
		if (rv != APR_SUCCESS)
			return ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
		/* one byte more than max: a body that has it is too long */
		if (n > max + 1 - *have)
			return HTTP_REQUEST_ENTITY_TOO_LARGE;
		memcpy(buf + *have, data, n);
		*have += n;
		if (*have > max)
			return HTTP_REQUEST_ENTITY_TOO_LARGE;
	}
	return OK;
}

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
	char *buf = apr_palloc(r->pool, max + 2);
	apr_size_t have = 0;
	apr_bucket_brigade *bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
	int rc = OK;
	/* a request without a body gives EOS at once (HTTP_IN knows from its framing) */
	for (bool eos = false; !eos && rc == OK;) {
		apr_status_t rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES, APR_BLOCK_READ, HUGE_STRING_LEN);
		rc = rv == APR_SUCCESS ? take_buckets(bb, buf, max, &have, &eos)
		                       : ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
		apr_brigade_cleanup(bb);
	}
	apr_brigade_destroy(bb);
	if (rc != OK)
		return rc;
	buf[have] = '\0';
	*body = buf;
	*len = have;
	return OK;
}
