/*
 * JWT / JWS decoding and ID-token / access-token validation on hostile
 * input, with the fixed keys of common.c in the client's store (no network:
 * the client's domain is a loopback port that refuses connections, so a
 * refetch for an unknown kid fails at once, and at most once a day).
 *
 * Input: MODE \0 ...
 *   MODE % 4 == 0   TOKEN: any text, validated as it is (decoding, header
 *                   checks, key lookup, signatures that never verify)
 *   MODE % 4 == 1   FLAGS \0 HEADER \0 PAYLOAD: both JSON texts, signed HS256
 *                   with the client secret, validated as an HS256 ID token
 *   MODE % 4 == 2   FLAGS \0 HEADER \0 PAYLOAD: signed RS256 with the JWKS's
 *                   RSA key, validated as an RS256 ID token; with FLAGS bit 5
 *                   signed PS256 (RSA-PSS) with that key and validated as a
 *                   PS256 ID token, and with bits 5 and 6 signed with a salt
 *                   of 20 bytes instead of RFC 7518's 32, which must never
 *                   be accepted
 *   MODE % 4 == 3   FLAGS \0 HEADER \0 PAYLOAD: signed ES256 with the JWKS's EC
 *                   key, validated as an access token
 * so that the claim checks behind the signature are reached too. FLAGS'
 * first byte picks the options (nonce, max_age, organization, leeway: bits
 * 0 to 4). A MODE 0 token is validated under each ID token algorithm.
 *
 * Invariants checked on success: the claims are an object and carry the
 * expected issuer, audience and an integer exp not in the past.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static auth0_client *client;
static m_store store;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	m_store_init(&store);
	fz_client_opts o = { .store = &store };
	client = fz_client(&o);
	fz_store_jwks(&store, client, NULL, 0);
	return 0;
}

static bool has_audience(const json_t *claims, const char *aud)
{
	json_t *a = json_object_get(claims, "aud");
	if (json_is_string(a))
		return strcmp(json_string_value(a), aud) == 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), aud) == 0)
			return true;
	return false;
}

/* What every accepted token must satisfy, whatever the path that accepted it. */
static void check_accepted(const json_t *claims, const char *aud, int64_t leeway)
{
	json_t *exp = json_object_get(claims, "exp");
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	if (!json_is_object(claims) || !iss || strcmp(iss, FZ_ISSUER) != 0 || !has_audience(claims, aud) ||
	    !json_is_integer(exp) || json_integer_value(exp) <= FZ_NOW - leeway) {
		fprintf(stderr, "fuzz_jwt: a token was accepted that breaks a rule\n");
		abort();
	}
}

static void id_token(const char *token, unsigned flags, auth0_id_token_alg alg)
{
	auth0_id_token_options v = {
		.now = FZ_NOW,
		.issuer = FZ_ISSUER,
		.algorithm = alg,
		.nonce = flags & 1 ? "fuzz-nonce" : NULL,
		.max_age = flags & 2 ? AUTH0_INT(3600) : (auth0_opt_int){ 0 },
		.organization = flags & 4 ? (flags & 8 ? "org_fuzz123" : "acme") : NULL,
		.leeway = flags & 16 ? AUTH0_INT(0) : (auth0_opt_int){ 0 },
	};
	json_t *claims = NULL;
	auth0_error *err = NULL;
	if (auth0_id_token_validate(client, token, &v, &claims, &err) == AUTH0_OK)
		check_accepted(claims, FZ_CLIENT_ID, flags & 16 ? 0 : 60);
	else if (!err || !err->message)
		abort(); /* every failure explains itself */
	json_decref(claims);
	auth0_error_free(err);
}

/* A token whose signature is wrong for alg: it must be refused at the signature or before (decoding, the
 * header's alg, a kid without a key); a claim rule failing would mean that the signature passed. */
static void id_token_refused(const char *token, unsigned flags, auth0_id_token_alg alg)
{
	auth0_id_token_options v = { .now = FZ_NOW, .issuer = FZ_ISSUER, .algorithm = alg,
		                         .organization = flags & 4 ? "acme" : NULL };
	json_t *claims = NULL;
	auth0_error *err = NULL;
	if (auth0_id_token_validate(client, token, &v, &claims, &err) == AUTH0_OK || !err || !err->message ||
	    (err->kind == AUTH0_ERR_INVALID_TOKEN && err->rule > AUTH0_RULE_SIGNATURE &&
	     err->rule != AUTH0_RULE_KEYS_UNAVAILABLE)) {
		fprintf(stderr, "fuzz_jwt: a token with a bad signature got past it (%s)\n",
		        err && err->message ? err->message : "accepted");
		abort();
	}
	json_decref(claims);
	auth0_error_free(err);
}

static void access_token(const char *token, unsigned flags)
{
	static const char *const algs[] = { "RS256", "PS256", "ES256", NULL };
	auth0_access_token_options v = {
		.audience = FZ_AUDIENCE,
		.issuer = FZ_ISSUER,
		.now = FZ_NOW,
		.algorithms = algs,
		.organization = flags & 4 ? (flags & 8 ? "org_fuzz123" : "acme") : NULL,
		.leeway = flags & 16 ? AUTH0_INT(0) : (auth0_opt_int){ 0 },
	};
	json_t *claims = NULL;
	auth0_error *err = NULL;
	if (auth0_access_token_validate(client, token, &v, &claims, &err) == AUTH0_OK)
		check_accepted(claims, FZ_AUDIENCE, flags & 16 ? 0 : 60);
	else if (!err || !err->message)
		abort();
	json_decref(claims);
	auth0_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	unsigned mode = fz_num(&f) % 4;
	if (mode == 0) {
		char *token = fz_rest_str(&f);
		json_t *h = NULL, *p = NULL;
		if (auth0_jwt_decode_unverified(token, &h, &p, NULL) == AUTH0_OK &&
		    (!json_is_object(h) || !json_is_object(p)))
			abort();
		json_decref(h);
		json_decref(p);
		id_token(token, 0, AUTH0_ALG_RS256);
		id_token(token, 1, AUTH0_ALG_HS256);
		id_token(token, 0, AUTH0_ALG_PS256);
		access_token(token, 0);
		free(token);
		return 0;
	}
	unsigned flags = fz_num(&f);
	char *header = fz_next(&f);
	char *payload = fz_rest_str(&f);
	char *token;
	switch (mode) {
	case 1:
		token = m_sign(header, payload, "HS256", NULL, FZ_SECRET);
		id_token(token, flags, AUTH0_ALG_HS256);
		break;
	case 2:
		if (!(flags & 32)) {
			token = m_sign(header, payload, "RS256", fz_rsa_key(), NULL);
			id_token(token, flags, AUTH0_ALG_RS256);
		} else if (!(flags & 64)) {
			token = m_sign(header, payload, "PS256", fz_rsa_key(), NULL);
			id_token(token, flags, AUTH0_ALG_PS256);
		} else {
			/* RSA-PSS that is not PS256: whatever the header and claims, the signature must fail */
			token = m_sign(header, payload, "PS256/salt=20", fz_rsa_key(), NULL);
			id_token_refused(token, flags, AUTH0_ALG_PS256);
		}
		break;
	default:
		token = m_sign(header, payload, "ES256", fz_ec_key(), NULL);
		access_token(token, flags);
		break;
	}
	free(token);
	free(header);
	free(payload);
	return 0;
}
