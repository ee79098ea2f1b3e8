/* Test helpers for token validation: see jwt_mint.h. */
#include "config.h"
#include "jwt_mint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

static void die(const char *what)
{
	fprintf(stderr, "jwt_mint: %s\n", what);
	abort();
}

char *m_b64url(const void *data, size_t len)
{
	size_t cap = 4 * ((len + 2) / 3) + 1;
	unsigned char *b = malloc(cap);
	if (!b)
		die("oom");
	int n = EVP_EncodeBlock(b, data, (int)len);
	char *s = (char *)b;
	int j = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		s[j++] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
	}
	s[j] = '\0';
	return s;
}

EVP_PKEY *m_rsa_key(int bits)
{
	EVP_PKEY *k = EVP_RSA_gen((unsigned int)bits);
	if (!k)
		die("RSA key generation");
	return k;
}

EVP_PKEY *m_ec_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	if (!k)
		die("EC key generation");
	return k;
}

static char *bn_b64(EVP_PKEY *key, const char *name, size_t pad)
{
	BIGNUM *bn = NULL;
	if (!EVP_PKEY_get_bn_param(key, name, &bn))
		die("get_bn_param");
	size_t len = (size_t)BN_num_bytes(bn);
	if (pad < len)
		pad = len;
	unsigned char *buf = malloc(pad);
	BN_bn2binpad(bn, buf, (int)pad);
	BN_free(bn);
	char *s = m_b64url(buf, pad);
	free(buf);
	return s;
}

json_t *m_jwk(EVP_PKEY *key, const char *kid, const char *alg)
{
	json_t *j = json_object();
	if (EVP_PKEY_is_a(key, "RSA")) {
		char *n = bn_b64(key, OSSL_PKEY_PARAM_RSA_N, 0), *e = bn_b64(key, OSSL_PKEY_PARAM_RSA_E, 0);
		json_object_set_new(j, "kty", json_string("RSA"));
		json_object_set_new(j, "n", json_string(n));
		json_object_set_new(j, "e", json_string(e));
		free(n);
		free(e);
	} else {
		char *x = bn_b64(key, OSSL_PKEY_PARAM_EC_PUB_X, 32), *y = bn_b64(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
		json_object_set_new(j, "kty", json_string("EC"));
		json_object_set_new(j, "crv", json_string("P-256"));
		json_object_set_new(j, "x", json_string(x));
		json_object_set_new(j, "y", json_string(y));
		free(x);
		free(y);
	}
	json_object_set_new(j, "kid", json_string(kid));
	json_object_set_new(j, "use", json_string("sig"));
	if (alg)
		json_object_set_new(j, "alg", json_string(alg));
	return j;
}

json_t *m_jwks(json_t *first, ...)
{
	json_t *keys = json_array();
	va_list ap;
	va_start(ap, first);
	for (json_t *k = first; k; k = va_arg(ap, json_t *))
		json_array_append_new(keys, k);
	va_end(ap);
	json_t *j = json_object();
	json_object_set_new(j, "keys", keys);
	return j;
}

/* ECDSA DER -> JOSE r || s. */
static size_t der_to_jose(const unsigned char *der, size_t der_len, unsigned char *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!sig)
		die("d2i_ECDSA_SIG");
	const BIGNUM *r, *s;
	ECDSA_SIG_get0(sig, &r, &s);
	BN_bn2binpad(r, out, 32);
	BN_bn2binpad(s, out + 32, 32);
	ECDSA_SIG_free(sig);
	return 64;
}

char *m_sign(const char *header, const char *payload, const char *alg, EVP_PKEY *key, const char *secret)
{
	char *h = m_b64url(header, strlen(header));
	char *p = m_b64url(payload, strlen(payload));
	size_t in_len = strlen(h) + 1 + strlen(p);
	char *input = malloc(in_len + 1);
	snprintf(input, in_len + 1, "%s.%s", h, p);
	free(h);
	free(p);

	unsigned char sig[1024];
	size_t sig_len = 0;
	if (strcmp(alg, "none") == 0) {
		sig_len = 0;
	} else if (strcmp(alg, "HS256") == 0) {
		if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, strlen(secret), (unsigned char *)input,
		               in_len, sig, sizeof(sig), &sig_len))
			die("HMAC");
	} else {
		/* the hash from the name's digits only: a PS variant's suffix may hold digits too */
		const char *md = strncmp(alg + 2, "384", 3) == 0 ? "SHA384"
		               : strncmp(alg + 2, "512", 3) == 0 ? "SHA512" : "SHA256";
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;
		unsigned char der[1024];
		size_t der_len = sizeof(der);
		if (EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, key, NULL) != 1)
			die("DigestSignInit");
		if (alg[0] == 'P') {
			/* RFC 7518 3.5: MGF1 with the message's hash (OpenSSL's default) and a salt as long as it */
			const char *salt = strstr(alg, "/salt="), *mgf1 = strstr(alg, "/mgf1=");
			if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
			    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt ? atoi(salt + 6) : RSA_PSS_SALTLEN_DIGEST) <= 0 ||
			    (mgf1 && EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, mgf1 + 6, NULL) <= 0))
				die("PSS parameters");
		}
		if (EVP_DigestSign(ctx, der, &der_len, (unsigned char *)input, in_len) != 1)
			die("DigestSign");
		EVP_MD_CTX_free(ctx);
		if (alg[0] == 'E') {
			sig_len = der_to_jose(der, der_len, sig);
		} else {
			memcpy(sig, der, der_len);
			sig_len = der_len;
		}
	}
	char *s = m_b64url(sig, sig_len);
	size_t len = in_len + 1 + strlen(s);
	char *token = malloc(len + 1);
	snprintf(token, len + 1, "%s.%s", input, s);
	free(s);
	free(input);
	return token;
}

char *m_sign_json(const json_t *header, const json_t *payload, const char *alg, EVP_PKEY *key,
                  const char *secret)
{
	char *h = json_dumps(header, JSON_COMPACT);
	char *p = json_dumps(payload, JSON_COMPACT);
	char *t = m_sign(h, p, alg, key, secret);
	free(h);
	free(p);
	return t;
}

void m_flip_signature(char *token)
{
	char *sig = strrchr(token, '.') + 1;
	size_t n = strlen(sig);
	char *c = sig + n / 2;
	*c = *c == 'A' ? 'B' : 'A';
}

char *m_public_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PUBKEY(bio, key);
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	char *pem = malloc((size_t)n + 1);
	memcpy(pem, data, (size_t)n);
	pem[n] = '\0';
	BIO_free(bio);
	return pem;
}

/* ---- the store ---- */

static auth0_store_result s_get(void *ud, const char *key, char **value, size_t *len)
{
	m_store *s = ud;
	auth0_store_result r = AUTH0_STORE_NOT_FOUND;
	pthread_mutex_lock(&s->mu);
	s->gets++;
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->keys[i], key) == 0) {
			*value = malloc(s->lens[i] + 1);
			memcpy(*value, s->values[i], s->lens[i] + 1);
			*len = s->lens[i];
			r = AUTH0_STORE_OK;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return r;
}

static void put(m_store *s, const char *key, const char *value, size_t len)
{
	size_t i = 0;
	while (i < s->n && strcmp(s->keys[i], key) != 0)
		i++;
	if (i == s->n) {
		if (s->n == 16)
			die("store full");
		s->keys[s->n++] = strdup(key);
	} else {
		free(s->values[i]);
	}
	s->values[i] = malloc(len + 1);
	memcpy(s->values[i], value, len);
	s->values[i][len] = '\0';
	s->lens[i] = len;
}

static auth0_store_result s_set(void *ud, const char *key, const char *value, size_t len, int64_t expires_at)
{
	(void)expires_at;
	m_store *s = ud;
	pthread_mutex_lock(&s->mu);
	s->sets++;
	put(s, key, value, len);
	free(s->last_set_key);
	s->last_set_key = strdup(key);
	pthread_mutex_unlock(&s->mu);
	return AUTH0_STORE_OK;
}

static auth0_store_result s_lock(void *ud, const char *key)
{
	(void)key;
	m_store *s = ud;
	pthread_mutex_lock(&s->flight);
	s->locks++;
	return AUTH0_STORE_OK;
}

static auth0_store_result s_unlock(void *ud, const char *key)
{
	(void)key;
	m_store *s = ud;
	pthread_mutex_unlock(&s->flight);
	return AUTH0_STORE_OK;
}

void m_store_init(m_store *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->flight, NULL);
	s->store.userdata = s;
	s->store.get = s_get;
	s->store.set = s_set;
	s->store.lock = s_lock;
	s->store.unlock = s_unlock;
}

void m_store_clear(m_store *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->keys[i]);
		free(s->values[i]);
	}
	free(s->last_set_key);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->flight);
	memset(s, 0, sizeof(*s));
}

void m_store_put_jwks(m_store *s, const char *key, const json_t *jwks, int64_t fetched_at)
{
	json_t *entry = json_pack("{s:I, s:I, s:O}", "fetched_at", (json_int_t)fetched_at, "forced_at",
	                          (json_int_t)0, "jwks", (json_t *)jwks);
	char *v = json_dumps(entry, JSON_COMPACT);
	pthread_mutex_lock(&s->mu);
	put(s, key, v, strlen(v));
	pthread_mutex_unlock(&s->mu);
	free(v);
	json_decref(entry);
}

char *m_store_value(m_store *s, const char *key)
{
	char *v = NULL;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->keys[i], key) == 0)
			v = strdup(s->values[i]);
	pthread_mutex_unlock(&s->mu);
	return v;
}

json_t *m_modified(json_t *base, const char *changes)
{
	if (!changes)
		return base;
	json_error_t e;
	json_t *ch = json_loads(changes, 0, &e);
	if (!ch) {
		fprintf(stderr, "bad test JSON %s: %s\n", changes, e.text);
		abort();
	}
	const char *k;
	json_t *v;
	json_object_foreach(ch, k, v) {
		if (json_is_null(v))
			json_object_del(base, k);
		else
			json_object_set(base, k, v);
	}
	json_decref(ch);
	return base;
}
