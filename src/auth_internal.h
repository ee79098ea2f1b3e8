/*
 * Internals shared by the Authentication API sources (pkce.c,
 * authorize_url.c, par.c, grants.c, dbconnections.c, passwordless.c,
 * userinfo.c, mfa.c, ciba.c, device.c). Not part of the public API.
 */
#ifndef A0_AUTH_INTERNAL_H
#define A0_AUTH_INTERNAL_H

#include "internal.h"

/*
 * Builder for the fields of a request body: a JSON object whose members
 * keep the order they were added in (the wire order of the Ruby SDK).
 * Failures are sticky, so a body can be built with a run of calls and
 * checked once; NULL values are skipped, so no JSON null is ever sent.
 */
typedef struct a0_fields {
	json_t *json;
	const char *bad;   /* the first field whose value was not UTF-8 */
	bool failed;       /* out of memory */
} a0_fields;

void a0_fields_init(a0_fields *f);
void a0_fields_str(a0_fields *f, const char *key, const char *value);
void a0_fields_int(a0_fields *f, const char *key, int64_t value);
/* Sets a JSON value (reference stolen; NULL is skipped). */
void a0_fields_json(a0_fields *f, const char *key, json_t *value);
/* AUTH0_OK, or the sticky failure (INVALID_ARGUMENT naming the field, NO_MEMORY). */
auth0_status a0_fields_check(const a0_fields *f, auth0_error **err);
void a0_fields_clear(a0_fields *f);

/* Starts a public call: clears *err, refuses a NULL client. */
auth0_status a0_auth_begin(auth0_client *c, auth0_error **err);

/* AUTH0_ERR_INVALID_ARGUMENT naming `option` with `message` when value is NULL or empty. */
auth0_status a0_require(const char *value, const char *option, const char *message, auth0_error **err);

/* AUTH0_ERR_INVALID_ARGUMENT naming `option` unless the output pointer is set. */
auth0_status a0_require_out(const void *out, const char *option, auth0_error **err);

/* The client id, or AUTH0_ERR_INVALID_ARGUMENT naming option client_id. */
auth0_status a0_require_client_id(const auth0_client *c, auth0_error **err);

/*
 * The fields of an authorization request, in the Ruby SDK's order:
 * client_id, response_type, connection, redirect_uri, state, scope,
 * organization, invitation, then nonce, audience, response_mode, prompt,
 * max_age, login_hint, screen_hint, code_challenge, code_challenge_method,
 * then params->extra (which replace earlier values in place, or remove them
 * when their value is NULL; client_id and redirect_uri cannot be changed),
 * then code_challenge_method=S256 when a code_challenge came without one
 * (a method other than S256 is refused). With default_organization, a
 * missing organization is taken from the client (authorize URLs; not PAR).
 */
auth0_status a0_authorize_fields(auth0_client *c, const auth0_authorize_params *params,
                                 bool default_organization, json_t **fields, auth0_error **err);

/* https://DOMAIN + path [+ "/" + escaped segment] [+ "?" + query]; NULL when out of memory. */
char *a0_auth_url(const auth0_client *c, const char *path, const char *segment, const char *query);

/*
 * POSTs a grant to /oauth/token with client authentication (opts may be
 * NULL) and reads the tokens. The fields are cleared (wiped) in any case.
 */
auth0_status a0_grant(auth0_client *c, a0_fields *fields, const a0_post_opts *opts, auth0_tokens **tokens,
                      auth0_error **err);

/* The checks every grant starts with: a client with an id, somewhere to put the tokens. */
auth0_status a0_grant_begin(auth0_client *c, auth0_tokens **tokens, auth0_error **err);

/*
 * One poll of a polling grant (CIBA, device code): `field`=`value` with the
 * client's id, exactly one request (no 429 retry: "slow_down" is an answer).
 * auth0_mfa_verify_oob polls the same way through a0_grant with no_retry.
 */
auth0_status a0_poll_grant(auth0_client *c, const char *grant_type, const char *field, const char *value,
                           auth0_tokens **tokens, auth0_error **err);

/* Copies an integer member (when present) and a string member (duplicated; NULL when absent). */
void a0_json_copy_int(const json_t *obj, const char *key, int64_t *out);

/* The polling limits documented in authentication.h (auth0_ciba_request, auth0_device_code). */
#define A0_POLL_INTERVAL_DEFAULT 5  /* RFC 8628 3.2 and CIBA 7.3: when the server names none */
#define A0_POLL_INTERVAL_MAX 300
#define A0_POLL_EXPIRES_MAX 604800  /* 7 days; Auth0's are minutes */

/*
 * expires_in and interval of a CIBA or device authorization answer, kept
 * only when sane: interval 1..A0_POLL_INTERVAL_MAX (larger: the maximum;
 * absent or below 1: A0_POLL_INTERVAL_DEFAULT), expires_in 1..A0_POLL_EXPIRES_MAX
 * (larger: the maximum; absent or below 1: 0).
 */
void a0_poll_timing(const json_t *answer, int64_t *expires_in, int64_t *interval);

#endif
