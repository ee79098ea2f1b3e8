/*
 * Require auth0-claim / -scope / -permission / -role / -org / -claim-match
 * (authz.c, claim_path.c): the arguments of the Require line as httpd hands
 * them to the provider's parser at start-up (words split by ap_getword_conf,
 * with quotes; auth0-claim-match's expressions compiled by the harness's
 * ap_pregcomp, httpd's on PCRE2), then the check against the claims of an
 * authenticated request (ID-token and access-token claims as JSON text, from
 * a session or a bearer token).
 *
 * Input: KIND \0 LINE \0 FLAGS \0 ROLES-CLAIM \0 ID-CLAIMS \0 ACCESS-CLAIMS
 *   KIND's first byte picks the provider; LINE is what follows it on the
 *   Require line; FLAGS' first byte: bit 0 a bearer request (else a
 *   session), bit 1 no ID-token claims, bit 2 no access-token claims, bit 3
 *   no user.
 *
 * Invariants: a line is either parsed or refused with a message; a check
 * answers one of httpd's authz statuses; nobody without a user is granted;
 * an "all" requirement (scope, permission) is never granted when a value of
 * the line is absent from every claim set.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = { "auth0-claim", "auth0-scope", "auth0-permission", "auth0-role",
	                                  "auth0-org",   "auth0-claim-match" };
#define KINDS (sizeof(kinds) / sizeof(kinds[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	for (size_t i = 0; i < KINDS; i++)
		if (!fzm_authz_provider(kinds[i]))
			fzm_fail("provider not registered", kinds[i]);
	return 0;
}

/* Whether `word` is in claim `name` of json: a space-separated string (scope) or an array's element. */
static bool claim_has(json_t *json, const char *name, const char *word)
{
	json_t *v = json_object_get(json, name);
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = strlen(word);
		for (const char *at = strstr(s, word); at; at = strstr(at + 1, word))
			if ((at == s || at[-1] == ' ') && (at[n] == ' ' || at[n] == '\0'))
				return true;
		return false;
	}
	return json_is_array(v) && a0m_claim_matches(v, word);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	unsigned kind = fz_num(&f) % KINDS;
	char *line = fz_next(&f);
	unsigned flags = fz_num(&f);
	char *roles = fz_next(&f), *id = fz_next(&f), *access = fz_rest_str(&f);

	apr_pool_t *p = fzm_begin();
	a0m_dir_conf *c = fzm_conf(p);
	c->roles_claim = *roles ? roles : NULL;
	const authz_provider *prov = fzm_authz_provider(kinds[kind]);
	cmd_parms cmd;
	memset(&cmd, 0, sizeof(cmd));
	cmd.pool = p;
	apr_pool_create(&cmd.temp_pool, p);
	const void *parsed = NULL;
	const char *err = prov->parse_require_line(&cmd, line, &parsed);
	if (err) {
		if (!*err)
			fzm_fail("an empty refusal", line);
		goto out;
	}
	if (!parsed)
		fzm_fail("a line accepted without a parse", line);

	request_rec *r = fzm_request(p, "GET", "/app", c);
	bool bearer = flags & 1;
	r->user = flags & 8 ? NULL : "auth0|fuzz";
	a0m_request *rq = a0m_request_get(r, true);
	rq->source = bearer ? "bearer" : "session";
	rq->claims_text = bearer || (flags & 2) ? NULL : id;
	rq->access_claims_text = flags & 4 ? NULL : access;
	authz_status st = prov->check_authorization(r, line, parsed);
	if (st != AUTHZ_DENIED && st != AUTHZ_GRANTED && st != AUTHZ_GENERAL_ERROR && st != AUTHZ_DENIED_NO_USER)
		fzm_fail("an authz status httpd does not know", line);
	if (st == AUTHZ_GRANTED && !r->user)
		fzm_fail("granted without a user", line);
	if (st == AUTHZ_GRANTED && (kind == 1 || kind == 2)) {
		/* every value must be held by the access token's or the ID token's claims */
		json_t *sets[2] = { a0m_request_access_claims(r), bearer ? NULL : a0m_request_claims(r) };
		const char *rest = line;
		while (*rest) {
			const char *w = ap_getword_conf(p, &rest);
			if (!*w)
				continue;
			const char *claim = kind == 1 ? "scope" : "permissions";
			if (!claim_has(sets[0], claim, w) && !claim_has(sets[1], claim, w))
				fzm_fail("granted although a value is missing", w);
		}
	}
	fzm_check_headers(r);
out:
	fzm_end();
	free(line);
	free(roles);
	free(id);
	free(access);
	return 0;
}
