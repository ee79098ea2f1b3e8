/*
 * The MFA API against the fake tenant: an mfa_required login, challenges,
 * the mfa-otp, mfa-oob and mfa-recovery-code grants, enrolment and the
 * authenticator list, with the bearer token only where the API takes one.
 */
#include "config.h"

#include <auth0.h>

#include "tap.h"
#include "testenv.h"
#include "auth_test.h"

/* Logs the MFA user in with a password; returns the mfa_token of the mfa_required answer. */
static char *mfa_token(auth0_client *c)
{
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	auth0_password_login login = { .username = T_MFA_USER, .password = T_MFA_PASSWORD,
	                               .scope = "openid profile" };
	auth0_status st = auth0_login_password(c, &login, &tok, &err);
	ok(st == AUTH0_ERR_FORBIDDEN && tok == NULL, "MFA user: the password login needs MFA");
	is_str(err ? err->error : NULL, "mfa_required", "MFA user: error mfa_required");
	const char *t = err ? json_string_value(json_object_get(err->body, "mfa_token")) : NULL;
	ok(t && *t, "MFA user: the mfa_token is in err->body");
	char *out = t ? strdup(t) : NULL;
	auth0_error_free(err);
	auth0_tokens_free(tok);
	return out;
}

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static const char *find_authenticator(const json_t *list, const char *type, bool active)
{
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a) {
		if (streq(json_string_value(json_object_get(a, "authenticator_type")), type) &&
		    json_is_true(json_object_get(a, "active")) == active)
			return json_string_value(json_object_get(a, "id"));
	}
	return NULL;
}

static void test_otp(auth0_client *c)
{
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	json_t *out = NULL;
	char *mt = mfa_token(c);

	a_ok(auth0_mfa_challenge(c, mt ? mt : "x", "otp", NULL, &out, &err), err, "challenge otp");
	is_str(json_string_value(json_object_get(out, "challenge_type")), "otp", "challenge otp: answered otp");
	json_decref(out);
	json_t *req = a_last("/mfa/challenge");
	a_check_wire(req, NULL, "challenge");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "client_id,mfa_token,challenge_type,client_secret",
	       "challenge: body fields, client authentication");
	free(keys);
	json_decref(body);
	json_decref(req);

	auth0_status st = auth0_mfa_verify_otp(c, mt ? mt : "x", "000000", &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "mfa-otp: a wrong code fails");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "Invalid otp_code", "mfa-otp: wrong code");
	char *otp = a_totp();
	a_ok(auth0_mfa_verify_otp(c, mt ? mt : "x", otp ? otp : "x", &tok, &err), err, "mfa-otp grant");
	ok(tok && tok->access_token && tok->id_token, "mfa-otp: tokens");
	auth0_tokens_free(tok);
	req = a_last("/oauth/token");
	a_check_wire(req, NULL, "mfa-otp");
	body = a_body_json(req);
	keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,mfa_token,otp,client_secret", "mfa-otp: body fields");
	free(keys);
	is_str(json_string_value(json_object_get(body, "grant_type")),
	       "http://auth0.com/oauth/grant-type/mfa-otp",
	       "mfa-otp: grant type");
	json_decref(body);
	json_decref(req);
	free(otp);

	st = auth0_mfa_verify_otp(c, mt ? mt : "x", "123456", &tok, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", NULL, "mfa-otp: the mfa_token is used up");
	st = auth0_mfa_challenge(c, "bogus-mfa-token", "otp", NULL, &out, &err);
	ok(st != AUTH0_OK && out == NULL, "challenge with a bogus mfa_token fails");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "mfa_token", "challenge: bogus mfa_token");
	free(mt);
}

static void test_oob_and_recovery(auth0_client *c)
{
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	json_t *out = NULL, *list = NULL;
	char *mt = mfa_token(c);

	a_ok(auth0_mfa_list_authenticators(c, mt ? mt : "x", &list, &err), err,
	     "list authenticators with the mfa_token");
	ok(json_is_array(list) && json_array_size(list) >= 2, "list: the user's authenticators");
	const char *sms = find_authenticator(list, "oob", true);
	ok(sms != NULL, "list: an active SMS authenticator");
	json_t *req = a_last("/mfa/authenticators");
	a_check_wire(req, "Bearer ", "list authenticators");
	char want[512];
	snprintf(want, sizeof(want), "Bearer %s", mt ? mt : "");
	is_str(t_request_header(req, "Authorization"), want, "list: the token as bearer");
	json_decref(req);

	a_ok(auth0_mfa_challenge(c, mt ? mt : "x", "oob", sms, &out, &err), err, "challenge oob");
	const char *oob = json_string_value(json_object_get(out, "oob_code"));
	ok(oob != NULL, "challenge oob: an oob_code");
	is_str(json_string_value(json_object_get(out, "binding_method")), "prompt",
	       "challenge oob: binding prompt");
	req = a_last("/mfa/challenge");
	json_t *body = a_body_json(req);
	is_str(json_string_value(json_object_get(body, "authenticator_id")), sms,
	       "challenge: authenticator_id sent");
	json_decref(body);
	json_decref(req);

	auth0_status st = auth0_mfa_verify_oob(c, mt ? mt : "x", oob ? oob : "x", NULL, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "mfa-oob without the binding code is pending");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "authorization_pending", NULL, "mfa-oob: pending");
	/* A poll: a 429 slow_down is the answer, not a reason to send the grant again. */
	t_fault("{\"method\": \"POST\", \"path\": \"/oauth/token\", \"times\": 4, \"status\": 429, "
	        "\"headers\": {\"Retry-After\": \"1\"}, "
	        "\"body\": \"{\\\"error\\\":\\\"slow_down\\\"}\"}");
	long before = t_counter("POST /oauth/token");
	st = auth0_mfa_verify_oob(c, mt ? mt : "x", oob ? oob : "x", NULL, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "mfa-oob: slow_down fails the poll");
	is_int(err ? err->attempts : 0, 1, "mfa-oob: a poll is one request");
	a_is_error(err, AUTH0_ERR_RATE_LIMITED, "slow_down", NULL, "mfa-oob: polling too fast");
	is_int(t_counter("POST /oauth/token") - before, 1, "mfa-oob: slow_down is not retried");
	json_decref(t_control("DELETE", "/__control/faults", NULL));
	json_t *bc = t_control("GET", "/__control/mfa/binding-code", NULL);
	const char *binding = json_string_value(json_object_get(bc, "binding_code"));
	ok(binding != NULL, "the tenant sent a binding code");
	st = auth0_mfa_verify_oob(c, mt ? mt : "x", oob ? oob : "x", "000000x", &tok, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "binding_code", "mfa-oob: wrong binding code");
	a_ok(auth0_mfa_verify_oob(c, mt ? mt : "x", oob ? oob : "x", binding ? binding : "x", &tok, &err), err,
	     "mfa-oob grant");
	ok(tok && tok->access_token, "mfa-oob: tokens");
	auth0_tokens_free(tok);
	req = a_last("/oauth/token");
	a_check_wire(req, NULL, "mfa-oob");
	body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,mfa_token,oob_code,binding_code,client_secret",
	       "mfa-oob: body fields");
	free(keys);
	is_str(json_string_value(json_object_get(body, "grant_type")),
	       "http://auth0.com/oauth/grant-type/mfa-oob",
	       "mfa-oob: grant type");
	json_decref(body);
	json_decref(req);
	json_decref(bc);
	json_decref(out);
	json_decref(list);
	free(mt);

	/* Recovery code: works once, and the answer carries the next one. */
	mt = mfa_token(c);
	st = auth0_mfa_verify_recovery_code(c, mt ? mt : "x", "WRONGCODE", &tok, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "recovery_code", "mfa-recovery-code: wrong code");
	a_ok(auth0_mfa_verify_recovery_code(c, mt ? mt : "x", "RECOVERY0CODE0MFA0USER0001", &tok, &err), err,
	     "mfa-recovery-code grant");
	const char *next = tok ? json_string_value(json_object_get(tok->json, "recovery_code")) : NULL;
	ok(next && strcmp(next, "RECOVERY0CODE0MFA0USER0001") != 0, "mfa-recovery-code: a new recovery code");
	auth0_tokens_free(tok);
	json_t *r = a_last("/oauth/token");
	body = a_body_json(r);
	keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,mfa_token,recovery_code,client_secret",
	       "mfa-recovery-code: body fields");
	free(keys);
	json_decref(body);
	json_decref(r);
	free(mt);
	mt = mfa_token(c);
	st = auth0_mfa_verify_recovery_code(c, mt ? mt : "x", "RECOVERY0CODE0MFA0USER0001", &tok, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", NULL, "mfa-recovery-code: a used code fails");
	free(mt);
}

static void test_enrolment(auth0_client *c)
{
	auth0_error *err = NULL;
	json_t *out = NULL, *list = NULL;
	char *mt = mfa_token(c);

	const char *const otp_types[] = { "otp", NULL };
	auth0_mfa_enrollment e = { .authenticator_types = otp_types };
	a_ok(auth0_mfa_associate(c, mt ? mt : "x", &e, &out, &err), err, "associate otp");
	ok(json_string_value(json_object_get(out, "secret")) != NULL, "associate otp: a secret");
	like(json_string_value(json_object_get(out, "barcode_uri")), "otpauth://totp/",
	     "associate otp: barcode_uri");
	json_decref(out);
	json_t *req = a_last("/mfa/associate");
	a_check_wire(req, "Bearer ", "associate");
	char want[512];
	snprintf(want, sizeof(want), "Bearer %s", mt ? mt : "");
	is_str(t_request_header(req, "Authorization"), want, "associate: the mfa_token as bearer");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "client_id,authenticator_types,client_secret", "associate: body fields");
	free(keys);
	ok(json_is_array(json_object_get(body, "authenticator_types")),
	   "associate: authenticator_types is an array");
	json_decref(body);
	json_decref(req);

	const char *const oob_types[] = { "oob", NULL };
	const char *const sms[] = { "sms", NULL };
	e = (auth0_mfa_enrollment){ .authenticator_types = oob_types, .oob_channels = sms,
	                            .phone_number = "+15555550177" };
	a_ok(auth0_mfa_associate(c, mt ? mt : "x", &e, &out, &err), err, "associate sms");
	ok(json_string_value(json_object_get(out, "oob_code")) != NULL, "associate sms: an oob_code to confirm");
	json_decref(out);
	req = a_last("/mfa/associate");
	body = a_body_json(req);
	keys = a_json_keys(body);
	is_str(keys, "client_id,authenticator_types,oob_channels,phone_number,client_secret",
	       "associate sms: fields");
	free(keys);
	json_decref(body);
	json_decref(req);

	e.phone_number = "0177";
	auth0_status st = auth0_mfa_associate(c, mt ? mt : "x", &e, &out, &err);
	ok(st != AUTH0_OK && out == NULL, "associate with a bad phone number fails");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "invalid_request", "E.164", "associate: bad phone");
	st = auth0_mfa_associate(c, "bogus", &e, &out, &err);
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "invalid_token", NULL, "associate: bogus token");

	/* The new (unconfirmed) OTP authenticator is listed and can be removed. */
	a_ok(auth0_mfa_list_authenticators(c, mt ? mt : "x", &list, &err), err, "list after enrolment");
	const char *fresh = find_authenticator(list, "otp", false);
	ok(fresh != NULL, "list: the unconfirmed OTP authenticator");
	char *id = fresh ? strdup(fresh) : strdup("none");
	json_decref(list);
	a_ok(auth0_mfa_delete_authenticator(c, mt ? mt : "x", id, &err), err, "delete the authenticator");
	req = a_last("/mfa/authenticators/{id}");
	a_check_wire(req, "Bearer ", "delete authenticator");
	is_str(json_string_value(json_object_get(req, "method")), "DELETE", "delete: DELETE");
	like(json_string_value(json_object_get(req, "path")), "/mfa/authenticators/totp%7Cdev_",
	     "delete: the id is escaped as a path segment");
	json_decref(req);
	a_ok(auth0_mfa_list_authenticators(c, mt ? mt : "x", &list, &err), err, "list after delete");
	ok(find_authenticator(list, "otp", false) == NULL, "list: the authenticator is gone");
	json_decref(list);
	st = auth0_mfa_delete_authenticator(c, mt ? mt : "x", id, &err);
	a_is_error(err, AUTH0_ERR_NOT_FOUND, "not_found", NULL, "delete: unknown authenticator");
	st = auth0_mfa_list_authenticators(c, "bogus", &list, &err);
	ok(st != AUTH0_OK && list == NULL, "list with a bogus token fails");
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "invalid_token", NULL, "list: bogus token");
	free(id);
	free(mt);
}

/* With client_secret_basic, associate still sends the bearer token (and the secret in the body). */
static void test_associate_secret_basic(void)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_WEB_CLIENT_ID;
	o.client_secret = T_WEB_CLIENT_SECRET;
	o.client_auth = AUTH0_CLIENT_AUTH_SECRET_BASIC;
	auth0_client *c = a_client_with(&o);
	auth0_error *err = NULL;
	json_t *out = NULL;
	char *mt = mfa_token(c);
	const char *const otp_types[] = { "otp", NULL };
	auth0_mfa_enrollment e = { .authenticator_types = otp_types };
	a_ok(auth0_mfa_associate(c, mt ? mt : "x", &e, &out, &err), err, "associate with client_secret_basic");
	json_decref(out);
	json_t *req = a_last("/mfa/associate");
	a_check_wire(req, "Bearer ", "associate (basic)");
	json_t *body = a_body_json(req);
	is_str(json_string_value(json_object_get(body, "client_secret")), T_WEB_CLIENT_SECRET,
	       "associate (basic): the secret goes in the body");
	json_decref(body);
	json_decref(req);
	a_ok(auth0_mfa_challenge(c, mt ? mt : "x", "otp", NULL, &out, &err), err,
	     "challenge with client_secret_basic");
	json_decref(out);
	req = a_last("/mfa/challenge");
	a_check_wire(req, "Basic ", "challenge (basic)");
	json_decref(req);
	free(mt);
	auth0_client_free(c);
}

int main(void)
{
	t_require_tenant();
	t_reset();
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	test_otp(c);
	test_oob_and_recovery(c);
	test_enrolment(c);
	auth0_client_free(c);
	test_associate_secret_basic();
	return done_testing();
}
