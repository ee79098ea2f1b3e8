/*
 * auth0_logout_token_validate without any network (keys injected through the client's store, domain on a
 * loopback port where nothing listens): each rule of OpenID Connect Back-Channel Logout 1.0, section 2.6,
 * accepted at its edge and refused past it, with the rule that refused.
 */
#include "jwt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt_mint.h"
#include "tap.h"

#define NOW ((int64_t)1700000000)
#define DOMAIN "127.0.0.1:9"
#define ISS "https://127.0.0.1:9/"
#define CLIENT "web-client"

static EVP_PKEY *rsa, *rsa_other;
static auth0_client *client;
static m_store store;

/* A logout token as Auth0 sends one, with changes to its header and claims. */
static char *mint(const char *hdr, const char *cl, const char *how, EVP_PKEY *key)
{
	json_t *h = m_modified(json_pack("{s:s, s:s, s:s}", "alg", "RS256", "typ", "logout+jwt", "kid", "k1"), hdr);
	json_t *c = m_modified(json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:{s:{}}}", "iss", ISS, "sub",
	                               "auth0|alice", "aud", CLIENT, "iat", (json_int_t)NOW, "exp",
	                               (json_int_t)(NOW + 120), "jti", "jti-1", "sid", "sid-1", "events",
	                               AUTH0_BACKCHANNEL_LOGOUT_EVENT),
	                     cl);
	char *t = m_sign_json(h, c, how, key ? key : rsa, "hmac-secret-hmac-secret-hmac-sec");
	json_decref(h);
	json_decref(c);
	return t;
}

static auth0_logout_token_options opts(void)
{
	return (auth0_logout_token_options){ .now = NOW };
}

static void good(const char *hdr, const char *cl, const auth0_logout_token_options *o, const char *name)
{
	char *t = mint(hdr, cl, "RS256", NULL);
	auth0_error *err = NULL;
	json_t *out = NULL;
	auth0_status st = auth0_logout_token_validate(client, t, o, &out, &err);
	is_int(st, AUTH0_OK, "%s: accepted", name);
	if (err)
		diag("%s", err->message);
	ok(st != AUTH0_OK || a0_streq(a0_json_str(out, "jti"), "jti-1"), "%s: claims returned", name);
	json_decref(out);
	auth0_error_free(err);
	free(t);
}

static void bad_token(const char *t, const auth0_logout_token_options *o, auth0_status kind, auth0_token_rule rule,
                      const char *message, const char *name)
{
	auth0_error *err = NULL;
	json_t *out = NULL;
	auth0_status st = auth0_logout_token_validate(client, t, o, &out, &err);
	is_int(st, kind, "%s: %s", name, auth0_status_name(kind));
	ok(out == NULL, "%s: no claims", name);
	if (kind == AUTH0_ERR_INVALID_TOKEN)
		is_int(err ? (int)err->rule : -1, rule, "%s: rule %s", name, auth0_token_rule_name(rule));
	if (message)
		like(err ? err->message : NULL, message, "%s: message", name);
	auth0_error_free(err);
}

static void bad(const char *hdr, const char *cl, const char *how, EVP_PKEY *key, auth0_token_rule rule,
                const char *message, const char *name)
{
	char *t = mint(hdr, cl, how, key);
	auth0_logout_token_options o = opts();
	bad_token(t, &o, AUTH0_ERR_INVALID_TOKEN, rule, message, name);
	free(t);
}

static void test_arguments(void)
{
	char *t = mint(NULL, NULL, "RS256", NULL);
	auth0_logout_token_options o = opts();
	o.audience = "";
	bad_token(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "valid audience", "empty audience");
	o = opts();
	o.issuer = "";
	bad_token(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "valid issuer", "empty issuer");
	o = opts();
	o.leeway = AUTH0_INT(-1);
	bad_token(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "valid leeway", "negative leeway");
	o = opts();
	o.max_age = AUTH0_INT(-1);
	bad_token(t, &o, AUTH0_ERR_INVALID_ARGUMENT, 0, "valid max_age", "negative max_age");
	auth0_error *err = NULL;
	is_int(auth0_logout_token_validate(NULL, t, NULL, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT, "NULL client");
	auth0_error_free(err);
	free(t);
	o = opts();
	bad_token(NULL, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_DECODE, "Logout token could not be decoded",
	          "NULL token");
	bad_token("a.b", &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_DECODE, NULL, "two parts");
}

static void test_header_and_signature(void)
{
	auth0_logout_token_options o = opts();
	good(NULL, NULL, &o, "a logout token as Auth0 sends it");
	good("{\"typ\": null}", NULL, &o, "no typ");
	good("{\"typ\": \"JWT\"}", NULL, &o, "typ JWT");
	good("{\"typ\": \"application/logout+jwt\"}", NULL, &o, "typ application/logout+jwt");
	bad("{\"typ\": \"at+jwt\"}", NULL, "RS256", NULL, AUTH0_RULE_TYPE, "logout+jwt", "typ at+jwt");
	bad("{\"alg\": \"HS256\"}", NULL, "HS256", NULL, AUTH0_RULE_ALGORITHM, "\"HS256\" is not supported",
	    "HS256 (the client secret is never a logout token's key)");
	bad("{\"alg\": \"none\"}", NULL, "none", NULL, AUTH0_RULE_ALGORITHM, NULL, "alg none");
	bad(NULL, NULL, "RS256", rsa_other, AUTH0_RULE_SIGNATURE, "Invalid logout token signature",
	    "signed with another key under the same kid");
	char *t = mint(NULL, NULL, "RS256", NULL);
	m_flip_signature(t);
	bad_token(t, &o, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_SIGNATURE, NULL, "a flipped signature bit");
	free(t);
}

static void test_claims(void)
{
	auth0_logout_token_options o = opts();
	bad(NULL, "{\"iss\": \"https://evil.example/\"}", "RS256", NULL, AUTH0_RULE_ISSUER, NULL, "another issuer");
	bad(NULL, "{\"aud\": \"other-client\"}", "RS256", NULL, AUTH0_RULE_AUDIENCE, NULL, "another audience");
	good(NULL, "{\"aud\": [\"other-client\", \"" CLIENT "\"]}", &o, "aud an array holding the client id");
	auth0_logout_token_options other = opts();
	other.audience = "other-client";
	good(NULL, "{\"aud\": \"other-client\"}", &other, "the audience option");

	bad(NULL, "{\"iat\": null}", "RS256", NULL, AUTH0_RULE_ISSUED_AT, NULL, "no iat");
	bad(NULL, "{\"iat\": 1700000061}", "RS256", NULL, AUTH0_RULE_ISSUED_AT, NULL, "iat past now + leeway");
	good(NULL, "{\"iat\": 1700000060}", &o, "iat at now + leeway");
	good(NULL, "{\"iat\": 1699999640}", &o, "iat max_age + leeway ago");
	bad(NULL, "{\"iat\": 1699999639}", "RS256", NULL, AUTH0_RULE_ISSUED_AT, "too old", "iat older than that");
	auth0_logout_token_options young = opts();
	young.max_age = AUTH0_INT(10);
	young.leeway = AUTH0_INT(0);
	char *t = mint(NULL, "{\"iat\": 1699999989}", "RS256", NULL);
	bad_token(t, &young, AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_ISSUED_AT, "at most 10 seconds", "max_age 10");
	free(t);
	good(NULL, "{\"exp\": null}", &o, "no exp (optional in logout tokens)");
	bad(NULL, "{\"exp\": 1699999940}", "RS256", NULL, AUTH0_RULE_EXPIRED, NULL, "exp past, beyond the leeway");

	bad(NULL, "{\"jti\": null}", "RS256", NULL, AUTH0_RULE_TOKEN_ID, "jti", "no jti");
	bad(NULL, "{\"jti\": \"\"}", "RS256", NULL, AUTH0_RULE_TOKEN_ID, NULL, "empty jti");
	bad(NULL, "{\"jti\": 7}", "RS256", NULL, AUTH0_RULE_TOKEN_ID, NULL, "jti a number");
	bad(NULL, "{\"events\": null}", "RS256", NULL, AUTH0_RULE_EVENTS, "backchannel-logout", "no events");
	bad(NULL, "{\"events\": {\"http://example.com/other\": {}}}", "RS256", NULL, AUTH0_RULE_EVENTS, NULL,
	    "another event");
	bad(NULL, "{\"events\": {\"" AUTH0_BACKCHANNEL_LOGOUT_EVENT "\": true}}", "RS256", NULL, AUTH0_RULE_EVENTS,
	    NULL, "the event's value not an object");
	bad(NULL, "{\"events\": [\"" AUTH0_BACKCHANNEL_LOGOUT_EVENT "\"]}", "RS256", NULL, AUTH0_RULE_EVENTS, NULL,
	    "events an array");
	good(NULL, "{\"sub\": null}", &o, "sid without sub");
	good(NULL, "{\"sid\": null}", &o, "sub without sid");
	bad(NULL, "{\"sid\": null, \"sub\": null}", "RS256", NULL, AUTH0_RULE_SESSION, "sid", "neither sid nor sub");
	bad(NULL, "{\"sid\": \"\", \"sub\": \"\"}", "RS256", NULL, AUTH0_RULE_SESSION, NULL, "both empty");
	bad(NULL, "{\"nonce\": \"n-1\"}", "RS256", NULL, AUTH0_RULE_NONCE, "must not be present",
	    "a nonce (an ID token is not a logout token)");
	is_str(auth0_token_rule_name(AUTH0_RULE_EVENTS), "events", "rule names: events");
	is_str(auth0_token_rule_name(AUTH0_RULE_SESSION), "session", "rule names: session");
	is_str(auth0_token_rule_name(AUTH0_RULE_TOKEN_ID), "token_id", "rule names: token_id");
}

int main(void)
{
	rsa = m_rsa_key(2048);
	rsa_other = m_rsa_key(2048);
	json_t *jwks = m_jwks(m_jwk(rsa, "k1", NULL), NULL);
	m_store_init(&store);
	auth0_client_options co;
	auth0_client_options_init(&co);
	co.domain = DOMAIN;
	co.client_id = CLIENT;
	co.store = &store.store;
	auth0_error *err = NULL;
	if (auth0_client_new(&client, &co, &err) != AUTH0_OK) {
		fprintf(stderr, "%s\n", err->message);
		return 1;
	}
	char *key = a0_jwks_store_key(client);
	m_store_put_jwks(&store, key, jwks, a0_now());
	free(key);
	json_decref(jwks);

	test_arguments();
	test_header_and_signature();
	test_claims();

	auth0_client_free(client);
	m_store_clear(&store);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa_other);
	return done_testing();
}
