/*
 * Client authentication at the tenant: client_secret_post,
 * client_secret_basic, private_key_jwt (RFC 7523 client assertions) or none.
 *
 * The client assertion is what the Ruby SDK sends: header {"alg": ALG} only,
 * claims iss = sub = client_id, aud = https://DOMAIN/, iat = now,
 * exp = iat + 180, jti = a random UUID v4. Signed by cjose.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <cjose/header.h>
#include <cjose/jws.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#define A0_ASSERTION_LIFETIME 180

typedef struct bn_bytes {
	unsigned char *data;
	size_t len;
} bn_bytes;

/* A big-number parameter of a key as big-endian bytes, left-padded to `pad` bytes when pad > 0. */
static bool get_bn(EVP_PKEY *pkey, const char *name, size_t pad, bn_bytes *out)
{
	BIGNUM *bn = NULL;
	out->data = NULL;
	out->len = 0;
	if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
		return false;
	size_t len = (size_t)BN_num_bytes(bn);
	if (pad < len)
		pad = len;
	out->data = OPENSSL_zalloc(pad ? pad : 1);
	bool ok = out->data && BN_bn2binpad(bn, out->data, (int)pad) == (int)pad;
	BN_clear_free(bn);
	out->len = pad;
	return ok;
}

static void bn_free(bn_bytes *b)
{
	OPENSSL_clear_free(b->data, b->len);
	b->data = NULL;
}

/* Fetches every named parameter (all are attempted, so that bn_free_all can free them). */
static bool get_all(EVP_PKEY *pkey, const char *const *names, size_t pad, bn_bytes *out, size_t n)
{
	bool ok = true;
	for (size_t i = 0; i < n; i++)
		if (!get_bn(pkey, names[i], pad, &out[i]))
			ok = false;
	return ok;
}

static void bn_free_all(bn_bytes *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bn_free(&b[i]);
}

/* The key for cjose, or NULL; *oom when cjose ran out of memory. */
static cjose_jwk_t *rsa_jwk(EVP_PKEY *pkey, bool *oom)
{
	static const char *const names[] = {
		OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	bn_bytes b[8];
	cjose_jwk_t *jwk = NULL;
	if (get_all(pkey, names, 0, b, 8)) {
		cjose_jwk_rsa_keyspec spec = {
			.e = b[0].data, .elen = b[0].len, .n = b[1].data, .nlen = b[1].len, .d = b[2].data, .dlen = b[2].len,
			.p = b[3].data, .plen = b[3].len, .q = b[4].data, .qlen = b[4].len, .dp = b[5].data, .dplen = b[5].len,
			.dq = b[6].data, .dqlen = b[6].len, .qi = b[7].data, .qilen = b[7].len,
		};
		cjose_err cerr = { .code = CJOSE_ERR_NONE };
		jwk = cjose_jwk_create_RSA_spec(&spec, &cerr);
		*oom = !jwk && a0_cjose_oom(&cerr);
	}
	bn_free_all(b, 8);
	return jwk;
}

static cjose_jwk_t *ec_jwk(EVP_PKEY *pkey, cjose_jwk_ec_curve crv, size_t size, bool *oom)
{
	static const char *const names[] = {
		OSSL_PKEY_PARAM_PRIV_KEY, OSSL_PKEY_PARAM_EC_PUB_X, OSSL_PKEY_PARAM_EC_PUB_Y,
	};
	bn_bytes b[3];
	cjose_jwk_t *jwk = NULL;
	if (get_all(pkey, names, size, b, 3)) {
		cjose_jwk_ec_keyspec spec = { .crv = crv, .d = b[0].data, .dlen = b[0].len, .x = b[1].data,
			                          .xlen = b[1].len, .y = b[2].data, .ylen = b[2].len };
		cjose_err cerr = { .code = CJOSE_ERR_NONE };
		jwk = cjose_jwk_create_EC_spec(&spec, &cerr);
		*oom = !jwk && a0_cjose_oom(&cerr);
	}
	bn_free_all(b, 3);
	return jwk;
}

/* The passphrase of an encrypted key: none. Without a callback OpenSSL asks for one on the terminal (a server
 * started from a shell would wait there) and prints its prompt to stderr (a server's error log). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

auth0_status a0_load_signing_key(const char *pem, const char *alg, cjose_jwk_t **key, auth0_error **err)
{
	static const char opt[] = "client_assertion_signing_key";
	*key = NULL;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
	BIO_free(bio);
	if (!pkey)
		return a0_fail_arg(err, opt, "option '%s' is not a PEM private key (RSA or EC, unencrypted)", opt);

	auth0_status st = AUTH0_OK;
	bool oom = false;
	bool rsa_alg = alg[0] == 'R' || alg[0] == 'P';
	if (rsa_alg) {
		if (!EVP_PKEY_is_a(pkey, "RSA"))
			st = a0_fail_arg(err, opt, "option '%s': %s needs an RSA key", opt, alg);
		else if (EVP_PKEY_get_bits(pkey) < 2048)
			st = a0_fail_arg(err, opt, "option '%s': RSA keys must have at least 2048 bits", opt);
		else
			*key = rsa_jwk(pkey, &oom);
	} else {
		char group[64] = "";
		size_t glen = 0;
		if (!EVP_PKEY_is_a(pkey, "EC") ||
		    !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen)) {
			st = a0_fail_arg(err, opt, "option '%s': %s needs an EC key", opt, alg);
		} else {
			struct { const char *alg, *group; cjose_jwk_ec_curve crv; size_t size; } curves[] = {
				{ "ES256", "prime256v1", CJOSE_JWK_EC_P_256, 32 },
				{ "ES384", "secp384r1", CJOSE_JWK_EC_P_384, 48 },
				{ "ES512", "secp521r1", CJOSE_JWK_EC_P_521, 66 },
			};
			bool matched = false;
			for (size_t i = 0; i < A0_ARRAY_LEN(curves); i++) {
				if (strcmp(curves[i].alg, alg) != 0)
					continue;
				matched = true;
				if (strcmp(curves[i].group, group) != 0)
					st = a0_fail_arg(err, opt, "option '%s': %s needs a key on curve %s, not %s", opt, alg,
					                 curves[i].group, group);
				else
					*key = ec_jwk(pkey, curves[i].crv, curves[i].size, &oom);
			}
			if (!matched)
				st = a0_fail_arg(err, opt, "option '%s': unsupported algorithm %s", opt, alg);
		}
	}
	EVP_PKEY_free(pkey);
	if (st == AUTH0_OK && !*key && oom)
		st = a0_fail(err, AUTH0_ERR_NO_MEMORY, "option '%s': out of memory while converting the key for signing",
		             opt);
	else if (st == AUTH0_OK && !*key)
		st = a0_fail_arg(err, opt, "option '%s': the key could not be converted for signing", opt);
	return st;
}

auth0_status a0_client_assertion(auth0_client *c, char **jwt, auth0_error **err)
{
	*jwt = NULL;
	if (!c->assertion_key)
		return a0_fail_arg(err, "client_assertion_signing_key", "no client assertion signing key is configured");
	int64_t now = a0_now();
	char *jti = a0_uuid4();
	json_t *claims = jti ? json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", c->client_id, "sub", c->client_id,
	                                 "aud", c->issuer, "iat", (json_int_t)now, "exp",
	                                 (json_int_t)(now + A0_ASSERTION_LIFETIME), "jti", jti)
	                     : NULL;
	free(jti);
	char *payload = claims ? a0_json_dump(claims) : NULL;
	json_decref(claims);
	if (!payload)
		return a0_oom(err);

	/* Set by cjose when one of its calls fails, and only then: a0_strdup may fail after cjose succeeded. */
	cjose_err cerr = { .code = CJOSE_ERR_NONE, .message = NULL };
	cjose_header_t *hdr = cjose_header_new(&cerr);
	cjose_jws_t *jws = NULL;
	const char *compact = NULL;
	/* cjose_header_set() ignores json_object_set_new() failing, which only memory makes it do: cjose_jws_sign()
	 * would then find no "alg" and say CJOSE_ERR_INVALID_ARG. */
	bool alg_set = hdr && cjose_header_set(hdr, CJOSE_HDR_ALG, c->assertion_alg, &cerr);
	bool oom = alg_set && !cjose_header_get(hdr, CJOSE_HDR_ALG, &cerr);
	if (alg_set && !oom)
		jws = cjose_jws_sign(c->assertion_key, hdr, (const uint8_t *)payload, strlen(payload), &cerr);
	bool exported = jws && cjose_jws_export(jws, &compact, &cerr);
	if (exported)
		*jwt = a0_strdup(compact);
	cjose_jws_release(jws);
	cjose_header_release(hdr);
	free(payload);
	if (*jwt)
		return AUTH0_OK;
	if (exported || oom || a0_cjose_oom(&cerr))
		return a0_fail(err, AUTH0_ERR_NO_MEMORY, "could not sign the client assertion: out of memory");
	return a0_fail(err, AUTH0_ERR_INTERNAL, "could not sign the client assertion (%s)",
	               cerr.message ? cerr.message : "cjose error");
}

/* "Authorization: Basic base64(urlencode(id):urlencode(secret))" (RFC 6749, 2.3.1). */
static char *basic_header(const char *id, const char *secret)
{
	a0_buf cred = A0_BUF_SECRET;
	a0_buf_escape(&cred, id, A0_ESC_FORM);
	a0_buf_putc(&cred, ':');
	a0_buf_escape(&cred, secret, A0_ESC_FORM);
	char *plain = a0_buf_steal(&cred);
	if (!plain)
		return NULL;
	size_t len = strlen(plain);
	unsigned char *b64 = malloc(4 * ((len + 2) / 3) + 1);
	char *line = NULL;
	if (b64) {
		EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)len);
		line = a0_asprintf("Authorization: Basic %s", (char *)b64);
		OPENSSL_cleanse(b64, strlen((char *)b64));
		free(b64);
	}
	a0_free_secret(plain);
	return line;
}

auth0_status a0_client_auth_apply(auth0_client *c, json_t *params, struct curl_slist **headers,
                                  auth0_error **err)
{
	if (!c->client_id)
		return a0_fail_arg(err, "client_id", "option 'client_id' is required for this call");
	if (!json_object_get(params, "client_id") && a0_json_set_str(params, "client_id", c->client_id) != 0)
		return a0_oom(err);
	switch (c->client_auth) {
	case AUTH0_CLIENT_AUTH_SECRET_POST:
		if (json_object_set_new(params, "client_secret", json_string(c->client_secret)) != 0)
			return a0_oom(err);
		return AUTH0_OK;
	case AUTH0_CLIENT_AUTH_SECRET_BASIC: {
		char *line = basic_header(c->client_id, c->client_secret);
		struct curl_slist *n = line ? curl_slist_append(*headers, line) : NULL;
		a0_free_secret(line);
		if (!n)
			return a0_oom(err);
		*headers = n;
		return AUTH0_OK;
	}
	case AUTH0_CLIENT_AUTH_PRIVATE_KEY_JWT: {
		char *jwt = NULL;
		auth0_status st = a0_client_assertion(c, &jwt, err);
		if (st != AUTH0_OK)
			return st;
		int rc = json_object_set_new(params, "client_assertion", json_string(jwt)) |
		         json_object_set_new(params, "client_assertion_type",
		                             json_string("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
		a0_free_secret(jwt); /* a credential until it expires */
		return rc == 0 ? AUTH0_OK : a0_oom(err);
	}
	case AUTH0_CLIENT_AUTH_NONE:
	case AUTH0_CLIENT_AUTH_AUTO:
		break;
	}
	return AUTH0_OK;
}
