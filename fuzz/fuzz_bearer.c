/*
 * AuthType Auth0Bearer (bearer.c): the Authorization header (scheme, b64token
 * syntax, repeated headers), access-token validation with the fuzzing keys
 * in the app client's store, the identity passed on, the WWW-Authenticate
 * challenges, and the entries of the shared bearer cache (deserialize), all
 * with Auth0Audience FZ_AUDIENCE.
 *
 * Input: MODE \0 ...
 *   MODE % 3 == 0   HEADER \0 HEADER2 [\0 QUERY \0 COOKIE]: Authorization
 *                   header(s) as they are (HEADER2, when not empty, is a
 *                   second one; "!NAME" makes NAME the AuthName instead,
 *                   which the realm quotes); with QUERY or COOKIE, the
 *                   request's query and Cookie header, and the token is also
 *                   read from both and from a Basic password
 *                   (Auth0BearerTokenFrom header basic query cookie:api_token)
 *   MODE % 3 == 1   PAYLOAD: a JSON object of claims over those of a valid
 *                   token (issuer, audience, exp an hour from now), signed
 *                   here (RS256 with the RSA key; ES256, which the module
 *                   refuses, when PAYLOAD starts with a space)
 *   MODE % 3 == 2   TOKEN \0 ENTRY: a token (validated or not) and the
 *                   plaintext of the shared cache's entry for it (sealed
 *                   here for the key bearer.c asks for)
 *
 * Invariants: a request passes only with a user, and only through a token
 * that libauth0 accepted or an entry of the cache; a token with a cnf claim
 * (sender-constrained) never passes; challenges and other response headers
 * hold no line break; where the query is read, no access_token parameter is
 * left in the query, the target or the request line.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const uint8_t *entry;
static size_t entry_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	return 0;
}

static bool fill_entry(const char *key, apr_pool_t *p, unsigned char **value, size_t *len)
{
	*value = a0m_seal_raw(p, &fzm_keys()->cache[0], key, entry, entry_len, len);
	return *value != NULL;
}

/* Whether the query part of target (after its '?', or all of it when query) has a pair whose name decodes
 * to access_token: walked here pair by pair, apart from the module's own a0m_query_without. */
static bool has_token_param(apr_pool_t *p, const char *target, bool query)
{
	const char *q = query ? target : target ? strchr(target, '?') : NULL;
	if (!q)
		return false;
	if (!query)
		q++;
	char *copy = apr_pstrdup(p, q), *last = NULL;
	for (char *pair = apr_strtok(copy, "&", &last); pair; pair = apr_strtok(NULL, "&", &last)) {
		char *eq = strchr(pair, '=');
		if (eq)
			*eq = '\0';
		if (ap_unescape_urlencoded(pair) == OK && strcmp(pair, "access_token") == 0)
			return true;
	}
	return false;
}

static char *mint(const char *payload_text)
{
	int64_t now = (int64_t)time(NULL);
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", auth0_client_issuer(fzm_app_client()),
	                           "sub", "auth0|fuzz", "aud", FZ_AUDIENCE, "exp", (json_int_t)(now + 3600),
	                           "iat", (json_int_t)now, "scope", "read:things");
	json_t *over = json_loads(payload_text, 0, NULL);
	if (json_is_object(over))
		json_object_update(claims, over);
	json_decref(over);
	bool rsa = payload_text[0] != ' ';
	json_t *header = json_pack("{s:s, s:s, s:s}", "alg", rsa ? "RS256" : "ES256", "typ", "at+jwt", "kid",
	                           rsa ? FZ_KID_RSA : FZ_KID_EC);
	char *token =
		m_sign_json(header, claims, rsa ? "RS256" : "ES256", rsa ? fz_rsa_key() : fz_ec_key(), NULL);
	json_decref(header);
	json_decref(claims);
	return token;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	unsigned mode = fz_num(&f) % 3;
	apr_pool_t *p = fzm_begin();
	a0m_dir_conf *c = fzm_conf(p);
	c->audience = FZ_AUDIENCE;
	request_rec *r = fzm_request(p, "GET", "/api/things", c);

	char *a = NULL, *b = NULL, *query = NULL, *cookie = NULL;
	bool bound = false;
	if (mode == 0) {
		a = fz_next(&f);
		b = fz_next(&f);
		query = fz_next(&f);
		cookie = fz_rest_str(&f);
		fz_header_clean(a);
		fz_header_clean(b);
		fz_header_clean(cookie);
		apr_table_addn(r->headers_in, "Authorization", a);
		if (b[0] == '!')
			apr_table_setn(r->notes, "fuzz:auth-name", b + 1); /* AuthName, for the realm */
		else if (*b)
			apr_table_addn(r->headers_in, "authorization", b);
		if (*query || *cookie) {
			c->bearer_from = A0M_TOKEN_FROM_HEADER | A0M_TOKEN_FROM_BASIC | A0M_TOKEN_FROM_QUERY |
			                 A0M_TOKEN_FROM_COOKIE;
			c->bearer_cookie = "api_token";
			/* a query as a request line can carry it: no blank, no control character */
			for (char *q = query; *q; q++)
				if ((unsigned char)*q <= ' ' || *q == 0x7f)
					*q = '+';
			if (*query) {
				r->args = query;
				r->unparsed_uri = apr_pstrcat(r->pool, r->uri, "?", query, NULL);
			}
			r->the_request = apr_pstrcat(r->pool, "GET ", r->unparsed_uri, " HTTP/1.1", NULL);
			if (*cookie)
				apr_table_setn(r->headers_in, "Cookie", cookie);
		}
	} else if (mode == 1) {
		a = fz_rest_str(&f);
		char *token = mint(a);
		json_t *over = json_loads(a, 0, NULL);
		bound = json_is_object(over) && json_object_get(over, "cnf");
		json_decref(over);
		apr_table_setn(r->headers_in, "Authorization", apr_pstrcat(p, "Bearer ", token, NULL));
		free(token);
	} else {
		a = fz_next(&f);
		fz_header_clean(a);
		apr_table_setn(r->headers_in, "Authorization", apr_pstrcat(p, "Bearer ", a, NULL));
		entry = fz_rest(&f, &entry_len);
		fzm_cache_fill(A0M_NS_BEARER, fill_entry);
	}

	int rc = a0m_bearer_authenticate(r, c);
	if (rc == OK && !r->user)
		fzm_fail("a bearer request passed without a user", a);
	if (rc == OK && bound)
		fzm_fail("a token bound to a key (cnf) passed", a);
	const char *challenge = apr_table_get(r->err_headers_out, "WWW-Authenticate");
	if (challenge && strncmp(challenge, "Bearer realm=\"", 14) != 0)
		fzm_fail("a challenge that is not a Bearer challenge with a realm", challenge);
	/* the request line's target: between its first and last blank */
	const char *line = r->the_request, *sp = line ? strchr(line, ' ') : NULL, *end = line ? strrchr(line, ' ') : NULL;
	const char *line_target = sp && end > sp ? apr_pstrmemdup(p, sp + 1, (apr_size_t)(end - sp - 1)) : NULL;
	if (mode == 0 && *query &&
	    (has_token_param(p, r->args, true) || has_token_param(p, r->unparsed_uri, false) ||
	     has_token_param(p, line_target, false)))
		fzm_fail("an access_token parameter left in the request", query);
	fzm_check_headers(r);
	fzm_end();
	free(a);
	free(b);
	free(query);
	free(cookie);
	return 0;
}
