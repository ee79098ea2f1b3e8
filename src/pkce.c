/*
 * PKCE (RFC 7636): code verifiers and their S256 challenges. Only S256 is
 * offered: "plain" gives no protection when the authorization request leaks.
 */
#include "auth_internal.h"

#include <string.h>

#define A0_PKCE_VERIFIER_BYTES 32 /* 43 base64url characters, the RFC's minimum length */

/* RFC 7636 4.1: 43..128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
static bool valid_verifier(const char *v)
{
	size_t n = strlen(v);
	if (n < 43 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '.' || c == '_' || c == '~'))
			return false;
	}
	return true;
}

static char *s256(const char *verifier)
{
	unsigned char digest[32];
	a0_sha256(verifier, strlen(verifier), digest);
	return a0_base64url_encode(digest, sizeof(digest));
}

auth0_status auth0_pkce_challenge(const char *verifier, char **challenge, auth0_error **err)
{
	if (err)
		*err = NULL;
	auth0_status st = a0_require_out(challenge, "challenge", err);
	if (st != AUTH0_OK)
		return st;
	*challenge = NULL;
	if (a0_empty(verifier) || !valid_verifier(verifier))
		return a0_fail_arg(err, "code_verifier",
		                   "Must supply a valid code_verifier (43 to 128 characters of A-Z a-z 0-9 - . _ ~)");
	*challenge = s256(verifier);
	return *challenge ? AUTH0_OK : a0_oom(err);
}

auth0_status auth0_pkce_new(char **verifier, char **challenge, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (verifier)
		*verifier = NULL;
	if (challenge)
		*challenge = NULL;
	auth0_status st = a0_require_out(verifier, "verifier", err);
	if (st == AUTH0_OK)
		st = a0_require_out(challenge, "challenge", err);
	if (st != AUTH0_OK)
		return st;
	char *v = a0_random_string(A0_PKCE_VERIFIER_BYTES);
	if (!v)
		return a0_fail(err, AUTH0_ERR_INTERNAL, "could not generate a random PKCE code verifier");
	char *c = s256(v);
	if (!c) {
		a0_free_secret(v);
		return a0_oom(err);
	}
	*verifier = v;
	*challenge = c;
	return AUTH0_OK;
}
