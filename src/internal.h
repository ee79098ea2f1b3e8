/*
 * libauth0 internals shared by the library's source files. Nothing here is
 * part of the public API; every symbol is prefixed a0_ and hidden from the
 * shared library's export list.
 */
#ifndef A0_INTERNAL_H
#define A0_INTERNAL_H

#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <sys/types.h>
#include <curl/curl.h>
#include <cjose/jwk.h>
#include <openssl/evp.h>

#include "auth0.h"

#if defined(__GNUC__)
#define A0_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define A0_UNUSED __attribute__((unused))
#else
#define A0_PRINTF(f, a)
#define A0_UNUSED
#endif

#define A0_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Growable string buffer (always NUL-terminated; sticky failure) ---------- */

typedef struct a0_buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;   /* an allocation failed: every later append is a no-op */
	bool secret;   /* wiped when it grows and when freed (a0_buf_steal's caller wipes what it gets) */
} a0_buf;

#define A0_BUF_INIT { NULL, 0, 0, false, false }
#define A0_BUF_SECRET { NULL, 0, 0, false, true }

void a0_buf_append(a0_buf *b, const void *data, size_t len);
void a0_buf_puts(a0_buf *b, const char *s);
void a0_buf_putc(a0_buf *b, char c);
void a0_buf_printf(a0_buf *b, const char *fmt, ...) A0_PRINTF(2, 3);
/* Hands the contents over (NULL if an allocation failed); the buffer is reset. */
char *a0_buf_steal(a0_buf *b);
void a0_buf_free(a0_buf *b);

/* ---- Strings ------------------------------------------------------------------- */

char *a0_strdup(const char *s);                 /* NULL-safe */
char *a0_strndup(const char *s, size_t n);
char *a0_asprintf(const char *fmt, ...) A0_PRINTF(1, 2);
static inline bool a0_empty(const char *s) { return s == NULL || *s == '\0'; }
bool a0_streq(const char *a, const char *b);   /* NULL-safe */
bool a0_strcaseeq(const char *a, const char *b);
/* Constant-time comparison of two strings (length leaks, contents do not). */
bool a0_secure_streq(const char *a, const char *b);
/* Frees a secret after wiping it. */
void a0_free_secret(char *s);
/*
 * Releases a JSON value that may hold secrets (a request body, a token
 * answer): when this is the last reference, its strings (nested ones too,
 * unless someone else holds them) are wiped first, as free() would leave
 * them in the heap.
 */
void a0_json_free_secret(json_t *json);
/*
 * An RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", what may follow
 * "Bearer " in an Authorization header. Every token sent as a bearer credential is checked with it: one
 * with a CR or LF (a token file's trailing newline) would add header lines of its own.
 */
bool a0_b64token(const char *s);

/* Percent-encoding styles used on the wire. */
typedef enum a0_escape {
	A0_ESC_FORM,     /* Ruby CGI.escape / x-www-form-urlencoded: A-Za-z0-9 -._~ kept, space -> + */
	A0_ESC_QUERY,    /* Ruby URI.encode_www_form (Management): A-Za-z0-9 *-._ kept, space -> + */
	A0_ESC_SEGMENT   /* one path segment: A-Za-z0-9 *-._ kept, space -> %20 */
} a0_escape;

void a0_buf_escape(a0_buf *b, const char *s, a0_escape style);
/* Appends name=value to a query/form string, with '&' between pairs; NULL values are skipped. */
void a0_query_add(a0_buf *q, const char *name, const char *value, a0_escape style);
/* Decodes %XX (and '+' as space when plus_is_space); NULL on a malformed escape or an embedded NUL. */
char *a0_url_decode(const char *s, size_t len, bool plus_is_space);

/* ---- Crypto and encoding helpers (OpenSSL, cjose) --------------------------------- */

bool a0_random_bytes(void *buf, size_t len);
/* base64url without padding. */
char *a0_base64url_encode(const void *data, size_t len);
/*
 * base64url (padding optional); *out is NUL-terminated for convenience. AUTH0_OK; AUTH0_ERR_NO_MEMORY when
 * memory ran out (here or in cjose: the text may be fine); AUTH0_ERR_INVALID_ARGUMENT when s is not the one
 * base64url encoding of some bytes. Sets no error: the caller says what was being decoded.
 */
auth0_status a0_base64url_decode_status(const char *s, size_t len, unsigned char **out, size_t *out_len);
/* The same as a yes or no (whatever the reason for a no). */
bool a0_base64url_decode(const char *s, size_t len, unsigned char **out, size_t *out_len);
/* Whether a cjose call failed for lack of memory (err zeroed before the call: cjose sets it on failure only). */
bool a0_cjose_oom(const cjose_err *err);
/* `nbytes` random bytes as base64url. */
char *a0_random_string(size_t nbytes);
char *a0_uuid4(void);
void a0_sha256(const void *data, size_t len, unsigned char out[32]);
void a0_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- JSON helpers (jansson) -------------------------------------------------------- */

const char *a0_json_str(const json_t *obj, const char *key);
/*
 * json_loadb() that tells running out of memory from a text that is not JSON: on NULL, *oom (may be NULL) is
 * true when jansson could not allocate, whatever the text. The one place that knows how jansson says so (see
 * util_json.c); libauth0 reports such failures as AUTH0_ERR_NO_MEMORY, never as a malformed answer or token.
 * e (may be NULL) is jansson's error, for messages.
 */
json_t *a0_json_load(const char *text, size_t len, size_t flags, json_error_t *e, bool *oom);
/* json_stringn() that tells the two failures apart: NULL with *oom false when s is not UTF-8. */
json_t *a0_json_stringn(const char *s, size_t len, bool *oom);
/* What jansson says is wrong with a JSON text, without the text it quotes ("near '...'"): an answer of
 * the tenant that fails to parse may hold tokens, and this goes into error messages and logs. */
const char *a0_json_error_without_text(json_error_t *e);
/* Integer member only (JSON integers; a real number or a string fails). */
bool a0_json_int(const json_t *obj, const char *key, int64_t *out);
/* Sets a string member unless value is NULL: libauth0 never sends JSON null. */
int a0_json_set_str(json_t *obj, const char *key, const char *value);
char *a0_json_dump(const json_t *json);        /* compact */

/* ---- Time --------------------------------------------------------------------------- */

int64_t a0_now(void);
/* Milliseconds of a monotonic clock (deadlines: wall-clock steps must not stretch or cut them). */
int64_t a0_monotonic_ms(void);
/* Adds a + b, saturating at the int64 limits (for numbers from the tenant or a token). */
int64_t a0_add_sat(int64_t a, int64_t b);
/* Sleeps for ms milliseconds (retry back-off; never used for synchronisation). */
void a0_sleep_ms(long ms);

/* ---- Errors ----------------------------------------------------------------------------- */

auth0_error *a0_error_new(auth0_status kind);
/*
 * Sets *err (when err != NULL) to the shared out-of-memory error, which is
 * never freed nor written to; returns AUTH0_ERR_NO_MEMORY. The a0_fail*
 * functions fall back on it when they cannot make their error, and then
 * return AUTH0_ERR_NO_MEMORY rather than the kind asked for, so that the
 * status and err->kind agree.
 */
auth0_status a0_error_oom(auth0_error **err);
/* *err when there is one that may be changed (not the shared out-of-memory error), else NULL. */
auth0_error *a0_error_writable(auth0_error **err);
/* Sets *err (when err != NULL) to a new error with a formatted message; returns kind. */
auth0_status a0_fail(auth0_error **err, auth0_status kind, const char *fmt, ...) A0_PRINTF(3, 4);
/* AUTH0_ERR_INVALID_ARGUMENT naming `option`. */
auth0_status a0_fail_arg(auth0_error **err, const char *option, const char *fmt, ...) A0_PRINTF(3, 4);
/* AUTH0_ERR_INVALID_TOKEN with the rule that failed. */
auth0_status a0_fail_token(auth0_error **err, auth0_token_rule rule, const char *fmt, ...) A0_PRINTF(3, 4);
auth0_status a0_oom(auth0_error **err);
/* AUTH0_ERR_NO_MEMORY for an answer of the tenant that memory ran out reading (in libauth0, jansson or cjose):
 * the answer may be fine, so never AUTH0_ERR_INVALID_RESPONSE. */
auth0_status a0_oom_answer(auth0_error **err, const char *method, const char *log_path);
/* Status kind for an HTTP status code. */
auth0_status a0_status_for_http(long status);

/* ---- Logging ------------------------------------------------------------------------------ */

void a0_log(const auth0_client *c, auth0_log_level level, const char *fmt, ...) A0_PRINTF(3, 4);

/* ---- HTTP ------------------------------------------------------------------------------------ */

typedef enum a0_retry_policy {
	A0_RETRY_NONE,
	A0_RETRY_AUTHENTICATION,  /* 429 only, Ruby's auth back-off, honouring Retry-After / X-RateLimit-Reset */
	A0_RETRY_MANAGEMENT,      /* 408, 429, 500, 502, 503, 504, 521, 522, 524 */
	A0_RETRY_MANAGEMENT_POST  /* 429 only, Management back-off: after a 5xx the POST may have been done */
} a0_retry_policy;

typedef struct a0_request {
	const char *method;                 /* "GET", "POST", ... */
	const char *url;                    /* absolute URL */
	const char *log_path;               /* path for messages and logs (never the query) */
	const struct curl_slist *headers;   /* extra request headers */
	const char *body;                   /* may be NULL */
	size_t body_len;
	const auth0_multipart_part *parts;  /* multipart/form-data instead of body */
	long timeout_ms;                    /* per attempt */
	int max_retries;
	a0_retry_policy retry;
	bool telemetry;                     /* send Auth0-Client (not on plain fetches like the JWKS) */
	/* On a new connection: libcurl silently sends a request again when a kept-alive connection turns out
	 * dead before any answer, which would spend a single-use code or a rotating refresh token twice. */
	bool fresh_connection;
} a0_request;

/* Appends a copy of line to a request's header list; false (the list unchanged) when line is NULL or
 * memory runs out. */
bool a0_header_append(struct curl_slist **list, const char *line);
/* Frees a header list, wiping it first: header lists may hold a Basic credential or a bearer token. */
void a0_headers_free(struct curl_slist *list);

typedef struct a0_response {
	long status;
	char *body;                         /* NUL-terminated */
	size_t len;
	char *content_type;
	char *www_authenticate;
	int64_t retry_after;                /* seconds, -1 when absent */
	auth0_rate_limit rate_limit;
	int attempts;
} a0_response;

/*
 * Performs a request with the client's connection pool, timeouts and retry
 * policy. Any HTTP answer (even 500) is AUTH0_OK with *resp filled; transport
 * failures (network, timeout, oversized body) are errors.
 */
auth0_status a0_http_perform(auth0_client *c, const a0_request *req, a0_response *resp, auth0_error **err);
void a0_response_clear(a0_response *resp);
/* TCP connections the client has opened so far (connection reuse is measurable). */
long a0_http_connects(auth0_client *c);

/*
 * What is kept of an HTTP answer once its body has been handed over: a 2xx whose body turns out to lack
 * what the call needs is still an answer of the tenant, and its error says so (error.h). status 0: no
 * answer was read.
 */
typedef struct a0_answer {
	long status;
	int attempts;
	auth0_rate_limit rate_limit;
	int64_t retry_after;
} a0_answer;

#define A0_ANSWER_NONE { 0, 0, { -1, -1, -1 }, -1 }

a0_answer a0_answer_of(const a0_response *resp);
/* Fills the answer's status, attempts and rate-limit headers into *err (when there is one to change). */
void a0_error_set_answer(auth0_error **err, const a0_answer *answer);
/*
 * The one way to report a 2xx answer that cannot be used (malformed, mistyped, or lacking a field the
 * call reads): AUTH0_ERR_INVALID_RESPONSE with a formatted message and the answer's status, attempts and
 * rate-limit headers. answer may be NULL (a body parsed without an HTTP exchange: status 0).
 */
auth0_status a0_fail_answer(auth0_error **err, const a0_answer *answer, const char *fmt, ...) A0_PRINTF(3, 4);

/* The error for a non-2xx answer: kind from the status, Auth0's fields from a JSON body. */
auth0_status a0_error_from_response(auth0_error **err, const a0_response *resp, const char *method,
                                    const char *log_path);

/* True for 2xx. */
static inline bool a0_http_ok(long status) { return status >= 200 && status < 300; }
/* Whether the body is JSON (Content-Type application/json or +json). */
bool a0_response_is_json(const a0_response *resp);

/*
 * Performs a request that must answer 2xx with a JSON body: *out receives the
 * parsed body (may be NULL when the caller does not want it; an empty 2xx body
 * then is fine). Non-2xx answers become the matching error. *answer (may be
 * NULL) receives what the answer was, for a0_fail_answer() when the body then
 * lacks what the caller needs; it is reset first (A0_ANSWER_NONE).
 */
auth0_status a0_http_json(auth0_client *c, const a0_request *req, json_t **out, a0_answer *answer,
                          auth0_error **err);

/* Retry policy computations (retry.c); pure functions, unit-tested. */
bool a0_retry_status(a0_retry_policy policy, long status);
/* Delay before retry number `retry` (0-based) without server hints, with jitter from `rand01` in [0,1). */
long a0_retry_backoff_ms(a0_retry_policy policy, int retry, double rand01);
/* Seconds a Retry-After value asks for (delta-seconds or HTTP-date), -1 if none/invalid. */
int64_t a0_retry_after_seconds(const char *value, int64_t now);
/* The wait before retry `retry`: server hints first, then back-off; capped at max_ms. */
long a0_retry_delay_ms(a0_retry_policy policy, int retry, const a0_response *resp, int64_t now,
                       long max_ms, double rand01);

/*
 * The origin of an absolute URL, "scheme://host[:port]" spelt as auth0_client's base_url is (lower-case
 * host, no default port), in *origin; NULL when the URL's scheme and authority are not what a client
 * accepts. AUTH0_ERR_NO_MEMORY when memory ran out.
 */
auth0_status a0_url_origin(const char *url, char **origin);

/* Whether libauth0 sets this header itself (callers may not replace it). */
bool a0_header_reserved(const char *name);
/* Appends "Name: value" lines for headers, refusing bad names/values and reserved names. */
auth0_status a0_headers_append(struct curl_slist **list, const auth0_kv *headers, const char *option,
                               auth0_error **err);

/* ---- The client --------------------------------------------------------------------------- */

struct a0_pool;          /* http.c: kept-alive curl handles */
struct a0_token_manager; /* token_manager.c */
struct a0_jwks_cache;    /* jwks.c */

struct auth0_client {
	char *host;              /* "example.auth0.com" or "127.0.0.1:8443" */
	char *base_url;          /* "https://example.auth0.com" */
	char *issuer;            /* "https://example.auth0.com/" */
	char *client_id;
	char *client_secret;
	cjose_jwk_t *assertion_key; /* private_key_jwt signing key */
	char *assertion_key_pem;    /* its PEM, for auth0_client_with_credentials (cleansed when freed) */
	char *assertion_alg;
	auth0_client_auth client_auth; /* resolved: never AUTO */
	char *organization;
	char *api_identifier;
	char *management_base_url; /* no trailing slash */

	long timeout_ms;
	int retry_count;
	long management_timeout_ms;
	int management_max_retries;
	long max_retry_delay_ms;
	long total_timeout_ms; /* 0: none */
	struct curl_slist *management_headers;
	char *ca_file;
	char *proxy;
	size_t max_response_size;
	long jwks_cache_ttl;
	long jwks_min_refetch_interval;

	auth0_store store;
	void *own_store;         /* the default in-memory store, when no store was given */

	auth0_log_fn log;
	void *log_userdata;

	char *user_agent;
	char *telemetry_header;  /* "Auth0-Client: ..." */

	struct a0_pool *pool;
	struct a0_token_manager *tokens;
	struct a0_jwks_cache *jwks;
};

/* Key for the store: "<kind>:<sha256 of the parts joined by NUL>" */
char *a0_store_key(const char *kind, const char *const *parts);

/* In-memory store (store_memory.c). */
void *a0_memory_store_new(auth0_store *store);
void a0_memory_store_free(void *userdata);

/* http.c */
struct a0_pool *a0_pool_new(void);
void a0_pool_free(struct a0_pool *pool);

/* token_manager.c */
struct a0_token_manager *a0_token_manager_new(const auth0_client *c, const auth0_client_options *opts,
                                              auth0_error **err);
void a0_token_manager_free(struct a0_token_manager *tm);
/*
 * The Management token. `rejected` (may be NULL) is a token the API just
 * refused: a new one is obtained unless the current one already differs.
 */
auth0_status a0_management_token(auth0_client *c, const char *rejected, char **token, int64_t *expires_at,
                                 auth0_error **err);
/*
 * A token obtained to replace a refused one was refused as well: renewing again for a refusal would only
 * spend tokens (an API that does not accept this application's tokens), so management.c does not for
 * A0_TOKEN_REFUSED_HOLD seconds. _refused_again starts that time; _held gives the seconds left of it.
 */
#define A0_TOKEN_REFUSED_HOLD 60
void a0_management_token_refused_again(auth0_client *c);
int64_t a0_management_token_held(auth0_client *c);

/* jwt_decode.c: splitting and decoding a compact JWS (no verification). */
typedef struct a0_jwt {
	json_t *header;
	json_t *payload;
	char *signing_input;      /* "header.payload" as received */
	unsigned char *signature; /* decoded */
	size_t signature_len;
} a0_jwt;

/* Fails with AUTH0_RULE_DECODE and `what` in the message ("ID token could not be decoded"). */
auth0_status a0_jwt_parse(const char *token, a0_jwt *jwt, const char *what, auth0_error **err);
void a0_jwt_clear(a0_jwt *jwt);

/* jwks.c */
struct a0_jwks_cache *a0_jwks_cache_new(void);
void a0_jwks_cache_free(struct a0_jwks_cache *cache);

/* ---- Authentication API plumbing (oauth.c, client_auth.c) ----------------------------------- */

/*
 * Adds the client's authentication to the fields of a request: client_id
 * always; then client_secret, or client_assertion + client_assertion_type,
 * or (client_secret_basic) an Authorization header appended to *headers.
 */
auth0_status a0_client_auth_apply(auth0_client *c, json_t *params, struct curl_slist **headers,
                                  auth0_error **err);
/* A signed client assertion JWT for this client (RFC 7523), audience https://DOMAIN/. */
auth0_status a0_client_assertion(auth0_client *c, char **jwt, auth0_error **err);
/* Parses a PEM private key, checks it suits alg, and makes it a cjose JWK. */
auth0_status a0_load_signing_key(const char *pem, const char *alg, cjose_jwk_t **key, auth0_error **err);

typedef enum a0_body_format { A0_BODY_JSON, A0_BODY_FORM } a0_body_format;

/*
 * POSTs to an Authentication API path with client authentication added,
 * parses the JSON answer. `params` is a JSON object of the request fields
 * (no nulls); with A0_BODY_FORM it is sent form-encoded. *answer (may be
 * NULL) receives what the 2xx answer was: a caller that finds the body
 * lacking reports it with a0_fail_answer(), so that the error has its status.
 */
auth0_status a0_auth_post(auth0_client *c, const char *path, json_t *params, a0_body_format format,
                          bool client_auth, const char *bearer, json_t **out, a0_answer *answer,
                          auth0_error **err);
/* Options of a0_auth_post_ex. */
typedef struct a0_post_opts {
	const struct curl_slist *headers; /* extra request headers (copied), e.g. auth0-forwarded-for */
	bool no_retry;                    /* one attempt: for polls, where a 429 "slow_down" is the answer */
} a0_post_opts;

/*
 * a0_auth_post with options (may be NULL) and, when text_out is not NULL,
 * the raw 2xx body instead of parsed JSON.
 */
auth0_status a0_auth_post_ex(auth0_client *c, const char *path, json_t *params, a0_body_format format,
                             bool client_auth, const char *bearer, const a0_post_opts *opts,
                             json_t **json_out, char **text_out, a0_answer *answer, auth0_error **err);
/* The same for GET / DELETE with an optional bearer token and raw (non-JSON) answers. */
auth0_status a0_auth_request(auth0_client *c, const char *method, const char *path, const char *bearer,
                             json_t **json_out, char **text_out, a0_answer *answer, auth0_error **err);
/* POST /oauth/token with `params` (grant_type included) and client authentication; *answer (may be NULL)
 * as for a0_auth_post, reset on failure. */
auth0_status a0_oauth_token(auth0_client *c, json_t *params, auth0_tokens **tokens, a0_answer *answer,
                            auth0_error **err);
/* auth0_client_credentials() for a caller that goes on reading the answer (the token manager). */
auth0_status a0_client_credentials(auth0_client *c, const char *audience, const char *organization,
                                   auth0_tokens **tokens, a0_answer *answer, auth0_error **err);
/* Builds auth0_tokens from a token response (takes a reference to json); answer: what the answer was
 * (NULL when the body came without an HTTP exchange), for the error when access_token is missing. */
auth0_status a0_tokens_from_answer(json_t *json, const a0_answer *answer, auth0_tokens **tokens,
                                   auth0_error **err);
/* a0_tokens_from_answer() without an answer: a missing access_token then gives status 0 (fuzz targets). */
auth0_status a0_tokens_from_json(json_t *json, auth0_tokens **tokens, auth0_error **err);

#endif
