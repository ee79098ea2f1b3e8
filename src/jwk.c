/*
 * Importing one public JWK (RFC 7517/7518) into an OpenSSL EVP_PKEY, once per
 * JWKS fetch, so that verifying a token needs no parsing of key material.
 *
 * Only signature keys we can use are accepted: RSA with a modulus of 2048 to
 * 8192 bits (Auth0's are 2048; OpenSSL's checks of a 16384-bit modulus cost
 * a hostile JWKS's fetcher seconds of CPU), and EC on P-256. Everything a JWK may say about its purpose
 * ("use", "key_ops", "alg") is honoured. OpenSSL checks the numbers
 * (EVP_PKEY_public_check: an odd modulus and exponent, a point on the curve).
 */
#include "jwt_internal.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

void a0_jwk_clear(a0_jwk *key)
{
	free(key->kid);
	free(key->alg);
	EVP_PKEY_free(key->pkey);
	memset(key, 0, sizeof(*key));
}

/* A base64url member decoded: AUTH0_OK, AUTH0_ERR_NO_MEMORY, or AUTH0_ERR_INVALID_ARGUMENT when absent or
 * malformed. */
static auth0_status member_bytes(const json_t *jwk, const char *name, unsigned char **out, size_t *len)
{
	const char *s = a0_json_str(jwk, name);
	*out = NULL;
	*len = 0;
	auth0_status st = a0_empty(s) ? AUTH0_ERR_INVALID_ARGUMENT
	                : a0_base64url_decode_status(s, strlen(s), out, len);
	if (st == AUTH0_OK && *len == 0)
		st = AUTH0_ERR_INVALID_ARGUMENT;
	if (st != AUTH0_OK) {
		free(*out);
		*out = NULL;
	}
	return st;
}

/* Builds a public key of `type` from OpenSSL parameters and has OpenSSL check it. */
static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
	EVP_PKEY *pkey = NULL;
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	if (pkey) {
		EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
		if (!check || EVP_PKEY_public_check(check) != 1) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		EVP_PKEY_CTX_free(check);
	}
	return pkey;
}

/* The key, or NULL with *why; *oom when memory ran out (in cjose or OpenSSL) rather than the key being bad. */
static EVP_PKEY *rsa_key(const json_t *jwk, const char **why, bool *oom)
{
	unsigned char *n = NULL, *e = NULL;
	size_t n_len = 0, e_len = 0;
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	auth0_status st = member_bytes(jwk, "n", &n, &n_len);
	if (st == AUTH0_OK)
		st = member_bytes(jwk, "e", &e, &e_len);
	if (st != AUTH0_OK) {
		*oom = st == AUTH0_ERR_NO_MEMORY;
		*why = *oom ? "out of memory" : "an RSA key without a valid \"n\" or \"e\"";
		goto out;
	}
	/* The size is checked before OpenSSL sees the modulus; leading zero bytes (which RFC 7518 forbids)
	 * add nothing to it. */
	size_t zeros = 0;
	while (zeros < n_len && n[zeros] == 0)
		zeros++;
	if (n_len - zeros > A0_RSA_MAX_BITS / 8) {
		*why = "an RSA key with a modulus over 8192 bits";
		goto out;
	}
	if (e_len > 8) {
		*why = "an RSA key with an exponent over 64 bits";
		goto out;
	}
	bn_n = BN_bin2bn(n, (int)n_len, NULL);
	bn_e = BN_bin2bn(e, (int)e_len, NULL);
	if (!bn_n || !bn_e) {
		*why = "out of memory";
		*oom = true;
		goto out;
	}
	if (BN_num_bits(bn_n) < A0_RSA_MIN_BITS) {
		*why = "an RSA key with a modulus under 2048 bits";
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) {
		*why = "out of memory";
		*oom = true;
		goto out;
	}
	pkey = from_params("RSA", bld);
	if (!pkey)
		*why = "an RSA key that OpenSSL refuses";
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	free(n);
	free(e);
	return pkey;
}

static EVP_PKEY *ec_key(const json_t *jwk, const char **why, bool *oom)
{
	unsigned char *x = NULL, *y = NULL;
	size_t x_len = 0, y_len = 0;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	if (!a0_streq(a0_json_str(jwk, "crv"), "P-256")) {
		*why = "an EC key not on curve P-256";
		return NULL;
	}
	auth0_status st = member_bytes(jwk, "x", &x, &x_len);
	if (st == AUTH0_OK)
		st = member_bytes(jwk, "y", &y, &y_len);
	if (st != AUTH0_OK || x_len != 32 || y_len != 32) {
		*oom = st == AUTH0_ERR_NO_MEMORY;
		*why = *oom ? "out of memory" : "an EC key without valid \"x\" and \"y\"";
		goto out;
	}
	unsigned char point[65];
	point[0] = 0x04; /* uncompressed (SEC 1, 2.3.3) */
	memcpy(point + 1, x, 32);
	memcpy(point + 33, y, 32);
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point))) {
		*why = "out of memory";
		*oom = true;
		goto out;
	}
	pkey = from_params("EC", bld);
	if (!pkey)
		*why = "an EC key that OpenSSL refuses (not on the curve?)";
out:
	OSSL_PARAM_BLD_free(bld);
	free(x);
	free(y);
	return pkey;
}

/* key_ops, when present, must allow "verify" (RFC 7517, 4.3). */
static bool ops_allow_verify(const json_t *jwk)
{
	json_t *ops = json_object_get(jwk, "key_ops");
	if (!ops)
		return true;
	size_t i;
	json_t *op;
	json_array_foreach(ops, i, op) {
		if (a0_streq(json_string_value(op), "verify"))
			return true;
	}
	return false;
}

auth0_status a0_jwk_import(const json_t *jwk, a0_jwk *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(jwk)) {
		*why = "not a JSON object";
		return AUTH0_ERR_INVALID_RESPONSE;
	}
	const char *kty = a0_json_str(jwk, "kty");
	const char *use = a0_json_str(jwk, "use");
	const char *kid = a0_json_str(jwk, "kid");
	json_t *alg = json_object_get(jwk, "alg");
	if (json_object_get(jwk, "use") && !a0_streq(use, "sig")) {
		*why = "not a signature key (\"use\" is not \"sig\")";
		return AUTH0_ERR_INVALID_RESPONSE;
	}
	if (!ops_allow_verify(jwk)) {
		*why = "not a verification key (\"key_ops\" lacks \"verify\")";
		return AUTH0_ERR_INVALID_RESPONSE;
	}
	if (a0_empty(kid)) {
		*why = "a key without \"kid\"";
		return AUTH0_ERR_INVALID_RESPONSE;
	}
	if (alg && !json_is_string(alg)) {
		*why = "a key with a non-string \"alg\"";
		return AUTH0_ERR_INVALID_RESPONSE;
	}
	bool oom = false;
	if (a0_streq(kty, "RSA")) {
		out->kty = A0_KTY_RSA;
		out->pkey = rsa_key(jwk, why, &oom);
	} else if (a0_streq(kty, "EC")) {
		out->kty = A0_KTY_EC;
		out->curve = "P-256";
		out->pkey = ec_key(jwk, why, &oom);
	} else {
		*why = "not an RSA or EC key";
		return AUTH0_ERR_INVALID_RESPONSE;
	}
	if (!out->pkey)
		return oom ? AUTH0_ERR_NO_MEMORY : AUTH0_ERR_INVALID_RESPONSE;
	out->kid = strdup(kid);
	out->alg = alg ? strdup(json_string_value(alg)) : NULL;
	if (!out->kid || (alg && !out->alg)) {
		a0_jwk_clear(out);
		*why = "out of memory";
		return AUTH0_ERR_NO_MEMORY;
	}
	return AUTH0_OK;
}

bool a0_jwk_fits(const a0_jwk *key, const a0_jws_alg *alg)
{
	if (!key || !alg || key->kty != alg->kty)
		return false;
	if (key->alg && strcmp(key->alg, alg->name) != 0)
		return false;
	return key->kty != A0_KTY_EC || (alg->ec_coord == 32 && a0_streq(key->curve, "P-256"));
}
