/*
 * The non-grant Authentication API endpoints against the fake tenant:
 * database sign-up and password reset, passwordless start and verify,
 * /userinfo, the SAML and WS-Federation metadata, OIDC discovery and
 * pushed authorization requests (then followed through /authorize).
 */
#include "config.h"

#include <auth0.h>

#include "tap.h"
#include "testenv.h"
#include "auth_test.h"

static void test_signup(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	json_t *user = NULL;

	json_t *meta = json_pack("{s:s}", "plan", "trial");
	auth0_signup_params p = {
		.email = "New.User@example.com", .password = "Str0ng-Passw0rd!", .username = "newuser",
		.given_name = "New", .family_name = "User", .name = "New User", .nickname = "nu",
		.picture = "https://127.0.0.1/avatars/nu.png", .user_metadata = meta,
	};
	a_ok(auth0_signup(c, &p, &user, &err), err, "signup");
	is_str(json_string_value(json_object_get(user, "email")), "new.user@example.com",
	       "signup: the created user");
	ok(json_object_get(user, "_id") != NULL, "signup: the user has an id");
	is_str(json_string_value(json_object_get(json_object_get(user, "user_metadata"), "plan")), "trial",
	       "signup: user_metadata kept");
	json_decref(user);
	json_t *req = a_last("/dbconnections/signup");
	a_check_wire(req, NULL, "signup");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys,
	       "email,password,connection,client_id,username,given_name,family_name,name,nickname,picture,"
	       "user_metadata",
	       "signup: body fields in order, no client authentication");
	free(keys);
	is_str(json_string_value(json_object_get(body, "connection")), "Username-Password-Authentication",
	       "signup: default connection");
	json_decref(body);
	json_decref(req);

	/* The new user can log in. */
	auth0_tokens *tok = NULL;
	auth0_password_login login = { .username = "new.user@example.com", .password = "Str0ng-Passw0rd!" };
	a_ok(auth0_login_password(c, &login, &tok, &err), err, "signup: the new user logs in");
	auth0_tokens_free(tok);

	auth0_status st = auth0_signup(c, &p, &user, &err);
	ok(st != AUTH0_OK && user == NULL, "signup of an existing user fails");
	is_str(err ? err->error_code : NULL, "invalid_signup", "signup: existing user, Auth0's code");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, NULL, NULL, "signup: existing user");

	auth0_signup_params weak = { .email = "weak@example.com", .password = "weak" };
	st = auth0_signup(c, &weak, &user, &err);
	ok(st != AUTH0_OK, "signup with a weak password fails");
	is_str(err ? err->error_code : NULL, "invalid_password", "signup: weak password code");
	is_str(err ? err->api_message : NULL, "Password is too weak", "signup: Auth0's message");
	ok(err && json_is_object(json_object_get(err->body, "description")),
	   "signup: the rules are in err->body");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, NULL, NULL, "signup: weak password");

	auth0_signup_params bad_conn = { .email = "x@example.com", .password = "Str0ng-Passw0rd!",
	                                 .connection = "nope" };
	st = auth0_signup(c, &bad_conn, &user, &err);
	is_str(err ? err->error_code : NULL, "invalid_connection", "signup: unknown connection code");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, NULL, NULL, "signup: unknown connection");
	json_decref(meta);
	auth0_client_free(c);
}

static void test_reset_password(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	char *msg = NULL;

	a_ok(auth0_reset_password(c, T_ALICE, NULL, &msg, &err), err, "reset password");
	is_str(msg, "We've just sent you an email to reset your password.", "reset password: Auth0's text");
	free(msg);
	json_t *req = a_last("/dbconnections/change_password");
	a_check_wire(req, NULL, "reset password");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "email,connection,client_id", "reset password: body fields (no password)");
	free(keys);
	json_decref(body);
	json_decref(req);
	a_ok(auth0_reset_password(c, T_ALICE, "Username-Password-Authentication", NULL, &err), err,
	     "reset password without wanting the message");

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	a_ok(auth0_change_password(c, T_ALICE, "N3w-Passw0rd!", NULL, &msg, &err), err,
	     "change password (legacy)");
#pragma GCC diagnostic pop
	like(msg, "reset your password", "change password: Auth0's text");
	free(msg);
	req = a_last("/dbconnections/change_password");
	body = a_body_json(req);
	keys = a_json_keys(body);
	is_str(keys, "email,password,connection,client_id", "change password: body fields in Ruby's order");
	free(keys);
	json_decref(body);
	json_decref(req);

	/* A tenant error is mapped with Auth0's dbconnections fields. */
	t_fault("{\"path\":\"/dbconnections/change_password\",\"status\":400,"
	        "\"body\":\"{\\\"name\\\":\\\"BadRequestError\\\",\\\"code\\\":\\\"invalid_parameter\\\","
	        "\\\"description\\\":\\\"Invalid email\\\",\\\"statusCode\\\":400}\"}");
	auth0_status st = auth0_reset_password(c, "not-an-email", NULL, &msg, &err);
	ok(st != AUTH0_OK && msg == NULL, "reset password: a tenant error fails the call");
	is_str(err ? err->error_code : NULL, "invalid_parameter", "reset password: error code");
	is_str(err ? err->api_message : NULL, "Invalid email", "reset password: description");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, NULL, NULL, "reset password: tenant error");
	auth0_client_free(c);
}

static void test_passwordless(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	json_t *out = NULL;

	json_t *ap = json_pack("{s:s, s:s}", "scope", "openid", "state", "abc");
	a_ok(auth0_passwordless_start_email(c, "link-user@example.com", AUTH0_PASSWORDLESS_LINK, ap, &out, &err),
	     err,
	     "passwordless: magic link");
	is_str(json_string_value(json_object_get(out, "email")), "link-user@example.com",
	       "passwordless: the answer");
	json_decref(out);
	json_t *req = a_last("/passwordless/start");
	a_check_wire(req, NULL, "passwordless start email");
	json_t *body = a_body_json(req);
	char *keys = a_json_keys(body);
	is_str(keys, "email,send,authParams,connection,client_id,client_secret",
	       "passwordless email: body fields");
	free(keys);
	is_str(json_string_value(json_object_get(body, "send")), "link", "passwordless email: send link");
	is_str(json_string_value(json_object_get(json_object_get(body, "authParams"), "state")), "abc",
	       "passwordless email: authParams object");
	json_decref(body);
	json_decref(req);
	json_decref(ap);

	a_ok(auth0_passwordless_start_email(c, "code-user@example.com", AUTH0_PASSWORDLESS_CODE, NULL, NULL,
	                                    &err), err,
	     "passwordless: email code (answer not wanted)");
	req = a_last("/passwordless/start");
	body = a_body_json(req);
	is_str(json_string_value(json_object_get(body, "send")), "code", "passwordless email: send code");
	ok(json_is_object(json_object_get(body, "authParams"))
	   && json_object_size(json_object_get(body, "authParams")) == 0,
	   "passwordless email: authParams {} by default (as Ruby)");
	json_decref(body);
	json_decref(req);

	/* Verify the e-mailed code. */
	char *code = a_sent_otp("email", "code-user@example.com");
	ok(code != NULL, "passwordless: the tenant sent a code");
	auth0_status st = auth0_passwordless_verify(c, "email", "code-user@example.com", "999999x", &out, &err);
	ok(st != AUTH0_OK && out == NULL, "passwordless verify: a wrong code fails");
	a_is_error(err, AUTH0_ERR_FORBIDDEN, "invalid_grant", "verification code",
	           "passwordless verify: wrong code");
	/* A wrong try does not burn the code until otp_max_attempts. */
	a_ok(auth0_passwordless_verify(c, "email", "code-user@example.com", code ? code : "x", &out, &err), err,
	     "passwordless verify: email code");
	is_str(json_string_value(json_object_get(out, "status")), "ok", "passwordless verify: the answer");
	json_decref(out);
	req = a_last("/passwordless/verify");
	a_check_wire(req, NULL, "passwordless verify");
	body = a_body_json(req);
	keys = a_json_keys(body);
	is_str(keys, "client_id,connection,email,verification_code", "passwordless verify: body fields");
	free(keys);
	json_decref(body);
	json_decref(req);
	free(code);

	a_ok(auth0_passwordless_start_sms(c, "+15555550199", &out, &err), err, "passwordless: SMS");
	is_str(json_string_value(json_object_get(out, "phone_number")), "+15555550199",
	       "passwordless sms: the answer");
	json_decref(out);
	req = a_last("/passwordless/start");
	body = a_body_json(req);
	keys = a_json_keys(body);
	is_str(keys, "phone_number,connection,client_id,client_secret", "passwordless sms: body fields");
	free(keys);
	json_decref(body);
	json_decref(req);
	code = a_sent_otp("phone_number", "+15555550199");
	a_ok(auth0_passwordless_verify(c, "sms", "+15555550199", code ? code : "x", &out, &err), err,
	     "passwordless verify: SMS code");
	json_decref(out);
	req = a_last("/passwordless/verify");
	body = a_body_json(req);
	is_str(json_string_value(json_object_get(body, "phone_number")), "+15555550199",
	       "passwordless verify: phone");
	json_decref(body);
	json_decref(req);
	free(code);

	st = auth0_passwordless_start_sms(c, "555-0199", &out, &err);
	ok(st != AUTH0_OK && out == NULL, "passwordless sms: a bad phone number fails");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "bad.phone_number", "E.164", "passwordless sms: bad phone");
	auth0_client_free(c);

	c = t_client(T_WEB_CLIENT_ID, "wrong");
	st = auth0_passwordless_start_email(c, "x@example.com", AUTH0_PASSWORDLESS_CODE, NULL, &out, &err);
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "access_denied", NULL, "passwordless start: wrong client secret");
	auth0_client_free(c);
}

static void test_userinfo(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	json_t *profile = NULL;
	auth0_password_login login = { .username = T_ALICE, .password = T_ALICE_PASSWORD,
	                               .scope = "openid profile email" };
	a_ok(auth0_login_password(c, &login, &tok, &err), err, "userinfo: log in");

	a_ok(auth0_userinfo(c, tok ? tok->access_token : "x", &profile, &err), err, "userinfo");
	is_str(json_string_value(json_object_get(profile, "sub")), T_ALICE_ID, "userinfo: sub");
	is_str(json_string_value(json_object_get(profile, "email")), T_ALICE, "userinfo: email");
	json_decref(profile);
	json_t *req = a_last("/userinfo");
	a_check_wire(req, "Bearer ", "userinfo");
	char want[1024];
	snprintf(want, sizeof(want), "Bearer %s", tok ? tok->access_token : "");
	is_str(t_request_header(req, "Authorization"), want, "userinfo: the user's access token, nothing else");
	is_str(json_string_value(json_object_get(req, "method")), "GET", "userinfo: GET");
	json_decref(req);
	auth0_tokens_free(tok);

	auth0_status st = auth0_userinfo(c, "not-a-token", &profile, &err);
	ok(st != AUTH0_OK && profile == NULL, "userinfo with a bad token fails");
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "invalid_token", "invalid token",
	           "userinfo: bad token, its reason from WWW-Authenticate");

	/* A line break in the token would add header lines of its own: refused before any request. */
	long before = t_counter("GET /userinfo");
	st = auth0_userinfo(c, "user-token\r\nX-Evil: 1", &profile, &err);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT && profile == NULL, "userinfo with CR/LF in the token is refused");
	unlike(err ? err->message : NULL, "user-token", "userinfo: the token is not quoted");
	a_is_error(err, AUTH0_ERR_INVALID_ARGUMENT, NULL, NULL, "userinfo: CR/LF");
	is_int(t_counter("GET /userinfo"), before, "userinfo: no request with that token");
	auth0_client_free(c);
}

static void test_metadata(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	auth0_error *err = NULL;
	char *xml = NULL;

	a_ok(auth0_saml_metadata(c, &xml, &err), err, "SAML metadata");
	like(xml, "<EntityDescriptor", "SAML metadata: an EntityDescriptor");
	like(xml, "/samlp/demo-web-client", "SAML metadata: for this client");
	free(xml);
	json_t *req = a_last("/samlp/metadata/demo-web-client");
	a_check_wire(req, NULL, "SAML metadata");
	json_decref(req);

	a_ok(auth0_wsfed_metadata(c, &xml, &err), err, "WS-Fed metadata");
	like(xml, "PassiveRequestorEndpoint", "WS-Fed metadata: the document");
	free(xml);
	req = a_last("/wsfed/FederationMetadata/2007-06/FederationMetadata.xml");
	a_check_wire(req, NULL, "WS-Fed metadata");
	json_decref(req);
	auth0_client_free(c);

	c = t_client("no-such-client", NULL);
	auth0_status st = auth0_saml_metadata(c, &xml, &err);
	ok(st != AUTH0_OK && xml == NULL, "SAML metadata of an unknown client fails");
	a_is_error(err, AUTH0_ERR_NOT_FOUND, NULL, NULL, "SAML metadata: unknown client");

	t_fault("{\"path\":\"/wsfed/FederationMetadata/2007-06/FederationMetadata.xml\",\"status\":500}");
	st = auth0_wsfed_metadata(c, &xml, &err);
	ok(st != AUTH0_OK && xml == NULL, "WS-Fed metadata: a 500 fails");
	a_is_error(err, AUTH0_ERR_SERVER, "server_error", "Injected fault", "WS-Fed metadata: server error");
	auth0_client_free(c);
}

static void test_discovery(void)
{
	auth0_client *c = t_client(T_WEB_CLIENT_ID, NULL);
	auth0_error *err = NULL;
	json_t *conf = NULL;
	char want[512];

	a_ok(auth0_oidc_discovery(c, &conf, &err), err, "discovery");
	snprintf(want, sizeof(want), "%s/oauth/token", t_base_url());
	is_str(json_string_value(json_object_get(conf, "token_endpoint")), want, "discovery: token endpoint");
	ok(json_is_array(json_object_get(conf, "grant_types_supported")), "discovery: grant types");
	json_decref(conf);
	json_t *req = a_last("/.well-known/openid-configuration");
	a_check_wire(req, NULL, "discovery");
	json_decref(req);

	t_fault("{\"path\":\"/.well-known/openid-configuration\",\"status\":200,"
	        "\"body\":\"{\\\"issuer\\\":\\\"https://evil.example.com/\\\"}\"}");
	auth0_status st = auth0_oidc_discovery(c, &conf, &err);
	ok(st != AUTH0_OK && conf == NULL, "discovery: a document for another issuer is refused");
	a_is_error(err, AUTH0_ERR_INVALID_RESPONSE, NULL, NULL, "discovery: wrong issuer");

	t_fault("{\"path\":\"/.well-known/openid-configuration\",\"status\":404,\"body\":\"{}\"}");
	st = auth0_oidc_discovery(c, &conf, &err);
	a_is_error(err, AUTH0_ERR_NOT_FOUND, NULL, NULL, "discovery: 404");
	auth0_client_free(c);
}

static void test_par(void)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_WEB_CLIENT_ID;
	o.client_secret = T_WEB_CLIENT_SECRET;
	o.organization = "org_acme123"; /* the client's default: not sent in PAR */
	auth0_client *c = a_client_with(&o);
	auth0_error *err = NULL;
	char *request_uri = NULL;
	int64_t expires_in = 0;
	char *verifier = NULL, *challenge = NULL;
	auth0_pkce_new(&verifier, &challenge, NULL);

	const auth0_kv extra[] = { { "ui_locales", "fr" }, { NULL, NULL } };
	auth0_authorize_params p = { .redirect_uri = T_CALLBACK, .state = "par state", .scope = "openid profile",
		                         .nonce = "n1", .code_challenge = challenge, .extra = extra };
	a_ok(auth0_pushed_authorization_request(c, &p, &request_uri, &expires_in, &err), err, "PAR");
	like(request_uri, "urn:ietf:params:oauth:request_uri:", "PAR: a request_uri");
	is_int(expires_in, 30, "PAR: expires_in");
	json_t *req = a_last("/oauth/par");
	a_check_wire(req, NULL, "PAR");
	like(t_request_header(req, "Content-Type"), "application/x-www-form-urlencoded", "PAR: form-encoded");
	char *names = a_form_names(a_body(req));
	is_str(names,
	       "client_id,response_type,redirect_uri,state,scope,nonce,code_challenge,code_challenge_method,"
	              "ui_locales,client_secret",
	       "PAR: fields in order, no organization, client secret last");
	free(names);
	char *v = a_form_value(a_body(req), "state");
	is_str(v, "par state", "PAR: values form-encoded");
	free(v);
	json_decref(req);

	/* The request_uri logs alice in through /authorize. */
	char *url = NULL;
	a_ok(auth0_par_authorize_url(c, request_uri, &url, &err), err, "PAR: authorize URL");
	a_autologin(T_ALICE);
	char *state = NULL;
	char *code = a_code_via_autologin(url, &state);
	a_autologin(NULL);
	ok(code != NULL, "PAR: the pushed request gives a code");
	is_str(state, "par state", "PAR: the pushed state comes back");
	auth0_tokens *tok = NULL;
	a_ok(auth0_exchange_code(c, code ? code : "x", T_CALLBACK, verifier, &tok, &err), err,
	     "PAR: code exchange");
	auth0_tokens_free(tok);
	free(code);
	free(state);
	free(url);
	free(request_uri);

	auth0_authorize_params bad = { .redirect_uri = "https://evil.example.com/callback" };
	auth0_status st = auth0_pushed_authorization_request(c, &bad, &request_uri, NULL, &err);
	ok(st != AUTH0_OK && request_uri == NULL, "PAR with an unregistered redirect_uri fails");
	a_is_error(err, AUTH0_ERR_BAD_REQUEST, "invalid_request", "Callback URL mismatch",
	           "PAR: bad redirect_uri");
	auth0_client_free(c);

	c = t_client(T_WEB_CLIENT_ID, "wrong");
	st = auth0_pushed_authorization_request(c, &p, &request_uri, NULL, &err);
	a_is_error(err, AUTH0_ERR_UNAUTHORIZED, "access_denied", NULL, "PAR: wrong client secret");
	auth0_client_free(c);
	free(verifier);
	free(challenge);
}

int main(void)
{
	t_require_tenant();
	t_reset();
	test_signup();
	test_reset_password();
	test_passwordless();
	test_userinfo();
	test_metadata();
	test_discovery();
	test_par();
	return done_testing();
}
