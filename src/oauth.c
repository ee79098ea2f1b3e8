/*
 * Authentication API plumbing shared by every endpoint: building the
 * request (JSON or form body, client authentication, headers), sending it
 * with the Authentication API's timeout and 429 retries, and reading token
 * answers. The Management token is never sent here (a Ruby SDK defect).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

/* Form-encodes a flat JSON object: strings as is, numbers and booleans as
 * text, nested values as compact JSON (e.g. CIBA's login_hint). */
static char *form_encode(const json_t *params)
{
	a0_buf b = A0_BUF_SECRET; /* client secrets, passwords, codes */
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)params, key, v) {
		char num[32];
		char *owned = NULL;
		const char *text = NULL;
		if (json_is_string(v))
			text = json_string_value(v);
		else if (json_is_integer(v))
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v)), text = num;
		else if (json_is_boolean(v))
			text = json_is_true(v) ? "true" : "false";
		else if (json_is_object(v) || json_is_array(v))
			text = owned = a0_json_dump(v);
		if (text)
			a0_query_add(&b, key, text, A0_ESC_FORM);
		free(owned);
	}
	return a0_buf_steal(&b);
}

static auth0_status auth_send(auth0_client *c, const char *method, const char *path, const char *body,
                              const char *content_type, struct curl_slist *headers, const char *bearer,
                              int max_retries, bool fresh_connection, json_t **json_out, char **text_out,
                              a0_answer *answer, auth0_error **err)
{
	char *url = a0_asprintf("%s%s", c->base_url, path);
	char *ct = content_type ? a0_asprintf("Content-Type: %s", content_type) : NULL;
	char *auth = bearer ? a0_asprintf("Authorization: Bearer %s", bearer) : NULL;
	struct curl_slist *h = headers;
	auth0_status st;
	if (json_out)
		*json_out = NULL;
	if (text_out)
		*text_out = NULL;
	if (answer)
		*answer = (a0_answer)A0_ANSWER_NONE;
	/* A caller's token (an access token for /userinfo, an MFA token): not quoted, it is a credential. */
	if (bearer && !a0_b64token(bearer)) {
		st = a0_fail_arg(err, "token", "%s %s: the token has a character that a bearer token cannot have "
		                 "(RFC 6750: letters, digits, - . _ ~ + / and trailing =)", method, path);
		goto out;
	}
	if (!url || (content_type && !a0_header_append(&h, ct)) || (bearer && !a0_header_append(&h, auth)) ||
	    !a0_header_append(&h, text_out ? "Accept: */*" : "Accept: application/json")) {
		st = a0_oom(err);
		goto out;
	}
	a0_request req = {
		.method = method,
		.url = url,
		.log_path = path,
		.headers = h,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.timeout_ms = c->timeout_ms,
		.max_retries = max_retries,
		.retry = A0_RETRY_AUTHENTICATION,
		.telemetry = true,
		.fresh_connection = fresh_connection,
	};
	if (text_out) {
		a0_response resp;
		st = a0_http_perform(c, &req, &resp, err);
		if (st == AUTH0_OK) {
			if (a0_http_ok(resp.status)) {
				*text_out = resp.body;
				resp.body = NULL;
				if (answer)
					*answer = a0_answer_of(&resp);
			} else {
				st = a0_error_from_response(err, &resp, method, path);
			}
			a0_response_clear(&resp);
		}
	} else {
		st = a0_http_json(c, &req, json_out, answer, err);
	}
out:
	a0_headers_free(h); /* it may hold a Basic credential or a bearer token */
	a0_free_secret(auth);
	free(ct);
	free(url);
	return st;
}

auth0_status a0_auth_post_ex(auth0_client *c, const char *path, json_t *params, a0_body_format format,
                             bool client_auth, const char *bearer, const a0_post_opts *opts,
                             json_t **json_out, char **text_out, a0_answer *answer, auth0_error **err)
{
	struct curl_slist *headers = NULL;
	for (const struct curl_slist *h = opts ? opts->headers : NULL; h; h = h->next) {
		if (!a0_header_append(&headers, h->data)) {
			a0_headers_free(headers);
			return a0_oom(err);
		}
	}
	if (client_auth) {
		auth0_status st = a0_client_auth_apply(c, params, &headers, err);
		if (st != AUTH0_OK) {
			a0_headers_free(headers);
			return st;
		}
	}
	char *body = format == A0_BODY_FORM ? form_encode(params) : a0_json_dump(params);
	if (!body) {
		a0_headers_free(headers);
		return a0_oom(err);
	}
	const char *type = format == A0_BODY_FORM ? "application/x-www-form-urlencoded" : "application/json";
	int retries = opts && opts->no_retry ? 0 : c->retry_count;
	/* Every POST of the Authentication API spends something (a code, a refresh token, a one-time password)
	 * or does something (an e-mail, a user): only the client credentials grant may be sent twice. */
	const char *grant = json_string_value(json_object_get(params, "grant_type"));
	bool fresh = !(grant && strcmp(grant, "client_credentials") == 0);
	auth0_status st = auth_send(c, "POST", path, body, type, headers, bearer, retries, fresh, json_out, text_out,
	                            answer, err);
	a0_free_secret(body); /* it held credentials, passwords or codes */
	return st;
}

auth0_status a0_auth_post(auth0_client *c, const char *path, json_t *params, a0_body_format format,
                          bool client_auth, const char *bearer, json_t **out, a0_answer *answer,
                          auth0_error **err)
{
	return a0_auth_post_ex(c, path, params, format, client_auth, bearer, NULL, out, NULL, answer, err);
}

auth0_status a0_auth_request(auth0_client *c, const char *method, const char *path, const char *bearer,
                             json_t **json_out, char **text_out, a0_answer *answer, auth0_error **err)
{
	return auth_send(c, method, path, NULL, NULL, NULL, bearer, c->retry_count, strcmp(method, "GET") != 0,
	                 json_out, text_out, answer, err);
}

auth0_status a0_tokens_from_json(json_t *json, auth0_tokens **tokens, auth0_error **err)
{
	return a0_tokens_from_answer(json, NULL, tokens, err);
}

auth0_status a0_tokens_from_answer(json_t *json, const a0_answer *answer, auth0_tokens **tokens,
                                   auth0_error **err)
{
	*tokens = NULL;
	const char *access = a0_json_str(json, "access_token");
	if (!json_is_object(json) || a0_empty(access))
		return a0_fail_answer(err, answer, "POST /oauth/token: the answer has no access_token");
	auth0_tokens *t = calloc(1, sizeof(*t));
	if (!t)
		return a0_oom(err);
	t->access_token = strdup(access);
	t->id_token = a0_strdup(a0_json_str(json, "id_token"));
	t->refresh_token = a0_strdup(a0_json_str(json, "refresh_token"));
	t->token_type = a0_strdup(a0_json_str(json, "token_type"));
	t->scope = a0_strdup(a0_json_str(json, "scope"));
	if (a0_json_int(json, "expires_in", &t->expires_in) && t->expires_in > 0)
		t->expires_at = a0_add_sat(a0_now(), t->expires_in); /* the tenant's number: any size */
	t->json = json_incref(json);
	if (!t->access_token) {
		auth0_tokens_free(t);
		return a0_oom(err);
	}
	*tokens = t;
	return AUTH0_OK;
}

void auth0_tokens_free(auth0_tokens *t)
{
	if (!t)
		return;
	a0_free_secret(t->access_token);
	a0_free_secret(t->id_token);
	a0_free_secret(t->refresh_token);
	free(t->token_type);
	free(t->scope);
	a0_json_free_secret(t->json); /* the same tokens (wiped unless the caller still holds a reference) */
	free(t);
}

auth0_status a0_oauth_token(auth0_client *c, json_t *params, auth0_tokens **tokens, a0_answer *answer,
                            auth0_error **err)
{
	json_t *json = NULL;
	*tokens = NULL;
	a0_answer got = A0_ANSWER_NONE;
	auth0_status st = a0_auth_post(c, "/oauth/token", params, A0_BODY_JSON, true, NULL, &json, &got, err);
	if (st == AUTH0_OK)
		st = a0_tokens_from_answer(json, &got, tokens, err);
	a0_json_free_secret(json);
	if (answer)
		*answer = st == AUTH0_OK ? got : (a0_answer)A0_ANSWER_NONE;
	return st;
}

auth0_status auth0_client_credentials(auth0_client *c, const char *audience, const char *organization,
                                      auth0_tokens **tokens, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (tokens)
		*tokens = NULL;
	if (!c || !tokens)
		return a0_fail_arg(err, "tokens", "auth0_client_credentials needs a client and an output pointer");
	return a0_client_credentials(c, audience, organization, tokens, NULL, err);
}

auth0_status a0_client_credentials(auth0_client *c, const char *audience, const char *organization,
                                   auth0_tokens **tokens, a0_answer *answer, auth0_error **err)
{
	*tokens = NULL;
	if (answer)
		*answer = (a0_answer)A0_ANSWER_NONE;
	/* Field order as the Ruby SDK sends it: grant_type, client_id, audience, organization. */
	/* "" leaves the audience out (the tenant's default audience decides, as the Ruby SDK's nil) */
	json_t *params = json_pack("{s:s, s:s*, s:s*}", "grant_type", "client_credentials", "client_id", c->client_id,
	                           "audience", !audience ? c->api_identifier : *audience ? audience : NULL);
	if (!params || a0_json_set_str(params, "organization", organization) != 0) {
		json_decref(params);
		return a0_oom(err);
	}
	auth0_status st = a0_oauth_token(c, params, tokens, answer, err);
	a0_json_free_secret(params); /* client_secret or client_assertion was added */
	return st;
}
