/*
 * JWKS documents (jwk.c, jwks.c): what the tenant's /.well-known/jwks.json
 * or the shared store hands libauth0. The document goes into the store of a
 * fresh client as if another process had fetched it (the path through which
 * every JWKS reaches a0_jwk_import), then tokens signed with the fixed keys
 * are validated against whatever was imported: RS256 with kid FZ_KID_RSA,
 * ES256 with kid FZ_KID_EC, and a kid taken from the input.
 *
 * Input: KID \0 JWKS (JSON text). Seeds hold real keys (ours, so that
 * signatures verify and mutations of them are tried), broken ones, and
 * every member a JWK may have.
 *
 * No network: the client's domain refuses connections; a document that is
 * no JWKS makes the client try one fetch, which fails at once.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

static char *rs256_token, *es256_token;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char payload[256];
	/* valid at FZ_NOW, for both the ID token and the access token checks */
	snprintf(payload, sizeof(payload),
	         "{\"iss\":\"%s\",\"sub\":\"auth0|fuzz\",\"aud\":[\"%s\",\"%s\"],\"azp\":\"%s\",\"exp\":%lld,"
	         "\"iat\":%lld}", FZ_ISSUER, FZ_CLIENT_ID, FZ_AUDIENCE, FZ_CLIENT_ID, (long long)FZ_NOW + 3600,
	         (long long)FZ_NOW);
	rs256_token = m_sign("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" FZ_KID_RSA "\"}", payload, "RS256",
	                     fz_rsa_key(), NULL);
	es256_token = m_sign("{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"" FZ_KID_EC "\"}", payload, "ES256",
	                     fz_ec_key(), NULL);
	return 0;
}

static void validate(auth0_client *c, const char *token, bool access)
{
	json_t *claims = NULL;
	auth0_error *err = NULL;
	if (access) {
		static const char *const algs[] = { "ES256", "RS256", NULL };
		auth0_access_token_options v = { .audience = FZ_AUDIENCE, .issuer = FZ_ISSUER, .now = FZ_NOW,
		                                   .algorithms = algs };
		auth0_access_token_validate(c, token, &v, &claims, &err);
	} else {
		auth0_id_token_options v = { .now = FZ_NOW, .issuer = FZ_ISSUER };
		auth0_id_token_validate(c, token, &v, &claims, &err);
	}
	json_decref(claims);
	auth0_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	char *kid = fz_next(&f);
	size_t len;
	const uint8_t *doc = fz_rest(&f, &len);
	json_t *jwks = json_loadb((const char *)doc, len, JSON_DECODE_ANY, NULL);

	m_store store;
	m_store_init(&store);
	fz_client_opts o = { .store = &store };
	auth0_client *c = fz_client(&o);
	if (jwks)
		fz_store_jwks(&store, c, jwks, 0);
	/* the import itself: the document is read from the store, no fetch is due */
	auth0_error *err = NULL;
	auth0_jwks_refresh(c, &err);
	auth0_error_free(err);
	validate(c, rs256_token, false);
	validate(c, es256_token, true);
	json_t *header = *kid ? json_pack("{s:s, s:s}", "alg", "RS256", "kid", kid) : NULL;
	if (header) {
		/* a key looked up by a kid of the input (the signature never verifies) */
		json_t *empty = json_object();
		char *t = m_sign_json(header, empty, "none", NULL, NULL);
		validate(c, t, false);
		free(t);
		json_decref(empty);
		json_decref(header);
	}
	auth0_client_free(c);
	m_store_clear(&store);
	json_decref(jwks);
	free(kid);
	return 0;
}
