/*
 * The redirect URI (Auth0RedirectURI): where the tenant sends the browser
 * back with ?code=...&state=... (or ?error=...).
 *
 * Order of checks:
 *   1. GET only; state, code and error may not be repeated (400);
 *   2. error=: an escaped page with an honest status and a way to try again;
 *   3. no parameters at all: a request to sign in (GET /callback starts a
 *      login that lands on Auth0PostLoginURL), which is what the "sign in
 *      again" links of the pages below point to;
 *   4. the transaction cookie of this state: taken (deleted) and opened; the
 *      state compared in constant time; Auth0LoginTimeout checked. Missing,
 *      stale or replayed (back button, bookmark, a login page left open):
 *      a browser that already has a session goes to the landing page,
 *      others get a page that offers to sign in again;
 *   5. the state recorded as used in the shared cache until it would have
 *      expired, so that it works once even if its cookie were replayed; a
 *      cache failure refuses the login (fail closed);
 *   6. the code exchanged with the PKCE verifier; tenant failures answer 502
 *      (unreachable, bad answer), 503 (rate limited, unavailable, with
 *      Retry-After) or 504 (timeout, Auth0HTTPTimeout), logged with
 *      libauth0's message;
 *   7. the ID token validated by libauth0 (signature, alg, iss, aud, exp,
 *      iat, nonce, azp, organization) with Auth0ClockSkew;
 *   8. a new session (always a new id: no fixation; a previous session of
 *      this browser is removed), then a redirect to the original URL.
 */
#include "mod_auth0.h"

typedef struct params {
	const char *state, *code, *error, *error_description;
	int n_state, n_code, n_error, any, malformed;
} params;

static void parse_query(request_rec *r, params *p)
{
	static const char *const names[] = { "state", "code", "error", "error_description" };
	const char *v[4];
	int n[4], others;
	memset(p, 0, sizeof(*p));
	/* A pair that does not decode could be a second state or code: the whole response is refused. */
	p->malformed = !a0m_query_params(r, names, 4, v, n, &others);
	p->state = v[0];
	p->code = v[1];
	p->error = v[2];
	p->error_description = v[3];
	p->n_state = n[0];
	p->n_code = n[1];
	p->n_error = n[2];
	p->any = n[0] + n[1] + n[2] + n[3] + others;
}

/* "Sign in again" links point to the bare redirect URI, which starts a login. */
static const char *restart_href(request_rec *r, const a0m_dir_conf *c)
{
	(void)r;
	return a0m_conf_redirect_path(c);
}

/* The landing page of a browser that is signed in already. */
static int to_landing(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const char *target)
{
	a0m_no_store(r);
	const char *path = target ? target : a0m_conf_post_login_url(c);
	apr_table_setn(r->headers_out, "Location", apr_pstrcat(r->pool, a0m_origin_base(r, o), path, NULL));
	return HTTP_MOVED_TEMPORARILY;
}

/*
 * Auth0SilentLogin's login (t->silent) that did not end in a session here, whatever the reason: back to the
 * page, anonymously (its location lets anonymous requests through), never an error page: a public page must
 * be shown whatever the sign-in service did. warn: the site's or the tenant's fault, which an administrator
 * should see; else what happens to any browser the tenant does not know.
 */
static int silent_anonymous(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const a0m_transaction *t,
                            bool warn, const char *why)
{
	ap_log_rerror(APLOG_MARK, warn ? APLOG_WARNING : APLOG_INFO, 0, r,
	              "mod_auth0: silent login: %s; on anonymously", why);
	return to_landing(r, c, o, t->original_url);
}

static int stale(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const char *why)
{
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: callback refused: %s", why);
	a0m_metric(A0M_LOGIN_STALE);
	if (a0m_session_load(r, c, o))
		return to_landing(r, c, o, NULL);
	return a0m_page(r, HTTP_BAD_REQUEST, "Your sign-in has expired",
	                "This sign-in link was already used or is no longer valid (for example after using the "
	                "Back button, or when the sign-in page stayed open too long).",
	                restart_href(r, c), "Sign in again");
}

/*
 * The error codes of RFC 6749 (4.1.2.1) and OpenID Connect Core (3.1.2.6) that an authorization response
 * carries, which the page names. Anyone can make a link to the callback with error= text of their own
 * ("your account is locked, call this number"): for a login this browser did not start, any other code is
 * not repeated on the site's page.
 */
static bool known_error(const char *e)
{
	static const char *const codes[] = {
		"access_denied", "unauthorized", "login_required", "consent_required", "interaction_required",
		"account_selection_required", "temporarily_unavailable", "server_error", "invalid_request",
		"unauthorized_client", "unsupported_response_type", "invalid_scope", "invalid_request_uri",
		"invalid_request_object", "request_not_supported", "request_uri_not_supported",
		"registration_not_supported",
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(e, codes[i]) == 0)
			return true;
	return false;
}

static int error_response(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const params *p)
{
	const char *why = NULL;
	a0m_transaction *t = p->state ? a0m_transaction_take(r, c, o, p->state, &why) : NULL;
	const char *e = p->error;
	if (t && t->silent) {
		/* the tenant does not know this browser, or would need to ask it something (login_required and its
		 * kind: the usual answer, at debug); any other error (access_denied, an organization required, the
		 * tenant unavailable) lands on the page all the same */
		bool usual = strcmp(e, "login_required") == 0 || strcmp(e, "consent_required") == 0 ||
		             strcmp(e, "interaction_required") == 0 || strcmp(e, "account_selection_required") == 0;
		if (usual) {
			ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: silent login: %s, on anonymously",
			              ap_escape_logitem(r->pool, e));
			return to_landing(r, c, o, t->original_url);
		}
		/* access_denied, unauthorized: the user's or a rule's refusal; anything else is worth a warning */
		bool refused = strcmp(e, "access_denied") == 0 || strcmp(e, "unauthorized") == 0;
		const char *text = p->error_description ? p->error_description : "(no description)";
		return silent_anonymous(r, c, o, t, !refused,
		                        apr_pstrcat(r->pool, "the tenant answered ", ap_escape_logitem(r->pool, e), ": ",
		                                    ap_escape_logitem(r->pool, text), NULL));
	}
	a0m_metric(A0M_LOGIN_DENIED);
	int status = strcmp(e, "access_denied") == 0 || strcmp(e, "unauthorized") == 0 ||
	                     strcmp(e, "login_required") == 0 || strcmp(e, "consent_required") == 0 ||
	                     strcmp(e, "interaction_required") == 0
	                 ? HTTP_FORBIDDEN
	             : strcmp(e, "temporarily_unavailable") == 0 ? HTTP_SERVICE_UNAVAILABLE
	             : strcmp(e, "server_error") == 0            ? HTTP_BAD_GATEWAY
	                                                         : HTTP_BAD_REQUEST;
	/* a warning only for a login this browser started: anyone can send error=... to the callback */
	ap_log_rerror(APLOG_MARK, status == HTTP_FORBIDDEN || !t ? APLOG_INFO : APLOG_WARNING, 0, r,
	              "mod_auth0: the login ended with error %s: %s", ap_escape_logitem(r->pool, e),
	              ap_escape_logitem(r->pool, p->error_description ? p->error_description
	                                                              : "(no description)"));
	/* The tenant's description, and a code the list above does not have, are shown only for a login this
	 * browser started: anyone can make a link to the callback with text of their own, and this site would
	 * show it. */
	const char *code = t || known_error(e) ? e : "an error code this site does not know";
	const char *text = apr_pstrcat(r->pool, "The sign-in did not complete: ",
	                               t && p->error_description && *p->error_description ? p->error_description
	                                                                                   : code,
	                               " (", code, ").", NULL);
	const char *href = t && t->original_url ? t->original_url : restart_href(r, c);
	return a0m_page(r, status, status == HTTP_FORBIDDEN ? "Sign-in refused" : "Sign-in failed", text, href,
	                "Try again");
}

/* Records a state as used; false when it was used before or the cache cannot tell (fail closed). */
static int record_state(request_rec *r, const a0m_dir_conf *c, const a0m_transaction *t)
{
	const char *key =
		apr_pstrcat(r->pool, A0M_NS_STATE, a0m_sha256_hex(r->pool, t->state, strlen(t->state)), NULL);
	apr_time_t until = t->created + apr_time_from_sec(a0m_conf_login_timeout(c) + 60);
	/* one step, so that two callbacks with the same state at once cannot both find it unused */
	apr_status_t rv = a0m_cache_add(r->server, key, until, r->pool);
	if (rv == APR_EEXIST)
		return HTTP_CONFLICT;
	if (rv == APR_SUCCESS)
		return OK;
	ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r,
	              "mod_auth0: the shared cache cannot record the login state; login refused (fail closed)");
	return HTTP_SERVICE_UNAVAILABLE;
}

static int exchange_failed(request_rec *r, const a0m_dir_conf *c, const a0m_transaction *t, auth0_error *err)
{
	a0m_metric(A0M_LOGIN_FAILED);
	/* invalid_grant is a code that is stale, used, or made up (anyone can send one): not the server's error */
	bool stale = err && err->error && strcmp(err->error, "invalid_grant") == 0;
	ap_log_rerror(APLOG_MARK, stale ? APLOG_INFO : APLOG_ERR, 0, r, "mod_auth0: the code exchange failed: %s",
	              err ? err->message : "unknown error");
	if (stale)
		return a0m_page(r, HTTP_BAD_REQUEST, "Your sign-in has expired",
		                "The sign-in took too long or was already completed.", t->original_url,
		                "Sign in again");
	if (a0m_tenant_failed(err))
		return a0m_page_unavailable(r, a0m_status_for_tenant_error(r, err), t->original_url);
	(void)c;
	return a0m_page(r, HTTP_BAD_GATEWAY, "Sign-in failed",
	                "The sign-in service refused this site's request. The error has been logged.", NULL,
	                NULL);
}

static int token_invalid(request_rec *r, const a0m_transaction *t, auth0_error *err)
{
	a0m_metric(A0M_LOGIN_FAILED);
	ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: the ID token was refused (%s): %s",
	              err ? auth0_token_rule_name(err->rule) : "?", err ? err->message : "unknown error");
	/* the tenant failing, or its keys unavailable (the token may be fine): the user may try again */
	if (auth0_error_is_transient(err))
		return a0m_page_unavailable(r,
		                            err->kind == AUTH0_ERR_INVALID_TOKEN ? HTTP_SERVICE_UNAVAILABLE
		                                                                 : a0m_status_for_tenant_error(r, err),
		                            t->original_url);
	if (err && err->rule == AUTH0_RULE_AUTH_TIME)
		/* asked for a recent login, the tenant vouched for an old one: back to the page would ask again */
		return a0m_page(r, HTTP_FORBIDDEN, "A recent sign-in is needed",
		                "This page needs a recent sign-in, and the sign-in service did not ask for your "
		                "credentials again.", "/", "Go to the home page");
	if (err && err->rule == AUTH0_RULE_NONCE)
		return a0m_page(r, HTTP_BAD_REQUEST, "Sign-in failed",
		                "This sign-in does not belong to this browser's session.", t->original_url,
		                "Sign in again");
	return a0m_page(r, HTTP_BAD_GATEWAY, "Sign-in failed",
	                "The sign-in service answered with an identity that could not be verified. The error "
	                "has been logged.", NULL, NULL);
}

int a0m_callback_handle(request_rec *r, const a0m_dir_conf *c)
{
	int rc;
	const a0m_origin *o = a0m_origin_get_only(r, c, "The sign-in callback accepts GET requests only.", &rc);
	if (!o)
		return rc;
	params p;
	parse_query(r, &p);
	if (p.n_state > 1 || p.n_code > 1 || p.n_error > 1) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: callback with repeated parameters refused");
		return a0m_page(r, HTTP_BAD_REQUEST, "Invalid sign-in response",
		                "The sign-in response repeats a parameter.", restart_href(r, c), "Sign in again");
	}
	if (p.malformed) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
		              "mod_auth0: callback with a parameter that does not decode refused");
		return a0m_page(r, HTTP_BAD_REQUEST, "Invalid sign-in response",
		                "The sign-in response is malformed.", restart_href(r, c), "Sign in again");
	}
	if (p.error)
		return error_response(r, c, o, &p);
	if (!p.any) {
		/* a plain visit: sign in, or go on if signed in already */
		if (a0m_session_load(r, c, o))
			return to_landing(r, c, o, NULL);
		return a0m_login_start(r, c, o, NULL);
	}
	if (!p.state || !p.code || !*p.state || !*p.code)
		return stale(r, c, o, "the callback lacks state or code");

	const char *why = NULL;
	a0m_transaction *t = a0m_transaction_take(r, c, o, p.state, &why);
	if (!t)
		return stale(r, c, o, why);
	rc = record_state(r, c, t);
	if (rc != OK && t->silent)
		return silent_anonymous(r, c, o, t, rc != HTTP_CONFLICT,
		                        rc == HTTP_CONFLICT ? "the state was used before (replay)"
		                                            : "the shared cache cannot record the login state");
	if (rc == HTTP_CONFLICT)
		return stale(r, c, o, "the state was used before (replay)");
	if (rc != OK)
		return a0m_page(r, rc, "Sign-in unavailable",
		                "This site cannot complete sign-ins right now. Please try again in a moment.",
		                t->original_url, "Try again");

	auth0_client *client = a0m_app_client(r, c);
	if (!client && t->silent)
		return silent_anonymous(r, c, o, t, true, "no client for the tenant");
	if (!client)
		return a0m_page(r, HTTP_INTERNAL_SERVER_ERROR, "Sign-in failed",
		                "This site cannot complete sign-ins right now. The error has been logged.", NULL,
		                NULL);
	auth0_tokens *tokens = NULL;
	auth0_error *err = NULL;
	if (auth0_exchange_code(client, p.code, t->redirect_uri, t->verifier, &tokens, &err) != AUTH0_OK) {
		if (t->silent) {
			a0m_metric(A0M_LOGIN_FAILED);
			/* invalid_grant: a code that is stale or used (anyone can send one); else the tenant or the site */
			rc = silent_anonymous(r, c, o, t, !(err && err->error && strcmp(err->error, "invalid_grant") == 0),
			                      apr_pstrcat(r->pool, "the code exchange failed: ",
			                                  err ? err->message : "unknown error", NULL));
		} else
			rc = exchange_failed(r, c, t, err);
		auth0_error_free(err);
		return rc;
	}
	json_t *claims = NULL;
	if (!tokens->id_token && t->silent) {
		rc = silent_anonymous(r, c, o, t, true, "the tenant returned no ID token");
		goto out;
	}
	if (!tokens->id_token) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: the tenant returned no ID token (is openid in "
		                                           "Auth0Scope and granted?)");
		rc = a0m_page(r, HTTP_BAD_GATEWAY, "Sign-in failed", "The sign-in service returned no identity.",
		              NULL, NULL);
		goto out;
	}
	auth0_id_token_options v = {
		.nonce = t->nonce,
		.leeway = AUTH0_INT(a0m_conf_leeway(c)),
		/* the one the login asked for (begin_login()): the token must be for it. Each request checks again
		 * that the session's is the organization of the location it is used in (a0m_session_shortfall). */
		.organization = t->organization,
		/* a login for Auth0MaxAge: the tenant must have authenticated the user within it */
		.max_age = t->max_age > 0 ? AUTH0_INT(t->max_age) : (auth0_opt_int){ 0 },
		.algorithm = (auth0_id_token_alg)a0m_conf_id_token_alg(c),
	};
	if (auth0_id_token_validate(client, tokens->id_token, &v, &claims, &err) != AUTH0_OK) {
		if (t->silent) {
			a0m_metric(A0M_LOGIN_FAILED);
			/* auth_time: the tenant's session is older than Auth0MaxAge allows here (what a browser the
			 * tenant knows from long ago gets); any other rule: the tenant's or the site's fault */
			rc = silent_anonymous(r, c, o, t, !(err && err->rule == AUTH0_RULE_AUTH_TIME),
			                      apr_psprintf(r->pool, "the ID token was refused (%s): %s",
			                                   err ? auth0_token_rule_name(err->rule) : "?",
			                                   err ? err->message : "unknown error"));
		} else
			rc = token_invalid(r, t, err);
		auth0_error_free(err);
		goto out;
	}
	a0m_session_load(r, c, o); /* so that saving the new session removes the previous one */
	a0m_session *s = a0m_session_create(r, c, tokens, claims, &rc);
	if (!s && t->silent) {
		rc = silent_anonymous(r, c, o, t, rc != HTTP_FORBIDDEN,
		                      rc == HTTP_FORBIDDEN ? "this account cannot sign in to this site"
		                                           : "the session could not be created");
		goto out;
	}
	if (s && t->silent && t->step_up && !s->mfa) {
		/* Auth0RequireMFA here, and the tenant's session had no second factor: a session that would fall
		 * short at once is not kept (prompt=none cannot ask for the factor); the page, anonymously */
		rc = silent_anonymous(r, c, o, t, false, "the tenant's session has no second factor (Auth0RequireMFA)");
		goto out;
	}
	if (!s) {
		rc = a0m_page(r, rc, "Sign-in failed",
		              "Your session could not be created. The error has been logged.", NULL, NULL);
		goto out;
	}
	if (a0m_session_save(r, c, o, s) != A0M_SAVE_OK) {
		if (t->silent) {
			rc = silent_anonymous(r, c, o, t, true, "the session could not be stored");
			goto out;
		}
		rc = a0m_page(r, HTTP_INTERNAL_SERVER_ERROR, "Sign-in failed",
		              "Your session could not be stored. The error has been logged.", NULL, NULL);
		goto out;
	}
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: %s signed in (%s store)",
	              ap_escape_logitem(r->pool, s->user), s->in_cache ? "cache" : "cookie");
	a0m_metric(A0M_LOGIN_COMPLETED);
	if (t->step_up && !s->mfa) {
		/* asked for a second factor and signed in without one: back to the page would ask again, for ever */
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: the login asked for multi-factor "
		              "authentication came back without it (is MFA enabled for the tenant?)");
		rc = a0m_page(r, HTTP_FORBIDDEN, "A second factor is needed",
		              "This page needs a sign-in with multi-factor authentication, and the sign-in did not "
		              "use one.", "/", "Go to the home page");
		goto out;
	}
	const char *target = a0m_redirect_local(r->pool, t->original_url);
	if (!target)
		target = a0m_conf_post_login_url(c);
	if (t->post && (rc = a0m_post_repost(r, c, t, target)) != DECLINED)
		goto out; /* the form this login interrupted, posted again from a page of this site */
	if (c->cookie_samesite == A0M_SAMESITE_STRICT)
		/* a redirect chain that began on the tenant would not carry a Strict cookie: move on same-site */
		rc = a0m_page_continue(r, target);
	else
		rc = to_landing(r, c, o, target);
out:
	json_decref(claims);
	auth0_tokens_free(tokens);
	return rc;
}
