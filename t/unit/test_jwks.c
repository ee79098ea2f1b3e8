/*
 * The JWKS cache against the fake tenant: first fetch, cache hits, sharing
 * through the store, key rotation, bounded refetches under a storm of
 * unknown kids, stale fallback, an endpoint down / black-holed / malformed;
 * then real tokens from the tenant (ID tokens by the password grant, access
 * tokens by client credentials) validated, and the tenant's token tweaks
 * refused with the right rule.
 */
#include "jwt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>

#include "jwt_mint.h"
#include "tap.h"
#include "testenv.h"

#define JWKS_COUNTER "GET /.well-known/jwks.json"
#define API "https://api.example.com/"
#define JWKS_FAULT(rest) "{\"path\": \"/.well-known/jwks.json\", " rest "}"

static atomic_int stale_warnings;
static EVP_PKEY *local_key;

/* Warnings about skipped keys, one a line (test_key_sizes). */
static char skipped[4096];
static pthread_mutex_t skipped_mu = PTHREAD_MUTEX_INITIALIZER;

static void on_log(void *ud, auth0_log_level level, const char *line)
{
	(void)ud;
	if (strstr(line, "JWKS: refresh failed"))
		atomic_fetch_add(&stale_warnings, 1);
	if (level == AUTH0_LOG_WARNING && strstr(line, "skipped")) {
		pthread_mutex_lock(&skipped_mu);
		size_t used = strlen(skipped);
		snprintf(skipped + used, sizeof(skipped) - used, "%s\n", line);
		pthread_mutex_unlock(&skipped_mu);
	}
}

static auth0_client *jclient(m_store *st, const char *client_id, const char *secret, long ttl, long interval,
                             long timeout_ms)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = client_id;
	o.client_secret = secret;
	o.store = st ? &st->store : NULL;
	o.jwks_cache_ttl = ttl;
	o.jwks_min_refetch_interval = interval;
	o.timeout_ms = timeout_ms;
	o.log = on_log;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		fprintf(stderr, "client: %s\n", err->message);
		abort();
	}
	return c;
}

static auth0_client *web(m_store *st)
{
	return jclient(st, T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET, 600, 60, 5000);
}

static long jwks_count(void)
{
	return t_counter(JWKS_COUNTER);
}

/* An ID token for alice from the tenant (password grant, scope openid). */
static char *alice_id_token(auth0_client *c)
{
	auth0_password_login login = { .username = "alice@example.com", .password = "Alice-Passw0rd!",
		                           .scope = "openid profile" };
	auth0_tokens *tokens = NULL;
	auth0_error *err = NULL;
	char *id = NULL;
	if (auth0_login_password(c, &login, &tokens, &err) == AUTH0_OK)
		id = a0_strdup(tokens->id_token);
	else
		diag("password grant failed: %s", err ? err->message : "?");
	auth0_tokens_free(tokens);
	auth0_error_free(err);
	return id;
}

/* An access token for the example API (client credentials of the M2M client). */
static char *m2m_access_token(const char *organization)
{
	auth0_client *m2m = t_client(T_M2M_CLIENT_ID, T_M2M_CLIENT_SECRET);
	auth0_tokens *tokens = NULL;
	auth0_error *err = NULL;
	char *at = NULL;
	if (auth0_client_credentials(m2m, API, organization, &tokens, &err) == AUTH0_OK)
		at = a0_strdup(tokens->access_token);
	else
		diag("client credentials failed: %s", err ? err->message : "?");
	auth0_tokens_free(tokens);
	auth0_error_free(err);
	auth0_client_free(m2m);
	return at;
}

/* A token signed by a key the tenant never published, naming `kid`. */
static char *foreign_token(const char *kid)
{
	json_t *h = json_pack("{s:s, s:s}", "alg", "RS256", "kid", kid);
	json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", "x", "sub", "x", "aud", T_WEB_CLIENT_ID, "exp",
	                      (json_int_t)(a0_now() + 600), "iat", (json_int_t)a0_now());
	char *t = m_sign_json(h, c, "RS256", local_key, NULL);
	json_decref(h);
	json_decref(c);
	return t;
}

static auth0_status validate(auth0_client *c, const char *token, auth0_error **err)
{
	return auth0_id_token_validate(c, token, NULL, NULL, err);
}

static void expect_rule(auth0_client *c, const char *token, const auth0_id_token_options *o,
                        auth0_token_rule rule, const char *name)
{
	auth0_error *err = NULL;
	auth0_status st = auth0_id_token_validate(c, token, o, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_TOKEN, "%s: invalid token", name);
	is_str(auth0_token_rule_name(err ? err->rule : AUTH0_RULE_NONE), auth0_token_rule_name(rule), "%s: rule",
	       name);
	if (err)
		diag("%s: %s", name, err->message);
	auth0_error_free(err);
}

static void test_first_fetch_and_cache(void)
{
	t_reset();
	m_store st;
	m_store_init(&st);
	auth0_client *c = web(&st);
	is_int(jwks_count(), 0, "no JWKS request yet");
	auth0_error *err = NULL;
	is_int(auth0_jwks_refresh(c, &err), AUTH0_OK, "auth0_jwks_refresh fetches");
	auth0_error_free(err);
	is_int(jwks_count(), 1, "one GET /.well-known/jwks.json");
	json_t *req = t_last_request("/.well-known/jwks.json");
	ok(req != NULL, "the request was recorded");
	ok(t_request_header(req, "Auth0-Client") == NULL, "no telemetry header on the JWKS fetch");
	json_decref(req);

	char *key = a0_jwks_store_key(c);
	char *value = m_store_value(&st, key);
	json_t *entry = value ? json_loads(value, 0, NULL) : NULL;
	int64_t fetched_at = 0;
	ok(a0_json_int(entry, "fetched_at", &fetched_at) && fetched_at > a0_now() - 60,
	   "the store holds the fetch time");
	ok(json_array_size(json_object_get(json_object_get(entry, "jwks"), "keys")) >= 1,
	   "and the raw JWKS with its keys");
	json_decref(entry);
	free(value);

	is_int(auth0_jwks_refresh(c, NULL), AUTH0_OK, "a second refresh within the interval is a no-op");
	is_int(jwks_count(), 1, "still one request");

	char *id = alice_id_token(c);
	ok(id != NULL, "alice has an ID token");
	json_t *claims = NULL;
	err = NULL;
	is_int(auth0_id_token_validate(c, id, NULL, &claims, &err), AUTH0_OK, "the tenant's ID token validates");
	if (err)
		diag("%s", err->message);
	auth0_error_free(err);
	like(a0_json_str(claims, "sub"), "auth0|", "claims: alice's user id");
	is_str(a0_json_str(claims, "iss"), auth0_client_issuer(c), "claims: iss is https://DOMAIN/");
	json_decref(claims);
	is_int(validate(c, id, NULL), AUTH0_OK, "and again");
	is_int(jwks_count(), 1, "cache hit: the counter is unchanged");

	/* Another process: its own client, the same store. */
	auth0_client *other = web(&st);
	is_int(validate(other, id, NULL), AUTH0_OK, "a second client sharing the store validates");
	is_int(jwks_count(), 1, "from the store, without fetching");
	auth0_client_free(other);

	/* Without a shared store, a second client fetches once for itself. */
	auth0_client *alone = web(NULL);
	is_int(validate(alone, id, NULL), AUTH0_OK, "a client with its own memory store validates");
	is_int(jwks_count(), 2, "after fetching once");
	is_int(validate(alone, id, NULL), AUTH0_OK, "and again");
	is_int(jwks_count(), 2, "from its cache");
	auth0_client_free(alone);

	free(id);
	free(key);
	auth0_client_free(c);
	m_store_clear(&st);
}

static void test_rotation(void)
{
	t_reset();
	m_store st;
	m_store_init(&st);
	auth0_client *c = web(&st);
	char *old = alice_id_token(c);
	is_int(validate(c, old, NULL), AUTH0_OK, "token signed by the current key");
	long before = jwks_count();
	is_int(before, 1, "one fetch");

	json_t *r = t_control("POST", "/__control/keys/rotate", "{}");
	ok(a0_json_str(r, "kid") != NULL, "the tenant rotated its signing key");
	json_decref(r);
	char *fresh = alice_id_token(c);
	auth0_error *err = NULL;
	is_int(validate(c, fresh, &err), AUTH0_OK, "a token signed by the new key validates");
	if (err)
		diag("%s", err->message);
	auth0_error_free(err);
	is_int(jwks_count(), before + 1, "after exactly one refetch");
	is_int(validate(c, old, NULL), AUTH0_OK, "the old key is still published and trusted");
	is_int(validate(c, fresh, NULL), AUTH0_OK, "new key again");
	is_int(jwks_count(), before + 1, "no further fetch");

	auth0_client *other = web(&st);
	is_int(validate(other, fresh, NULL), AUTH0_OK, "another process learns the new key from the store");
	is_int(jwks_count(), before + 1, "without fetching");
	auth0_client_free(other);

	free(old);
	free(fresh);
	auth0_client_free(c);
	m_store_clear(&st);
}

typedef struct storm_arg {
	auth0_client *c;
	int key_errors;
} storm_arg;

static void *storm_worker(void *p)
{
	storm_arg *a = p;
	char kid[64];
	snprintf(kid, sizeof(kid), "made-up-%p", (void *)a);
	char *t = foreign_token(kid);
	auth0_error *err = NULL;
	if (validate(a->c, t, &err) == AUTH0_ERR_INVALID_TOKEN && err->rule == AUTH0_RULE_KEY)
		a->key_errors++;
	auth0_error_free(err);
	free(t);
	return NULL;
}

static void test_storm(void)
{
	t_reset();
	m_store st;
	m_store_init(&st);
	auth0_client *c = web(&st);
	char *id = alice_id_token(c);
	is_int(validate(c, id, NULL), AUTH0_OK, "warm cache");
	long base = jwks_count();

	int key_errors = 0;
	for (int i = 0; i < 50; i++) {
		char kid[32];
		snprintf(kid, sizeof(kid), "unknown-%d", i);
		char *t = foreign_token(kid);
		auth0_error *err = NULL;
		if (validate(c, t, &err) == AUTH0_ERR_INVALID_TOKEN && err->rule == AUTH0_RULE_KEY)
			key_errors++;
		auth0_error_free(err);
		free(t);
	}
	is_int(key_errors, 50, "50 tokens with unknown kids: all refused (rule key)");
	is_int(jwks_count(), base + 1, "at most one refetch for the whole storm");
	is_int(validate(c, id, NULL), AUTH0_OK, "good tokens unaffected");

	/* The same from 50 threads of a fresh process sharing nothing but the tenant. */
	m_store st2;
	m_store_init(&st2);
	auth0_client *c2 = web(&st2);
	is_int(validate(c2, id, NULL), AUTH0_OK, "second client warm");
	base = jwks_count();
	enum { N = 50 };
	pthread_t th[N];
	storm_arg args[N];
	for (int i = 0; i < N; i++) {
		args[i] = (storm_arg){ c2, 0 };
		pthread_create(&th[i], NULL, storm_worker, &args[i]);
	}
	int refused = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		refused += args[i].key_errors;
	}
	is_int(refused, N, "50 concurrent unknown kids refused");
	ok(jwks_count() - base <= 1, "at most one refetch for 50 concurrent threads (%ld)", jwks_count() - base);

	/* Another process sharing the store does not refetch for a kid another one just refetched for. */
	auth0_client *c3 = web(&st2);
	char *t = foreign_token("yet-another");
	base = jwks_count();
	expect_rule(c3, t, NULL, AUTH0_RULE_KEY, "unknown kid in a sibling process");
	is_int(jwks_count(), base, "the interval is shared through the store: no refetch");
	free(t);
	auth0_client_free(c3);

	/* jwks_min_refetch_interval 0 restores the SDK's refetch on every miss. */
	auth0_client *eager = jclient(NULL, T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET, 600, 0, 5000);
	is_int(validate(eager, id, NULL), AUTH0_OK, "interval 0: warm");
	base = jwks_count();
	for (int i = 0; i < 3; i++) {
		t = foreign_token("nope");
		validate(eager, t, NULL);
		free(t);
	}
	is_int(jwks_count(), base + 3, "interval 0: one refetch per miss");
	auth0_client_free(eager);

	free(id);
	auth0_client_free(c2);
	m_store_clear(&st2);
	auth0_client_free(c);
	m_store_clear(&st);
}

static void test_refetch_failure(void)
{
	t_reset();
	m_store st;
	m_store_init(&st);
	auth0_client *c = web(&st);
	char *id = alice_id_token(c);
	is_int(validate(c, id, NULL), AUTH0_OK, "warm cache");
	long base = jwks_count();
	int warnings = atomic_load(&stale_warnings);

	t_fault(JWKS_FAULT("\"status\": 500, \"times\": 0"));
	char *t = foreign_token("unknown-during-outage");
	auth0_error *err = NULL;
	validate(c, t, &err);
	is_str(auth0_token_rule_name(err ? err->rule : AUTH0_RULE_NONE),
	       auth0_token_rule_name(AUTH0_RULE_KEYS_UNAVAILABLE),
	       "refetch failed: the kid may be a rotated key, so the keys are unavailable, not the kid unknown");
	ok(auth0_error_is_transient(err), "... a transient error (the token may be fine)");
	like(err ? err->message : "", "Could not fetch the JWK set: server_error", "... that says why");
	auth0_error_free(err);
	is_int(jwks_count(), base + 1, "the refetch was attempted once");
	ok(atomic_load(&stale_warnings) > warnings, "a warning was logged");
	err = NULL;
	validate(c, t, &err);
	ok(auth0_error_is_transient(err), "the same token again within the back-off: still transient");
	auth0_error_free(err);
	free(t);
	is_int(validate(c, id, NULL), AUTH0_OK, "cached keys keep working during the outage");
	is_int(jwks_count(), base + 1, "without hammering the endpoint");

	/* Expired TTL during an outage: stale keys are served, one attempt per interval. */
	json_decref(t_control("DELETE", "/__control/faults", NULL));
	auth0_client *ttl0 = jclient(NULL, T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET, 0, 60, 5000);
	is_int(validate(ttl0, id, NULL), AUTH0_OK, "ttl 0: fetched");
	t_fault(JWKS_FAULT("\"status\": 503, \"times\": 0"));
	base = jwks_count();
	is_int(validate(ttl0, id, NULL), AUTH0_OK, "ttl 0, endpoint failing: stale keys served");
	is_int(validate(ttl0, id, NULL), AUTH0_OK, "again");
	is_int(validate(ttl0, id, NULL), AUTH0_OK, "and again");
	is_int(jwks_count(), base + 1, "one refresh attempt, then back-off");
	err = NULL;
	auth0_status s = auth0_jwks_refresh(ttl0, &err);
	is_int(s, AUTH0_OK, "auth0_jwks_refresh within the back-off interval does nothing");
	auth0_error_free(err);
	auth0_client_free(ttl0);

	free(id);
	auth0_client_free(c);
	m_store_clear(&st);
}

static void test_endpoint_down(void)
{
	t_reset();
	auth0_client *c = web(NULL);
	char *id = alice_id_token(c);
	t_fault(JWKS_FAULT("\"status\": 500, \"times\": 0"));
	auth0_error *err = NULL;
	auth0_status s = validate(c, id, &err);
	is_int(s, AUTH0_ERR_INVALID_TOKEN, "JWKS endpoint failing, nothing cached: invalid token");
	is_int(err ? (int)err->rule : -1, AUTH0_RULE_KEYS_UNAVAILABLE, "rule keys_unavailable");
	ok(auth0_error_is_transient(err), "and the error is transient (an outage, not a bad token)");
	like(err ? err->message : NULL,
	     "Could not fetch the JWK set: server_error: GET /.well-known/jwks.json: HTTP 500",
	     "the message says what went wrong underneath");
	is_int(err ? err->status : 0, 500, "err->status carries the HTTP status");
	auth0_error_free(err);

	err = NULL;
	s = auth0_jwks_refresh(c, &err);
	is_int(s, AUTH0_ERR_SERVER, "auth0_jwks_refresh returns the underlying error kind");
	auth0_error_free(err);
	auth0_client_free(c);

	/* Nothing listening at all. */
	auth0_client_options o;
	t_options(&o);
	o.domain = "127.0.0.1:1";
	o.client_id = T_WEB_CLIENT_ID;
	auth0_client *dead = NULL;
	auth0_client_new(&dead, &o, NULL);
	err = NULL;
	validate(dead, id, &err);
	like(err ? err->message : NULL,
	     "Could not fetch the JWK set: network:", "connection refused: network kind");
	auth0_error_free(err);
	auth0_client_free(dead);
	free(id);
}

static void test_blackhole(void)
{
	t_reset();
	auth0_client *c = jclient(NULL, T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET, 600, 60, 1000);
	char *id = alice_id_token(c);
	t_fault(JWKS_FAULT("\"action\": \"blackhole\", \"times\": 0"));
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	auth0_error *err = NULL;
	auth0_status s = validate(c, id, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (long)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000);
	is_int(s, AUTH0_ERR_INVALID_TOKEN, "black-holed JWKS endpoint: invalid token");
	like(err ? err->message : NULL, "Could not fetch the JWK set: timeout:", "the message says timeout");
	ok(ms >= 900 && ms < 4000, "bounded by the client timeout of 1000 ms (took %ld ms)", ms);
	auth0_error_free(err);
	free(id);
	auth0_client_free(c);
}

typedef struct stale_arg {
	auth0_client *c;
	const char *id;
	auth0_status st;
	atomic_int done;
} stale_arg;

static void *stale_worker(void *p)
{
	stale_arg *a = p;
	a->st = validate(a->c, a->id, NULL);
	atomic_store(&a->done, 1);
	return NULL;
}

/* Stale keys that have the kid serve other threads while one thread's refresh hangs. */
static void test_stale_keys_while_refreshing(void)
{
	t_reset();
	auth0_client *c = jclient(NULL, T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET, 0 /* always stale */, 60, 3000);
	char *id = alice_id_token(c);
	is_int(validate(c, id, NULL), AUTH0_OK, "keys fetched (stale at once: TTL 0)");
	long before = jwks_count();
	t_fault(JWKS_FAULT("\"action\": \"blackhole\", \"times\": 0"));
	stale_arg a = { .c = c, .id = id };
	pthread_t th;
	pthread_create(&th, NULL, stale_worker, &a);
	/* until the worker's refetch has reached the tenant (bounded: 10 s) */
	for (int i = 0; i < 1000 && jwks_count() == before; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	is_int(jwks_count(), before + 1, "one thread refreshes the stale keys (the tenant holds the request)");
	is_int(validate(c, id, NULL), AUTH0_OK, "another thread validates with the stale keys meanwhile");
	ok(!atomic_load(&a.done), "... without waiting for the refresh in flight");
	pthread_join(th, NULL);
	is_int(a.st, AUTH0_OK, "the refreshing thread, its fetch timed out, uses the stale keys too");
	is_int(jwks_count(), before + 1, "no other thread fetched");
	free(id);
	auth0_client_free(c);
}

/* Both errors carry the answer's status, 200 (a JWKS without keys had 0, as if none had come). */
static void malformed_case(const char *fault, auth0_status refresh_kind, const char *message,
                           const char *name)
{
	t_reset();
	auth0_client *c = jclient(NULL, T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET, 600, 60, 2000);
	char *id = alice_id_token(c);
	t_fault(fault);
	auth0_error *err = NULL;
	auth0_status s = auth0_jwks_refresh(c, &err);
	is_int(s, refresh_kind, "%s: auth0_jwks_refresh", name);
	like(err ? err->message : NULL, message, "%s: message", name);
	is_int(err ? err->status : 0, 200, "%s: the answer's status", name);
	is_int(err ? err->attempts : 0, 1, "%s: one attempt", name);
	auth0_error_free(err);
	err = NULL;
	s = validate(c, id, &err);
	is_int(s, AUTH0_ERR_INVALID_TOKEN, "%s: token refused", name);
	is_int(err ? (int)err->rule : -1, AUTH0_RULE_KEYS_UNAVAILABLE, "%s: rule keys_unavailable", name);
	is_int(err ? err->status : 0, 200, "%s: keys unavailable, with the failed fetch's status", name);
	auth0_error_free(err);
	free(id);
	auth0_client_free(c);
}

static void test_malformed(void)
{
	malformed_case(JWKS_FAULT("\"action\": \"malformed\", \"times\": 0"), AUTH0_ERR_INVALID_RESPONSE,
	               "malformed JSON", "malformed JSON");
	malformed_case(JWKS_FAULT("\"status\": 200, \"body\": \"{\\\"foo\\\": 1}\", \"times\": 0"),
	               AUTH0_ERR_INVALID_RESPONSE, "not a JWK set", "an object without keys");
	malformed_case(JWKS_FAULT("\"status\": 200, \"body\": \"<html>hi</html>\", \"content_type\": "
	                          "\"text/html\", \"times\": 0"),
	               AUTH0_ERR_INVALID_RESPONSE, "expected JSON", "an HTML page");
	malformed_case(JWKS_FAULT("\"action\": \"truncate\", \"body\": \"{\\\"keys\\\": []}\", \"times\": 0"),
	               AUTH0_ERR_INVALID_RESPONSE, "truncated", "a truncated answer");
	malformed_case(JWKS_FAULT("\"action\": \"huge\", \"size\": 9000000, \"times\": 0"),
	               AUTH0_ERR_INVALID_RESPONSE, "larger than", "a 9 MB answer");

	/* An answer over max_response_size (the real JWKS, with its certificates, is over 1 kB). */
	t_reset();
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_WEB_CLIENT_ID;
	o.max_response_size = 1000;
	auth0_client *small = NULL;
	auth0_client_new(&small, &o, NULL);
	auth0_error *e = NULL;
	is_int(auth0_jwks_refresh(small, &e), AUTH0_ERR_INVALID_RESPONSE, "an oversized JWKS is refused");
	like(e ? e->message : NULL, "larger than 1000 bytes", "oversized: message");
	auth0_error_free(e);
	auth0_client_free(small);

	/* A well-formed set without a usable key: fetched fine, the kid is just not there. */
	t_reset();
	auth0_client *c = web(NULL);
	char *id = alice_id_token(c);
	const char *unusable = "{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"x\", \"n\": \"AQAB\", "
	                       "\"e\": \"AQAB\"}, {\"kty\": \"oct\", \"kid\": \"y\", \"k\": \"c2VjcmV0\"}]}";
	json_t *rule = json_pack("{s:s, s:i, s:i, s:s}", "path", "/.well-known/jwks.json", "status", 200,
	                         "times", 0, "body", unusable);
	char *rule_text = json_dumps(rule, JSON_COMPACT);
	t_fault(rule_text);
	free(rule_text);
	json_decref(rule);
	is_int(auth0_jwks_refresh(c, NULL), AUTH0_OK, "a JWKS of unusable keys is still a JWKS");
	auth0_error *err = NULL;
	validate(c, id, &err);
	like(err ? err->message : NULL, "Could not find a public key for Key ID (kid)",
	     "tiny RSA and symmetric keys are never used");
	auth0_error_free(err);
	free(id);
	auth0_client_free(c);
}

/* A random odd modulus of `bits` bits that OpenSSL's public-key check accepts (no factor under 1000). */
static BIGNUM *fake_modulus(int bits)
{
	BIGNUM *n = BN_new(), *small = BN_new(), *g = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	BN_one(small);
	for (unsigned long p = 3; p < 1000; p += 2) {
		bool prime = true;
		for (unsigned long d = 3; d * d <= p && prime; d += 2)
			prime = p % d != 0;
		if (prime)
			BN_mul_word(small, p);
	}
	BN_rand(n, bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD);
	while (BN_gcd(g, n, small, ctx) && !BN_is_one(g))
		BN_add_word(n, 2);
	BN_free(small);
	BN_free(g);
	BN_CTX_free(ctx);
	return n;
}

/* {"kty": "RSA", "kid": kid, "use": "sig", "n": n (with `zeros` leading zero bytes), "e": "AQAB"} */
static json_t *rsa_jwk_of(const char *kid, const BIGNUM *n, int zeros)
{
	size_t len = (size_t)BN_num_bytes(n) + (size_t)zeros;
	unsigned char *bytes = calloc(1, len);
	BN_bn2bin(n, bytes + zeros);
	char *b64 = m_b64url(bytes, len);
	json_t *jwk = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "kid", kid, "use", "sig", "n", b64, "e",
	                        "AQAB");
	free(b64);
	free(bytes);
	return jwk;
}

/*
 * RSA moduli outside 2048..8192 bits are skipped, with a warning, before OpenSSL imports them: its
 * checks of a 16384-bit modulus (one made to pass them) cost a hostile JWKS's fetcher CPU on every
 * fetch.
 */
static void test_key_sizes(void)
{
	t_reset();
	BIGNUM *huge = fake_modulus(16384), *over = fake_modulus(8200), *tiny = fake_modulus(1024);
	BIGNUM *local_n = NULL;
	EVP_PKEY_get_bn_param(local_key, "n", &local_n);
	json_t *jwks = m_jwks(rsa_jwk_of("huge", huge, 0), rsa_jwk_of("over", over, 0), rsa_jwk_of("tiny", tiny, 0),
	                      rsa_jwk_of("ok", local_n, 1), NULL);
	char *body = json_dumps(jwks, JSON_COMPACT);
	json_t *rule = json_pack("{s:s, s:i, s:i, s:s}", "path", "/.well-known/jwks.json", "status", 200, "times", 0,
	                         "body", body);
	char *rule_text = json_dumps(rule, JSON_COMPACT);
	t_fault(rule_text);

	skipped[0] = '\0';
	auth0_client *c = web(NULL);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(auth0_jwks_refresh(c, NULL), AUTH0_OK, "key sizes: the JWKS is fetched");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("key sizes: the fetch and import took %.0f ms",
	     (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	like(skipped, "kid \"huge\") skipped: an RSA key with a modulus over 8192 bits",
	     "key sizes: a 16384-bit modulus is skipped with a warning");
	like(skipped, "kid \"over\") skipped: an RSA key with a modulus over 8192 bits",
	     "key sizes: an 8200-bit modulus is skipped with a warning");
	like(skipped, "kid \"tiny\") skipped: an RSA key with a modulus under 2048 bits",
	     "key sizes: a 1024-bit modulus is skipped with a warning");
	unlike(skipped, "kid \"ok\"", "key sizes: a 2048-bit modulus with a leading zero byte is used");

	auth0_error *err = NULL;
	char *t = foreign_token("ok");
	validate(c, t, &err);
	is_str(auth0_token_rule_name(err ? err->rule : AUTH0_RULE_NONE), auth0_token_rule_name(AUTH0_RULE_ISSUER),
	       "key sizes: a token of the usable key passes the signature check (then fails on iss)");
	auth0_error_free(err);
	free(t);
	err = NULL;
	t = foreign_token("huge");
	validate(c, t, &err);
	is_str(auth0_token_rule_name(err ? err->rule : AUTH0_RULE_NONE), auth0_token_rule_name(AUTH0_RULE_KEY),
	       "key sizes: the skipped key is unknown");
	auth0_error_free(err);
	free(t);

	auth0_client_free(c);
	json_decref(t_control("DELETE", "/__control/faults", NULL));
	free(rule_text);
	free(body);
	json_decref(rule);
	json_decref(jwks);
	BN_free(huge);
	BN_free(over);
	BN_free(tiny);
	BN_free(local_n);
}

static void tweak(const char *json)
{
	json_decref(t_control("POST", "/__control/tokens", json));
}

static void id_tweak(auth0_client *c, const char *tweak_json, const auth0_id_token_options *o,
                     auth0_token_rule rule, const char *name)
{
	tweak(tweak_json);
	char *id = alice_id_token(c);
	ok(id != NULL, "%s: tenant issued the tweaked ID token", name);
	expect_rule(c, id, o, rule, name);
	free(id);
}

static void test_e2e_id_tokens(void)
{
	t_reset();
	auth0_client *c = web(NULL);
	auth0_id_token_options o = { 0 };
	id_tweak(c, "{\"which\": \"id\", \"bad_signature\": true}", NULL, AUTH0_RULE_SIGNATURE,
	         "tweak bad_signature");
	id_tweak(c, "{\"which\": \"id\", \"exp_offset\": -40000}", NULL, AUTH0_RULE_EXPIRED, "tweak expired");
	id_tweak(c, "{\"which\": \"id\", \"claims\": {\"exp\": \"later\"}}", NULL, AUTH0_RULE_EXPIRED,
	         "tweak exp a string");
	id_tweak(c, "{\"which\": \"id\", \"claims\": {\"aud\": \"someone-else\"}}", NULL, AUTH0_RULE_AUDIENCE,
	         "tweak wrong aud");
	id_tweak(c, "{\"which\": \"id\", \"claims\": {\"iss\": \"https://evil.example.com/\"}}", NULL,
	         AUTH0_RULE_ISSUER, "tweak wrong iss");
	id_tweak(c, "{\"which\": \"id\", \"claims\": {\"sub\": null}}", NULL, AUTH0_RULE_SUBJECT, "tweak no sub");
	id_tweak(c, "{\"which\": \"id\", \"claims\": {\"iat\": null}}", NULL, AUTH0_RULE_ISSUED_AT,
	         "tweak no iat");
	o.nonce = "expected-nonce";
	id_tweak(c, "{\"which\": \"id\", \"claims\": {\"nonce\": \"another-nonce\"}}", &o, AUTH0_RULE_NONCE,
	         "tweak wrong nonce");
	o = (auth0_id_token_options){ 0 };
	id_tweak(c,
	         "{\"which\": \"id\", \"claims\": {\"aud\": [\"demo-web-client\", \"https://api.example.com/\"], "
	         "\"azp\": \"someone-else\"}}",
	         NULL, AUTH0_RULE_AUTHORIZED_PARTY, "tweak wrong azp");
	o.max_age = AUTH0_INT(60);
	id_tweak(c, "{\"which\": \"id\", \"claims\": {\"auth_time\": 1000}}", &o, AUTH0_RULE_AUTH_TIME,
	         "tweak old auth_time");
	o = (auth0_id_token_options){ .organization = "org_acme123" };
	id_tweak(c, "{\"which\": \"id\", \"claims\": {\"org_id\": \"org_other\"}}", &o, AUTH0_RULE_ORGANIZATION,
	         "tweak wrong org_id");
	o.organization = "Acme";
	id_tweak(c, "{\"which\": \"id\", \"claims\": {\"org_name\": \"ACME\"}}", &o, AUTH0_RULE_ORGANIZATION,
	         "tweak org_name in upper case");
	id_tweak(c, "{\"which\": \"id\", \"alg\": \"none\"}", NULL, AUTH0_RULE_ALGORITHM, "tweak alg none");
	id_tweak(c, "{\"which\": \"id\", \"alg\": \"HS256-with-public-key\"}", NULL, AUTH0_RULE_ALGORITHM,
	         "tweak HS256 signed with the public key");
	id_tweak(c, "{\"which\": \"id\", \"kid\": \"no-such-kid\"}", NULL, AUTH0_RULE_KEY, "tweak unknown kid");

	/* The tenant adds azp itself for several audiences: valid. */
	tweak("{\"which\": \"id\", \"claims\": {\"aud\": [\"demo-web-client\", \"https://api.example.com/\"]}}");
	char *id = alice_id_token(c);
	is_int(validate(c, id, NULL), AUTH0_OK, "several audiences with the tenant's azp");
	free(id);
	tweak("{\"which\": \"id\", \"claims\": {\"org_id\": \"org_acme123\", \"org_name\": \"acme\"}}");
	id = alice_id_token(c);
	o = (auth0_id_token_options){ .organization = "org_acme123" };
	is_int(auth0_id_token_validate(c, id, &o, NULL, NULL), AUTH0_OK, "organization by id");
	o.organization = "ACME";
	is_int(auth0_id_token_validate(c, id, &o, NULL, NULL), AUTH0_OK,
	       "organization by name, any case expected");
	free(id);
	auth0_client_free(c);

	/* HS256 ID tokens (hs256-client): the client secret is the key. */
	auth0_client_options co;
	t_options(&co);
	co.client_id = "hs256-client";
	co.client_secret = "hs256-client-secret-at-least-32-bytes-long";
	co.client_auth = AUTH0_CLIENT_AUTH_SECRET_BASIC;
	auth0_client *hs = NULL;
	auth0_client_new(&hs, &co, NULL);
	id = alice_id_token(hs);
	ok(id != NULL, "hs256-client has an ID token");
	o = (auth0_id_token_options){ .algorithm = AUTH0_ALG_HS256 };
	auth0_error *err = NULL;
	is_int(auth0_id_token_validate(hs, id, &o, NULL, &err), AUTH0_OK,
	       "HS256 ID token validates with the secret");
	if (err)
		diag("%s", err->message);
	auth0_error_free(err);
	expect_rule(hs, id, NULL, AUTH0_RULE_ALGORITHM, "HS256 ID token when RS256 is expected");
	free(id);
	auth0_client_free(hs);
}

static void access_tweak(auth0_client *c, const char *tweak_json, const auth0_access_token_options *o,
                         auth0_token_rule rule, const char *name)
{
	tweak(tweak_json);
	char *at = m2m_access_token(NULL);
	auth0_error *err = NULL;
	auth0_status s = auth0_access_token_validate(c, at, o, NULL, &err);
	is_int(s, AUTH0_ERR_INVALID_TOKEN, "%s: invalid token", name);
	is_str(auth0_token_rule_name(err ? err->rule : AUTH0_RULE_NONE), auth0_token_rule_name(rule), "%s: rule",
	       name);
	if (err)
		diag("%s: %s", name, err->message);
	auth0_error_free(err);
	free(at);
}

static void test_e2e_access_tokens(void)
{
	t_reset();
	auth0_client *api = jclient(NULL, NULL, NULL, 600, 60, 5000);
	auth0_access_token_options o = { .audience = API };
	char *at = m2m_access_token(NULL);
	json_t *claims = NULL;
	auth0_error *err = NULL;
	is_int(auth0_access_token_validate(api, at, &o, &claims, &err), AUTH0_OK,
	       "the tenant's client-credentials access token validates");
	if (err)
		diag("%s", err->message);
	auth0_error_free(err);
	is_str(a0_json_str(claims, "sub"), "demo-m2m-client@clients", "claims: sub");
	json_decref(claims);
	auth0_access_token_options wrong = { .audience = "https://another.example.com/" };
	err = NULL;
	auth0_access_token_validate(api, at, &wrong, NULL, &err);
	is_int(err ? (int)err->rule : -1, AUTH0_RULE_AUDIENCE, "another API's audience refused");
	auth0_error_free(err);
	free(at);

	access_tweak(api, "{\"which\": \"access\", \"bad_signature\": true}", &o, AUTH0_RULE_SIGNATURE,
	             "access tweak bad_signature");
	access_tweak(api, "{\"which\": \"access\", \"exp_offset\": -90000}", &o, AUTH0_RULE_EXPIRED,
	             "access tweak expired");
	access_tweak(api, "{\"which\": \"access\", \"iat_offset\": 3600}", &o, AUTH0_RULE_ISSUED_AT,
	             "access tweak iat in the future");
	access_tweak(api, "{\"which\": \"access\", \"claims\": {\"nbf\": 9999999999}}", &o, AUTH0_RULE_NOT_BEFORE,
	             "access tweak nbf in the future");
	access_tweak(api, "{\"which\": \"access\", \"claims\": {\"aud\": [\"https://x/\", \"https://y/\"]}}", &o,
	             AUTH0_RULE_AUDIENCE, "access tweak aud without the API");
	access_tweak(api, "{\"which\": \"access\", \"claims\": {\"iss\": \"https://evil.example.com/\"}}", &o,
	             AUTH0_RULE_ISSUER, "access tweak wrong iss");
	access_tweak(api, "{\"which\": \"access\", \"header\": {\"typ\": \"JOSE\"}}", &o, AUTH0_RULE_TYPE,
	             "access tweak typ");
	access_tweak(api, "{\"which\": \"access\", \"alg\": \"none\"}", &o, AUTH0_RULE_ALGORITHM,
	             "access tweak alg none");
	access_tweak(api, "{\"which\": \"access\", \"alg\": \"HS256-with-public-key\"}", &o, AUTH0_RULE_ALGORITHM,
	             "access tweak HS256 with the public key");
	access_tweak(api, "{\"which\": \"access\", \"kid\": \"no-such-kid\"}", &o, AUTH0_RULE_KEY,
	             "access tweak unknown kid");

	at = m2m_access_token("org_acme123");
	ok(at != NULL, "an organization access token");
	o.organization = "org_acme123";
	err = NULL;
	is_int(auth0_access_token_validate(api, at, &o, NULL, &err), AUTH0_OK,
	       "organization org_acme123 matches");
	if (err)
		diag("%s", err->message);
	auth0_error_free(err);
	o.organization = "org_other";
	err = NULL;
	auth0_access_token_validate(api, at, &o, NULL, &err);
	is_int(err ? (int)err->rule : -1, AUTH0_RULE_ORGANIZATION, "another organization refused");
	auth0_error_free(err);
	free(at);
	auth0_client_free(api);
}

int main(void)
{
	t_require_tenant();
	local_key = m_rsa_key(2048);
	test_first_fetch_and_cache();
	test_rotation();
	test_storm();
	test_refetch_failure();
	test_endpoint_down();
	test_blackhole();
	test_stale_keys_while_refreshing();
	test_malformed();
	test_key_sizes();
	test_e2e_id_tokens();
	test_e2e_access_tokens();
	t_reset();
	EVP_PKEY_free(local_key);
	return done_testing();
}
