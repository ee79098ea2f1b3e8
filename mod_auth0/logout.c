/*
 * The logout endpoint (Auth0LogoutPath).
 *
 * A cross-site page must not be able to log users out (a nuisance, and a
 * step in login-CSRF attacks), so the endpoint acts only on
 *   - a POST carrying the session's CSRF token (field csrf), or
 *   - a GET (or HEAD) that the browser marks as same-origin: Sec-Fetch-Site
 *     same-origin or none (typed, bookmarked), or else an Origin or Referer
 *     of this origin. A plain link <a href="/logout"> on the site works.
 * Anything else gets a confirmation page whose button POSTs the token.
 * (Without a session there is nothing to protect but the tenant's SSO
 * session: a POST then needs the same-origin signals too.)
 *
 * Then: the refresh token is revoked (best effort), the session destroyed
 * (every cookie chunk expired, the cache entry removed) and the browser sent
 * to the tenant's logout (Auth0LogoutEndpoint v2: /v2/logout with returnTo
 * and client_id; oidc: /oidc/logout with id_token_hint, logout_hint (sid)
 * and post_logout_redirect_uri; local: straight to returnTo).
 *
 * returnTo: the parameter returnTo, else Auth0LogoutReturnTo, else "/";
 * checked by redirects.c against Auth0LogoutReturnToAllow (400 when refused).
 *
 * A prefetch of the URL (Sec-Purpose, Purpose, X-Moz: prefetch; X-Purpose: preview) changes nothing:
 * 503, no-store (a0m_is_prefetch). A POST's body is read as body.c reads one: at
 * most 16 KB (413 past it), 408 for a client that stops sending.
 */
#include "mod_auth0.h"

#define MAX_FORM 16384

typedef struct logout_params {
	const char *return_to;
	const char *csrf;
	int n_return_to;
	bool malformed;   /* a query or form pair that does not decode, or a NUL: refused, not ignored */
} logout_params;

/* The query's returnTo: decoded as the callback's parameters are (a0m_query_params), a query with a pair
 * that does not decode refused as a whole. */
static void query_params(request_rec *r, logout_params *lp)
{
	static const char *const names[] = { "returnTo" };
	const char *value[1];
	int count[1], others;
	lp->malformed |= !a0m_query_params(r, names, 1, value, count, &others);
	lp->return_to = value[0];
	lp->n_return_to = count[0];
}

/* The form's returnTo and csrf (none when the body is not application/x-www-form-urlencoded); OK, or what
 * reading the body failed with (400, 408, 413, AP_FILTER_ERROR: body.c), which the caller answers. */
static int form_params(request_rec *r, logout_params *lp)
{
	/* only a form carries csrf and returnTo (as back-channel logout's body, backchannel.c): any other body
	 * (multipart, text/plain) is no form, and gets the confirmation page; httpd discards it unread */
	const char *type = apr_table_get(r->headers_in, "Content-Type");
	if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0 ||
	    (type[33] && type[33] != ';' && type[33] != ' '))
		return OK;
	char *text = NULL;
	apr_size_t len = 0;
	int rc = a0m_read_body(r, MAX_FORM, &text, &len);
	if (rc != OK)
		return rc;
	apr_array_header_t *pairs = NULL;
	/* a pair that does not decode (a bad escape, %00) or a raw NUL: refused as a whole, as a query is (a
	 * pair that cannot be read could be a second returnTo or csrf) */
	if (memchr(text, '\0', len) || !a0m_form_pairs(r->pool, text, &pairs)) {
		lp->malformed = true;
		return OK;
	}
	for (int i = 0; i < pairs->nelts; i++) {
		const a0m_pair *pair = &APR_ARRAY_IDX(pairs, i, a0m_pair);
		if (strcmp(pair->name, "returnTo") == 0) {
			lp->return_to = pair->value;
			lp->n_return_to++;
		} else if (strcmp(pair->name, "csrf") == 0) {
			lp->csrf = pair->value;
		}
	}
	return OK;
}

/*
 * A prefetch (Sec-Purpose: prefetch, from speculation rules or <link rel=prefetch>; Purpose: prefetch from
 * older browsers; X-Moz: prefetch from Firefox; X-Purpose: preview from Safari's and Chrome's previews) of
 * the logout URL: a browser fetches it ahead of a click that may never come, with the session's cookie and
 * Sec-Fetch-Site same-origin, so that answering it would sign the user out. It gets 503, uncached: a
 * browser discards a prefetch answered with anything but 2xx (204 and 205 too would do for a prerender,
 * but not for a prefetch), and asks again when the user does follow the link. 503 is the usual answer to a
 * prefetch a server declines.
 */
bool a0m_is_prefetch(request_rec *r)
{
	const char *sec = apr_table_get(r->headers_in, "Sec-Purpose"), *purpose = apr_table_get(r->headers_in, "Purpose"),
	           *moz = apr_table_get(r->headers_in, "X-Moz"), *x = apr_table_get(r->headers_in, "X-Purpose");
	return (sec && ap_strcasestr(sec, "prefetch")) || (purpose && ap_strcasestr(purpose, "prefetch")) ||
	       (moz && ap_strcasestr(moz, "prefetch")) || (x && ap_strcasestr(x, "preview"));
}

/* Where the tenant's logout should send the browser back to, as the configuration says. */
static char *tenant_logout_url(request_rec *r, const a0m_dir_conf *c, const a0m_session *s,
                               const char *return_to)
{
	int endpoint = c->logout_endpoint == A0M_UNSET_INT ? A0M_LOGOUT_V2 : c->logout_endpoint;
	if (endpoint == A0M_LOGOUT_LOCAL)
		return apr_pstrdup(r->pool, return_to);
	auth0_client *client = a0m_app_client(r, c);
	if (!client)
		return NULL;
	char *url = NULL;
	auth0_error *err = NULL;
	auth0_status st;
	if (endpoint == A0M_LOGOUT_OIDC) {
		auth0_oidc_logout_params p = {
			.id_token_hint = s ? s->id_token : NULL,
			.post_logout_redirect_uri = return_to,
			.logout_hint = s ? s->sid : NULL,
			.include_client_id = true,
			.federated = a0m_conf_flag(c->logout_federated, false),
		};
		st = auth0_oidc_logout_url(client, &p, &url, &err);
	} else {
		auth0_logout_params p = { .return_to = return_to,
			                      .include_client_id = true,
			                      .federated = a0m_conf_flag(c->logout_federated, false) };
		st = auth0_logout_url(client, &p, &url, &err);
	}
	char *out = NULL;
	if (st == AUTH0_OK)
		out = apr_pstrdup(r->pool, url);
	else
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: cannot build the tenant's logout URL: %s",
		              err ? err->message : "unknown error");
	auth0_free(url);
	auth0_error_free(err);
	return out;
}

void a0m_revoke_refresh_token(request_rec *r, const a0m_dir_conf *c, const a0m_session *s)
{
	auth0_client *client = s && s->refresh_token ? a0m_app_client(r, c) : NULL;
	if (!client)
		return;
	auth0_error *err = NULL;
	if (auth0_revoke_refresh_token(client, s->refresh_token, &err) != AUTH0_OK)
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: could not revoke the refresh token: %s",
		              err ? err->message : "unknown error");
	auth0_error_free(err);
}

int a0m_logout_handle(request_rec *r, const a0m_dir_conf *c)
{
	const a0m_origin *o = a0m_origin_get(r, c);
	int rc;
	if (!a0m_origin_check(r, o, &rc))
		return rc;
	bool post = r->method_number == M_POST;
	if (!post && r->method_number != M_GET) {
		apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD, POST");
		return a0m_page(r, HTTP_METHOD_NOT_ALLOWED, "Method not allowed", "Sign out with GET or POST.", NULL,
		                NULL);
	}
	if (!post && a0m_is_prefetch(r)) {
		ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: a prefetch of the logout URL declined (503)");
		r->status = HTTP_SERVICE_UNAVAILABLE;
		a0m_no_store(r);
		ap_set_content_length(r, 0);
		return DONE;
	}
	logout_params lp = { NULL, NULL, 0, false };
	if (post) {
		int read = form_params(r, &lp);
		if (read == HTTP_REQUEST_ENTITY_TOO_LARGE) {
			r->connection->keepalive = AP_CONN_CLOSE; /* the rest of the body is not read */
			return a0m_page(r, read, "Invalid sign-out request",
			                apr_psprintf(r->pool, "The sign-out form is larger than %d bytes.", MAX_FORM), NULL,
			                NULL);
		}
		if (read != OK)
			return read; /* 400 (a malformed body), 408, or AP_FILTER_ERROR: an input filter answered */
	} else {
		query_params(r, &lp);
	}
	if (lp.n_return_to > 1)
		return a0m_page(r, HTTP_BAD_REQUEST, "Invalid sign-out request", "returnTo is given more than once.",
		                NULL, NULL);
	if (lp.malformed) {
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: logout refused: its returnTo or query is "
		              "malformed (a bad escape or a NUL)");
		return a0m_page(r, HTTP_BAD_REQUEST, "Invalid sign-out request", "The sign-out link is malformed.",
		                NULL, NULL);
	}
	const char *why = NULL;
	const char *return_to = a0m_redirect_return_to(r, c, o, lp.return_to, &why);
	if (!return_to) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: logout returnTo %s refused: it %s",
		              ap_escape_logitem(r->pool, lp.return_to ? lp.return_to : "(default)"), why);
		return a0m_page(r, HTTP_BAD_REQUEST, "Invalid sign-out request",
		                "The page to return to after signing out is not allowed.", NULL, NULL);
	}

	a0m_session *s = a0m_session_load(r, c, o);
	if (!s && a0m_session_cache_failed(r))
		/* the session may be in the cache still: a logout that says it happened must have ended it */
		return a0m_session_unavailable(r, "This site cannot sign you out right now. Please try again in a "
		                                  "moment.");
	bool allowed = post && s ? lp.csrf && a0m_secure_streq(lp.csrf, s->csrf)
	                           : a0m_origin_request_from(r, o) == A0M_FROM_THIS_ORIGIN;
	if (!allowed) {
		if (!s)
			return a0m_page(r, HTTP_OK, "Signed out", "You are not signed in to this site.", return_to,
			                "Continue");
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: logout not confirmed (%s); asking the user",
		              post ? "POST without a valid CSRF token" : "not a same-origin request");
		const char *fields[] = { "csrf", s->csrf, "returnTo", lp.return_to, NULL };
		return a0m_page_form(r, "Sign out?", "Do you want to sign out of this site?", r->uri, "Sign out",
		                     fields);
	}

	a0m_revoke_refresh_token(r, c, s);
	a0m_session_destroy(r, c, o, s);
	if (a0m_conf_flag(c->silent_login, false)) {
		/* the tenant may still know the browser (a local logout): Auth0SilentLogin must not sign it in again */
		a0m_cookie_spec silent = a0m_cookie_silent_spec(r, c, o);
		a0m_cookie_set(r, &silent, "1", -1);
	}
	if (s)
		a0m_metric(A0M_SESSION_LOGOUT);
	if (s)
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: %s signed out",
		              ap_escape_logitem(r->pool, s->user));
	const char *url = tenant_logout_url(r, c, s, return_to);
	a0m_no_store(r);
	apr_table_setn(r->headers_out, "Location", url ? url : return_to);
	return HTTP_MOVED_TEMPORARILY;
}
