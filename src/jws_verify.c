/*
 * JWS signature verification with OpenSSL EVP.
 *
 * Why not cjose_jws_verify(): it chooses the algorithm from the token's own
 * header (the root of algorithm confusion), it would parse every token a
 * second time, and cjose 0.6 hands RSA keys out only as the deprecated RSA *.
 * Here the caller passes the algorithm it expects, the key must be of that
 * algorithm's type, and the signature is checked over the signing input
 * exactly as received.
 */
#include "jwt_internal.h"

#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

static const a0_jws_alg algs[] = {
	{ "RS256", A0_KTY_RSA, "SHA256", false, 0 },
	{ "RS384", A0_KTY_RSA, "SHA384", false, 0 },
	{ "RS512", A0_KTY_RSA, "SHA512", false, 0 },
	{ "PS256", A0_KTY_RSA, "SHA256", true, 0 },
	{ "PS384", A0_KTY_RSA, "SHA384", true, 0 },
	{ "PS512", A0_KTY_RSA, "SHA512", true, 0 },
	{ "ES256", A0_KTY_EC, "SHA256", false, 32 },
	{ "HS256", A0_KTY_OCT, "SHA256", false, 0 },
};

const a0_jws_alg *a0_jws_alg_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < A0_ARRAY_LEN(algs); i++)
		if (strcmp(algs[i].name, name) == 0)
			return &algs[i];
	return NULL;
}

/* Digests are fetched once: an implicit fetch per verification costs a lock and a lookup in OpenSSL 3. */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha256, *md_sha384, *md_sha512;

static void fetch_digests(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
	md_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
}

static const EVP_MD *digest(const a0_jws_alg *alg)
{
	pthread_once(&md_once, fetch_digests);
	if (strcmp(alg->digest, "SHA256") == 0)
		return md_sha256;
	if (strcmp(alg->digest, "SHA384") == 0)
		return md_sha384;
	return md_sha512;
}

/* JOSE carries ECDSA signatures as r || s (RFC 7518, 3.4); OpenSSL wants DER. */
static unsigned char *ecdsa_der(const unsigned char *sig, size_t coord, int *der_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)coord, NULL);
	BIGNUM *s = BN_bin2bn(sig + coord, (int)coord, NULL);
	unsigned char *der = NULL;
	*der_len = 0;
	if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
		r = s = NULL; /* owned by es now */
		*der_len = i2d_ECDSA_SIG(es, &der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return *der_len > 0 ? der : NULL;
}

bool a0_jws_verify_pkey(const a0_jws_alg *alg, EVP_PKEY *pkey, const a0_jwt *jwt)
{
	if (!alg || !pkey || !jwt->signature || jwt->signature_len == 0 || alg->kty == A0_KTY_OCT)
		return false;
	if (alg->kty == A0_KTY_RSA ? !EVP_PKEY_is_a(pkey, "RSA") : !EVP_PKEY_is_a(pkey, "EC"))
		return false;
	const EVP_MD *md = digest(alg);
	if (!md)
		return false;

	const unsigned char *sig = jwt->signature;
	size_t sig_len = jwt->signature_len;
	unsigned char *der = NULL;
	if (alg->kty == A0_KTY_EC) {
		if (sig_len != 2 * alg->ec_coord)
			return false;
		int der_len = 0;
		der = ecdsa_der(sig, alg->ec_coord, &der_len);
		if (!der)
			return false;
		sig = der;
		sig_len = (size_t)der_len;
	} else if (sig_len != (size_t)EVP_PKEY_get_size(pkey)) {
		return false; /* RFC 8017: the signature is exactly as long as the modulus */
	}

	bool ok = false;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	if (ctx && EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) == 1) {
		bool setup = true;
		/* RFC 7518 3.5: MGF1 with the same hash and a salt as long as it. On verification
		 * RSA_PSS_SALTLEN_DIGEST means exactly that length (RSA_PSS_SALTLEN_AUTO would take any). */
		if (alg->pss)
			setup = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
			        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
			        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0;
		else if (alg->kty == A0_KTY_RSA)
			setup = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
		ok = setup && EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)jwt->signing_input,
		                               strlen(jwt->signing_input)) == 1;
	}
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return ok;
}

bool a0_jws_verify_hmac(const a0_jws_alg *alg, const void *secret, size_t secret_len, const a0_jwt *jwt)
{
	if (!alg || alg->kty != A0_KTY_OCT || !secret || secret_len == 0 || !jwt->signature)
		return false;
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t mac_len = 0;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, alg->digest, NULL, secret, secret_len,
	               (const unsigned char *)jwt->signing_input, strlen(jwt->signing_input), mac, sizeof(mac),
	               &mac_len))
		return false;
	bool ok = mac_len == jwt->signature_len && CRYPTO_memcmp(mac, jwt->signature, mac_len) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok;
}
