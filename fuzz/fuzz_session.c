/*
 * Session cookies (session.c, codec.c, cookies.c, seal.c): a request to a
 * location with AuthType Auth0, through a0m_session_authenticate (cookie
 * parsing, chunk joining, opening, decoding, the binding and timeout
 * checks, the refresh of an expiring access token, the renewal write, the
 * identity passed on).
 *
 * Input: MODE \0 ...
 *   MODE % 4 == 0   the Cookie header as it is (forged or damaged sealed
 *                   values, chunks, cache references)
 *   MODE % 4 == 1   FLAGS \0 PLAINTEXT: a session in codec form, sealed here
 *                   with the configured secret into the session cookie
 *   MODE % 4 == 2   FLAGS \0 PLAINTEXT: the same, sealed into the shared
 *                   cache, the cookie holding a reference to it
 *   MODE % 4 == 3   FLAGS \0 LEN(2 bytes, big endian) SESSION REFRESH: a
 *                   session (cookie) and the refresh result another request
 *                   left in the cache (what reaches apply_refresh)
 * so that the decoders see plaintext an attacker cannot produce, but a
 * server bug or an older module version could. FLAGS' first byte: bit 0
 * session store cache, bit 1 the tenant refuses refresh tokens (else it
 * answers new tokens), bit 2 an audience is configured, bit 3 the cache
 * fails, bit 4 Auth0RefreshTokens off, bit 5 short timeouts (60 s).
 *
 * Invariants: response headers never hold a line break; a request that
 * passes has a user.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define COOKIE "__Host-auth0_session"
#define CACHE_ID "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" /* 43 base64url characters */

static const uint8_t *refresh_data;
static size_t refresh_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	return 0;
}

static bool fill_refresh(const char *key, apr_pool_t *p, unsigned char **value, size_t *len)
{
	*value = a0m_seal_raw(p, &fzm_keys()->session[0], key, refresh_data, refresh_len, len);
	return *value != NULL;
}

static void tenant_answer(unsigned flags)
{
	if (flags & 2) {
		static const char refused[] = "{\"error\":\"invalid_grant\",\"error_description\":"
		                              "\"Unknown or invalid refresh token.\"}";
		fz_tenant_answer(403, "application/json", NULL, refused, sizeof(refused) - 1);
	} else {
		static const char tokens[] = "{\"access_token\":\"new-access-token\",\"refresh_token\":\"rotated\","
		                             "\"token_type\":\"Bearer\",\"expires_in\":86400}";
		fz_tenant_answer(200, "application/json", NULL, tokens, sizeof(tokens) - 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	unsigned mode = fz_num(&f) % 4;
	unsigned flags = mode ? fz_num(&f) : 0;
	size_t len;
	const uint8_t *rest = fz_rest(&f, &len);

	apr_pool_t *p = fzm_begin();
	a0m_dir_conf *c = fzm_conf(p);
	c->session_store = flags & 1 ? A0M_STORE_CACHE : A0M_STORE_COOKIE;
	c->audience = flags & 4 ? FZ_AUDIENCE : NULL;
	c->refresh_tokens = flags & 16 ? 0 : A0M_UNSET_INT;
	if (flags & 32)
		c->inactivity_timeout = c->max_duration = 60;
	request_rec *r = fzm_request(p, "GET", "/app/page?x=1", c);
	tenant_answer(flags);

	const char *cookie = NULL;
	if (mode == 0) {
		char *raw = apr_pstrmemdup(p, (const char *)rest, len);
		fz_header_clean(raw); /* httpd never hands a module a header value with a line break */
		cookie = raw;
	} else {
		const uint8_t *session = rest;
		size_t session_len = len;
		if (mode == 3) {
			session_len = len >= 2 ? (size_t)(rest[0] << 8 | rest[1]) : 0;
			session = rest + (len >= 2 ? 2 : len);
			if (session_len > len - (size_t)(session - rest))
				session_len = len - (size_t)(session - rest);
			refresh_data = session + session_len;
			refresh_len = len - (size_t)(refresh_data - rest);
			fzm_cache_fill(A0M_NS_SESSION "r:", fill_refresh);
		}
		if (mode == 2) {
			const char *key =
				apr_pstrcat(p, A0M_NS_SESSION, a0m_sha256_hex(p, CACHE_ID, strlen(CACHE_ID)), NULL);
			size_t sealed_len = 0;
			unsigned char *sealed =
				a0m_seal_raw(p, &fzm_keys()->session[0], key, session, session_len, &sealed_len);
			if (sealed)
				fzm_cache_put(key, sealed, sealed_len);
			cookie = COOKIE "=s." CACHE_ID;
		} else {
			const char *sealed = a0m_seal(p, &fzm_keys()->session[0], COOKIE, session, session_len);
			cookie = sealed ? apr_pstrcat(p, COOKIE "=", sealed, NULL) : NULL;
			if (cookie && mode == 1) {
				/* the same session as a seed of MODE 0 (fuzz/README.md) */
				size_t n = strlen(cookie);
				char *seed = apr_palloc(p, n + 1);
				seed[0] = '\0';
				memcpy(seed + 1, cookie, n);
				fzm_emit(seed, n + 1);
			}
		}
	}
	if (cookie)
		apr_table_setn(r->headers_in, "Cookie", cookie);
	if (flags & 8)
		fzm_cache_mode_set(FZM_CACHE_FAILS);

	int rc = a0m_session_authenticate(r, c);
	if (rc == OK && !r->user)
		fzm_fail("a session passed without a user", cookie);
	fzm_check_headers(r);
	fzm_end();
	return 0;
}
