/*
 * The per-process memo of opened sealed values: see seal_memo.h for what it
 * is for and the rules that keep it safe.
 *
 * Layout: one arena of `slots` fixed-size slots. A slot holds its header,
 * then the context, the sealed value without its last TAIL bytes (those are
 * in the header, compared first and in constant time), then the plaintext.
 * The slot of a value is a hash of its tail and length: the tail of a sealed
 * value is (part of) its authentication tag, as good as random.
 */
#include "seal_memo.h"

#include <stdint.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_thread_mutex.h>
#include <openssl/crypto.h>

#define TAIL 16
#define STRIPES 16
#define MAX_SLOTS 65536u
#define MAX_SLOT_BYTES (1u << 20)

typedef struct slot {
	const void *keys; /* NULL: empty */
	size_t context_len, sealed_len, plain_len;
	unsigned char tail[TAIL];
} slot;

struct a0m_seal_memo {
	unsigned char *arena;
	size_t stride;   /* bytes from one slot to the next */
	size_t capacity; /* bytes of data a slot holds after its header */
	unsigned slots;
#if APR_HAS_THREADS
	apr_thread_mutex_t *locks[STRIPES];
#endif
};

a0m_seal_memo *a0m_seal_memo_create(apr_pool_t *p, unsigned slots, size_t slot_bytes)
{
	if (!slots || slots > MAX_SLOTS || !slot_bytes || slot_bytes > MAX_SLOT_BYTES ||
	    (sizeof(slot) + slot_bytes + 15) > SIZE_MAX / slots)
		return NULL;
	a0m_seal_memo *m = apr_pcalloc(p, sizeof(*m));
	m->slots = slots;
	m->capacity = slot_bytes;
	m->stride = (sizeof(slot) + slot_bytes + 15) & ~(size_t)15;
	m->arena = apr_palloc(p, m->stride * slots);
	/* every page written now: the memory a process has after start-up is all the memo will take */
	memset(m->arena, 0, m->stride * slots);
#if APR_HAS_THREADS
	for (int i = 0; i < STRIPES; i++)
		if (apr_thread_mutex_create(&m->locks[i], APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS)
			return NULL;
#endif
	return m;
}

static unsigned index_of(const a0m_seal_memo *m, const unsigned char *tail, size_t sealed_len)
{
	apr_ssize_t klen = TAIL;
	unsigned h = apr_hashfunc_default((const char *)tail, &klen);
	return (unsigned)((h ^ (sealed_len * 2654435761u)) % m->slots);
}

static slot *slot_at(const a0m_seal_memo *m, unsigned i)
{
	return (slot *)(void *)(m->arena + (size_t)i * m->stride);
}

static unsigned char *data_of(slot *e)
{
	return (unsigned char *)(e + 1);
}

static void lock(a0m_seal_memo *m, unsigned i)
{
#if APR_HAS_THREADS
	apr_thread_mutex_lock(m->locks[i % STRIPES]);
#else
	(void)m;
	(void)i;
#endif
}

static void unlock(a0m_seal_memo *m, unsigned i)
{
#if APR_HAS_THREADS
	apr_thread_mutex_unlock(m->locks[i % STRIPES]);
#else
	(void)m;
	(void)i;
#endif
}

unsigned char *a0m_seal_memo_get(a0m_seal_memo *m, apr_pool_t *p, const void *keys, const char *context,
                                 const void *sealed, size_t sealed_len, size_t *len)
{
	if (!m || !keys || sealed_len < TAIL)
		return NULL;
	const unsigned char *s = sealed;
	const unsigned char *tail = s + sealed_len - TAIL;
	size_t context_len = context ? strlen(context) : 0;
	unsigned i = index_of(m, tail, sealed_len);
	slot *e = slot_at(m, i);
	unsigned char *out = NULL;
	lock(m, i);
	/* keyring, lengths: not secret; the tail in constant time before any byte-wise comparison */
	if (e->keys == keys && e->sealed_len == sealed_len && e->context_len == context_len &&
	    CRYPTO_memcmp(e->tail, tail, TAIL) == 0) {
		const unsigned char *d = data_of(e);
		if ((!context_len || memcmp(d, context, context_len) == 0) &&
		    memcmp(d + context_len, s, sealed_len - TAIL) == 0) {
			out = apr_palloc(p, e->plain_len + 1);
			memcpy(out, d + context_len + sealed_len - TAIL, e->plain_len);
			out[e->plain_len] = '\0';
			*len = e->plain_len;
		}
	}
	unlock(m, i);
	return out;
}

void a0m_seal_memo_put(a0m_seal_memo *m, const void *keys, const char *context, const void *sealed,
                       size_t sealed_len, const unsigned char *plain, size_t len)
{
	if (!m || !keys || sealed_len < TAIL)
		return;
	size_t context_len = context ? strlen(context) : 0;
	if (context_len > m->capacity || sealed_len - TAIL > m->capacity - context_len ||
	    len > m->capacity - context_len - (sealed_len - TAIL))
		return;
	const unsigned char *s = sealed;
	const unsigned char *tail = s + sealed_len - TAIL;
	unsigned i = index_of(m, tail, sealed_len);
	slot *e = slot_at(m, i);
	lock(m, i);
	unsigned char *d = data_of(e);
	if (context_len)
		memcpy(d, context, context_len);
	memcpy(d + context_len, s, sealed_len - TAIL);
	if (len)
		memcpy(d + context_len + sealed_len - TAIL, plain, len);
	memcpy(e->tail, tail, TAIL);
	e->context_len = context_len;
	e->sealed_len = sealed_len;
	e->plain_len = len;
	e->keys = keys;
	unlock(m, i);
}
