/*
 * The per-process memo: see memo.h for what it is for and the rules that
 * keep it safe.
 *
 * Layout: one arena of `slots` fixed-size slots. A slot holds its header,
 * then the context, the key without its last TAIL bytes (those are in the
 * header, compared first and in constant time), then the value. The slot of
 * a key is a hash of its tail and length: the end of a tag, a signature or a
 * random id, as good as random.
 */
#include "memo.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <apr_thread_rwlock.h>
#include <openssl/crypto.h>

#define TAIL 16
#define STRIPES 16
#define MIN_SLOTS 8
#define MAX_SLOTS_PER_PROCESS 128
#define SLOT_BYTES 8192
#define MAX_SLOTS 65536u
#define MAX_SLOT_BYTES (1u << 20)

typedef struct slot {
	int64_t until; /* 0: empty */
	const void *owner;
	size_t context_len, key_len, value_len;
	unsigned char tail[TAIL];
} slot;

struct a0m_memo {
	unsigned char *arena;
	size_t stride;   /* bytes from one slot to the next */
	size_t capacity; /* bytes of data a slot holds after its header */
	unsigned slots;
#if APR_HAS_THREADS
	apr_thread_rwlock_t *locks[STRIPES];
#endif
};

a0m_memo *a0m_memo_create(apr_pool_t *p, unsigned slots, size_t slot_bytes)
{
	if (!slots || slots > MAX_SLOTS || !slot_bytes || slot_bytes > MAX_SLOT_BYTES ||
	    sizeof(slot) + slot_bytes + 15 > SIZE_MAX / slots)
		return NULL;
	a0m_memo *m = apr_pcalloc(p, sizeof(*m));
	m->slots = slots;
	m->capacity = slot_bytes;
	m->stride = (sizeof(slot) + slot_bytes + 15) & ~(size_t)15;
	m->arena = apr_palloc(p, m->stride * slots);
	/* every page written now: the memory a process has after start-up is all the memo will take */
	memset(m->arena, 0, m->stride * slots);
#if APR_HAS_THREADS
	for (int i = 0; i < STRIPES; i++)
		if (apr_thread_rwlock_create(&m->locks[i], p) != APR_SUCCESS)
			return NULL;
#endif
	return m;
}

a0m_memo *a0m_memo_for_process(apr_pool_t *p, int threads)
{
	unsigned slots = threads >= MAX_SLOTS_PER_PROCESS / 2 ? MAX_SLOTS_PER_PROCESS
	               : threads * 2 > MIN_SLOTS ? (unsigned)threads * 2 : MIN_SLOTS;
	return a0m_memo_create(p, slots, SLOT_BYTES);
}

/* The tail is as good as random (see the top), and no guess can place an entry (only what succeeded is
 * put): a multiplicative fold of its two halves spreads it well enough, at the cost of a few instructions
 * on every request. */
static unsigned index_of(const a0m_memo *m, const unsigned char *tail, size_t key_len)
{
	uint64_t a, b;
	memcpy(&a, tail, 8);
	memcpy(&b, tail + 8, 8);
	uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15u) ^ key_len) * 0xff51afd7ed558ccdu;
	return (unsigned)((h >> 32) % m->slots);
}

static slot *slot_at(const a0m_memo *m, unsigned i)
{
	return (slot *)(void *)(m->arena + (size_t)i * m->stride);
}

static unsigned char *data_of(slot *e)
{
	return (unsigned char *)(e + 1);
}

static void lock(a0m_memo *m, unsigned i, bool write)
{
#if APR_HAS_THREADS
	if (write)
		apr_thread_rwlock_wrlock(m->locks[i % STRIPES]);
	else
		apr_thread_rwlock_rdlock(m->locks[i % STRIPES]);
#else
	(void)m;
	(void)i;
	(void)write;
#endif
}

static void unlock(a0m_memo *m, unsigned i)
{
#if APR_HAS_THREADS
	apr_thread_rwlock_unlock(m->locks[i % STRIPES]);
#else
	(void)m;
	(void)i;
#endif
}

unsigned char *a0m_memo_get(a0m_memo *m, apr_pool_t *p, const void *owner, const char *context, const void *key,
                            size_t key_len, int64_t now, size_t *len)
{
	if (!m || key_len < TAIL)
		return NULL;
	const unsigned char *k = key;
	const unsigned char *tail = k + key_len - TAIL;
	size_t context_len = context ? strlen(context) : 0;
	unsigned i = index_of(m, tail, key_len);
	slot *e = slot_at(m, i);
	unsigned char *out = NULL;
	lock(m, i, false);
	/* time, owner, lengths: not secret; the tail in constant time before any byte-wise comparison */
	if (e->until > now && e->owner == owner && e->key_len == key_len && e->context_len == context_len &&
	    CRYPTO_memcmp(e->tail, tail, TAIL) == 0) {
		const unsigned char *d = data_of(e);
		if ((!context_len || memcmp(d, context, context_len) == 0) &&
		    memcmp(d + context_len, k, key_len - TAIL) == 0) {
			out = apr_palloc(p, e->value_len + 1);
			memcpy(out, d + context_len + key_len - TAIL, e->value_len);
			out[e->value_len] = '\0';
			*len = e->value_len;
		}
	}
	unlock(m, i);
	return out;
}

void a0m_memo_put(a0m_memo *m, const void *owner, const char *context, const void *key, size_t key_len,
                  int64_t until, const unsigned char *value, size_t len)
{
	if (!m || key_len < TAIL || until <= 0)
		return;
	size_t context_len = context ? strlen(context) : 0;
	if (context_len > m->capacity || key_len - TAIL > m->capacity - context_len ||
	    len > m->capacity - context_len - (key_len - TAIL))
		return;
	const unsigned char *k = key;
	const unsigned char *tail = k + key_len - TAIL;
	unsigned i = index_of(m, tail, key_len);
	slot *e = slot_at(m, i);
	lock(m, i, true);
	unsigned char *d = data_of(e);
	size_t was = e->until ? e->context_len + e->key_len - TAIL + e->value_len : 0;
	size_t now_used = context_len + key_len - TAIL + len;
	if (context_len)
		memcpy(d, context, context_len);
	memcpy(d + context_len, k, key_len - TAIL);
	if (len)
		memcpy(d + context_len + key_len - TAIL, value, len);
	if (was > now_used) /* nothing of the entry replaced (a token, say) stays behind in memory */
		OPENSSL_cleanse(d + now_used, was - now_used);
	memcpy(e->tail, tail, TAIL);
	e->context_len = context_len;
	e->key_len = key_len;
	e->value_len = len;
	e->owner = owner;
	e->until = until;
	unlock(m, i);
}

/* ---- packed values ------------------------------------------------------------------------------ */

unsigned char *a0m_memo_pack(apr_pool_t *p, const void *head, size_t head_len, const void *const parts[],
                             const size_t sizes[], int n, size_t *len)
{
	uint64_t size = head_len + sizeof(uint32_t) * (uint64_t)n;
	for (int i = 0; i < n; i++)
		size += parts[i] ? sizes[i] : 0;
	if (size > UINT32_MAX)
		return NULL;
	unsigned char *out = apr_palloc(p, (apr_size_t)size);
	memcpy(out, head, head_len);
	size_t at = head_len + sizeof(uint32_t) * (size_t)n;
	for (int i = 0; i < n; i++) {
		uint32_t offset = parts[i] && sizes[i] ? (uint32_t)at : 0;
		memcpy(out + head_len + sizeof(uint32_t) * (size_t)i, &offset, sizeof(offset));
		if (offset) {
			memcpy(out + at, parts[i], sizes[i]);
			at += sizes[i];
		}
	}
	*len = (size_t)size;
	return out;
}

bool a0m_memo_unpack(const unsigned char *data, size_t len, void *head, size_t head_len,
                    const unsigned char *parts[], int n)
{
	size_t start = head_len + sizeof(uint32_t) * (size_t)n;
	if (!data || len < start)
		return false;
	for (int i = 0; i < n; i++) {
		uint32_t offset;
		memcpy(&offset, data + head_len + sizeof(uint32_t) * (size_t)i, sizeof(offset));
		if (offset && (offset < start || offset >= len))
			return false;
		parts[i] = offset ? data + offset : NULL;
	}
	memcpy(head, data, head_len);
	return true;
}
