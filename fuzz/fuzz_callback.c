/*
 * The redirect URI (callback.c): the callback's query string (state, code,
 * error, error_description; repeated, empty, malformed escapes), the
 * transaction cookie of the state, the state replay record, the code
 * exchange and the ID token, and the new session, with the fake tenant
 * answering the token request.
 *
 * Input: QUERY \0 FLAGS \0 ORIGINAL-URL \0 CLAIMS \0 COOKIE
 *   QUERY is the callback's query string. With FLAGS bit 0 the browser also
 *   holds a valid transaction cookie for state "fuzz-state" (made here, its
 *   original URL ORIGINAL-URL), and the tenant answers the code exchange
 *   with tokens whose ID token (signed here with the fuzzing RSA key) has
 *   the claims of a valid login overridden by the JSON object CLAIMS. COOKIE
 *   is more of the Cookie header. FLAGS' first byte: bit 1 the tenant
 *   answers an error instead, bit 2 the cache fails, bit 3 a session
 *   exists already (its cookie is a forged one), bit 4 Auth0CookieSameSite
 *   Strict, bit 5 the ID token is signed PS256 (RSA-PSS, same key) instead
 *   of RS256, bit 6 Auth0IDTokenSigningAlg PS256 (so that both algorithms
 *   meet both settings: a login passes only where they agree).
 *
 * Invariants: a redirect goes to this site (a path with one leading '/');
 * pages show the input escaped; no response header holds a line break; no
 * session is made from an ID token signed otherwise than the location says.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STATE "fuzz-state"
#define NONCE "fuzz-nonce"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	return 0;
}

/* The transaction cookie a login started in this browser would have left. */
static const char *transaction_cookie(apr_pool_t *p, request_rec *r, const char *original)
{
	a0m_codec *w = a0m_codec_new(p, 256);
	/* the tags are T_CREATED ... T_ORIGINAL of transaction.c */
	a0m_codec_int(w, 1, r->request_time - apr_time_from_sec(30));
	a0m_codec_str(w, 2, STATE);
	a0m_codec_str(w, 3, NONCE);
	a0m_codec_str(w, 4, "fuzz-verifier-0123456789012345678901234567");
	a0m_codec_str(w, 5, "https://" FZM_HOST "/callback");
	a0m_codec_str(w, 6, *original ? original : NULL);
	size_t len;
	const unsigned char *plain = a0m_codec_finish(w, false, &len);
	const char *name = apr_pstrcat(p, "__Host-auth0_txn_",
	                               apr_pstrndup(p, a0m_sha256_hex(p, STATE, strlen(STATE)), 16), NULL);
	const char *sealed = a0m_seal(p, &fzm_keys()->transaction[0], name, plain, len);
	return apr_pstrcat(p, name, "=", sealed, NULL);
}

/* Token answer of the tenant: an ID token valid for this login, with claims from the input on top. */
static void tenant_tokens(const char *claims_text, bool error, const char *alg)
{
	if (error) {
		static const char body[] = "{\"error\":\"invalid_grant\",\"error_description\":"
		                           "\"Invalid authorization code\"}";
		fz_tenant_answer(403, "application/json", NULL, body, sizeof(body) - 1);
		return;
	}
	int64_t now = (int64_t)time(NULL);
	const char *iss = auth0_client_issuer(fzm_app_client());
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "iss", iss, "sub", "auth0|fuzz", "aud",
	                           FZ_CLIENT_ID, "exp", (json_int_t)(now + 3600), "iat", (json_int_t)now, "nonce",
	                           NONCE, "email", "alice@example.com");
	json_t *over = json_loads(claims_text, 0, NULL);
	if (json_is_object(over))
		json_object_update(claims, over);
	json_decref(over);
	json_t *header = json_pack("{s:s, s:s}", "alg", alg, "kid", FZ_KID_RSA);
	char *id_token = m_sign_json(header, claims, alg, fz_rsa_key(), NULL);
	json_t *answer = json_pack("{s:s, s:s, s:s, s:i}", "access_token", "fuzz-access-token", "id_token",
	                           id_token, "token_type", "Bearer", "expires_in", 86400);
	char *body = json_dumps(answer, JSON_COMPACT);
	fz_tenant_answer(200, "application/json", NULL, body, strlen(body));
	free(body);
	free(id_token);
	json_decref(answer);
	json_decref(header);
	json_decref(claims);
}

static int session_cookie_set(void *made, const char *key, const char *value)
{
	(void)key;
	static const char name[] = "__Host-auth0_session";
	const char *eq = strchr(value, '=');
	if (strncmp(value, name, sizeof(name) - 1) == 0 && eq && eq[1] && eq[1] != ';')
		*(bool *)made = true;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	char *query = fz_next(&f);
	unsigned flags = fz_num(&f);
	char *original = fz_next(&f), *claims = fz_next(&f), *more = fz_rest_str(&f);
	fz_header_clean(more); /* httpd never hands a module a header value with a line break */

	apr_pool_t *p = fzm_begin();
	a0m_dir_conf *c = fzm_conf(p);
	c->cookie_samesite = flags & 16 ? A0M_SAMESITE_STRICT : A0M_UNSET_INT;
	c->id_token_alg = flags & 64 ? AUTH0_ALG_PS256 : A0M_UNSET_INT;
	request_rec *r = fzm_request(p, "GET", apr_pstrcat(p, "/callback", *query ? "?" : "", query, NULL), c);
	const char *cookie = more;
	if (flags & 1) {
		cookie = apr_pstrcat(p, transaction_cookie(p, r, original), *more ? "; " : "", more, NULL);
		tenant_tokens(claims, flags & 2, flags & 32 ? "PS256" : "RS256");
	}
	if (flags & 8)
		cookie = apr_pstrcat(p, cookie, "; __Host-auth0_session=AQ", NULL);
	if (*cookie)
		apr_table_setn(r->headers_in, "Cookie", cookie);
	if (flags & 4)
		fzm_cache_mode_set(FZM_CACHE_FAILS);

	int rc = a0m_callback_handle(r, c);
	const char *loc = apr_table_get(r->headers_out, "Location");
	if (loc) {
		const char *base = "https://" FZM_HOST;
		size_t n = strlen(base);
		const char *tenant_base = auth0_client_base_url(fzm_app_client());
		bool tenant = strncmp(loc, tenant_base, strlen(tenant_base)) == 0; /* a new login */
		bool local = strncmp(loc, base, n) == 0 && loc[n] == '/' && loc[n + 1] != '/' && loc[n + 1] != '\\';
		if (!tenant && !local)
			fzm_fail("a callback that redirects off the site", loc);
	}
	if (rc == OK)
		fzm_fail("the callback let a request through", query);
	bool made = false;
	apr_table_do(session_cookie_set, &made, r->err_headers_out, "Set-Cookie", NULL);
	apr_table_do(session_cookie_set, &made, r->headers_out, "Set-Cookie", NULL);
	if (made && (flags & 1) && !(flags & 2) && !(flags & 32) != !(flags & 64))
		fzm_fail("a session from an ID token signed with another algorithm", flags & 32 ? "PS256" : "RS256");
	fzm_check_escaped("<fz");
	fzm_check_headers(r);

	fzm_end();
	free(query);
	free(original);
	free(claims);
	free(more);
	return 0;
}
