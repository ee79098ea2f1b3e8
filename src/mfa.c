/*
 * The MFA API (https://DOMAIN/mfa/): challenges, enrolment and the
 * authenticator list, plus the three MFA grants at /oauth/token that turn
 * an mfa_token (from an "mfa_required" error) and the user's answer into
 * tokens. The enrolment and list calls carry the mfa_token (or an MFA API
 * access token) as a bearer token; nothing else does.
 */
#include "auth_internal.h"

#include <stdlib.h>
#include <string.h>

#define A0_GRANT_MFA_OTP "http://auth0.com/oauth/grant-type/mfa-otp"
#define A0_GRANT_MFA_OOB "http://auth0.com/oauth/grant-type/mfa-oob"
#define A0_GRANT_MFA_RECOVERY "http://auth0.com/oauth/grant-type/mfa-recovery-code"

/* "otp", "oob" or both, space separated. */
static bool valid_challenge_type(const char *s)
{
	size_t words = 0;
	while (*s) {
		size_t n = strcspn(s, " ");
		if (!((n == 3 && strncmp(s, "otp", 3) == 0) || (n == 3 && strncmp(s, "oob", 3) == 0)))
			return false;
		words++;
		s += n;
		if (*s == ' ')
			s++;
	}
	return words > 0;
}

auth0_status auth0_mfa_challenge(auth0_client *c, const char *mfa_token, const char *challenge_type,
                                 const char *authenticator_id, json_t **out, auth0_error **err)
{
	if (out)
		*out = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st != AUTH0_OK)
		return st;
	st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require(mfa_token, "mfa_token", "Must supply a valid mfa_token", err);
	if (st == AUTH0_OK && challenge_type && !valid_challenge_type(challenge_type))
		st = a0_fail_arg(err, "challenge_type",
		                 "Must supply a valid challenge_type (\"otp\", \"oob\" or \"otp oob\")");
	if (st == AUTH0_OK && authenticator_id && !*authenticator_id)
		st = a0_fail_arg(err, "authenticator_id", "Must supply a valid authenticator_id");
	if (st != AUTH0_OK)
		return st;
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "mfa_token", mfa_token);
	a0_fields_str(&f, "challenge_type", challenge_type);
	a0_fields_str(&f, "authenticator_id", authenticator_id);
	st = a0_fields_check(&f, err);
	if (st == AUTH0_OK)
		st = a0_auth_post(c, "/mfa/challenge", f.json, A0_BODY_JSON, true, NULL, out, NULL, err);
	a0_fields_clear(&f);
	return st;
}

/* A JSON array from a NULL-terminated list; NULL with *bad set when an entry is empty or not UTF-8, NULL alone
 * when memory ran out. */
static json_t *string_array(const char *const *list, bool *bad)
{
	json_t *a = json_array();
	for (const char *const *p = list; a && *p; p++) {
		bool oom = false;
		json_t *s = **p ? a0_json_stringn(*p, strlen(*p), &oom) : NULL;
		if (!s || json_array_append_new(a, s) != 0) {
			*bad = !s && !oom;
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

auth0_status auth0_mfa_associate(auth0_client *c, const char *mfa_token, const auth0_mfa_enrollment *e,
                                 json_t **out, auth0_error **err)
{
	if (out)
		*out = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st != AUTH0_OK)
		return st;
	st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require(mfa_token, "mfa_token", "Must supply a valid mfa_token", err);
	if (st == AUTH0_OK)
		st = a0_require_out(e, "enrollment", err);
	if (st == AUTH0_OK && (!e->authenticator_types || !e->authenticator_types[0]))
		st = a0_fail_arg(err, "authenticator_types", "Must supply at least one authenticator type");
	if (st != AUTH0_OK)
		return st;

	bool bad_types = false, bad_channels = false;
	json_t *types = string_array(e->authenticator_types, &bad_types);
	json_t *channels = e->oob_channels ? string_array(e->oob_channels, &bad_channels) : NULL;
	if (bad_types || bad_channels || !types || (e->oob_channels && !channels)) {
		json_decref(types);
		json_decref(channels);
		return bad_types ? a0_fail_arg(err, "authenticator_types", "Must supply valid authenticator types")
		     : bad_channels ? a0_fail_arg(err, "oob_channels", "Must supply valid oob channels")
		     : a0_oom(err);
	}
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_json(&f, "authenticator_types", types);
	a0_fields_json(&f, "oob_channels", channels);
	a0_fields_str(&f, "phone_number", e->phone_number);
	a0_fields_str(&f, "email", e->email);
	st = a0_fields_check(&f, err);

	/*
	 * The mfa_token travels in the Authorization header, so a client set up
	 * for client_secret_basic sends its secret in the body here, as Auth0's
	 * documentation of this endpoint asks.
	 */
	struct curl_slist *headers = NULL;
	if (st == AUTH0_OK && c->client_auth == AUTH0_CLIENT_AUTH_SECRET_BASIC)
		a0_fields_str(&f, "client_secret", c->client_secret);
	else if (st == AUTH0_OK)
		st = a0_client_auth_apply(c, f.json, &headers, err);
	if (st == AUTH0_OK)
		st = a0_fields_check(&f, err);
	if (st == AUTH0_OK)
		st = a0_auth_post(c, "/mfa/associate", f.json, A0_BODY_JSON, false, mfa_token, out, NULL, err);
	curl_slist_free_all(headers); /* empty: only client_secret_basic adds a header */
	a0_fields_clear(&f);
	return st;
}

auth0_status auth0_mfa_list_authenticators(auth0_client *c, const char *token, json_t **authenticators,
                                           auth0_error **err)
{
	if (authenticators)
		*authenticators = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(authenticators, "authenticators", err);
	if (st != AUTH0_OK)
		return st;
	if ((st = a0_require(token, "token", "Must supply a valid token", err)) != AUTH0_OK)
		return st;
	json_t *json = NULL;
	a0_answer got = A0_ANSWER_NONE;
	st = a0_auth_request(c, "GET", "/mfa/authenticators", token, &json, NULL, &got, err);
	if (st == AUTH0_OK && !json_is_array(json)) {
		json_decref(json);
		return a0_fail_answer(err, &got, "GET /mfa/authenticators: the answer is not a JSON array");
	}
	if (st == AUTH0_OK)
		*authenticators = json;
	return st;
}

auth0_status auth0_mfa_delete_authenticator(auth0_client *c, const char *token, const char *authenticator_id,
                                            auth0_error **err)
{
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require(token, "token", "Must supply a valid token", err);
	if (st == AUTH0_OK)
		st = a0_require(authenticator_id, "authenticator_id", "Must supply a valid authenticator_id", err);
	if (st != AUTH0_OK)
		return st;
	a0_buf path = A0_BUF_INIT;
	a0_buf_puts(&path, "/mfa/authenticators/");
	a0_buf_escape(&path, authenticator_id, A0_ESC_SEGMENT);
	char *p = a0_buf_steal(&path);
	if (!p)
		return a0_oom(err);
	st = a0_auth_request(c, "DELETE", p, token, NULL, NULL, NULL, err);
	free(p);
	return st;
}

/* The checks the three MFA grants share. */
static auth0_status mfa_grant_begin(auth0_client *c, const char *mfa_token, auth0_tokens **tokens,
                                    auth0_error **err)
{
	auth0_status st = a0_grant_begin(c, tokens, err);
	if (st == AUTH0_OK)
		st = a0_require(mfa_token, "mfa_token", "Must supply a valid mfa_token", err);
	return st;
}

auth0_status auth0_mfa_verify_otp(auth0_client *c, const char *mfa_token, const char *otp,
                                  auth0_tokens **tokens, auth0_error **err)
{
	auth0_status st = mfa_grant_begin(c, mfa_token, tokens, err);
	if (st == AUTH0_OK)
		st = a0_require(otp, "otp", "Must supply a valid otp", err);
	if (st != AUTH0_OK)
		return st;
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "grant_type", A0_GRANT_MFA_OTP);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "mfa_token", mfa_token);
	a0_fields_str(&f, "otp", otp);
	return a0_grant(c, &f, NULL, tokens, err);
}

auth0_status auth0_mfa_verify_oob(auth0_client *c, const char *mfa_token, const char *oob_code,
                                  const char *binding_code, auth0_tokens **tokens, auth0_error **err)
{
	auth0_status st = mfa_grant_begin(c, mfa_token, tokens, err);
	if (st == AUTH0_OK)
		st = a0_require(oob_code, "oob_code", "Must supply a valid oob_code", err);
	if (st == AUTH0_OK && binding_code && !*binding_code)
		st = a0_fail_arg(err, "binding_code", "Must supply a valid binding_code");
	if (st != AUTH0_OK)
		return st;
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "grant_type", A0_GRANT_MFA_OOB);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "mfa_token", mfa_token);
	a0_fields_str(&f, "oob_code", oob_code);
	a0_fields_str(&f, "binding_code", binding_code);
	/* A poll like CIBA's and the device grant's: "authorization_pending" and a 429 "slow_down" are
	 * answers for the caller's loop, so one call is one request. */
	const a0_post_opts opts = { .no_retry = true };
	return a0_grant(c, &f, &opts, tokens, err);
}

auth0_status auth0_mfa_verify_recovery_code(auth0_client *c, const char *mfa_token, const char *recovery_code,
                                            auth0_tokens **tokens, auth0_error **err)
{
	auth0_status st = mfa_grant_begin(c, mfa_token, tokens, err);
	if (st == AUTH0_OK)
		st = a0_require(recovery_code, "recovery_code", "Must supply a valid recovery_code", err);
	if (st != AUTH0_OK)
		return st;
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "grant_type", A0_GRANT_MFA_RECOVERY);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "mfa_token", mfa_token);
	a0_fields_str(&f, "recovery_code", recovery_code);
	return a0_grant(c, &f, NULL, tokens, err);
}
