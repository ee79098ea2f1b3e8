/*
 * URLs the browser is sent to: /authorize (directly or with a PAR
 * request_uri), /v2/logout, /oidc/logout, /samlp/CLIENT_ID and /wsfed.
 * No network I/O. Query strings are built like the Ruby SDK's: in a fixed
 * order, each value escaped like CGI.escape (space as '+'), NULL values
 * left out.
 */
#include "auth_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A0_DEFAULT_CONNECTION "Username-Password-Authentication"

char *a0_auth_url(const auth0_client *c, const char *path, const char *segment, const char *query)
{
	a0_buf b = A0_BUF_INIT;
	a0_buf_puts(&b, c->base_url);
	a0_buf_puts(&b, path);
	if (segment) {
		a0_buf_putc(&b, '/');
		a0_buf_escape(&b, segment, A0_ESC_SEGMENT);
	}
	if (!a0_empty(query)) {
		a0_buf_putc(&b, '?');
		a0_buf_puts(&b, query);
	}
	return a0_buf_steal(&b);
}

/* Turns a flat object of strings into a query string, in member order. */
static char *query_from_fields(const json_t *fields)
{
	a0_buf q = A0_BUF_INIT;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)fields, key, v)
		a0_query_add(&q, key, json_string_value(v), A0_ESC_FORM);
	return a0_buf_steal(&q);
}

/* Hands the URL over, or fails for lack of memory. */
static auth0_status give_url(char *built, char **url, auth0_error **err)
{
	*url = built;
	return built ? AUTH0_OK : a0_oom(err);
}

auth0_status a0_authorize_fields(auth0_client *c, const auth0_authorize_params *p, bool default_organization,
                                 json_t **fields, auth0_error **err)
{
	*fields = NULL;
	auth0_status st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(p, "params", err);
	if (st == AUTH0_OK)
		st = a0_require(p->redirect_uri, "redirect_uri", "Must supply a valid redirect_uri", err);
	if (st != AUTH0_OK)
		return st;
	if (p->max_age.set && p->max_age.value < 0)
		return a0_fail_arg(err, "max_age", "Must supply a valid max_age (a number of seconds, 0 or more)");
	for (const auth0_kv *kv = p->extra; kv && kv->name; kv++) {
		if (!*kv->name)
			return a0_fail_arg(err, "extra", "an extra authorization parameter has an empty name");
		/* Who asks and where the code goes are not extras: an override would bypass the redirect_uri
		 * check above. response_type may change (Ruby's additional_parameters: "code id_token"). */
		const char *own = strcmp(kv->name, "client_id") == 0      ? c->client_id
		                : strcmp(kv->name, "redirect_uri") == 0 ? p->redirect_uri
		                                                         : NULL;
		if (own && !a0_streq(kv->value, own))
			return a0_fail_arg(err, "extra", "the extra parameter '%s' would replace the %s given", kv->name,
			                   kv->name);
	}

	char max_age[32];
	if (p->max_age.set)
		snprintf(max_age, sizeof(max_age), "%" PRId64, p->max_age.value);
	const char *org = p->organization;
	if (!org && default_organization)
		org = c->organization;

	a0_fields f;
	a0_fields_init(&f);
	a0_fields_str(&f, "client_id", c->client_id);
	a0_fields_str(&f, "response_type", p->response_type ? p->response_type : "code");
	a0_fields_str(&f, "connection", p->connection);
	a0_fields_str(&f, "redirect_uri", p->redirect_uri);
	a0_fields_str(&f, "state", p->state);
	a0_fields_str(&f, "scope", p->scope);
	a0_fields_str(&f, "organization", org);
	a0_fields_str(&f, "invitation", p->invitation);
	a0_fields_str(&f, "nonce", p->nonce);
	a0_fields_str(&f, "audience", p->audience);
	a0_fields_str(&f, "response_mode", p->response_mode);
	a0_fields_str(&f, "prompt", p->prompt);
	a0_fields_str(&f, "max_age", p->max_age.set ? max_age : NULL);
	a0_fields_str(&f, "login_hint", p->login_hint);
	a0_fields_str(&f, "screen_hint", p->screen_hint);
	a0_fields_str(&f, "code_challenge", p->code_challenge);
	if (p->code_challenge)
		a0_fields_str(&f, "code_challenge_method",
		              p->code_challenge_method ? p->code_challenge_method : "S256");
	/* Like Ruby's Hash#merge: an existing key keeps its place and takes the new value. */
	for (const auth0_kv *kv = p->extra; kv && kv->name; kv++) {
		if (kv->value)
			a0_fields_str(&f, kv->name, kv->value);
		else if (f.json)
			json_object_del(f.json, kv->name);
	}
	/*
	 * PKCE is S256 only, as in pkce.c: "plain" gives no protection when the request leaks. A
	 * code_challenge from extra (Ruby's only way) gets its method too: without one the server
	 * takes it as plain.
	 */
	const char *method = a0_json_str(f.json, "code_challenge_method");
	st = a0_fields_check(&f, err);
	if (st == AUTH0_OK && method && strcmp(method, "S256") != 0)
		st = a0_fail_arg(err, "code_challenge_method", "code_challenge_method must be S256");
	if (st == AUTH0_OK && !method && a0_json_str(f.json, "code_challenge")) {
		a0_fields_str(&f, "code_challenge_method", "S256");
		st = a0_fields_check(&f, err);
	}
	if (st != AUTH0_OK) {
		a0_fields_clear(&f);
		return st;
	}
	*fields = f.json;
	return AUTH0_OK;
}

auth0_status auth0_authorize_url(auth0_client *c, const auth0_authorize_params *params, char **url,
                                 auth0_error **err)
{
	if (url)
		*url = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(url, "url", err);
	if (st != AUTH0_OK)
		return st;
	json_t *fields = NULL;
	st = a0_authorize_fields(c, params, true, &fields, err);
	if (st != AUTH0_OK)
		return st;
	char *query = query_from_fields(fields);
	json_decref(fields);
	st = give_url(query ? a0_auth_url(c, "/authorize", NULL, query) : NULL, url, err);
	free(query);
	return st;
}

auth0_status auth0_par_authorize_url(auth0_client *c, const char *request_uri, char **url, auth0_error **err)
{
	if (url)
		*url = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(url, "url", err);
	if (st != AUTH0_OK)
		return st;
	st = a0_require_client_id(c, err);
	if (st == AUTH0_OK)
		st = a0_require(request_uri, "request_uri", "Must supply a valid request_uri", err);
	if (st != AUTH0_OK)
		return st;
	a0_buf q = A0_BUF_INIT;
	a0_query_add(&q, "client_id", c->client_id, A0_ESC_FORM);
	a0_query_add(&q, "request_uri", request_uri, A0_ESC_FORM);
	char *query = a0_buf_steal(&q);
	st = give_url(query ? a0_auth_url(c, "/authorize", NULL, query) : NULL, url, err);
	free(query);
	return st;
}

auth0_status auth0_logout_url(auth0_client *c, const auth0_logout_params *params, char **url,
                              auth0_error **err)
{
	static const auth0_logout_params none = { 0 };
	if (url)
		*url = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(url, "url", err);
	if (st != AUTH0_OK)
		return st;
	const auth0_logout_params *p = params ? params : &none;
	if (p->include_client_id && (st = a0_require_client_id(c, err)) != AUTH0_OK)
		return st;
	a0_buf q = A0_BUF_INIT;
	a0_query_add(&q, "returnTo", p->return_to, A0_ESC_FORM);
	a0_query_add(&q, "client_id", p->include_client_id ? c->client_id : NULL, A0_ESC_FORM);
	a0_query_add(&q, "federated", p->federated ? "1" : NULL, A0_ESC_FORM);
	char *query = a0_buf_steal(&q);
	st = give_url(query ? a0_auth_url(c, "/v2/logout", NULL, query) : NULL, url, err);
	free(query);
	return st;
}

auth0_status auth0_oidc_logout_url(auth0_client *c, const auth0_oidc_logout_params *params, char **url,
                                   auth0_error **err)
{
	static const auth0_oidc_logout_params none = { 0 };
	if (url)
		*url = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(url, "url", err);
	if (st != AUTH0_OK)
		return st;
	const auth0_oidc_logout_params *p = params ? params : &none;
	/* Auth0 checks post_logout_redirect_uri against the application named by the
	 * ID token or, without one, by client_id. */
	bool send_client_id = p->include_client_id || (p->post_logout_redirect_uri && !p->id_token_hint);
	if (send_client_id && (st = a0_require_client_id(c, err)) != AUTH0_OK)
		return st;
	a0_buf q = A0_BUF_INIT;
	a0_query_add(&q, "id_token_hint", p->id_token_hint, A0_ESC_FORM);
	a0_query_add(&q, "client_id", send_client_id ? c->client_id : NULL, A0_ESC_FORM);
	a0_query_add(&q, "post_logout_redirect_uri", p->post_logout_redirect_uri, A0_ESC_FORM);
	a0_query_add(&q, "logout_hint", p->logout_hint, A0_ESC_FORM);
	a0_query_add(&q, "state", p->state, A0_ESC_FORM);
	a0_query_add(&q, "ui_locales", p->ui_locales, A0_ESC_FORM);
	a0_query_add(&q, "federated", p->federated ? "1" : NULL, A0_ESC_FORM);
	char *query = a0_buf_steal(&q);
	st = give_url(query ? a0_auth_url(c, "/oidc/logout", NULL, query) : NULL, url, err);
	free(query);
	return st;
}

auth0_status auth0_samlp_url(auth0_client *c, const char *connection, char **url, auth0_error **err)
{
	if (url)
		*url = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(url, "url", err);
	if (st != AUTH0_OK)
		return st;
	if ((st = a0_require_client_id(c, err)) != AUTH0_OK)
		return st;
	a0_buf q = A0_BUF_INIT;
	a0_query_add(&q, "connection", a0_empty(connection) ? A0_DEFAULT_CONNECTION : connection, A0_ESC_FORM);
	char *query = a0_buf_steal(&q);
	st = give_url(query ? a0_auth_url(c, "/samlp", c->client_id, query) : NULL, url, err);
	free(query);
	return st;
}

auth0_status auth0_wsfed_url(auth0_client *c, const auth0_wsfed_params *params, char **url, auth0_error **err)
{
	static const auth0_wsfed_params none = { 0 };
	if (url)
		*url = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(url, "url", err);
	if (st != AUTH0_OK)
		return st;
	const auth0_wsfed_params *p = params ? params : &none;
	/* With a wtrealm the realm names the relying party; otherwise the client id does. */
	if (!p->wtrealm && (st = a0_require_client_id(c, err)) != AUTH0_OK)
		return st;
	a0_buf q = A0_BUF_INIT;
	a0_query_add(&q, "whr", a0_empty(p->connection) ? A0_DEFAULT_CONNECTION : p->connection, A0_ESC_FORM);
	a0_query_add(&q, "wtrealm", p->wtrealm, A0_ESC_FORM);
	a0_query_add(&q, "wctx", p->wctx, A0_ESC_FORM);
	a0_query_add(&q, "wreply", p->wreply, A0_ESC_FORM);
	char *query = a0_buf_steal(&q);
	char *built = NULL;
	if (query)
		built = p->wtrealm ? a0_auth_url(c, "/wsfed/", NULL, query)
		                   : a0_auth_url(c, "/wsfed", c->client_id, query);
	st = give_url(built, url, err);
	free(query);
	return st;
}
