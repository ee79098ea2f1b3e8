/*
 * auth0_access_token_validate without any network (keys injected through
 * the client's store, domain on a loopback port where nothing listens):
 * typ, the allowed algorithms (RSA, PSS, ECDSA; never HMAC or none), keys,
 * iss, aud, exp / nbf / iat with leeway, organization, rule order; then the
 * hot path: no store access per token, and many threads at once.
 */
#include "jwt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Offline, the refetch for a kid the keys lack fails: the token may be signed with a key the tenant rotated
 * to, so the rule is keys_unavailable (transient). With a tenant that answers it is key (test_jwks.c). */
#define RULE_UNKNOWN_KID AUTH0_RULE_KEYS_UNAVAILABLE
#include <time.h>

#include "jwt_mint.h"
#include "tap.h"

#define NOW ((int64_t)1700000000)
#define DOMAIN "127.0.0.1:9"
#define ISS "https://127.0.0.1:9/"
#define API "https://api.example.com/"

static EVP_PKEY *rsa, *rsa_other, *ec;
static auth0_client *client;
static m_store store;
static atomic_int fetch_attempts;

static void count_log(void *ud, auth0_log_level level, const char *line)
{
	(void)ud;
	(void)level;
	if (strstr(line, "/.well-known/jwks.json") && (strstr(line, "failed after") || strstr(line, " -> ")))
		atomic_fetch_add(&fetch_attempts, 1);
}

static char *mint(const char *hdr, const char *cl, const char *how, EVP_PKEY *key)
{
	json_t *h = m_modified(json_pack("{s:s, s:s, s:s}", "alg", "RS256", "typ", "at+jwt", "kid", "k1"), hdr);
	json_t *c = m_modified(json_pack("{s:s, s:s, s:[s, s], s:I, s:I, s:s, s:s}", "iss", ISS, "sub",
	                               "client@clients", "aud", API, ISS "userinfo", "exp",
	                               (json_int_t)(NOW + 3600), "iat", (json_int_t)NOW, "scope", "read:messages",
	                               "azp", "demo-m2m-client"),
	                     cl);
	char *t = m_sign_json(h, c, how, key ? key : rsa, "hmac-secret-hmac-secret-hmac-sec");
	json_decref(h);
	json_decref(c);
	return t;
}

static auth0_access_token_options opts(void)
{
	return (auth0_access_token_options){ .audience = API, .now = NOW };
}

static void good(const char *token, const auth0_access_token_options *o, const char *name)
{
	auth0_error *err = NULL;
	json_t *out = NULL;
	auth0_status st = auth0_access_token_validate(client, token, o, &out, &err);
	is_int(st, AUTH0_OK, "%s: accepted", name);
	if (err)
		diag("%s", err->message);
	ok(st != AUTH0_OK || a0_streq(a0_json_str(out, "scope"), "read:messages"), "%s: claims returned", name);
	json_decref(out);
	auth0_error_free(err);
}

static void bad(const char *token, const auth0_access_token_options *o, auth0_status kind,
                auth0_token_rule rule, const char *message, const char *name)
{
	auth0_error *err = NULL;
	json_t *out = NULL;
	auth0_status st = auth0_access_token_validate(client, token, o, &out, &err);
	is_int(st, kind, "%s: %s", name, auth0_status_name(kind));
	ok(out == NULL, "%s: no claims", name);
	if (kind == AUTH0_ERR_INVALID_TOKEN)
		is_int(err ? (int)err->rule : -1, rule, "%s: rule %s", name, auth0_token_rule_name(rule));
	if (message)
		is_str(err ? err->message : NULL, message, "%s: message", name);
	auth0_error_free(err);
}

/* mint + good/bad + free */
static void good_t(const char *hdr, const char *cl, const char *how, EVP_PKEY *key,
                   const auth0_access_token_options *o, const char *name)
{
	char *t = mint(hdr, cl, how, key);
	good(t, o, name);
	free(t);
}

static void bad_t(const char *hdr, const char *cl, const char *how, EVP_PKEY *key,
                  const auth0_access_token_options *o, auth0_token_rule rule, const char *message,
                  const char *name)
{
	char *t = mint(hdr, cl, how, key);
	bad(t, o, AUTH0_ERR_INVALID_TOKEN, rule, message, name);
	free(t);
}

static void test_arguments(void)
{
	char *t = mint(NULL, NULL, "RS256", NULL);
	bad(t, NULL, AUTH0_ERR_INVALID_ARGUMENT, 0, "Must supply a valid audience (your API's identifier)",
	    "options NULL: the audience is required");
	auth0_access_token_options o = opts();
	o.audience = "";
	bad(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, NULL, "empty audience");
	o = opts();
	o.issuer = "";
	bad(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "Must supply a valid issuer", "empty issuer");
	o = opts();
	o.organization = "";
	bad(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "Must supply a valid organization", "empty organization");
	o = opts();
	o.leeway = AUTH0_INT(-3);
	bad(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "Must supply a valid leeway", "negative leeway");
	const char *const hs[] = { "RS256", "HS256", NULL };
	const char *const none[] = { "none", NULL };
	const char *const empty[] = { NULL };
	const char *const unknown[] = { "RS257", NULL };
	o = opts();
	o.algorithms = hs;
	auth0_error *err = NULL;
	is_int(auth0_access_token_validate(client, t, &o, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "HS256 cannot be allowed (no shared secret for APIs here)");
	is_str(err ? err->option : NULL, "algorithms", "option named");
	like(err ? err->message : NULL, "\"HS256\" is not supported", "message names the algorithm");
	auth0_error_free(err);
	o.algorithms = none;
	bad(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, NULL, "\"none\" cannot be allowed");
	o.algorithms = empty;
	bad(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "Must supply at least one signature algorithm", "empty list");
	o.algorithms = unknown;
	bad(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, NULL, "unknown algorithm");
	err = NULL;
	is_int(auth0_access_token_validate(NULL, t, &o, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT, "NULL client");
	auth0_error_free(err);
	free(t);
}

static void test_decode(void)
{
	auth0_access_token_options o = opts();
	bad(NULL, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_DECODE, "Access token could not be decoded",
	    "NULL token");
	bad("opaque-token-value", &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_DECODE,
	    "Access token could not be decoded", "an opaque access token");
	bad("e30.e30.e30.e30", &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_DECODE, NULL, "four parts");

	/* A token has one spelling: no padding, no set bits past the signature's last byte. */
	char *t = mint(NULL, NULL, "RS256", NULL);
	size_t n = strlen(t);
	good(t, &o, "the minted token itself");
	char *padded = malloc(n + 3);
	snprintf(padded, n + 3, "%s==", t);
	bad(padded, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_DECODE, NULL, "the signature padded with ==");
	free(padded);
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *at = strchr(alphabet, t[n - 1]);
	ok(at != NULL && strlen(strrchr(t, '.') + 1) % 4 != 0,
	   "the signature (RS256, 256 bytes) ends in a partial group, whose lowest bit is unused");
	if (at) {
		t[n - 1] = alphabet[(at - alphabet) ^ 1];
		bad(t, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_DECODE, NULL,
		    "the signature's last character with its lowest (unused) bit flipped");
	}
	free(t);
}

static void test_typ(void)
{
	auth0_access_token_options o = opts();
	const char *good_types[] = {
		"at+jwt", "AT+JWT", "application/at+jwt", "Application/At+JWT", "JWT", "jwt"
	};
	for (size_t i = 0; i < A0_ARRAY_LEN(good_types); i++) {
		char hdr[100], name[100];
		snprintf(hdr, sizeof(hdr), "{\"typ\": \"%s\"}", good_types[i]);
		snprintf(name, sizeof(name), "typ %s", good_types[i]);
		good_t(hdr, NULL, "RS256", NULL, &o, name);
	}
	good_t("{\"typ\": null}", NULL, "RS256", NULL, &o, "no typ");
	bad_t("{\"typ\": \"JOSE\"}", NULL, "RS256", NULL, &o, AUTH0_RULE_TYPE,
	      "Type (typ) header of the access token must be \"at+jwt\", \"application/at+jwt\" or \"JWT\"; "
	      "found \"JOSE\"",
	      "typ JOSE");
	bad_t("{\"typ\": \"id_token+jwt\"}", NULL, "RS256", NULL, &o, AUTH0_RULE_TYPE, NULL,
	      "typ of another token kind");
	bad_t("{\"typ\": \"at+jwt \"}", NULL, "RS256", NULL, &o, AUTH0_RULE_TYPE, NULL,
	      "typ with a trailing space");
	bad_t("{\"typ\": \"\"}", NULL, "RS256", NULL, &o, AUTH0_RULE_TYPE, NULL, "empty typ");
	bad_t("{\"typ\": 1}", NULL, "RS256", NULL, &o, AUTH0_RULE_TYPE,
	      "Type (typ) header of the access token must be \"at+jwt\", \"application/at+jwt\" or \"JWT\"; "
	      "found \"\"",
	      "typ not a string");
	bad_t("{\"crit\": [\"b64\"], \"b64\": false}", NULL, "RS256", NULL, &o, AUTH0_RULE_ALGORITHM,
	      "The access token names critical header parameters (crit) that are not supported",
	      "a crit header is refused (RFC 7515 4.1.11)");
}

static void test_algorithms(void)
{
	auth0_access_token_options o = opts();
	bad_t("{\"alg\": \"PS256\"}", NULL, "PS256", NULL, &o, AUTH0_RULE_ALGORITHM,
	      "Signature algorithm of \"PS256\" is not supported. Expected the access token to be signed with "
	      "\"RS256\"",
	      "default: RS256 only");
	bad_t("{\"alg\": \"none\"}", NULL, "none", NULL, &o, AUTH0_RULE_ALGORITHM, NULL, "alg none");
	char *pem = m_public_pem(rsa);
	json_t *h = json_pack("{s:s, s:s, s:s}", "alg", "HS256", "typ", "at+jwt", "kid", "k1");
	json_t *c = json_pack("{s:s, s:s, s:I, s:I}", "iss", ISS, "aud", API, "exp", (json_int_t)(NOW + 60),
	                      "iat", (json_int_t)NOW);
	char *t = m_sign_json(h, c, "HS256", NULL, pem);
	bad(t, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_ALGORITHM, NULL, "HS256 signed with the RSA public key");
	free(t);
	json_decref(h);
	json_decref(c);
	free(pem);

	const char *const rs_ps[] = { "RS256", "PS256", NULL };
	o.algorithms = rs_ps;
	good_t("{\"alg\": \"PS256\"}", NULL, "PS256", NULL, &o, "PS256 when allowed");
	good_t(NULL, NULL, "RS256", NULL, &o, "RS256 still allowed");
	bad_t("{\"alg\": \"none\"}", NULL, "none", NULL, &o, AUTH0_RULE_ALGORITHM,
	      "Signature algorithm of \"none\" is not supported. Expected the access token to be signed with "
	      "\"RS256, "
	      "PS256\"",
	      "alg none with a list");
	bad_t("{\"alg\": \"PS256\"}", NULL, "RS256", NULL, &o, AUTH0_RULE_SIGNATURE, NULL,
	      "PKCS#1 v1.5 signature under a PS256 header");
	bad_t("{\"alg\": \"RS256\"}", NULL, "PS256", NULL, &o, AUTH0_RULE_SIGNATURE, NULL,
	      "PSS signature under an RS256 header");
	bad_t("{\"alg\": \"RS256\", \"kid\": \"k-ps\"}", NULL, "RS256", rsa_other, &o, AUTH0_RULE_KEY, NULL,
	      "a key whose JWK says PS256 cannot verify RS256");
	good_t("{\"alg\": \"PS256\", \"kid\": \"k-ps\"}", NULL, "PS256", rsa_other, &o, "and verifies PS256");

	const char *const es[] = { "ES256", "RS256", NULL };
	o.algorithms = es;
	good_t("{\"alg\": \"ES256\", \"kid\": \"k-ec\"}", NULL, "ES256", ec, &o, "ES256 with the EC key");
	t = mint("{\"alg\": \"ES256\", \"kid\": \"k-ec\"}", NULL, "ES256", ec);
	m_flip_signature(t);
	bad(t, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_SIGNATURE, "Invalid access token signature",
	    "ES256 flipped");
	free(t);
	bad_t("{\"alg\": \"ES256\", \"kid\": \"k1\"}", NULL, "ES256", ec, &o, AUTH0_RULE_KEY, NULL,
	      "ES256 header naming an RSA key");
	bad_t("{\"alg\": \"RS256\", \"kid\": \"k-ec\"}", NULL, "RS256", NULL, &o, AUTH0_RULE_KEY, NULL,
	      "RS256 header naming the EC key");
	/* An RSA signature is no ECDSA r || s. */
	bad_t("{\"alg\": \"ES256\", \"kid\": \"k-ec\"}", NULL, "RS256", NULL, &o, AUTH0_RULE_SIGNATURE, NULL,
	      "ES256 header with a 256-byte signature");
}

static void test_keys_and_signature(void)
{
	auth0_access_token_options o = opts();
	bad_t("{\"kid\": \"nope\"}", NULL, "RS256", NULL, &o, RULE_UNKNOWN_KID, NULL, "unknown kid (the refetch fails)");
	bad_t("{\"kid\": null}", NULL, "RS256", NULL, &o, AUTH0_RULE_KEY, NULL, "no kid");
	char *t = mint(NULL, NULL, "RS256", NULL);
	m_flip_signature(t);
	bad(t, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_SIGNATURE, "Invalid access token signature",
	    "flipped bit");
	free(t);
	bad_t(NULL, NULL, "RS256", rsa_other, &o, AUTH0_RULE_SIGNATURE, NULL, "another key's signature");
}

static void test_claims(void)
{
	auth0_access_token_options o = opts();
	bad_t(NULL, "{\"iss\": null}", "RS256", NULL, &o, AUTH0_RULE_ISSUER,
	      "Issuer (iss) claim must be a string present in the access token", "iss missing");
	bad_t(NULL, "{\"iss\": \"https://other.auth0.com/\"}", "RS256", NULL, &o, AUTH0_RULE_ISSUER,
	      "Issuer (iss) claim mismatch in the access token; expected \"https://127.0.0.1:9/\", found "
	      "\"https://other.auth0.com/\"", "iss mismatch");
	o.issuer = "https://other.auth0.com/";
	good_t(NULL, "{\"iss\": \"https://other.auth0.com/\"}", "RS256", NULL, &o, "explicit issuer");

	o = opts();
	good_t(NULL, "{\"aud\": \"https://api.example.com/\"}", "RS256", NULL, &o, "aud a string");
	bad_t(NULL, "{\"aud\": null}", "RS256", NULL, &o, AUTH0_RULE_AUDIENCE,
	      "Audience (aud) claim must be a string or array of strings present in the access token",
	      "aud missing");
	bad_t(NULL, "{\"aud\": \"https://api.example.com\"}", "RS256", NULL, &o, AUTH0_RULE_AUDIENCE,
	      "Audience (aud) claim mismatch in the access token; expected \"https://api.example.com/\", found "
	      "\"https://api.example.com\"", "aud without the slash");
	bad_t(NULL, "{\"aud\": [\"https://a/\", \"https://b/\"]}", "RS256", NULL, &o, AUTH0_RULE_AUDIENCE,
	      "Audience (aud) claim mismatch in the access token; expected \"https://api.example.com/\" but was "
	      "not one "
	      "of \"https://a/, https://b/\"",
	      "aud array without our API");
	good_t(NULL, "{\"aud\": [\"https://a/\", \"https://api.example.com/\"]}", "RS256", NULL, &o,
	       "aud array with our API second");

	/* more issuers and audiences: a custom domain's tokens, an API known by two identifiers */
	const char *const issuers[] = { "https://login.example.com/", "https://other.auth0.com/", NULL };
	const char *const audiences[] = { "https://old.example.com/", "https://b/", NULL };
	o = opts();
	o.issuers = issuers;
	good_t(NULL, "{\"iss\": \"https://other.auth0.com/\"}", "RS256", NULL, &o, "iss one of issuers");
	good_t(NULL, NULL, "RS256", NULL, &o, "iss the domain's, issuers given");
	bad_t(NULL, "{\"iss\": \"https://login.example.com\"}", "RS256", NULL, &o, AUTH0_RULE_ISSUER,
	      "Issuer (iss) claim mismatch in the access token; expected \"https://127.0.0.1:9/\", found "
	      "\"https://login.example.com\"", "iss none of them: the domain's is expected");
	o.audiences = audiences;
	good_t(NULL, "{\"aud\": \"https://old.example.com/\"}", "RS256", NULL, &o, "aud one of audiences");
	good_t(NULL, "{\"aud\": [\"https://a/\", \"https://b/\"]}", "RS256", NULL, &o,
	       "aud array with one of audiences");
	bad_t(NULL, "{\"aud\": [\"https://a/\", \"https://c/\"]}", "RS256", NULL, &o, AUTH0_RULE_AUDIENCE,
	      "Audience (aud) claim mismatch in the access token; expected \"https://api.example.com/\" but was "
	      "not one of \"https://a/, https://c/\"", "aud none of them");
	const char *const empty_one[] = { "", NULL };
	o = opts();
	o.issuers = empty_one;
	char *u = mint(NULL, NULL, "RS256", NULL);
	bad(u, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "Must supply valid issuers", "an empty issuer in issuers");
	o = opts();
	o.audiences = empty_one;
	bad(u, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "Must supply valid audiences", "an empty audience in audiences");
	free(u);
	o = opts();

	bad_t(NULL, "{\"exp\": null}", "RS256", NULL, &o, AUTH0_RULE_EXPIRED,
	      "Expiration Time (exp) claim must be a number present in the access token", "exp missing");
	bad_t(NULL, "{\"exp\": 1700000000.5}", "RS256", NULL, &o, AUTH0_RULE_EXPIRED, NULL, "exp a real number");
	good_t(NULL, "{\"exp\": 1699999941}", "RS256", NULL, &o, "exp within the leeway");
	bad_t(NULL, "{\"exp\": 1699999940}", "RS256", NULL, &o, AUTH0_RULE_EXPIRED,
	      "Expiration Time (exp) claim mismatch in the access token; current time \"1700000000\" is after "
	      "expiration time \"1700000000\"", "exp at the leeway boundary");

	good_t(NULL, "{\"nbf\": 1700000060}", "RS256", NULL, &o, "nbf = now + leeway");
	bad_t(NULL, "{\"nbf\": 1700000061}", "RS256", NULL, &o, AUTH0_RULE_NOT_BEFORE,
	      "Not Before (nbf) claim mismatch in the access token; current time \"1700000000\" is before not "
	      "before "
	      "time \"1700000001\"",
	      "nbf one second beyond the leeway");
	bad_t(NULL, "{\"nbf\": \"soon\"}", "RS256", NULL, &o, AUTH0_RULE_NOT_BEFORE,
	      "Not Before (nbf) claim must be a number in the access token", "nbf a string");

	bad_t(NULL, "{\"iat\": null}", "RS256", NULL, &o, AUTH0_RULE_ISSUED_AT,
	      "Issued At (iat) claim must be a number present in the access token", "iat missing");
	bad_t(NULL, "{\"iat\": 1.7e9}", "RS256", NULL, &o, AUTH0_RULE_ISSUED_AT, NULL, "iat a real number");
	good_t(NULL, "{\"iat\": 1700000060}", "RS256", NULL, &o, "iat = now + leeway");
	bad_t(NULL, "{\"iat\": 1700000061}", "RS256", NULL, &o, AUTH0_RULE_ISSUED_AT,
	      "Issued At (iat) claim mismatch in the access token; current time \"1700000000\" is before issued "
	      "at "
	      "time \"1700000001\"",
	      "iat in the future beyond the leeway");
	good_t(NULL, "{\"iat\": 1}", "RS256", NULL, &o, "an old iat is fine (exp decides)");

	o.leeway = AUTH0_INT(0);
	good_t(NULL, "{\"nbf\": 1700000000, \"iat\": 1700000000, \"exp\": 1700000001}", "RS256", NULL, &o,
	       "leeway 0: nbf = iat = now, exp = now + 1");
	bad_t(NULL, "{\"nbf\": 1700000001}", "RS256", NULL, &o, AUTH0_RULE_NOT_BEFORE, NULL,
	      "leeway 0: nbf = now + 1");
	bad_t(NULL, "{\"iat\": 1700000001}", "RS256", NULL, &o, AUTH0_RULE_ISSUED_AT, NULL,
	      "leeway 0: iat = now + 1");
	bad_t(NULL, "{\"exp\": 1700000000}", "RS256", NULL, &o, AUTH0_RULE_EXPIRED, NULL, "leeway 0: exp = now");
	o.leeway = AUTH0_INT(INT64_MAX);
	good_t(NULL, "{\"exp\": 1, \"nbf\": 9223372036854775807, \"iat\": 9223372036854775807}", "RS256", NULL,
	       &o, "an enormous leeway saturates");

	o = opts();
	good_t(NULL, NULL, "RS256", NULL, &o, "organization not checked unless asked");
	o.organization = "org_acme123";
	bad_t(NULL, NULL, "RS256", NULL, &o, AUTH0_RULE_ORGANIZATION,
	      "Organization Id (org_id) claim must be a string present in the access token", "org_id missing");
	bad_t(NULL, "{\"org_id\": \"org_other\"}", "RS256", NULL, &o, AUTH0_RULE_ORGANIZATION, NULL,
	      "org_id mismatch");
	good_t(NULL, "{\"org_id\": \"org_acme123\"}", "RS256", NULL, &o, "org_id matches");
	o.organization = "ACME";
	good_t(NULL, "{\"org_name\": \"acme\"}", "RS256", NULL, &o, "org_name against the lower-cased name");
	bad_t(NULL, "{\"org_name\": \"ACME\"}", "RS256", NULL, &o, AUTH0_RULE_ORGANIZATION,
	      "Organization Name (org_name) claim value mismatch in the access token; expected \"acme\", found "
	      "\"ACME\"",
	      "org_name claim taken as is");
}

static void test_order(void)
{
	auth0_access_token_options o = opts();
	o.organization = "org_1";
	bad_t("{\"typ\": \"JOSE\", \"alg\": \"none\"}", NULL, "none", NULL, &o, AUTH0_RULE_TYPE, NULL,
	      "order: typ before algorithm");
	bad_t("{\"alg\": \"none\", \"kid\": \"nope\"}", NULL, "none", NULL, &o, AUTH0_RULE_ALGORITHM, NULL,
	      "order: algorithm before key");
	bad_t("{\"kid\": \"nope\"}", "{\"iss\": null}", "RS256", NULL, &o, RULE_UNKNOWN_KID, NULL,
	      "order: key before signature");
	char *t = mint(NULL, "{\"iss\": null}", "RS256", NULL);
	m_flip_signature(t);
	bad(t, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_SIGNATURE, NULL, "order: signature before claims");
	free(t);
	bad_t(NULL, "{\"iss\": null, \"aud\": null}", "RS256", NULL, &o, AUTH0_RULE_ISSUER, NULL,
	      "order: iss before aud");
	bad_t(NULL, "{\"aud\": null, \"exp\": 1}", "RS256", NULL, &o, AUTH0_RULE_AUDIENCE, NULL,
	      "order: aud before exp");
	bad_t(NULL, "{\"exp\": 1, \"nbf\": 1800000000}", "RS256", NULL, &o, AUTH0_RULE_EXPIRED, NULL,
	      "order: exp before nbf");
	bad_t(NULL, "{\"nbf\": 1800000000, \"iat\": 1800000000}", "RS256", NULL, &o, AUTH0_RULE_NOT_BEFORE, NULL,
	      "order: nbf before iat");
	bad_t(NULL, "{\"iat\": 1800000000}", "RS256", NULL, &o, AUTH0_RULE_ISSUED_AT, NULL,
	      "order: iat before organization");
}

/* The hot path: many validations, no store access, no fetch. */
static void test_fast_path(void)
{
	auth0_access_token_options o = opts();
	char *t = mint(NULL, NULL, "RS256", NULL);
	int gets = store.gets, attempts = atomic_load(&fetch_attempts);
	int n = 2000, failures = 0;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++)
		failures += auth0_access_token_validate(client, t, &o, NULL, NULL) != AUTH0_OK;
	clock_gettime(CLOCK_MONOTONIC, &b);
	double us = ((double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3) / n;
	is_int(failures, 0, "%d validations of one token", n);
	is_int(store.gets, gets, "no store access on the hot path");
	is_int(atomic_load(&fetch_attempts), attempts, "no fetch on the hot path");
	diag("%.1f us per access-token validation (RS256, 2048-bit key)", us);
	ok(us < 5000, "validation is fast (%.0f us)", us);
	free(t);
}

typedef struct worker {
	const char *good_token;
	const char *bad_kid_token;
	int ok, key_errors, other;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	auth0_access_token_options o = opts();
	for (int i = 0; i < 200; i++) {
		auth0_error *err = NULL;
		const char *t = i % 10 == 9 ? w->bad_kid_token : w->good_token;
		auth0_status st = auth0_access_token_validate(client, t, &o, NULL, &err);
		if (st == AUTH0_OK)
			w->ok++;
		else if (err && err->rule == RULE_UNKNOWN_KID)
			w->key_errors++;
		else
			w->other++;
		auth0_error_free(err);
	}
	return NULL;
}

static void test_threads(void)
{
	char *t = mint(NULL, NULL, "RS256", NULL);
	char *u = mint("{\"kid\": \"rotated-away\"}", NULL, "RS256", NULL);
	enum { N = 8 };
	pthread_t th[N];
	worker w[N];
	for (int i = 0; i < N; i++) {
		w[i] = (worker){ t, u, 0, 0, 0 };
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	int okn = 0, keys = 0, other = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		okn += w[i].ok;
		keys += w[i].key_errors;
		other += w[i].other;
	}
	is_int(okn, N * 180, "8 threads: every good token accepted");
	is_int(keys, N * 20, "8 threads: every unknown-kid token refused (rule keys_unavailable: the refetch fails)");
	is_int(other, 0, "8 threads: nothing else");
	free(t);
	free(u);
}

/* auth0_access_token_binding: what binds a token (RFC 7800 cnf), NULL for a bearer token */
static void test_binding(void)
{
	static const struct {
		const char *claims, *want;
	} cases[] = {
		{ "{\"sub\": \"x\"}", NULL },
		{ "{\"cnf\": {\"jkt\": \"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I\"}}", "DPoP" },
		{ "{\"cnf\": {\"x5t#S256\": \"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2\"}}", "mutual TLS" },
		{ "{\"cnf\": {\"jwk\": {\"kty\": \"EC\"}}}", "a key" },
		{ "{\"cnf\": {}}", "a key" },
		{ "{\"cnf\": null}", "a key" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *claims = json_loads(cases[i].claims, 0, NULL);
		const char *got = auth0_access_token_binding(claims);
		ok(cases[i].want ? got && strcmp(got, cases[i].want) == 0 : got == NULL, "binding of %s: %s",
		   cases[i].claims, got ? got : "none");
		json_decref(claims);
	}
	ok(auth0_access_token_binding(NULL) == NULL, "binding of no claims: none");
}

int main(void)
{
	rsa = m_rsa_key(2048);
	rsa_other = m_rsa_key(2048);
	ec = m_ec_key();
	json_t *jwks = m_jwks(m_jwk(rsa, "k1", NULL), m_jwk(ec, "k-ec", "ES256"),
	                      m_jwk(rsa_other, "k-ps", "PS256"), NULL);
	m_store_init(&store);
	auth0_client_options co;
	auth0_client_options_init(&co);
	co.domain = DOMAIN;
	co.client_id = "api-client";
	co.organization = "org_not_used_for_access_tokens";
	co.store = &store.store;
	co.log = count_log;
	auth0_error *err = NULL;
	if (auth0_client_new(&client, &co, &err) != AUTH0_OK) {
		fprintf(stderr, "%s\n", err->message);
		return 1;
	}
	char *key = a0_jwks_store_key(client);
	m_store_put_jwks(&store, key, jwks, a0_now());
	free(key);

	good_t(NULL, NULL, "RS256", NULL, &(auth0_access_token_options){ .audience = API, .now = NOW },
	       "a valid access token");
	auth0_access_token_options real = { .audience = API };
	json_t *h = json_pack("{s:s, s:s}", "alg", "RS256", "kid", "k1");
	json_t *c = json_pack("{s:s, s:s, s:I, s:I}", "iss", ISS, "aud", API, "exp", (json_int_t)(a0_now() + 60),
	                      "iat", (json_int_t)a0_now());
	char *t = m_sign_json(h, c, "RS256", rsa, NULL);
	auth0_status st = auth0_access_token_validate(client, t, &real, NULL, NULL);
	is_int(st, AUTH0_OK, "now = 0 uses the clock");
	free(t);
	json_decref(h);
	json_decref(c);

	test_arguments();
	test_decode();
	test_typ();
	test_algorithms();
	test_keys_and_signature();
	test_claims();
	test_order();
	test_fast_path();
	test_threads();
	test_binding();
	ok(atomic_load(&fetch_attempts) <= 1, "at most one refetch attempt in the whole run (%d)",
	   atomic_load(&fetch_attempts));

	auth0_client_free(client);
	m_store_clear(&store);
	json_decref(jwks);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa_other);
	EVP_PKEY_free(ec);
	return done_testing();
}
