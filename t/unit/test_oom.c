/*
 * The error model when memory runs out: a failed call still sets *err, and
 * err->message is never NULL; and memory that runs out inside jansson or
 * cjose is AUTH0_ERR_NO_MEMORY too, never a malformed answer or token.
 *
 * Allocation failures in libauth0 are injected with the linker's --wrap (see
 * authentication.mk): every call of calloc, malloc, realloc, strdup and
 * strndup in libauth0's objects goes through the __wrap_ functions below,
 * which fail the kinds of allocation that `failing` names and pass the
 * others on. jansson, cjose, libcurl and OpenSSL are shared libraries and
 * keep the real allocator, except that jansson's and cjose's can be swapped
 * (json_set_alloc_funcs, cjose_set_alloc_funcs) for ones that fail the k-th
 * allocation of a call: the sweeps below try every k.
 */
#include "jwt_internal.h"
#include "management_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt_mint.h"
#include "tap.h"
#include "testenv.h"

#include <cjose/util.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(T_LSAN)
#define T_LSAN 1
#endif
#ifdef T_LSAN
#include <sanitizer/lsan_interface.h>
#endif

enum { FAIL_CALLOC = 1, FAIL_MALLOC = 2, FAIL_REALLOC = 4, FAIL_STRDUP = 8, FAIL_ALL = 15 };
static unsigned failing;

void *__real_calloc(size_t n, size_t size);
void *__real_malloc(size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *__wrap_calloc(size_t n, size_t size)
{
	if (failing & FAIL_CALLOC) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

void *__wrap_malloc(size_t size)
{
	if (failing & FAIL_MALLOC) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(size);
}

void *__wrap_realloc(void *p, size_t size)
{
	if (failing & FAIL_REALLOC) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
	if (failing & FAIL_STRDUP) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	if (failing & FAIL_STRDUP) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strndup(s, n);
}

/* The shared out-of-memory error, as a caller sees it. */
static void is_oom_error(auth0_status st, const auth0_error *err, const char *what)
{
	is_int(st, AUTH0_ERR_NO_MEMORY, "%s: AUTH0_ERR_NO_MEMORY", what);
	ok(err != NULL, "%s: *err is set", what);
	if (!err)
		return;
	is_int(err->kind, AUTH0_ERR_NO_MEMORY, "%s: err->kind agrees with the status", what);
	is_str(err->message, "out of memory", "%s: err->message is not NULL", what);
	ok(err->status == 0 && err->attempts == 0 && !err->option && !err->body, "%s: nothing else is claimed",
	   what);
}

static void test_failed_calls(void)
{
	json_t *header = NULL, *payload = NULL;
	auth0_error *err = NULL;

	/* The error object itself cannot be allocated. */
	failing = FAIL_ALL;
	auth0_status st = auth0_jwt_decode_unverified("a.b", &header, &payload, &err);
	failing = 0;
	is_oom_error(st, err, "no memory for the error");
	/* the shared object: freeing it is a no-op (ASan would report a free of a static object otherwise) */
	auth0_error_free(err);
	auth0_error_free(err);
	ok(!auth0_error_is_transient(err), "out of memory is not transient");

	/* The error is allocated (calloc), its message is not (a0_buf: malloc, realloc). */
	err = NULL;
	failing = FAIL_MALLOC | FAIL_REALLOC | FAIL_STRDUP;
	st = auth0_jwt_decode_unverified("a.b", &header, &payload, &err);
	failing = 0;
	is_oom_error(st, err, "no memory for the message");
	auth0_error_free(err);

	/* An option error: its option name cannot be copied. */
	err = NULL;
	auth0_client *c = NULL;
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "example.auth0.com";
	o.timeout_ms = 0;
	failing = FAIL_STRDUP;
	st = auth0_client_new(&c, &o, &err);
	failing = 0;
	is_oom_error(st, err, "no memory for an argument error");
	ok(c == NULL, "... and no client");
	auth0_error_free(err);

	/* Without err the status is the failure's own: nothing had to be allocated. */
	failing = FAIL_ALL;
	st = auth0_jwt_decode_unverified("a.b", &header, &payload, NULL);
	failing = 0;
	is_int(st, AUTH0_ERR_INVALID_TOKEN, "err NULL: the failure's own kind");
}

static void test_http_errors(void)
{
	static char body[] = "{\"statusCode\":404,\"error\":\"Not Found\",\"message\":\"The user does not exist.\","
	                     "\"errorCode\":\"inexistent_user\"}";
	a0_response resp = { .status = 404, .body = body, .len = sizeof(body) - 1,
		                 .content_type = (char *)"application/json", .retry_after = -1,
		                 .rate_limit = { -1, -1, -1 }, .attempts = 1 };
	auth0_error *err = NULL;

	failing = FAIL_CALLOC;
	auth0_status st = a0_error_from_response(&err, &resp, "GET", "/api/v2/users/x");
	failing = 0;
	is_oom_error(st, err, "an HTTP error without memory for the error");
	auth0_error_free(err);

	/* Auth0's fields are copied (strdup), the message cannot be built (a0_buf: malloc, realloc). */
	err = NULL;
	failing = FAIL_MALLOC | FAIL_REALLOC | FAIL_STRDUP;
	st = a0_error_from_response(&err, &resp, "GET", "/api/v2/users/x");
	failing = 0;
	is_oom_error(st, err, "an HTTP error without memory for its message");
	auth0_error_free(err);

	/* With memory, the same answer is the usual error. */
	err = NULL;
	st = a0_error_from_response(&err, &resp, "GET", "/api/v2/users/x");
	is_int(st, AUTH0_ERR_NOT_FOUND, "with memory: NOT_FOUND");
	is_str(err ? err->error_code : NULL, "inexistent_user", "... with Auth0's fields");
	auth0_error_free(err);
}

/* A private key in PEM (taking key), for a client that signs assertions; NULL on failure. */
static char *pem_of(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	if (key && bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		char *data = NULL;
		long len = BIO_get_mem_data(bio, &data);
		pem = len > 0 ? __real_strndup(data, (size_t)len) : NULL;
	}
	BIO_free(bio);
	EVP_PKEY_free(key);
	return pem;
}

static char *rsa_pem(void)
{
	return pem_of(EVP_RSA_gen(2048));
}

/*
 * The client assertion (private_key_jwt) signed and exported by cjose (a shared library, with the real
 * allocator), then not copied (strdup fails): no JWT, and an out-of-memory error that does not read the cjose
 * error, which cjose never set (stop 20's fix, 00cce43, had no test).
 */
static void test_client_assertion(void)
{
	char *pem = rsa_pem();
	ok(pem != NULL, "an RSA key for the client assertion");
	auth0_client *c = NULL;
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "example.auth0.com";
	o.client_id = "jwt-client";
	o.client_assertion_signing_key = pem;
	o.client_assertion_signing_alg = "RS256";
	auth0_error *err = NULL;
	auth0_status st = auth0_client_new(&c, &o, &err);
	is_int(st, AUTH0_OK, "a client that signs its assertions");
	auth0_error_free(err);
	err = NULL;
	if (c) {
		char *jwt = NULL;
		st = a0_client_assertion(c, &jwt, &err);
		is_int(st, AUTH0_OK, "with memory: the assertion is signed");
		ok(jwt && strchr(jwt, '.'), "... a compact JWS");
		free(jwt);
		jwt = (char *)"not cleared";
		failing = FAIL_STRDUP;
		st = a0_client_assertion(c, &jwt, &err);
		failing = 0;
		is_int(st, AUTH0_ERR_NO_MEMORY, "the signed assertion cannot be copied: out of memory");
		ok(jwt == NULL, "... no JWT");
		ok(err && err->message && strstr(err->message, "could not sign the client assertion: out of memory"),
		   "... saying so, without a cjose message that cjose never set: %s", err ? err->message : "(none)");
		auth0_error_free(err);
		auth0_client_free(c);
	}
	free(pem);
}

/* ---- Memory that runs out in jansson or cjose -------------------------------------------------------- */

/*
 * jansson's and cjose's allocator while a sweep runs: the allocation numbered lib_fail_at (from 0) fails, and
 * with lib_latch every later one too (memory that stays short). One thread: libauth0 calls them from the
 * caller's thread only.
 */
static long lib_allocs, lib_failed, lib_fail_at = -1;
static bool lib_latch;

static bool lib_fails(void)
{
	long i = lib_allocs++;
	if (lib_fail_at < 0 || i < lib_fail_at || (i > lib_fail_at && !lib_latch))
		return false;
	lib_failed++;
	return true;
}

static void *lib_malloc(size_t size)
{
	return lib_fails() ? NULL : __real_malloc(size);
}

static void *lib_realloc(void *p, size_t size)
{
	return lib_fails() ? NULL : __real_realloc(p, size);
}

static void lib_free(void *p)
{
	free(p);
}

static void lib_fail_from(long k, bool latch)
{
	CRYPTO_malloc_fn m0, m1;
	CRYPTO_realloc_fn r0, r1;
	CRYPTO_free_fn f0, f1;
	CRYPTO_get_mem_functions(&m0, &r0, &f0);
	lib_allocs = lib_failed = 0;
	lib_fail_at = k;
	lib_latch = latch;
	cjose_set_alloc_funcs(lib_malloc, lib_realloc, lib_free);
	json_set_alloc_funcs(lib_malloc, lib_free);
	/* cjose passes its functions on to OpenSSL too, which takes them only before its first allocation (long
	 * past here): OpenSSL's failures are another matter, and would make the counts meaningless. */
	CRYPTO_get_mem_functions(&m1, &r1, &f1);
	if (m1 != m0 || r1 != r0 || f1 != f0) {
		printf("Bail out! cjose_set_alloc_funcs() changed OpenSSL's allocator\n");
		exit(1);
	}
}

static void lib_restore(void)
{
	lib_fail_at = -1;
	cjose_set_alloc_funcs(NULL, NULL, NULL); /* cjose's own default, malloc and free */
	json_set_alloc_funcs(__real_malloc, free);
}

/* One call swept: setup and teardown run with the real allocators, run with the failing ones. */
typedef struct sweep_case {
	const char *name;
	bool latch;
	auth0_status expect; /* the outcome with memory enough */
	void (*setup)(struct sweep_case *sc);
	auth0_status (*run)(struct sweep_case *sc, auth0_error **err);
	void (*teardown)(struct sweep_case *sc);
	/* With memory short from then on (latch), whether an outcome that is the usual one is right as well (after
	 * a failure nothing reads on, unlike in the single failures that jansson may shrug off), or NULL. */
	bool (*check)(struct sweep_case *sc, const auth0_error *err);
	auth0_client *client;
	const char *token;
	const char *alg;
	void *out;
	/* An outcome that a bug of cjose's makes of one failed allocation (excused once per sweep), or NULL. */
	const char *excused;
} sweep_case;

/* At most this many runs per sweep (the calls below make some tens to a few hundred allocations). */
#define SWEEP_MAX 3000

/*
 * Runs sc with allocation k of jansson and cjose failing, for k = 0, 1, 2, ... until a run makes no more than
 * k of them (nothing failed): then it must have the usual outcome. Every run in which an allocation failed
 * must report AUTH0_ERR_NO_MEMORY (with an error saying so), or have the usual outcome: never another kind
 * (a malformed answer, an invalid token, a bad argument, ...). Crashes and leaks are ASan's to see.
 */
static void sweep(sweep_case *sc)
{
	long k, runs = 0, ooms = 0, usual = 0, excused = 0, wrong = 0;
	for (k = 0; k < SWEEP_MAX; k++) {
		if (sc->setup)
			sc->setup(sc);
		auth0_error *err = NULL;
		lib_fail_from(k, sc->latch);
		auth0_status st = sc->run(sc, &err);
		long failed = lib_failed, made = lib_allocs;
		lib_restore();
		bool right = st != sc->expect || !sc->check || (failed && !sc->latch) || sc->check(sc, err);
		if (sc->teardown)
			sc->teardown(sc);
		if (failed == 0) {
			is_int(st, sc->expect, "%s: with memory enough (%ld allocations in jansson and cjose): %s", sc->name,
			       made, auth0_status_name(sc->expect));
			ok(right, "%s: ... with the right result", sc->name);
			if (st != sc->expect)
				diag("%s", err && err->message ? err->message : "(no error)");
			auth0_error_free(err);
			break;
		}
		runs++;
		if (st == AUTH0_ERR_NO_MEMORY && err && err->kind == st && err->message &&
		    strstr(err->message, "out of memory"))
			ooms++;
		else if (st == sc->expect && (st == AUTH0_OK || (err && err->kind == st)) && right)
			usual++;
		else if (sc->excused && err && err->message && strstr(err->message, sc->excused) && excused++ == 0)
			diag("%s: allocation %ld failing: %s (cjose's bug)", sc->name, k, err->message);
		else if (wrong++ < 5)
			diag("%s: allocation %ld failing: %s: %s", sc->name, k, auth0_status_name(st),
			     !right ? "the usual outcome, but not the right result" : err && err->message ? err->message
			                                                                               : "(no error)");
		auth0_error_free(err);
	}
	ok(k < SWEEP_MAX, "%s: a run with no allocation failing within %d runs", sc->name, SWEEP_MAX);
	is_int(wrong, 0, "%s: each of the %ld runs with a failing allocation says AUTH0_ERR_NO_MEMORY (%ld) or has the "
	       "usual outcome (%ld)%s", sc->name, runs, ooms, usual, excused ? ", but for cjose's bug (1)" : "");
	ok(ooms > 0, "%s: some of them do run out of memory", sc->name);
}

/*
 * The answers and tokens below keep jansson 2.14 away from two bugs of its own that no caller can see (its
 * lexer ignores a failure to grow its buffer, akheron/jansson#362; see util_json.c): no string of 14, 30,
 * 62, 126, 254, 510 or 1022 characters (whose closing quote a failed growth would drop: jansson then reads
 * past its buffer), no escapes and no number over 15 digits (where it asserts). A byte it drops elsewhere
 * changes a string and nothing else: a run may then succeed with a key skipped or a token one byte shorter,
 * which the sweeps count as the usual outcome; with memory that stays short (latch), the next allocation
 * fails and jansson says so.
 */
static EVP_PKEY *sweep_key;
static json_t *sweep_jwks; /* {"keys": [the public JWK of sweep_key, kid "k1", alg RS256]} */

/* A fault rule of the tenant answering method path with status and body, until cleared. */
static void serve(const char *method, const char *path, int status, const char *body)
{
	json_t *rule = json_pack("{s:s, s:s, s:i, s:s, s:i}", "method", method, "path", path, "status", status, "body",
	                         body, "times", 0);
	char *text = json_dumps(rule, JSON_COMPACT);
	t_fault(text);
	free(text);
	json_decref(rule);
}

/* The client's last word on the keys it fetched ("fetched the JWKS: 1 usable key"). */
static char fetched[128];

static void sweep_log(void *ud, auth0_log_level level, const char *line)
{
	(void)ud;
	(void)level;
	if (strncmp(line, "fetched the JWKS", 16) == 0)
		snprintf(fetched, sizeof(fetched), "%s", line);
}

static auth0_client *sweep_client(const char *domain, m_store *store)
{
	auth0_client_options o;
	t_options(&o);
	o.log = sweep_log;
	o.domain = domain;
	o.client_id = "sweep-client";
	o.client_secret = "sweep-secret";
	o.timeout_ms = 5000;
	o.store = store ? &store->store : NULL;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		printf("Bail out! client: %s\n", err ? err->message : "?");
		exit(1);
	}
	return c;
}

static void free_client(sweep_case *sc)
{
	auth0_client_free(sc->client);
	sc->client = NULL;
}

/* (a) The JWKS answer, read by a client that has no keys yet. */
static void new_tenant_client(sweep_case *sc)
{
	sc->client = sweep_client(t_domain(), NULL);
	fetched[0] = '\0';
}

/* Not a key skipped for memory that ran out while importing it. */
static bool key_imported(sweep_case *sc, const auth0_error *err)
{
	(void)sc;
	(void)err;
	return strcmp(fetched, "fetched the JWKS: 1 usable key") == 0;
}

static auth0_status run_jwks_refresh(sweep_case *sc, auth0_error **err)
{
	return auth0_jwks_refresh(sc->client, err);
}

/* (b) The token endpoint's answer (the password grant: its request is built with jansson too). */
static auth0_status run_password_grant(sweep_case *sc, auth0_error **err)
{
	auth0_password_login login = { .username = "user@example.com", .password = "Passw0rd!", .scope = "openid" };
	auth0_tokens *tokens = NULL;
	auth0_status st = auth0_login_password(sc->client, &login, &tokens, err);
	sc->out = tokens;
	return st;
}

/* The tokens of token_answer(). */
static bool tokens_read(sweep_case *sc, const auth0_error *err)
{
	(void)err;
	const auth0_tokens *t = sc->out;
	return t && t->access_token && strlen(t->access_token) == 700 && t->refresh_token &&
	       strlen(t->refresh_token) == 100 && a0_streq(t->token_type, "Bearer") && a0_streq(t->scope, "openid");
}

/* The error of the answer that serve() gives below: Auth0's fields, and the mfa_token in its body. */
static bool mfa_required(sweep_case *sc, const auth0_error *err)
{
	(void)sc;
	return err && a0_streq(err->error, "mfa_required") &&
	       a0_streq(err->error_description, "Multifactor authentication required") &&
	       a0_streq(a0_json_str(err->body, "mfa_token"), "Fe26.2mfa0123456789");
}

static void free_tokens(sweep_case *sc)
{
	auth0_tokens_free(sc->out);
	sc->out = NULL;
}

/* (c) An ID token validated (its header and payload are parsed; the key is known or fetched). */
static auth0_status run_id_token(sweep_case *sc, auth0_error **err)
{
	/* short: the tenant's issuer (https://127.0.0.1:PORT/) would be one of jansson's long strings */
	auth0_id_token_options o = { .issuer = "https://i/", .audience = "sweep-aud" };
	json_t *claims = NULL;
	auth0_status st = auth0_id_token_validate(sc->client, sc->token, &o, &claims, err);
	sc->out = claims;
	return st;
}

static bool claims_read(sweep_case *sc, const auth0_error *err)
{
	(void)err;
	return a0_streq(a0_json_str(sc->out, "sub"), "u1") && a0_streq(a0_json_str(sc->out, "iss"), "https://i/");
}

static void free_claims(sweep_case *sc)
{
	json_decref(sc->out);
	sc->out = NULL;
}

static void free_claims_and_client(sweep_case *sc)
{
	free_claims(sc);
	free_client(sc);
}

/* A Management API answer (a user, with the client's own token: no token request). */
static auth0_status run_users_get(sweep_case *sc, auth0_error **err)
{
	json_t *user = NULL;
	auth0_status st = auth0_users_get(sc->client, "u1", NULL, NULL, &user, err);
	sc->out = user;
	return st;
}

static bool user_read(sweep_case *sc, const auth0_error *err)
{
	(void)err;
	return a0_streq(a0_json_str(sc->out, "user_id"), "u1") && a0_streq(a0_json_str(sc->out, "name"), "U1");
}

static void free_json(sweep_case *sc)
{
	json_decref(sc->out);
	sc->out = NULL;
}

/* The sentence of /dbconnections/change_password, a JSON string. */
static auth0_status run_reset_password(sweep_case *sc, auth0_error **err)
{
	char *message = NULL;
	auth0_status st = auth0_reset_password(sc->client, "u1@example.com", NULL, &message, err);
	sc->out = message;
	return st;
}

static bool sentence_read(sweep_case *sc, const auth0_error *err)
{
	(void)err;
	return a0_streq(sc->out, "We sent you an email.");
}

static void free_text(sweep_case *sc)
{
	free(sc->out);
	sc->out = NULL;
}

/* Server-sent events (a Management API answer type), parsed without a network. */
static auth0_status run_sse(sweep_case *sc, auth0_error **err)
{
	static const char body[] = "event: update\ndata: {\"a\": 1}\nid: 7\n\ndata: plain text\n\n";
	json_t *events = a0_sse_parse(body, sizeof(body) - 1);
	sc->out = events;
	return events ? AUTH0_OK : a0_oom(err);
}

static bool events_read(sweep_case *sc, const auth0_error *err)
{
	(void)err;
	json_t *first = json_array_get(sc->out, 0), *second = json_array_get(sc->out, 1);
	return json_array_size(sc->out) == 2 && a0_streq(a0_json_str(first, "event"), "update") &&
	       a0_streq(a0_json_str(first, "id"), "7") && json_integer_value(json_object_get(json_object_get(first,
	       "data"), "a")) == 1 && a0_streq(a0_json_str(second, "event"), "message") &&
	       a0_streq(a0_json_str(second, "data"), "plain text");
}

/* The client assertion, signed by cjose. */
static auth0_status run_client_assertion(sweep_case *sc, auth0_error **err)
{
	char *jwt = NULL;
	auth0_status st = a0_client_assertion(sc->client, &jwt, err);
	free(jwt);
	return st;
}

/* A client made with a signing key, which cjose converts. */
static auth0_status run_client_new(sweep_case *sc, auth0_error **err)
{
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "example.auth0.com";
	o.client_id = "jwt-client";
	o.client_assertion_signing_key = sc->token;
	o.client_assertion_signing_alg = sc->alg;
	return auth0_client_new(&sc->client, &o, err);
}

static char *sweep_id_token(void)
{
	json_t *h = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "typ", "JWT", "kid", "k1");
	json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", "https://i/", "sub", "u1", "aud", "sweep-aud", "exp",
	                      (json_int_t)(a0_now() + 3600), "iat", (json_int_t)a0_now());
	char *t = m_sign_json(h, c, "RS256", sweep_key, NULL);
	json_decref(h);
	json_decref(c);
	return t;
}

/* A token answer: long tokens made of letters, none of a length listed above. */
static char *token_answer(void)
{
	char at[701], rt[101];
	memset(at, 'a', sizeof(at) - 1);
	at[sizeof(at) - 1] = '\0';
	at[100] = at[300] = '.';
	memset(rt, 'r', sizeof(rt) - 1);
	rt[sizeof(rt) - 1] = '\0';
	return a0_asprintf("{\"access_token\": \"%s\", \"refresh_token\": \"%s\", \"token_type\": \"Bearer\", "
	                   "\"expires_in\": 86400, \"scope\": \"openid\"}", at, rt);
}

static void test_jansson_cjose_oom(void)
{
	sweep_key = m_rsa_key(2048);
	sweep_jwks = m_jwks(m_jwk(sweep_key, "k1", "RS256"), NULL);
	char *jwks_text = json_dumps(sweep_jwks, JSON_COMPACT);
	char *id_token = sweep_id_token();

	/* (c) without a tenant: the keys come from the store, into the client's cache, before the sweep. */
	m_store store;
	m_store_init(&store);
	auth0_client *offline = sweep_client("127.0.0.1:9", &store);
	char *key = a0_jwks_store_key(offline);
	m_store_put_jwks(&store, key, sweep_jwks, a0_now());
	free(key);
	auth0_error *err = NULL;
	auth0_id_token_options o = { .issuer = "https://i/", .audience = "sweep-aud" };
	is_int(auth0_id_token_validate(offline, id_token, &o, NULL, &err), AUTH0_OK, "the sweeps' ID token validates");
	if (err)
		diag("%s", err->message);
	auth0_error_free(err);
	for (int latch = 0; latch < 2; latch++) {
		sweep_case c = { .name = latch ? "ID token, memory short from then on" : "ID token", .latch = latch,
			             .run = run_id_token, .teardown = free_claims, .check = claims_read, .client = offline,
			             .token = id_token };
		sweep(&c);
	}
	auth0_client_free(offline);
	m_store_clear(&store);

	for (int latch = 0; latch < 2; latch++) {
		sweep_case c = { .name = latch ? "server-sent events, memory short from then on" : "server-sent events",
			             .latch = latch, .run = run_sse, .teardown = free_json, .check = events_read };
		sweep(&c);
	}

	/* cjose: the client assertion's signature, and the conversion of its key. */
	char *pem = rsa_pem();
	auth0_client_options co = AUTH0_CLIENT_OPTIONS_INIT;
	co.domain = "example.auth0.com";
	co.client_id = "jwt-client";
	co.client_assertion_signing_key = pem;
	co.client_assertion_signing_alg = "RS256";
	auth0_client *signer = NULL;
	if (pem && auth0_client_new(&signer, &co, NULL) == AUTH0_OK) {
		/* cjose 0.6.2 says CJOSE_ERR_CRYPTO when it cannot allocate the base64url text of the signature
		 * (_cjose_jws_build_sig_rs() overwrites its own CJOSE_ERR_NO_MEMORY): libauth0 cannot tell that from a
		 * signature that OpenSSL refused, and says AUTH0_ERR_INTERNAL. */
		sweep_case c = { .name = "client assertion", .run = run_client_assertion, .client = signer,
			             .excused = "could not sign the client assertion (crypto error)" };
		sweep(&c);
		/* cjose 0.6.2 leaks the RSA key it has made when it cannot allocate the JWK around it
		 * (cjose_jwk_create_RSA_spec: "return _RSA_new(rsa, err);" frees nothing on failure): LeakSanitizer
		 * is not told about this sweep's allocations. The EC one below, where cjose frees its key, it is. */
		sweep_case n = { .name = "client with an RSA signing key", .run = run_client_new, .teardown = free_client,
			             .token = pem, .alg = "RS256" };
#ifdef T_LSAN
		__lsan_disable();
#endif
		sweep(&n);
#ifdef T_LSAN
		__lsan_enable();
#endif
		char *ec_pem = pem_of(EVP_EC_gen("P-256"));
		sweep_case e = { .name = "client with an EC signing key", .run = run_client_new, .teardown = free_client,
			             .token = ec_pem, .alg = "ES256" };
		sweep(&e);
		free(ec_pem);
	} else {
		ok(0, "a client that signs its assertions");
	}
	auth0_client_free(signer);
	free(pem);

	if (!t_base_url() || !t_ca_file()) {
		diag("no fake tenant (run under t/with-tenant): the sweeps of its answers are skipped");
	} else {
		t_reset();
		serve("GET", "/.well-known/jwks.json", 200, jwks_text);
		for (int latch = 0; latch < 2; latch++) {
			sweep_case c = { .name = latch ? "JWKS, memory short from then on" : "JWKS", .latch = latch,
				             .setup = new_tenant_client, .run = run_jwks_refresh, .teardown = free_client,
				             .check = key_imported };
			sweep(&c);
		}
		/* (c) again, the keys fetched by the validation itself (memory short: a byte jansson dropped from
		 * the key would be an unknown kid) */
		sweep_case v = { .name = "ID token, keys fetched, memory short", .latch = true,
			             .setup = new_tenant_client, .run = run_id_token, .teardown = free_claims_and_client,
			             .check = claims_read, .token = id_token };
		sweep(&v);

		char *answer = token_answer();
		serve("POST", "/oauth/token", 200, answer);
		auth0_client *c = sweep_client(t_domain(), NULL);
		for (int latch = 0; latch < 2; latch++) {
			sweep_case g = { .name = latch ? "token answer, memory short from then on" : "token answer",
				             .latch = latch, .run = run_password_grant, .teardown = free_tokens,
				             .check = tokens_read, .client = c };
			sweep(&g);
		}
		free(answer);
		t_reset();
		serve("POST", "/oauth/token", 403, "{\"error\": \"mfa_required\", \"error_description\": \"Multifactor "
		      "authentication required\", \"mfa_token\": \"Fe26.2mfa0123456789\"}");
		for (int latch = 0; latch < 2; latch++) {
			sweep_case m = { .name = latch ? "token endpoint's error answer, memory short from then on"
			                               : "token endpoint's error answer",
				             .latch = latch, .expect = AUTH0_ERR_FORBIDDEN, .run = run_password_grant,
				             .teardown = free_tokens, .check = mfa_required, .client = c };
			sweep(&m);
		}
		t_reset();
		serve("POST", "/dbconnections/change_password", 200, "\"We sent you an email.\"");
		for (int latch = 0; latch < 2; latch++) {
			sweep_case r = { .name = latch ? "change_password's answer, memory short from then on"
			                               : "change_password's answer",
				             .latch = latch, .run = run_reset_password, .teardown = free_text,
				             .check = sentence_read, .client = c };
			sweep(&r);
		}
		auth0_client_free(c);

		t_reset();
		serve("GET", "/api/v2/users/u1", 200,
		      "{\"user_id\": \"u1\", \"name\": \"U1\", \"logins_count\": 3, \"blocked\": false, "
		      "\"identities\": [{\"provider\": \"auth0\", \"user_id\": \"u1\"}]}");
		auth0_client_options mo;
		t_options(&mo);
		mo.token = "sweep-management-token";
		auth0_client *m = NULL;
		if (auth0_client_new(&m, &mo, NULL) == AUTH0_OK) {
			for (int latch = 0; latch < 2; latch++) {
				sweep_case u = { .name = latch ? "Management API answer, memory short from then on"
				                               : "Management API answer",
					             .latch = latch, .run = run_users_get, .teardown = free_json, .check = user_read,
					             .client = m };
				sweep(&u);
			}
		} else {
			ok(0, "a Management API client");
		}
		auth0_client_free(m);
		t_reset();
	}
	free(id_token);
	free(jwks_text);
	json_decref(sweep_jwks);
	EVP_PKEY_free(sweep_key);
}

/* a0_json_load tells jansson's out-of-memory failures from malformed text partly by their wording (jansson
 * 2.14 sets no code for them): malformed answers must stay malformed, whatever jansson says of them. */
static void test_malformed_is_not_oom(void)
{
	static const char *const bodies[] = {
		"", " ", "{", "}", "[", "{\"a\":\"b\"x}", "\"abc\"x", "{\"a\" \"b\"}", "[\"a\",]", "{\"a\":\"b\",}",
		"{\"a\":\"\\u12\"}", "\"\xff\"", "{\"a\":\"b\"}garbage", "{\"a\":tru}", "{\"a\":\"b\"@}",
		"{\"a\":\"b\"\"c\"}", "{1:2}", "{\"a\":1,\"", "[\"a\" \"b\"]", "{\"a\":\"b\"\"", "\"\\ud800\"",
		"{\"a\":\"\x01\"}", "[\"\"\"\"]", "{\"\":\"\"\"\"}", "nul", "[1,2", "{\"k\":[\"v\"}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		bool oom = true;
		json_error_t e;
		json_t *j = a0_json_load(bodies[i], strlen(bodies[i]), 0, &e, &oom);
		ok(!j && !oom, "malformed JSON %zu is not taken for a shortage of memory (jansson: %s)", i, e.text);
		json_decref(j);
	}
}

int main(void)
{
	test_malformed_is_not_oom();
	test_failed_calls();
	test_http_errors();
	test_client_assertion();
	test_jansson_cjose_oom();
	return done_testing();
}
