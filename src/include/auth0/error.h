/*
 * The one error model of libauth0.
 *
 * Every failed call can hand back an auth0_error: the kind of failure, the
 * HTTP status when there was an answer, the fields Auth0 puts in its error
 * bodies, the answer's rate-limit headers, and a human-readable message.
 *
 *     auth0_error *err = NULL;
 *     json_t *user = NULL;
 *     if (auth0_users_get(client, "auth0|123", NULL, NULL, &user, &err) != AUTH0_OK) {
 *             fprintf(stderr, "auth0: %s\n", err->message);
 *             if (err->kind == AUTH0_ERR_RATE_LIMITED)
 *                     wait_until(err->rate_limit.reset);
 *             auth0_error_free(err);
 *     } else {
 *             ...
 *             json_decref(user);
 *     }
 *
 * Messages never contain a secret, a token, a password or a code: only the
 * method and path of the request (never its query) and what Auth0 said.
 *
 * A call that fails always sets *err (when err is not NULL), and err->message
 * is never NULL. When memory runs out while the error itself is being made,
 * *err is a shared, statically allocated error of kind AUTH0_ERR_NO_MEMORY
 * (message "out of memory", status 0, attempts 0, every other field NULL or
 * -1) and the call returns AUTH0_ERR_NO_MEMORY, whatever went wrong first.
 * auth0_error_free() does nothing with it; like every error handed back, it
 * must not be changed.
 */
#ifndef AUTH0_ERROR_H
#define AUTH0_ERROR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which validation rule a token broke (for AUTH0_ERR_INVALID_TOKEN). */
typedef enum auth0_token_rule {
	AUTH0_RULE_NONE = 0,
	AUTH0_RULE_DECODE,      /* not three base64url parts of JSON */
	AUTH0_RULE_ALGORITHM,   /* alg "none" or an algorithm not allowed */
	AUTH0_RULE_KEY,         /* no key for the token's kid */
	AUTH0_RULE_SIGNATURE,
	AUTH0_RULE_ISSUER,
	AUTH0_RULE_SUBJECT,
	AUTH0_RULE_AUDIENCE,
	AUTH0_RULE_EXPIRED,     /* exp (+ leeway) is in the past */
	AUTH0_RULE_ISSUED_AT,   /* iat missing, not an integer, or in the future */
	AUTH0_RULE_NOT_BEFORE,  /* nbf (- leeway) is in the future */
	AUTH0_RULE_NONCE,
	AUTH0_RULE_AUTHORIZED_PARTY, /* azp */
	AUTH0_RULE_AUTH_TIME,   /* auth_time too old for max_age */
	AUTH0_RULE_ORGANIZATION,/* org_id / org_name */
	AUTH0_RULE_TYPE,        /* typ header not a JWT access token type */
	AUTH0_RULE_KEYS_UNAVAILABLE, /* no key is known and the JWKS could not be fetched: the token
	                               may be fine; auth0_error_is_transient() is true */
	AUTH0_RULE_EVENTS,      /* logout token: no events claim with the back-channel logout event */
	AUTH0_RULE_SESSION,     /* logout token: neither sid nor sub */
	AUTH0_RULE_TOKEN_ID     /* logout token: no jti */
} auth0_token_rule;

typedef struct auth0_rate_limit {
	int64_t limit;      /* X-RateLimit-Limit, -1 when absent */
	int64_t remaining;  /* X-RateLimit-Remaining, -1 when absent */
	int64_t reset;      /* X-RateLimit-Reset (epoch seconds), -1 when absent */
} auth0_rate_limit;

typedef struct auth0_error {
	auth0_status kind;
	/*
	 * HTTP status of the final answer, whenever the tenant answered: of an error answer; of an answer
	 * that could not be read (a malformed, truncated, oversized or mistyped body); and of a well-formed
	 * 2xx that lacks what the call needs (a token answer without access_token, a JWKS without "keys", a
	 * profile that is not an object, a list page without its item array, ...). Those last two are
	 * AUTH0_ERR_INVALID_RESPONSE, the message naming what is wrong or missing: an error with a 2xx
	 * status means the tenant answered "success" with something unusable. Two other kinds carry the
	 * status of the answer behind them: AUTH0_ERR_NO_TOKEN for a Management token from the tenant that
	 * cannot be sent (its /oauth/token answer), and AUTH0_ERR_INVALID_TOKEN with
	 * AUTH0_RULE_KEYS_UNAVAILABLE (the failed JWKS fetch). 0 when no answer was read (network, timeout,
	 * TLS) or the failure came without a request (argument errors, a token_provider's token, a token
	 * that fails validation, a pager's cursor loop), and for AUTH0_ERR_NO_MEMORY, also when memory ran
	 * out reading an answer (the message names the request and, for an error answer, its status).
	 */
	long status;
	char *message;            /* human-readable, one line, safe to log */

	/* What Auth0 said, when it said it (NULL otherwise). When the body has no `error`, error and
	 * error_description come from a Bearer WWW-Authenticate challenge (RFC 6750 3: a 401 from
	 * /userinfo says error="invalid_token" there), printable ASCII only, at most 512 bytes each. */
	char *error;              /* OAuth `error` ("invalid_grant") or Management `error` ("Not Found") */
	char *error_description;  /* OAuth `error_description` */
	char *api_message;        /* Management `message`, dbconnections `description` */
	char *error_code;         /* Management `errorCode`, dbconnections `code` */
	json_t *body;             /* the whole error body when it was JSON (e.g. an mfa_token) */

	auth0_rate_limit rate_limit;
	int64_t retry_after;      /* seconds from Retry-After, -1 when absent */
	int attempts;             /* requests made, retries included (0 when none was made); with status, the
	                           * answer's rate_limit and retry_after are kept as well, a 2xx's included
	                           * (not for an answer cut short: truncated, or over the size limit) */

	char *option;             /* AUTH0_ERR_INVALID_ARGUMENT: the option or parameter at fault */
	auth0_token_rule rule;    /* AUTH0_ERR_INVALID_TOKEN: the rule that failed */

	/* An error body that was not a JSON object (a gateway's HTML page, text): its first 4 KiB,
	 * NUL-terminated, and its Content-Type; NULL otherwise. Not in `message`, which is safe to log: the
	 * body may hold anything the server sent. */
	char *raw_body;
	char *content_type;
} auth0_error;

/* Frees an error and everything it holds. NULL and the shared out-of-memory error are ignored. */
AUTH0_EXTERN void auth0_error_free(auth0_error *err);

/* A short name for a token rule ("audience", "expired", ...). */
AUTH0_EXTERN const char *auth0_token_rule_name(auth0_token_rule rule);

/*
 * True when retrying the same request later may succeed: AUTH0_ERR_NETWORK, AUTH0_ERR_TIMEOUT, a 408
 * (AUTH0_ERR_CLIENT with status 408, which the Management API retries too), AUTH0_ERR_RATE_LIMITED,
 * AUTH0_ERR_SERVER, AUTH0_ERR_UNAVAILABLE, and AUTH0_ERR_INVALID_TOKEN with AUTH0_RULE_KEYS_UNAVAILABLE.
 * False for NULL and for the rest, AUTH0_ERR_TLS and AUTH0_ERR_NO_MEMORY included.
 */
AUTH0_EXTERN bool auth0_error_is_transient(const auth0_error *err);

#ifdef __cplusplus
}
#endif
#endif
