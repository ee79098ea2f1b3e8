/*
 * The Management API token: obtained on first use (never at client
 * creation), cached, shared through a store with single flight, renewed
 * before expiry; static tokens and token providers.
 */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "testenv.h"

#define CC_COUNTER "POST /oauth/token grant=client_credentials"

static auth0_client *m2m(const auth0_store *store)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_M2M_CLIENT_ID;
	o.client_secret = T_M2M_CLIENT_SECRET;
	o.store = store;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK)
		diag("client: %s", err->message);
	return c;
}

static void test_first_use(void)
{
	t_reset();
	auth0_client *c = m2m(NULL);
	is_int(t_counter(CC_COUNTER), 0, "creating a client makes no request");
	char *tok = NULL;
	int64_t exp = 0;
	auth0_error *err = NULL;
	is_int(auth0_management_token(c, &tok, &exp, &err), AUTH0_OK, "token obtained on first use");
	ok(tok && strlen(tok) > 20, "a token came back");
	ok(exp > a0_now(), "with a future expiry");
	is_int(t_counter(CC_COUNTER), 1, "one client-credentials request");

	json_t *req = t_last_request("/oauth/token");
	const char *body = json_string_value(json_object_get(req, "body"));
	like(body, "\"audience\"", "the request names the audience");
	unlike(body, "null", "no null field is sent");
	unlike(body, "\"organization\"", "the client's organization is not sent with the Management token request");
	json_decref(req);

	char *again = NULL;
	is_int(auth0_management_token(c, &again, NULL, &err), AUTH0_OK, "second call");
	is_str(again, tok, "the cached token is reused");
	is_int(t_counter(CC_COUNTER), 1, "no second request");
	free(again);

	auth0_management_token_invalidate(c);
	is_int(auth0_management_token(c, &again, NULL, &err), AUTH0_OK, "after invalidation");
	is_int(t_counter(CC_COUNTER), 2, "a new token is fetched");
	free(again);
	free(tok);
	auth0_client_free(c);
}

/* A shared store in the test: a second client (another process, in httpd) reads the first one's token. */
static void test_shared_store(void)
{
	t_reset();
	auth0_store store;
	void *mem = a0_memory_store_new(&store);
	auth0_client *a = m2m(&store), *b = m2m(&store);
	char *ta = NULL, *tb = NULL;
	auth0_management_token(a, &ta, NULL, NULL);
	auth0_management_token(b, &tb, NULL, NULL);
	is_str(tb, ta, "the second client uses the stored token");
	is_int(t_counter(CC_COUNTER), 1, "one request for two clients sharing a store");
	free(ta);
	free(tb);
	auth0_client_free(a);
	auth0_client_free(b);
	a0_memory_store_free(mem);
}

struct race {
	auth0_client *client;
	pthread_barrier_t *barrier;
	auth0_status st;
};

static void *race_one(void *arg)
{
	struct race *r = arg;
	char *tok = NULL;
	pthread_barrier_wait(r->barrier);
	r->st = auth0_management_token(r->client, &tok, NULL, NULL);
	free(tok);
	return NULL;
}

static void test_single_flight(void)
{
	t_reset();
	/* Slow the token endpoint so that every thread arrives while the first request is in flight. */
	t_fault("{\"method\":\"POST\",\"path\":\"/oauth/token\",\"action\":\"delay\",\"delay_ms\":300,\"times\":1}");
	enum { N = 8 };
	auth0_store store;
	void *mem = a0_memory_store_new(&store);
	auth0_client *clients[N];
	pthread_t th[N];
	struct race r[N];
	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, N);
	for (int i = 0; i < N; i++) {
		clients[i] = m2m(&store);
		r[i] = (struct race){ clients[i], &barrier, AUTH0_ERR_INTERNAL };
		pthread_create(&th[i], NULL, race_one, &r[i]);
	}
	bool all_ok = true;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		all_ok = all_ok && r[i].st == AUTH0_OK;
		auth0_client_free(clients[i]);
	}
	ok(all_ok, "%d concurrent clients all got a token", N);
	is_int(t_counter(CC_COUNTER), 1, "exactly one token request reached the tenant (single flight)");
	pthread_barrier_destroy(&barrier);
	a0_memory_store_free(mem);
	json_decref(t_control("DELETE", "/__control/faults", NULL));
}

/* A provider that counts its calls and how many of them overlap, slow enough for every thread to arrive. */
static pthread_mutex_t slow_lock = PTHREAD_MUTEX_INITIALIZER;
static int slow_calls, slow_running, slow_most_at_once;

static char *slow_provider(void *userdata, int64_t *expires_at)
{
	(void)userdata;
	pthread_mutex_lock(&slow_lock);
	int n = ++slow_calls;
	if (++slow_running > slow_most_at_once)
		slow_most_at_once = slow_running;
	pthread_mutex_unlock(&slow_lock);
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&slow_lock);
	slow_running--;
	pthread_mutex_unlock(&slow_lock);
	*expires_at = a0_now() + 3600;
	return a0_asprintf("slow-token-%d", n);
}

/* store.h: with a store that has no lock, libauth0 still serialises the threads of one client. */
static void test_single_flight_without_store_lock(void)
{
	enum { N = 8 };
	auth0_store store;
	void *mem = a0_memory_store_new(&store);
	store.lock = NULL;
	store.unlock = NULL;
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "tenant.example.com";
	o.token_provider = slow_provider;
	o.store = &store;
	auth0_client *c = NULL;
	is_int(auth0_client_new(&c, &o, NULL), AUTH0_OK, "a client with a store without lock and unlock");
	pthread_t th[N];
	struct race r[N];
	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, N);
	for (int i = 0; i < N; i++) {
		r[i] = (struct race){ c, &barrier, AUTH0_ERR_INTERNAL };
		pthread_create(&th[i], NULL, race_one, &r[i]);
	}
	bool all_ok = true;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		all_ok = all_ok && r[i].st == AUTH0_OK;
	}
	ok(all_ok, "%d threads of one client all got a token", N);
	is_int(slow_calls, 1, "the provider was called once, not once per thread");
	is_int(slow_most_at_once, 1, "never by two threads at once");
	pthread_barrier_destroy(&barrier);
	auth0_client_free(c);
	a0_memory_store_free(mem);
}

static void test_renewal_before_expiry(void)
{
	t_reset();
	/* Tokens that expire within the renewal margin are renewed on every use. */
	json_decref(t_control("POST", "/__control/settings", "{\"access_token_lifetime\": 5}"));
	auth0_client *c = m2m(NULL);
	char *t1 = NULL, *t2 = NULL;
	auth0_management_token(c, &t1, NULL, NULL);
	auth0_management_token(c, &t2, NULL, NULL);
	is_int(t_counter(CC_COUNTER), 2, "a token inside the renewal margin is renewed");
	ok(t1 && t2 && strcmp(t1, t2) != 0, "the renewed token differs");
	free(t1);
	free(t2);
	auth0_client_free(c);
	t_reset();
}

static int provider_calls;

static char *provider(void *userdata, int64_t *expires_at)
{
	provider_calls++;
	*expires_at = a0_now() + (intptr_t)userdata;
	return a0_asprintf("provided-token-%d", provider_calls);
}

static char *failing_provider(void *userdata, int64_t *expires_at)
{
	(void)userdata;
	(void)expires_at;
	return NULL;
}

static char *newline_provider(void *userdata, int64_t *expires_at)
{
	(void)userdata;
	(void)expires_at;
	return strdup("provided-token-from-a-file\n");
}

static void test_provider_and_static(void)
{
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "tenant.example.com";
	o.token_provider = provider;
	o.token_provider_userdata = (void *)(intptr_t)3600;
	auth0_client *c = NULL;
	is_int(auth0_client_new(&c, &o, NULL), AUTH0_OK, "a client with a token provider");
	is_int(provider_calls, 0, "the provider is not called at creation");
	char *t = NULL;
	auth0_management_token(c, &t, NULL, NULL);
	is_str(t, "provided-token-1", "the provider's token is used");
	free(t);
	auth0_management_token(c, &t, NULL, NULL);
	is_int(provider_calls, 1, "and cached while fresh");
	free(t);
	auth0_client_free(c);

	provider_calls = 0;
	o.token_provider_userdata = (void *)(intptr_t)5; /* inside the renewal margin */
	auth0_client_new(&c, &o, NULL);
	auth0_management_token(c, &t, NULL, NULL);
	free(t);
	auth0_management_token(c, &t, NULL, NULL);
	is_str(t, "provided-token-2", "an expiring provider token is asked for again (the Ruby SDK never re-asks)");
	free(t);
	auth0_client_free(c);

	o.token_provider = failing_provider;
	auth0_client_new(&c, &o, NULL);
	auth0_error *err = NULL;
	is_int(auth0_management_token(c, &t, NULL, &err), AUTH0_ERR_NO_TOKEN, "a failing provider is a clear error");
	auth0_error_free(err);
	auth0_client_free(c);

	/* A trailing newline would end the Authorization header line early and start a line of its own. */
	o.token_provider = newline_provider;
	auth0_client_new(&c, &o, NULL);
	err = NULL;
	t = NULL;
	is_int(auth0_management_token(c, &t, NULL, &err), AUTH0_ERR_NO_TOKEN,
	       "a provider's token with a trailing newline is refused");
	ok(t == NULL, "... and not handed out");
	unlike(err ? err->message : NULL, "provided-token-from-a-file", "... and not quoted in the message");
	like(err ? err->message : NULL, "newline", "... the message suggests the cause");
	free(t);
	auth0_error_free(err);
	auth0_client_free(c);

	auth0_client_options s = AUTH0_CLIENT_OPTIONS_INIT;
	s.domain = "tenant.example.com";
	s.token = "static-token";
	auth0_client_new(&c, &s, NULL);
	int64_t exp = 0;
	is_int(auth0_management_token(c, &t, &exp, NULL), AUTH0_OK, "a static token");
	is_str(t, "static-token", "is used as given");
	ok(exp >= a0_now() + 3590 && exp <= a0_now() + 3600, "with a default expiry one hour away");
	free(t);
	auth0_client_free(c);

	/* A static JWT without token_expires_at expires with its exp claim (it expired an hour after the
	 * client's creation before). */
	int64_t jwt_exp = a0_now() + 7200;
	char payload[64];
	snprintf(payload, sizeof(payload), "{\"exp\":%lld}", (long long)jwt_exp);
	char *p64 = a0_base64url_encode(payload, strlen(payload));
	char *jwt = a0_asprintf("eyJhbGciOiJub25lIn0.%s.c2ln", p64);
	s.token = jwt;
	c = NULL;
	is_int(auth0_client_new(&c, &s, NULL), AUTH0_OK, "a static JWT");
	exp = 0;
	t = NULL;
	is_int(auth0_management_token(c, &t, &exp, NULL), AUTH0_OK, "... is handed out");
	is_int(exp, jwt_exp, "... with its exp claim as its expiry");
	free(t);
	auth0_client_free(c);
	s.token_expires_at = a0_now() + 60;
	c = NULL;
	auth0_client_new(&c, &s, NULL);
	exp = 0;
	t = NULL;
	auth0_management_token(c, &t, &exp, NULL);
	is_int(exp, s.token_expires_at, "... unless token_expires_at says otherwise");
	free(t);
	auth0_client_free(c);
	free(jwt);
	free(p64);

	auth0_client_options none = AUTH0_CLIENT_OPTIONS_INIT;
	none.domain = "tenant.example.com";
	auth0_client_new(&c, &none, NULL);
	err = NULL;
	is_int(auth0_management_token(c, &t, NULL, &err), AUTH0_ERR_NO_TOKEN, "no token source");
	like(err ? err->message : NULL, "token_provider", "the message says what to configure");
	auth0_error_free(err);
	auth0_client_free(c);
}

static void test_static_expired_with_credentials(void)
{
	t_reset();
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_M2M_CLIENT_ID;
	o.client_secret = T_M2M_CLIENT_SECRET;
	o.token = "old-static-token";
	o.token_expires_at = a0_now() - 10;
	auth0_client *c = NULL;
	auth0_client_new(&c, &o, NULL);
	char *t = NULL;
	is_int(auth0_management_token(c, &t, NULL, NULL), AUTH0_OK, "expired static token with credentials");
	ok(t && strcmp(t, "old-static-token") != 0, "is replaced by a client-credentials token");
	is_int(t_counter(CC_COUNTER), 1, "one request");
	free(t);
	auth0_client_free(c);
}

/* The tenant's answer is checked like any other source before the token goes into a header. */
static void test_tenant_token_characters(void)
{
	t_reset();
	json_t *answer = json_pack("{s:s, s:s, s:i}", "access_token", "tenant-token\r\nX-Evil: 1", "token_type",
	                           "Bearer", "expires_in", 86400);
	char *body = json_dumps(answer, JSON_COMPACT);
	json_t *fault = json_pack("{s:s, s:s, s:i, s:s, s:s, s:i}", "method", "POST", "path", "/oauth/token", "status",
	                          200, "content_type", "application/json", "body", body, "times", 1);
	char *rule = json_dumps(fault, JSON_COMPACT);
	t_fault(rule);
	free(rule);
	free(body);
	json_decref(fault);
	json_decref(answer);
	auth0_client *c = m2m(NULL);
	char *t = NULL;
	auth0_error *err = NULL;
	is_int(auth0_management_token(c, &t, NULL, &err), AUTH0_ERR_NO_TOKEN,
	       "a client-credentials token with CR/LF is refused");
	ok(t == NULL, "... and not handed out");
	unlike(err ? err->message : NULL, "tenant-token", "... nor quoted");
	is_int(t_counter(CC_COUNTER), 1, "one token request");
	free(t);
	auth0_error_free(err);
	auth0_client_free(c);
}

static void test_bad_secret(void)
{
	t_reset();
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_M2M_CLIENT_ID;
	o.client_secret = "wrong-secret-value";
	auth0_client *c = NULL;
	auth0_client_new(&c, &o, NULL);
	char *t = NULL;
	auth0_error *err = NULL;
	auth0_status st = auth0_management_token(c, &t, NULL, &err);
	is_int(st, AUTH0_ERR_UNAUTHORIZED, "a wrong secret is refused by the tenant");
	ok(err && err->error, "with Auth0's error code (%s)", err && err->error ? err->error : "none");
	unlike(err ? err->message : "", "wrong-secret-value", "the secret never appears in the message");
	auth0_error_free(err);
	auth0_client_free(c);
}

int main(void)
{
	t_require_tenant();
	test_provider_and_static();
	test_first_use();
	test_shared_store();
	test_single_flight();
	test_single_flight_without_store_lock();
	test_renewal_before_expiry();
	test_static_expired_with_credentials();
	test_tenant_token_characters();
	test_bad_secret();
	return done_testing();
}
