/*
 * Sealing: authenticated encryption of everything the module hands to the
 * browser or keeps in a shared cache (sessions, login transactions, tokens).
 *
 * Keys: HKDF-SHA256 (OpenSSL EVP_KDF) of each Auth0SessionSecret, one key per
 * purpose, derived once at configuration time. Format of a sealed value:
 *
 *     version (1) | key id (1) | nonce (12) | AES-256-GCM ciphertext | tag (16)
 *
 * with "mod_auth0:" + context as additional data, so that a value sealed for
 * one cookie name (or cache key) does not open under another. The key id is
 * the first byte of SHA-256(key): after a secret rotation, values sealed with
 * an older secret still open while it is listed.
 */
#include "mod_auth0.h"

#include <apr_encode.h>
#include <apr_lib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#define SEAL_VERSION 1
#define NONCE_LEN 12
#define TAG_LEN 16
#define HEADER_LEN (2 + NONCE_LEN)
/* Nothing we seal is larger than this (cookies and cache entries are small). */
#define SEAL_MAX (1u << 20)

/* Fetched once (before the children fork): an implicit fetch per call costs ~0.6 us. */
static EVP_CIPHER *aes_gcm;

void a0m_seal_init(void)
{
	if (!aes_gcm)
		aes_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static const EVP_CIPHER *cipher(void)
{
	return aes_gcm ? aes_gcm : EVP_aes_256_gcm();
}

static bool hkdf(const char *secret, const char *info, unsigned char out[32])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	EVP_KDF_free(kdf);
	if (!ctx)
		return false;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, strlen(secret)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)"mod_auth0", 9),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info)),
		OSSL_PARAM_construct_end(),
	};
	bool ok = EVP_KDF_derive(ctx, out, 32, params) == 1;
	EVP_KDF_CTX_free(ctx);
	return ok;
}

static bool derive_key(const char *secret, const char *info, a0m_key *key)
{
	if (!hkdf(secret, info, key->key))
		return false;
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(key->key, sizeof(key->key), md);
	key->id = md[0];
	return true;
}

a0m_keyring *a0m_keyring_derive(apr_pool_t *p, const char *const *secrets, int count, const char **error)
{
	a0m_keyring *ring = apr_pcalloc(p, sizeof(*ring));
	ring->count = count;
	ring->session = apr_pcalloc(p, sizeof(a0m_key) * (size_t)count);
	ring->transaction = apr_pcalloc(p, sizeof(a0m_key) * (size_t)count);
	ring->cache = apr_pcalloc(p, sizeof(a0m_key) * (size_t)count);
	for (int i = 0; i < count; i++) {
		for (int j = 0; j < i; j++)
			if (strcmp(secrets[i], secrets[j]) == 0) {
				*error = "the same secret is listed twice";
				return NULL;
			}
		if (!derive_key(secrets[i], "session v1", &ring->session[i]) ||
		    !derive_key(secrets[i], "transaction v1", &ring->transaction[i]) ||
		    !derive_key(secrets[i], "cache v1", &ring->cache[i])) {
			*error = "key derivation failed (OpenSSL HKDF)";
			return NULL;
		}
	}
	if (!hkdf(secrets[0], "csrf v1", ring->csrf)) {
		*error = "key derivation failed (OpenSSL HKDF)";
		return NULL;
	}
	return ring;
}

static const char *aad_of(apr_pool_t *p, const char *context, size_t *len)
{
	const char *aad = apr_pstrcat(p, "mod_auth0:", context ? context : "", NULL);
	*len = strlen(aad);
	return aad;
}

unsigned char *a0m_seal_raw(apr_pool_t *p, const a0m_key *key, const char *context, const unsigned char *plain,
                            size_t len, size_t *out_len)
{
	if (len > SEAL_MAX)
		return NULL;
	size_t aad_len;
	const char *aad = aad_of(p, context, &aad_len);
	unsigned char *out = apr_palloc(p, HEADER_LEN + len + TAG_LEN);
	out[0] = SEAL_VERSION;
	out[1] = key->id;
	if (RAND_bytes(out + 2, NONCE_LEN) != 1)
		return NULL;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;
	bool ok = ctx && EVP_EncryptInit_ex(ctx, cipher(), NULL, key->key, out + 2) == 1 &&
	          EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)aad_len) == 1 &&
	          EVP_EncryptUpdate(ctx, out + HEADER_LEN, &n, plain, (int)len) == 1 &&
	          EVP_EncryptFinal_ex(ctx, out + HEADER_LEN + n, &m) == 1 &&
	          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + HEADER_LEN + len) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return NULL;
	*out_len = HEADER_LEN + len + TAG_LEN;
	return out;
}

unsigned char *a0m_open_raw(apr_pool_t *p, const a0m_key *keys, int count, const char *context,
                            const unsigned char *sealed, size_t sealed_len, size_t *len)
{
	if (sealed_len < HEADER_LEN + TAG_LEN || sealed_len > SEAL_MAX + HEADER_LEN + TAG_LEN ||
	    sealed[0] != SEAL_VERSION)
		return NULL;
	size_t aad_len;
	const char *aad = aad_of(p, context, &aad_len);
	size_t clen = sealed_len - HEADER_LEN - TAG_LEN;
	unsigned char *plain = apr_palloc(p, clen + 1);
	for (int i = 0; i < count; i++) {
		if (keys[i].id != sealed[1])
			continue;
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		int n = 0, m = 0;
		bool ok = ctx && EVP_DecryptInit_ex(ctx, cipher(), NULL, keys[i].key, sealed + 2) == 1 &&
		          EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)aad_len) == 1 &&
		          EVP_DecryptUpdate(ctx, plain, &n, sealed + HEADER_LEN, (int)clen) == 1 &&
		          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
		                              (void *)(sealed + HEADER_LEN + clen)) == 1 &&
		          EVP_DecryptFinal_ex(ctx, plain + n, &m) == 1;
		EVP_CIPHER_CTX_free(ctx);
		if (ok) {
			plain[clen] = '\0';
			*len = clen;
			return plain;
		}
	}
	return NULL;
}

char *a0m_seal(apr_pool_t *p, const a0m_key *key, const char *context, const unsigned char *plain, size_t len)
{
	size_t n = 0;
	unsigned char *raw = a0m_seal_raw(p, key, context, plain, len, &n);
	if (!raw)
		return NULL;
	return (char *)apr_pencode_base64_binary(p, raw, (apr_ssize_t)n, APR_ENCODE_BASE64URL, NULL);
}

/*
 * Whether the text is the one encoding of the bytes it decoded to. APR's decoder ignores the unused low
 * bits of a last partial group, so "QB" decodes like "QA": without this, a cookie changed in its last
 * character could still open, which makes the value malleable (and the session memo, keyed by the exact
 * value, would be bypassed by a different value that opens the same session). Encoding the last partial
 * group again and comparing is cheaper than any second pass.
 */
static bool canonical_tail(const char *text, size_t text_len, const unsigned char *raw, size_t n)
{
	size_t partial = n % 3;
	if (text_len != n / 3 * 4 + (partial ? partial + 1 : 0))
		return false;
	if (!partial)
		return true;
	char tail[5];
	apr_size_t tail_len = 0;
	if (apr_encode_base64_binary(tail, raw + n - partial, (apr_ssize_t)partial, APR_ENCODE_BASE64URL,
	                             &tail_len) != APR_SUCCESS)
		return false;
	return tail_len == partial + 1 && memcmp(tail, text + text_len - tail_len, tail_len) == 0;
}

unsigned char *a0m_open(apr_pool_t *p, const a0m_key *keys, int count, const char *context, const char *sealed,
                        size_t *len)
{
	size_t slen = sealed ? strlen(sealed) : 0;
	if (!sealed || slen > 2 * SEAL_MAX)
		return NULL;
	/* Strict base64url: anything else is tampering. */
	for (const char *s = sealed; *s; s++)
		if (!apr_isalnum(*s) && *s != '-' && *s != '_')
			return NULL;
	/* One decoding pass into a buffer of the largest size (apr_pdecode_* would make two: this runs on
	 * every request of a session, and the decoding is most of its cost after AES-GCM). */
	unsigned char *raw = apr_palloc(p, slen / 4 * 3 + 3);
	apr_size_t n = 0;
	if (apr_decode_base64_binary(raw, sealed, (apr_ssize_t)slen, APR_ENCODE_BASE64URL, &n) != APR_SUCCESS ||
	    !canonical_tail(sealed, slen, raw, n))
		return NULL;
	return a0m_open_raw(p, keys, count, context, raw, n, len);
}

char *a0m_random_token(apr_pool_t *p, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof(buf) || RAND_bytes(buf, (int)nbytes) != 1)
		return NULL;
	char *s = (char *)apr_pencode_base64_binary(p, buf, (apr_ssize_t)nbytes, APR_ENCODE_BASE64URL, NULL);
	OPENSSL_cleanse(buf, sizeof(buf));
	return s;
}

char *a0m_sha256_hex(apr_pool_t *p, const char *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)data, len, md);
	return (char *)apr_pencode_base16_binary(p, md, sizeof(md), APR_ENCODE_LOWER, NULL);
}

bool a0m_secure_streq(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	size_t la = strlen(a), lb = strlen(b);
	return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}
