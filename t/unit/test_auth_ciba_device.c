/*
 * Back-channel (CIBA) and device authorization against the fake tenant:
 * the start request (form-encoded), polling (pending, slow_down answered
 * without retries), approval through the control API, denial.
 */
#include "config.h"

#include <auth0.h>

#include "tap.h"
#include "testenv.h"
#include "auth_test.h"

static void approve_ciba(const char *auth_req_id, bool deny)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"auth_req_id\":\"%s\",\"deny\":%s}", auth_req_id,
	         deny ? "true" : "false");
	json_decref(t_control("POST", "/__control/ciba/approve", body));
}

static void approve_device(const char *user_code, bool deny)
{
	char body[512];
	if (deny)
		snprintf(body, sizeof(body), "{\"user_code\":\"%s\",\"deny\":true}", user_code);
	else
		snprintf(body, sizeof(body), "{\"user_code\":\"%s\",\"email\":\"%s\"}", user_code, T_ALICE);
	json_decref(t_control("POST", "/__control/device/approve", body));
}

static void test_ciba(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	auth0_ciba_request r;

	auth0_ciba_params p = { .user_id = T_ALICE_ID, .scope = "openid profile",
	                        .binding_message = "Pay 42 EUR #7",
		                    .audience = T_API, .requested_expiry = AUTH0_INT(120) };
	a_ok(auth0_ciba_authorize(c, &p, &r, &err), err, "CIBA: bc-authorize");
	ok(r.auth_req_id && *r.auth_req_id, "CIBA: an auth_req_id");
	is_int(r.expires_in, 120, "CIBA: expires_in as requested");
	is_int(r.interval, 5, "CIBA: polling interval");
	json_t *req = a_last("/bc-authorize");
	a_check_wire(req, NULL, "CIBA bc-authorize");
	like(t_request_header(req, "Content-Type"), "application/x-www-form-urlencoded", "CIBA: form-encoded");
	const char *form = a_body(req);
	char *names = a_form_names(form);
	is_str(names, "client_id,login_hint,scope,binding_message,audience,requested_expiry,client_secret",
	       "CIBA: form fields in order");
	free(names);
	char *hint = a_form_value(form, "login_hint");
	char want[512];
	snprintf(want, sizeof(want), "{\"format\":\"iss_sub\",\"iss\":\"%s/\",\"sub\":\"%s\"}", t_base_url(),
	         T_ALICE_ID);
	is_str(hint, want, "CIBA: login_hint is the iss_sub JSON text");
	free(hint);
	char *exp = a_form_value(form, "requested_expiry");
	is_str(exp, "120", "CIBA: requested_expiry as a number");
	free(exp);
	json_decref(req);

	auth0_status st = auth0_ciba_token(c, r.auth_req_id, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "CIBA: no tokens before approval");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "authorization_pending", NULL, "CIBA: pending");
	long before = t_counter("POST /oauth/token");
	st = auth0_ciba_token(c, r.auth_req_id, &tok, &err);
	is_int(err ? err->attempts : 0, 1, "CIBA: a poll is one request");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "slow_down", NULL, "CIBA: polling too fast");
	is_int(t_counter("POST /oauth/token") - before, 1, "CIBA: slow_down is not retried");
	req = a_last("/oauth/token");
	a_check_wire(req, NULL, "CIBA token");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,auth_req_id,client_secret", "CIBA token: body fields");
	free(keys);
	is_str(json_string_value(json_object_get(body, "grant_type")), "urn:openid:params:grant-type:ciba",
	       "CIBA token: grant type");
	json_decref(body);
	json_decref(req);

	approve_ciba(r.auth_req_id, false);
	a_ok(auth0_ciba_token(c, r.auth_req_id, &tok, &err), err, "CIBA: tokens after approval");
	json_t *claims = NULL;
	if (tok && tok->id_token && auth0_jwt_decode_unverified(tok->id_token, NULL, &claims, NULL) == AUTH0_OK)
		is_str(json_string_value(json_object_get(claims, "sub")), T_ALICE_ID,
		       "CIBA: the ID token is alice's");
	else
		ok(0, "CIBA: an ID token");
	json_decref(claims);
	auth0_tokens_free(tok);
	st = auth0_ciba_token(c, r.auth_req_id, &tok, &err);
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "invalid_grant", NULL, "CIBA: an auth_req_id is exchanged once");
	auth0_ciba_request_clear(&r);
	ok(r.auth_req_id == NULL, "CIBA: request cleared");

	/* Denied. */
	p = (auth0_ciba_params){ .user_id = T_ALICE_ID, .scope = "openid", .binding_message = "Login" };
	a_ok(auth0_ciba_authorize(c, &p, &r, &err), err, "CIBA: another request");
	req = a_last("/bc-authorize");
	char *names2 = a_form_names(a_body(req));
	is_str(names2, "client_id,login_hint,scope,binding_message,client_secret",
	       "CIBA: optional fields left out");
	free(names2);
	json_decref(req);
	approve_ciba(r.auth_req_id ? r.auth_req_id : "x", true);
	st = auth0_ciba_token(c, r.auth_req_id ? r.auth_req_id : "x", &tok, &err);
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "access_denied", NULL, "CIBA: denied by the user");
	auth0_ciba_request_clear(&r);

	/* Refused requests. */
	p = (auth0_ciba_params){ .user_id = "auth0|nobody", .scope = "openid", .binding_message = "Login" };
	st = auth0_ciba_authorize(c, &p, &r, &err);
	ok(st != AUTH0_OK && r.auth_req_id == NULL, "CIBA: an unknown user fails");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "unknown_user_id", NULL, "CIBA: unknown user");
	p = (auth0_ciba_params){ .user_id = T_ALICE_ID, .scope = "openid", .binding_message = "Login!" };
	st = auth0_ciba_authorize(c, &p, &r, &err);
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "invalid_binding_message", NULL, "CIBA: bad binding message");
	auth0_client_free(c);

	c = t_client(T_WEB_CLIENT_ID, "wrong");
	p = (auth0_ciba_params){ .user_id = T_ALICE_ID, .scope = "openid", .binding_message = "Login" };
	st = auth0_ciba_authorize(c, &p, &r, &err);
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "access_denied", NULL, "CIBA: wrong client secret");
	auth0_client_free(c);
}

static void test_device(void)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = "public-client";
	auth0_client *c = a_client_with(&o);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	auth0_device_code d;

	a_ok(auth0_device_authorize(c, "openid profile offline_access", NULL, &d, &err), err, "device: code");
	ok(d.device_code && d.user_code && strlen(d.user_code) == 9, "device: device and user codes");
	char want[512];
	snprintf(want, sizeof(want), "%s/activate", t_base_url());
	is_str(d.verification_uri, want, "device: verification_uri");
	like(d.verification_uri_complete, "user_code=", "device: verification_uri_complete");
	ok(d.expires_in > 0, "device: expires_in");
	is_int(d.interval, 5, "device: interval");
	json_t *req = a_last("/oauth/device/code");
	a_check_wire(req, NULL, "device code");
	like(t_request_header(req, "Content-Type"), "application/x-www-form-urlencoded", "device: form-encoded");
	char *names = a_form_names(a_body(req));
	is_str(names, "client_id,scope", "device: public client sends client_id and scope only");
	free(names);
	json_decref(req);

	auth0_status st = auth0_device_token(c, d.device_code, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "device: no tokens before approval");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "authorization_pending", NULL, "device: pending");
	long before = t_counter("POST /oauth/token");
	st = auth0_device_token(c, d.device_code, &tok, &err);
	is_int(err ? err->attempts : 0, 1, "device: the 429 slow_down is one attempt");
	a_is_error(err, AUTH0_ERR_RATE_LIMITED, "slow_down", NULL, "device: polling too fast");
	is_int(t_counter("POST /oauth/token") - before, 1, "device: slow_down is not retried");
	req = a_last("/oauth/token");
	a_check_wire(req, NULL, "device token");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "grant_type,client_id,device_code", "device token: body fields");
	free(keys);
	is_str(json_string_value(json_object_get(body, "grant_type")),
	       "urn:ietf:params:oauth:grant-type:device_code",
	       "device token: grant type");
	json_decref(body);
	json_decref(req);

	approve_device(d.user_code, false);
	a_ok(auth0_device_token(c, d.device_code, &tok, &err), err, "device: tokens after approval");
	ok(tok && tok->access_token && tok->id_token && tok->refresh_token,
	   "device: access, ID and refresh tokens");
	auth0_tokens_free(tok);
	st = auth0_device_token(c, d.device_code, &tok, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", NULL, "device: a device code is exchanged once");
	auth0_device_code_clear(&d);
	ok(d.device_code == NULL && d.user_code == NULL, "device: code cleared");

	a_ok(auth0_device_authorize(c, "openid", T_API, &d, &err), err, "device: another code, with audience");
	req = a_last("/oauth/device/code");
	char *aud = a_form_value(a_body(req), "audience");
	is_str(aud, T_API, "device: audience sent");
	free(aud);
	json_decref(req);
	approve_device(d.user_code ? d.user_code : "x", true);
	st = auth0_device_token(c, d.device_code ? d.device_code : "x", &tok, &err);
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "access_denied", NULL, "device: denied by the user");
	auth0_device_code_clear(&d);

	st = auth0_device_authorize(c, "openid", "https://unknown.example.com/", &d, &err);
	ok(st != AUTH0_OK && d.device_code == NULL, "device: an unknown audience fails");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "access_denied", "Service not found", "device: unknown audience");
	auth0_client_free(c);

	/* A confidential client authenticates at the device endpoint too. */
	c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	a_ok(auth0_device_authorize(c, "openid", NULL, &d, &err), err, "device: confidential client");
	req = a_last("/oauth/device/code");
	names = a_form_names(a_body(req));
	is_str(names, "client_id,scope,client_secret", "device: confidential client authenticates");
	free(names);
	json_decref(req);
	auth0_device_code_clear(&d);
	auth0_client_free(c);

	c = t_client("m2m-does-not-exist", NULL);
	st = auth0_device_authorize(c, "openid", NULL, &d, &err);
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "invalid_client", NULL, "device: unknown client");
	auth0_client_free(c);
}

/*
 * A start answer (device code or CIBA) with interval and expires_in as raw JSON texts, and what the
 * library makes of them.
 */
struct timing_case {
	const char *interval, *expires_in;
	int64_t want_interval, want_expires_in;
};

static const struct timing_case timing_cases[] = {
	{ "0", "0", 5, 0 },
	{ "-1", "-900", 5, 0 },
	{ "9223372036854775807", "9223372036854775807", 300, 604800 },
	{ "-9223372036854775808", "1e30", 5, 0 },
	{ "301", "604801", 300, 604800 },
	{ "1", "1", 1, 1 },
	{ "300", "604800", 300, 604800 },
	{ "\"7\"", "\"900\"", 5, 0 },
	{ "2.5", "null", 5, 0 },
	{ "7", "900", 7, 900 },
};

static void answer_with(const char *path, const char *fields, const struct timing_case *tc)
{
	char body[1024];
	snprintf(body, sizeof(body), "{%s, \"interval\": %s, \"expires_in\": %s}", fields, tc->interval,
	         tc->expires_in);
	json_t *r = json_pack("{s:s, s:s, s:i, s:s}", "method", "POST", "path", path, "status", 200, "body", body);
	char *rule = json_dumps(r, JSON_COMPACT);
	t_fault(rule);
	free(rule);
	json_decref(r);
}

static void test_poll_timing(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	for (size_t i = 0; i < sizeof(timing_cases) / sizeof(timing_cases[0]); i++) {
		const struct timing_case *tc = &timing_cases[i];
		auth0_device_code d;
		answer_with("/oauth/device/code",
		            "\"device_code\": \"dc\", \"user_code\": \"ABCD-EFGH\", "
		            "\"verification_uri\": \"https://x/activate\"", tc);
		a_ok(auth0_device_authorize(c, "openid", NULL, &d, &err), err, "device: crafted answer");
		is_int(d.interval, tc->want_interval, "device: interval %s -> %lld", tc->interval,
		       (long long)tc->want_interval);
		is_int(d.expires_in, tc->want_expires_in, "device: expires_in %s -> %lld", tc->expires_in,
		       (long long)tc->want_expires_in);
		auth0_device_code_clear(&d);

		auth0_ciba_request r;
		auth0_ciba_params p = { .user_id = T_ALICE_ID, .scope = "openid", .binding_message = "Login" };
		answer_with("/bc-authorize", "\"auth_req_id\": \"ar\"", tc);
		a_ok(auth0_ciba_authorize(c, &p, &r, &err), err, "CIBA: crafted answer");
		is_int(r.interval, tc->want_interval, "CIBA: interval %s -> %lld", tc->interval,
		       (long long)tc->want_interval);
		is_int(r.expires_in, tc->want_expires_in, "CIBA: expires_in %s -> %lld", tc->expires_in,
		       (long long)tc->want_expires_in);
		auth0_ciba_request_clear(&r);
	}
	json_decref(t_control("DELETE", "/__control/faults", NULL));
	auth0_client_free(c);
}

int main(void)
{
	t_require_tenant();
	t_reset();
	test_ciba();
	test_device();
	test_poll_timing();
	return done_testing();
}
