/*
 * Passwordless: POST /passwordless/start sends a magic link or a one-time
 * code by e-mail or SMS (JSON, with client authentication, in the Ruby
 * SDK's field order); POST /passwordless/verify checks a code with the
 * legacy endpoint (the body auth0.js sends). The code itself is exchanged
 * for tokens with auth0_exchange_email_otp() / auth0_exchange_sms_otp().
 */
#include "auth_internal.h"

#include <stdlib.h>
#include <string.h>

static auth0_status start(auth0_client *c, a0_fields *f, json_t **out, auth0_error **err)
{
	auth0_status st = a0_fields_check(f, err);
	if (st == AUTH0_OK)
		st = a0_auth_post(c, "/passwordless/start", f->json, A0_BODY_JSON, true, NULL, out, NULL, err);
	a0_fields_clear(f);
	return st;
}

auth0_status auth0_passwordless_start_email(auth0_client *c, const char *email, auth0_passwordless_send send,
                                            json_t *auth_params, json_t **out, auth0_error **err)
{
	if (out)
		*out = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st != AUTH0_OK)
		return st;
	st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require(email, "email", "Must supply a valid email", err);
	if (st == AUTH0_OK && send != AUTH0_PASSWORDLESS_LINK && send != AUTH0_PASSWORDLESS_CODE)
		st = a0_fail_arg(err, "send", "Must supply a valid send type (link or code)");
	if (st == AUTH0_OK && auth_params && !json_is_object(auth_params))
		st = a0_fail_arg(err, "auth_params", "auth_params must be a JSON object");
	if (st != AUTH0_OK)
		return st;

	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "email", email);
	a0_fields_str(&f, "send", send == AUTH0_PASSWORDLESS_CODE ? "code" : "link");
	/* The Ruby SDK always sends authParams, {} by default. */
	a0_fields_json(&f, "authParams", auth_params ? json_incref(auth_params) : json_object());
	a0_fields_str(&f, "connection", "email");
	a0_fields_str(&f, "client_id", c->client_id);
	return start(c, &f, out, err);
}

auth0_status auth0_passwordless_start_sms(auth0_client *c, const char *phone_number, json_t **out,
                                          auth0_error **err)
{
	if (out)
		*out = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st != AUTH0_OK)
		return st;
	st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require(phone_number, "phone_number", "Must supply a valid phone number", err);
	if (st != AUTH0_OK)
		return st;

	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "phone_number", phone_number);
	a0_fields_str(&f, "connection", "sms");
	a0_fields_str(&f, "client_id", c->client_id);
	return start(c, &f, out, err);
}

auth0_status auth0_passwordless_verify(auth0_client *c, const char *connection, const char *email_or_phone,
                                       const char *verification_code, json_t **out, auth0_error **err)
{
	if (out)
		*out = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st != AUTH0_OK)
		return st;
	st = a0_require_client_id(c, err);
	if (st == AUTH0_OK && !a0_streq(connection, "email") && !a0_streq(connection, "sms"))
		st = a0_fail_arg(err, "connection", "Must supply a valid connection (email or sms)");
	bool email = a0_streq(connection, "email");
	if (st == AUTH0_OK)
		st = a0_require(email_or_phone, email ? "email" : "phone_number",
		                email ? "Must supply a valid email" : "Must supply a valid phone number", err);
	if (st == AUTH0_OK)
		st = a0_require(verification_code, "verification_code", "Must supply a valid verification_code", err);
	if (st != AUTH0_OK)
		return st;

	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "connection", connection);
	a0_fields_str(&f, email ? "email" : "phone_number", email_or_phone);
	a0_fields_str(&f, "verification_code", verification_code);
	st = a0_fields_check(&f, err);
	/* Auth0 may answer with an empty body: take any 2xx, parse it when there is one. */
	char *text = NULL;
	a0_answer got = A0_ANSWER_NONE;
	if (st == AUTH0_OK)
		st = a0_auth_post_ex(c, "/passwordless/verify", f.json, A0_BODY_JSON, false, NULL, NULL, NULL, &text,
		                     &got, err);
	a0_fields_clear(&f);
	if (st != AUTH0_OK)
		return st;
	json_t *json = NULL;
	if (text[strspn(text, " \t\r\n")] != '\0') {
		json_error_t jerr;
		bool oom = false;
		json = a0_json_load(text, strlen(text), JSON_DECODE_ANY, &jerr, &oom);
		if (!json && oom)
			st = a0_oom_answer(err, "POST", "/passwordless/verify");
		else if (!json)
			st = a0_fail_answer(err, &got, "POST /passwordless/verify: malformed JSON answer (%s)",
			                    a0_json_error_without_text(&jerr));
	} else {
		json = json_object();
		if (!json)
			st = a0_oom(err);
	}
	a0_free_secret(text);
	if (st == AUTH0_OK && out)
		*out = json;
	else
		a0_json_free_secret(json); /* tokens, when the verification logged the user in */
	return st;
}
