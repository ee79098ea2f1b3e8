/*
 * Database connections: sign-up and the change-password e-mail. These
 * endpoints take the client id but no client authentication (as in the Ruby
 * SDK); change_password answers with a plain confirmation text.
 */
#include "auth_internal.h"

#include <stdlib.h>
#include <string.h>

#define A0_DEFAULT_CONNECTION "Username-Password-Authentication"

auth0_status auth0_signup(auth0_client *c, const auth0_signup_params *p, json_t **user, auth0_error **err)
{
	if (user)
		*user = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(user, "user", err);
	if (st != AUTH0_OK)
		return st;
	st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(p, "params", err);
	if (st == AUTH0_OK)
		st = a0_require(p->email, "email", "Must supply a valid email", err);
	if (st == AUTH0_OK)
		st = a0_require(p->password, "password", "Must supply a valid password", err);
	if (st == AUTH0_OK && p->user_metadata && !json_is_object(p->user_metadata))
		st = a0_fail_arg(err, "user_metadata", "user_metadata must be a JSON object");
	if (st != AUTH0_OK)
		return st;

	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "email", p->email);
	a0_fields_str(&f, "password", p->password);
	a0_fields_str(&f, "connection", a0_empty(p->connection) ? A0_DEFAULT_CONNECTION : p->connection);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "username", p->username);
	a0_fields_str(&f, "given_name", p->given_name);
	a0_fields_str(&f, "family_name", p->family_name);
	a0_fields_str(&f, "name", p->name);
	a0_fields_str(&f, "nickname", p->nickname);
	a0_fields_str(&f, "picture", p->picture);
	a0_fields_str(&f, "phone_number", p->phone_number);
	a0_fields_json(&f, "user_metadata", p->user_metadata ? json_incref(p->user_metadata) : NULL);
	st = a0_fields_check(&f, err);
	json_t *answer = NULL;
	a0_answer got = A0_ANSWER_NONE;
	if (st == AUTH0_OK)
		st = a0_auth_post(c, "/dbconnections/signup", f.json, A0_BODY_JSON, false, NULL, &answer, &got, err);
	a0_fields_clear(&f);
	if (st == AUTH0_OK && !json_is_object(answer)) {
		json_decref(answer);
		return a0_fail_answer(err, &got, "POST /dbconnections/signup: the answer is not a user");
	}
	if (st == AUTH0_OK)
		*user = answer;
	return st;
}

/*
 * Auth0 answers with a sentence ("We've just sent you an email to reset
 * your password."), as text or as a JSON string; both give the sentence.
 * Takes raw; false when memory ran out reading it.
 */
static bool confirmation_text(char *raw, char **out)
{
	bool oom = false;
	json_t *j = a0_json_load(raw, strlen(raw), JSON_DECODE_ANY, NULL, &oom);
	*out = raw;
	if (json_is_string(j)) {
		*out = a0_strdup(json_string_value(j));
		free(raw);
	}
	json_decref(j);
	if (oom || !*out) {
		free(*out);
		*out = NULL;
		return false;
	}
	return true;
}

static auth0_status change_password(auth0_client *c, const char *email, const char *password,
                                    const char *connection, char **message, auth0_error **err)
{
	if (message)
		*message = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st != AUTH0_OK)
		return st;
	st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require(email, "email", "Must supply a valid email", err);
	if (st != AUTH0_OK)
		return st;

	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "email", email);
	a0_fields_str(&f, "password", password);
	a0_fields_str(&f, "connection", a0_empty(connection) ? A0_DEFAULT_CONNECTION : connection);
	a0_fields_str(&f, "client_id", c->client_id);
	st = a0_fields_check(&f, err);
	char *text = NULL;
	if (st == AUTH0_OK)
		st = a0_auth_post_ex(c, "/dbconnections/change_password", f.json, A0_BODY_JSON, false, NULL, NULL,
		                     NULL, &text, NULL, err);
	a0_fields_clear(&f);
	if (st != AUTH0_OK)
		return st;
	if (!message) {
		free(text);
		return AUTH0_OK;
	}
	return confirmation_text(text, message) ? AUTH0_OK
	                                        : a0_oom_answer(err, "POST", "/dbconnections/change_password");
}

auth0_status auth0_reset_password(auth0_client *c, const char *email, const char *connection, char **message,
                                  auth0_error **err)
{
	return change_password(c, email, NULL, connection, message, err);
}

auth0_status auth0_change_password(auth0_client *c, const char *email, const char *password,
                                   const char *connection, char **message, auth0_error **err)
{
	/* NULL password: the Ruby SDK would send "password": null; we leave it out (a reset). */
	return change_password(c, email, password, connection, message, err);
}
