/*
 * URL encoding and decoding in libauth0: a0_url_decode (both '+'
 * conventions), the three percent-encoding styles of a0_buf_escape, and the
 * URL builders that put caller values into query strings (authorize, PAR
 * authorize, /v2/logout, /oidc/logout, samlp, wsfed) and the PKCE
 * challenge of a verifier.
 *
 * Input: A \0 B \0 C \0 D (four strings).
 *
 * Invariants: encoding keeps only unreserved characters, '%XX' (and '+');
 * decoding an encoding gives the text back; a decoded text has no NUL; a
 * built URL starts with the client's base URL, holds no byte outside
 * printable ASCII, and each value given comes back from its query string.
 */
#include "internal.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static auth0_client *client;
static const char *base;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	client = fz_client(NULL);
	base = auth0_client_base_url(client);
	return 0;
}

__attribute__((noreturn)) static void fail(const char *why, const char *what)
{
	fprintf(stderr, "fuzz_url: %s: %s\n", why, what ? what : "(null)");
	abort();
}

static void roundtrip(const char *s, a0_escape style)
{
	a0_buf b = A0_BUF_INIT;
	a0_buf_escape(&b, s, style);
	char *enc = a0_buf_steal(&b);
	if (!enc)
		fail("out of memory", s);
	for (const char *p = enc; *p; p++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~*%+", *p))
			fail("an encoding keeps a reserved character", enc);
	char *dec = a0_url_decode(enc, strlen(enc), style != A0_ESC_SEGMENT);
	if (!dec || strcmp(dec, s) != 0)
		fail("an encoding does not decode back", enc);
	free(dec);
	free(enc);
}

/* The decoded value of parameter `name` in url's query, or NULL (malloc()ed). */
static char *param(const char *url, const char *name)
{
	const char *q = strchr(url, '?');
	for (const char *p = q ? q + 1 : NULL; p && *p;) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		char *key = eq ? a0_url_decode(p, (size_t)(eq - p), true) : NULL;
		bool found = key && strcmp(key, name) == 0;
		free(key);
		if (found)
			return a0_url_decode(eq + 1, len - (size_t)(eq - p) - 1, true);
		p += len;
		if (*p == '&')
			p++;
	}
	return NULL;
}

static void check_url(const char *url, const char *name, const char *value)
{
	if (strncmp(url, base, strlen(base)) != 0)
		fail("a URL that does not start with the base URL", url);
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			fail("a URL with a space, control or non-ASCII byte", url);
	if (name && value) {
		char *got = param(url, name);
		if (!got || strcmp(got, value) != 0)
			fail("a value does not come back from its URL", url);
		free(got);
	}
}

static bool utf8(const char *s)
{
	json_t *j = json_string(s);
	json_decref(j);
	return j != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	char *a = fz_next(&f), *b = fz_next(&f), *c = fz_next(&f), *d = fz_rest_str(&f);

	for (int plus = 0; plus < 2; plus++) {
		char *dec = a0_url_decode(a, strlen(a), plus);
		if (dec) {
			if (strlen(dec) > strlen(a))
				fail("a decoding longer than its input", a);
			roundtrip(dec, A0_ESC_FORM);
			free(dec);
		}
	}
	roundtrip(b, A0_ESC_FORM);
	roundtrip(b, A0_ESC_QUERY);
	roundtrip(b, A0_ESC_SEGMENT);

	char *url = NULL;
	auth0_error *err = NULL;
	const char *extra_value = d;
	auth0_kv extra[] = { { a, extra_value }, { NULL, NULL } };
	auth0_authorize_params p = {
		.redirect_uri = *c ? c : "https://app.example.com/callback",
		.state = b,
		.scope = d,
		.extra = *a ? extra : NULL,
	};
	/* values that are not UTF-8 cannot go through JSON; the builders may refuse or drop them */
	bool text = utf8(a) && utf8(b) && utf8(c) && utf8(d);
	static const char *const params[] = { "client_id", "response_type", "connection", "redirect_uri", "state",
		                                  "scope", "organization", "invitation", "nonce", "audience",
		                                  "response_mode", "prompt", "max_age", "login_hint", "screen_hint",
		                                  "code_challenge", "code_challenge_method", NULL };
	bool known = false;
	for (const char *const *k = params; *k; k++)
		known = known || strcmp(*k, a) == 0;
	if (auth0_authorize_url(client, &p, &url, &err) == AUTH0_OK) {
		check_url(url, NULL, NULL);
		if (text && !known && *b)
			check_url(url, "state", b);
		if (text && !known && *a)
			check_url(url, a, extra_value);
	}
	free(url);
	auth0_error_free(err);
	url = NULL;
	err = NULL;

	if (auth0_par_authorize_url(client, b, &url, &err) == AUTH0_OK)
		check_url(url, "request_uri", b);
	free(url);
	auth0_error_free(err);
	url = NULL;
	err = NULL;

	auth0_logout_params lp = { .return_to = c, .include_client_id = true };
	if (auth0_logout_url(client, &lp, &url, &err) == AUTH0_OK)
		check_url(url, *c ? "returnTo" : NULL, c);
	free(url);
	auth0_error_free(err);
	url = NULL;
	err = NULL;

	auth0_oidc_logout_params op = { .id_token_hint = *a ? a : NULL, .post_logout_redirect_uri = c,
		                            .state = b };
	if (auth0_oidc_logout_url(client, &op, &url, &err) == AUTH0_OK)
		check_url(url, *b ? "state" : NULL, b);
	free(url);
	auth0_error_free(err);
	url = NULL;
	err = NULL;

	if (auth0_samlp_url(client, *a ? a : NULL, &url, &err) == AUTH0_OK)
		check_url(url, NULL, NULL);
	free(url);
	auth0_error_free(err);
	url = NULL;
	err = NULL;

	auth0_wsfed_params wp = { .connection = *a ? a : NULL, .wtrealm = *b ? b : NULL, .wctx = c, .wreply = d };
	if (auth0_wsfed_url(client, &wp, &url, &err) == AUTH0_OK)
		check_url(url, NULL, NULL);
	free(url);
	auth0_error_free(err);
	err = NULL;

	char *challenge = NULL;
	if (auth0_pkce_challenge(a, &challenge, &err) == AUTH0_OK && (!challenge || strlen(challenge) != 43))
		fail("a PKCE challenge that is not 43 characters", challenge);
	free(challenge);
	auth0_error_free(err);

	free(a);
	free(b);
	free(c);
	free(d);
	return 0;
}
