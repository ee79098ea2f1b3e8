/*
 * Login transaction cookies (transaction.c, codec.c, cookies.c, seal.c):
 * the callback's a0m_transaction_take (the cookie named after the state,
 * opened, decoded, its state compared, its age checked) and the pruning of
 * a0m_transaction_save, which opens every transaction cookie the browser
 * sends.
 *
 * Input: MODE \0 STATE \0 ...
 *   MODE % 2 == 0   COOKIE: the Cookie header as it is
 *   MODE % 2 == 1   PLAINTEXT: a transaction in codec form, sealed here into
 *                   the cookie of STATE (and into a second one, so that
 *                   pruning sees two)
 *
 * Invariants: a transaction taken has the state asked for and an age within
 * Auth0LoginTimeout; response headers never hold a line break.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	return 0;
}

static const char *cookie_name(apr_pool_t *p, const char *state)
{
	const char *hash = a0m_sha256_hex(p, state, strlen(state));
	return apr_pstrcat(p, "__Host-auth0_txn_", apr_pstrndup(p, hash, 16), NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	unsigned mode = fz_num(&f) % 2;
	char *state = fz_next(&f);
	size_t len;
	const uint8_t *rest = fz_rest(&f, &len);

	apr_pool_t *p = fzm_begin();
	a0m_dir_conf *c = fzm_conf(p);
	const char *cookie;
	if (mode == 0) {
		char *raw = apr_pstrmemdup(p, (const char *)rest, len);
		fz_header_clean(raw); /* httpd never hands a module a header value with a line break */
		cookie = raw;
	} else {
		const char *name = cookie_name(p, state);
		const char *sealed = a0m_seal(p, &fzm_keys()->transaction[0], name, rest, len);
		const char *other_name = "__Host-auth0_txn_0123456789abcdef";
		const char *other = a0m_seal(p, &fzm_keys()->transaction[0], other_name, rest, len);
		cookie = sealed && other ? apr_pstrcat(p, name, "=", sealed, "; ", other_name, "=", other, NULL) : "";
		/* the same as a seed of MODE 0 (fuzz/README.md) */
		size_t n = strlen(state), m = strlen(cookie);
		char *seed = apr_palloc(p, n + m + 2);
		seed[0] = '\0';
		memcpy(seed + 1, state, n);
		seed[n + 1] = '\0';
		memcpy(seed + n + 2, cookie, m);
		fzm_emit(seed, n + m + 2);
	}

	request_rec *r = fzm_request(p, "GET", "/callback?code=x&state=y", c);
	apr_table_setn(r->headers_in, "Cookie", cookie);
	const a0m_origin *o = a0m_origin_get(r, c);
	const char *why = NULL;
	a0m_transaction *t = *state ? a0m_transaction_take(r, c, o, state, &why) : NULL;
	if (t) {
		if (!t->state || strcmp(t->state, state) != 0)
			fzm_fail("a transaction taken for another state", state);
		apr_time_t timeout = apr_time_from_sec(a0m_conf_login_timeout(c));
		if (t->created + timeout < r->request_time || t->created > r->request_time + apr_time_from_sec(300))
			fzm_fail("a transaction taken out of its time", state);
	} else if (*state && !why) {
		fzm_fail("a transaction refused without a reason", state);
	}
	fzm_check_headers(r);

	/* a new login from the same browser: every pending transaction cookie is looked at */
	request_rec *r2 = fzm_request(p, "GET", "/app", c);
	apr_table_setn(r2->headers_in, "Cookie", cookie);
	a0m_transaction nt = { .created = r2->request_time, .state = "new-state", .nonce = "n", .verifier = "v",
		                   .redirect_uri = "https://" FZM_HOST "/callback", .original_url = "/app" };
	a0m_transaction_save(r2, c, a0m_origin_get(r2, c), &nt);
	fzm_check_headers(r2);

	fzm_end();
	free(state);
	return 0;
}
