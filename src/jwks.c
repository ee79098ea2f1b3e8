/* The tenant's JWKS: fetched, cached in the client's store and in process. */
#include "internal.h"

#include <stdlib.h>

struct a0_jwks_cache {
	pthread_mutex_t lock;
};

struct a0_jwks_cache *a0_jwks_cache_new(void)
{
	struct a0_jwks_cache *cache = calloc(1, sizeof(*cache));
	if (cache)
		pthread_mutex_init(&cache->lock, NULL);
	return cache;
}

void a0_jwks_cache_free(struct a0_jwks_cache *cache)
{
	if (!cache)
		return;
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}
