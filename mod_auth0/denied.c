/*
 * The page of a signed-in browser whom a Require refuses.
 *
 * mod_authz_core answers such a user 401 (403 with AuthzSendForbiddenOnFailure On), and httpd's own page
 * for it speaks of "wrong credentials" and a browser that "doesn't understand how to supply" them: nothing a
 * user signed in through Auth0 can act on. This page says who the session is and offers what can change the
 * answer: signing in with another account (Auth0LoginPath with prompt=login, or the site's own prompt, back
 * to this page) and signing out (a form that POSTs to Auth0LogoutPath). mod_auth_openidc's OIDCUnAutzAction
 * does the like; here the user chooses, so an account that is refused never loops through the tenant.
 *
 * The refusal is mod_authz_core's, made after every Require line (one of ours refusing does not make the
 * request refused), so no provider of ours sees it: a 401 or 403 of a request whose authorization started
 * and did not let it through (mod_auth0.c's authz_starts and authz_passed) is one. The page is put in as
 * httpd makes the error response:
 * insert_error_filter runs in ap_send_error_response before it looks for a custom response. Only for a
 * page navigation (scripts and images get httpd's answer), only where the site has no ErrorDocument of its
 * own for the status (an ErrorDocument that is a document was used before this point; one that is a text
 * is found here), and with the status httpd chose.
 */
#include "mod_auth0.h"

#include <http_core.h>
#include <http_protocol.h>
#include <mod_core.h>

/* The page the browser asked for: after an internal redirect (a rewrite, an ErrorDocument), the first
 * request's, not the internal target's. */
static const char *asked_for(request_rec *r)
{
	while (r->prev)
		r = r->prev;
	return a0m_request_target(r);
}

static void denied_page(request_rec *r)
{
	if (r->main || (r->status != HTTP_UNAUTHORIZED && r->status != HTTP_FORBIDDEN) || !r->user)
		return;
	const a0m_request *rq = a0m_request_get(r, false);
	if (!rq || !rq->source || strcmp(rq->source, "session") != 0)
		return; /* a bearer request (bearer.c's challenge), or no identity of ours */
	/* Require's refusal only: not a RewriteRule's [F], a directory without an index, a file's permissions,
	 * a backend's answer (ProxyErrorOverride), which another account would not change */
	const a0m_request_state *st = a0m_request_state_get(r);
	if (!st->authz_started || st->authz_passed)
		return;
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (!c || !c->domain || ap_response_code_string(r, ap_index_of_response(r->status)) || !a0m_is_navigation(r))
		return;
	const char *links[4] = { NULL };
	int n = 0;
	if (c->login_path) {
		/* prompt=login makes the tenant ask which account, where single sign-on would bring back this one; a
		 * site that sets its own prompt (select_account, login, consent) keeps it: a link may not change it */
		links[n++] = "login";
		links[n++] = apr_pstrcat(r->pool, c->login_path, a0m_conf_authz_param(c, "prompt") ? "?" : "?prompt=login&",
		                         "returnTo=", ap_escape_urlencoded(r->pool, asked_for(r)), NULL);
		links[n++] = "Sign in with another account";
	}
	/* Signing out is a POST with the session's CSRF token, which logout.c acts on in any browser: a link is a
	 * GET that it acts on only when the browser says it is same-origin, and this page sends no Referer (nor a
	 * navigation an Origin), so a browser without Sec-Fetch-Site (older Safari and Firefox) would get the
	 * confirmation page first */
	const char *const fields[] = { "csrf", rq->csrf_token, NULL };
	const a0m_page_post logout = { "logout", c->logout_path, "Sign out", fields };
	ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: %d for a signed-in user: the access-denied page",
	              r->status);
	a0m_page_as_error_response(
	    r, "Access denied",
	    apr_pstrcat(r->pool, "You are signed in as ", a0m_request_shown_user(r),
	                ". This page is not open to that account.", NULL),
	    links, c->logout_path ? &logout : NULL);
}

void a0m_denied_register(apr_pool_t *p)
{
	(void)p;
	ap_hook_insert_error_filter(denied_page, NULL, NULL, APR_HOOK_MIDDLE);
}
