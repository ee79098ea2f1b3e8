/*
 * The shared cache: one socache instance (shmcb by default; redis or
 * memcache to share between hosts) for the whole server, created in
 * post_config, attached again in child_init, guarded by a global mutex when
 * the provider is not thread/process safe (shmcb).
 *
 * A second global mutex, "auth0-flight", serialises libauth0's refreshes
 * (Management token, JWKS) across every process and thread, so that one
 * request per expiry reaches the tenant. It is taken with a timeout, so a
 * hung refresh elsewhere cannot block requests for longer than that.
 *
 * Sessions' refresh tokens have locks of their own, "auth0-refresh", a few
 * of them chosen by a hash of the token: a refresh validates the new ID
 * token while it holds its lock, which may fetch the JWKS under
 * "auth0-flight" (always taken second, never the other way round), and
 * one slow refresh does not hold up the sessions of other users.
 *
 * Keys are namespaced (A0M_NS_*); values that contain tokens are sealed.
 */
#include "mod_auth0.h"

#include <stdlib.h>

#include <ap_provider.h>
#include <http_core.h>
#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_shm.h>
#include <util_mutex.h>
#include <openssl/crypto.h>

#define CACHE_MUTEX "auth0-cache"
#define FLIGHT_MUTEX "auth0-flight"
#define REFRESH_MUTEX "auth0-refresh"
#define REFRESH_LOCKS 8
/* The longest a request waits for another process's refresh before doing its own. */
#define FLIGHT_WAIT apr_time_from_sec(30)
/*
 * The default cache (no Auth0Cache): shmcb of this size. shmcb's own default (500 KB, a few hundred
 * entries at most) is smaller than the used login states alone of a quarter of an hour at one login every
 * few seconds: a full cache evicts its oldest entries, which are the sessions of the cache store that are
 * still in use (found by bench/soak). 8 MiB hold about 6000 sessions or 15000 smaller entries.
 */
#define DEFAULT_SHMCB_SIZE (8 * 1024 * 1024)

/*
 * Change counters, for values that processes keep copies of (session.c keeps the cache-store sessions it
 * read): a host-wide array of counters in anonymous shared memory, made in post_config and inherited by
 * every child. Whoever writes or removes such a value bumps its counter afterwards; a copy counts only while
 * the counter reads as it did before the copy was read. Only for shmcb, whose entries live on this host:
 * with redis or memcache another host's change would go unseen, so there are no counters and every read
 * goes to the cache.
 */
#define CHANGE_COUNTERS 4096
static apr_uint32_t *changes;
/* The count of back-channel logouts recorded on this host, whatever the provider (session.c). */
static apr_uint32_t *logouts;

static const ap_socache_provider_t *provider;
static ap_socache_instance_t *instance;
static server_rec *cache_server;
static apr_global_mutex_t *cache_mutex;
static apr_global_mutex_t *flight_mutex;
static apr_global_mutex_t *refresh_mutex[REFRESH_LOCKS];
static bool need_lock;
static bool shmcb; /* the provider is shmcb: entries live on this host, ids need spreading */
/* "not found" from the provider means the entry is missing, never that its server is down: shmcb (no
 * server), and redis-auth (socache_redis.c), which reports a failure as one */
static bool notfound_is_missing;
/* The provider's own add, where it has one that is atomic on its server (redis-auth: SET NX), so that
 * hosts sharing the cache cannot both add the same entry; otherwise a read and a write under the mutex. */
static apr_status_t (*provider_add)(ap_socache_instance_t *in, server_rec *s, const unsigned char *id,
                                    unsigned int idlen, apr_time_t expiry, apr_pool_t *p);
/* And its replace (redis-auth: SET XX), for the same reason: a logout on another host cannot come between. */
static apr_status_t (*provider_replace)(ap_socache_instance_t *in, server_rec *s, const unsigned char *id,
                                        unsigned int idlen, apr_time_t expiry, const unsigned char *data,
                                        unsigned int datalen, apr_pool_t *p);
/*
 * This process's last second (apr_time_sec) in which the provider answered, and in which it failed: after
 * a failure, apr_redis and apr_memcache consider their server down for a few seconds and answer "not
 * found" for every key, which a0m_cache_answers() tells from a missing entry.
 */
static volatile apr_uint32_t answered_at, failed_at;

static apr_status_t noted(apr_status_t rv)
{
	/* "not found" says nothing either way; a value too large is no sign of an outage */
	if (rv == APR_SUCCESS || rv == APR_EEXIST)
		apr_atomic_set32(&answered_at, (apr_uint32_t)apr_time_sec(apr_time_now()));
	else if (rv != APR_NOTFOUND && rv != APR_ENOSPC)
		apr_atomic_set32(&failed_at, (apr_uint32_t)apr_time_sec(apr_time_now()));
	return rv;
}

void a0m_cache_pre_config(apr_pool_t *pconf)
{
	ap_mutex_register(pconf, CACHE_MUTEX, NULL, APR_LOCK_DEFAULT, 0);
	ap_mutex_register(pconf, FLIGHT_MUTEX, NULL, APR_LOCK_DEFAULT, 0);
	ap_mutex_register(pconf, REFRESH_MUTEX, NULL, APR_LOCK_DEFAULT, 0);
}

static apr_status_t cache_cleanup(void *data)
{
	(void)data;
	if (provider && instance)
		provider->destroy(instance, cache_server);
	provider = NULL;
	instance = NULL;
	cache_mutex = flight_mutex = NULL;
	memset(refresh_mutex, 0, sizeof(refresh_mutex));
	changes = NULL;
	logouts = NULL;
	return APR_SUCCESS;
}

static void make_logout_count(apr_pool_t *pconf, server_rec *s)
{
	apr_shm_t *shm = NULL;
	apr_status_t rv = apr_shm_create(&shm, sizeof(apr_uint32_t), NULL, pconf);
	if (rv != APR_SUCCESS) {
		ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
		             "mod_auth0: no shared count of back-channel logouts: sessions are compared with them "
		             "every 10 seconds only");
		return;
	}
	logouts = apr_shm_baseaddr_get(shm);
	*logouts = 0;
}

static void make_change_counters(apr_pool_t *pconf, server_rec *s)
{
	apr_shm_t *shm = NULL;
	apr_status_t rv = apr_shm_create(&shm, CHANGE_COUNTERS * sizeof(apr_uint32_t), NULL, pconf);
	if (rv != APR_SUCCESS) {
		ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
		             "mod_auth0: no shared change counters: every request of a cache-store session reads the cache");
		return;
	}
	changes = apr_shm_baseaddr_get(shm);
	memset(changes, 0, CHANGE_COUNTERS * sizeof(apr_uint32_t));
}

int a0m_cache_check_config(server_rec *s)
{
#ifdef A0M_HAVE_HIREDIS
	a0m_server_conf *sc = ap_get_module_config(s->module_config, &auth0_module);
	if (ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_CONFIG_TEST && sc->cache_provider &&
	    sc->cache_provider->name && strcmp(sc->cache_provider->name, "redis-auth") == 0 &&
	    a0m_socache_redis_probe(sc->cache_instance, s) != APR_SUCCESS)
		return !OK;
#else
	(void)s;
#endif
	return OK;
}

apr_status_t a0m_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
	a0m_server_conf *sc = ap_get_module_config(s->module_config, &auth0_module);
	provider = sc->cache_provider;
	instance = sc->cache_instance;
	if (!provider) {
		provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, "shmcb", AP_SOCACHE_PROVIDER_VERSION);
		if (!provider) {
			ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
			             "mod_auth0 needs a shared cache: load mod_socache_shmcb (a2enmod socache_shmcb) "
			             "or set Auth0Cache to a loaded socache provider");
			return APR_EGENERAL;
		}
		const char *arg = apr_psprintf(pconf, "%s(%d)", ap_runtime_dir_relative(pconf, "mod_auth0-cache"),
		                               DEFAULT_SHMCB_SIZE);
		const char *err = provider->create(&instance, arg, ptemp, pconf);
		if (err) {
			ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "Auth0Cache: %s", err);
			return APR_EGENERAL;
		}
	}
	cache_server = s;
	/* Entries are sessions (1-3 KB), validated bearer tokens (under 1 KB) and used login states (1 byte):
	 * shmcb sizes its index by the average, and a full index evicts like full data does. */
	struct ap_socache_hints hints = { .avg_id_len = 48, .avg_obj_size = 512, .expiry_interval = 60 };
	apr_status_t rv = provider->init(instance, "mod_auth0", &hints, s, pconf);
	if (rv != APR_SUCCESS) {
		ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s,
		             "Auth0Cache: the cache provider could not be initialised");
		return rv;
	}
	apr_pool_cleanup_register(pconf, NULL, cache_cleanup, apr_pool_cleanup_null);
	need_lock = (provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) != 0;
	shmcb = provider->name && strcmp(provider->name, "shmcb") == 0;
	bool redis_auth = provider->name && strcmp(provider->name, "redis-auth") == 0;
	notfound_is_missing = shmcb || redis_auth;
#ifdef A0M_HAVE_HIREDIS
	provider_add = redis_auth ? a0m_socache_redis_add : NULL;
	provider_replace = redis_auth ? a0m_socache_redis_replace : NULL;
#endif
	if (shmcb)
		make_change_counters(pconf, s);
	make_logout_count(pconf, s);
	rv = ap_global_mutex_create(&cache_mutex, NULL, CACHE_MUTEX, NULL, s, pconf, 0);
	if (rv == APR_SUCCESS)
		rv = ap_global_mutex_create(&flight_mutex, NULL, FLIGHT_MUTEX, NULL, s, pconf, 0);
	for (int i = 0; rv == APR_SUCCESS && i < REFRESH_LOCKS; i++)
		rv = ap_global_mutex_create(&refresh_mutex[i], NULL, REFRESH_MUTEX, apr_itoa(ptemp, i), s, pconf, 0);
	if (rv != APR_SUCCESS) {
		ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, "mod_auth0: cannot create its global mutexes");
		return rv;
	}
	return APR_SUCCESS;
}

void a0m_cache_child_init(apr_pool_t *p, server_rec *s)
{
	apr_status_t rv = APR_SUCCESS;
	if (cache_mutex)
		rv = apr_global_mutex_child_init(&cache_mutex, apr_global_mutex_lockfile(cache_mutex), p);
	if (rv == APR_SUCCESS && flight_mutex)
		rv = apr_global_mutex_child_init(&flight_mutex, apr_global_mutex_lockfile(flight_mutex), p);
	for (int i = 0; rv == APR_SUCCESS && i < REFRESH_LOCKS; i++)
		if (refresh_mutex[i])
			rv = apr_global_mutex_child_init(&refresh_mutex[i], apr_global_mutex_lockfile(refresh_mutex[i]), p);
	if (rv != APR_SUCCESS)
		ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "mod_auth0: cannot attach its global mutexes");
}

static bool lock_cache(void)
{
	return !need_lock || (cache_mutex && apr_global_mutex_lock(cache_mutex) == APR_SUCCESS);
}

static void unlock_cache(void)
{
	if (need_lock && cache_mutex)
		apr_global_mutex_unlock(cache_mutex);
}

/*
 * The id the provider sees for a key. shmcb files an entry in the subcache that the FIRST BYTE of its id
 * selects (made for random TLS session ids); ours begin with a namespace letter, which would put every
 * session in one subcache, a sixty-fourth of the cache, whose oldest entries (sessions in use) are evicted
 * as soon as it fills (found by bench/soak). For shmcb the id starts with a byte of a hash of the key.
 */
static const unsigned char *provider_id(apr_pool_t *p, const char *key, unsigned int *len)
{
	size_t n = strlen(key);
	*len = (unsigned int)n;
	if (!shmcb)
		return (const unsigned char *)key;
	apr_ssize_t klen = (apr_ssize_t)n;
	unsigned int h = apr_hashfunc_default(key, &klen);
	unsigned char *id = apr_palloc(p, n + 1);
	id[0] = (unsigned char)(h ^ (h >> 8) ^ (h >> 16) ^ (h >> 24));
	memcpy(id + 1, key, n);
	*len = (unsigned int)(n + 1);
	return id;
}

static void store_failed(server_rec *s, apr_status_t rv, size_t len)
{
	ap_log_error(APLOG_MARK, rv == APR_ENOSPC ? APLOG_ERR : APLOG_WARNING, rv, s,
	             "mod_auth0: could not store %" APR_SIZE_T_FMT " bytes in the %s cache%s", len,
	             provider->name ? provider->name : "shared",
	             rv == APR_ENOSPC ? " (value too large: give the cache more room in Auth0Cache)" : "");
}

apr_status_t a0m_cache_set(server_rec *s, const char *key, const unsigned char *value, size_t len,
                           apr_time_t expires, apr_pool_t *p)
{
	if (!provider)
		return APR_EINIT;
	unsigned int id_len;
	const unsigned char *id = provider_id(p, key, &id_len);
	if (!lock_cache())
		return APR_EGENERAL;
	apr_status_t rv = noted(provider->store(instance, s, id, id_len, expires, (unsigned char *)value, (unsigned int)len, p));
	unlock_cache();
	if (rv != APR_SUCCESS)
		store_failed(s, rv, len);
	return rv;
}

/* The cache's mutex for a read and a write that must be one step, whether or not the provider needs it for
 * each (a0m_cache_add, a0m_cache_replace, and the removals they must not cross). */
static bool lock_step(void)
{
	return !cache_mutex || apr_global_mutex_lock(cache_mutex) == APR_SUCCESS;
}

static void unlock_step(void)
{
	if (cache_mutex)
		apr_global_mutex_unlock(cache_mutex);
}

/*
 * Reads key's entry and, when store is given and the entry is there, stores store/store_len in its place
 * in the same step (under the step lock, so that no removal comes between: a0m_cache_replace). *value and
 * *len (when value is not NULL) get what was read, copied into p.
 *
 * The provider wants room for the largest value up front: sessions with hundreds of groups stay well
 * below this, larger ones are refused. The room is borrowed from malloc and only the value is copied into
 * the pool: taken from a request's pool it would stay with that thread's allocator (MaxMemFree) after the
 * request, 64 KiB more for every thread that ever read the cache (bench/soak saw it grow).
 */
static apr_status_t read_entry(server_rec *s, const char *key, unsigned char **value, size_t *len,
                               const unsigned char *store, size_t store_len, apr_time_t expires, apr_pool_t *p)
{
	if (!provider)
		return APR_EINIT;
	unsigned int size = 64 * 1024;
	unsigned char *room = malloc(size);
	if (!room)
		return APR_ENOMEM;
	unsigned int id_len;
	const unsigned char *id = provider_id(p, key, &id_len);
	apr_status_t rv = APR_EGENERAL;
	if (store ? lock_step() : lock_cache()) {
		rv = noted(provider->retrieve(instance, s, id, id_len, room, &size, p));
		if (store && rv != APR_SUCCESS && rv != APR_NOTFOUND)
			ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
			             "mod_auth0: could not read an entry of the %s cache to replace it",
			             provider->name ? provider->name : "shared");
		if (store && rv == APR_SUCCESS) {
			rv = noted(provider->store(instance, s, id, id_len, expires, (unsigned char *)store,
			                           (unsigned int)store_len, p));
			if (rv != APR_SUCCESS)
				store_failed(s, rv, store_len);
		}
		if (store)
			unlock_step();
		else
			unlock_cache();
	}
	if (rv == APR_SUCCESS && value) {
		unsigned char *buf = apr_palloc(p, size + 1);
		memcpy(buf, room, size);
		buf[size] = '\0';
		*value = buf;
		*len = size;
	}
	free(room);
	return rv;
}

apr_status_t a0m_cache_replace(server_rec *s, const char *key, const unsigned char *value, size_t len,
                               apr_time_t expires, apr_pool_t *p)
{
	apr_status_t rv;
	if (provider && provider_replace) {
		unsigned int id_len;
		const unsigned char *id = provider_id(p, key, &id_len);
		rv = noted(provider_replace(instance, s, id, id_len, expires, value, (unsigned int)len, p));
		if (rv != APR_SUCCESS && rv != APR_NOTFOUND)
			store_failed(s, rv, len);
		return rv;
	}
	rv = read_entry(s, key, NULL, NULL, value, len, expires, p);
	/* not found while the provider considers its server down is no removal */
	if (rv == APR_NOTFOUND && !a0m_cache_answers(s, p)) {
		ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
		             "mod_auth0: the %s cache does not answer: an entry could not be replaced",
		             provider->name ? provider->name : "shared");
		rv = APR_EGENERAL;
	}
	return rv;
}

apr_status_t a0m_cache_get(server_rec *s, const char *key, unsigned char **value, size_t *len, apr_pool_t *p)
{
	return read_entry(s, key, value, len, NULL, 0, 0, p);
}

apr_status_t a0m_cache_remove(server_rec *s, const char *key, apr_pool_t *p)
{
	if (!provider)
		return APR_EINIT;
	unsigned int id_len;
	const unsigned char *id = provider_id(p, key, &id_len);
	if (!lock_step())
		return APR_EGENERAL;
	apr_status_t rv = noted(provider->remove(instance, s, id, id_len, p));
	unlock_step();
	/* gone already, unless the provider considers its server down (the entry would come back with it) */
	if (rv == APR_NOTFOUND)
		rv = a0m_cache_answers(s, p) ? APR_SUCCESS : APR_EGENERAL;
	return rv;
}

apr_status_t a0m_cache_add(server_rec *s, const char *key, apr_time_t expires, apr_pool_t *p)
{
	if (!provider)
		return APR_EINIT;
	unsigned int id_len;
	const unsigned char *id = provider_id(p, key, &id_len);
	if (provider_add)
		return noted(provider_add(instance, s, id, id_len, expires, p));
	/* the mutex even for providers that need none: the read and the write are one step on this host (but
	 * not across hosts that share a redis or memcache server through httpd's providers) */
	if (!lock_step())
		return APR_EGENERAL;
	unsigned char room[8];
	unsigned int size = sizeof(room);
	apr_status_t rv = noted(provider->retrieve(instance, s, id, id_len, room, &size, p));
	if (rv == APR_SUCCESS)
		rv = APR_EEXIST;
	else if (rv == APR_NOTFOUND)
		rv = noted(provider->store(instance, s, id, id_len, expires, (unsigned char *)"1", 1, p));
	unlock_step();
	return rv;
}

/* The names are random ids (a session's 43 characters of base64url): their last characters are as good an
 * index as a hash of all of them, and every request of a cache-store session reads one. */
#define COUNTER_NAME_TAIL 8
static volatile apr_uint32_t *change_counter(const char *name)
{
	size_t n = strlen(name);
	const char *tail = n > COUNTER_NAME_TAIL ? name + n - COUNTER_NAME_TAIL : name;
	apr_ssize_t len = (apr_ssize_t)(n > COUNTER_NAME_TAIL ? COUNTER_NAME_TAIL : n);
	return &changes[apr_hashfunc_default(tail, &len) % CHANGE_COUNTERS];
}

bool a0m_cache_version(const char *name, apr_uint32_t *version)
{
	if (!changes)
		return false;
	*version = apr_atomic_read32(change_counter(name));
	return true;
}

void a0m_cache_changed(const char *name)
{
	if (changes)
		apr_atomic_inc32(change_counter(name));
}

bool a0m_cache_logout_epoch(apr_uint32_t *epoch)
{
	if (!logouts)
		return false;
	*epoch = apr_atomic_read32(logouts);
	return true;
}

void a0m_cache_logout_recorded(void)
{
	if (logouts)
		apr_atomic_inc32(logouts);
}

bool a0m_cache_host_local(void)
{
	return shmcb;
}

bool a0m_cache_answers(server_rec *s, apr_pool_t *p)
{
	if (!provider)
		return false;
	if (notfound_is_missing)
		return true;
	apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
	apr_uint32_t ok = apr_atomic_read32(&answered_at), bad = apr_atomic_read32(&failed_at);
	if (ok == now && bad < ok) /* it answered this second, after its last failure: no write needed */
		return true;
	/* a write tells: it fails while the provider considers its server down */
	return a0m_cache_set(s, A0M_NS_SESSION "probe", (const unsigned char *)"1", 1,
	                     apr_time_now() + apr_time_from_sec(60), p) == APR_SUCCESS;
}

static apr_status_t flight_lock(void)
{
	if (!flight_mutex)
		return APR_EINIT;
	return apr_global_mutex_timedlock(flight_mutex, FLIGHT_WAIT);
}

static apr_status_t flight_unlock(void)
{
	return flight_mutex ? apr_global_mutex_unlock(flight_mutex) : APR_EINIT;
}

static apr_global_mutex_t *refresh_lock_of(const char *key)
{
	apr_ssize_t len = APR_HASH_KEY_STRING;
	return refresh_mutex[apr_hashfunc_default(key, &len) % REFRESH_LOCKS];
}

apr_status_t a0m_cache_refresh_lock(const char *key, apr_time_t wait)
{
	apr_global_mutex_t *m = refresh_lock_of(key);
	return m ? apr_global_mutex_timedlock(m, wait) : APR_EINIT;
}

apr_status_t a0m_cache_refresh_unlock(const char *key)
{
	apr_global_mutex_t *m = refresh_lock_of(key);
	return m ? apr_global_mutex_unlock(m) : APR_EINIT;
}

/* ---- libauth0 store adapter ------------------------------------------------------------------ */

typedef struct store_ctx {
	server_rec *s;
	const a0m_key *keys;  /* the first seals, all open */
	int key_count;
} store_ctx;

static auth0_store_result store_get(void *userdata, const char *key, char **value, size_t *len)
{
	store_ctx *ctx = userdata;
	apr_pool_t *p;
	if (apr_pool_create(&p, NULL) != APR_SUCCESS)
		return AUTH0_STORE_ERROR;
	const char *ck = apr_pstrcat(p, A0M_NS_STORE, key, NULL);
	unsigned char *raw = NULL;
	size_t raw_len = 0;
	auth0_store_result r = AUTH0_STORE_NOT_FOUND;
	apr_status_t rv = a0m_cache_get(ctx->s, ck, &raw, &raw_len, p);
	if (rv == APR_SUCCESS) {
		size_t n = 0;
		unsigned char *plain = a0m_open_raw(p, ctx->keys, ctx->key_count, ck, raw, raw_len, &n);
		if (plain && (*value = malloc(n + 1))) {
			memcpy(*value, plain, n + 1);
			*len = n;
			r = AUTH0_STORE_OK;
		} else if (!plain) {
			/* sealed with a retired secret, or damaged: treat as absent */
			r = AUTH0_STORE_NOT_FOUND;
		} else {
			r = AUTH0_STORE_ERROR;
		}
		if (plain)
			OPENSSL_cleanse(plain, n);
	} else if (rv != APR_NOTFOUND) {
		r = AUTH0_STORE_ERROR;
	}
	apr_pool_destroy(p);
	return r;
}

static auth0_store_result store_set(void *userdata, const char *key, const char *value, size_t len,
                                    int64_t expires_at)
{
	store_ctx *ctx = userdata;
	apr_pool_t *p;
	if (apr_pool_create(&p, NULL) != APR_SUCCESS)
		return AUTH0_STORE_ERROR;
	const char *ck = apr_pstrcat(p, A0M_NS_STORE, key, NULL);
	size_t n = 0;
	unsigned char *sealed = a0m_seal_raw(p, &ctx->keys[0], ck, (const unsigned char *)value, len, &n);
	/* libauth0 passes on what a tenant or token provider said: no overflow of apr_time_t from a huge one */
	const int64_t latest = APR_INT64_MAX / APR_USEC_PER_SEC;
	apr_time_t expires = apr_time_from_sec(expires_at < 1 ? 1 : expires_at > latest ? latest : expires_at);
	apr_status_t rv = sealed ? a0m_cache_set(ctx->s, ck, sealed, n, expires, p) : APR_EGENERAL;
	apr_pool_destroy(p);
	return rv == APR_SUCCESS ? AUTH0_STORE_OK : AUTH0_STORE_ERROR;
}

static auth0_store_result store_lock(void *userdata, const char *key)
{
	(void)userdata;
	(void)key;
	return flight_lock() == APR_SUCCESS ? AUTH0_STORE_OK : AUTH0_STORE_ERROR;
}

static auth0_store_result store_unlock(void *userdata, const char *key)
{
	(void)userdata;
	(void)key;
	return flight_unlock() == APR_SUCCESS ? AUTH0_STORE_OK : AUTH0_STORE_ERROR;
}

void a0m_cache_store_init(apr_pool_t *p, server_rec *s, const a0m_key *keys, int key_count, auth0_store *store)
{
	store_ctx *ctx = apr_pcalloc(p, sizeof(*ctx));
	ctx->s = s;
	ctx->keys = keys;
	ctx->key_count = key_count;
	store->userdata = ctx;
	store->get = store_get;
	store->set = store_set;
	store->lock = store_lock;
	store->unlock = store_unlock;
}
