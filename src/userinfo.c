/*
 * Read-only GETs of the Authentication API: the user's profile (with the
 * user's own access token, the only credential sent), the SAML and
 * WS-Federation metadata documents, and the OpenID Connect discovery
 * document.
 */
#include "auth_internal.h"

#include <stdlib.h>
#include <string.h>

auth0_status auth0_userinfo(auth0_client *c, const char *access_token, json_t **profile, auth0_error **err)
{
	if (profile)
		*profile = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(profile, "profile", err);
	if (st != AUTH0_OK)
		return st;
	if ((st = a0_require(access_token, "access_token", "Must supply a valid access_token", err)) != AUTH0_OK)
		return st;
	json_t *json = NULL;
	a0_answer got = A0_ANSWER_NONE;
	st = a0_auth_request(c, "GET", "/userinfo", access_token, &json, NULL, &got, err);
	if (st == AUTH0_OK && !json_is_object(json)) {
		json_decref(json);
		return a0_fail_answer(err, &got, "GET /userinfo: the answer is not a JSON object");
	}
	if (st == AUTH0_OK)
		*profile = json;
	return st;
}

static auth0_status get_text(auth0_client *c, const char *path, char **text, auth0_error **err)
{
	char *body = NULL;
	a0_answer got = A0_ANSWER_NONE;
	auth0_status st = a0_auth_request(c, "GET", path, NULL, NULL, &body, &got, err);
	if (st == AUTH0_OK && a0_empty(body)) {
		free(body);
		return a0_fail_answer(err, &got, "GET %s: empty answer", path);
	}
	if (st == AUTH0_OK)
		*text = body;
	return st;
}

auth0_status auth0_saml_metadata(auth0_client *c, char **xml, auth0_error **err)
{
	if (xml)
		*xml = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(xml, "xml", err);
	if (st != AUTH0_OK)
		return st;
	if ((st = a0_require_client_id(c, err)) != AUTH0_OK)
		return st;
	a0_buf path = A0_BUF_INIT;
	a0_buf_puts(&path, "/samlp/metadata/");
	a0_buf_escape(&path, c->client_id, A0_ESC_SEGMENT);
	char *p = a0_buf_steal(&path);
	if (!p)
		return a0_oom(err);
	st = get_text(c, p, xml, err);
	free(p);
	return st;
}

auth0_status auth0_wsfed_metadata(auth0_client *c, char **xml, auth0_error **err)
{
	if (xml)
		*xml = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(xml, "xml", err);
	if (st != AUTH0_OK)
		return st;
	return get_text(c, "/wsfed/FederationMetadata/2007-06/FederationMetadata.xml", xml, err);
}

auth0_status auth0_oidc_discovery(auth0_client *c, json_t **configuration, auth0_error **err)
{
	static const char path[] = "/.well-known/openid-configuration";
	if (configuration)
		*configuration = NULL;
	auth0_status st = a0_auth_begin(c, err);
	if (st == AUTH0_OK)
		st = a0_require_out(configuration, "configuration", err);
	if (st != AUTH0_OK)
		return st;
	json_t *json = NULL;
	a0_answer got = A0_ANSWER_NONE;
	st = a0_auth_request(c, "GET", path, NULL, &json, NULL, &got, err);
	if (st != AUTH0_OK)
		return st;
	/* OpenID Connect Discovery 1.0, 4.3: the issuer must be the one the document was fetched for. */
	const char *issuer = a0_json_str(json, "issuer");
	if (!json_is_object(json))
		st = a0_fail_answer(err, &got, "GET %s: the answer is not a JSON object", path);
	else if (!a0_streq(issuer, c->issuer))
		st = a0_fail_answer(err, &got, "GET %s: the issuer is %s, not %s", path, issuer ? "another" : "missing",
		                    c->issuer);
	if (st == AUTH0_OK)
		*configuration = json;
	else
		json_decref(json);
	return st;
}
