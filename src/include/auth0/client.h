/*
 * Creating a client.
 *
 * One auth0_client talks to one Auth0 tenant as one application. It mirrors
 * Auth0::Client of the Ruby SDK, with these differences on purpose:
 *   - creating a client never touches the network (the Management token is
 *     fetched on first use, not in the constructor);
 *   - the Management token is never sent to the Authentication API;
 *   - a token provider is asked again whenever its token has expired;
 *   - HTTP connections are kept alive and reused; every request has a timeout.
 *
 *     auth0_client_options opts = AUTH0_CLIENT_OPTIONS_INIT;
 *     opts.domain = "example.eu.auth0.com";
 *     opts.client_id = getenv("AUTH0_CLIENT_ID");
 *     opts.client_secret = getenv("AUTH0_CLIENT_SECRET");
 *
 *     auth0_client *client = NULL;
 *     auth0_error *err = NULL;
 *     if (auth0_client_new(&client, &opts, &err) != AUTH0_OK) {
 *             fprintf(stderr, "%s\n", err->message);   // names the bad option
 *             auth0_error_free(err);
 *             ...
 *     }
 *     ...
 *     auth0_client_free(client);
 */
#ifndef AUTH0_CLIENT_H
#define AUTH0_CLIENT_H

#include "common.h"
#include "error.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct auth0_client auth0_client;

/* How the client proves its identity at /oauth/token, /oauth/par, ... */
typedef enum auth0_client_auth {
	AUTH0_CLIENT_AUTH_AUTO = 0,      /* private_key_jwt if a signing key is set, else client_secret_post */
	AUTH0_CLIENT_AUTH_SECRET_POST,   /* client_secret in the body */
	AUTH0_CLIENT_AUTH_SECRET_BASIC,  /* HTTP Basic (RFC 6749 section 2.3.1) */
	AUTH0_CLIENT_AUTH_PRIVATE_KEY_JWT, /* a signed client assertion (RFC 7523) */
	AUTH0_CLIENT_AUTH_NONE           /* public client (PKCE) */
} auth0_client_auth;

typedef enum auth0_log_level {
	AUTH0_LOG_ERROR,
	AUTH0_LOG_WARNING,
	AUTH0_LOG_INFO,
	AUTH0_LOG_DEBUG
} auth0_log_level;

/*
 * A token provider: returns a malloc()ed Management API token, or NULL on
 * failure. It may set *expires_at (epoch seconds); when it leaves it at 0 the
 * token's own `exp` claim is used if it is a JWT, otherwise one hour. It is
 * called again whenever the token it gave has expired or was refused, by one
 * thread of a client at a time. A token with a character outside RFC 6750's
 * b64token (letters, digits, - . _ ~ + / and trailing =), such as the
 * trailing newline of a token file, is refused: AUTH0_ERR_NO_TOKEN.
 */
typedef char *(*auth0_token_provider)(void *userdata, int64_t *expires_at);

/*
 * Receives the library's log lines (never containing secrets; at most 1023
 * bytes). It is called from whichever thread is using the client, from
 * several at once, and sometimes while the client holds an internal lock
 * (renewing the Management token, fetching the JWKS) or the store's lock:
 * it must be thread-safe, return quickly, and not call libauth0 functions
 * with this client (or another that shares its store), which could deadlock.
 */
typedef void (*auth0_log_fn)(void *userdata, auth0_log_level level, const char *message);

/*
 * The layout of auth0_client_options that this header describes. Set it with
 * AUTH0_CLIENT_OPTIONS_INIT or auth0_client_options_init(); auth0_client_new()
 * refuses any other value (AUTH0_ERR_INVALID_ARGUMENT, option "version").
 *
 * ABI: a release knows one layout only. auth0_client_options_init() writes
 * the whole structure as the running library knows it, and auth0_client_new()
 * reads it so: a program must be built against the headers of the libauth0
 * it runs with. The version field turns a mismatch into an error instead of
 * a misread. (Development builds had a version 1, without total_timeout_ms:
 * it is refused.)
 */
#define AUTH0_CLIENT_OPTIONS_VERSION 2

typedef struct auth0_client_options {
	unsigned int version; /* AUTH0_CLIENT_OPTIONS_VERSION, set by AUTH0_CLIENT_OPTIONS_INIT */

	/*
	 * The tenant: "example.auth0.com", "login.example.com:8443" or
	 * "https://example.auth0.com". "http://" is accepted for loopback hosts
	 * only (127.0.0.1, [::1], localhost: an IPv6 address is always in
	 * brackets), for tests. Required.
	 */
	const char *domain;

	const char *client_id;
	const char *client_secret;         /* "" is the same as NULL (no secret) */

	/* PEM text of an RSA or EC private key for private_key_jwt. Wins over the secret in AUTO mode. */
	const char *client_assertion_signing_key;
	/* RS256 (default), RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512. */
	const char *client_assertion_signing_alg;
	auth0_client_auth client_auth;

	/* Management API token: static, or from a provider, or (default) client credentials. A static
	 * token must be an RFC 6750 b64token (no white space or line break) and not empty (NULL: none):
	 * AUTH0_ERR_INVALID_ARGUMENT otherwise. */
	const char *token;
	int64_t token_expires_at;          /* epoch seconds; 0: the token's own exp claim when it is a JWT,
	                                    * else one hour from client creation; >= 0 */
	auth0_token_provider token_provider;
	void *token_provider_userdata;

	/* Default organization (id "org_..." or name) for authorization URLs and ID-token checks. */
	const char *organization;
	/* Audience of the Management token request; default https://DOMAIN/api/v2/ */
	const char *api_identifier;
	/* Management API base URL; default https://DOMAIN/api/v2 */
	const char *management_base_url;

	long timeout_ms;                   /* Authentication API (and JWKS), per attempt; default 10000; must
	                                    * be positive */
	int retry_count;                   /* Authentication API retries after a 429; default 3, 0..10. The
	                                    * wait honours Retry-After / X-RateLimit-Reset up to
	                                    * max_retry_delay_ms (the Ruby SDK waits about 1 s): bound a
	                                    * whole call with total_timeout_ms */
	long management_timeout_ms;        /* Management API, per attempt; default 60000; must be positive */
	int management_max_retries;        /* Management API retries after 408, 429 and gateway 5xx (a POST:
	                                    * after 429 only, it may have been done); default 2, 0..10 */
	const auth0_kv *management_additional_headers; /* sent on every Management request; an empty (or
	                                    * NULL) value sends the header empty; line breaks are refused */
	long max_retry_delay_ms;           /* cap on one wait between attempts; default 60000; >= 0 */

	const char *ca_file;               /* PEM bundle of the CAs trusted for the tenant, instead of the
	                                    * system's: when set, only these are trusted (neither libcurl's
	                                    * default bundle nor its CA directory, e.g. /etc/ssl/certs, is
	                                    * read). NULL (default): the system's CAs */
	const char *proxy;                 /* outgoing proxy URL; default: none (http_proxy env ignored) */
	size_t max_response_size;          /* bytes; default 8 MiB; larger answers fail cleanly; > 0 */

	/* Seconds a fetched JWKS is trusted; default 600; >= 0. 0: the keys are never fresh, so every
	 * validation asks for a refetch (one at a time; threads whose keys have the token's kid use them
	 * meanwhile instead of waiting). */
	long jwks_cache_ttl;
	/* Seconds between refetches for a kid the keys lack, and after a failed fetch; default 60; >= 0.
	 * 0 removes that bound: every token with an unknown kid (such as a made-up one) then costs a
	 * request to the tenant. */
	long jwks_min_refetch_interval;

	const auth0_store *store;          /* default: in this client's memory */

	auth0_log_fn log;
	void *log_userdata;

	/* Added to User-Agent and telemetry, e.g. "mod_auth0/0.1.0"; no control characters. */
	const char *user_agent_product;

	/*
	 * A bound on each request to the tenant as a whole: its attempts and the waits between them, in
	 * milliseconds. An attempt gets what is left of it when that is less than its own timeout, and a retry
	 * whose wait would end past it is not made (the call then fails with the answer it had: the 429 or the
	 * 503, with its Retry-After). 0 (default): no bound beyond timeout_ms or management_timeout_ms per
	 * attempt and max_retry_delay_ms per wait. A call that makes several requests (a Management token
	 * first, the JWKS for an ID token) bounds each of them. Negative values are refused.
	 */
	long total_timeout_ms;
} auth0_client_options;

#define AUTH0_CLIENT_OPTIONS_INIT {                                  \
	.version = AUTH0_CLIENT_OPTIONS_VERSION,                         \
	.timeout_ms = 10000,                                             \
	.retry_count = 3,                                                \
	.management_timeout_ms = 60000,                                  \
	.management_max_retries = 2,                                     \
	.max_retry_delay_ms = 60000,                                     \
	.max_response_size = 8u << 20,                                   \
	.jwks_cache_ttl = 600,                                           \
	.jwks_min_refetch_interval = 60,                                 \
}

/*
 * Fills *opts with the defaults (the same as AUTH0_CLIENT_OPTIONS_INIT),
 * version included. It writes sizeof(auth0_client_options) of the running
 * library: see AUTH0_CLIENT_OPTIONS_VERSION.
 */
AUTH0_EXTERN void auth0_client_options_init(auth0_client_options *opts);

/*
 * Checks the options and creates a client. Does no network I/O. A bad
 * option gives AUTH0_ERR_INVALID_ARGUMENT with err->option naming it.
 */
AUTH0_EXTERN auth0_status auth0_client_new(auth0_client **out, const auth0_client_options *opts,
                                           auth0_error **err);

AUTH0_EXTERN void auth0_client_free(auth0_client *client);

/*
 * A client for another application of the same tenant: base's options (domain, organization, timeouts,
 * retries, CA file, proxy, Management base URL and headers, JWKS settings, log, user agent) with this
 * client_id and client_secret (NULL: none). It is what the Ruby SDK's per-call `client_id:` and
 * `client_secret:` keywords of its token grants do: pass it to any call instead of base.
 *   - base's client assertion key, when it has one, signs for the new id (the Ruby SDK does not let a
 *     call replace the key either): private_key_jwt stays, and the secret is then not sent;
 *   - a store base was given is shared (entries are keyed by application); base's own memory is not;
 *   - its Management token is its own, by client credentials: base's static token or provider is not
 *     carried over.
 * The two clients are independent afterwards: either may be freed first. AUTH0_ERR_INVALID_ARGUMENT (with
 * err->option) for a missing base or client_id, or an empty client_secret.
 */
AUTH0_EXTERN auth0_status auth0_client_with_credentials(const auth0_client *base, const char *client_id,
                                                        const char *client_secret, auth0_client **out,
                                                        auth0_error **err);

/* "https://example.auth0.com" (scheme, host and port; no trailing slash). */
AUTH0_EXTERN const char *auth0_client_base_url(const auth0_client *client);
/* The issuer of the tenant's tokens: "https://example.auth0.com/". */
AUTH0_EXTERN const char *auth0_client_issuer(const auth0_client *client);
AUTH0_EXTERN const char *auth0_client_id(const auth0_client *client);

#ifdef __cplusplus
}
#endif
#endif
