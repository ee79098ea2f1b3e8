/*
 * SetHandler auth0-session-info: the signed-in user's session as JSON, for
 * the pages of the site (a single-page application asking who is signed in
 * and until when), in a <Location> protected by AuthType Auth0:
 *
 *   {"user": REMOTE_USER, "claims": {the ID token's claims the session kept},
 *    "session": {"store": "cookie"|"cache", "created": T, "expires_at": T,
 *                "idle_timeout": S, "max_duration": S},
 *    "organization": {"id", "name"}            (when the session has one)
 *    "access_token": {"expires_at": T, "scope", "audience"}   (when the session has one for this location)}
 *
 * Tokens themselves are never in it (a script on the page, or an injected
 * one, would hold them). Times are epoch seconds. Cache-Control: no-store.
 * Anything but a signed-in session (a bearer token, Auth0Unauthenticated
 * pass, a CORS preflight) gets 403.
 */
#include "mod_auth0.h"

#include <http_core.h>

#define HANDLER "auth0-session-info"

static int answer(request_rec *r, int status, json_t *body)
{
	r->status = status;
	a0m_no_store(r);
	apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
	ap_set_content_type(r, "application/json");
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text)
		return HTTP_INTERNAL_SERVER_ERROR;
	if (r->header_only == 0)
		ap_rputs(text, r);
	free(text);
	return DONE;
}

int a0m_session_info_handler(request_rec *r)
{
	if (!r->handler || strcmp(r->handler, HANDLER) != 0)
		return DECLINED;
	if (r->method_number != M_GET) {
		apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD");
		return answer(r, HTTP_METHOD_NOT_ALLOWED, json_pack("{s:s}", "error", "method_not_allowed"));
	}
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	a0m_request *rq = a0m_request_get(r, false);
	const a0m_session *s = rq ? rq->session : NULL;
	if (!s || !r->user || !*r->user) {
		/* under AuthType Auth0 this is expected (Auth0Unauthenticated pass lets anonymous visitors ask, a
		 * page's script asking whether anyone is signed in; a bearer token): debug. Without it, the handler
		 * can never answer: an error of the configuration. */
		const char *type = ap_auth_type(r);
		bool ours = type && strcasecmp(type, A0M_AUTHTYPE_SESSION) == 0;
		ap_log_rerror(APLOG_MARK, ours ? APLOG_DEBUG : APLOG_ERR, 0, r, "mod_auth0: %s at %s %s", HANDLER,
		              ap_escape_logitem(r->pool, r->uri),
		              ours ? "without a signed-in session: 403" : "needs AuthType Auth0 (a signed-in session)");
		return answer(r, HTTP_FORBIDDEN, json_pack("{s:s}", "error", "no_session"));
	}
	json_t *claims = s->claims ? json_loads(s->claims, 0, NULL) : NULL;
	json_t *body = json_pack("{s:s, s:o, s:{s:s, s:I, s:I, s:i, s:i}}", "user", r->user, "claims",
	                         claims ? claims : json_object(), "session", "store", s->in_cache ? "cache" : "cookie",
	                         "created", (json_int_t)s->created, "expires_at", (json_int_t)a0m_session_ends_at(c, s),
	                         "idle_timeout", a0m_conf_inactivity_timeout(c), "max_duration",
	                         a0m_conf_max_duration(c));
	if (body && (s->org_id || s->org_name))
		json_object_set_new(body, "organization", json_pack("{s:s?, s:s?}", "id", s->org_id, "name", s->org_name));
	if (body && rq->access_token && s->access_expires) {
		json_t *access = rq->access_claims_text ? json_loads(rq->access_claims_text, 0, NULL) : NULL;
		json_t *info = json_pack("{s:I}", "expires_at", (json_int_t)s->access_expires);
		if (info && json_is_string(json_object_get(access, "scope")))
			json_object_set(info, "scope", json_object_get(access, "scope"));
		if (info && json_object_get(access, "aud"))
			json_object_set(info, "audience", json_object_get(access, "aud"));
		json_decref(access);
		json_object_set_new(body, "access_token", info);
	}
	return answer(r, HTTP_OK, body);
}
