/*
 * Token grants against the fake tenant: client credentials, password and
 * password-realm, the whole authorization-code flow with PKCE (browser
 * through autologin and through the login form), refresh, revocation,
 * passwordless OTP and token exchange; and the three ways a client
 * authenticates (client_secret_post, client_secret_basic, private_key_jwt),
 * checked on the wire.
 */
#include "config.h"

#include <auth0.h>

#include <malloc.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "tap.h"
#include "testenv.h"
#include "auth_test.h"

static void test_client_credentials(void)
{
	auth0_client *c = t_client(T_M2M_CLIENT_ID, T_M2M_CLIENT_SECRET);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;

	a_ok(auth0_client_credentials(c, T_API, NULL, &tok, &err), err, "client credentials for the example API");
	ok(tok && tok->access_token && *tok->access_token, "client credentials: access token");
	is_str(tok ? tok->token_type : NULL, "Bearer", "client credentials: token type");
	ok(tok && tok->expires_in > 0 && tok->expires_at > 0, "client credentials: expiry known");
	like(tok ? tok->scope : NULL, "read:messages", "client credentials: granted scopes");
	auth0_tokens_free(tok);
	json_t *req = a_last("/oauth/token");
	a_check_wire(req, NULL, "client credentials");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,audience,client_secret",
	       "client credentials: body fields in the Ruby SDK's order, no organization");
	free(keys);
	is_str(json_string_value(json_object_get(body, "client_secret")), T_M2M_CLIENT_SECRET,
	       "client credentials: client_secret_post");
	json_decref(body);
	json_decref(req);

	a_ok(auth0_client_credentials(c, T_API, "org_acme123", &tok, &err), err,
	     "client credentials with organization");
	auth0_tokens_free(tok);
	req = a_last("/oauth/token");
	body = a_body_json(req);
	is_str(json_string_value(json_object_get(body, "organization")), "org_acme123",
	       "organization sent when given");
	json_decref(body);
	json_decref(req);

	a_ok(auth0_client_credentials(c, NULL, NULL, &tok, &err), err,
	     "client credentials for the default audience");
	auth0_tokens_free(tok);
	req = a_last("/oauth/token");
	body = a_body_json(req);
	char want[512];
	snprintf(want, sizeof(want), "%s/api/v2/", t_base_url());
	is_str(json_string_value(json_object_get(body, "audience")), want,
	       "default audience is the Management API");
	json_decref(body);
	json_decref(req);

	auth0_client_credentials(c, "", NULL, &tok, &err); /* the tenant's answer does not matter here */
	auth0_tokens_free(tok);
	tok = NULL;
	auth0_error_free(err);
	err = NULL;
	req = a_last("/oauth/token");
	body = a_body_json(req);
	ok(body && !json_object_get(body, "audience"), "an empty audience is left out (the tenant's default)");
	json_decref(body);
	json_decref(req);
	auth0_client_free(c);

	c = t_client(T_M2M_CLIENT_ID, "wrong-secret");
	auth0_status st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "client credentials with a wrong secret fail");
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "access_denied", "Unauthorized", "wrong client secret");
	auth0_client_free(c);

	c = t_client(T_M2M_CLIENT_ID, T_M2M_CLIENT_SECRET);
	st = auth0_client_credentials(c, "https://unknown.example.com/", NULL, &tok, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "access_denied", "Service not enabled", "unknown audience");
	auth0_client_free(c);
}

static void test_password(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;

	auth0_password_login login = { .username = T_ALICE, .password = T_ALICE_PASSWORD,
		                           .forwarded_for = "203.0.113.7" };
	a_ok(auth0_login_password(c, &login, &tok, &err), err, "password login");
	ok(tok && tok->id_token, "password login: default scope openid gives an ID token");
	ok(tok && !tok->refresh_token, "password login: no refresh token without offline_access");
	json_t *claims = NULL;
	if (tok && tok->id_token && auth0_jwt_decode_unverified(tok->id_token, NULL, &claims, &err) == AUTH0_OK)
		is_str(json_string_value(json_object_get(claims, "sub")), T_ALICE_ID,
		       "password login: ID token for alice");
	json_decref(claims);
	auth0_tokens_free(tok);
	json_t *req = a_last("/oauth/token");
	a_check_wire(req, NULL, "password login");
	is_str(t_request_header(req, "auth0-forwarded-for"), "203.0.113.7",
	       "password login: auth0-forwarded-for header");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "username,password,client_id,scope,grant_type,client_secret",
	       "password login: Ruby's field order, no realm/audience");
	free(keys);
	is_str(json_string_value(json_object_get(body, "grant_type")), "password",
	       "password login: grant password");
	is_str(json_string_value(json_object_get(body, "scope")), "openid", "password login: default scope");
	json_decref(body);
	json_decref(req);

	auth0_password_login realm = { .username = T_ALICE, .password = T_ALICE_PASSWORD,
		                           .realm = "Username-Password-Authentication", .audience = T_API,
		                           .scope = "openid read:messages" };
	a_ok(auth0_login_password(c, &realm, &tok, &err), err, "password-realm login");
	like(tok ? tok->scope : NULL, "read:messages", "password-realm: API scope granted");
	ok(tok && strchr(tok->access_token, '.') != NULL, "password-realm: a JWT access token for the API");
	auth0_tokens_free(tok);
	req = a_last("/oauth/token");
	ok(t_request_header(req, "auth0-forwarded-for") == NULL, "no auth0-forwarded-for header when not given");
	body = a_body_json(req);
	is_str(json_string_value(json_object_get(body, "grant_type")),
	       "http://auth0.com/oauth/grant-type/password-realm",
	       "password-realm: grant type");
	is_str(json_string_value(json_object_get(body, "realm")), "Username-Password-Authentication",
	       "realm sent");
	is_str(json_string_value(json_object_get(body, "audience")), T_API, "audience sent");
	json_decref(body);
	json_decref(req);

	auth0_password_login wrong = { .username = T_ALICE, .password = "nope" };
	auth0_status st = auth0_login_password(c, &wrong, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "wrong password fails");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "Wrong email or password.", "wrong password");
	auth0_client_free(c);

	/* A client that also holds a Management API token never sends it to the Authentication API. */
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_WEB_CLIENT_ID;
	o.client_secret = T_WEB_CLIENT_SECRET;
	o.token = "static-management-token";
	c = a_client_with(&o);
	a_ok(auth0_login_password(c, &login, &tok, &err), err, "password login by a client with a Management token");
	auth0_tokens_free(tok);
	req = a_last("/oauth/token");
	a_check_wire(req, NULL, "the Management token is not sent");
	unlike(a_body(req), "static-management-token", "the Management token is not in the body either");
	json_decref(req);

	auth0_password_login bad_realm = { .username = T_ALICE, .password = T_ALICE_PASSWORD, .realm = "email" };
	st = auth0_login_password(c, &bad_realm, &tok, &err);
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "invalid_request", "not a database connection",
	           "realm not a database");
	auth0_client_free(c);
}

/* An RSA key the tenant does not know, as PEM. */
static char *stranger_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	if (k && bio && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL)) {
		char *data;
		long n = BIO_get_mem_data(bio, &data);
		pem = strndup(data, (size_t)n);
	}
	BIO_free(bio);
	EVP_PKEY_free(k);
	return pem;
}

static void check_assertion(const char *alg, const char *key_file)
{
	auth0_client *c = a_jwt_client(key_file, alg);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	char what[64];
	snprintf(what, sizeof(what), "private_key_jwt %s", alg);

	a_ok(auth0_client_credentials(c, NULL, NULL, &tok, &err), err, what);
	ok(tok && tok->access_token, "%s: access token", what);
	auth0_tokens_free(tok);
	json_t *req = a_last("/oauth/token");
	a_check_wire(req, NULL, what);
	json_t *body = a_body_json(req);
	ok(json_object_get(body, "client_secret") == NULL, "%s: no client_secret", what);
	is_str(json_string_value(json_object_get(body, "client_assertion_type")),
	       "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "%s: assertion type", what);
	json_t *hdr = NULL, *claims = NULL;
	is_int(auth0_jwt_decode_unverified(json_string_value(json_object_get(body, "client_assertion")), &hdr,
	                                   &claims,
	                                   &err),
	       AUTH0_OK, "%s: the assertion is a JWT", what);
	auth0_error_free(err);
	err = NULL;
	is_str(json_string_value(json_object_get(hdr, "alg")), alg, "%s: header alg", what);
	is_int(json_object_size(hdr), 1, "%s: header has alg only (no typ, no kid)", what);
	is_str(json_string_value(json_object_get(claims, "iss")), "jwt-client", "%s: iss is the client id", what);
	is_str(json_string_value(json_object_get(claims, "sub")), "jwt-client", "%s: sub is the client id", what);
	char issuer[512];
	snprintf(issuer, sizeof(issuer), "%s/", t_base_url());
	is_str(json_string_value(json_object_get(claims, "aud")), issuer, "%s: aud is https://DOMAIN/", what);
	json_int_t iat = json_integer_value(json_object_get(claims, "iat"));
	json_int_t exp = json_integer_value(json_object_get(claims, "exp"));
	is_int(exp - iat, 180, "%s: exp - iat = 180", what);
	ok(llabs((long long)iat - (long long)time(NULL)) < 60, "%s: iat is now", what);
	const char *jti = json_string_value(json_object_get(claims, "jti"));
	ok(jti && strlen(jti) == 36 && jti[14] == '4', "%s: jti is a UUID v4", what);
	json_decref(hdr);
	json_decref(claims);
	json_decref(body);
	json_decref(req);

	/* A second request has a new jti (the tenant refuses a replayed one). */
	a_ok(auth0_client_credentials(c, NULL, NULL, &tok, &err), err,
	     "private_key_jwt: a second request succeeds");
	auth0_tokens_free(tok);
	auth0_client_free(c);
}

/* auth0_client_with_credentials: the Ruby SDK's per-call client_id/client_secret, as a derived client. */
static void test_other_credentials(void)
{
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	auth0_client *base = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET), *other = NULL;
	a_ok(auth0_client_with_credentials(base, T_M2M_CLIENT_ID, T_M2M_CLIENT_SECRET, &other, &err), err,
	     "a client for another application of the tenant");
	is_str(auth0_client_id(other), T_M2M_CLIENT_ID, "other credentials: its client id");
	is_str(auth0_client_id(base), T_WEB_CLIENT_ID, "other credentials: the base keeps its own");
	is_str(auth0_client_base_url(other), auth0_client_base_url(base), "other credentials: the same tenant");
	auth0_client_free(base); /* independent: the derived client outlives it */
	a_ok(auth0_client_credentials(other, T_API, NULL, &tok, &err), err, "other credentials: a token grant");
	ok(tok && tok->access_token, "other credentials: an access token");
	auth0_tokens_free(tok);
	json_t *req = a_last("/oauth/token");
	json_t *body = a_body_json(req);
	is_str(json_string_value(json_object_get(body, "client_id")), T_M2M_CLIENT_ID,
	       "other credentials: the grant names the other application");
	is_str(json_string_value(json_object_get(body, "client_secret")), T_M2M_CLIENT_SECRET,
	       "other credentials: with its secret");
	json_decref(body);
	json_decref(req);
	auth0_client_free(other);

	/* a base with a signing key: the key signs for the new id, and no secret is sent */
	base = a_jwt_client("client-rs256.key", "RS256");
	a_ok(auth0_client_with_credentials(base, "another-jwt-client", "ignored-secret", &other, &err), err,
	     "other credentials from a private_key_jwt client");
	auth0_client_free(base);
	is_int(auth0_client_credentials(other, NULL, NULL, &tok, &err), AUTH0_ERR_UNAUTHORIZED,
	       "other credentials: the tenant refuses a key it does not know for that id");
	is_int(err ? (int)err->status : 0, 401, "... with a 401");
	auth0_error_free(err);
	err = NULL;
	req = a_last("/oauth/token");
	body = a_body_json(req);
	is_str(json_string_value(json_object_get(body, "client_id")), "another-jwt-client",
	       "other credentials, private_key_jwt: client_id");
	ok(json_object_get(body, "client_secret") == NULL, "other credentials, private_key_jwt: no secret sent");
	json_t *hdr = NULL, *claims = NULL;
	is_int(auth0_jwt_decode_unverified(json_string_value(json_object_get(body, "client_assertion")), &hdr,
	                                   &claims, &err),
	       AUTH0_OK, "other credentials, private_key_jwt: an assertion");
	auth0_error_free(err);
	err = NULL;
	is_str(json_string_value(json_object_get(claims, "iss")), "another-jwt-client",
	       "other credentials, private_key_jwt: iss is the new id");
	is_str(json_string_value(json_object_get(claims, "sub")), "another-jwt-client",
	       "other credentials, private_key_jwt: sub is the new id");
	json_decref(hdr);
	json_decref(claims);
	json_decref(body);
	json_decref(req);
	auth0_client_free(other);

	/* a public application derived from confidential bases (secret_post, secret_basic): no secret at all */
	auth0_client_auth modes[] = { AUTH0_CLIENT_AUTH_SECRET_POST, AUTH0_CLIENT_AUTH_SECRET_BASIC };
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		auth0_client_options o;
		t_options(&o);
		o.client_id = T_WEB_CLIENT_ID;
		o.client_secret = T_WEB_CLIENT_SECRET;
		o.client_auth = modes[i];
		base = a_client_with(&o);
		a_ok(auth0_client_with_credentials(base, "public-client", NULL, &other, &err), err,
		     i ? "a public client from a secret_basic one" : "a public client from a secret_post one");
		auth0_client_free(base);
		auth0_password_login login = { .username = T_ALICE, .password = T_ALICE_PASSWORD };
		auth0_login_password(other, &login, &tok, &err); /* what the tenant says of it does not matter */
		auth0_tokens_free(tok);
		tok = NULL;
		auth0_error_free(err);
		err = NULL;
		req = a_last("/oauth/token");
		body = a_body_json(req);
		is_str(json_string_value(json_object_get(body, "client_id")), "public-client", "... names it");
		ok(json_object_get(body, "client_secret") == NULL && !t_request_header(req, "Authorization"),
		   "... and sends no secret, in the body or as Basic");
		json_decref(body);
		json_decref(req);
		auth0_client_free(other);
	}

	/* refusals name the argument */
	base = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	struct {
		const auth0_client *base;
		const char *id, *secret, *option;
	} bad[] = { { NULL, "x", "y", "base" }, { base, NULL, "y", "client_id" }, { base, "", "y", "client_id" },
		        { base, "x", "", "client_secret" } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		other = (auth0_client *)1;
		is_int(auth0_client_with_credentials(bad[i].base, bad[i].id, bad[i].secret, &other, &err),
		       AUTH0_ERR_INVALID_ARGUMENT, "other credentials refused: %s", bad[i].option);
		is_str(err ? err->option : NULL, bad[i].option, "... naming %s", bad[i].option);
		ok(other == NULL, "... and no client");
		auth0_error_free(err);
		err = NULL;
	}
	is_int(auth0_client_with_credentials(base, "x", NULL, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "other credentials refused: no output pointer");
	auth0_error_free(err);
	auth0_client_free(base);
}

static void test_client_auth_methods(void)
{
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;

	/* client_secret_basic */
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_WEB_CLIENT_ID;
	o.client_secret = T_WEB_CLIENT_SECRET;
	o.client_auth = AUTH0_CLIENT_AUTH_SECRET_BASIC;
	auth0_client *c = a_client_with(&o);
	auth0_password_login login = { .username = T_ALICE, .password = T_ALICE_PASSWORD };
	a_ok(auth0_login_password(c, &login, &tok, &err), err, "client_secret_basic: password login");
	auth0_tokens_free(tok);
	json_t *req = a_last("/oauth/token");
	a_check_wire(req, "Basic ", "client_secret_basic");
	is_str(t_request_header(req, "Authorization"), "Basic ZGVtby13ZWItY2xpZW50OmRlbW8td2ViLXNlY3JldA==",
	       "client_secret_basic: base64(client_id:secret)");
	json_t *body = a_body_json(req);
	ok(json_object_get(body, "client_secret") == NULL, "client_secret_basic: no client_secret in the body");
	is_str(json_string_value(json_object_get(body, "client_id")), T_WEB_CLIENT_ID,
	       "client_secret_basic: client_id");
	json_decref(body);
	json_decref(req);
	auth0_client_free(c);

	o.client_secret = "wrong";
	c = a_client_with(&o);
	auth0_status st = auth0_login_password(c, &login, &tok, &err);
	ok(st != AUTH0_OK, "client_secret_basic with a wrong secret fails");
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "access_denied", NULL, "client_secret_basic: wrong secret");
	auth0_client_free(c);

	/* private_key_jwt, RSA and EC */
	check_assertion("RS256", "client-rs256.key");
	check_assertion("ES256", "client-es256.key");

	char *pem = stranger_key();
	ok(pem != NULL, "generated an unregistered RSA key");
	t_options(&o);
	o.client_id = "jwt-client";
	o.client_assertion_signing_key = pem;
	c = a_client_with(&o);
	st = auth0_client_credentials(c, NULL, NULL, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "private_key_jwt with an unknown key fails");
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "invalid_client", "signature", "private_key_jwt: unknown key");
	auth0_client_free(c);
	free(pem);
}

static char *authorize(auth0_client *c, const char *challenge, const char *state, const char *nonce,
                       const char *scope)
{
	auth0_authorize_params p = { .redirect_uri = T_CALLBACK, .state = state, .nonce = nonce, .scope = scope,
		                         .code_challenge = challenge };
	char *url = NULL;
	auth0_error *err = NULL;
	a_ok(auth0_authorize_url(c, &p, &url, &err), err, "authorize URL");
	return url;
}

static void test_code_flow(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL, *tok2 = NULL;
	char *verifier = NULL, *challenge = NULL;
	a_ok(auth0_pkce_new(&verifier, &challenge, &err), err, "code flow: PKCE pair");

	a_autologin(T_ALICE);
	char *url = authorize(c, challenge, "state 1/2", "nonce-123", "openid profile email offline_access");
	like(url, "&code_challenge_method=S256", "code flow: the URL carries the S256 challenge");
	char *state = NULL;
	char *code = a_code_via_autologin(url, &state);
	ok(code != NULL, "code flow: the tenant redirected to the callback with a code");
	is_str(state, "state 1/2", "code flow: state came back");

	a_ok(auth0_exchange_code(c, code, T_CALLBACK, verifier, &tok, &err), err,
	     "code flow: exchange with the verifier");
	ok(tok && tok->access_token && tok->id_token && tok->refresh_token,
	   "code flow: access, ID and refresh tokens");
	json_t *claims = NULL;
	if (tok && tok->id_token && auth0_jwt_decode_unverified(tok->id_token, NULL, &claims, NULL) == AUTH0_OK) {
		is_str(json_string_value(json_object_get(claims, "nonce")), "nonce-123",
		       "code flow: nonce in the ID token");
		is_str(json_string_value(json_object_get(claims, "sub")), T_ALICE_ID, "code flow: the user is alice");
	}
	json_decref(claims);
	json_t *req = a_last("/oauth/token");
	a_check_wire(req, NULL, "code exchange");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,code,redirect_uri,code_verifier,client_secret",
	       "code exchange: body fields");
	free(keys);
	is_str(json_string_value(json_object_get(body, "code_verifier")), verifier,
	       "code exchange: the verifier sent");
	json_decref(body);
	json_decref(req);

	/* Refresh, then narrow the scope. */
	const char *refresh = tok ? tok->refresh_token : "missing";
	a_ok(auth0_exchange_refresh_token(c, refresh, NULL, &tok2, &err), err, "refresh");
	ok(tok && tok2 && strcmp(tok2->access_token, tok->access_token) != 0, "refresh: a new access token");
	auth0_tokens_free(tok2);
	req = a_last("/oauth/token");
	a_check_wire(req, NULL, "refresh");
	body = a_body_json(req);
	keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,refresh_token,client_secret", "refresh: body fields (no scope)");
	free(keys);
	json_decref(body);
	json_decref(req);
	a_ok(auth0_exchange_refresh_token(c, refresh, "openid", &tok2, &err), err,
	     "refresh with a narrower scope");
	is_str(tok2 ? tok2->scope : NULL, "openid", "refresh: scope narrowed");
	auth0_tokens_free(tok2);
	auth0_status st = auth0_exchange_refresh_token(c, refresh, "openid read:messages", &tok2, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_scope", NULL, "refresh with a wider scope");
	st = auth0_exchange_refresh_token(c, "not-a-refresh-token", NULL, &tok2, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "refresh token", "unknown refresh token");

	/* Revocation. */
	auth0_client *other = t_client(T_WEB_CLIENT_ID, "wrong-secret");
	st = auth0_revoke_refresh_token(other, refresh, &err);
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "access_denied", NULL, "revoke with a wrong secret");
	auth0_client_free(other);
	a_ok(auth0_revoke_refresh_token(c, refresh, &err), err, "revoke the refresh token");
	req = a_last("/oauth/revoke");
	a_check_wire(req, NULL, "revoke");
	body = a_body_json(req);
	keys = a_json_keys(body);
	is_str(keys, "client_id,token,client_secret", "revoke: body fields");
	free(keys);
	json_decref(body);
	json_decref(req);
	st = auth0_exchange_refresh_token(c, refresh, NULL, &tok2, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", NULL, "refresh after revocation");

	/* A code works once (and, as with Auth0, a replay revokes what it gave). */
	st = auth0_exchange_code(c, code, T_CALLBACK, verifier, &tok2, &err);
	ok(st != AUTH0_OK && tok2 == NULL, "code flow: a replayed code fails");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "Invalid authorization code", "replayed code");
	auth0_tokens_free(tok);
	free(code);
	free(state);
	free(url);

	/* A wrong verifier. */
	url = authorize(c, challenge, "s2", NULL, "openid");
	code = a_code_via_autologin(url, NULL);
	ok(code != NULL, "second code");
	char *other_v = NULL, *other_c = NULL;
	auth0_pkce_new(&other_v, &other_c, NULL);
	st = auth0_exchange_code(c, code ? code : "x", T_CALLBACK, other_v, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "exchange with the wrong verifier fails");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "code verifier", "wrong verifier");
	free(other_v);
	free(other_c);
	free(code);
	free(url);
	a_autologin(NULL);
	free(verifier);
	free(challenge);
	auth0_client_free(c);
}

/* The public client (no secret, PKCE) logging in through the tenant's login form. */
static void test_public_client_login_form(void)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = "public-client";
	auth0_client *c = a_client_with(&o);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL, *tok2 = NULL;
	char *verifier = NULL, *challenge = NULL;
	a_ok(auth0_pkce_new(&verifier, &challenge, &err), err, "public client: PKCE pair");
	char *url = authorize(c, challenge, "xyz", NULL, "openid offline_access");

	CURL *b = curl_easy_init();
	struct a_page pg;
	char *code = NULL;
	ok(a_fetch(b, url, NULL, &pg) && pg.status == 302 && pg.location && strstr(pg.location, "/u/login"),
	   "login form: /authorize redirects to the login page");
	char *tx = a_form_value(pg.location, "state");
	a_page_clear(&pg);
	if (tx) {
		char login_url[512], form[512];
		snprintf(login_url, sizeof(login_url), "%s/u/login", t_base_url());
		char *etx = curl_easy_escape(b, tx, 0);
		char *eu = curl_easy_escape(b, T_ALICE, 0);
		char *ep = curl_easy_escape(b, T_ALICE_PASSWORD, 0);
		snprintf(form, sizeof(form), "state=%s&username=%s&password=%s", etx, eu, ep);
		curl_free(etx);
		curl_free(eu);
		curl_free(ep);
		ok(a_fetch(b, login_url, form, &pg) && pg.status == 302 && pg.location, "login form: posted");
		ok(pg.location && strncmp(pg.location, T_CALLBACK, strlen(T_CALLBACK)) == 0,
		   "login form: back to the callback");
		code = a_form_value(pg.location, "code");
		a_page_clear(&pg);
	}
	free(tx);
	curl_easy_cleanup(b);
	ok(code != NULL, "login form: a code");

	a_ok(auth0_exchange_code(c, code ? code : "x", T_CALLBACK, verifier, &tok, &err), err,
	     "public client: exchange");
	json_t *req = a_last("/oauth/token");
	a_check_wire(req, NULL, "public client exchange");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,code,redirect_uri,code_verifier",
	       "public client: no client secret or assertion");
	free(keys);
	json_decref(body);
	json_decref(req);
	ok(tok && tok->refresh_token, "public client: refresh token");
	a_ok(auth0_exchange_refresh_token(c, tok ? tok->refresh_token : "x", NULL, &tok2, &err), err,
	     "public client: refresh");
	ok(tok2 && tok2->refresh_token && tok && strcmp(tok2->refresh_token, tok->refresh_token) != 0,
	   "public client: the refresh token rotated");
	auth0_tokens_free(tok2);
	/* Reusing a rotated refresh token is refused. */
	auth0_status st = auth0_exchange_refresh_token(c, tok ? tok->refresh_token : "x", NULL, &tok2, &err);
	ok(st != AUTH0_OK, "public client: a rotated refresh token cannot be reused");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", NULL, "rotated refresh token reuse");
	auth0_tokens_free(tok);

	/* Without the verifier a public client's code cannot be exchanged. */
	st = auth0_exchange_code(c, "some-code", T_CALLBACK, NULL, &tok, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", NULL, "public client: unknown code");
	free(code);
	free(url);
	free(verifier);
	free(challenge);
	auth0_client_free(c);
}

static void test_passwordless_otp(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	json_t *out = NULL;

	a_ok(auth0_passwordless_start_email(c, "otp-user@example.com", AUTH0_PASSWORDLESS_CODE, NULL, &out, &err),
	     err,
	     "email OTP: code sent");
	json_decref(out);
	char *otp = a_sent_otp("email", "otp-user@example.com");
	ok(otp != NULL, "email OTP: the tenant has the code");
	auth0_status st = auth0_exchange_email_otp(c, "otp-user@example.com", "000000", NULL, NULL, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "email OTP: a wrong code fails");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "verification code", "email OTP: wrong code");
	a_ok(auth0_exchange_email_otp(c, "otp-user@example.com", otp ? otp : "x", NULL, NULL, &tok, &err), err,
	     "email OTP: exchange");
	ok(tok && tok->id_token, "email OTP: ID token (default scope has openid)");
	auth0_tokens_free(tok);
	json_t *req = a_last("/oauth/token");
	a_check_wire(req, NULL, "email OTP");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,username,otp,realm,scope,client_secret", "email OTP: body fields");
	free(keys);
	is_str(json_string_value(json_object_get(body, "realm")), "email", "email OTP: realm email");
	is_str(json_string_value(json_object_get(body, "scope")), "openid profile email",
	       "email OTP: default scope");
	is_str(json_string_value(json_object_get(body, "grant_type")),
	       "http://auth0.com/oauth/grant-type/passwordless/otp", "email OTP: grant type");
	json_decref(body);
	json_decref(req);
	free(otp);

	a_ok(auth0_passwordless_start_sms(c, "+15555550123", &out, &err), err, "SMS OTP: code sent");
	json_decref(out);
	otp = a_sent_otp("phone_number", "+15555550123");
	ok(otp != NULL, "SMS OTP: the tenant has the code");
	a_ok(auth0_exchange_sms_otp(c, "+15555550123", otp ? otp : "x", T_API, "openid read:messages", &tok,
	                            &err), err,
	     "SMS OTP: exchange with audience and scope");
	auth0_tokens_free(tok);
	req = a_last("/oauth/token");
	body = a_body_json(req);
	is_str(json_string_value(json_object_get(body, "realm")), "sms", "SMS OTP: realm sms");
	is_str(json_string_value(json_object_get(body, "username")), "+15555550123",
	       "SMS OTP: username is the phone");
	is_str(json_string_value(json_object_get(body, "audience")), T_API, "SMS OTP: audience");
	json_decref(body);
	json_decref(req);
	st = auth0_exchange_sms_otp(c, "+15555550123", otp ? otp : "x", NULL, NULL, &tok, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", NULL, "SMS OTP: a code works once");
	free(otp);
	auth0_client_free(c);
}

static void test_token_exchange(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	auth0_token_exchange tx = { .subject_token = T_ALICE, .subject_token_type = "urn:example:external-token",
		                        .scope = "openid", .audience = T_API };
	a_ok(auth0_exchange_token(c, &tx, &tok, &err), err, "token exchange");
	json_t *claims = NULL;
	if (tok && tok->id_token && auth0_jwt_decode_unverified(tok->id_token, NULL, &claims, NULL) == AUTH0_OK)
		is_str(json_string_value(json_object_get(claims, "sub")), T_ALICE_ID,
		       "token exchange: tokens for alice");
	else
		ok(0, "token exchange: an ID token");
	json_decref(claims);
	auth0_tokens_free(tok);
	json_t *req = a_last("/oauth/token");
	a_check_wire(req, NULL, "token exchange");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,subject_token,subject_token_type,audience,scope,client_secret",
	       "token exchange: body fields");
	free(keys);
	is_str(json_string_value(json_object_get(body, "grant_type")),
	       "urn:ietf:params:oauth:grant-type:token-exchange",
	       "token exchange: grant type");
	json_decref(body);
	json_decref(req);

	tx.subject_token_type = "urn:example:unknown";
	auth0_status st = auth0_exchange_token(c, &tx, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "token exchange with an unknown profile fails");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "invalid_request", "subject_token_type", "unknown token type");
	auth0_client_free(c);
}

/*
 * Secrets wiped before they are freed. jansson's allocator is replaced, as a
 * reviewer did, by one that looks for a secret in every block jansson frees:
 * request bodies (client secrets, passwords) and answers (tokens, an
 * mfa_token) must be wiped first. Blocks the library frees itself (response
 * buffers, dumped bodies) are wiped with OPENSSL_cleanse but are not seen here.
 */
static const char *hunted;
static int hunted_seen;

static void *hunt_malloc(size_t n)
{
	return malloc(n);
}

static void hunt_free(void *p)
{
	if (p && hunted && memmem(p, malloc_usable_size(p), hunted, strlen(hunted)))
		hunted_seen++;
	free(p);
}

static void hunt_begin(const char *secret)
{
	hunted = secret;
	hunted_seen = 0;
	json_set_alloc_funcs(hunt_malloc, hunt_free);
}

/* How many freed blocks held the secret. */
static int hunt_end(void)
{
	json_set_alloc_funcs(malloc, free);
	hunted = NULL;
	return hunted_seen;
}

static void test_secrets_wiped(void)
{
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;

	auth0_client *m2m = t_client(T_M2M_CLIENT_ID, T_M2M_CLIENT_SECRET);
	hunt_begin(T_M2M_CLIENT_SECRET);
	auth0_status st = auth0_client_credentials(m2m, T_API, NULL, &tok, &err);
	is_int(hunt_end(), 0, "wiped: client_credentials frees no block holding the client secret");
	a_ok(st, err, "wiped: client_credentials");
	char *secret = strdup(tok ? tok->access_token : "x");
	hunt_begin(secret);
	auth0_tokens_free(tok);
	is_int(hunt_end(), 0, "wiped: auth0_tokens_free frees no block holding the access token");
	free(secret);
	auth0_client_free(m2m);

	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_password_login login = { .username = T_ALICE, .password = T_ALICE_PASSWORD };
	hunt_begin(T_ALICE_PASSWORD);
	st = auth0_login_password(c, &login, &tok, &err);
	is_int(hunt_end(), 0, "wiped: a password login frees no block holding the password");
	a_ok(st, err, "wiped: password login");
	auth0_tokens_free(tok);

	/* The refresh token of a code exchange, also in tokens->json. */
	char *verifier = NULL, *challenge = NULL;
	a_ok(auth0_pkce_new(&verifier, &challenge, &err), err, "wiped: PKCE pair");
	a_autologin(T_ALICE);
	for (int keep_json = 0; keep_json < 2; keep_json++) {
		char *url = authorize(c, challenge, "s", "n", "openid offline_access");
		char *code = a_code_via_autologin(url, NULL);
		a_ok(auth0_exchange_code(c, code ? code : "x", T_CALLBACK, verifier, &tok, &err), err,
		     "wiped: code exchange");
		secret = strdup(tok && tok->refresh_token ? tok->refresh_token : "x");
		json_t *kept = keep_json && tok ? json_incref(tok->json) : NULL;
		hunt_begin(secret);
		auth0_tokens_free(tok);
		int seen = hunt_end();
		if (!keep_json)
			is_int(seen, 0, "wiped: auth0_tokens_free frees no block holding the refresh token");
		else
			is_str(json_string_value(json_object_get(kept, "refresh_token")), secret,
			       "wiped: a tokens->json the caller still holds is left intact");
		json_decref(kept);
		free(secret);
		free(code);
		free(url);
	}
	a_autologin(NULL);
	free(verifier);
	free(challenge);

	hunt_begin(T_WEB_CLIENT_SECRET);
	auth0_authorize_params p = { .redirect_uri = T_CALLBACK, .scope = "openid" };
	char *request_uri = NULL;
	st = auth0_pushed_authorization_request(c, &p, &request_uri, NULL, &err);
	is_int(hunt_end(), 0, "wiped: PAR frees no block holding the client secret");
	a_ok(st, err, "wiped: PAR");
	free(request_uri);

	login = (auth0_password_login){ .username = T_MFA_USER, .password = T_MFA_PASSWORD };
	st = auth0_login_password(c, &login, &tok, &err);
	const char *mt = json_string_value(json_object_get(err ? err->body : NULL, "mfa_token"));
	secret = strdup(mt ? mt : "x");
	ok(mt != NULL, "wiped: an mfa_required error with its mfa_token");
	hunt_begin(secret);
	auth0_error_free(err);
	err = NULL;
	is_int(hunt_end(), 0, "wiped: auth0_error_free frees no block holding the mfa_token");
	free(secret);
	auth0_client_free(c);
}

int main(void)
{
	t_require_tenant();
	t_reset();
	test_client_credentials();
	test_password();
	test_client_auth_methods();
	test_other_credentials();
	test_code_flow();
	test_public_client_login_form();
	test_passwordless_otp();
	test_token_exchange();
	test_secrets_wiped();
	return done_testing();
}
