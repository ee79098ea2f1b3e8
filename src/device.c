/*
 * Device authorization (RFC 8628): POST /oauth/device/code (form-encoded)
 * gives a user code to show and a device code to poll the device_code grant
 * with until the user has approved on another device.
 */
#include "auth_internal.h"

#include <stdlib.h>
#include <string.h>

#define A0_GRANT_DEVICE_CODE "urn:ietf:params:oauth:grant-type:device_code"

static bool copy_str(const json_t *answer, const char *key, char **out)
{
	const char *v = a0_json_str(answer, key);
	*out = a0_strdup(v);
	return v == NULL || *out != NULL;
}

auth0_status auth0_device_authorize(auth0_client *c, const char *scope, const char *audience,
                                    auth0_device_code *code, auth0_error **err)
{
	if (code)
		memset(code, 0, sizeof(*code));
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(code, "code", err);
	if (st != AUTH0_OK)
		return st;
	if ((st = a0_require_client_id(c, err)) != AUTH0_OK)
		return st;

	/* A confidential client authenticates as at the token endpoint (RFC 8628 3.1); a public one
	 * just names itself. */
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "scope", scope);
	a0_fields_str(&f, "audience", audience);
	st = a0_fields_check(&f, err);
	json_t *answer = NULL;
	a0_answer got = A0_ANSWER_NONE;
	if (st == AUTH0_OK)
		st = a0_auth_post(c, "/oauth/device/code", f.json, A0_BODY_FORM, true, NULL, &answer, &got, err);
	a0_fields_clear(&f);
	if (st != AUTH0_OK)
		return st;

	if (a0_empty(a0_json_str(answer, "device_code")) || a0_empty(a0_json_str(answer, "user_code")) ||
	    a0_empty(a0_json_str(answer, "verification_uri"))) {
		st = a0_fail_answer(err, &got, "POST /oauth/device/code: the answer lacks device_code, user_code or "
		                    "verification_uri");
	} else if (!copy_str(answer, "device_code", &code->device_code) ||
	           !copy_str(answer, "user_code", &code->user_code) ||
	           !copy_str(answer, "verification_uri", &code->verification_uri) ||
	           !copy_str(answer, "verification_uri_complete", &code->verification_uri_complete)) {
		st = a0_oom(err);
	} else {
		a0_poll_timing(answer, &code->expires_in, &code->interval);
	}
	json_decref(answer);
	if (st != AUTH0_OK)
		auth0_device_code_clear(code);
	return st;
}

auth0_status auth0_device_token(auth0_client *c, const char *device_code, auth0_tokens **tokens,
                                auth0_error **err)
{
	return a0_poll_grant(c, A0_GRANT_DEVICE_CODE, "device_code", device_code, tokens, err);
}

void auth0_device_code_clear(auth0_device_code *code)
{
	if (!code)
		return;
	a0_free_secret(code->device_code);
	free(code->user_code);
	free(code->verification_uri);
	free(code->verification_uri_complete);
	memset(code, 0, sizeof(*code));
}
