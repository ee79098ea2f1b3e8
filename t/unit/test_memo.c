/*
 * mod_auth0/memo.c: the per-process memo. A hit needs the very same input
 * (owner, context, every byte of the key) and a time before the entry's end;
 * entries that do not fit are not kept; a value lent to a pool stays as it
 * was until that pool is cleared, and its entry is freed then, not before;
 * concurrent threads never get another key's value. No network, no httpd.
 */
#include "tap.h"

#include <string.h>

#include <apr_atomic.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "../../mod_auth0/memo.h"

static apr_pool_t *pool;
static const int keyring_a = 1, keyring_b = 2; /* only their addresses matter */
#define NOW 1700000000

/* The values of these tests are the entries' bytes, a string. */
static const char *got(a0m_memo *m, const void *keys, const char *context, const char *sealed)
{
	const char *plain = a0m_memo_borrow(m, pool, keys, context, sealed, strlen(sealed), NOW);
	return plain ? plain : "(miss)";
}

static a0m_memo_entry *entry_of(a0m_memo *m, const char *plain)
{
	return a0m_memo_entry_make(m, plain, strlen(plain));
}

static void put_until(a0m_memo *m, const void *keys, const char *context, const char *sealed, const char *plain,
                      int64_t until)
{
	a0m_memo_entry *e = entry_of(m, plain);
	a0m_memo_put(m, keys, context, sealed, strlen(sealed), until, e, e ? a0m_memo_entry_bytes(e) : NULL);
}

static void put(a0m_memo *m, const void *keys, const char *context, const char *sealed, const char *plain)
{
	put_until(m, keys, context, sealed, plain, NOW + 60);
}

static void test_exact_input(void)
{
	a0m_memo *m = a0m_memo_create(pool, 8, 512);
	ok(m != NULL, "memo made");
	const char *v = "AQJ4dGhpc2lzYXNlYWxlZHZhbHVld2l0aGF0YWlsVEFHVEFHVEFHVEFHMTIzNDU2";
	is_str(got(m, &keyring_a, "__Host-auth0_session", v), "(miss)", "empty memo: miss");
	put(m, &keyring_a, "__Host-auth0_session", v, "the session");
	is_str(got(m, &keyring_a, "__Host-auth0_session", v), "the session", "same input: what was put");
	is_str(got(m, &keyring_b, "__Host-auth0_session", v), "(miss)", "another keyring: miss");
	is_str(got(m, &keyring_a, "__Host-other", v), "(miss)", "another context: miss");
	is_str(got(m, &keyring_a, "__Host-auth0_sessio", v), "(miss)", "a shorter context: miss");
	is_str(got(m, &keyring_a, NULL, v), "(miss)", "no context: miss");
	size_t n = strlen(v);
	for (size_t at = 0; at < n; at += 7) {
		char *w = apr_pstrdup(pool, v);
		w[at] = w[at] == 'A' ? 'B' : 'A';
		is_str(got(m, &keyring_a, "__Host-auth0_session", w), "(miss)", "byte %zu changed: miss", at);
	}
	char *last = apr_pstrdup(pool, v);
	last[n - 1] = last[n - 1] == 'A' ? 'B' : 'A';
	is_str(got(m, &keyring_a, "__Host-auth0_session", last), "(miss)", "last byte changed: miss");
	is_str(got(m, &keyring_a, "__Host-auth0_session", apr_pstrndup(pool, v, n - 1)), "(miss)",
	       "one byte shorter: miss");
	is_str(got(m, &keyring_a, "__Host-auth0_session", apr_pstrcat(pool, v, "A", NULL)), "(miss)",
	       "one byte longer: miss");
	is_str(got(m, &keyring_a, "__Host-auth0_session", v), "the session", "the original still hits");
	put(m, &keyring_a, "__Host-auth0_session", v, "replaced");
	is_str(got(m, &keyring_a, "__Host-auth0_session", v), "replaced", "a second put replaces");
	put(m, &keyring_a, NULL, "0123456789abcdefXYZ", "");
	is_str(got(m, &keyring_a, "", "0123456789abcdefXYZ"), "", "empty plaintext; NULL and \"\" contexts alike");
}

static void test_limits(void)
{
	a0m_memo *m = a0m_memo_create(pool, 4, 64);
	put(m, &keyring_a, "c", "short", "x");
	is_str(got(m, &keyring_a, "c", "short"), "(miss)", "a value shorter than its 16-byte tail is not kept");
	const char *v = "0123456789abcdef0123456789abcdef"; /* 32 bytes: 16 stored beside the tail */
	char plain[64];
	memset(plain, 'p', sizeof(plain));
	plain[64 - 1 - 16] = '\0'; /* context 1 + 16 + 47 = 64: fits exactly */
	put(m, &keyring_a, "c", v, plain);
	is_str(got(m, &keyring_a, "c", v), plain, "a value that fills a slot exactly is kept");
	plain[64 - 1 - 16] = 'p';
	plain[64 - 16] = '\0'; /* one byte too many */
	put(m, &keyring_a, "d", v, plain);
	is_str(got(m, &keyring_a, "d", v), "(miss)", "a value one byte too large for a slot is not kept");
	ok(a0m_memo_create(pool, 0, 64) == NULL, "no slots: refused");
	ok(a0m_memo_create(pool, 4, 0) == NULL, "empty slots: refused");
	ok(a0m_memo_create(pool, 1u << 20, 1u << 20) == NULL, "absurd size: refused");
	ok(a0m_memo_borrow(NULL, pool, &keyring_a, "c", v, strlen(v), NOW) == NULL, "no memo: miss");
	ok(a0m_memo_entry_make(NULL, "x", 1) == NULL, "no memo: no entry");
	a0m_memo_put(NULL, &keyring_a, "c", v, strlen(v), NOW + 1, NULL, "x"); /* no crash */
	char large[64 + 2];
	memset(large, 'p', sizeof(large) - 1);
	large[sizeof(large) - 1] = '\0';
	ok(entry_of(m, large) == NULL, "bytes larger than an entry's (65 of 64): no entry");
}

static void test_time_and_owner(void)
{
	a0m_memo *m = a0m_memo_create(pool, 8, 256);
	const char *v = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
	put_until(m, NULL, "aud=https://api", v, "ok", NOW + 10);
	ok(a0m_memo_borrow(m, pool, NULL, "aud=https://api", v, strlen(v), NOW + 9) != NULL, "counts before its end");
	ok(a0m_memo_borrow(m, pool, NULL, "aud=https://api", v, strlen(v), NOW + 10) == NULL, "not at its end");
	ok(a0m_memo_borrow(m, pool, &keyring_a, "aud=https://api", v, strlen(v), NOW) == NULL,
	   "an owner where none was: miss");
	put_until(m, NULL, "c", v, "x", 0);
	ok(a0m_memo_borrow(m, pool, NULL, "c", v, strlen(v), -1) == NULL, "an entry that ends at 0 is not kept");
}

/* Whether an entry's pool was destroyed: a cleanup of the entry's pool sets it. */
static apr_status_t mark_freed(void *flag)
{
	*(int *)flag = 1;
	return APR_SUCCESS;
}

/* Whether an entry's bytes were wiped before its pool went: a cleanup of the entry's pool looks at them
 * (cleanups run before the pool's memory is given back). */
typedef struct wipe_check {
	const unsigned char *bytes;
	size_t len;
	int wiped;
} wipe_check;

static apr_status_t check_wiped(void *data)
{
	wipe_check *w = data;
	w->wiped = 1;
	for (size_t i = 0; i < w->len; i++)
		if (w->bytes[i])
			w->wiped = 0;
	return APR_SUCCESS;
}

/* A lent value outlives its entry's time in the memo, until the borrower's pool is cleared; then it goes. */
static void test_lending(void)
{
	a0m_memo *m = a0m_memo_create(pool, 1, 256);
	const char *v1 = "first-value-with-its-own-tag-AAAAAAAAAAAAAAAA";
	const char *v2 = "second-value-with-its-own-tag-BBBBBBBBBBBBBBB";
	/* static: the memo outlives this function (its pool is the test's), and its entries' cleanups set them */
	static int freed1, freed2, freed3;
	a0m_memo_entry *e1 = entry_of(m, "one");
	static wipe_check wipe1;
	wipe1.bytes = a0m_memo_entry_bytes(e1);
	wipe1.len = 3;
	apr_pool_cleanup_register(a0m_memo_entry_pool(e1), &wipe1, check_wiped, apr_pool_cleanup_null);
	apr_pool_cleanup_register(a0m_memo_entry_pool(e1), &freed1, mark_freed, apr_pool_cleanup_null);
	a0m_memo_put(m, &keyring_a, "c", v1, strlen(v1), NOW + 60, e1, a0m_memo_entry_bytes(e1));
	apr_pool_t *request1, *request2;
	apr_pool_create(&request1, pool);
	apr_pool_create(&request2, pool);
	const char *lent1 = a0m_memo_borrow(m, request1, &keyring_a, "c", v1, strlen(v1), NOW);
	const char *lent2 = a0m_memo_borrow(m, request2, &keyring_a, "c", v1, strlen(v1), NOW);
	ok(lent1 && lent1 == lent2, "two requests are lent the same value, not copies");
	a0m_memo_entry *e2 = entry_of(m, "two");
	apr_pool_cleanup_register(a0m_memo_entry_pool(e2), &freed2, mark_freed, apr_pool_cleanup_null);
	a0m_memo_put(m, &keyring_a, "c", v2, strlen(v2), NOW + 60, e2, a0m_memo_entry_bytes(e2));
	is_str(got(m, &keyring_a, "c", v1), "(miss)", "replaced in its slot: the old key misses");
	ok(!freed1, "the replaced entry is not freed while it is lent");
	is_str(lent1, "one", "the lent value is unchanged after its replacement");
	apr_pool_destroy(request1);
	ok(!freed1, "still lent to the other request: not freed");
	apr_pool_clear(request2);
	ok(freed1, "freed when the last request it was lent to is over");
	ok(wipe1.wiped, "... and its bytes wiped before its memory went back to the allocator");
	ok(!freed2, "the entry in the slot stays");
	a0m_memo_entry *e3 = entry_of(m, "three");
	apr_pool_cleanup_register(a0m_memo_entry_pool(e3), &freed3, mark_freed, apr_pool_cleanup_null);
	a0m_memo_put(m, &keyring_a, "c", "short", 5, NOW + 60, e3, a0m_memo_entry_bytes(e3));
	ok(freed3, "an entry that is not kept (a key shorter than 16 bytes) is freed at once");
	apr_pool_destroy(request2);
	apr_pool_t *process;
	apr_pool_create(&process, pool);
	a0m_memo *gone = a0m_memo_create(process, 2, 256);
	static int freed4;
	a0m_memo_entry *e4 = entry_of(gone, "four");
	apr_pool_cleanup_register(a0m_memo_entry_pool(e4), &freed4, mark_freed, apr_pool_cleanup_null);
	a0m_memo_put(gone, &keyring_a, "c", v1, strlen(v1), NOW + 60, e4, a0m_memo_entry_bytes(e4));
	apr_pool_destroy(process);
	ok(freed4, "the memo's entries go with the pool it was made in");
}

static void test_one_slot(void)
{
	a0m_memo *m = a0m_memo_create(pool, 1, 256);
	const char *v1 = "first-value-with-its-own-tag-AAAAAAAAAAAAAAAA";
	const char *v2 = "second-value-with-its-own-tag-BBBBBBBBBBBBBBB";
	put(m, &keyring_a, "c", v1, "one");
	put(m, &keyring_a, "c", v2, "two");
	is_str(got(m, &keyring_a, "c", v1), "(miss)", "direct-mapped: the newer value took the slot");
	is_str(got(m, &keyring_a, "c", v2), "two", "the newer value hits");
}

/* Threads share a memo of two slots: each puts and gets values of its own; a hit must always be the
 * plaintext of the value asked for (never another thread's, never torn). */
#define THREADS 4
#define ROUNDS 20000
static a0m_memo *shared;
static volatile apr_uint32_t wrong;

static void *APR_THREAD_FUNC worker(apr_thread_t *t, void *arg)
{
	int id = (int)(intptr_t)arg;
	apr_pool_t *p;
	apr_pool_create(&p, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		char sealed[64], plain[64];
		int k = i % 5;
		snprintf(sealed, sizeof(sealed), "thread-%d-value-%d-tail-%016d", id, k, id * 10 + k);
		snprintf(plain, sizeof(plain), "plain of thread %d value %d", id, k);
		const char *hit = a0m_memo_borrow(shared, p, &keyring_a, "ctx", sealed, strlen(sealed), NOW);
		if (hit && strcmp(hit, plain) != 0)
			apr_atomic_inc32(&wrong);
		else if (!hit)
			put(shared, &keyring_a, "ctx", sealed, plain);
		if (i % 256 == 0)
			apr_pool_clear(p);
	}
	apr_pool_destroy(p);
	apr_thread_exit(t, APR_SUCCESS);
	return NULL;
}

static void test_threads(void)
{
	shared = a0m_memo_create(pool, 2, 256);
	apr_thread_t *t[THREADS];
	for (int i = 0; i < THREADS; i++)
		apr_thread_create(&t[i], NULL, worker, (void *)(intptr_t)i, pool);
	for (int i = 0; i < THREADS; i++) {
		apr_status_t rv;
		apr_thread_join(&rv, t[i]);
	}
	is_int((int)apr_atomic_read32(&wrong), 0, "%d threads x %d rounds on two slots: every hit was the value asked for", THREADS, ROUNDS);
}

/* a0m_memo_pack / a0m_memo_unpack: a header and parts, absent parts, and damage refused. */
static void test_pack(void)
{
	struct { long a; int b; } head = { 42, 7 }, back = { 0, 0 };
	const void *parts[4] = { "alpha", NULL, "", "\0binary\0" };
	const size_t sizes[4] = { 6, 0, 0, 8 };
	size_t len = 0;
	unsigned char *packed = a0m_memo_pack(pool, &head, sizeof(head), parts, sizes, 4, &len);
	ok(packed && len == sizeof(head) + 4 * 4 + 6 + 8, "packed: header, four offsets, two parts (%zu bytes)", len);
	const unsigned char *got[4];
	ok(a0m_memo_unpack(packed, len, &back, sizeof(back), got, 4), "unpacked");
	ok(back.a == 42 && back.b == 7, "the header comes back");
	is_str((const char *)got[0], "alpha", "a string part points into the packed bytes");
	ok(got[1] == NULL && got[2] == NULL, "a NULL part and an empty one are absent");
	ok(got[3] && memcmp(got[3], "\0binary\0", 8) == 0, "bytes with NULs come back as they were");
	ok(!a0m_memo_unpack(packed, sizeof(head) + 4 * 4 - 1, &back, sizeof(back), got, 4),
	   "too short for its offsets: refused");
	ok(!a0m_memo_unpack(packed, sizeof(head) + 4 * 4 + 3, &back, sizeof(back), got, 4),
	   "an offset past the end: refused");
	unsigned char *bad = apr_pmemdup(pool, packed, len);
	uint32_t inside = 3;
	memcpy(bad + sizeof(head), &inside, sizeof(inside));
	ok(!a0m_memo_unpack(bad, len, &back, sizeof(back), got, 4), "an offset into the header: refused");
}

int main(void)
{
	apr_initialize();
	apr_pool_create(&pool, NULL);
	test_exact_input();
	test_limits();
	test_time_and_owner();
	test_one_slot();
	test_lending();
	test_threads();
	test_pack();
	apr_pool_destroy(pool);
	apr_terminate();
	return done_testing();
}
