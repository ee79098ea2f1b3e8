/*
 * auth0_id_token_validate without any network: keys are made here, the
 * JWKS is injected through the client's store (which also exercises the
 * store path), and the client's domain is a loopback port where nothing
 * listens, so an attempted fetch fails at once and is counted from the log.
 *
 * One negative case per rule of ruby-auth0's validate_id_token, in its
 * order, with its messages; boundaries of every time comparison; the
 * precedence of rules; algorithm confusion; garbage.
 */
#include "jwt_internal.h"

#include <cjose/header.h>
#include <cjose/jwk.h>
#include <cjose/jws.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt_mint.h"
#include "tap.h"

#define NOW ((int64_t)1700000000)
#define DOMAIN "127.0.0.1:9"
#define ISS "https://127.0.0.1:9/"
#define CLIENT_ID "test-client"
#define SECRET "test-client-secret-0123456789abcdef"

static EVP_PKEY *rsa, *rsa_other, *rsa_small, *ec;
/* Offline, the refetch for a kid the keys lack fails: the token may be signed with a key the tenant rotated
 * to, so the rule is keys_unavailable (transient). With a tenant that answers it is key (test_jwks.c). */
#define RULE_UNKNOWN_KID AUTH0_RULE_KEYS_UNAVAILABLE

static auth0_client *client;
static m_store store;
static int fetch_attempts, stale_warnings;

static void count_log(void *ud, auth0_log_level level, const char *line)
{
	(void)ud;
	(void)level;
	if (strstr(line, "/.well-known/jwks.json") && (strstr(line, "failed after") || strstr(line, " -> ")))
		fetch_attempts++;
	if (strstr(line, "JWKS: refresh failed"))
		stale_warnings++;
}

static auth0_client *new_client(const char *secret, const char *organization, m_store *st, long interval)
{
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = DOMAIN;
	o.client_id = CLIENT_ID;
	o.client_secret = secret;
	o.organization = organization;
	o.timeout_ms = 3000;
	o.jwks_min_refetch_interval = interval;
	o.store = st ? &st->store : NULL;
	o.log = count_log;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		fprintf(stderr, "client: %s\n", err->message);
		abort();
	}
	return c;
}

static json_t *claims(const char *changes)
{
	return m_modified(json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", ISS, "sub", "auth0|alice", "aud", CLIENT_ID,
	                          "exp", (json_int_t)(NOW + 3600), "iat", (json_int_t)NOW),
	                changes);
}

static json_t *header(const char *changes)
{
	return m_modified(json_pack("{s:s, s:s, s:s}", "alg", "RS256", "typ", "JWT", "kid", "k1"), changes);
}

/* A token signed by `how` (RS256 with rsa unless key says otherwise). */
static char *mint(const char *hdr, const char *cl, const char *how, EVP_PKEY *key, const char *secret)
{
	json_t *h = header(hdr), *c = claims(cl);
	char *t = m_sign_json(h, c, how, key ? key : rsa, secret);
	json_decref(h);
	json_decref(c);
	return t;
}

static char *rs(const char *cl)
{
	return mint(NULL, cl, "RS256", NULL, NULL);
}

static auth0_id_token_options opts(void)
{
	return (auth0_id_token_options){ .now = NOW };
}

static void accept_on(auth0_client *c, const char *token, const auth0_id_token_options *o, const char *name)
{
	auth0_error *err = NULL;
	json_t *out = NULL;
	auth0_status st = auth0_id_token_validate(c, token, o, &out, &err);
	is_int(st, AUTH0_OK, "%s: accepted", name);
	if (err)
		diag("%s", err->message);
	ok(st != AUTH0_OK || json_is_object(out), "%s: claims returned", name);
	json_decref(out);
	auth0_error_free(err);
}

static void good(const char *token, const auth0_id_token_options *o, const char *name)
{
	accept_on(client, token, o, name);
}

static void reject_on(auth0_client *c, const char *token, const auth0_id_token_options *o, auth0_status kind,
                      auth0_token_rule rule, const char *message, const char *name)
{
	auth0_error *err = NULL;
	json_t *out = json_object();
	json_t *sentinel = out;
	auth0_status st = auth0_id_token_validate(c, token, o, &out, &err);
	json_decref(sentinel);
	is_int(st, kind, "%s: %s", name, auth0_status_name(kind));
	ok(out == NULL, "%s: no claims", name);
	is_int(err ? (int)err->rule : -1, rule, "%s: rule %s", name, auth0_token_rule_name(rule));
	if (message)
		is_str(err ? err->message : NULL, message, "%s: message", name);
	auth0_error_free(err);
}

static void bad(const char *token, const auth0_id_token_options *o, auth0_token_rule rule,
                const char *message, const char *name)
{
	reject_on(client, token, o, AUTH0_ERR_INVALID_TOKEN, rule, message, name);
}

/* mint(hdr, cl, how, key, secret) then good() or bad(): one token made and checked, then freed. */
static void good_minted(const char *hdr, const char *cl, const char *how, EVP_PKEY *key, const char *secret,
                        const auth0_id_token_options *o, const char *name)
{
	char *t = mint(hdr, cl, how, key, secret);
	good(t, o, name);
	free(t);
}

static void bad_minted(const char *hdr, const char *cl, const char *how, EVP_PKEY *key, const char *secret,
                       const auth0_id_token_options *o, auth0_token_rule rule, const char *message,
                       const char *name)
{
	char *t = mint(hdr, cl, how, key, secret);
	bad(t, o, rule, message, name);
	free(t);
}

/* Builds, rejects, frees: for the many one-claim cases. */
static void reject_claims(const char *changes, const auth0_id_token_options *o, auth0_token_rule rule,
                          const char *message, const char *name)
{
	char *t = rs(changes);
	bad(t, o, rule, message, name);
	free(t);
}

static void accept_claims(const char *changes, const auth0_id_token_options *o, const char *name)
{
	char *t = rs(changes);
	good(t, o, name);
	free(t);
}

static void param(const auth0_id_token_options *o, const char *option, const char *message, const char *name)
{
	auth0_error *err = NULL;
	auth0_status st = auth0_id_token_validate(client, "not even a token", o, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "%s: invalid argument (checked before the token)", name);
	is_str(err ? err->option : NULL, option, "%s: names %s", name, option);
	is_str(err ? err->message : NULL, message, "%s: message", name);
	auth0_error_free(err);
}

static void test_before_any_key_lookup(void)
{
	/* A fresh client: nothing in process, the JWKS only in the store. alg none never reaches it. */
	char *t = mint("{\"alg\": \"none\", \"kid\": \"unknown\"}", NULL, "none", NULL, NULL);
	auth0_id_token_options o = opts();
	bad(t, &o, AUTH0_RULE_ALGORITHM,
	    "Signature algorithm of \"none\" is not supported. Expected the ID token to be signed with \"RS256\"",
	    "alg none");
	is_int(store.gets, 0, "alg none: the store was not even read (no key lookup)");
	is_int(fetch_attempts, 0, "alg none: no JWKS fetch");
	free(t);

	t = mint("{\"alg\": \"HS256\"}", NULL, "HS256", NULL, SECRET);
	bad(t, &o, AUTH0_RULE_ALGORITHM,
	    "Signature algorithm of \"HS256\" is not supported. Expected the ID token to be signed with "
	    "\"RS256\"",
	    "HS256 header under RS256");
	is_int(store.gets, 0, "HS256 header: no key lookup");
	free(t);
}

static void test_store_path(void)
{
	char *t = rs(NULL);
	auth0_id_token_options o = opts();
	good(t, &o, "valid RS256 token (keys from the store)");
	ok(store.gets >= 1, "the JWKS came from the store (%d gets)", store.gets);
	is_int(fetch_attempts, 0, "and nothing was fetched");
	int gets = store.gets;
	good(t, &o, "valid again");
	is_int(store.gets, gets, "second validation: process cache hit, store untouched");

	json_t *out = NULL;
	auth0_error *err = NULL;
	auth0_id_token_validate(client, t, &o, &out, &err);
	is_str(a0_json_str(out, "sub"), "auth0|alice", "claims: sub handed back");
	json_decref(out);
	ok(auth0_id_token_validate(client, t, &o, NULL, NULL) == AUTH0_OK, "claims and err may be NULL");
	free(t);
}

static void test_decode(void)
{
	auth0_id_token_options o = opts();
	const char *msg = "ID token could not be decoded";
	bad(NULL, &o, AUTH0_RULE_DECODE, msg, "NULL token");
	bad("", &o, AUTH0_RULE_DECODE, msg, "empty token");
	bad("abc", &o, AUTH0_RULE_DECODE, msg, "one part");
	bad("a.b", &o, AUTH0_RULE_DECODE, msg, "two parts");
	bad("a.b.c.d", &o, AUTH0_RULE_DECODE, msg, "four parts");
	bad("..", &o, AUTH0_RULE_DECODE, msg, "empty parts");
	bad("eyJhbGciOiJSUzI1NiJ9..sig", &o, AUTH0_RULE_DECODE, msg, "empty payload");
	bad("!!!.eyJ9.c2ln", &o, AUTH0_RULE_DECODE, msg, "header not base64url");

	char *t = m_sign("not json", "{}", "RS256", rsa, NULL);
	bad(t, &o, AUTH0_RULE_DECODE, msg, "header not JSON");
	free(t);
	t = m_sign("[\"RS256\"]", "{}", "RS256", rsa, NULL);
	bad(t, &o, AUTH0_RULE_DECODE, msg, "header a JSON array");
	free(t);
	t = m_sign("{\"alg\":\"RS256\",\"kid\":\"k1\"}", "\"a string\"", "RS256", rsa, NULL);
	bad(t, &o, AUTH0_RULE_DECODE, msg, "payload not an object");
	free(t);
	t = m_sign("{\"alg\":\"RS256\",\"kid\":\"k1\"}", "{\"exp\": 99999999999999999999999}", "RS256", rsa,
	           NULL);
	bad(t, &o, AUTH0_RULE_DECODE, msg, "integer too big for JSON parsing");
	free(t);
	t = m_sign("{\"alg\":\"RS256\",\"kid\":\"k1\\u0000x\"}", "{}", "RS256", rsa, NULL);
	bad(t, &o, AUTH0_RULE_DECODE, msg, "NUL inside the kid");
	free(t);
	/* a validly signed token that names an extension it requires us to understand (RFC 7515 4.1.11) */
	bad_minted("{\"crit\": [\"exp\"], \"exp\": 1}", NULL, "RS256", NULL, NULL, &o, AUTH0_RULE_ALGORITHM,
	           "The ID token names critical header parameters (crit) that are not supported",
	           "a crit header is refused");

	/* standard base64 alphabet where base64url is required */
	t = rs(NULL);
	char *sig = strrchr(t, '.') + 1;
	sig[0] = '+';
	bad(t, &o, AUTH0_RULE_DECODE, msg, "'+' in the signature part");
	free(t);

	size_t huge = 70000;
	char *big = malloc(huge + 1);
	memset(big, 'A', huge);
	big[100] = '.';
	big[200] = '.';
	big[huge] = '\0';
	bad(big, &o, AUTH0_RULE_DECODE, msg, "a 70 kB token is refused before decoding");
	free(big);

	unsigned char junk[300];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	char *j = m_b64url(junk, sizeof(junk));
	char *garbage = malloc(3 * strlen(j) + 3);
	sprintf(garbage, "%s.%s.%s", j, j, j);
	bad(garbage, &o, AUTH0_RULE_DECODE, msg, "binary garbage");
	free(garbage);
	free(j);
}

static void test_algorithm(void)
{
	auth0_id_token_options o = opts();
	char *t = mint("{\"alg\": \"RS384\"}", NULL, "RS384", NULL, NULL);
	bad(t, &o, AUTH0_RULE_ALGORITHM,
	    "Signature algorithm of \"RS384\" is not supported. Expected the ID token to be signed with "
	    "\"RS256\"",
	    "RS384");
	free(t);
	bad_minted("{\"alg\": \"rs256\"}", NULL, "RS256", NULL, NULL, &o, AUTH0_RULE_ALGORITHM, NULL,
	           "alg compared case-sensitively");
	bad_minted("{\"alg\": null}", NULL, "RS256", NULL, NULL, &o, AUTH0_RULE_ALGORITHM,
	           "Signature algorithm of \"\" is not supported. Expected the ID token to be signed with \"RS256\"",
	           "no alg");
	bad_minted("{\"alg\": 256}", NULL, "RS256", NULL, NULL, &o, AUTH0_RULE_ALGORITHM, NULL, "alg not a string");
	bad_minted("{\"alg\": \"None\"}", NULL, "none", NULL, NULL, &o, AUTH0_RULE_ALGORITHM, NULL, "alg None");
	bad_minted("{\"alg\": \"ES256\", \"kid\": \"k-ec\"}", NULL, "ES256", ec, NULL, &o, AUTH0_RULE_ALGORITHM, NULL,
	           "ES256 is not an ID token algorithm");

	/* Confusion: HS256 with the RSA public key (PEM) as the HMAC secret. */
	char *pem = m_public_pem(rsa);
	t = mint("{\"alg\": \"HS256\"}", NULL, "HS256", NULL, pem);
	bad(t, &o, AUTH0_RULE_ALGORITHM, NULL, "HS256 signed with the RSA public key, RS256 expected");
	o.algorithm = AUTH0_ALG_HS256;
	bad(t, &o, AUTH0_RULE_SIGNATURE, "Invalid ID token signature",
	       "HS256 signed with the RSA public key, HS256 expected: the client secret is the key");
	free(t);
	free(pem);

	t = rs(NULL);
	bad(t, &o, AUTH0_RULE_ALGORITHM,
	    "Signature algorithm of \"RS256\" is not supported. Expected the ID token to be signed with "
	    "\"HS256\"",
	    "RS256 token when HS256 is expected");
	free(t);
}

static void test_hs256(void)
{
	auth0_id_token_options o = opts();
	o.algorithm = AUTH0_ALG_HS256;
	char *t = mint("{\"alg\": \"HS256\", \"kid\": null}", NULL, "HS256", NULL, SECRET);
	good(t, &o, "HS256 with the client secret");
	o.hs256_secret = "another-secret-another-secret-xx";
	bad(t, &o, AUTH0_RULE_SIGNATURE, "Invalid ID token signature", "HS256 with another secret");
	free(t);
	t = mint("{\"alg\": \"HS256\"}", NULL, "HS256", NULL, "another-secret-another-secret-xx");
	good(t, &o, "HS256 with hs256_secret");
	m_flip_signature(t);
	bad(t, &o, AUTH0_RULE_SIGNATURE, "Invalid ID token signature", "HS256 flipped bit");
	free(t);
	bad_minted("{\"alg\": \"HS256\"}", NULL, "none", NULL, NULL, &o, AUTH0_RULE_SIGNATURE,
	           "Invalid ID token signature", "HS256 header, empty signature");

	auth0_client *nosecret = new_client(NULL, NULL, NULL, 60);
	o.hs256_secret = NULL;
	auth0_error *err = NULL;
	is_int(auth0_id_token_validate(nosecret, "x", &o, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "HS256 without any secret: invalid argument");
	is_str(err ? err->message : NULL, "Must supply a valid secret", "HS256 without secret: message");
	auth0_error_free(err);
	auth0_client_free(nosecret);
}

/*
 * PS256 (AUTH0_ALG_PS256): RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt, keys from the JWKS.
 * Auth0 signs with its RSA keys, published without "alg" (k-other here); a JWK that says RS256 (k1) or
 * another algorithm does not verify it. The algorithm stays pinned both ways.
 */
static void test_ps256(void)
{
	auth0_id_token_options o = opts();
	o.algorithm = AUTH0_ALG_PS256;
	const char *sig_msg = "Invalid ID token signature";
	char *t = mint("{\"alg\": \"PS256\", \"kid\": \"k-other\"}", NULL, "PS256", rsa_other, NULL);
	good(t, &o, "PS256 configured: a PS256 token, key without alg");

	auth0_id_token_options rs = opts();
	bad(t, &rs, AUTH0_RULE_ALGORITHM,
	    "Signature algorithm of \"PS256\" is not supported. Expected the ID token to be signed with \"RS256\"",
	    "RS256 configured (default): the PS256 token is refused");
	auth0_id_token_options hs = opts();
	hs.algorithm = AUTH0_ALG_HS256;
	bad(t, &hs, AUTH0_RULE_ALGORITHM, NULL, "HS256 configured: the PS256 token is refused");
	m_flip_signature(t);
	bad(t, &o, AUTH0_RULE_SIGNATURE, sig_msg, "PS256 flipped bit");
	free(t);

	good_minted("{\"alg\": \"PS256\", \"kid\": \"k-ps\"}", NULL, "PS256", NULL, NULL, &o,
	            "PS256 with a JWK that says PS256");
	bad_minted("{\"alg\": \"PS256\"}", NULL, "PS256", NULL, NULL, &o, AUTH0_RULE_KEY,
	           "Could not find a public key for Key ID (kid) \"k1\"",
	           "a JWK that says RS256 does not verify PS256 (the same RSA key)");
	bad_minted("{\"alg\": \"PS256\", \"kid\": \"k-rs512\"}", NULL, "PS256", rsa_other, NULL, &o, AUTH0_RULE_KEY, NULL,
	           "nor one that says RS512");
	bad_minted("{\"alg\": \"PS256\", \"kid\": \"k-ec\"}", NULL, "ES256", ec, NULL, &o, AUTH0_RULE_KEY, NULL,
	           "nor an EC key");

	bad_minted("{\"kid\": \"k-other\"}", NULL, "RS256", rsa_other, NULL, &o, AUTH0_RULE_ALGORITHM,
	           "Signature algorithm of \"RS256\" is not supported. Expected the ID token to be signed with \"PS256\"",
	           "PS256 configured: an RS256 token is refused");
	const char *others[][2] = {
		{ "{\"alg\": \"PS384\", \"kid\": \"k-other\"}", "PS384" },
		{ "{\"alg\": \"PS512\", \"kid\": \"k-other\"}", "PS512" },
		{ "{\"alg\": \"ps256\", \"kid\": \"k-other\"}", "PS256" },
		{ "{\"alg\": \"none\", \"kid\": \"k-other\"}", "none" },
	};
	for (size_t i = 0; i < A0_ARRAY_LEN(others); i++) {
		t = mint(others[i][0], NULL, others[i][1], rsa_other, NULL);
		bad(t, &o, AUTH0_RULE_ALGORITHM, NULL, others[i][0]);
		free(t);
	}
	char *pem = m_public_pem(rsa_other);
	bad_minted("{\"alg\": \"HS256\", \"kid\": \"k-other\"}", NULL, "HS256", NULL, pem, &o, AUTH0_RULE_ALGORITHM, NULL,
	           "PS256 configured: HS256 keyed with the public key is refused");
	free(pem);

	/* RFC 7518 3.5 fixes the PSS parameters: other salt lengths or MGF1 hashes are not PS256. */
	good_minted("{\"alg\": \"PS256\", \"kid\": \"k-other\"}", NULL, "PS256/salt=32/mgf1=SHA256", rsa_other, NULL, &o,
	            "salt 32, MGF1-SHA-256 spelt out (the minting knobs work)");
	t = mint("{\"alg\": \"PS256\", \"kid\": \"k-other\"}", NULL, "PS256", rsa_other, NULL);
	const char *broken[][2] = {
		{ "PS256/salt=20", "salt of 20 bytes" },
		{ "PS256/salt=0", "no salt" },
		{ "PS256/salt=64", "salt of 64 bytes" },
		{ "PS256/mgf1=SHA1", "MGF1 with SHA-1" },
		{ "PS256/mgf1=SHA384", "MGF1 with SHA-384" },
		{ "PS384", "PSS over SHA-384 under a PS256 header" },
		{ "RS256", "PKCS#1 v1.5 under a PS256 header" },
	};
	for (size_t i = 0; i < A0_ARRAY_LEN(broken); i++) {
		free(t);
		t = mint("{\"alg\": \"PS256\", \"kid\": \"k-other\"}", NULL, broken[i][0], rsa_other, NULL);
		bad(t, &o, AUTH0_RULE_SIGNATURE, sig_msg, broken[i][1]);
	}
	free(t);

	/* past the signature, the claims are those of any ID token */
	bad_minted("{\"alg\": \"PS256\", \"kid\": \"k-other\"}", "{\"aud\": \"someone-else\"}", "PS256", rsa_other, NULL,
	           &o, AUTH0_RULE_AUDIENCE, NULL, "PS256: claims checked (aud)");
}

static void test_key(void)
{
	auth0_id_token_options o = opts();
	int attempts = fetch_attempts;
	char *t = mint("{\"kid\": \"nope\"}", NULL, "RS256", NULL, NULL);
	bad(t, &o, RULE_UNKNOWN_KID, NULL, "unknown kid (the refetch fails)");
	free(t);
	is_int(fetch_attempts, attempts + 1, "unknown kid: one refetch attempt");
	is_int(stale_warnings, 1, "the failed refetch kept the cached keys (stale fallback warning)");
	accept_claims(NULL, &o, "cached keys still serve after the failed refetch");

	const char *kids[] = {
		"../../../../etc/passwd", "k1 ", "K1", "k1/../k1", "%6b1", "http://evil/jwks.json"
	};
	for (size_t i = 0; i < A0_ARRAY_LEN(kids); i++) {
		json_t *h = header(NULL);
		json_object_set_new(h, "kid", json_string(kids[i]));
		json_t *c = claims(NULL);
		t = m_sign_json(h, c, "RS256", rsa, NULL);
		char name[100];
		snprintf(name, sizeof(name), "kid trick '%s'", kids[i]);
		bad(t, &o, RULE_UNKNOWN_KID, NULL, name);
		json_decref(h);
		json_decref(c);
		free(t);
	}
	is_int(fetch_attempts, attempts + 1, "a storm of unknown kids: no further refetch within the interval");

	bad_minted("{\"kid\": null}", NULL, "RS256", NULL, NULL, &o, AUTH0_RULE_KEY,
	           "Could not find a public key for Key ID (kid) \"\"", "no kid");
	bad_minted("{\"kid\": 1}", NULL, "RS256", NULL, NULL, &o, AUTH0_RULE_KEY,
	           "Could not find a public key for Key ID (kid) \"\"", "kid not a string");
	bad_minted("{\"kid\": \"k-ec\"}", NULL, "RS256", NULL, NULL, &o, AUTH0_RULE_KEY, NULL,
	           "kid of an EC key for an RS256 token");
	bad_minted("{\"kid\": \"k-small\"}", NULL, "RS256", rsa_small, NULL, &o, RULE_UNKNOWN_KID, NULL,
	           "kid of a 1024-bit RSA key (refused at import)");
	bad_minted("{\"kid\": \"k-rs512\"}", NULL, "RS256", rsa_other, NULL, &o, AUTH0_RULE_KEY, NULL,
	           "kid of a key whose JWK says alg RS512");
	bad_minted("{\"kid\": \"k-enc\"}", NULL, "RS256", rsa_other, NULL, &o, RULE_UNKNOWN_KID, NULL,
	           "kid of an encryption key (use enc)");
	good_minted("{\"kid\": \"k-other\"}", NULL, "RS256", rsa_other, NULL, &o,
	            "second RSA key of the set, no alg member");
	is_int(fetch_attempts, attempts + 1, "still a single refetch attempt");
}

static void test_signature(void)
{
	auth0_id_token_options o = opts();
	const char *msg = "Invalid ID token signature";
	char *t = rs(NULL);
	m_flip_signature(t);
	bad(t, &o, AUTH0_RULE_SIGNATURE, msg, "flipped signature bit");
	free(t);
	bad_minted(NULL, NULL, "RS256", rsa_other, NULL, &o, AUTH0_RULE_SIGNATURE, msg,
	           "signed by another key with our kid");
	bad_minted(NULL, NULL, "none", NULL, NULL, &o, AUTH0_RULE_SIGNATURE, msg, "RS256 header, empty signature");
	bad_minted(NULL, NULL, "PS256", NULL, NULL, &o, AUTH0_RULE_SIGNATURE, msg,
	           "PS256 signature under an RS256 header");
	t = rs(NULL);
	t[strlen(t) - 10] = '\0';
	bad(t, &o, AUTH0_RULE_SIGNATURE, msg, "truncated signature");
	free(t);
	/* The payload changed after signing. */
	t = rs(NULL);
	char *other = rs("{\"sub\": \"auth0|mallory\"}");
	char *d1 = strchr(t, '.'), *d2 = strchr(d1 + 1, '.');
	char *o1 = strchr(other, '.'), *o2 = strchr(o1 + 1, '.');
	char spliced[4096];
	snprintf(spliced, sizeof(spliced), "%.*s%.*s%s", (int)(d1 - t), t, (int)(o2 - o1), o1, d2);
	bad(spliced, &o, AUTH0_RULE_SIGNATURE, msg, "payload swapped under a valid signature");
	free(t);
	free(other);
}

static void test_params(void)
{
	auth0_id_token_options o = opts();
	o.leeway = AUTH0_INT(-1);
	param(&o, "leeway", "Must supply a valid leeway", "negative leeway");
	o = opts();
	o.nonce = "";
	param(&o, "nonce", "Must supply a valid nonce", "empty nonce");
	o = opts();
	o.issuer = "";
	param(&o, "issuer", "Must supply a valid issuer", "empty issuer");
	o = opts();
	o.audience = "";
	param(&o, "audience", "Must supply a valid audience", "empty audience");
	o = opts();
	o.organization = "";
	param(&o, "organization", "Must supply a valid organization", "empty organization");
	o = opts();
	o.max_age = AUTH0_INT(-5);
	param(&o, "max_age", "Must supply a valid max_age", "negative max_age");
	o = opts();
	o.algorithm = (auth0_id_token_alg)7;
	param(&o, "algorithm", "Signature algorithm of \"7\" is not supported", "unknown algorithm");
	o = opts();
	o.algorithm = AUTH0_ALG_HS256;
	o.hs256_secret = "";
	param(&o, "hs256_secret", "Must supply a valid secret", "empty hs256_secret");

	auth0_error *err = NULL;
	is_int(auth0_id_token_validate(NULL, "x", NULL, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT, "NULL client");
	auth0_error_free(err);
	auth0_client *noid = NULL;
	auth0_client_options co;
	auth0_client_options_init(&co);
	co.domain = DOMAIN;
	auth0_client_new(&noid, &co, NULL);
	err = NULL;
	is_int(auth0_id_token_validate(noid, "x", NULL, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "no audience and no client id");
	is_str(err ? err->message : NULL, "Must supply a valid audience", "no audience: message");
	auth0_error_free(err);
	auth0_client_free(noid);

	o = opts();
	o.leeway = AUTH0_INT(0);
	o.max_age = AUTH0_INT(0);
	char *t = rs("{\"auth_time\": 1700000001}");
	good(t, &o, "leeway 0 and max_age 0 are valid parameters");
	free(t);
}

static void test_iss(void)
{
	auth0_id_token_options o = opts();
	reject_claims("{\"iss\": null}", &o, AUTH0_RULE_ISSUER,
	              "Issuer (iss) claim must be a string present in the ID token", "iss missing");
	reject_claims("{\"iss\": 42}", &o, AUTH0_RULE_ISSUER,
	              "Issuer (iss) claim must be a string present in the ID token", "iss not a string");
	reject_claims("{\"iss\": \"https://127.0.0.1:9\"}", &o, AUTH0_RULE_ISSUER,
	              "Issuer (iss) claim mismatch in the ID token; expected \"https://127.0.0.1:9/\", found "
	              "\"https://127.0.0.1:9\"", "iss without the trailing slash");
	reject_claims("{\"iss\": \"https://evil.example/\\n[error] forged\"}", &o, AUTH0_RULE_ISSUER,
	              "Issuer (iss) claim mismatch in the ID token; expected \"https://127.0.0.1:9/\", found "
	              "\"https://evil.example/?[error] forged\"",
	              "control characters are not copied into messages");
	o.issuer = "https://login.example.com/";
	reject_claims(NULL, &o, AUTH0_RULE_ISSUER, NULL, "explicit issuer");
	accept_claims("{\"iss\": \"https://login.example.com/\"}", &o, "explicit issuer matches");

	char *longiss = malloc(10001);
	memset(longiss, 'x', 10000);
	longiss[10000] = '\0';
	json_t *c = claims(NULL);
	json_object_set_new(c, "iss", json_string(longiss));
	json_t *h = header(NULL);
	char *t = m_sign_json(h, c, "RS256", rsa, NULL);
	auth0_error *err = NULL;
	o = opts();
	auth0_id_token_validate(client, t, &o, NULL, &err);
	ok(err && strlen(err->message) < 400 && strstr(err->message, "...\""),
	   "a 10 kB iss is truncated in the message");
	auth0_error_free(err);
	free(t);
	free(longiss);
	json_decref(c);
	json_decref(h);
}

static void test_sub(void)
{
	auth0_id_token_options o = opts();
	reject_claims("{\"sub\": null}", &o, AUTH0_RULE_SUBJECT,
	              "Subject (sub) claim must be a string present in the ID token", "sub missing");
	reject_claims("{\"sub\": 123}", &o, AUTH0_RULE_SUBJECT,
	              "Subject (sub) claim must be a string present in the ID token", "sub not a string");
}

static void test_aud(void)
{
	auth0_id_token_options o = opts();
	const char *shape = "Audience (aud) claim must be a string or array of strings present in the ID token";
	reject_claims("{\"aud\": null}", &o, AUTH0_RULE_AUDIENCE, shape, "aud missing");
	reject_claims("{\"aud\": 5}", &o, AUTH0_RULE_AUDIENCE, shape, "aud a number");
	reject_claims("{\"aud\": [\"test-client\", 5]}", &o, AUTH0_RULE_AUDIENCE, shape,
	              "aud array with a number");
	reject_claims("{\"aud\": \"other\"}", &o, AUTH0_RULE_AUDIENCE,
	              "Audience (aud) claim mismatch in the ID token; expected \"test-client\", found \"other\"",
	              "aud string mismatch");
	reject_claims("{\"aud\": [\"a\", \"b\"]}", &o, AUTH0_RULE_AUDIENCE,
	              "Audience (aud) claim mismatch in the ID token; expected \"test-client\" but was not one "
	              "of "
	              "\"a, b\"",
	              "aud array mismatch");
	reject_claims("{\"aud\": []}", &o, AUTH0_RULE_AUDIENCE,
	              "Audience (aud) claim mismatch in the ID token; expected \"test-client\" but was not one "
	              "of "
	              "\"\"",
	              "aud empty array");
	reject_claims("{\"aud\": \"TEST-CLIENT\"}", &o, AUTH0_RULE_AUDIENCE, NULL,
	              "aud compared case-sensitively");
	accept_claims("{\"aud\": [\"test-client\"]}", &o, "aud array of one");
	o.audience = "my-api";
	accept_claims("{\"aud\": \"my-api\"}", &o, "explicit audience");
}

static void test_exp(void)
{
	auth0_id_token_options o = opts();
	const char *shape = "Expiration Time (exp) claim must be a number present in the ID token";
	reject_claims("{\"exp\": null}", &o, AUTH0_RULE_EXPIRED, shape, "exp missing");
	reject_claims("{\"exp\": \"1700003600\"}", &o, AUTH0_RULE_EXPIRED, shape, "exp a string");
	reject_claims("{\"exp\": 1700003600.0}", &o, AUTH0_RULE_EXPIRED, shape, "exp a real number");
	reject_claims("{\"exp\": true}", &o, AUTH0_RULE_EXPIRED, shape, "exp a boolean");

	/* default leeway 60: valid while now < exp + 60 */
	accept_claims("{\"exp\": 1699999941}", &o, "exp 59 s ago: within the default leeway");
	reject_claims("{\"exp\": 1699999940}", &o, AUTH0_RULE_EXPIRED,
	              "Expiration Time (exp) claim mismatch in the ID token; current time \"1700000000\" is "
	              "after "
	              "expiration time \"1700000000\"",
	              "exp exactly leeway ago: expired");
	o.leeway = AUTH0_INT(0);
	accept_claims("{\"exp\": 1700000001}", &o, "leeway 0: exp one second ahead");
	reject_claims("{\"exp\": 1700000000}", &o, AUTH0_RULE_EXPIRED,
	              "Expiration Time (exp) claim mismatch in the ID token; current time \"1700000000\" is "
	              "after "
	              "expiration time \"1700000000\"",
	              "leeway 0: exp == now is expired");
	o.leeway = AUTH0_INT(300);
	accept_claims("{\"exp\": 1699999701}", &o, "leeway 300 s");
	o = opts();
	accept_claims("{\"exp\": 9223372036854775807}", &o, "exp at INT64_MAX (no overflow)");
	reject_claims("{\"exp\": -9223372036854775807}", &o, AUTH0_RULE_EXPIRED, NULL, "exp near INT64_MIN");
	o.leeway = AUTH0_INT(INT64_MAX);
	accept_claims("{\"exp\": 1}", &o, "huge leeway saturates instead of overflowing");
}

static void test_iat(void)
{
	auth0_id_token_options o = opts();
	const char *shape = "Issued At (iat) claim must be a number present in the ID token";
	reject_claims("{\"iat\": null}", &o, AUTH0_RULE_ISSUED_AT, shape, "iat missing");
	reject_claims("{\"iat\": 1.7e9}", &o, AUTH0_RULE_ISSUED_AT, shape, "iat a real number");
	reject_claims("{\"iat\": \"now\"}", &o, AUTH0_RULE_ISSUED_AT, shape, "iat a string");
	accept_claims("{\"iat\": 1800000000}", &o, "iat in the future is not compared (as the SDK)");
}

static void test_nonce(void)
{
	auth0_id_token_options o = opts();
	accept_claims("{\"nonce\": \"whatever\"}", &o, "nonce claim ignored when none is expected");
	o.nonce = "n-0S6_WzA2Mj";
	reject_claims(NULL, &o, AUTH0_RULE_NONCE, "Nonce (nonce) claim must be a string present in the ID token",
	              "nonce missing");
	reject_claims("{\"nonce\": 12}", &o, AUTH0_RULE_NONCE,
	              "Nonce (nonce) claim must be a string present in the ID token", "nonce not a string");
	reject_claims("{\"nonce\": \"n-0S6_WzA2MJ\"}", &o, AUTH0_RULE_NONCE,
	              "Nonce (nonce) claim mismatch in the ID token; expected \"n-0S6_WzA2Mj\", found "
	              "\"n-0S6_WzA2MJ\"",
	              "nonce mismatch");
	accept_claims("{\"nonce\": \"n-0S6_WzA2Mj\"}", &o, "nonce matches");
}

static void test_azp(void)
{
	auth0_id_token_options o = opts();
	accept_claims("{\"aud\": [\"test-client\"], \"azp\": \"someone\"}", &o,
	              "azp not checked with a single audience");
	accept_claims("{\"azp\": \"someone\"}", &o, "azp not checked with a string audience");
	reject_claims("{\"aud\": [\"test-client\", \"https://api/\"]}", &o, AUTH0_RULE_AUTHORIZED_PARTY,
	              "Authorized Party (azp) claim must be a string present in the ID token", "azp missing");
	reject_claims("{\"aud\": [\"test-client\", \"https://api/\"], \"azp\": [\"test-client\"]}", &o,
	              AUTH0_RULE_AUTHORIZED_PARTY,
	              "Authorized Party (azp) claim must be a string present in the ID token",
	              "azp not a string");
	reject_claims("{\"aud\": [\"test-client\", \"https://api/\"], \"azp\": \"https://api/\"}", &o,
	              AUTH0_RULE_AUTHORIZED_PARTY,
	              "Authorized Party (azp) claim mismatch in the ID token; expected \"test-client\", found "
	              "\"https://api/\"", "azp mismatch");
	accept_claims("{\"aud\": [\"https://api/\", \"test-client\"], \"azp\": \"test-client\"}", &o,
	              "azp matches");
}

static void test_auth_time(void)
{
	auth0_id_token_options o = opts();
	accept_claims(NULL, &o, "auth_time not needed without max_age");
	o.max_age = AUTH0_INT(3600);
	reject_claims(NULL, &o, AUTH0_RULE_AUTH_TIME,
	              "Authentication Time (auth_time) claim must be a number present in the ID token when Max "
	              "Age "
	              "(max_age) is specified",
	              "auth_time missing");
	reject_claims("{\"auth_time\": 1699990000.5}", &o, AUTH0_RULE_AUTH_TIME, NULL, "auth_time a real number");
	/* valid while now < auth_time + max_age + leeway */
	accept_claims("{\"auth_time\": 1699996341}", &o, "auth_time at the boundary minus one second");
	reject_claims("{\"auth_time\": 1699996340}", &o, AUTH0_RULE_AUTH_TIME,
	              "Authentication Time (auth_time) claim in the ID token indicates that too much time has "
	              "passed "
	              "since the last end-user authentication. Current time \"1700000000\" is after last auth at "
	              "\"1700000000\"",
	              "auth_time exactly at the boundary");
	o.leeway = AUTH0_INT(0);
	reject_claims("{\"auth_time\": 1699996400}", &o, AUTH0_RULE_AUTH_TIME, NULL, "leeway 0 boundary");
	accept_claims("{\"auth_time\": 1699996401}", &o, "leeway 0 one second inside");
	o = opts();
	o.max_age = AUTH0_INT(INT64_MAX);
	accept_claims("{\"auth_time\": 9223372036854775807}", &o, "auth_time + max_age saturate");
}

static void test_org(void)
{
	auth0_id_token_options o = opts();
	o.organization = "org_acme123";
	reject_claims(NULL, &o, AUTH0_RULE_ORGANIZATION,
	              "Organization Id (org_id) claim must be a string present in the ID token",
	              "org_id missing");
	reject_claims("{\"org_id\": \"org_ACME123\"}", &o, AUTH0_RULE_ORGANIZATION,
	              "Organization Id (org_id) claim value mismatch in the ID token; expected \"org_acme123\", "
	              "found "
	              "\"org_ACME123\"",
	              "org_id compared exactly");
	reject_claims("{\"org_name\": \"org_acme123\"}", &o, AUTH0_RULE_ORGANIZATION, NULL,
	              "org_ expected: org_name does not count");
	accept_claims("{\"org_id\": \"org_acme123\"}", &o, "org_id matches");

	o.organization = "Acme";
	reject_claims(NULL, &o, AUTH0_RULE_ORGANIZATION,
	              "Organization Name (org_name) claim must be a string present in the ID token",
	              "org_name missing");
	accept_claims("{\"org_name\": \"acme\"}", &o, "expected name lower-cased");
	reject_claims("{\"org_name\": \"Acme\"}", &o, AUTH0_RULE_ORGANIZATION,
	              "Organization Name (org_name) claim value mismatch in the ID token; expected \"acme\", "
	              "found \"Acme\"",
	              "the claim is not lower-cased");
	reject_claims("{\"org_id\": \"Acme\"}", &o, AUTH0_RULE_ORGANIZATION, NULL,
	              "a name is not looked for in org_id");
	o.organization = "ORG_acme123";
	accept_claims("{\"org_name\": \"org_acme123\"}", &o, "ORG_ prefix is not an id (case-sensitive prefix)");

	/* The client's organization is the default; an explicit one replaces it. */
	auth0_client *withorg = new_client(SECRET, "ACME", &store, 60);
	o = opts();
	char *t = rs("{\"org_name\": \"acme\"}");
	accept_on(withorg, t, &o, "client organization (name) as default");
	free(t);
	t = rs(NULL);
	reject_on(withorg, t, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_ORGANIZATION, NULL,
	          "client organization enforced");
	o.organization = "org_x";
	free(t);
	t = rs("{\"org_id\": \"org_x\"}");
	accept_on(withorg, t, &o, "explicit organization wins");
	free(t);
	auth0_client_free(withorg);
}

static void test_order(void)
{
	auth0_id_token_options o = opts();
	o.nonce = "abc";
	o.max_age = AUTH0_INT(10);
	o.organization = "org_1";
	/* Each token breaks two adjacent rules: the earlier one is reported. */
	char *t = mint("{\"alg\": \"none\", \"kid\": \"nope\"}", NULL, "none", NULL, NULL);
	bad(t, &o, AUTH0_RULE_ALGORITHM, NULL, "order: algorithm before key");
	free(t);
	bad_minted("{\"kid\": \"nope\"}", "{\"iss\": null}", "RS256", NULL, NULL, &o, RULE_UNKNOWN_KID, NULL,
	           "order: key before signature and claims");
	t = rs("{\"iss\": null}");
	m_flip_signature(t);
	bad(t, &o, AUTH0_RULE_SIGNATURE, NULL, "order: signature before iss");
	free(t);
	reject_claims("{\"iss\": null, \"sub\": null}", &o, AUTH0_RULE_ISSUER, NULL, "order: iss before sub");
	reject_claims("{\"sub\": null, \"aud\": \"x\"}", &o, AUTH0_RULE_SUBJECT, NULL, "order: sub before aud");
	reject_claims("{\"aud\": \"x\", \"exp\": 1}", &o, AUTH0_RULE_AUDIENCE, NULL, "order: aud before exp");
	reject_claims("{\"exp\": 1, \"iat\": null}", &o, AUTH0_RULE_EXPIRED, NULL, "order: exp before iat");
	reject_claims("{\"iat\": null, \"nonce\": \"x\"}", &o, AUTH0_RULE_ISSUED_AT, NULL,
	              "order: iat before nonce");
	reject_claims("{\"nonce\": \"x\", \"aud\": [\"test-client\", \"b\"], \"azp\": \"b\"}", &o,
	              AUTH0_RULE_NONCE, NULL, "order: nonce before azp");
	reject_claims("{\"nonce\": \"abc\", \"aud\": [\"test-client\", \"b\"], \"azp\": \"b\", \"auth_time\": 1}",
	              &o, AUTH0_RULE_AUTHORIZED_PARTY, NULL, "order: azp before auth_time");
	reject_claims("{\"nonce\": \"abc\", \"auth_time\": 1, \"org_id\": \"org_2\"}", &o, AUTH0_RULE_AUTH_TIME,
	              NULL, "order: auth_time before organization");
	reject_claims("{\"nonce\": \"abc\", \"auth_time\": 1699999999, \"org_id\": \"org_2\"}", &o,
	              AUTH0_RULE_ORGANIZATION, NULL, "organization last");
	accept_claims("{\"nonce\": \"abc\", \"auth_time\": 1699999999, \"org_id\": \"org_1\"}", &o,
	              "all optional rules satisfied");

	o = opts();
	o.leeway = AUTH0_INT(-1);
	auth0_error *err = NULL;
	is_int(auth0_id_token_validate(client, NULL, &o, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "order: parameters are checked before the token (no network with bad arguments)");
	auth0_error_free(err);
}

/* Tokens made by cjose validate, and our tokens verify with cjose: two implementations agree. */
static void test_cjose_cross_check(void)
{
	cjose_err cerr;
	static const uint8_t e[] = { 1, 0, 1 };
	cjose_jwk_t *jwk = cjose_jwk_create_RSA_random(2048, e, sizeof(e), &cerr);
	cjose_jwk_set_kid(jwk, "cjose-key", 9, &cerr);
	char *pub = cjose_jwk_to_json(jwk, false, &cerr);
	json_t *pubj = json_loads(pub, 0, NULL);
	json_t *jwks = m_jwks(pubj, NULL);
	m_store st;
	m_store_init(&st);
	auth0_client *c = new_client(SECRET, NULL, &st, 60);
	char *key = a0_jwks_store_key(c);
	m_store_put_jwks(&st, key, jwks, a0_now());

	cjose_header_t *hdr = cjose_header_new(&cerr);
	cjose_header_set(hdr, CJOSE_HDR_ALG, "RS256", &cerr);
	cjose_header_set(hdr, CJOSE_HDR_KID, "cjose-key", &cerr);
	json_t *cl = claims(NULL);
	char *payload = json_dumps(cl, JSON_COMPACT);
	cjose_jws_t *jws = cjose_jws_sign(jwk, hdr, (const uint8_t *)payload, strlen(payload), &cerr);
	const char *compact = NULL;
	cjose_jws_export(jws, &compact, &cerr);
	auth0_id_token_options o = opts();
	accept_on(c, compact, &o, "a token signed by cjose");

	/* and the other way round */
	json_t *ourjwk = m_jwk(rsa, "k1", NULL);
	char *ourjson = json_dumps(ourjwk, JSON_COMPACT);
	cjose_jwk_t *theirs = cjose_jwk_import(ourjson, strlen(ourjson), &cerr);
	char *t = rs(NULL);
	cjose_jws_t *imported = cjose_jws_import(t, strlen(t), &cerr);
	ok(imported && cjose_jws_verify(imported, theirs, &cerr), "cjose verifies the test signer's token");
	m_flip_signature(t);
	cjose_jws_release(imported);
	imported = cjose_jws_import(t, strlen(t), &cerr);
	ok(imported && !cjose_jws_verify(imported, theirs, &cerr), "cjose rejects it once flipped");

	cjose_jws_release(imported);
	cjose_jwk_release(theirs);
	free(ourjson);
	json_decref(ourjwk);
	free(t);
	cjose_jws_release(jws);
	cjose_header_release(hdr);
	free(payload);
	json_decref(cl);
	free(key);
	auth0_client_free(c);
	m_store_clear(&st);
	json_decref(jwks);
	free(pub);
	cjose_jwk_release(jwk);
}

static void test_no_keys_anywhere(void)
{
	m_store st;
	m_store_init(&st);
	auth0_client *c = new_client(SECRET, NULL, &st, 60);
	char *t = rs(NULL);
	auth0_id_token_options o = opts();
	auth0_error *err = NULL;
	auth0_status s = auth0_id_token_validate(c, t, &o, NULL, &err);
	is_int(s, AUTH0_ERR_INVALID_TOKEN, "nothing cached and the tenant unreachable: invalid token");
	is_int(err ? (int)err->rule : -1, AUTH0_RULE_KEYS_UNAVAILABLE, "rule keys_unavailable (the token may be fine)");
	like(err ? err->message : NULL, "Could not fetch the JWK set: network: GET /.well-known/jwks.json",
	     "the message keeps the transport error kind");
	auth0_error_free(err);

	/* A corrupt store entry is ignored, not trusted. */
	char *key = a0_jwks_store_key(c);
	st.store.set(st.store.userdata, key, "{\"fetched_at\": 1, \"jwks\": 7}", 28, 0);
	err = NULL;
	is_int(auth0_id_token_validate(c, t, &o, NULL, &err), AUTH0_ERR_INVALID_TOKEN,
	       "corrupt store entry ignored");
	like(err ? err->message : NULL, "Could not fetch the JWK set", "corrupt store entry: fetch attempted");
	auth0_error_free(err);
	free(key);
	free(t);
	auth0_client_free(c);
	m_store_clear(&st);
}

int main(void)
{
	rsa = m_rsa_key(2048);
	rsa_other = m_rsa_key(2048);
	rsa_small = m_rsa_key(1024);
	ec = m_ec_key();
	json_t *jwks = m_jwks(m_jwk(rsa, "k1", "RS256"), m_jwk(ec, "k-ec", NULL),
	                      m_jwk(rsa_small, "k-small", "RS256"), m_jwk(rsa_other, "k-rs512", "RS512"),
	                      m_jwk(rsa_other, "k-other", NULL), m_jwk(rsa, "k-ps", "PS256"), NULL);
	json_t *enc = m_jwk(rsa_other, "k-enc", NULL);
	json_object_set_new(enc, "use", json_string("enc"));
	json_array_append_new(json_object_get(jwks, "keys"), enc);

	m_store_init(&store);
	client = new_client(SECRET, NULL, &store, 60);
	char *key = a0_jwks_store_key(client);
	ok(strncmp(key, "jwks:", 5) == 0, "store key is jwks:<hash> (%s)", key);
	m_store_put_jwks(&store, key, jwks, a0_now());
	store.gets = 0;

	test_before_any_key_lookup();
	test_store_path();
	test_decode();
	test_algorithm();
	test_hs256();
	test_ps256();
	test_key();
	test_signature();
	test_params();
	test_iss();
	test_sub();
	test_aud();
	test_exp();
	test_iat();
	test_nonce();
	test_azp();
	test_auth_time();
	test_org();
	test_order();
	test_cjose_cross_check();
	test_no_keys_anywhere();

	free(key);
	auth0_client_free(client);
	m_store_clear(&store);
	json_decref(jwks);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa_other);
	EVP_PKEY_free(rsa_small);
	EVP_PKEY_free(ec);
	return done_testing();
}
