/*
 * Starting a login, or answering 401.
 *
 * Only a browser navigating to a page can complete the round trip through
 * the login page, so only such requests are redirected: GET or HEAD, not
 * XHR (X-Requested-With), Sec-Fetch-Mode navigate and Sec-Fetch-Dest
 * document when the browser sends them, and an Accept that names HTML when
 * there is one. Anything else (API calls, images, fetch(), POST forms after
 * the session ended) gets 401: a redirect there would only mint transaction
 * cookies that never come back, and cannot work across CORS. The exception:
 * a form posted from this site where Auth0PreservePost keeps it
 * (preserve_post.c).
 *
 * The redirect: state and nonce are 192-bit random values, PKCE S256, the
 * scope, audience, organization and Auth0AuthorizationParams of the
 * configuration; the transaction goes into its cookie (transaction.c).
 */
#include "mod_auth0.h"

#include <openssl/crypto.h>

static bool header_has(request_rec *r, const char *name, const char *token)
{
	const char *v = apr_table_get(r->headers_in, name);
	return v && ap_strcasestr(v, token);
}

/* post: a POST counts too (a form that Auth0PreservePost may keep; preserve_post.c decides) */
static bool is_navigation(request_rec *r, bool post)
{
	/* the ErrorDocument probe, and what it leads to (mod_dir's index look-up under it), asks whether a login
	 * would be needed, and never starts one: its cookies and redirect are thrown away with it. Other
	 * sub-requests may: mod_dir hands an index look-up's redirect, cookies included, to the browser */
	for (const request_rec *m = r->main; m; m = m->main)
		if (apr_table_get(m->notes, A0M_NOTE_PROBE))
			return false;
	if (r->method_number != M_GET && !(post && r->method_number == M_POST))   /* HEAD is M_GET too */
		return false;
	if (apr_table_get(r->headers_in, "X-Requested-With"))
		return false;
	const char *mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
	if (mode && strcasecmp(mode, "navigate") != 0)
		return false;
	const char *dest = apr_table_get(r->headers_in, "Sec-Fetch-Dest");
	if (dest && strcasecmp(dest, "document") != 0)
		return false;
	if (apr_table_get(r->headers_in, "Accept") && !header_has(r, "Accept", "text/html") &&
	    !header_has(r, "Accept", "application/xhtml+xml"))
		return false;
	return true;
}

/* The path as the browser sent it (an absolute-form request target: its path). */
static const char *original_of(request_rec *r)
{
	return r->unparsed_uri && r->unparsed_uri[0] == '/'
	           ? r->unparsed_uri
	           : apr_pstrcat(r->pool, r->uri, r->args ? "?" : "", r->args ? r->args : "", NULL);
}

static int unauthorized(request_rec *r, const char *why)
{
	ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: 401 for %s: %s", ap_escape_logitem(r->pool, r->uri),
	              why);
	apr_table_setn(r->err_headers_out, "WWW-Authenticate", A0M_SESSION_CHALLENGE);
	a0m_no_store(r);
	return HTTP_UNAUTHORIZED;
}

/* RFC 9470's answer to a script: this session's login does not do here, and what a new one must satisfy. */
static int insufficient(request_rec *r, const char *why, const char *requirement)
{
	ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: 401 for %s: %s", ap_escape_logitem(r->pool, r->uri),
	              why);
	apr_table_setn(r->err_headers_out, "WWW-Authenticate",
	               apr_pstrcat(r->pool, A0M_SESSION_CHALLENGE ", error=\"insufficient_user_authentication\", ",
	                           requirement, NULL));
	a0m_no_store(r);
	return HTTP_UNAUTHORIZED;
}

/* What a login is started for, beyond the configuration. */
typedef struct login_request {
	const char *original_url;  /* where it lands (a same-origin path; NULL: Auth0PostLoginURL) */
	const char *organization;  /* asked for by a login link (Auth0LoginPath) */
	const auth0_kv *more;      /* authorization parameters that win over Auth0AuthorizationParam */
	bool step_up;              /* Auth0RequireMFA: one that comes back without a second factor stops there */
	int max_age;               /* Auth0MaxAge: seconds, 0 when not asked */
	const char *form;          /* a POST's body to keep across the login (Auth0PreservePost) */
	bool silent;               /* Auth0SilentLogin: prompt=none, and any failure lands anonymously */
	a0m_metric_id metric;      /* what it counts as (A0M_LOGIN_STARTED is 0) */
} login_request;

static int begin_login(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const login_request *q);

/* What this location asks of a login (Auth0RequireMFA, Auth0MaxAge), so that the first one satisfies it
 * instead of being followed by another; a silent one (q->silent) asks it too, with prompt=none. */
static void asks_of_login(request_rec *r, const a0m_dir_conf *c, login_request *q)
{
	auth0_kv *more = apr_pcalloc(r->pool, 4 * sizeof(*more));
	int n = 0;
	if (q->silent)
		more[n++] = (auth0_kv){ "prompt", "none" };
	q->step_up = a0m_conf_flag(c->require_mfa, false);
	if (q->step_up)
		more[n++] = (auth0_kv){ "acr_values", A0M_MFA_POLICY };
	/* the tenant asks for the credentials again when its own session is older (OIDC Core 3.1.2.1) */
	q->max_age = a0m_conf_max_age(c);
	if (q->max_age)
		more[n++] = (auth0_kv){ "max_age", apr_itoa(r->pool, q->max_age) };
	q->more = n ? more : NULL;
}

/*
 * A page navigation, or a form that Auth0PreservePost keeps, starts a login that gives what this location
 * asks for; anything else gets 401: the plain challenge (requirement NULL), or RFC 9470's
 * insufficient_user_authentication with what a new login must satisfy.
 */
static int login_here(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const char *requirement,
                      a0m_metric_id metric)
{
	if (!is_navigation(r, a0m_conf_preserve_post(c) > 0))
		return requirement ? insufficient(r, "the session's login does not do here", requirement)
		                   : unauthorized(r, "not a page navigation (method, X-Requested-With, Sec-Fetch-*, "
		                                     "or Accept)");
	login_request q = { .original_url = original_of(r), .metric = metric };
	if (r->method_number == M_POST) {
		int rc = a0m_post_capture(r, c, o, q.original_url, &q.form);
		if (rc == DECLINED)
			return requirement ? insufficient(r, "a POST that Auth0PreservePost does not keep", requirement)
			                   : unauthorized(r, "a POST that Auth0PreservePost does not keep");
		if (rc != OK)
			return rc;
	}
	asks_of_login(r, c, &q);
	return begin_login(r, c, o, &q);
}

/*
 * Auth0SilentLogin: a browser's first page navigation without a session, at a location that lets it through
 * anonymously, asks the tenant whether it knows the browser already (prompt=none: no page of the tenant's is
 * shown), as express-openid-connect's attemptSilentLogin does. Once per browser session: the cookie set here
 * (and at logout, so that a local logout is not undone by the tenant's session) says it was tried.
 *
 * Only a real top-level navigation by a browser: a GET of the page itself (not HEAD, which link previews
 * send, sub-requests or internal redirects) that says it is one, with Sec-Fetch-Mode: navigate and
 * Sec-Fetch-Dest: document present (crawlers, curl and other clients without them would only be sent away
 * from a public page, to a tenant they cannot sign in to), and not a prefetch, which would spend the one try
 * of the browser session on a page that may never be shown.
 */
static bool silent_login_due(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o)
{
	if (!a0m_conf_flag(c->silent_login, false) || r->method_number != M_GET || r->header_only || r->main ||
	    r->prev || !is_navigation(r, false))
		return false;
	const char *mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode"),
	           *dest = apr_table_get(r->headers_in, "Sec-Fetch-Dest");
	if (!mode || !dest || a0m_is_prefetch(r))
		return false;
	return !a0m_cookie_get(r, a0m_cookie_silent_spec(r, c, o).name);
}

/* silent: a request without any session (a session that does not count here is not replaced silently) */
static int unauthenticated(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, bool silent)
{
	int action = c->unauthenticated == A0M_UNSET_INT ? A0M_UNAUTH_AUTH : c->unauthenticated;
	if (action == A0M_UNAUTH_PASS && silent && silent_login_due(r, c, o)) {
		/* set first, in err_headers_out: a try that fails before the redirect is not tried again either */
		a0m_cookie_spec spec = a0m_cookie_silent_spec(r, c, o);
		a0m_cookie_set(r, &spec, "1", -1);
		/* what this location asks of a login too: a silent session that fell short here would not do */
		login_request q = { .original_url = original_of(r), .silent = true, .metric = A0M_LOGIN_STARTED };
		asks_of_login(r, c, &q);
		int rc = begin_login(r, c, o, &q);
		if (rc != DECLINED)
			return rc;
		/* it could not start (begin_login logged why): the page, anonymously */
	}
	if (action == A0M_UNAUTH_PASS) {
		/*
		 * Through without an identity (the identity headers were scrubbed before). httpd's core refuses
		 * OK without a user, so the user is empty: Require valid-user lets the request pass, and the
		 * backend sees no REMOTE_USER claim headers; Require auth0-* still deny.
		 */
		r->user = "";
		return OK;
	}
	if (action == A0M_UNAUTH_401)
		return unauthorized(r, "Auth0Unauthenticated 401");
	return login_here(r, c, o, NULL, A0M_LOGIN_STARTED);
}

int a0m_login_unauthenticated(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o)
{
	return unauthenticated(r, c, o, true);
}

int a0m_login_ended(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o)
{
	return unauthenticated(r, c, o, false);
}

int a0m_login_again(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, a0m_shortfall shortfall)
{
	if (shortfall == A0M_SHORT_MFA)
		return login_here(r, c, o, "acr_values=\"" A0M_MFA_POLICY "\"", A0M_LOGIN_STEP_UP);
	if (shortfall == A0M_SHORT_MAX_AGE)
		return login_here(r, c, o,
		                  apr_pstrcat(r->pool, "max_age=\"", apr_itoa(r->pool, a0m_conf_max_age(c)), "\"", NULL),
		                  A0M_LOGIN_MAX_AGE);
	/* a session for another organization: never replaced by a silent login (for this location's) */
	return unauthenticated(r, c, o, false);
}

static bool given(const auth0_kv *more, const char *key)
{
	for (; more && more[0].name; more++)
		if (more[0].value && strcmp(more[0].name, key) == 0)
			return true;
	return false;
}

/* Auth0AuthorizationParams but those `more` gives, then `more` (NULL-terminated, may be NULL; an entry with a
 * NULL value is left out). */
static const auth0_kv *extra_params(apr_pool_t *p, const a0m_dir_conf *c, const auth0_kv *more)
{
	int n = c->authz_params ? c->authz_params->nelts : 0, m = 0;
	for (; more && more[m].name; m++)
		;
	if (n + m == 0)
		return NULL;
	auth0_kv *kv = apr_pcalloc(p, sizeof(auth0_kv) * (size_t)(n + m + 1));
	const auth0_kv *conf = n ? (const auth0_kv *)c->authz_params->elts : NULL;
	int k = 0;
	for (int i = 0; i < n; i++)
		if (!given(more, conf[i].name))
			kv[k++] = conf[i];
	for (int i = 0; i < m; i++)
		if (more[i].value)
			kv[k++] = more[i];
	return k ? kv : NULL;
}

int a0m_login_start(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const char *original_url)
{
	return begin_login(r, c, o, &(login_request){ .original_url = original_url });
}

/*
 * A login started from outside (Auth0LoginPath): Auth0's "Application Login URI", where the tenant sends
 * users it wants the application to sign in (an organization invitation, a password reset's "back to the
 * application", a login started from the tenant's dashboard), and OpenID Connect's third-party initiated
 * login (iss, login_hint, target_link_uri). organization and invitation go to /authorize (the ID token
 * must then be for that organization); login_hint and screen_hint too. iss, when given, must be this
 * tenant; the landing page (target_link_uri or returnTo) must be on this site, else Auth0PostLoginURL.
 *
 * What Auth0's own SDKs let a login link choose goes on to /authorize as well (omniauth-auth0's list):
 * connection ("Sign in with GitHub"), connection_scope (more scopes from that social provider), prompt
 * (login or select_account: "switch account"; consent) and ui_locales (a language switch). Each is checked
 * strictly here, as the link is anyone's to write. Against Auth0AuthorizationParam, two rules, as for the
 * parameters links had before: a hint (login_hint, screen_hint, ui_locales) replaces the configured one,
 * which is a default; how the user signs in (connection, connection_scope, prompt) is the site's choice
 * when it made one, as Auth0Organization is: a link asking for another value is refused.
 */
static int bad_initiation(request_rec *r, const char *why)
{
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: login initiation refused: %s", why);
	return a0m_page(r, HTTP_BAD_REQUEST, "Invalid sign-in link", why, "/", "Go to the home page");
}

/* target_link_uri or returnTo as a same-origin path, or NULL. */
static const char *landing_of(request_rec *r, const a0m_origin *o, const char *target)
{
	if (!target)
		return NULL;
	const char *base = a0m_origin_base(r, o);
	size_t n = strlen(base);
	if (strncasecmp(target, base, n) == 0 && target[n] == '/')
		target += n;
	return a0m_redirect_local(r->pool, target);
}

/*
 * Whether a link's organization may be the site's (Auth0Organization): ids compare exactly, names without
 * case (Auth0 keeps them in lower case). An id and a name cannot be compared here; /authorize gets the
 * site's own either way, and the callback checks the ID token against it.
 */
static bool org_allowed(const char *site, const char *asked)
{
	if (!site)
		return true;
	bool site_id = strncmp(site, "org_", 4) == 0, asked_id = strncmp(asked, "org_", 4) == 0;
	if (site_id != asked_id)
		return true;
	return site_id ? strcmp(site, asked) == 0 : strcasecmp(site, asked) == 0;
}

/* ASCII only, whatever the locale: the rules below are Auth0's and RFCs', not a language's. */
static bool ascii_alnum(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* A connection name as Auth0 allows them: letters and digits, single hyphens between (its Management API's
 * ^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$), at most 128. */
static bool connection_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || !ascii_alnum(s[0]) || !ascii_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!ascii_alnum(s[i]) && !(s[i] == '-' && s[i - 1] != '-'))
			return false;
	return true;
}

/* Scopes for a social provider, separated by commas or single spaces: RFC 6749's scope-token characters
 * (printable ASCII but space, " and \; Google's scopes are URLs), at most 1024 bytes. */
static bool connection_scope_ok(const char *s)
{
	if (strlen(s) > 1024 || *s == ' ')
		return false;
	for (const char *p = s; *p; p++)
		if (*p == ' ' ? p[1] == ' ' || !p[1] : *p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
			return false;
	return true;
}

/* BCP 47 language tags separated by single spaces (OpenID Connect's ui_locales): each subtag 1 to 8 letters
 * or digits, the subtags separated by single hyphens; at most 256 bytes. Only the form is checked: the tenant
 * takes the first it supports. */
static bool ui_locales_ok(const char *s)
{
	if (strlen(s) > 256)
		return false;
	size_t run = 0; /* letters and digits of the current subtag */
	for (const char *p = s;; p++) {
		if (ascii_alnum(*p)) {
			if (++run > 8)
				return false;
			continue;
		}
		if (run == 0 || (*p && *p != ' ' && *p != '-'))
			return false;  /* an empty subtag (leading, doubled or trailing separator) or another character */
		if (!*p)
			return true;
		run = 0;
	}
}

/* A login_hint (an e-mail address, a phone number, a user name: Auth0 prefills the login page with it):
 * at most 256 bytes of valid UTF-8 without control characters; the tenant escapes it on its page, and this
 * keeps a link from putting what is no hint into the login's URL. */
static bool login_hint_ok(apr_pool_t *p, const char *s)
{
	if (!*s || strlen(s) > 256)
		return false;
	for (const unsigned char *q = (const unsigned char *)s; *q; q++)
		if (*q < 0x20 || *q == 0x7f)
			return false;
	return strcmp(a0m_utf8_text(p, s), s) == 0;
}

/* A screen_hint names a page of Auth0's (signup, login, ...): a lower-case word with - or _, at most 32. */
static bool screen_hint_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '-' || *s == '_'))
			return false;
	return true;
}

int a0m_login_initiate(request_rec *r, const a0m_dir_conf *c)
{
	int rc;
	const a0m_origin *o = a0m_origin_get_only(r, c, "Sign-in links are followed with GET.", &rc);
	if (!o)
		return rc;
	enum { ISS, TARGET, RETURN_TO, ORG, INVITATION, LOGIN_HINT, SCREEN_HINT, CONNECTION, CONNECTION_SCOPE,
		   PROMPT, UI_LOCALES, N };
	static const char *const names[N] = { "iss", "target_link_uri", "returnTo", "organization", "invitation",
		                                   "login_hint", "screen_hint", "connection", "connection_scope",
		                                   "prompt", "ui_locales" };
	const char *v[N];
	int count[N], others;
	if (!a0m_query_params(r, names, N, v, count, &others))
		return bad_initiation(r, "The sign-in link is malformed.");
	for (int i = 0; i < N; i++)
		if (count[i] > 1 || (v[i] && !*v[i]))
			return bad_initiation(r, apr_psprintf(r->pool, "The sign-in link repeats or empties %s.", names[i]));
	auth0_client *client = a0m_app_client(r, c);
	const char *issuer = client ? auth0_client_issuer(client) : NULL;
	if (v[ISS] && (!issuer || (strcmp(v[ISS], issuer) != 0 &&
	                           !(strlen(v[ISS]) + 1 == strlen(issuer) && strncmp(v[ISS], issuer, strlen(v[ISS])) == 0))))
		return bad_initiation(r, "The sign-in link comes from another sign-in service.");
	if (v[INVITATION] && !v[ORG])
		return bad_initiation(r, "The invitation does not name its organization.");
	if (v[ORG] && !org_allowed(c->organization, v[ORG]))
		return bad_initiation(r, "This site signs in to another organization.");
	if (v[LOGIN_HINT] && !login_hint_ok(r->pool, v[LOGIN_HINT]))
		return bad_initiation(r, "The sign-in link's login_hint is not a hint (at most 256 characters, no "
		                         "control characters).");
	if (v[SCREEN_HINT] && !screen_hint_ok(v[SCREEN_HINT]))
		return bad_initiation(r, "The sign-in link's screen_hint is not the name of a page (such as signup).");
	if (v[CONNECTION] && !connection_name_ok(v[CONNECTION]))
		return bad_initiation(r, "The sign-in link's connection is not a connection name (letters, digits and "
		                         "single hyphens, at most 128).");
	if (v[CONNECTION_SCOPE] && !connection_scope_ok(v[CONNECTION_SCOPE]))
		return bad_initiation(r, "The sign-in link's connection_scope is not a list of scopes (separated by "
		                         "commas or spaces, at most 1024 characters).");
	/* prompt=none is a silent sign-in, for a page's scripts: followed from a link, its failure (no session
	 * at Auth0 yet, consent needed) would come back as an error page instead of the login page */
	if (v[PROMPT] && strcmp(v[PROMPT], "none") == 0)
		return bad_initiation(r, "A sign-in link cannot ask for a sign-in without the login page (prompt=none).");
	if (v[PROMPT] && strcmp(v[PROMPT], "login") != 0 && strcmp(v[PROMPT], "consent") != 0 &&
	    strcmp(v[PROMPT], "select_account") != 0)
		return bad_initiation(r, "The sign-in link's prompt must be login, consent or select_account.");
	if (v[UI_LOCALES] && !ui_locales_ok(v[UI_LOCALES]))
		return bad_initiation(r, "The sign-in link's ui_locales is not a list of language tags (such as "
		                         "\"fr-CA en\", at most 256 characters).");
	/* how the user signs in, when the site chose it, is not the link's to change (Auth0Organization's rule) */
	for (int i = CONNECTION; i <= PROMPT; i++) {
		const char *site = a0m_conf_authz_param(c, names[i]);
		if (v[i] && site && strcmp(site, v[i]) != 0)
			return bad_initiation(r, apr_psprintf(r->pool, "This site signs in with another %s.", names[i]));
	}
	const char *target = v[TARGET] ? v[TARGET] : v[RETURN_TO];
	const char *landing = landing_of(r, o, target);
	if (target && !landing)
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: login initiation: the landing page is not on "
		              "this site; the login will land on %s", a0m_conf_post_login_url(c));
	const auth0_kv more[] = {
		{ "invitation", v[INVITATION] },
		{ "login_hint", v[LOGIN_HINT] },
		{ "screen_hint", v[SCREEN_HINT] },
		{ "ui_locales", v[UI_LOCALES] },
		{ "connection", v[CONNECTION] },
		{ "connection_scope", v[CONNECTION_SCOPE] },
		{ "prompt", v[PROMPT] },
		{ NULL, NULL },
	};
	return begin_login(r, c, o, &(login_request){ .original_url = landing,
	                                              .organization = c->organization ? c->organization : v[ORG],
	                                              .more = more });
}

/* A page longer than A0M_LANDING_MAX: its path without the query when that is short enough, else NULL
 * (Auth0PostLoginURL). The page is kept in the login's cookie, whose size the browser's Cookie header
 * carries for every pending login (transaction.c). */
static const char *landing_within_max(request_rec *r, const a0m_dir_conf *c, const char *page)
{
	const char *query = strchr(page, '?');
	size_t path_len = query ? (size_t)(query - page) : strlen(page);
	const char *path = path_len <= A0M_LANDING_MAX ? apr_pstrmemdup(r->pool, page, path_len) : NULL;
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
	              "mod_auth0: the original URL is longer than %d bytes; the login will land on %s", A0M_LANDING_MAX,
	              path ? "its path, without its query" : a0m_conf_post_login_url(c));
	return path;
}

/* Auth0PushedAuthorizationRequests (RFC 9126): the parameters go to the tenant over the back channel, with
 * the application's client authentication, and the browser carries only the request_uri. Tenants that
 * require it (Highly Regulated Identity) refuse a login otherwise; elsewhere it keeps the login's parameters
 * out of the browser's history and the tenant's access logs, and lets nobody change them on the way. The
 * cost: one call to the tenant per login started, which the tenant's rate limits count.
 *
 * So a 429 to a push makes every login wait: until the wait ends (Retry-After, else X-RateLimit-Reset,
 * else PAR_WAIT_DEFAULT seconds; within PAR_WAIT_MIN..PAR_WAIT_MAX), logins of this application answer 503
 * with Retry-After without asking the tenant, where every anonymous navigation would otherwise push again
 * and keep the limit hit. The end is kept in the shared cache, so that every process waits (and every host
 * sharing a redis or memcache Auth0Cache: the tenant's limits are the tenant's, not one host's); a cache
 * that fails loses the wait, never a login.
 */
#define PAR_WAIT_MIN 1
#define PAR_WAIT_MAX 300
#define PAR_WAIT_DEFAULT 10

/* Per tenant and application: a wait for one application's pushes does not hold up another's logins. */
static const char *par_wait_key(request_rec *r, const a0m_dir_conf *c)
{
	const char *who = apr_psprintf(r->pool, "%s %s", c->domain ? c->domain : "", c->client_id ? c->client_id : "");
	return apr_pstrcat(r->pool, A0M_NS_PAR_WAIT, a0m_sha256_hex(r->pool, who, strlen(who)), NULL);
}

/* Seconds until pushes resume (at least 1), or 0 when they need not wait. */
static apr_int64_t par_waiting(request_rec *r, const a0m_dir_conf *c)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	if (a0m_cache_get(r->server, par_wait_key(r, c), &raw, &len, r->pool) != APR_SUCCESS)
		return 0;
	char *text = apr_pstrmemdup(r->pool, (const char *)raw, len), *end = NULL;
	apr_int64_t until = apr_strtoi64(text, &end, 10);
	if (end == text || *end)
		return 0;
	apr_time_t now = apr_time_now();
	if (until <= now)
		return 0;
	apr_int64_t left = (apr_int64_t)apr_time_sec(until - now + APR_USEC_PER_SEC - 1);
	/* an end further away than any wait set (the clock set back since, a damaged entry) waits the longest */
	return left > PAR_WAIT_MAX ? PAR_WAIT_MAX : left < 1 ? 1 : left;
}

/* After the tenant's 429: how long pushes wait, recorded for every process; the seconds. */
static apr_int64_t par_wait_start(request_rec *r, const a0m_dir_conf *c, const auth0_error *err)
{
	apr_time_t now = apr_time_now();
	apr_int64_t wait = PAR_WAIT_DEFAULT;
	if (err->retry_after >= 0)
		wait = err->retry_after;
	else if (err->rate_limit.reset > 0)
		wait = err->rate_limit.reset - (apr_int64_t)apr_time_sec(now);
	wait = wait < PAR_WAIT_MIN ? PAR_WAIT_MIN : wait > PAR_WAIT_MAX ? PAR_WAIT_MAX : wait;
	apr_time_t until = now + apr_time_from_sec(wait);
	const char *text = apr_psprintf(r->pool, "%" APR_TIME_T_FMT, until);
	if (a0m_cache_set(r->server, par_wait_key(r, c), (const unsigned char *)text, strlen(text), until, r->pool) !=
	    APR_SUCCESS)
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: the shared cache did not take the wait "
		              "after a 429 to a pushed authorization request: logins push again meanwhile");
	return wait;
}

/* The tenant-unavailable page, back to the page the login was for. */
static int sign_in_unavailable(request_rec *r, int status, const login_request *q)
{
	return a0m_page_unavailable(r, status, q->original_url ? a0m_redirect_local(r->pool, q->original_url) : NULL);
}

static int push_authorization(request_rec *r, const a0m_dir_conf *c, auth0_client *client,
                              const auth0_authorize_params *p, const login_request *q, char **url)
{
	apr_int64_t wait = par_waiting(r, c);
	if (wait) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: the tenant rate-limited pushed authorization "
		              "requests: none for another %" APR_INT64_T_FMT " s%s", wait,
		              q->silent ? " (silent login: on anonymously)" : "");
		if (q->silent)
			return DECLINED;
		apr_table_setn(r->err_headers_out, "Retry-After", apr_psprintf(r->pool, "%" APR_INT64_T_FMT, wait));
		return sign_in_unavailable(r, HTTP_SERVICE_UNAVAILABLE, q);
	}
	char *request_uri = NULL;
	auth0_error *err = NULL;
	int rc = OK;
	if (auth0_pushed_authorization_request(client, p, &request_uri, NULL, &err) != AUTH0_OK) {
		bool tenant = a0m_tenant_failed(err);
		if (err && err->kind == AUTH0_ERR_RATE_LIMITED)
			wait = par_wait_start(r, c, err);
		ap_log_rerror(APLOG_MARK, q->silent ? APLOG_WARNING : APLOG_ERR, 0, r,
		              "mod_auth0: the pushed authorization request failed%s: %s%s",
		              q->silent ? " (silent login: on anonymously)" : "", err ? err->message : "unknown error",
		              wait ? apr_psprintf(r->pool, "; logins push none for %" APR_INT64_T_FMT " s", wait) : "");
		if (q->silent)
			rc = DECLINED;
		else if (tenant) {
			int status = a0m_status_for_tenant_error(r, err);
			if (wait) /* the browser comes back when logins here push again */
				apr_table_setn(r->err_headers_out, "Retry-After",
				               apr_psprintf(r->pool, "%" APR_INT64_T_FMT, wait));
			rc = sign_in_unavailable(r, status, q);
		} else
			rc = a0m_page(r, HTTP_BAD_GATEWAY, "Sign-in is not available",
			              "The sign-in service refused this site's request. The error has been logged.", NULL,
			              NULL);
	} else if (auth0_par_authorize_url(client, request_uri, url, &err) != AUTH0_OK) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: cannot build the authorization URL: %s",
		              err ? err->message : "unknown error");
		rc = HTTP_INTERNAL_SERVER_ERROR;
	}
	auth0_free(request_uri);
	auth0_error_free(err);
	return rc;
}

/*
 * The redirect to /authorize. A silent login (q->silent) that cannot start writes no page: DECLINED, with
 * the reason logged, and the caller lets the request through anonymously, as a public page must be shown
 * whatever the sign-in service or this site's sign-in state.
 */
static int begin_login(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const login_request *q)
{
	auth0_client *client = a0m_app_client(r, c);
	if (!client && q->silent) {
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: silent login: no client for the tenant; "
		              "on anonymously");
		return DECLINED;
	}
	if (!client)
		return a0m_page(r, HTTP_INTERNAL_SERVER_ERROR, "Sign-in is not available",
		                "This site cannot start a sign-in right now. The error has been logged.", NULL, NULL);

	a0m_transaction t;
	memset(&t, 0, sizeof(t));
	t.created = r->request_time;
	t.state = a0m_random_token(r->pool, 24);
	t.nonce = a0m_random_token(r->pool, 24);
	t.redirect_uri = a0m_origin_redirect_uri(r, c, o);
	t.original_url = q->original_url ? a0m_redirect_local(r->pool, q->original_url) : NULL;
	if (q->original_url && !t.original_url)
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
		              "mod_auth0: the original URL is not a safe local path; the login will land on %s",
		              a0m_conf_post_login_url(c));
	if (t.original_url && strlen(t.original_url) > A0M_LANDING_MAX)
		t.original_url = landing_within_max(r, c, t.original_url);
	if (!t.original_url)
		t.original_url = a0m_conf_post_login_url(c);
	/* what the callback checks the ID token against: the organization asked for here, which may not be the
	 * callback location's (a <Location> with an Auth0Organization of its own, or none) */
	t.organization = q->organization ? q->organization : c->organization;
	t.step_up = q->step_up;
	t.max_age = q->max_age;
	t.silent = q->silent;

	char *verifier = NULL, *challenge = NULL, *url = NULL;
	auth0_error *err = NULL;
	int rc;
	if (!t.state || !t.nonce || auth0_pkce_new(&verifier, &challenge, &err) != AUTH0_OK) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: no random values for a login: %s",
		              err ? err->message : "RAND_bytes failed");
		rc = HTTP_INTERNAL_SERVER_ERROR;
		goto out;
	}
	t.verifier = apr_pstrdup(r->pool, verifier);

	auth0_authorize_params p = {
		.redirect_uri = t.redirect_uri,
		.state = t.state,
		.nonce = t.nonce,
		.scope = a0m_conf_scope(c),
		.audience = c->audience,
		.organization = q->organization ? q->organization : c->organization,
		.code_challenge = challenge,
		.code_challenge_method = "S256",
		.extra = extra_params(r->pool, c, q->more),
	};
	if (q->form)
		t.post = true; /* kept below, once the login starts */
	/*
	 * The transaction is sealed and its size checked first, so that a login that cannot be kept (a link's
	 * organization too long) costs no push. Its cookie (and prune()'s deletions, which made room for it in
	 * the browser) go to a copy of the headers, which the response gets only when the login starts: a page
	 * saying that it did not start carries no transaction that no callback would ever end.
	 */
	apr_table_t *headers = r->err_headers_out;
	r->err_headers_out = apr_table_copy(r->pool, headers);
	rc = a0m_transaction_save(r, c, o, &t);
	apr_table_t *started = r->err_headers_out;
	r->err_headers_out = headers;
	if (rc != OK && q->silent) {
		ap_log_rerror(APLOG_MARK, rc == HTTP_BAD_REQUEST ? APLOG_INFO : APLOG_WARNING, 0, r,
		              "mod_auth0: silent login: its transaction cannot be kept (%d); on anonymously", rc);
		rc = DECLINED;
		goto out;
	}
	if (rc == HTTP_BAD_REQUEST) {
		rc = a0m_page(r, HTTP_BAD_REQUEST, "Invalid sign-in link",
		              "This sign-in link is too long to sign in with.", "/", "Go to the home page");
		goto out;
	}
	if (rc != OK)
		goto out;
	if (c->pushed_authorization == 1) {
		rc = push_authorization(r, c, client, &p, q, &url);
		if (rc != OK)
			goto out;
	} else if (auth0_authorize_url(client, &p, &url, &err) != AUTH0_OK) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: cannot build the authorization URL: %s",
		              err ? err->message : "unknown error");
		rc = HTTP_INTERNAL_SERVER_ERROR;
		goto out;
	}
	if (q->form && !a0m_post_keep(r, c, t.state, q->form)) {
		rc = unauthorized(r, "the form could not be kept");
		goto out;
	}
	/* the login starts: its cookie goes out (nothing else was added to err_headers_out since the copy) */
	r->err_headers_out = started;
	const char *base = a0m_origin_base(r, o);
	if (c->redirect_uri && c->redirect_uri[0] != '/' && strncasecmp(c->redirect_uri, base, strlen(base)) != 0)
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
		              "mod_auth0: Auth0RedirectURI %s is not on %s: the browser will not send this site's "
		              "login cookie to it", c->redirect_uri, base);
	ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: login started for %s", t.original_url);
	a0m_metric(q->metric);
	a0m_no_store(r);
	apr_table_setn(r->headers_out, "Location", apr_pstrdup(r->pool, url));
	rc = HTTP_MOVED_TEMPORARILY;
out:
	if (q->silent && rc != HTTP_MOVED_TEMPORARILY && rc != DECLINED) {
		/* the errors above that write no page (500: no random values, no authorization URL) */
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: silent login: cannot start (%d); on "
		              "anonymously", rc);
		rc = DECLINED;
	}
	if (verifier)
		OPENSSL_cleanse(verifier, strlen(verifier));
	auth0_free(verifier);
	auth0_free(challenge);
	auth0_free(url);
	auth0_error_free(err);
	return rc;
}

bool a0m_is_navigation(request_rec *r)
{
	return is_navigation(r, false);
}

const char *a0m_request_target(request_rec *r)
{
	return original_of(r);
}
