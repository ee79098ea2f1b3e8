/*
 * Pushed authorization requests (RFC 9126): the authorization parameters
 * go to POST /oauth/par (form-encoded, with client authentication) instead
 * of the browser's URL, and come back as a request_uri.
 */
#include "auth_internal.h"

#include <stdlib.h>

auth0_status auth0_pushed_authorization_request(auth0_client *c, const auth0_authorize_params *params,
                                                char **request_uri, int64_t *expires_in, auth0_error **err)
{
	if (request_uri)
		*request_uri = NULL;
	if (expires_in)
		*expires_in = 0;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(request_uri, "request_uri", err);
	if (st != AUTH0_OK)
		return st;

	/* As in the Ruby SDK, the client's default organization is not sent here. */
	json_t *fields = NULL;
	st = a0_authorize_fields(c, params, false, &fields, err);
	if (st != AUTH0_OK)
		return st;
	json_t *answer = NULL;
	a0_answer got = A0_ANSWER_NONE;
	st = a0_auth_post(c, "/oauth/par", fields, A0_BODY_FORM, true, NULL, &answer, &got, err);
	a0_json_free_secret(fields); /* client authentication was added to it */
	if (st != AUTH0_OK)
		return st;

	const char *uri = a0_json_str(answer, "request_uri");
	if (a0_empty(uri)) {
		st = a0_fail_answer(err, &got, "POST /oauth/par: the answer has no request_uri");
	} else if (!(*request_uri = a0_strdup(uri))) {
		st = a0_oom(err);
	} else if (expires_in) {
		a0_json_copy_int(answer, "expires_in", expires_in);
	}
	json_decref(answer);
	return st;
}
