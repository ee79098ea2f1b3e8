/*
 * A store for what a client fetches once and shares: the Management API
 * token and the tenant's JWKS.
 *
 * By default each auth0_client keeps these in its own memory. A program with
 * several processes (httpd with the prefork or event MPM) provides a store
 * backed by shared memory so that every process uses one token and one JWKS,
 * and so that exactly one process fetches a new token when it expires:
 *
 *     get    -> fresh?  use it
 *     lock   -> get again (another process may have refreshed it meanwhile)
 *            -> still stale? fetch, set
 *     unlock
 *
 * Values are opaque byte strings produced by libauth0 (they may contain
 * tokens: a store that writes them outside the process must protect them;
 * mod_auth0 seals them). Keys are short printable strings that already
 * include a hash of the domain, client id and audience, so several clients
 * can share one store.
 */
#ifndef AUTH0_STORE_H
#define AUTH0_STORE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum auth0_store_result {
	AUTH0_STORE_OK = 0,
	AUTH0_STORE_NOT_FOUND = 1,
	AUTH0_STORE_ERROR = -1
} auth0_store_result;

/*
 * Concurrency: what libauth0 calls, when.
 *   - get and set are called from any thread of any client that uses the
 *     store, concurrently with each other, with or without that thread
 *     holding the lock (a renewal reads and writes under it; other reads do
 *     not take it, and auth0_management_token_invalidate() writes without
 *     it). They must therefore not take the lock themselves.
 *   - lock is called concurrently by several threads of one process (one per
 *     client and kind of entry at most: the Management token, the JWKS), for
 *     different keys or the same one (two clients with the same domain,
 *     client id and audience). It must exclude the other threads of the
 *     process as well as other processes: a POSIX record lock (fcntl, flock
 *     on a shared descriptor) excludes only other processes, and needs a
 *     mutex with it. unlock is called by the thread that locked, with the
 *     same key; a thread never calls lock while it holds it.
 *   - The lock is held across network I/O: for the Management token, the
 *     whole client-credentials grant, that is up to 1 + retry_count
 *     attempts of timeout_ms each with up to retry_count waits of
 *     max_retry_delay_ms between them (defaults: 4 x 10 s + 3 x 60 s), or
 *     total_timeout_ms when it is set and shorter; with a token_provider,
 *     for as long as the provider takes. For the JWKS, one attempt of
 *     timeout_ms (or what is left of total_timeout_ms). Other processes and
 *     threads wait for it meanwhile (or, for the JWKS, use the keys they
 *     have).
 *   - A lock that fails (AUTH0_STORE_ERROR) is logged and the refresh goes on
 *     without single flight; a get that fails counts as not found, a set
 *     that fails is logged.
 */
typedef struct auth0_store {
	void *userdata;

	/*
	 * Looks a key up. On AUTH0_STORE_OK, *value is a malloc()ed copy of
	 * *len bytes (plus a terminating NUL) that libauth0 frees. Entries past
	 * their expiry may be returned or not: libauth0 checks expiry itself.
	 */
	auth0_store_result (*get)(void *userdata, const char *key, char **value, size_t *len);

	/* Stores a value until expires_at (epoch seconds), replacing any older one. */
	auth0_store_result (*set)(void *userdata, const char *key, const char *value, size_t len,
	                          int64_t expires_at);

	/*
	 * Single-flight lock around a refresh of `key`. Both may be NULL (no
	 * cross-process single flight; libauth0 still serialises the threads of
	 * one client). A store may use one lock for all keys.
	 */
	auth0_store_result (*lock)(void *userdata, const char *key);
	auth0_store_result (*unlock)(void *userdata, const char *key);
} auth0_store;

#ifdef __cplusplus
}
#endif
#endif
