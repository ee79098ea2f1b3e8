/*
 * Client-initiated back-channel authentication (OpenID CIBA, poll mode):
 * POST /bc-authorize (form-encoded, with client authentication) asks the
 * user to approve on their device; the CIBA grant at /oauth/token is then
 * polled until they do.
 */
#include "auth_internal.h"

#include <stdlib.h>
#include <string.h>

#define A0_GRANT_CIBA "urn:openid:params:grant-type:ciba"

/* Whether the space-separated scope list contains `want`. */
static bool has_scope(const char *scope, const char *want)
{
	size_t wn = strlen(want);
	for (const char *s = scope; *s;) {
		size_t n = strcspn(s, " ");
		if (n == wn && strncmp(s, want, n) == 0)
			return true;
		s += n;
		s += strspn(s, " ");
	}
	return false;
}

/* Auth0's login_hint: {"format":"iss_sub","iss":"https://DOMAIN/","sub":USER_ID} as compact JSON text; NULL
 * with *oom false for a user id that is not UTF-8. */
static char *login_hint(const auth0_client *c, const char *user_id, bool *oom)
{
	json_error_t e;
	memset(&e, 0, sizeof(e));
	json_t *hint = json_pack_ex(&e, 0, "{s:s, s:s, s:s}", "format", "iss_sub", "iss", c->issuer, "sub", user_id);
	char *text = hint ? a0_json_dump(hint) : NULL;
	*oom = hint ? !text : json_error_code(&e) != json_error_invalid_utf8; /* checked before it allocates */
	json_decref(hint);
	return text;
}

auth0_status auth0_ciba_authorize(auth0_client *c, const auth0_ciba_params *p, auth0_ciba_request *request,
                                  auth0_error **err)
{
	if (request)
		memset(request, 0, sizeof(*request));
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(request, "request", err);
	if (st != AUTH0_OK)
		return st;
	st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(p, "params", err);
	if (st == AUTH0_OK)
		st = a0_require(p->user_id, "user_id", "Must supply a valid user_id", err);
	if (st == AUTH0_OK && (a0_empty(p->scope) || !has_scope(p->scope, "openid")))
		st = a0_fail_arg(err, "scope", "Must supply a valid scope (containing openid)");
	if (st == AUTH0_OK)
		st = a0_require(p->binding_message, "binding_message", "Must supply a valid binding_message", err);
	if (st == AUTH0_OK && p->requested_expiry.set && p->requested_expiry.value <= 0)
		st = a0_fail_arg(err, "requested_expiry",
		                 "Must supply a valid requested_expiry (seconds, more than 0)");
	if (st != AUTH0_OK)
		return st;

	bool oom = false;
	char *hint = login_hint(c, p->user_id, &oom);
	if (!hint && oom)
		return a0_oom(err);
	if (!hint) /* json_pack also fails on a user id that is not UTF-8 */
		return a0_fail_arg(err, "user_id", "Must supply a valid user_id");
	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "login_hint", hint);
	a0_fields_str(&f, "scope", p->scope);
	a0_fields_str(&f, "binding_message", p->binding_message);
	a0_fields_str(&f, "audience", p->audience);
	if (p->requested_expiry.set)
		a0_fields_int(&f, "requested_expiry", p->requested_expiry.value);
	free(hint);
	st = a0_fields_check(&f, err);
	json_t *answer = NULL;
	a0_answer got = A0_ANSWER_NONE;
	if (st == AUTH0_OK)
		st = a0_auth_post(c, "/bc-authorize", f.json, A0_BODY_FORM, true, NULL, &answer, &got, err);
	a0_fields_clear(&f);
	if (st != AUTH0_OK)
		return st;

	const char *id = a0_json_str(answer, "auth_req_id");
	if (a0_empty(id)) {
		st = a0_fail_answer(err, &got, "POST /bc-authorize: the answer has no auth_req_id");
	} else if (!(request->auth_req_id = strdup(id))) {
		st = a0_oom(err);
	} else {
		a0_poll_timing(answer, &request->expires_in, &request->interval);
	}
	json_decref(answer);
	return st;
}

auth0_status auth0_ciba_token(auth0_client *c, const char *auth_req_id, auth0_tokens **tokens,
                              auth0_error **err)
{
	return a0_poll_grant(c, A0_GRANT_CIBA, "auth_req_id", auth_req_id, tokens, err);
}

void auth0_ciba_request_clear(auth0_ciba_request *request)
{
	if (!request)
		return;
	a0_free_secret(request->auth_req_id);
	memset(request, 0, sizeof(*request));
}
