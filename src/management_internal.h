/*
 * Internals of the Management API shared by management.c, management_ops.c
 * (generated), management_match.c and pager.c. Not public; a0_ prefixed.
 */
#ifndef A0_MANAGEMENT_INTERNAL_H
#define A0_MANAGEMENT_INTERNAL_H

#include "internal.h"

/* The generated operations table (management_ops.c), sorted by id. */
extern const auth0_operation a0_management_operations[];
extern const size_t a0_management_operation_count;

/*
 * The one dynamic core behind every typed wrapper: `query` points at the
 * operation's auth0_<op>_query struct (or is NULL) and offsets[i] is where
 * op->query_params[i] lives in it. The typed values become wire name/value
 * pairs and go through auth0_management_call().
 */
auth0_status a0_management_invoke(auth0_client *c, const auth0_operation *op, const char *const *path_values,
                                  const void *query, const size_t *offsets, const json_t *body,
                                  const auth0_multipart_part *parts, const auth0_request_options *options,
                                  json_t **out, auth0_error **err);

/*
 * auth0_management_call() that also hands back what the 2xx answer was (*answer, may be NULL; reset to
 * A0_ANSWER_NONE first and on failure), for a caller that reads the body and may find it lacking
 * (a0_fail_answer()): the pager.
 */
auth0_status a0_management_call_answer(auth0_client *c, const auth0_operation *op, const char *const *path_values,
                                       const auth0_kv *query, const json_t *body,
                                       const auth0_multipart_part *parts, const auth0_request_options *options,
                                       json_t **out, a0_answer *answer, auth0_error **err);

/* ---- Building blocks, unit-tested on their own ------------------------------------------------ */

/* "users/auth0%7C123/roles": each value percent-encoded as one segment; checks every value. */
auth0_status a0_mgmt_path(const auth0_operation *op, const char *const *path_values, char **path,
                          auth0_error **err);

/*
 * The encoded query string (without '?', "" when empty) for the given pairs,
 * checked against the operation, with its defaults and then the request
 * options' extra pairs applied.
 */
auth0_status a0_mgmt_query(const auth0_operation *op, const auth0_kv *query, const auth0_kv *extra, char **out,
                           auth0_error **err);

/*
 * The request header lines: Accept, Content-Type (JSON; none without a body;
 * curl's own for multipart), Authorization, then the client's and the
 * options' headers.
 */
auth0_status a0_mgmt_headers(const auth0_client *c, const char *token, bool json_body, bool multipart,
                             const auth0_request_options *options, struct curl_slist **list, auth0_error **err);

/* A text/event-stream body as an array of {"event", "id", "data"} objects. NULL when out of memory. */
json_t *a0_sse_parse(const char *body, size_t len);

/* Whether a 401 answer says the token expired or is invalid (so renewing it may help). */
bool a0_mgmt_token_rejected(const a0_response *resp);

/* Deep copies of key/value lists and request options (the pager keeps them). */
auth0_kv *a0_kv_copy(const auth0_kv *kv);
void a0_kv_free(auth0_kv *kv);

#endif
