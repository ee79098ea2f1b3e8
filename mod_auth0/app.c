/*
 * libauth0 clients, one per distinct tenant/application configuration and
 * per process, created on first use in the child (after fork, so that no
 * connection or TLS state is shared between processes) and reused by every
 * thread of that process.
 *
 * Directory configurations are merged per request, so a client is found by
 * the identity of the configuration values it is built from (pointers into
 * the configuration pool, stable for the life of a configuration).
 */
#include "mod_auth0.h"

#include <apr_hash.h>
#include <apr_thread_mutex.h>
#include <openssl/rand.h>

typedef struct app_key {
	const void *fields[9]; /* as many as a0m_app_client names (it copies them in whole) */
	int ints[3];
} app_key;

static apr_pool_t *app_pool;
static apr_hash_t *apps;
static apr_thread_mutex_t *apps_lock;
/* Seals shared-cache values when no Auth0SessionSecret is configured (bearer-only setups). */
static a0m_key fallback_cache_key;

void a0m_app_post_config(void);
void a0m_app_post_config(void)
{
	/* Made before the children fork, so that they all share it. */
	if (RAND_bytes(fallback_cache_key.key, sizeof(fallback_cache_key.key)) == 1)
		fallback_cache_key.id = fallback_cache_key.key[0];
}

void a0m_app_child_init(apr_pool_t *pchild);
void a0m_app_child_init(apr_pool_t *pchild)
{
	app_pool = pchild;
	apps = apr_hash_make(pchild);
	apr_thread_mutex_create(&apps_lock, APR_THREAD_MUTEX_DEFAULT, pchild);
	auth0_global_init();
}

static void log_bridge(void *userdata, auth0_log_level level, const char *message)
{
	server_rec *s = userdata;
	int l = level == AUTH0_LOG_ERROR ? APLOG_ERR
	      : level == AUTH0_LOG_WARNING ? APLOG_WARNING
	      : level == AUTH0_LOG_INFO ? APLOG_INFO : APLOG_DEBUG;
	ap_log_error(APLOG_MARK, l, 0, s, "libauth0: %s", message);
}

static apr_status_t free_client(void *client)
{
	auth0_client_free(client);
	return APR_SUCCESS;
}

static auth0_client *create_client(request_rec *r, const a0m_dir_conf *c)
{
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = c->domain;
	o.client_id = c->client_id;
	o.client_secret = c->client_secret;
	o.client_assertion_signing_key = c->assertion_key_pem;
	o.client_assertion_signing_alg = c->assertion_alg;
	if (c->client_secret_basic == 1)
		o.client_auth = AUTH0_CLIENT_AUTH_SECRET_BASIC;
	/* no organization: every caller names the one it means (the login's, the callback's transaction, the
	 * API location's), and none must mean none, not a default from the location that made this client */
	o.ca_file = c->ca_file;
	o.proxy = c->outgoing_proxy;
	o.management_base_url = c->management_base_url;
	if (c->http_timeout_ms != A0M_UNSET_INT)
		o.timeout_ms = o.management_timeout_ms = c->http_timeout_ms;
	else
		o.management_timeout_ms = 10000; /* a request thread should not wait a minute */
	if (c->http_retries != A0M_UNSET_INT)
		o.retry_count = o.management_max_retries = c->http_retries;
	/* Never hold a request for long between retries: fail and let the client retry. Auth0HTTPTimeout bounds
	 * each request to the tenant with its retries and waits, not each attempt only: a browser waits for
	 * what the tenant's answers add up to. */
	o.max_retry_delay_ms = 5000;
	o.total_timeout_ms = o.timeout_ms;
	o.user_agent_product = A0M_VERSION;
	o.log = log_bridge;
	o.log_userdata = r->server;

	auth0_store *store = apr_pcalloc(app_pool, sizeof(*store));
	if (c->keys)
		a0m_cache_store_init(app_pool, r->server, c->keys->cache, c->keys->count, store);
	else
		a0m_cache_store_init(app_pool, r->server, &fallback_cache_key, 1, store);
	o.store = store;

	auth0_client *client = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&client, &o, &err) != AUTH0_OK) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: cannot create the Auth0 client: %s",
		              err ? err->message : "unknown error");
		auth0_error_free(err);
		return NULL;
	}
	apr_pool_cleanup_register(app_pool, client, free_client, apr_pool_cleanup_null);
	return client;
}

auth0_client *a0m_app_client(request_rec *r, const a0m_dir_conf *c)
{
	if (!apps || !c->domain)
		return NULL;
	app_key key;
	memset(&key, 0, sizeof(key));
	const void *fields[] = { c->domain, c->client_id, c->client_secret, c->assertion_key_pem, c->assertion_alg,
		                     c->ca_file, c->outgoing_proxy, c->management_base_url, c->keys };
	_Static_assert(sizeof(fields) == sizeof(key.fields), "app_key.fields holds every field of the key");
	memcpy(key.fields, fields, sizeof(fields));
	key.ints[0] = c->http_timeout_ms;
	key.ints[1] = c->http_retries;
	key.ints[2] = c->client_secret_basic;

	apr_thread_mutex_lock(apps_lock);
	auth0_client *client = apr_hash_get(apps, &key, sizeof(key));
	if (!client) {
		client = create_client(r, c);
		if (client) {
			app_key *k = apr_pmemdup(app_pool, &key, sizeof(key));
			apr_hash_set(apps, k, sizeof(*k), client);
		}
	}
	apr_thread_mutex_unlock(apps_lock);
	return client;
}
