/*
 * mod_auth0/seal.c: sealed values open only under the key and context they
 * were sealed with, and only from the exact text they were sealed to. Every
 * other spelling is refused, a last character that differs only in the
 * unused bits of base64url's last group included (APR's decoder ignores
 * those bits; a session cookie changed that way used to open).
 */
#include "tap.h"

#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "../../mod_auth0/mod_auth0.h"

static apr_pool_t *pool;
static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static bool opens(const a0m_keyring *ring, const char *context, const char *text, const char *want)
{
	size_t len = 0;
	unsigned char *plain = a0m_open(pool, ring->session, ring->count, context, text, &len);
	return plain && len == strlen(want) && memcmp(plain, want, len) == 0;
}

static void test_round_trip(const a0m_keyring *ring, const a0m_keyring *other)
{
	const char *text = a0m_seal(pool, &ring->session[0], "__Host-auth0", (const unsigned char *)"hello", 5);
	ok(text != NULL, "a value is sealed");
	ok(opens(ring, "__Host-auth0", text, "hello"), "it opens with its key and context");
	ok(!opens(ring, "__Host-other", text, "hello"), "not under another context (cookie name)");
	ok(!opens(other, "__Host-auth0", text, "hello"), "not with another secret's key");
	ok(!opens(ring, "__Host-auth0", apr_pstrcat(pool, text, "=", NULL), "hello"), "padding is refused");
	ok(!opens(ring, "__Host-auth0", apr_pstrcat(pool, text, "A", NULL), "hello"), "one character more is refused");
	ok(!opens(ring, "__Host-auth0", apr_pstrndup(pool, text, strlen(text) - 1), "hello"),
	   "one character less is refused");
}

/* Every plaintext length modulo 3 gives every length of base64url's last group (none, 2 or 3 characters). */
static void test_only_exact_text(const a0m_keyring *ring)
{
	for (size_t plain_len = 30; plain_len < 33; plain_len++) {
		char plain[40];
		memset(plain, 'x', plain_len);
		plain[plain_len] = '\0';
		const char *text = a0m_seal(pool, &ring->session[0], "ctx", (const unsigned char *)plain, plain_len);
		size_t n = strlen(text);
		int opened = 0;
		for (const char *c = ALPHABET; *c; c++) {
			if (*c == text[n - 1])
				continue;
			char *other = apr_pstrdup(pool, text);
			other[n - 1] = *c;
			opened += opens(ring, "ctx", other, plain);
		}
		ok(opens(ring, "ctx", text, plain), "sealed text of %zu characters (%zu mod 4) opens", n, n % 4);
		is_int(opened, 0, "... and none of the 63 other last characters opens it");
		char *first = apr_pstrdup(pool, text);
		first[0] = first[0] == 'A' ? 'B' : 'A';
		ok(!opens(ring, "ctx", first, plain), "... nor a changed first character");
	}
}

int main(void)
{
	apr_initialize();
	apr_pool_create(&pool, NULL);
	a0m_seal_init();
	const char *error = NULL;
	const char *secrets[] = {"a session secret of thirty-two characters or more"};
	const char *others[] = {"another session secret of thirty-two characters"};
	a0m_keyring *ring = a0m_keyring_derive(pool, secrets, 1, &error);
	a0m_keyring *other = a0m_keyring_derive(pool, others, 1, &error);
	ok(ring && other, "keys derived");
	if (ring && other) {
		test_round_trip(ring, other);
		test_only_exact_text(ring);
	}
	apr_pool_destroy(pool);
	apr_terminate();
	return done_testing();
}
