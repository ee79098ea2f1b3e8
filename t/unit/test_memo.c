/*
 * mod_auth0/memo.c: the per-process memo. A hit needs the very same input
 * (owner, context, every byte of the key) and a time before the entry's end;
 * entries that do not fit are not kept; concurrent threads never get another
 * key's value. No network, no httpd.
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

static const char *got(a0m_memo *m, const void *keys, const char *context, const char *sealed)
{
	size_t len = 999;
	unsigned char *plain = a0m_memo_get(m, pool, keys, context, sealed, strlen(sealed), NOW, &len);
	if (!plain)
		return "(miss)";
	if (plain[len] != '\0' || strlen((char *)plain) != len)
		return "(bad length or not NUL-terminated)";
	return (const char *)plain;
}

static void put(a0m_memo *m, const void *keys, const char *context, const char *sealed, const char *plain)
{
	a0m_memo_put(m, keys, context, sealed, strlen(sealed), NOW + 60, (const unsigned char *)plain, strlen(plain));
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
	size_t len = 0;
	ok(a0m_memo_get(NULL, pool, &keyring_a, "c", v, strlen(v), NOW, &len) == NULL, "no memo: miss");
	a0m_memo_put(NULL, &keyring_a, "c", v, strlen(v), NOW + 1, (const unsigned char *)"x", 1); /* no crash */
}

static void test_time_and_owner(void)
{
	a0m_memo *m = a0m_memo_create(pool, 8, 256);
	const char *v = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
	size_t len = 0;
	a0m_memo_put(m, NULL, "aud=https://api", v, strlen(v), NOW + 10, (const unsigned char *)"ok", 2);
	ok(a0m_memo_get(m, pool, NULL, "aud=https://api", v, strlen(v), NOW + 9, &len) != NULL, "counts before its end");
	ok(a0m_memo_get(m, pool, NULL, "aud=https://api", v, strlen(v), NOW + 10, &len) == NULL, "not at its end");
	ok(a0m_memo_get(m, pool, &keyring_a, "aud=https://api", v, strlen(v), NOW, &len) == NULL,
	   "an owner where none was: miss");
	a0m_memo_put(m, NULL, "c", v, strlen(v), 0, (const unsigned char *)"x", 1);
	ok(a0m_memo_get(m, pool, NULL, "c", v, strlen(v), -1, &len) == NULL, "an entry that ends at 0 is not kept");
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
		size_t len = 0;
		unsigned char *hit = a0m_memo_get(shared, p, &keyring_a, "ctx", sealed, strlen(sealed), NOW, &len);
		if (hit && (len != strlen(plain) || memcmp(hit, plain, len) != 0))
			apr_atomic_inc32(&wrong);
		else if (!hit)
			a0m_memo_put(shared, &keyring_a, "ctx", sealed, strlen(sealed), NOW + 60, (unsigned char *)plain,
			             strlen(plain));
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
	test_threads();
	test_pack();
	apr_pool_destroy(pool);
	apr_terminate();
	return done_testing();
}
