/*
 * Client options (auth0_client_new): the domain, the Management base URL,
 * the audience, extra Management headers, the client-assertion key (PEM)
 * and algorithm, the client authentication mode. mod_auth0 passes its
 * directives' values here (Auth0Domain, Auth0ManagementBaseURL, ...).
 * No network: creating a client never does I/O.
 *
 * Input: DOMAIN \0 MANAGEMENT-BASE-URL \0 API-IDENTIFIER \0 HEADER-NAME \0
 *        HEADER-VALUE \0 ALG \0 MODE \0 PEM
 * (an empty field is "not set"; MODE's first byte picks client_auth and
 * which of client id / secret are set).
 *
 * Invariants for a client that was created: its base URL is https, or http
 * to a loopback host, with a host and no path, query, fragment, userinfo,
 * space or control character; its issuer is the base URL and "/".
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	auth0_global_init();
	return 0;
}

__attribute__((noreturn)) static void fail(const char *why, const char *what)
{
	fprintf(stderr, "fuzz_client: %s: %s\n", why, what);
	abort();
}

static void check_base(const char *base)
{
	const char *host;
	if (strncmp(base, "https://", 8) == 0)
		host = base + 8;
	else if (strncmp(base, "http://", 7) == 0)
		host = base + 7;
	else
		fail("a base URL that is not http(s)", base);
	if (!*host || strpbrk(host, "/?#@\\ \t\r\n"))
		fail("a base URL with more than scheme and authority", base);
	for (const unsigned char *p = (const unsigned char *)base; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			fail("a base URL with a control, space or non-ASCII byte", base);
	if (base[4] == ':') {
		size_t n = strcspn(host, ":");
		if (host[0] == '[')
			n = strcspn(host, "]") + 1;
		bool loopback = (n == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
		                (n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
		                (n == 5 && strncmp(host, "[::1]", 5) == 0);
		if (!loopback)
			fail("plain http to a host that is not loopback", base);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	char *domain = fz_next(&f), *mgmt = fz_next(&f), *api = fz_next(&f), *hname = fz_next(&f);
	char *hvalue = fz_next(&f), *alg = fz_next(&f);
	unsigned mode = fz_num(&f);
	char *pem = fz_rest_str(&f);

	auth0_kv headers[] = { { hname, hvalue }, { NULL, NULL } };
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = domain;
	o.management_base_url = *mgmt ? mgmt : NULL;
	o.api_identifier = *api ? api : NULL;
	o.management_additional_headers = *hname ? headers : NULL;
	o.client_assertion_signing_alg = *alg ? alg : NULL;
	o.client_assertion_signing_key = *pem ? pem : NULL;
	o.client_auth = (auth0_client_auth)(mode % 6); /* 5 is not a mode */
	o.client_id = mode & 8 ? NULL : FZ_CLIENT_ID;
	o.client_secret = mode & 16 ? NULL : FZ_SECRET;
	o.organization = mode & 32 ? "org_fuzz" : NULL;

	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) == AUTH0_OK) {
		const char *base = auth0_client_base_url(c);
		check_base(base);
		const char *iss = auth0_client_issuer(c);
		size_t n = strlen(base);
		if (strncmp(iss, base, n) != 0 || strcmp(iss + n, "/") != 0)
			fail("the issuer is not the base URL and a slash", iss);
		auth0_client_free(c);
	} else if (!err || err->kind == AUTH0_OK || !err->message) {
		fail("a refusal without an error", domain);
	}
	auth0_error_free(err);
	free(domain);
	free(mgmt);
	free(api);
	free(hname);
	free(hvalue);
	free(alg);
	free(pem);
	return 0;
}
