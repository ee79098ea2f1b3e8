/*
 * The tenant's JWKS (https://DOMAIN/.well-known/jwks.json): fetched, cached
 * in this process as imported keys, and shared with other processes through
 * the client's store.
 *
 * Keys are trusted for jwks_cache_ttl seconds after a fetch. Then, or when a
 * token names a kid we do not know, the keys are refreshed: first from the
 * store (another httpd process may have fetched already), else from the
 * tenant, by one thread of one process at a time (single flight: the
 * cache's fetch lock, then the store's lock).
 *
 * Unlike ruby-auth0, refetches are bounded:
 *   - a refetch for an unknown kid happens at most once per
 *     jwks_min_refetch_interval (the time of the last one is shared through
 *     the store), so a storm of tokens with made-up kids costs one request;
 *   - after a failed fetch, stale keys are served (with a warning) and the
 *     next attempt waits jwks_min_refetch_interval; meanwhile a token whose
 *     kid they lack gets AUTH0_RULE_KEYS_UNAVAILABLE (transient: it may be
 *     signed with a key the tenant rotated to), not AUTH0_RULE_KEY;
 *   - threads that waited for a fetch in flight use its result instead of
 *     fetching again; threads whose (stale) keys have the kid do not wait:
 *     they use those keys while the fetch runs;
 *   - every fetch has the client's timeout and is not retried.
 * With nothing cached, every validation may try (single flight); a failure
 * is reported as AUTH0_RULE_KEYS_UNAVAILABLE "Could not fetch the JWK set" with the
 * underlying error in the message.
 */
#include "jwt_internal.h"

#include <stdlib.h>
#include <string.h>

#define A0_JWKS_PATH "/.well-known/jwks.json"
/* At most this many keys are imported from one JWKS (Auth0 publishes two or three). */
#define A0_JWKS_MAX_KEYS 64
/* Stale keys stay in the store this long after their TTL, for the stale fallback of new processes. */
#define A0_JWKS_STORE_GRACE 86400

struct a0_jwks_cache {
	pthread_mutex_t lock;        /* guards the members below */
	pthread_mutex_t fetch_lock;  /* one fetch at a time in this process */
	a0_keyset *keys;             /* the newest keys this process has, fresh or stale; NULL before any */
	unsigned long gen;           /* fetch attempts so far: lets waiters share one attempt's outcome */
	int64_t last_forced;         /* this process's last refetch for an unknown kid, 0 never */
	int64_t last_failure;        /* this process's last failed fetch, 0 after a success */
	char *last_error;            /* why it failed (message for AUTH0_RULE_KEY) */
	long last_status;
};

struct a0_jwks_cache *a0_jwks_cache_new(void)
{
	struct a0_jwks_cache *jc = calloc(1, sizeof(*jc));
	if (jc) {
		pthread_mutex_init(&jc->lock, NULL);
		pthread_mutex_init(&jc->fetch_lock, NULL);
	}
	return jc;
}

void a0_jwks_cache_free(struct a0_jwks_cache *jc)
{
	if (!jc)
		return;
	a0_keyset_release(jc->keys);
	free(jc->last_error);
	pthread_mutex_destroy(&jc->lock);
	pthread_mutex_destroy(&jc->fetch_lock);
	free(jc);
}

/* ---- Key sets -------------------------------------------------------------------------------- */

void a0_keyset_release(a0_keyset *ks)
{
	if (!ks || atomic_fetch_sub(&ks->refs, 1) != 1)
		return;
	for (size_t i = 0; i < ks->n; i++)
		a0_jwk_clear(&ks->keys[i]);
	free(ks);
}

static a0_keyset *keyset_ref(a0_keyset *ks)
{
	if (ks)
		atomic_fetch_add(&ks->refs, 1);
	return ks;
}

const a0_jwk *a0_keyset_find(const a0_keyset *ks, const char *kid)
{
	if (!ks || !kid)
		return NULL;
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->keys[i].kid, kid) == 0)
			return &ks->keys[i];
	return NULL;
}

/*
 * Imports the usable keys of a JWKS into *out; unusable keys are skipped with a log line. Fails with
 * AUTH0_ERR_INVALID_RESPONSE when it is not a JWKS at all (*why says so), and with AUTH0_ERR_NO_MEMORY when
 * memory runs out, also while importing a key: a key skipped for that would be missing until the next fetch.
 */
static auth0_status keyset_from_json(const auth0_client *c, const json_t *jwks, int64_t fetched_at,
                                     int64_t forced_at, a0_keyset **out, const char **why)
{
	*out = NULL;
	json_t *keys = json_object_get(jwks, "keys");
	if (!json_is_object(jwks) || !json_is_array(keys)) {
		*why = "the answer is not a JWK set (no \"keys\" array)";
		return AUTH0_ERR_INVALID_RESPONSE;
	}
	size_t total = json_array_size(keys);
	size_t max = total < A0_JWKS_MAX_KEYS ? total : A0_JWKS_MAX_KEYS;
	a0_keyset *ks = calloc(1, sizeof(*ks) + max * sizeof(ks->keys[0]));
	if (!ks) {
		*why = "out of memory";
		return AUTH0_ERR_NO_MEMORY;
	}
	atomic_init(&ks->refs, 1);
	ks->fetched_at = fetched_at;
	ks->forced_at = forced_at;
	for (size_t i = 0; i < max; i++) {
		json_t *jwk = json_array_get(keys, i);
		const char *skip = NULL;
		auth0_status st = a0_jwk_import(jwk, &ks->keys[ks->n], &skip);
		if (st == AUTH0_ERR_NO_MEMORY) {
			a0_keyset_release(ks);
			*why = "out of memory";
			return st;
		}
		if (st != AUTH0_OK) {
			/* Auth0 publishes RSA signature keys only: anything skipped (a modulus too small or too
			 * large, another key type or use) deserves the operator's attention. */
			a0_buf kid = A0_BUF_INIT;
			a0_buf_put_clean(&kid, a0_json_str(jwk, "kid"), 100);
			a0_log(c, AUTH0_LOG_WARNING, "JWKS: key %zu (kid \"%s\") skipped: %s", i,
			       kid.data ? kid.data : "", skip);
			a0_buf_free(&kid);
		} else if (a0_keyset_find(ks, ks->keys[ks->n].kid)) {
			a0_buf kid = A0_BUF_INIT;
			a0_buf_put_clean(&kid, ks->keys[ks->n].kid, 100);
			a0_log(c, AUTH0_LOG_WARNING, "JWKS: key %zu skipped: kid \"%s\" appears twice", i,
			       kid.data ? kid.data : "");
			a0_buf_free(&kid);
			a0_jwk_clear(&ks->keys[ks->n]);
		} else {
			ks->n++;
		}
	}
	if (total > max)
		a0_log(c, AUTH0_LOG_WARNING, "JWKS: only the first %zu of %zu keys were considered", max, total);
	if (ks->n == 0)
		a0_log(c, AUTH0_LOG_WARNING, "JWKS: no usable signature key (RSA of 2048 to 8192 bits or EC P-256)");
	*out = ks;
	return AUTH0_OK;
}

/* ---- The store ----------------------------------------------------------------------------- */

char *a0_jwks_store_key(const auth0_client *c)
{
	const char *parts[] = { c->base_url, NULL };
	return a0_store_key("jwks", parts);
}

/* The keys in the store, or NULL (absent, unreadable or corrupt: the store is only a cache). */
static a0_keyset *store_read(const auth0_client *c, const char *key)
{
	char *value = NULL;
	size_t len = 0;
	if (c->store.get(c->store.userdata, key, &value, &len) != AUTH0_STORE_OK)
		return NULL;
	/* Memory that runs out here costs a fetch from the tenant (where it may run out again, and say so). */
	bool oom = false;
	json_t *entry = a0_json_load(value, len, 0, NULL, &oom);
	free(value);
	int64_t fetched_at = 0, forced_at = 0;
	a0_keyset *ks = NULL;
	const char *why = NULL;
	auth0_status st = oom ? AUTH0_ERR_NO_MEMORY : AUTH0_ERR_INVALID_RESPONSE;
	if (a0_json_int(entry, "fetched_at", &fetched_at) && fetched_at > 0) {
		a0_json_int(entry, "forced_at", &forced_at);
		st = keyset_from_json(c, json_object_get(entry, "jwks"), fetched_at, forced_at, &ks, &why);
	}
	if (st == AUTH0_ERR_NO_MEMORY)
		a0_log(c, AUTH0_LOG_WARNING, "JWKS: out of memory reading the entry in the store; ignoring it");
	else if (!ks)
		a0_log(c, AUTH0_LOG_WARNING, "JWKS: ignoring an unreadable entry in the store");
	json_decref(entry);
	return ks;
}

static void store_write(const auth0_client *c, const char *key, json_t *jwks, int64_t fetched_at,
                        int64_t forced_at)
{
	json_t *entry = json_pack("{s:I, s:I, s:O}", "fetched_at", (json_int_t)fetched_at, "forced_at",
	                          (json_int_t)forced_at, "jwks", jwks);
	char *value = entry ? a0_json_dump(entry) : NULL;
	json_decref(entry);
	int64_t expires_at = a0_add_sat(a0_add_sat(fetched_at, c->jwks_cache_ttl), A0_JWKS_STORE_GRACE);
	if (!value || c->store.set(c->store.userdata, key, value, strlen(value), expires_at) != AUTH0_STORE_OK)
		a0_log(c, AUTH0_LOG_WARNING, "JWKS: could not save the key set in the store");
	free(value);
}

/* ---- What to do --------------------------------------------------------------------------------- */

/* This process's view of the cache, taken under the lock. */
typedef struct view {
	a0_keyset *ks;           /* referenced */
	unsigned long gen;
	int64_t last_forced;
	int64_t last_failure;
} view;

static void take_view(struct a0_jwks_cache *jc, view *v)
{
	pthread_mutex_lock(&jc->lock);
	v->ks = keyset_ref(jc->keys);
	v->gen = jc->gen;
	v->last_forced = jc->last_forced;
	v->last_failure = jc->last_failure;
	pthread_mutex_unlock(&jc->lock);
}

/* Makes ks this process's keys unless it already has newer ones; takes a reference of its own. */
static void install(struct a0_jwks_cache *jc, a0_keyset *ks)
{
	a0_keyset *old = NULL;
	pthread_mutex_lock(&jc->lock);
	if (!jc->keys || ks->fetched_at >= jc->keys->fetched_at) {
		old = jc->keys;
		jc->keys = keyset_ref(ks);
	}
	pthread_mutex_unlock(&jc->lock);
	a0_keyset_release(old);
}

/* Replaces v->ks with the store's keys when those are newer. */
static void adopt_from_store(auth0_client *c, const char *key, view *v)
{
	a0_keyset *stored = store_read(c, key);
	if (!stored)
		return;
	if (!v->ks || stored->fetched_at > v->ks->fetched_at) {
		install(c->jwks, stored);
		a0_keyset_release(v->ks);
		v->ks = stored;
	} else {
		/* Same or older keys, but another process may have refetched for a kid since. */
		if (stored->forced_at > v->last_forced)
			v->last_forced = stored->forced_at;
		a0_keyset_release(stored);
	}
}

typedef enum need {
	NEED_NOTHING,   /* v->ks is good enough (it may still lack the kid) */
	NEED_FETCH,
	NEED_FORCED     /* a fetch for an unknown kid */
} need;

static need what_next(const auth0_client *c, const view *v, const char *kid, int64_t now)
{
	const a0_keyset *ks = v->ks;
	if (!ks)
		return NEED_FETCH;
	long interval = c->jwks_min_refetch_interval;
	bool fresh = now - ks->fetched_at < c->jwks_cache_ttl;
	bool failed_lately = v->last_failure && now - v->last_failure < interval;
	if (a0_keyset_find(ks, kid))
		return fresh || failed_lately ? NEED_NOTHING : NEED_FETCH;
	if (!kid)
		return NEED_NOTHING; /* no fetch can produce a key for a token without kid */
	int64_t last_forced = v->last_forced > ks->forced_at ? v->last_forced : ks->forced_at;
	bool may_force = last_forced == 0 || now - last_forced >= interval;
	if (may_force)
		return NEED_FORCED;
	return fresh || failed_lately ? NEED_NOTHING : NEED_FETCH;
}

/* ---- Fetching ------------------------------------------------------------------------------------ */

/* GETs and imports the JWKS. On failure *why_err holds the underlying error. */
static a0_keyset *fetch(auth0_client *c, int64_t now, int64_t forced_at, json_t **jwks_out,
                        auth0_error **why_err)
{
	char *url = a0_asprintf("%s%s", c->base_url, A0_JWKS_PATH);
	if (!url) {
		a0_oom(why_err);
		return NULL;
	}
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	a0_request req = {
		.method = "GET",
		.url = url,
		.log_path = A0_JWKS_PATH,
		.headers = headers,
		.timeout_ms = c->timeout_ms,
		.max_retries = 0,
		.retry = A0_RETRY_NONE,   /* stale keys are served meanwhile; a retry would hold the request */
		.telemetry = false,
	};
	json_t *jwks = NULL;
	a0_keyset *ks = NULL;
	a0_answer answer = A0_ANSWER_NONE;
	auth0_status st = headers ? a0_http_json(c, &req, &jwks, &answer, why_err) : a0_oom(why_err);
	if (st == AUTH0_OK) {
		const char *why = NULL;
		st = keyset_from_json(c, jwks, now, forced_at, &ks, &why);
		if (st == AUTH0_ERR_NO_MEMORY)
			a0_oom_answer(why_err, "GET", A0_JWKS_PATH);
		else if (st != AUTH0_OK)
			a0_fail_answer(why_err, &answer, "GET %s: %s", A0_JWKS_PATH, why);
	}
	if (ks) {
		a0_log(c, AUTH0_LOG_INFO, "fetched the JWKS: %zu usable key%s", ks->n, ks->n == 1 ? "" : "s");
		*jwks_out = jwks;
	} else {
		json_decref(jwks);
	}
	curl_slist_free_all(headers);
	free(url);
	return ks;
}

/* The AUTH0_RULE_KEY error for "no keys at all", from a message kept in the cache. */
static auth0_status fetch_failure(struct a0_jwks_cache *jc, auth0_error **err)
{
	pthread_mutex_lock(&jc->lock);
	auth0_status st = a0_fail_token(err, AUTH0_RULE_KEYS_UNAVAILABLE, "%s",
	                                jc->last_error ? jc->last_error : "Could not fetch the JWK set");
	auth0_error *e = a0_error_writable(err);
	if (e)
		e->status = jc->last_status;
	pthread_mutex_unlock(&jc->lock);
	return st;
}

/*
 * Fetches under the single-flight locks unless someone else fetched while we
 * waited for them. `explicit` is auth0_jwks_refresh: the underlying error is
 * returned as is. v is updated to the newest keys.
 */
static auth0_status fetch_single_flight(auth0_client *c, const char *store_key, const char *kid, view *v,
                                        bool explicit, auth0_error **err)
{
	struct a0_jwks_cache *jc = c->jwks;
	/*
	 * Keys that are only stale, and have the kid, serve while another thread refreshes them: waiting for
	 * that refresh (the store's lock, then the tenant, each up to its timeout) would hold up every
	 * validation of the process.
	 */
	if (!explicit && v->ks && a0_keyset_find(v->ks, kid)) {
		if (pthread_mutex_trylock(&jc->fetch_lock) != 0)
			return AUTH0_OK;
	} else {
		pthread_mutex_lock(&jc->fetch_lock);
	}
	bool locked = c->store.lock && c->store.lock(c->store.userdata, store_key) == AUTH0_STORE_OK;
	if (c->store.lock && !locked)
		a0_log(c, AUTH0_LOG_WARNING, "JWKS: could not take the store lock; fetching without single flight");

	auth0_status st = AUTH0_OK;
	view now_view;
	take_view(jc, &now_view);
	bool someone_fetched = now_view.gen != v->gen;
	a0_keyset_release(v->ks);
	*v = now_view;
	if (someone_fetched && !explicit) {
		/* Their attempt is as recent as ours would be: share its outcome. */
		if (!v->ks)
			st = fetch_failure(jc, err);
		goto out;
	}
	/* Another process may have fetched while we waited for the store's lock. */
	adopt_from_store(c, store_key, v);
	int64_t now = a0_now();
	need n = what_next(c, v, kid, now);
	if (explicit)
		n = v->ks && now - v->ks->fetched_at < c->jwks_min_refetch_interval ? NEED_NOTHING : NEED_FETCH;
	if (n == NEED_NOTHING)
		goto out;

	int64_t forced_at = v->ks && v->ks->forced_at > v->last_forced ? v->ks->forced_at : v->last_forced;
	if (n == NEED_FORCED)
		forced_at = now;
	json_t *jwks = NULL;
	auth0_error *why = NULL;
	a0_keyset *fetched = fetch(c, now, forced_at, &jwks, &why);

	pthread_mutex_lock(&jc->lock);
	jc->gen++;
	if (n == NEED_FORCED)
		jc->last_forced = now;
	if (fetched) {
		jc->last_failure = 0;
		free(jc->last_error);
		jc->last_error = NULL;
	} else {
		jc->last_failure = now;
		free(jc->last_error);
		jc->last_error = a0_asprintf("Could not fetch the JWK set: %s: %s",
		                             auth0_status_name(why ? why->kind : AUTH0_ERR_NO_MEMORY),
		                             why && why->message ? why->message : "out of memory");
		jc->last_status = why ? why->status : 0;
	}
	pthread_mutex_unlock(&jc->lock);

	if (fetched) {
		install(jc, fetched);
		store_write(c, store_key, jwks, now, forced_at);
		json_decref(jwks);
		a0_keyset_release(v->ks);
		v->ks = fetched;
	} else if (explicit || (!v->ks && (!why || why->kind == AUTH0_ERR_NO_MEMORY))) {
		/* auth0_jwks_refresh gets the underlying error; so does a validation whose own fetch ran out of
		 * memory (not AUTH0_RULE_KEYS_UNAVAILABLE: the tenant is not at fault, and may well be fine). */
		st = why ? why->kind : AUTH0_ERR_NO_MEMORY;
		if (err) {
			*err = why;
			why = NULL;
		}
	} else if (v->ks) {
		a0_log(c, AUTH0_LOG_WARNING, "JWKS: refresh failed (%s); still using the keys fetched at %lld",
		       why && why->message ? why->message : "out of memory", (long long)v->ks->fetched_at);
		v->last_failure = now;
	} else {
		st = fetch_failure(jc, err);
	}
	auth0_error_free(why);
out:
	if (locked)
		c->store.unlock(c->store.userdata, store_key);
	pthread_mutex_unlock(&jc->fetch_lock);
	return st;
}

/* ---- Entry points --------------------------------------------------------------------------------- */

/*
 * Whether the token's kid is missing from keys that could not be refreshed since they were fetched: the
 * tenant may have rotated to that key, and no one can tell, so the answer is "keys unavailable" (a
 * transient error: the token may be fine), not "unknown key". With a refresh that worked, an unknown kid
 * is simply unknown.
 */
static bool kid_unknowable(const view *v, const char *kid)
{
	return kid && v->ks && v->last_failure && v->last_failure >= v->ks->fetched_at &&
	       !a0_keyset_find(v->ks, kid);
}

static auth0_status give(auth0_client *c, view *v, const char *kid, a0_keyset **out, auth0_error **err)
{
	if (kid_unknowable(v, kid)) {
		a0_keyset_release(v->ks);
		return fetch_failure(c->jwks, err);
	}
	*out = v->ks;
	return AUTH0_OK;
}

auth0_status a0_jwks_get(auth0_client *c, const char *kid, a0_keyset **out, auth0_error **err)
{
	*out = NULL;
	view v;
	take_view(c->jwks, &v);
	/* The common case: fresh keys that have the kid. Nothing but a mutex and a scan. */
	if (what_next(c, &v, kid, a0_now()) == NEED_NOTHING)
		return give(c, &v, kid, out, err);
	char *store_key = a0_jwks_store_key(c);
	if (!store_key) {
		a0_keyset_release(v.ks);
		return a0_oom(err);
	}
	/* Reading the store needs no lock: it is how other processes' fetches reach us. */
	adopt_from_store(c, store_key, &v);
	auth0_status st = AUTH0_OK;
	if (what_next(c, &v, kid, a0_now()) != NEED_NOTHING)
		st = fetch_single_flight(c, store_key, kid, &v, false, err);
	free(store_key);
	if (st != AUTH0_OK) {
		a0_keyset_release(v.ks);
		return st;
	}
	return give(c, &v, kid, out, err);
}

auth0_status auth0_jwks_refresh(auth0_client *c, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (!c)
		return a0_fail_arg(err, "client", "auth0_jwks_refresh needs a client");
	view v;
	take_view(c->jwks, &v);
	char *store_key = a0_jwks_store_key(c);
	if (!store_key) {
		a0_keyset_release(v.ks);
		return a0_oom(err);
	}
	adopt_from_store(c, store_key, &v);
	int64_t now = a0_now();
	int64_t last = v.ks ? v.ks->fetched_at : 0;
	if (v.last_failure > last)
		last = v.last_failure;
	auth0_status st = AUTH0_OK;
	if (!v.ks || now - last >= c->jwks_min_refetch_interval)
		st = fetch_single_flight(c, store_key, NULL, &v, true, err);
	a0_keyset_release(v.ks);
	free(store_key);
	return st;
}

auth0_status a0_jwks_verify(auth0_client *c, const a0_jwt *jwt, const char *what, auth0_error **err)
{
	/* The header's alg is one of the caller's: look it up in *our* table, never act on the token's text. */
	const a0_jws_alg *alg = a0_jws_alg_find(a0_json_str(jwt->header, "alg"));
	if (!alg)
		return a0_fail_token(err, AUTH0_RULE_ALGORITHM, "The %s names no supported algorithm", what);
	const char *kid = a0_jwt_kid(jwt);
	a0_keyset *ks = NULL;
	auth0_status st = a0_jwks_get(c, kid, &ks, err);
	if (st != AUTH0_OK)
		return st;
	const a0_jwk *key = a0_keyset_find(ks, kid);
	if (!key || !a0_jwk_fits(key, alg))
		st = a0_check_key_missing(kid, err);
	else if (!a0_jws_verify_pkey(alg, key->pkey, jwt))
		st = a0_fail_token(err, AUTH0_RULE_SIGNATURE, "Invalid %s signature", what);
	a0_keyset_release(ks);
	return st;
}
