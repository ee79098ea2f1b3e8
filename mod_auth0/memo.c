/*
 * The per-process memo: see memo.h for what it is for and the rules that
 * keep it safe.
 *
 * Layout: `slots` pointers to entries; an entry is a pool of its own that
 * holds its header, its bytes, the context, the key and whatever value the
 * putter built there. The slot of a key is a hash of its last TAIL bytes and
 * length: the end of a tag, a signature or a random id, as good as random.
 *
 * Memory: entries' pools take their memory from the memo's own allocator
 * (locked: entries are made and freed by any thread), which is given one
 * block per slot when the memo is made and keeps what entries give back, up
 * to twice that: a process's memory does not grow or churn as entries come
 * and go.
 *
 * Lifetime: an entry counts its references, one for its slot and one for
 * each request it is lent to (a cleanup of the request's pool gives it back).
 * A lender finds the entry and takes its reference under the slot's read
 * lock; a putter replaces the entry under the write lock and then gives back
 * the slot's reference: whoever gives back the last one frees the entry.
 */
#include "memo.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <apr_allocator.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_thread_rwlock.h>
#include <openssl/crypto.h>

#define TAIL 16
#define STRIPES 16
#define MIN_SLOTS 8
#define MAX_SLOTS_PER_PROCESS 128
#define ENTRY_BYTES 8192
#define MAX_SLOTS 65536u
#define MAX_ENTRY_BYTES (1u << 20)

struct a0m_memo_entry {
	apr_pool_t *pool;    /* the entry's own: it holds this header too */
	apr_uint32_t refs;   /* the slot's reference, and one per request it is lent to */
	int64_t until;
	const void *owner;
	const void *value;
	unsigned char *bytes; /* wiped when the entry goes */
	size_t len;
	const char *context;
	const unsigned char *key; /* without its last TAIL bytes, which are in tail */
	size_t context_len, key_len;
	unsigned char tail[TAIL];
};

struct a0m_memo {
	a0m_memo_entry **slot;
	apr_allocator_t *allocator; /* the entries' */
	size_t entry_bytes;
	unsigned slots;
#if APR_HAS_THREADS
	apr_thread_rwlock_t *locks[STRIPES];
#endif
};

static void give_back(a0m_memo_entry *e);

/* The process's pool goes (its requests' pools, where entries are lent, went before it): so do the entries,
 * and then their allocator. */
static apr_status_t memo_gone(void *data)
{
	a0m_memo *m = data;
	for (unsigned i = 0; i < m->slots; i++)
		if (m->slot[i]) {
			give_back(m->slot[i]);
			m->slot[i] = NULL;
		}
	apr_allocator_destroy(m->allocator);
	return APR_SUCCESS;
}

/* The entries' allocator, locked, holding a block per slot already (see the top). */
static apr_allocator_t *entries_allocator(apr_pool_t *p, unsigned slots, size_t entry_bytes)
{
	apr_allocator_t *a = NULL;
	apr_memnode_t *first = NULL;
	if (apr_allocator_create(&a) != APR_SUCCESS)
		return NULL;
#if APR_HAS_THREADS
	apr_thread_mutex_t *mutex = NULL;
	if (apr_thread_mutex_create(&mutex, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS) {
		apr_allocator_destroy(a);
		return NULL;
	}
	apr_allocator_mutex_set(a, mutex);
#endif
	apr_allocator_max_free_set(a, 2 * slots * (entry_bytes + sizeof(a0m_memo_entry) + 1024));
	for (unsigned i = 0; i < slots; i++) {
		apr_memnode_t *n = apr_allocator_alloc(a, entry_bytes);
		if (!n)
			break;
		memset(n->first_avail, 0, (size_t)(n->endp - n->first_avail)); /* its pages are the process's now */
		n->next = first;
		first = n;
	}
	if (first)
		apr_allocator_free(a, first);
	return a;
}

a0m_memo *a0m_memo_create(apr_pool_t *p, unsigned slots, size_t entry_bytes)
{
	if (!slots || slots > MAX_SLOTS || !entry_bytes || entry_bytes > MAX_ENTRY_BYTES)
		return NULL;
	a0m_memo *m = apr_pcalloc(p, sizeof(*m));
	m->slots = slots;
	m->entry_bytes = entry_bytes;
	m->slot = apr_pcalloc(p, sizeof(*m->slot) * slots);
#if APR_HAS_THREADS
	for (int i = 0; i < STRIPES; i++)
		if (apr_thread_rwlock_create(&m->locks[i], p) != APR_SUCCESS)
			return NULL;
#endif
	m->allocator = entries_allocator(p, slots, entry_bytes);
	if (!m->allocator)
		return NULL;
	apr_pool_cleanup_register(p, m, memo_gone, apr_pool_cleanup_null);
	return m;
}

a0m_memo *a0m_memo_for_process(apr_pool_t *p, int threads)
{
	unsigned slots = threads >= MAX_SLOTS_PER_PROCESS / 2 ? MAX_SLOTS_PER_PROCESS
	               : threads * 2 > MIN_SLOTS ? (unsigned)threads * 2 : MIN_SLOTS;
	return a0m_memo_create(p, slots, ENTRY_BYTES);
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

/* ---- entries ------------------------------------------------------------------------------------ */

a0m_memo_entry *a0m_memo_entry_make(a0m_memo *m, const void *bytes, size_t len)
{
	apr_pool_t *pool = NULL;
	/* a pool of its own, with no parent: freed by whichever thread gives back the last reference */
	if (!m || len > m->entry_bytes || apr_pool_create_unmanaged_ex(&pool, NULL, m->allocator) != APR_SUCCESS)
		return NULL;
	a0m_memo_entry *e = apr_pcalloc(pool, sizeof(*e));
	e->pool = pool;
	e->bytes = apr_palloc(pool, len + 1);
	if (len)
		memcpy(e->bytes, bytes, len);
	e->bytes[len] = '\0';
	e->len = len;
	return e;
}

apr_pool_t *a0m_memo_entry_pool(a0m_memo_entry *e)
{
	return e->pool;
}

const unsigned char *a0m_memo_entry_bytes(const a0m_memo_entry *e)
{
	return e->bytes;
}

static void entry_free(a0m_memo_entry *e)
{
	apr_pool_t *pool = e->pool;
	/* nothing of the entry stays behind in memory its allocator hands out again: not its bytes (a
	 * session's tokens), nor its key (a sealed session cookie, a bearer token) */
	OPENSSL_cleanse(e->bytes, e->len);
	if (e->key)
		OPENSSL_cleanse((void *)e->key, e->key_len - TAIL);
	OPENSSL_cleanse(e->tail, TAIL);
	apr_pool_destroy(pool);
}

static void give_back(a0m_memo_entry *e)
{
	if (apr_atomic_dec32(&e->refs) == 0)
		entry_free(e);
}

static apr_status_t lent_entry_back(void *e)
{
	give_back(e);
	return APR_SUCCESS;
}

/* ---- lending and putting ------------------------------------------------------------------------ */

const void *a0m_memo_borrow(a0m_memo *m, apr_pool_t *p, const void *owner, const char *context, const void *key,
                            size_t key_len, int64_t now)
{
	if (!m || key_len < TAIL)
		return NULL;
	const unsigned char *k = key;
	const unsigned char *tail = k + key_len - TAIL;
	size_t context_len = context ? strlen(context) : 0;
	unsigned i = index_of(m, tail, key_len);
	const void *value = NULL;
	lock(m, i, false);
	a0m_memo_entry *e = m->slot[i];
	/* time, owner, lengths: not secret; the tail in constant time before any byte-wise comparison */
	if (e && e->until > now && e->owner == owner && e->key_len == key_len && e->context_len == context_len &&
	    CRYPTO_memcmp(e->tail, tail, TAIL) == 0 && (!context_len || memcmp(e->context, context, context_len) == 0) &&
	    memcmp(e->key, k, key_len - TAIL) == 0) {
		apr_atomic_inc32(&e->refs);
		value = e->value;
	}
	unlock(m, i);
	if (value)
		apr_pool_cleanup_register(p, e, lent_entry_back, apr_pool_cleanup_null);
	return value;
}

void a0m_memo_put(a0m_memo *m, const void *owner, const char *context, const void *key, size_t key_len,
                  int64_t until, a0m_memo_entry *e, const void *value)
{
	if (!e)
		return;
	size_t context_len = context ? strlen(context) : 0;
	if (!m || key_len < TAIL || until <= 0 || context_len > m->entry_bytes ||
	    key_len - TAIL > m->entry_bytes - context_len || e->len > m->entry_bytes - context_len - (key_len - TAIL)) {
		entry_free(e);
		return;
	}
	const unsigned char *k = key;
	const unsigned char *tail = k + key_len - TAIL;
	e->context = context_len ? apr_pstrmemdup(e->pool, context, context_len) : NULL;
	e->key = apr_pmemdup(e->pool, k, key_len - TAIL);
	memcpy(e->tail, tail, TAIL);
	e->context_len = context_len;
	e->key_len = key_len;
	e->owner = owner;
	e->value = value;
	e->until = until;
	e->refs = 1; /* the slot's */
	unsigned i = index_of(m, tail, key_len);
	lock(m, i, true);
	a0m_memo_entry *was = m->slot[i];
	m->slot[i] = e;
	unlock(m, i);
	if (was)
		give_back(was);
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
