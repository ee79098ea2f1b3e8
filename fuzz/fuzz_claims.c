/*
 * Identity to backends (claims.c, claim_path.c): the identity block of a
 * claims object (a0m_claims_render: header names and value encoding), the
 * block applied to a request as headers and/or environment variables
 * (a0m_claims_apply_block), REMOTE_USER from Auth0UserClaim
 * (a0m_claims_user), claim lookup by dotted name, and the scrubbing of
 * spoofed identity headers and variables (a0m_claims_scrub) that runs
 * before every flow.
 *
 * Input: FLAGS \0 NAME \0 PREFIX \0 SPOOFED \0 CLAIMS
 *   NAME is a claim name (Auth0UserClaim and a lookup), or, with FLAGS
 *   bit 3, Auth0UserClaim's arguments (CLAIM [REGEX [REPLACEMENT]]) run
 *   through the directive, so that REMOTE_USER comes through an expression
 *   (compiled and matched by harness.c's ap_regex functions: httpd's, on
 *   PCRE2); PREFIX is Auth0ClaimHeaderPrefix when it is one the directive
 *   accepts; SPOOFED is request header names separated by '|' (sent by the
 *   "client", also put into the environment); CLAIMS is JSON. FLAGS' first
 *   byte: bits 0-1 Auth0PassClaimsAs (none, headers, env, both), bit 2
 *   Auth0PassAccessToken, bit 3 NAME as Auth0UserClaim's arguments, bit 4
 *   Auth0UserHeader X-Remote-User (the client sends it in several spellings).
 *
 * Invariants: a user is never empty, and an expression without a
 * replacement (and without a group) names the user by the claim's value as
 * it is; block lines are "<name>\t<value>\n" with names of A-Z a-z 0-9
 * and '-', unique without case, never "Access-Token", "Access-Token-Expires" or "ID-Token"; values hold no
 * control character, no byte >= 0x80 and no unencoded '%'; after the scrub
 * no request header or variable that a backend could take for ours is left
 * (names compared as CGI does: without case, '_' as '-'); what a backend
 * gets under our names is exactly the block, and the user header is
 * REMOTE_USER, or absent when there is no user.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <apr_lib.h>

/* What the client sends: a control character makes it unlike any value of the block (a claim may well be
 * the string "spoofed"). */
#define SPOOFED "\001spoofed"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	return 0;
}

/* Folded as CGI does: lower case, '_' as '-'. */
static char *fold(apr_pool_t *p, const char *s)
{
	char *f = apr_pstrdup(p, s);
	for (char *c = f; *c; c++)
		*c = *c == '_' ? '-' : (char)apr_tolower(*c);
	return f;
}

static bool folded_prefix(apr_pool_t *p, const char *name, const char *prefix)
{
	const char *a = fold(p, name), *b = fold(p, prefix);
	return strncmp(a, b, strlen(b)) == 0;
}

static void check_block(apr_pool_t *p, const char *block)
{
	apr_hash_t *seen = apr_hash_make(p);
	for (const char *line = block; *line;) {
		const char *tab = strchr(line, '\t');
		const char *nl = tab ? strchr(tab, '\n') : NULL;
		if (!tab || !nl || tab == line)
			fzm_fail("a malformed identity block", block);
		for (const char *c = line; c < tab; c++)
			if (!apr_isalnum(*c) && *c != '-')
				fzm_fail("a claim header name with a character other than A-Z a-z 0-9 -", line);
		const char *name = fold(p, apr_pstrmemdup(p, line, (apr_size_t)(tab - line)));
		if (apr_hash_get(seen, name, APR_HASH_KEY_STRING) || strcmp(name, "access-token") == 0 ||
		    strcmp(name, "access-token-expires") == 0 || strcmp(name, "id-token") == 0)
			fzm_fail("a claim header name twice, or the access token's", name);
		apr_hash_set(seen, name, APR_HASH_KEY_STRING, name);
		for (const unsigned char *c = (const unsigned char *)tab + 1; c < (const unsigned char *)nl; c++) {
			if (*c < 0x20 || *c >= 0x7f)
				fzm_fail("a claim value with a control or non-ASCII byte", line);
			if (*c == '%' && !(apr_isxdigit(c[1]) && apr_isxdigit(c[2])))
				fzm_fail("a claim value with a bare '%'", line);
		}
		line = nl + 1;
	}
}

typedef struct spoof_check {
	apr_pool_t *pool;
	const char *prefix;
	bool env;
	bool applied;   /* after a0m_claims_apply_block: our names may be there, with our values */
	bool user_header; /* Auth0UserHeader X-Remote-User */
} spoof_check;

#define USER_HEADER "X-Remote-User"

/* Whether a backend could take this header (or variable) for one of ours. */
static bool ours(const spoof_check *sc, const char *key)
{
	const char *f = fold(sc->pool, key);
	if (sc->env)
		return folded_prefix(sc->pool, key, "AUTH0_CLAIM_") || strcmp(f, "auth0-access-token") == 0 ||
		       strcmp(f, "auth0-access-token-expires") == 0 || strcmp(f, "auth0-id-token") == 0 ||
		       folded_prefix(sc->pool, key, apr_pstrcat(sc->pool, "HTTP_", sc->prefix, NULL)) ||
		       (sc->user_header && strcmp(f, fold(sc->pool, "HTTP_" USER_HEADER)) == 0);
	return folded_prefix(sc->pool, key, sc->prefix) || folded_prefix(sc->pool, key, "X-Auth0-") ||
	       (sc->user_header && strcmp(f, fold(sc->pool, USER_HEADER)) == 0);
}

static int check_spoof(void *rec, const char *key, const char *value)
{
	spoof_check *sc = rec;
	if (ours(sc, key) && (!sc->applied || strcmp(value, SPOOFED) == 0))
		fzm_fail(sc->applied ? "a backend gets a spoofed value under our names"
		                     : "a spoofed identity header or variable survived the scrub", key);
	return 1;
}

static bool valid_prefix(const char *s)
{
	if (strlen(s) < 2)
		return false;
	for (; *s; s++)
		if (!apr_isalnum(*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	unsigned flags = fz_num(&f);
	char *name = fz_next(&f), *prefix = fz_next(&f), *spoofed = fz_next(&f);
	fz_header_clean(spoofed); /* header names never hold a line break */
	size_t len;
	const uint8_t *text = fz_rest(&f, &len);

	apr_pool_t *p = fzm_begin();
	a0m_dir_conf *c = fzm_conf(p);
	static const int modes[] = { 0, A0M_PASS_HEADERS, A0M_PASS_ENV, A0M_PASS_HEADERS | A0M_PASS_ENV };
	c->pass_claims_as = modes[flags & 3];
	c->pass_access_token = flags & 4 ? 1 : A0M_UNSET_INT;
	if (valid_prefix(prefix))
		c->claim_header_prefix = prefix;
	if (flags & 16)
		c->user_header = USER_HEADER;
	if (flags & 8)
		(void)fzm_directive(p, c, "Auth0UserClaim", name); /* refused: the default claim */
	else if (*name && !strpbrk(name, " \t\r\n\""))
		c->user_claim = name;

	json_t *claims = json_loadb((const char *)text, len, JSON_DECODE_ANY, NULL);
	char *block = a0m_claims_render(p, claims);
	if (json_is_object(claims) != (block != NULL))
		fzm_fail("a block for a non-object, or none for an object", NULL);
	if (block)
		check_block(p, block);
	const char *user = a0m_claims_user(p, c, claims);
	if (user && !*user)
		fzm_fail("an empty user", name);
	if (user && c->user_regex && !c->user_replacement &&
	    strcmp(user, a0m_claims_user_claimed(p, c, claims)) != 0)
		fzm_fail("an expression without a replacement changed the user's name", user);
	json_t *v = a0m_claim_lookup(claims, name);
	(void)a0m_claim_encode(p, v);
	(void)a0m_claim_matches(v, prefix);
	(void)a0m_claim_header_suffix(p, name);

	/* the client sends look-alikes of our headers; the scrub runs, then the identity is applied */
	request_rec *r = fzm_request(p, "GET", "/app", c);
	const char *hp = a0m_conf_claim_header_prefix(c);
	char *last = NULL;
	for (char *h = apr_strtok(spoofed, "|", &last); h; h = apr_strtok(NULL, "|", &last)) {
		apr_table_addn(r->headers_in, h, SPOOFED);
		apr_table_addn(r->headers_in, apr_pstrcat(p, hp, h, NULL), SPOOFED);
		apr_table_addn(r->subprocess_env, h, SPOOFED);
	}
	for (const char *line = block; line && *line;) {
		size_t nlen = strcspn(line, "\t");
		const char *n = apr_pstrmemdup(p, line, nlen);
		apr_table_addn(r->headers_in, apr_pstrcat(p, hp, n, NULL), SPOOFED);
		apr_table_addn(r->subprocess_env, apr_pstrcat(p, "AUTH0_CLAIM_", n, NULL), SPOOFED);
		apr_table_addn(r->subprocess_env, fold(p, apr_pstrcat(p, "HTTP_", hp, n, NULL)), SPOOFED);
		line = strchr(line, '\n') + 1;
	}
	static const char *const user_spellings[] = { USER_HEADER, "x_remote_user", "X-REMOTE_USER" };
	for (size_t i = 0; i < sizeof(user_spellings) / sizeof(user_spellings[0]); i++) {
		apr_table_addn(r->headers_in, user_spellings[i], SPOOFED);
		apr_table_addn(r->subprocess_env, apr_pstrcat(p, "HTTP_", user_spellings[i], NULL), SPOOFED);
	}
	a0m_claims_scrub(r, c);
	bool uh = c->user_header != NULL;
	spoof_check hdr = { p, hp, false, false, uh }, env = { p, hp, true, false, uh };
	apr_table_do(check_spoof, &hdr, r->headers_in, NULL);
	apr_table_do(check_spoof, &env, r->subprocess_env, NULL);
	r->user = (char *)user; /* as session.c and bearer.c set it before they apply the identity */
	a0m_claims_apply_block(r, c, block, "the-access-token", 1767225600);
	hdr.applied = env.applied = true;
	apr_table_do(check_spoof, &hdr, r->headers_in, NULL);
	apr_table_do(check_spoof, &env, r->subprocess_env, NULL);
	const char *passed = apr_table_get(r->headers_in, USER_HEADER);
	if (uh && (user ? !passed || strcmp(passed, user) != 0 : passed != NULL))
		fzm_fail("the user header is not REMOTE_USER", passed);

	json_decref(claims);
	fzm_end();
	free(name);
	free(prefix);
	free(spoofed);
	return 0;
}
