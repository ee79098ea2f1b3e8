/*
 * The Management API token: where it comes from, when it is renewed, and
 * how concurrent users share one renewal.
 *
 * Sources, in order of precedence:
 *   1. token_provider: called whenever its token has expired or was refused
 *      (the Ruby SDK calls it only once);
 *   2. client credentials (client_id + secret or signing key): the
 *      client_credentials grant for api_identifier, on first use, never in
 *      auth0_client_new();
 *   3. a static token: used until token_expires_at (default: its exp claim
 *      when it is a JWT, else one hour); after that it is still sent (the
 *      API decides) unless (1) or (2) can replace it.
 * A static token given together with (1) or (2) is used first and replaced
 * when it expires, as in the Ruby SDK.
 *
 * A token counts as expired AUTH0_TOKEN_RENEW_MARGIN seconds before its
 * expiry. Renewal is single-flight: the threads of one client take turns
 * (a mutex of the token manager), and inside it the store's lock, when it
 * has one, does the same for other processes: check, lock, check again,
 * fetch, store, unlock. So with a shared store (mod_auth0) exactly one
 * request per expiry reaches the tenant, whatever the number of processes
 * and threads; with a store without a lock, one per process.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct a0_token_manager {
	pthread_mutex_t lock;   /* guards token / expires_at / hold_until; never held across I/O */
	pthread_mutex_t flight; /* held by the one thread renewing the token: around the store lock and I/O */
	char *token;            /* this process's copy */
	int64_t expires_at;
	int64_t hold_until;     /* a renewed token was refused too: no renewal for a refusal before this */
	bool have_static;
	auth0_token_provider provider;
	void *provider_userdata;
	char *store_key;
};

static int64_t expiry_of(const char *token);

struct a0_token_manager *a0_token_manager_new(const auth0_client *c, const auth0_client_options *o,
                                              auth0_error **err)
{
	struct a0_token_manager *tm = calloc(1, sizeof(*tm));
	if (!tm) {
		a0_oom(err);
		return NULL;
	}
	pthread_mutex_init(&tm->lock, NULL);
	pthread_mutex_init(&tm->flight, NULL);
	tm->provider = o->token_provider;
	tm->provider_userdata = o->token_provider_userdata;
	if (!a0_empty(o->token)) {
		tm->token = strdup(o->token);
		/* as for a provider's token: its own exp when it is a JWT (so that an expired one is replaced at
		 * once, and a long-lived one is not renewed after an hour for nothing) */
		tm->expires_at = o->token_expires_at ? o->token_expires_at : expiry_of(o->token);
		tm->have_static = true;
	}
	const char *parts[] = { c->base_url, c->client_id ? c->client_id : "", c->api_identifier,
		                    o->token_provider ? "provider" : "credentials", NULL };
	tm->store_key = a0_store_key("mgmt-token", parts);
	if ((!a0_empty(o->token) && !tm->token) || !tm->store_key) {
		a0_token_manager_free(tm);
		a0_oom(err);
		return NULL;
	}
	return tm;
}

void a0_token_manager_free(struct a0_token_manager *tm)
{
	if (!tm)
		return;
	a0_free_secret(tm->token);
	free(tm->store_key);
	pthread_mutex_destroy(&tm->lock);
	pthread_mutex_destroy(&tm->flight);
	free(tm);
}

static bool fresh(int64_t expires_at, int64_t now)
{
	return expires_at - AUTH0_TOKEN_RENEW_MARGIN > now;
}

/* Expiry from a JWT's exp claim, or now + 1 h when the token is opaque. */
static int64_t expiry_of(const char *token)
{
	json_t *payload = NULL;
	int64_t exp = 0;
	if (auth0_jwt_decode_unverified(token, NULL, &payload, NULL) == AUTH0_OK)
		a0_json_int(payload, "exp", &exp);
	json_decref(payload);
	return exp > 0 ? exp : a0_now() + 3600;
}

/* Replaces the process-local copy. */
static void remember(struct a0_token_manager *tm, const char *token, int64_t expires_at)
{
	char *copy = strdup(token);
	if (!copy)
		return;
	pthread_mutex_lock(&tm->lock);
	a0_free_secret(tm->token);
	tm->token = copy;
	tm->expires_at = expires_at;
	pthread_mutex_unlock(&tm->lock);
}

/* A fresh token from the store that is not the rejected one (nor one that cannot be sent: a store may
 * have been filled by a version of libauth0 that did not check them). */
static bool from_store(auth0_client *c, const char *rejected, char **token, int64_t *expires_at)
{
	char *value = NULL;
	size_t len = 0;
	if (c->store.get(c->store.userdata, c->tokens->store_key, &value, &len) != AUTH0_STORE_OK)
		return false;
	json_t *j = json_loadb(value, len, 0, NULL);
	a0_free_secret(value);
	const char *t = a0_json_str(j, "access_token");
	int64_t exp = 0;
	bool ok = a0_b64token(t) && a0_json_int(j, "expires_at", &exp) && fresh(exp, a0_now()) &&
	          !a0_streq(t, rejected);
	if (ok) {
		*token = strdup(t);
		*expires_at = exp;
		ok = *token != NULL;
	}
	a0_json_free_secret(j);
	return ok;
}

static void to_store(auth0_client *c, const char *token, int64_t expires_at)
{
	json_t *j = json_pack("{s:s, s:I}", "access_token", token, "expires_at", (json_int_t)expires_at);
	char *value = j ? a0_json_dump(j) : NULL;
	a0_json_free_secret(j);
	if (!value)
		return;
	if (c->store.set(c->store.userdata, c->tokens->store_key, value, strlen(value), expires_at) != AUTH0_STORE_OK)
		a0_log(c, AUTH0_LOG_WARNING, "could not store the Management API token in the shared store");
	a0_free_secret(value);
}

/* Obtains a new token from the provider or the client-credentials grant. */
static auth0_status obtain(auth0_client *c, char **token, int64_t *expires_at, auth0_error **err)
{
	struct a0_token_manager *tm = c->tokens;
	if (tm->provider) {
		int64_t exp = 0;
		char *t = tm->provider(tm->provider_userdata, &exp);
		if (a0_empty(t)) {
			free(t);
			return a0_fail(err, AUTH0_ERR_NO_TOKEN, "the token_provider returned no Management API token");
		}
		if (!a0_b64token(t)) {
			a0_free_secret(t);
			return a0_fail(err, AUTH0_ERR_NO_TOKEN, "the token_provider returned a Management API token with "
			               "a character that a bearer token cannot have (RFC 6750: letters, digits, "
			               "- . _ ~ + / and trailing =; a trailing newline?)");
		}
		*token = t;
		*expires_at = exp > 0 ? exp : expiry_of(t);
		a0_log(c, AUTH0_LOG_INFO, "got a Management API token from the token provider");
		return AUTH0_OK;
	}
	auth0_tokens *tokens = NULL;
	a0_answer answer = A0_ANSWER_NONE;
	auth0_status st = a0_client_credentials(c, c->api_identifier, NULL, &tokens, &answer, err);
	if (st != AUTH0_OK)
		return st;
	if (!a0_b64token(tokens->access_token)) {
		auth0_tokens_free(tokens);
		st = a0_fail(err, AUTH0_ERR_NO_TOKEN, "POST /oauth/token: the tenant's Management API token has a "
		             "character that a bearer token cannot have (RFC 6750)");
		a0_error_set_answer(err, &answer); /* the tenant did answer: with what (error.h) */
		return st;
	}
	*token = tokens->access_token;
	tokens->access_token = NULL;
	*expires_at = tokens->expires_at > 0 ? tokens->expires_at : expiry_of(*token);
	auth0_tokens_free(tokens);
	a0_log(c, AUTH0_LOG_INFO, "obtained a Management API token by client credentials (expires at %lld)",
	       (long long)*expires_at);
	return AUTH0_OK;
}

/* This process's copy when it is fresh and not the rejected one (a new string in *token). */
static bool from_memory(struct a0_token_manager *tm, const char *rejected, char **token, int64_t *expires_at)
{
	pthread_mutex_lock(&tm->lock);
	bool ok = tm->token && fresh(tm->expires_at, a0_now()) && !a0_streq(tm->token, rejected);
	if (ok) {
		*token = strdup(tm->token);
		*expires_at = tm->expires_at;
	}
	pthread_mutex_unlock(&tm->lock);
	return ok;
}

auth0_status a0_management_token(auth0_client *c, const char *rejected, char **token, int64_t *expires_at,
                                 auth0_error **err)
{
	struct a0_token_manager *tm = c->tokens;
	*token = NULL;

	if (from_memory(tm, rejected, token, expires_at))
		return *token ? AUTH0_OK : a0_oom(err);
	pthread_mutex_lock(&tm->lock);
	char *stale = tm->have_static ? a0_strdup(tm->token) : NULL;
	int64_t stale_exp = tm->expires_at;
	pthread_mutex_unlock(&tm->lock);

	bool can_obtain = tm->provider || (c->client_id && (c->client_secret || c->assertion_key));
	if (!can_obtain) {
		if (stale && !a0_streq(stale, rejected)) {
			a0_log(c, AUTH0_LOG_WARNING, "the static Management API token has expired and cannot be renewed");
			*token = stale;
			*expires_at = stale_exp;
			return AUTH0_OK;
		}
		a0_free_secret(stale);
		return a0_fail(err, AUTH0_ERR_NO_TOKEN,
		               rejected ? "the Management API refused the token and no token_provider or client "
		                          "credentials are configured to obtain another"
		                        : "no Management API token: set token, token_provider, or client_id with "
		                          "client_secret or client_assertion_signing_key");
	}
	a0_free_secret(stale);

	/*
	 * One thread at a time from here, whatever the store: the ones that waited find the token the first
	 * one obtained (in memory or in the store) instead of obtaining their own.
	 */
	pthread_mutex_lock(&tm->flight);
	auth0_status st = AUTH0_OK;
	if (from_memory(tm, rejected, token, expires_at)) {
		st = *token ? AUTH0_OK : a0_oom(err);
		goto out;
	}
	if (from_store(c, rejected, token, expires_at)) {
		remember(tm, *token, *expires_at);
		goto out;
	}
	bool locked = c->store.lock && c->store.lock(c->store.userdata, tm->store_key) == AUTH0_STORE_OK;
	if (c->store.lock && !locked)
		a0_log(c, AUTH0_LOG_WARNING, "could not take the token store lock; renewing without single flight "
		       "across processes");
	if (!from_store(c, rejected, token, expires_at)) {
		st = obtain(c, token, expires_at, err);
		if (st == AUTH0_OK)
			to_store(c, *token, *expires_at);
	}
	if (locked)
		c->store.unlock(c->store.userdata, tm->store_key);
	if (st == AUTH0_OK)
		remember(tm, *token, *expires_at);
out:
	pthread_mutex_unlock(&tm->flight);
	return st;
}

void a0_management_token_refused_again(auth0_client *c)
{
	struct a0_token_manager *tm = c->tokens;
	pthread_mutex_lock(&tm->lock);
	tm->hold_until = a0_now() + A0_TOKEN_REFUSED_HOLD;
	pthread_mutex_unlock(&tm->lock);
}

int64_t a0_management_token_held(auth0_client *c)
{
	struct a0_token_manager *tm = c->tokens;
	int64_t now = a0_now();
	pthread_mutex_lock(&tm->lock);
	int64_t left = tm->hold_until > now ? tm->hold_until - now : 0;
	pthread_mutex_unlock(&tm->lock);
	return left;
}

auth0_status auth0_management_token(auth0_client *c, char **token, int64_t *expires_at, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (token)
		*token = NULL;
	if (expires_at)
		*expires_at = 0;
	if (!c || !token)
		return a0_fail_arg(err, "token", "auth0_management_token needs a client and an output pointer");
	int64_t exp = 0;
	auth0_status st = a0_management_token(c, NULL, token, &exp, err);
	if (expires_at)
		*expires_at = exp;
	return st;
}

void auth0_management_token_invalidate(auth0_client *c)
{
	if (!c)
		return;
	struct a0_token_manager *tm = c->tokens;
	pthread_mutex_lock(&tm->lock);
	tm->expires_at = 0;
	pthread_mutex_unlock(&tm->lock);
	/* Also make the shared copy stale, or the next call would just read it back. */
	to_store(c, "", 0);
}
