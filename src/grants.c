/*
 * Token grants at POST /oauth/token (authorization code with PKCE, refresh
 * token, password and password-realm, passwordless OTP, token exchange) and
 * refresh-token revocation at POST /oauth/revoke. Bodies are JSON, in the
 * Ruby SDK's field order, with client authentication added by
 * a0_client_auth_apply; absent optional fields are left out, never null.
 */
#include "auth_internal.h"

#include <stdlib.h>
#include <string.h>

#define A0_GRANT_PASSWORD_REALM "http://auth0.com/oauth/grant-type/password-realm"
#define A0_GRANT_PASSWORDLESS_OTP "http://auth0.com/oauth/grant-type/passwordless/otp"
#define A0_GRANT_TOKEN_EXCHANGE "urn:ietf:params:oauth:grant-type:token-exchange"
#define A0_DEFAULT_OTP_SCOPE "openid profile email"

auth0_status a0_grant(auth0_client *c, a0_fields *f, const a0_post_opts *opts, auth0_tokens **tokens,
                      auth0_error **err)
{
	json_t *json = NULL;
	a0_answer got = A0_ANSWER_NONE;
	auth0_status st = a0_fields_check(f, err);
	if (st == AUTH0_OK)
		st = a0_auth_post_ex(c, "/oauth/token", f->json, A0_BODY_JSON, true, NULL, opts, &json, NULL, &got,
		                     err);
	if (st == AUTH0_OK)
		st = a0_tokens_from_answer(json, &got, tokens, err);
	a0_json_free_secret(json);
	a0_fields_clear(f);
	return st;
}

auth0_status a0_grant_begin(auth0_client *c, auth0_tokens **tokens, auth0_error **err)
{
	if (tokens)
		*tokens = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(tokens, "tokens", err);
	if (st != AUTH0_OK)
		return st;
	return a0_require_client_id(c, err);
}

auth0_status auth0_exchange_code(auth0_client *c, const char *code, const char *redirect_uri,
                                 const char *code_verifier, auth0_tokens **tokens, auth0_error **err)
{
	auth0_status st = a0_grant_begin(c, tokens, err);
	if (st == AUTH0_OK)
		st = a0_require(code, "code", "Must provide an authorization code", err);
	if (st == AUTH0_OK && code_verifier && !*code_verifier)
		st = a0_fail_arg(err, "code_verifier", "Must supply a valid code_verifier");
	if (st != AUTH0_OK)
		return st;
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "grant_type", "authorization_code");
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "code", code);
	a0_fields_str(&f, "redirect_uri", redirect_uri);
	a0_fields_str(&f, "code_verifier", code_verifier);
	return a0_grant(c, &f, NULL, tokens, err);
}

auth0_status auth0_exchange_refresh_token(auth0_client *c, const char *refresh_token, const char *scope,
                                          auth0_tokens **tokens, auth0_error **err)
{
	auth0_status st = a0_grant_begin(c, tokens, err);
	if (st == AUTH0_OK)
		st = a0_require(refresh_token, "refresh_token", "Must provide a refresh token", err);
	if (st != AUTH0_OK)
		return st;
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "grant_type", "refresh_token");
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "refresh_token", refresh_token);
	a0_fields_str(&f, "scope", scope);
	return a0_grant(c, &f, NULL, tokens, err);
}

auth0_status auth0_login_password(auth0_client *c, const auth0_password_login *login, auth0_tokens **tokens,
                                  auth0_error **err)
{
	auth0_status st = a0_grant_begin(c, tokens, err);
	if (st == AUTH0_OK)
		st = a0_require_out(login, "login", err);
	if (st == AUTH0_OK)
		st = a0_require(login->username, "username", "Must supply a valid login_name", err);
	if (st == AUTH0_OK)
		st = a0_require(login->password, "password", "Must supply a valid password", err);
	if (st != AUTH0_OK)
		return st;

	/* Auth0's brute-force protection keys on this header (checked for line breaks). */
	struct curl_slist *headers = NULL;
	if (login->forwarded_for) {
		const auth0_kv h[] = { { "auth0-forwarded-for", login->forwarded_for }, { NULL, NULL } };
		if (a0_empty(login->forwarded_for))
			st = a0_fail_arg(err, "forwarded_for", "Must supply a valid forwarded_for IP address");
		else
			st = a0_headers_append(&headers, h, "forwarded_for", err);
		if (st != AUTH0_OK) {
			a0_headers_free(headers);
			return st;
		}
	}
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "username", login->username);
	a0_fields_str(&f, "password", login->password);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "realm", login->realm);
	a0_fields_str(&f, "scope", login->scope ? login->scope : "openid");
	a0_fields_str(&f, "audience", login->audience);
	a0_fields_str(&f, "grant_type", login->realm ? A0_GRANT_PASSWORD_REALM : "password");
	const a0_post_opts opts = { .headers = headers };
	st = a0_grant(c, &f, &opts, tokens, err);
	a0_headers_free(headers);
	return st;
}

static auth0_status otp_grant(auth0_client *c, const char *realm, const char *username, const char *otp,
                              const char *audience, const char *scope, auth0_tokens **tokens,
                              auth0_error **err)
{
	auth0_status st = a0_grant_begin(c, tokens, err);
	if (st == AUTH0_OK && strcmp(realm, "email") == 0)
		st = a0_require(username, "email", "Must supply a valid email", err);
	else if (st == AUTH0_OK)
		st = a0_require(username, "phone_number", "Must supply a valid phone number", err);
	if (st == AUTH0_OK)
		st = a0_require(otp, "otp", "Must supply a valid otp", err);
	if (st != AUTH0_OK)
		return st;
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "grant_type", A0_GRANT_PASSWORDLESS_OTP);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "username", username);
	a0_fields_str(&f, "otp", otp);
	a0_fields_str(&f, "realm", realm);
	a0_fields_str(&f, "audience", audience);
	a0_fields_str(&f, "scope", scope ? scope : A0_DEFAULT_OTP_SCOPE);
	return a0_grant(c, &f, NULL, tokens, err);
}

auth0_status auth0_exchange_email_otp(auth0_client *c, const char *email, const char *otp,
                                      const char *audience, const char *scope, auth0_tokens **tokens,
                                      auth0_error **err)
{
	return otp_grant(c, "email", email, otp, audience, scope, tokens, err);
}

auth0_status auth0_exchange_sms_otp(auth0_client *c, const char *phone_number, const char *otp,
                                    const char *audience, const char *scope, auth0_tokens **tokens,
                                    auth0_error **err)
{
	return otp_grant(c, "sms", phone_number, otp, audience, scope, tokens, err);
}

auth0_status auth0_exchange_token(auth0_client *c, const auth0_token_exchange *p, auth0_tokens **tokens,
                                  auth0_error **err)
{
	auth0_status st = a0_grant_begin(c, tokens, err);
	if (st == AUTH0_OK)
		st = a0_require_out(p, "params", err);
	if (st == AUTH0_OK)
		st = a0_require(p->subject_token, "subject_token", "Must supply a valid subject_token", err);
	if (st == AUTH0_OK)
		st = a0_require(p->subject_token_type, "subject_token_type", "Must supply a valid subject_token_type",
		                err);
	/* RFC 8693 2.1: actor_token_type is required with an actor_token and forbidden without one. */
	if (st == AUTH0_OK && !a0_empty(p->actor_token) && a0_empty(p->actor_token_type))
		st = a0_fail_arg(err, "actor_token_type", "Must supply a valid actor_token_type with an actor_token");
	if (st == AUTH0_OK && a0_empty(p->actor_token) && p->actor_token_type)
		st = a0_fail_arg(err, "actor_token", "actor_token_type was given without an actor_token");
	if (st != AUTH0_OK)
		return st;
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "grant_type", A0_GRANT_TOKEN_EXCHANGE);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "subject_token", p->subject_token);
	a0_fields_str(&f, "subject_token_type", p->subject_token_type);
	a0_fields_str(&f, "audience", p->audience);
	a0_fields_str(&f, "scope", p->scope);
	a0_fields_str(&f, "organization", p->organization);
	a0_fields_str(&f, "actor_token", p->actor_token);
	a0_fields_str(&f, "actor_token_type", p->actor_token_type);
	return a0_grant(c, &f, NULL, tokens, err);
}

auth0_status auth0_revoke_refresh_token(auth0_client *c, const char *refresh_token, auth0_error **err)
{
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require(refresh_token, "refresh_token", "Must provide a refresh token", err);
	if (st != AUTH0_OK)
		return st;
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "token", refresh_token);
	st = a0_fields_check(&f, err);
	/* Auth0 answers 200 with an empty body; whatever body comes is not needed. */
	char *text = NULL;
	if (st == AUTH0_OK)
		st = a0_auth_post_ex(c, "/oauth/revoke", f.json, A0_BODY_JSON, true, NULL, NULL, NULL, &text, NULL,
		                     err);
	a0_free_secret(text);
	a0_fields_clear(&f);
	return st;
}

auth0_status a0_poll_grant(auth0_client *c, const char *grant_type, const char *field, const char *value,
                           auth0_tokens **tokens, auth0_error **err)
{
	auth0_status st = a0_grant_begin(c, tokens, err);
	if (st != AUTH0_OK)
		return st;
	if (a0_empty(value))
		return a0_fail_arg(err, field, "Must supply a valid %s", field);
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "grant_type", grant_type);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, field, value);
	/* One poll, one request: a 429 "slow_down" is the answer, not a reason to retry. */
	const a0_post_opts opts = { .no_retry = true };
	return a0_grant(c, &f, &opts, tokens, err);
}
