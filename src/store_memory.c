/*
 * The default auth0_store: a few entries in the client's own memory (a
 * Management token, a JWKS), guarded by a mutex, plus a second mutex used
 * as the single-flight lock.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

typedef struct mem_entry {
	char *key;
	char *value;
	size_t len;
	int64_t expires_at;
	struct mem_entry *next;
} mem_entry;

typedef struct mem_store {
	pthread_mutex_t data_lock;
	pthread_mutex_t flight_lock;
	mem_entry *entries;
} mem_store;

static void entry_free(mem_entry *e)
{
	free(e->key);
	if (e->value) {
		OPENSSL_cleanse(e->value, e->len);
		free(e->value);
	}
	free(e);
}

static auth0_store_result mem_get(void *userdata, const char *key, char **value, size_t *len)
{
	mem_store *m = userdata;
	auth0_store_result r = AUTH0_STORE_NOT_FOUND;
	pthread_mutex_lock(&m->data_lock);
	for (mem_entry *e = m->entries; e; e = e->next) {
		if (strcmp(e->key, key) == 0) {
			*value = malloc(e->len + 1);
			if (!*value) {
				r = AUTH0_STORE_ERROR;
				break;
			}
			memcpy(*value, e->value, e->len);
			(*value)[e->len] = '\0';
			*len = e->len;
			r = AUTH0_STORE_OK;
			break;
		}
	}
	pthread_mutex_unlock(&m->data_lock);
	return r;
}

static auth0_store_result mem_set(void *userdata, const char *key, const char *value, size_t len,
                                  int64_t expires_at)
{
	mem_store *m = userdata;
	mem_entry *n = calloc(1, sizeof(*n));
	if (!n)
		return AUTH0_STORE_ERROR;
	n->key = strdup(key);
	n->value = malloc(len + 1);
	if (!n->key || !n->value) {
		free(n->key);
		free(n->value);
		free(n);
		return AUTH0_STORE_ERROR;
	}
	memcpy(n->value, value, len);
	n->value[len] = '\0';
	n->len = len;
	n->expires_at = expires_at;

	pthread_mutex_lock(&m->data_lock);
	mem_entry **pp = &m->entries;
	while (*pp && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->next;
	mem_entry *old = *pp;
	n->next = old ? old->next : NULL;
	*pp = n;
	pthread_mutex_unlock(&m->data_lock);
	if (old)
		entry_free(old);
	return AUTH0_STORE_OK;
}

static auth0_store_result mem_lock(void *userdata, const char *key)
{
	(void)key;
	mem_store *m = userdata;
	return pthread_mutex_lock(&m->flight_lock) == 0 ? AUTH0_STORE_OK : AUTH0_STORE_ERROR;
}

static auth0_store_result mem_unlock(void *userdata, const char *key)
{
	(void)key;
	mem_store *m = userdata;
	return pthread_mutex_unlock(&m->flight_lock) == 0 ? AUTH0_STORE_OK : AUTH0_STORE_ERROR;
}

void *a0_memory_store_new(auth0_store *store)
{
	mem_store *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	pthread_mutex_init(&m->data_lock, NULL);
	pthread_mutex_init(&m->flight_lock, NULL);
	store->userdata = m;
	store->get = mem_get;
	store->set = mem_set;
	store->lock = mem_lock;
	store->unlock = mem_unlock;
	return m;
}

void a0_memory_store_free(void *userdata)
{
	mem_store *m = userdata;
	if (!m)
		return;
	for (mem_entry *e = m->entries, *next; e; e = next) {
		next = e->next;
		entry_free(e);
	}
	pthread_mutex_destroy(&m->data_lock);
	pthread_mutex_destroy(&m->flight_lock);
	free(m);
}
