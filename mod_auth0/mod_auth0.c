/*
 * The module's hooks and the dispatch of each request to its flow.
 *
 *   header_parser      scrub client-sent identity headers wherever mod_auth0 is configured
 *   check_authn (AuthType Auth0 / Auth0Bearer)
 *       callback path  -> callback.c      logout path -> logout.c
 *       anything else  -> session.c (browser session) or bearer.c (API)
 *   handler (APR_HOOK_REALLY_FIRST, so before mod_proxy)
 *       callback and logout paths that lie outside any protected location;
 *       auth0-management / auth0-admin handlers (admin.c)
 *   authz providers    -> authz.c
 */
#include "mod_auth0.h"

#include <ap_mpm.h>

#include <http_core.h>
#include <mod_auth.h>

#define NOTE_ENDPOINT "mod_auth0:endpoint"

/* Whether this request is for the configured callback or logout path. */
static bool is_path(const request_rec *r, const char *path)
{
	return path && r->uri && strcmp(r->uri, path) == 0;
}

/* Whether r is for one of the paths this module answers itself. */
static bool is_own_path(const request_rec *r, const a0m_dir_conf *c)
{
	return is_path(r, a0m_conf_redirect_path(c)) || is_path(r, c->logout_path) ||
	       is_path(r, c->backchannel_logout_path) || is_path(r, c->login_path);
}

static int run_endpoint(request_rec *r, const a0m_dir_conf *c)
{
	if (is_path(r, a0m_conf_redirect_path(c))) {
		apr_table_setn(r->notes, NOTE_ENDPOINT, "callback");
		return a0m_callback_handle(r, c);
	}
	if (is_path(r, c->logout_path)) {
		apr_table_setn(r->notes, NOTE_ENDPOINT, "logout");
		return a0m_logout_handle(r, c);
	}
	if (is_path(r, c->backchannel_logout_path)) {
		apr_table_setn(r->notes, NOTE_ENDPOINT, "backchannel-logout");
		return a0m_backchannel_handle(r, c);
	}
	if (is_path(r, c->login_path)) {
		apr_table_setn(r->notes, NOTE_ENDPOINT, "login");
		return a0m_login_initiate(r, c);
	}
	return DECLINED;
}

/*
 * This module's slot of r->request_config: the identity (shared with the sub-requests and internal
 * redirects that inherit it, so its presence means "authenticated by mod_auth0") and the request's own
 * scratch, which is never shared.
 */
typedef struct request_slot {
	a0m_request *identity;
	a0m_request_state own;
} request_slot;

static request_slot *slot_of(request_rec *r)
{
	request_slot *s = ap_get_module_config(r->request_config, &auth0_module);
	if (!s) {
		s = apr_pcalloc(r->pool, sizeof(*s));
		ap_set_module_config(r->request_config, &auth0_module, s);
	}
	return s;
}

/* Sub-requests and internal redirects inherit the identity of their parent. */
static bool inherit_identity(request_rec *r)
{
	request_rec *orig = r->main ? r->main : r->prev;
	while (orig && !orig->user)
		orig = orig->main ? orig->main : orig->prev;
	if (!orig)
		return false;
	a0m_request *parent = a0m_request_get(orig, false);
	/* what a CORS preflight was let through with is for that preflight only, never for an error document
	 * or any other request it leads to */
	if (!parent || (parent->preflight && r->method_number != M_OPTIONS))
		return false;
	r->user = orig->user;
	r->ap_auth_type = orig->ap_auth_type;
	slot_of(r)->identity = parent;
	return true;
}

/*
 * A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method, and no body) is how a browser
 * asks whether a page of another origin may call here; it never carries credentials (no cookie, no
 * Authorization), so under authentication it could only fail, and the cross-origin call with it.
 * Auth0CORSPreflight:
 *   - answer (default): it goes through authentication with an empty user and no identity (the identity
 *     headers were scrubbed before; Require valid-user and Require auth0-* pass it), and this module's
 *     handler, which runs before any other, answers 204 No Content: no backend, CGI or proxy ever sees it.
 *     The CORS headers are the site's, e.g. Header always set Access-Control-Allow-Origin ... (mod_headers
 *     adds them to that answer);
 *   - backend: the same, but the request goes on to the backend, for applications that answer CORS
 *     themselves; a backend that does not look at the method would serve it like a GET, without an
 *     identity (REMOTE_USER empty);
 *   - auth: it is authenticated like any request (401).
 * The admin endpoints never serve one.
 */
static int preflight_mode(const a0m_dir_conf *c)
{
	return c->cors_preflight == A0M_UNSET_INT ? A0M_PREFLIGHT_ANSWER : c->cors_preflight;
}

static bool is_preflight(request_rec *r, const a0m_dir_conf *c)
{
	if (r->method_number != M_OPTIONS || preflight_mode(c) == A0M_PREFLIGHT_AUTH ||
	    !apr_table_get(r->headers_in, "Origin") || !apr_table_get(r->headers_in, "Access-Control-Request-Method") ||
	    apr_table_get(r->headers_in, "Transfer-Encoding"))
		return false;
	const char *length = apr_table_get(r->headers_in, "Content-Length");
	return !length || strcmp(length, "0") == 0;
}

static int pass_preflight(request_rec *r)
{
	ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: CORS preflight for %s let through without an "
	              "identity (Auth0CORSPreflight)", ap_escape_logitem(r->pool, r->uri));
	r->user = "";
	a0m_request_get(r, true)->preflight = true;
	a0m_metric(A0M_PREFLIGHT_PASSED);
	return OK;
}

/* Auth0CORSPreflight answer: 204, before any other handler. */
static int answer_preflight(request_rec *r)
{
	a0m_request *rq = a0m_request_get(r, false);
	if (!rq || !rq->preflight || r->method_number != M_OPTIONS)
		return DECLINED;
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (preflight_mode(c) != A0M_PREFLIGHT_ANSWER)
		return DECLINED;
	r->status = HTTP_NO_CONTENT;
	apr_table_mergen(r->headers_out, "Vary", "Origin");
	return OK;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Whether the identity a sub-request or internal redirect inherits counts in its own location: a session
 * whose login gives what the location asks for (an organization, a second factor, a recent login); a
 * bearer token checked for the same tenant, API, organization and user claim. No login or new check can
 * start from here. One kind never counts as the other: a bearer token was checked for an API, not for this
 * application, and what trusts a session (the admin API's CSRF rule: a bearer caller needs none) would
 * take it for one; a session was never checked for an API's audience or organization. A CORS preflight's
 * empty identity counts (only an OPTIONS sub-request inherits it: inherit_identity).
 */
static bool inherited_counts(request_rec *r, const a0m_dir_conf *c, const a0m_request *parent, bool session)
{
	if (parent->preflight)
		return true;
	if (session)
		return parent->session && a0m_session_shortfall(r, c, parent->session) == A0M_SHORT_NONE;
	return parent->conf && same_text(parent->conf->domain, c->domain) &&
	       same_text(parent->conf->audience, c->audience) &&
	       same_text(parent->conf->organization, c->organization) &&
	       strcmp(a0m_conf_user_rule(parent->conf), a0m_conf_user_rule(c)) == 0 &&
	       strcmp(a0m_conf_bearer_alg(parent->conf), a0m_conf_bearer_alg(c)) == 0 &&
	       a0m_conf_leeway(parent->conf) == a0m_conf_leeway(c);
}

static int check_authn(request_rec *r)
{
	const char *type = ap_auth_type(r);
	if (!type)
		return DECLINED;
	bool session = strcasecmp(type, A0M_AUTHTYPE_SESSION) == 0;
	bool bearer = !session && strcasecmp(type, A0M_AUTHTYPE_BEARER) == 0;
	if (!session && !bearer)
		return DECLINED;

	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (inherit_identity(r)) {
		const a0m_request *parent = a0m_request_get(r, false);
		if (parent && !inherited_counts(r, c, parent, session)) {
			ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: %s, reached by a sub-request or internal "
			              "redirect, asks more of the identity than its parent's page was given it for: refused",
			              ap_escape_logitem(r->pool, r->uri));
			return HTTP_FORBIDDEN;
		}
		a0m_claims_inherited(r, c);
		return OK;
	}

	const char *problem = a0m_conf_check(r->pool, c, bearer);
	if (problem) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: %s is not usable: %s",
		              ap_escape_logitem(r->pool, r->uri), problem);
		return HTTP_INTERNAL_SERVER_ERROR;
	}
	r->ap_auth_type = (char *)(session ? A0M_AUTHTYPE_SESSION : A0M_AUTHTYPE_BEARER);
	if (is_preflight(r, c))
		return pass_preflight(r);
	if (bearer)
		return a0m_bearer_authenticate(r, c);
	/* the module's own paths act (a login, a logout, a used state): for the browser's request only, never
	 * for a sub-request (an SSI include, an index or ErrorDocument look-up) that names one */
	if (r->main && is_own_path(r, c))
		return HTTP_FORBIDDEN;
	int rc = run_endpoint(r, c);
	if (rc != DECLINED)
		return rc;
	return a0m_session_authenticate(r, c);
}

static int handler(request_rec *r)
{
	int rc = answer_preflight(r);
	if (rc == DECLINED)
		rc = a0m_admin_handler(r);
	if (rc == DECLINED)
		rc = a0m_session_info_handler(r);
	if (rc == DECLINED)
		rc = a0m_metrics_handler(r);
	if (rc != DECLINED)
		return rc;
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (r->main || !is_own_path(r, c))
		return DECLINED;
	/* Endpoints already served during authentication never get here. */
	if (apr_table_get(r->notes, NOTE_ENDPOINT))
		return DECLINED;
	const char *problem = a0m_conf_check(r->pool, c, false);
	if (problem) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: %s is not usable: %s",
		              ap_escape_logitem(r->pool, r->uri), problem);
		return HTTP_INTERNAL_SERVER_ERROR;
	}
	return run_endpoint(r, c);
}

/*
 * Every request to a location where mod_auth0 is configured loses the
 * identity headers a client sent (and identity variables that SetEnvIf
 * derived from them), here, before authentication and authorization: a
 * Require that is satisfied without a user (Require ip, Auth0Unauthenticated
 * pass) must not let a spoofed X-Auth0-* through either. It runs last among
 * header parsers, after mod_setenvif's.
 */
static int header_parser(request_rec *r)
{
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (c->domain)
		a0m_claims_scrub(r, c);
	return DECLINED;
}

/*
 * A sub-request (an SSI include, mod_dir's index lookup, PHP's virtual()) runs no header parser, and
 * carries a copy of its parent's headers and environment (mod_include has put HTTP_* variables there): in a
 * location where mod_auth0 is configured, that copy is scrubbed here, first of the access checkers, which
 * run before authentication (a0m_claims_scrub leaves what an ancestor that mod_auth0 authenticated set).
 * httpd skips these hooks for a sub-request in its parent's own configuration, which was scrubbed then.
 */
static int scrub_subrequest(request_rec *r)
{
	if (!r->main)
		return DECLINED;
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (c && c->domain)
		a0m_claims_scrub(r, c);
	return DECLINED;
}

/*
 * The session and login cookies are this module's: a backend has no use for them, and the cache store's
 * is a session's key, which a backend's logs should not hold. Auth0StripCookies (default on) removes them
 * from the Cookie header of requests that go on to a backend: proxied (mod_proxy, a rewrite [P]) or to a
 * handler (CGI, FastCGI, PHP); not for files httpd serves itself (nothing reads the header there, and those
 * requests are the most frequent), and not on the paths this module answers, whose handler reads them.
 * It runs last among fixups, when mod_rewrite and SetHandler have decided.
 */
static int fixups(request_rec *r)
{
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	/* A request whose configuration changed to one of mod_auth0 after its header parser ran: mod_dir's
	 * index lookup takes over a sub-request's configuration and handler, but keeps its own headers, user
	 * and environment (ap_internal_fast_redirect). Whatever identity they show was never checked. */
	if (c && c->domain && !a0m_request_state_get(r)->scrubbed_headers && !a0m_request_get(r, false))
		a0m_claims_scrub(r, c);
	if (!r->proxyreq && (!r->handler || strcmp(r->handler, "default-handler") == 0))
		return DECLINED;
	if (!c || !c->domain || !a0m_conf_flag(c->strip_cookies, true) || is_own_path(r, c))
		return DECLINED;
	const a0m_origin *o = a0m_origin_get(r, c);
	const char *prefixes[2] = { a0m_cookie_session_spec(r, c, o).name, a0m_transaction_cookie_prefix(r, o) };
	/* and, where Auth0BearerTokenFrom reads a cookie, it and what a backend may read as it, as the query's
	 * token: a backend that needs the token gets it with Auth0PassAccessToken */
	const char *token_cookie = (a0m_conf_bearer_from(c) & A0M_TOKEN_FROM_COOKIE)
	                               ? a0m_name_as_backends_read(apr_pstrdup(r->pool, c->bearer_cookie))
	                               : NULL;
	int n = a0m_cookie_strip(r, prefixes, 2, token_cookie);
	if (n)
		ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, "mod_auth0: %d of its cookies kept from the backend", n);
	return DECLINED;
}

/*
 * A signed-in user whom a Require refuses gets a 401 from mod_authz_core (403 with
 * AuthzSendForbiddenOnFailure On), and a 401 must say which scheme would get through (RFC 7235). Bearer's
 * challenge is in bearer.c.
 */
static int note_auth_failure(request_rec *r, const char *type)
{
	if (!type || strcasecmp(type, A0M_AUTHTYPE_SESSION) != 0)
		return DECLINED;
	apr_table_setn(r->err_headers_out, "WWW-Authenticate", A0M_SESSION_CHALLENGE);
	a0m_no_store(r);
	return OK;
}

/* Where authorization starts and where it has let a request through (a0m_request_state's flags for the
 * access-denied page): only requests with an identity of ours, which pay an array look-up for it. */
static int authz_starts(request_rec *r)
{
	if (a0m_request_get(r, false))
		a0m_request_state_get(r)->authz_started = true;
	return DECLINED;
}

static int authz_passed(request_rec *r)
{
	if (a0m_request_get(r, false))
		a0m_request_state_get(r)->authz_passed = true;
	return DECLINED;
}

/* ---- start-up -------------------------------------------------------------------------------- */

static int pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
	(void)plog;
	(void)ptemp;
	a0m_cache_pre_config(pconf);
	a0m_conf_pre_config();
	return OK;
}

/* Whether a section configures anything of ours. */
static bool configures_auth0(const a0m_dir_conf *c)
{
	return c->domain || c->client_id || c->client_secret || c->redirect_uri || c->keys || c->audience || c->undone;
}

/* The AuthType a merged configuration vector gives (mod_authn_core's, as for a request), or NULL. */
static const char *auth_type_of(apr_pool_t *p, ap_conf_vector_t *v)
{
	APR_OPTIONAL_FN_TYPE(authn_ap_auth_type) *get = APR_RETRIEVE_OPTIONAL_FN(authn_ap_auth_type);
	if (!get)
		return NULL;
	request_rec *r = apr_pcalloc(p, sizeof(*r));
	r->pool = p;
	r->per_dir_config = v;
	return get(r);
}

static bool is_type(const char *type, const char *ours)
{
	return type && strcasecmp(type, ours) == 0;
}

/*
 * The configuration a request to section i of arr gets, as near as start-up can tell: the server's, then
 * every earlier plain (not regex) section of the same kind whose path begins section i's (<Location />
 * around <Location /reports>), then section i's own. Without the enclosing sections, a <Location /reports>
 * that adds only an Auth0Audience to a site configured in <Location /> would be refused. Every module's
 * part is merged, as for a request, so that the AuthType is known too.
 */
static ap_conf_vector_t *effective(apr_pool_t *p, ap_conf_vector_t *base, apr_array_header_t *arr, int i)
{
	ap_conf_vector_t **v = (ap_conf_vector_t **)arr->elts;
	const core_dir_config *cd = ap_get_core_module_config(v[i]);
	ap_conf_vector_t *eff = base;
	for (int j = 0; j < i; j++) {
		const core_dir_config *outer = ap_get_core_module_config(v[j]);
		if (outer && outer->d && !outer->r && cd && cd->d && strncmp(cd->d, outer->d, strlen(outer->d)) == 0)
			eff = ap_merge_per_dir_configs(p, eff, v[j]);
	}
	return ap_merge_per_dir_configs(p, eff, v[i]);
}

/*
 * What is wrong with a section's effective configuration (eff, under AuthType type), or NULL. AuthType
 * Auth0 or a client id means browser sessions; AuthType Auth0Bearer or an audience alone means an API.
 */
static const char *section_problem(apr_pool_t *p, server_rec *s, const a0m_dir_conf *eff, const char *type)
{
	bool session = eff->client_id || is_type(type, A0M_AUTHTYPE_SESSION);
	bool bearer = is_type(type, A0M_AUTHTYPE_BEARER) || (!session && eff->audience);
	const char *problem = session ? a0m_conf_check(p, eff, false) : NULL;
	if (!problem && session)
		problem = a0m_conf_check_landing(p, eff, s);
	if (!problem && bearer)
		problem = a0m_conf_check(p, eff, true);
	return problem;
}

static int refuse(server_rec *s, const char *where, const char *problem)
{
	ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "mod_auth0: in %s of %s:%d: %s", where,
	             s->server_hostname ? s->server_hostname : "server", s->port, problem);
	return HTTP_INTERNAL_SERVER_ERROR;
}

/* How a <Files> or <If> section is named in messages: its pattern, or the file and line of its condition. */
static const char *nested_name(apr_pool_t *p, const core_dir_config *cd, bool is_if)
{
	if (!is_if)
		return apr_psprintf(p, "<Files%s %s>", cd->r ? "Match" : "", cd->d ? cd->d : "?");
	const char *kind = cd->condition_ifelse == AP_CONDITION_ELSE     ? "Else"
	                 : cd->condition_ifelse == AP_CONDITION_ELSEIF ? "ElseIf" : "If";
	if (cd->condition && cd->condition->filename)
		return apr_psprintf(p, "<%s> at %s:%u", kind, cd->condition->filename, cd->condition->line_number);
	return apr_psprintf(p, "<%s>", kind);
}

/* Whether one of the <If>/<ElseIf>/<Else> sections directly inside a section sets directives of ours. */
static bool ifs_configure_auth0(const core_dir_config *cd)
{
	for (int i = 0; cd && cd->sec_if && i < cd->sec_if->nelts; i++) {
		const a0m_dir_conf *own = ap_get_module_config(((ap_conf_vector_t **)cd->sec_if->elts)[i], &auth0_module);
		if (own && configures_auth0(own))
			return true;
	}
	return false;
}

static int check_section(apr_pool_t *p, server_rec *s, const a0m_dir_conf *own, ap_conf_vector_t *eff,
                         const core_dir_config *cd, const char *where);

/*
 * The <Files>/<FilesMatch> and <If>/<ElseIf>/<Else> sections inside a section (or at server level), each
 * checked with what it inherits from the section around it, and so on inward. Which of them a request meets
 * depends on the request; each is checked as if it were met.
 */
static int check_nested(apr_pool_t *p, server_rec *s, ap_conf_vector_t *outer, const core_dir_config *cd,
                        const char *where)
{
	const apr_array_header_t *lists[] = { cd ? cd->sec_file : NULL, cd ? cd->sec_if : NULL };
	for (int k = 0; k < 2; k++) {
		for (int i = 0; lists[k] && i < lists[k]->nelts; i++) {
			ap_conf_vector_t *v = ((ap_conf_vector_t **)lists[k]->elts)[i];
			const core_dir_config *ncd = ap_get_core_module_config(v);
			if (!ncd)
				continue;
			const char *name = apr_pstrcat(p, nested_name(p, ncd, k == 1), " in ", where, NULL);
			ap_conf_vector_t *eff = ap_merge_per_dir_configs(p, outer, v);
			int rc = check_section(p, s, ap_get_module_config(v, &auth0_module), eff, ncd, name);
			if (rc != OK)
				return rc;
		}
	}
	return OK;
}

/*
 * A section whose own directives of ours are own (NULL: none) and whose effective configuration is eff, then
 * the sections inside it. It is checked when it sets directives of ours, or when its AuthType is ours: a
 * <Location> with only AuthType Auth0 and a Require uses what it inherits, which must be complete. When
 * mod_auth0's directives are in <If> sections inside it instead, every request may meet one of them, and
 * those are checked.
 */
static int check_section(apr_pool_t *p, server_rec *s, const a0m_dir_conf *own, ap_conf_vector_t *eff,
                         const core_dir_config *cd, const char *where)
{
	const char *type = auth_type_of(p, eff);
	bool ours = is_type(type, A0M_AUTHTYPE_SESSION) || is_type(type, A0M_AUTHTYPE_BEARER);
	if ((own && configures_auth0(own)) || (ours && !ifs_configure_auth0(cd))) {
		const char *problem = section_problem(p, s, ap_get_module_config(eff, &auth0_module), type);
		if (problem)
			return refuse(s, where, problem);
	}
	return check_nested(p, s, eff, cd, where);
}

/*
 * Checks the server-level configuration, when it sets directives of ours (whether or not a section uses
 * them: one that does would lack the same), then every section.
 */
static int check_server(apr_pool_t *p, server_rec *s)
{
	a0m_dir_conf *base = ap_get_module_config(s->lookup_defaults, &auth0_module);
	if (configures_auth0(base)) {
		const char *problem = section_problem(p, s, base, NULL);
		if (problem)
			return refuse(s, "the server configuration", problem);
	}
	core_server_config *core = ap_get_core_module_config(s->module_config);
	apr_array_header_t *sections[] = { core->sec_url, core->sec_dir };
	for (size_t k = 0; k < sizeof(sections) / sizeof(sections[0]); k++) {
		apr_array_header_t *arr = sections[k];
		for (int i = 0; arr && i < arr->nelts; i++) {
			ap_conf_vector_t *v = ((ap_conf_vector_t **)arr->elts)[i];
			core_dir_config *cd = ap_get_core_module_config(v);
			const char *where = apr_psprintf(p, "<%s%s %s>", k == 0 ? "Location" : "Directory",
			                                 cd && cd->r ? "Match" : "", cd && cd->d ? cd->d : "?");
			ap_conf_vector_t *eff = effective(p, s->lookup_defaults, arr, i);
			int rc = check_section(p, s, ap_get_module_config(v, &auth0_module), eff, cd, where);
			if (rc != OK)
				return rc;
		}
	}
	return check_nested(p, s, s->lookup_defaults, ap_get_core_module_config(s->lookup_defaults),
	                    "the server configuration");
}

/* In check_config, so that `apachectl configtest` (httpd -t) reports what a (re)start would refuse, and a
 * reload after a configtest cannot take the server down. */
static int check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
	(void)pconf;
	(void)plog;
	for (server_rec *vs = s; vs; vs = vs->next) {
		int rc = check_server(ptemp, vs);
		if (rc != OK)
			return rc;
	}
	return a0m_cache_check_config(s);
}

static int post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
	(void)plog;
	(void)ptemp;
	if (auth0_global_init() != AUTH0_OK) {
		ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "mod_auth0: libcurl could not be initialised");
		return HTTP_INTERNAL_SERVER_ERROR;
	}
	if (a0m_cache_post_config(pconf, ptemp, s) != APR_SUCCESS)
		return HTTP_INTERNAL_SERVER_ERROR;
	a0m_metrics_post_config(pconf, s);
	a0m_post_post_config(pconf, s);
	a0m_app_post_config();
	a0m_seal_init();
	ap_add_version_component(pconf, A0M_VERSION);
	return OK;
}

static void child_init(apr_pool_t *p, server_rec *s)
{
	a0m_cache_child_init(p, s);
	a0m_app_child_init(p);
	int threads = 1;
	if (ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads) != APR_SUCCESS || threads < 1)
		threads = 1;
	a0m_session_child_init(p, s, threads);
	a0m_bearer_child_init(p, s, threads);
}

void a0m_register_hooks(apr_pool_t *p);
void a0m_register_hooks(apr_pool_t *p)
{
	ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_check_config(check_config, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_header_parser(header_parser, NULL, NULL, APR_HOOK_LAST);
	ap_hook_access_checker(scrub_subrequest, NULL, NULL, APR_HOOK_REALLY_FIRST);
	ap_hook_check_authn(check_authn, NULL, NULL, APR_HOOK_MIDDLE, AP_AUTH_INTERNAL_PER_CONF);
	ap_hook_handler(handler, NULL, NULL, APR_HOOK_REALLY_FIRST);
	ap_hook_fixups(fixups, NULL, NULL, APR_HOOK_REALLY_LAST);
	ap_hook_note_auth_failure(note_auth_failure, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_check_authz(authz_starts, NULL, NULL, APR_HOOK_REALLY_FIRST, AP_AUTH_INTERNAL_PER_CONF);
	ap_hook_fixups(authz_passed, NULL, NULL, APR_HOOK_REALLY_FIRST);
	a0m_authz_register(p);
#ifdef A0M_HAVE_HIREDIS
	a0m_socache_redis_register(p);
#endif
}

/* ---- per-request state ------------------------------------------------------------------------- */

a0m_request_state *a0m_request_state_get(request_rec *r)
{
	return &slot_of(r)->own;
}

a0m_request *a0m_request_get(request_rec *r, bool create)
{
	request_slot *s = ap_get_module_config(r->request_config, &auth0_module);
	if (s && s->identity)
		return s->identity;
	if (!create)
		return NULL;
	s = slot_of(r);
	s->identity = apr_pcalloc(r->pool, sizeof(*s->identity));
	s->identity->pool = r->pool;
	return s->identity;
}

static apr_status_t decref(void *json)
{
	json_decref(json);
	return APR_SUCCESS;
}

/* Parsed on first use; owned by the pool of the request that holds the state
 * (sub-requests share their parent's). */
static json_t *parse_once(a0m_request *rq, const char *text, json_t **slot)
{
	if (!*slot && text) {
		*slot = json_loads(text, 0, NULL);
		if (*slot)
			apr_pool_cleanup_register(rq->pool, *slot, decref, apr_pool_cleanup_null);
	}
	return *slot;
}

json_t *a0m_request_claims(request_rec *r)
{
	a0m_request *rq = a0m_request_get(r, false);
	return rq ? parse_once(rq, rq->claims_text, &rq->claims) : NULL;
}

const char *a0m_request_shown_user(request_rec *r)
{
	json_t *claims = a0m_request_claims(r);
	static const char *const names[] = { "email", "name" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = json_string_value(json_object_get(claims, names[i]));
		if (v && *v)
			return apr_pstrdup(r->pool, v);
	}
	return r->user;
}

json_t *a0m_request_access_claims(request_rec *r)
{
	a0m_request *rq = a0m_request_get(r, false);
	return rq ? parse_once(rq, rq->access_claims_text, &rq->access_claims) : NULL;
}
