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
