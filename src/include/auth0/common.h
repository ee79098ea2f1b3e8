/*
 * Types shared by the whole libauth0 API.
 */
#ifndef AUTH0_COMMON_H
#define AUTH0_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define AUTH0_EXTERN __attribute__((visibility("default")))
#define AUTH0_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define AUTH0_EXTERN
#define AUTH0_DEPRECATED(msg)
#endif

/*
 * Every fallible call returns one of these. The HTTP-derived kinds mirror the
 * error classes of Auth0's SDKs (Auth0::BadRequest, Auth0::Errors::NotFoundError,
 * ...); unlike the Ruby SDK, a timeout is always AUTH0_ERR_TIMEOUT and a final
 * 503 is always AUTH0_ERR_UNAVAILABLE.
 */
typedef enum auth0_status {
	AUTH0_OK = 0,
	AUTH0_ERR_INVALID_ARGUMENT, /* a bad option or parameter; auth0_error.option names it */
	AUTH0_ERR_NO_MEMORY,        /* memory ran out: in libauth0, or in jansson or cjose while a request was
	                             * built or an answer, a token or a key was read, as far as they report it
	                             * (then not INVALID_RESPONSE or INVALID_TOKEN: what was read may be fine;
	                             * OpenSSL's own shortages while a key is imported read as an unusable key,
	                             * which a later fetch puts right); status 0 */
	AUTH0_ERR_NETWORK,          /* connection refused, DNS, reset, a TLS handshake cut short: no HTTP answer */
	AUTH0_ERR_TIMEOUT,          /* no complete answer within the timeout */
	AUTH0_ERR_BAD_REQUEST,      /* HTTP 400 */
	AUTH0_ERR_UNAUTHORIZED,     /* HTTP 401 */
	AUTH0_ERR_FORBIDDEN,        /* HTTP 403 */
	AUTH0_ERR_NOT_FOUND,        /* HTTP 404 */
	AUTH0_ERR_CONFLICT,         /* HTTP 409 */
	AUTH0_ERR_RATE_LIMITED,     /* HTTP 429; auth0_error.rate_limit is filled */
	AUTH0_ERR_CLIENT,           /* any other HTTP 4xx */
	AUTH0_ERR_SERVER,           /* HTTP 5xx other than 503 */
	AUTH0_ERR_UNAVAILABLE,      /* HTTP 503 */
	AUTH0_ERR_UNEXPECTED_STATUS,/* 1xx, 3xx (redirects are never followed), >= 600 */
	AUTH0_ERR_INVALID_RESPONSE, /* malformed, truncated, oversized or mistyped body, or a 2xx without what
	                             * the call needs; auth0_error.status is the answer's (error.h) */
	AUTH0_ERR_INVALID_TOKEN,    /* a JWT failed validation; auth0_error.rule says why */
	AUTH0_ERR_NO_TOKEN,         /* no Management API token can be had from what the client was given:
	                             * none configured (no token, token_provider or client credentials), a
	                             * provider that returned none, a token with a character that cannot be
	                             * sent (RFC 6750; from the tenant: status is its answer's), or a refused
	                             * token with nothing to replace it. A
	                             * client-credentials grant that fails keeps its own kind (UNAUTHORIZED
	                             * for a refused secret, FORBIDDEN for an application not authorized for
	                             * the API, NETWORK, TIMEOUT, ...), its message naming POST /oauth/token */
	AUTH0_ERR_INTERNAL,         /* a library or crypto failure that should not happen */
	AUTH0_ERR_TLS               /* the tenant's certificate does not verify against the trusted CAs (ca_file),
	                             * or they cannot be loaded: not transient, a configuration error or someone
	                             * in between */
} auth0_status;

/*
 * An optional integer or boolean. The zero value means "not set": the
 * parameter is not sent at all. Use AUTH0_INT(0) / AUTH0_BOOL(false) to send
 * a zero or a false explicitly (the Ruby SDK silently drops false; we do not).
 */
typedef struct auth0_opt_int {
	bool set;
	int64_t value;
} auth0_opt_int;

typedef struct auth0_opt_bool {
	bool set;
	bool value;
} auth0_opt_bool;

#define AUTH0_INT(v)  ((auth0_opt_int){ true, (v) })
#define AUTH0_BOOL(v) ((auth0_opt_bool){ true, (v) })

/*
 * A name/value pair. Lists of them end with an entry whose name is NULL:
 *
 *     const auth0_kv extra[] = { { "prompt", "login" }, { "ui_locales", "fr" }, { NULL, NULL } };
 */
typedef struct auth0_kv {
	const char *name;
	const char *value;
} auth0_kv;

/* Frees a string returned by libauth0. */
AUTH0_EXTERN void auth0_free(void *ptr);

/* The library's version string, e.g. "0.1.0". */
AUTH0_EXTERN const char *auth0_version(void);

/* A short, stable name for a status ("timeout", "rate_limited", ...). */
AUTH0_EXTERN const char *auth0_status_name(auth0_status status);

/*
 * Process-wide set-up of libcurl (curl_global_init). Call it once, before any
 * thread uses libauth0 (httpd modules: in post_config): libcurl's set-up is
 * not thread-safe. auth0_client_new() calls it on first use too, which is
 * fine for single-threaded programs. Further calls do nothing and return the
 * first one's result.
 */
AUTH0_EXTERN auth0_status auth0_global_init(void);

/*
 * Undoes auth0_global_init() (curl_global_cleanup). Optional: a process that
 * exits need not call it. When called, it must be called once, at the end:
 * after auth0_global_init() (or auth0_client_new()) succeeded, after every
 * client and pager has been freed, and while no other thread uses libauth0
 * or libcurl (it is not thread-safe). libauth0 must not be used again in
 * that process afterwards: auth0_global_init() does not set libcurl up a
 * second time. Calling it without a successful auth0_global_init() would
 * undo another library's libcurl set-up (libcurl counts them).
 */
AUTH0_EXTERN void auth0_global_cleanup(void);

#ifdef __cplusplus
}
#endif
#endif
