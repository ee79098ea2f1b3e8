/*
 * Directives and configuration.
 *
 * Every directive may be used at server level and in <Location>/<Directory>
 * (a directory value overrides the server's), except Auth0Cache, which
 * names the one shared cache of the whole server. Each handler checks its
 * value completely, so that a mistake stops httpd at start-up with a
 * message that names the directive.
 *
 * Secrets (Auth0ClientSecret, Auth0SessionSecret) may be given inline, as
 * env:VARIABLE or as file:/path (first line), to keep them out of
 * configuration files.
 */
#include "mod_auth0.h"

#include <ctype.h>
#include <stddef.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_network_io.h>
#include <ap_provider.h>
#include <arpa/inet.h>

#define CONF_OFFSET(field) ((void *)offsetof(a0m_dir_conf, field))

/* ---- defaults --------------------------------------------------------------------------- */

#define DEFAULT_SCOPE "openid profile email"
#define DEFAULT_INACTIVITY (60 * 60)
#define DEFAULT_MAX_DURATION (8 * 60 * 60)
#define DEFAULT_LOGIN_TIMEOUT (15 * 60)
#define DEFAULT_MAX_TRANSACTIONS 5
#define DEFAULT_COOKIE_NAME "auth0_session"
#define DEFAULT_USER_CLAIM "sub"
#define DEFAULT_HEADER_PREFIX "X-Auth0-"
/* What Auth0's SDKs for web applications leave out of the user they hand the application
 * (express-openid-connect and nextjs-auth0, identityClaimFilter): claims about the token, not the user.
 * Stored as " a b c ", so that " name " finds a name. */
#define DEFAULT_IDENTITY_CLAIM_FILTER " aud iss iat exp nbf nonce azp auth_time s_hash at_hash c_hash "
#define DEFAULT_LEEWAY 60
/* Renewable access tokens are renewed this long before they expire, so that backends do not get one about to. */
#define DEFAULT_REFRESH_BEFORE_EXPIRY 30

static int or_default(int v, int dflt)
{
	return v == A0M_UNSET_INT ? dflt : v;
}

bool a0m_conf_flag(int value, bool dflt)
{
	return value == A0M_UNSET_INT ? dflt : value != 0;
}

const char *a0m_conf_scope(const a0m_dir_conf *c) { return c->scope ? c->scope : DEFAULT_SCOPE; }
int a0m_conf_inactivity_timeout(const a0m_dir_conf *c) { return or_default(c->inactivity_timeout, DEFAULT_INACTIVITY); }
int a0m_conf_max_duration(const a0m_dir_conf *c) { return or_default(c->max_duration, DEFAULT_MAX_DURATION); }

/* The longest Auth0SessionMaxDuration of the configuration read last (reset by a0m_conf_pre_config): how long
 * anything about a session must be remembered, whichever location the session is used in. */
static int longest_max_duration = DEFAULT_MAX_DURATION;
/* The longest Auth0LoginTimeout likewise: how long what a login keeps may live. */
static int longest_login_timeout = DEFAULT_LOGIN_TIMEOUT;
/* Whether some Auth0BearerTokenFrom of the configuration read last says query. */
static bool query_tokens_read;
/* Whether an Auth0PassIDToken On of the main server's configuration was read last (a0m_conf_id_token_passed) */
static bool main_server_passes_id_token;
void a0m_conf_pre_config(void)
{
	longest_max_duration = DEFAULT_MAX_DURATION;
	longest_login_timeout = DEFAULT_LOGIN_TIMEOUT;
	query_tokens_read = false;
	main_server_passes_id_token = false;
}
bool a0m_conf_query_tokens_read(void) { return query_tokens_read; }
/* A session is opened by its login location's configuration, but used wherever its cookie goes on the same
 * host: what some location of the virtual host (or of the main server, which every virtual host's locations
 * inherit) says. Other hosts' sessions stay without it (the ID token is about as long as the rest of the
 * session cookie). */
bool a0m_conf_id_token_passed(const server_rec *s)
{
	const a0m_server_conf *here = ap_get_module_config(s->module_config, &auth0_module);
	return main_server_passes_id_token || (here && here->id_token_passed);
}
int a0m_conf_longest_max_duration(void) { return longest_max_duration; }
int a0m_conf_longest_login_timeout(void) { return longest_login_timeout; }
int a0m_conf_login_timeout(const a0m_dir_conf *c) { return or_default(c->login_timeout, DEFAULT_LOGIN_TIMEOUT); }
int a0m_conf_max_transactions(const a0m_dir_conf *c) { return or_default(c->max_transactions, DEFAULT_MAX_TRANSACTIONS); }
int a0m_conf_preserve_post(const a0m_dir_conf *c) { return or_default(c->preserve_post, 0); }
int a0m_conf_max_age(const a0m_dir_conf *c) { return or_default(c->max_age, 0); }
int a0m_conf_id_token_alg(const a0m_dir_conf *c)
{
	return or_default(c->id_token_alg, AUTH0_ALG_RS256);
}
int a0m_conf_bearer_from(const a0m_dir_conf *c) { return or_default(c->bearer_from, A0M_TOKEN_FROM_HEADER); }

const char *a0m_conf_bearer_alg(const a0m_dir_conf *c)
{
	return or_default(c->bearer_alg, AUTH0_ALG_RS256) == AUTH0_ALG_PS256 ? "PS256" : "RS256";
}
const char *a0m_conf_cookie_name(const a0m_dir_conf *c) { return c->cookie_name ? c->cookie_name : DEFAULT_COOKIE_NAME; }
const char *a0m_conf_user_claim(const a0m_dir_conf *c) { return c->user_claim ? c->user_claim : DEFAULT_USER_CLAIM; }
const char *a0m_conf_user_rule(const a0m_dir_conf *c) { return c->user_rule ? c->user_rule : DEFAULT_USER_CLAIM; }
const char *a0m_conf_claim_header_prefix(const a0m_dir_conf *c)
{
	return c->claim_header_prefix ? c->claim_header_prefix : DEFAULT_HEADER_PREFIX;
}
const char *a0m_conf_identity_claim_filter(const a0m_dir_conf *c)
{
	if (c->pass_claims && *c->pass_claims)
		return c->pass_claims;
	return c->identity_claim_filter ? c->identity_claim_filter : DEFAULT_IDENTITY_CLAIM_FILTER;
}
const char *a0m_conf_bearer_claim_filter(const a0m_dir_conf *c)
{
	return c->pass_claims && *c->pass_claims ? c->pass_claims : NULL;
}
int a0m_conf_pass_claims_as(const a0m_dir_conf *c) { return or_default(c->pass_claims_as, A0M_PASS_HEADERS | A0M_PASS_ENV); }
int a0m_conf_leeway(const a0m_dir_conf *c) { return or_default(c->leeway, DEFAULT_LEEWAY); }
int a0m_conf_refresh_before_expiry(const a0m_dir_conf *c)
{
	return or_default(c->refresh_before_expiry, DEFAULT_REFRESH_BEFORE_EXPIRY);
}
const char *a0m_conf_authz_param(const a0m_dir_conf *c, const char *name)
{
	const char *v = NULL;
	for (int i = 0; c->authz_params && i < c->authz_params->nelts; i++) {
		const auth0_kv *kv = &APR_ARRAY_IDX(c->authz_params, i, auth0_kv);
		if (strcmp(kv->name, name) == 0)
			v = kv->value;
	}
	return v;
}

const char *a0m_conf_post_login_url(const a0m_dir_conf *c) { return c->post_login_url ? c->post_login_url : "/"; }

const char *a0m_conf_redirect_path(const a0m_dir_conf *c)
{
	const char *u = c->redirect_uri;
	if (!u || u[0] == '/')
		return u;
	/* absolute URL: skip scheme://authority */
	const char *p = strstr(u, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	return p ? p : "/";
}

/* ---- creation and merging ---------------------------------------------------------------- */

static void *create_dir_conf(apr_pool_t *p, char *dir)
{
	(void)dir;
	a0m_dir_conf *c = apr_pcalloc(p, sizeof(*c));
	c->http_timeout_ms = c->http_retries = c->unauthenticated = c->login_timeout = c->max_transactions =
		c->session_store = c->inactivity_timeout = c->max_duration = c->cookie_samesite = c->refresh_tokens =
		c->logout_endpoint = c->pass_claims_as = c->pass_access_token = c->cors_preflight = c->strip_cookies =
		c->logout_federated = c->cookie_persistent = c->require_mfa = c->error_pages = c->preserve_post =
		c->max_age = c->id_token_alg = c->bearer_alg = c->bearer_from = c->leeway = c->trust_forwarded =
			c->pushed_authorization = c->silent_login = c->refresh_before_expiry = A0M_UNSET_INT;
	c->pass_id_token = c->client_secret_basic = A0M_UNSET_INT;
	return c;
}

#define MERGE_PTR(f) m->f = add->f ? add->f : base->f
#define MERGE_INT(f) m->f = add->f != A0M_UNSET_INT ? add->f : base->f
/* A pointer that "none" can undo: the nearer scope's value, or its "none" (NULL, remembered in undone for
 * later merges: httpd merges nested sections with each other before it merges them onto the server's). */
#define MERGE_UNDOABLE(f, bit)                                                    \
	do {                                                                          \
		const a0m_dir_conf *from = add->f || (add->undone & (bit)) ? add : base; \
		m->f = from->f;                                                           \
		m->undone |= from->undone & (bit);                                        \
	} while (0)

static void *merge_dir_conf(apr_pool_t *p, void *base_, void *add_)
{
	const a0m_dir_conf *base = base_, *add = add_;
	a0m_dir_conf *m = apr_pcalloc(p, sizeof(*m));
	MERGE_PTR(domain);
	/*
	 * The application's credentials are inherited together: a section that names another client id, a
	 * secret or a key sets them anew, so that one application's key or secret is never sent with
	 * another's id (a missing one is then a start-up error, not a failed login).
	 */
	const a0m_dir_conf *cred = add->client_id || add->client_secret || add->assertion_key_file ? add : base;
	m->client_id = cred->client_id;
	m->client_secret = cred->client_secret;
	m->assertion_key_file = cred->assertion_key_file;
	m->assertion_key_pem = cred->assertion_key_pem;
	m->assertion_alg = cred->assertion_alg;
	MERGE_INT(client_secret_basic);
	MERGE_PTR(ca_file);
	MERGE_INT(http_timeout_ms);
	MERGE_INT(http_retries);
	MERGE_PTR(management_base_url);
	MERGE_UNDOABLE(outgoing_proxy, A0M_UNDONE_OUTGOING_PROXY);
	MERGE_PTR(redirect_uri);
	MERGE_PTR(scope);
	MERGE_UNDOABLE(audience, A0M_UNDONE_AUDIENCE);
	MERGE_UNDOABLE(organization, A0M_UNDONE_ORGANIZATION);
	MERGE_PTR(authz_params);
	MERGE_INT(unauthenticated);
	MERGE_INT(login_timeout);
	MERGE_INT(max_transactions);
	MERGE_PTR(post_login_url);
	MERGE_PTR(keys);
	MERGE_INT(session_store);
	MERGE_INT(inactivity_timeout);
	MERGE_INT(max_duration);
	MERGE_PTR(cookie_name);
	MERGE_UNDOABLE(cookie_domain, A0M_UNDONE_COOKIE_DOMAIN);
	MERGE_INT(cookie_samesite);
	MERGE_INT(refresh_tokens);
	MERGE_INT(refresh_before_expiry);
	m->session_revalidate = add->session_revalidate ? add->session_revalidate : base->session_revalidate;
	MERGE_PTR(logout_path);
	MERGE_PTR(backchannel_logout_path);
	MERGE_PTR(login_path);
	MERGE_PTR(logout_return_to);
	MERGE_PTR(logout_allow);
	MERGE_INT(logout_endpoint);
	/* the claim, its expression and replacement go together: a section naming another claim drops the
	 * enclosing expression */
	if (add->user_claim) {
		m->user_claim = add->user_claim;
		m->user_regex = add->user_regex;
		m->user_replacement = add->user_replacement;
		m->user_rule = add->user_rule;
	} else {
		m->user_claim = base->user_claim;
		m->user_regex = base->user_regex;
		m->user_replacement = base->user_replacement;
		m->user_rule = base->user_rule;
	}
	MERGE_INT(pass_claims_as);
	MERGE_PTR(claim_header_prefix);
	MERGE_PTR(identity_claim_filter);
	MERGE_PTR(pass_claims);
	MERGE_INT(pass_access_token);
	MERGE_UNDOABLE(user_header, A0M_UNDONE_USER_HEADER);
	MERGE_INT(pass_id_token);
	MERGE_INT(cors_preflight);
	MERGE_INT(strip_cookies);
	MERGE_INT(pushed_authorization);
	MERGE_INT(silent_login);
	MERGE_INT(logout_federated);
	MERGE_INT(cookie_persistent);
	MERGE_INT(require_mfa);
	MERGE_INT(error_pages);
	MERGE_INT(preserve_post);
	MERGE_INT(max_age);
	MERGE_INT(id_token_alg);
	MERGE_INT(bearer_alg);
	/* the sources and the cookie's name go together */
	m->bearer_from = add->bearer_from != A0M_UNSET_INT ? add->bearer_from : base->bearer_from;
	m->bearer_cookie = add->bearer_from != A0M_UNSET_INT ? add->bearer_cookie : base->bearer_cookie;
	MERGE_PTR(roles_claim);
	MERGE_INT(leeway);
	MERGE_INT(trust_forwarded);
	MERGE_PTR(trusted_proxies);
	MERGE_PTR(bearer_issuers);
	MERGE_PTR(bearer_audiences);
	MERGE_PTR(management_allow);
	return m;
}

static void *create_server_conf(apr_pool_t *p, server_rec *s)
{
	(void)s;
	return apr_pcalloc(p, sizeof(a0m_server_conf));
}

/* ---- value parsers -------------------------------------------------------------------------- */

static const char *errorf(cmd_parms *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *errorf(cmd_parms *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *msg = apr_pvsprintf(cmd->pool, fmt, ap);
	va_end(ap);
	return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, msg);
}

const char *a0m_read_secret(apr_pool_t *p, const char *ref, const char **out)
{
	if (strncmp(ref, "env:", 4) == 0) {
		const char *v = getenv(ref + 4);
		if (!v || !*v)
			return apr_psprintf(p, "environment variable %s is not set or empty", ref + 4);
		*out = apr_pstrdup(p, v);
		return NULL;
	}
	if (strncmp(ref, "file:", 5) == 0) {
		const char *path = ap_server_root_relative(p, ref + 5);
		apr_file_t *f;
		apr_finfo_t fi;
		if (!path || apr_file_open(&f, path, APR_FOPEN_READ, 0, p) != APR_SUCCESS)
			return apr_psprintf(p, "cannot read secret file %s", ref + 5);
		if (apr_file_info_get(&fi, APR_FINFO_SIZE, f) != APR_SUCCESS || fi.size > 65536) {
			apr_file_close(f);
			return apr_psprintf(p, "secret file %s is unreadable or too large", ref + 5);
		}
		apr_size_t n = (apr_size_t)fi.size;
		char *data = apr_pcalloc(p, n + 1);
		apr_status_t rv = apr_file_read_full(f, data, n, &n);
		apr_file_close(f);
		if (rv != APR_SUCCESS && rv != APR_EOF)
			return apr_psprintf(p, "cannot read secret file %s", ref + 5);
		data[strcspn(data, "\r\n")] = '\0';
		if (!*data)
			return apr_psprintf(p, "secret file %s is empty", ref + 5);
		*out = data;
		return NULL;
	}
	*out = ref;
	return NULL;
}

/* Resolves env:NAME and file:PATH secret references (a0m_read_secret), for the directive being read. */
static const char *resolve_secret(cmd_parms *cmd, const char *arg, const char **out)
{
	const char *why = a0m_read_secret(cmd->pool, arg, out);
	return why ? errorf(cmd, "%s", why) : NULL;
}

/*
 * The decimal digits at the start of s (at least one), *end after them; ten digits or more read as 10^9,
 * beyond every range checked. Digits only: strtol would also take leading spaces and a sign, which no
 * directive documents (and " 30" or "+30" in a configuration is more likely a mistake than a number).
 */
static bool parse_digits(const char *s, long *v, const char **end)
{
	long n = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++)
		n = n < 100000000 ? n * 10 + (*p - '0') : 1000000000;
	*v = n;
	*end = p;
	return p > s;
}

/* The whole of s is a plain decimal number. */
static bool parse_number(const char *s, long *v)
{
	const char *end;
	return parse_digits(s, v, &end) && !*end;
}

/* Seconds with an optional unit: 90, 90s, 15m, 8h, 7d. */
static const char *parse_duration(cmd_parms *cmd, const char *arg, int min, int *out)
{
	const char *end;
	long v;
	long mult = 1;
	if (!parse_digits(arg, &v, &end))
		return errorf(cmd, "'%s' is not a duration (seconds, or a number with s, m, h or d)", arg);
	switch (*end) {
	case '\0': case 's': break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default:
		return errorf(cmd, "'%s' is not a duration (seconds, or a number with s, m, h or d)", arg);
	}
	if (*end && end[1])
		return errorf(cmd, "'%s' is not a duration (seconds, or a number with s, m, h or d)", arg);
	if (v < min || v > 365L * 86400 / mult)
		return errorf(cmd, "'%s' is out of range (at least %d seconds, at most a year)", arg, min);
	*out = (int)(v * mult);
	return NULL;
}

static bool is_url_char_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '\\' || *s == '"' || *s == '<' || *s == '>')
			return false;
	return true;
}

/* An absolute https URL (http for loopback hosts only), or NULL with *why. */
static bool valid_absolute_url(const char *u, const char **why)
{
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	if (!is_url_char_safe(u)) {
		*why = "contains spaces, quotes, backslashes or control characters";
		return false;
	}
	if (strncasecmp(u, "https://", 8) != 0 && strncasecmp(u, "http://", 7) != 0) {
		*why = "must be an absolute https:// URL or a path starting with /";
		return false;
	}
	/* Reuse libauth0's rules for the authority: host, port, https unless loopback. */
	const char *auth = strstr(u, "://") + 3;
	size_t alen = strcspn(auth, "/?#");
	char buf[512];
	if (alen == 0 || (size_t)(auth - u) + alen >= sizeof(buf) || memchr(auth, '@', alen)) {
		*why = "has no valid host";
		return false;
	}
	memcpy(buf, u, (size_t)(auth - u) + alen);
	buf[(auth - u) + alen] = '\0';
	o.domain = buf;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	bool ok = auth0_client_new(&c, &o, &err) == AUTH0_OK;
	if (!ok)
		*why = strstr(err->message, "may use http") ? "must use https (http only for loopback hosts)"
		                                             : "has an invalid host or port";
	auth0_error_free(err);
	auth0_client_free(c);
	return ok;
}

/* "/path" (not "//..."), without query or fragment. */
static bool valid_path(const char *s)
{
	return s[0] == '/' && s[1] != '/' && s[1] != '\\' && is_url_char_safe(s) && !strpbrk(s, "?#");
}

/* ---- directive handlers ------------------------------------------------------------------------ */

/* A tenant's domain (host[:port] or URL) as libauth0 spells it: its base URL (lower case, no default port, no
 * trailing slash) in *base, or an error; quoted: the error quotes arg (a directive of several values). */
static const char *tenant_base_url(cmd_parms *cmd, const char *arg, bool quoted, const char **base)
{
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = arg;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		const char *why = err ? err->message : "invalid";
		const char *msg = quoted ? errorf(cmd, "'%s': %s", arg, why) : errorf(cmd, "%s", why);
		auth0_error_free(err);
		return msg;
	}
	*base = apr_pstrdup(cmd->pool, auth0_client_base_url(c));
	auth0_client_free(c);
	return NULL;
}

static const char *set_domain(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *base;
	const char *err = tenant_base_url(cmd, arg, false, &base);
	if (err)
		return err;
	/* libauth0's spelling, written as a host when the scheme is https: two spellings of one tenant are one
	 * application and open each other's sessions */
	((a0m_dir_conf *)conf)->domain = strncmp(base, "https://", 8) == 0 ? base + 8 : base;
	return NULL;
}

static const char *set_token_string(cmd_parms *cmd, void *conf, const char *arg)
{
	if (!*arg || strpbrk(arg, " \t\r\n"))
		return errorf(cmd, "must be a non-empty value without spaces");
	*(const char **)((char *)conf + (size_t)cmd->info) = arg;
	return NULL;
}

static const char *set_client_secret(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *secret;
	const char *err = resolve_secret(cmd, arg, &secret);
	if (err)
		return err;
	if (!*secret)
		return errorf(cmd, "must not be empty");
	((a0m_dir_conf *)conf)->client_secret = secret;
	return NULL;
}

static const char *set_assertion_key(cmd_parms *cmd, void *conf_, const char *file, const char *alg)
{
	a0m_dir_conf *conf = conf_;
	const char *path = ap_server_root_relative(cmd->pool, file);
	apr_file_t *f;
	apr_finfo_t fi;
	if (!path || apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool) != APR_SUCCESS)
		return errorf(cmd, "cannot read key file %s", file);
	if (apr_file_info_get(&fi, APR_FINFO_SIZE, f) != APR_SUCCESS || fi.size > 65536 || fi.size == 0) {
		apr_file_close(f);
		return errorf(cmd, "key file %s is empty, unreadable or too large", file);
	}
	apr_size_t n = (apr_size_t)fi.size;
	char *pem = apr_pcalloc(cmd->pool, n + 1);
	apr_status_t rv = apr_file_read_full(f, pem, n, &n);
	apr_file_close(f);
	if (rv != APR_SUCCESS)
		return errorf(cmd, "cannot read key file %s", file);

	/* Let libauth0 judge the key and the algorithm, as it will use them. */
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "example.invalid";
	o.client_id = "check";
	o.client_assertion_signing_key = pem;
	o.client_assertion_signing_alg = alg ? alg : "RS256";
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		const char *msg = errorf(cmd, "%s: %s", file, err ? err->message : "invalid key");
		auth0_error_free(err);
		return msg;
	}
	auth0_client_free(c);
	conf->assertion_key_file = path;
	conf->assertion_key_pem = pem;
	conf->assertion_alg = alg ? alg : "RS256";
	return NULL;
}

static const char *set_url_or_path(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *why = NULL;
	if (arg[0] == '/') {
		if (!valid_path(arg))
			return errorf(cmd, "'%s' must be a path like /callback (no //, query or fragment)", arg);
	} else if (!valid_absolute_url(arg, &why)) {
		return errorf(cmd, "'%s' %s", arg, why);
	} else if (strpbrk(arg, "?#")) {
		return errorf(cmd, "'%s' must not contain a query or fragment", arg);
	} else {
		/* the path is what requests are matched against: https://host//x would give //x (found by fuzzing) */
		const char *path = strchr(strstr(arg, "://") + 3, '/');
		if (path && !valid_path(path))
			return errorf(cmd, "'%s': its path must be like /callback (no //)", arg);
	}
	*(const char **)((char *)conf + (size_t)cmd->info) = arg;
	return NULL;
}

static const char *set_path(cmd_parms *cmd, void *conf, const char *arg)
{
	if (!valid_path(arg))
		return errorf(cmd, "'%s' must be a path like /logout (no //, query or fragment)", arg);
	*(const char **)((char *)conf + (size_t)cmd->info) = arg;
	return NULL;
}

/*
 * A path mod_auth0 answers itself (the callback, logout) is compared with the request's decoded, normalised
 * path and answered before any handler: "/" would take the site's home page, and a path with "%" or a dot
 * segment would never match (a login loop).
 */
static const char *endpoint_problem(const char *path)
{
	if (!path || strcmp(path, "/") == 0)
		return "must be a path of its own, like /callback, not the site's root";
	if (strchr(path, '%'))
		return "must be written decoded (no %), as requests are matched after decoding";
	for (const char *seg = path; seg; seg = strchr(seg + 1, '/')) {
		size_t n = strcspn(seg + 1, "/");
		if ((n == 1 && seg[1] == '.') || (n == 2 && seg[1] == '.' && seg[2] == '.'))
			return "must not have . or .. segments";
	}
	return NULL;
}

static const char *set_endpoint_url_or_path(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *err = set_url_or_path(cmd, conf, arg);
	if (err)
		return err;
	const char *path = arg[0] == '/' ? arg : strchr(strstr(arg, "://") + 3, '/');
	const char *why = endpoint_problem(path);
	return why ? errorf(cmd, "'%s' %s", arg, why) : NULL;
}

static const char *set_endpoint_path(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *err = set_path(cmd, conf, arg);
	if (err)
		return err;
	const char *why = endpoint_problem(arg);
	return why ? errorf(cmd, "'%s' %s", arg, why) : NULL;
}

static const char *set_https_url(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *why = NULL;
	if (!valid_absolute_url(arg, &why))
		return errorf(cmd, "'%s' %s", arg, why);
	*(const char **)((char *)conf + (size_t)cmd->info) = arg;
	return NULL;
}

/* Auth0Scope openid profile email, or Auth0Scope "openid profile email": both mean the same. */
static const char *set_scope(cmd_parms *cmd, void *conf, int argc, char *const argv[])
{
	if (argc < 1)
		return errorf(cmd, "needs at least the scope openid");
	const char *scope = "";
	bool openid = false;
	for (int i = 0; i < argc; i++) {
		for (const char *p = argv[i]; *p;) {
			while (*p == ' ')
				p++;
			size_t n = strcspn(p, " ");
			if (n == 0)
				break;
			for (size_t k = 0; k < n; k++)
				if ((unsigned char)p[k] < 0x21 || p[k] == '"' || p[k] == '\\' || p[k] == 0x7f)
					return errorf(cmd, "'%.*s' is not a valid scope", (int)n, p);
			openid = openid || (n == 6 && strncmp(p, "openid", 6) == 0);
			scope = apr_pstrcat(cmd->pool, scope, *scope ? " " : "", apr_pstrmemdup(cmd->temp_pool, p, n), NULL);
			p += n;
		}
	}
	if (!openid)
		return errorf(cmd, "'%s' must include the scope openid (for example: Auth0Scope openid profile email)",
		              scope);
	((a0m_dir_conf *)conf)->scope = scope;
	return NULL;
}

static const char *set_nonempty(cmd_parms *cmd, void *conf, const char *arg)
{
	if (!*arg || strpbrk(arg, "\r\n"))
		return errorf(cmd, "must not be empty or contain line breaks");
	*(const char **)((char *)conf + (size_t)cmd->info) = arg;
	return NULL;
}

/*
 * NAME none: no value in this scope, whatever an enclosing one set (an Auth0Audience for the whole site,
 * and a <Location> that is not for that API). The bit in undone makes the NULL win when the scopes are
 * merged; a value given after it in the same scope takes its place, as for any directive.
 */
static const char *set_undoable(cmd_parms *cmd, void *conf_, const char *arg, unsigned bit,
                                const char *(*set)(cmd_parms *, void *, const char *))
{
	a0m_dir_conf *conf = conf_;
	if (strcasecmp(arg, "none") != 0) {
		conf->undone &= ~bit;
		return set(cmd, conf_, arg);
	}
	*(const char **)((char *)conf + (size_t)cmd->info) = NULL;
	conf->undone |= bit;
	return NULL;
}

static const char *set_audience(cmd_parms *cmd, void *conf, const char *arg)
{
	return set_undoable(cmd, conf, arg, A0M_UNDONE_AUDIENCE, set_nonempty);
}

static const char *set_organization(cmd_parms *cmd, void *conf, const char *arg)
{
	return set_undoable(cmd, conf, arg, A0M_UNDONE_ORGANIZATION, set_token_string);
}

/*
 * http://[USER[:PASSWORD]@]HOST[:PORT][/] or https://...: a forward proxy, which the tenant's https is
 * tunnelled through (CONNECT), so an http:// proxy is as usual as it is safe. Other schemes (socks) are
 * refused. The URL may carry the proxy's password: errors show it without user and password, and nothing
 * else logs it.
 */
static const char *set_proxy_url(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *at = strrchr(arg, '@');
	const char *scheme_end = strstr(arg, "://");
	const char *shown = !at ? arg
	                  : apr_psprintf(cmd->temp_pool, "%.*s(user and password hidden)@%s",
	                                 scheme_end && scheme_end < at ? (int)(scheme_end + 3 - arg) : 0, arg, at + 1);
	apr_uri_t u;
	if (!is_url_char_safe(arg) || apr_uri_parse(cmd->temp_pool, arg, &u) != APR_SUCCESS || !u.scheme ||
	    (strcasecmp(u.scheme, "http") != 0 && strcasecmp(u.scheme, "https") != 0))
		return errorf(cmd, "'%s' must be an http:// or https:// proxy URL, such as http://proxy.example.com:3128",
		              shown);
	bool host_ok = u.hostname && *u.hostname;
	for (const char *h = u.hostname; host_ok && *h; h++)
		host_ok = apr_isalnum(*h) || strchr(".-_:", *h); /* ':' of an IPv6 address, its brackets taken off */
	long port = 0;
	if (!host_ok || (u.port_str && (!parse_number(u.port_str, &port) || port < 1 || port > 65535)) ||
	    (u.path && *u.path && strcmp(u.path, "/") != 0) || u.query || u.fragment)
		return errorf(cmd, "'%s' must be scheme://HOST[:PORT] (and USER:PASSWORD@ before the host if the proxy "
		              "needs them), without a path", shown);
	*(const char **)((char *)conf + (size_t)cmd->info) = arg;
	return NULL;
}

static const char *set_outgoing_proxy(cmd_parms *cmd, void *conf, const char *arg)
{
	return set_undoable(cmd, conf, arg, A0M_UNDONE_OUTGOING_PROXY, set_proxy_url);
}

/* Parameters the module sets itself: configuring them would break the login or its security. */
static const char *const reserved_authz_params[] = {
	"client_id", "redirect_uri", "response_type", "response_mode", "state", "nonce", "code_challenge",
	"code_challenge_method", "scope", "audience", "organization", "request_uri", NULL
};

static const char *add_authz_param(cmd_parms *cmd, void *conf_, const char *name, const char *value)
{
	a0m_dir_conf *conf = conf_;
	for (const char *const *r = reserved_authz_params; *r; r++)
		if (strcmp(*r, name) == 0)
			return errorf(cmd, "'%s' is set by mod_auth0 itself%s", name,
			              strcmp(name, "scope") == 0        ? "; use Auth0Scope"
			              : strcmp(name, "audience") == 0   ? "; use Auth0Audience"
			              : strcmp(name, "organization") == 0 ? "; use Auth0Organization" : "");
	for (const char *p = name; *p; p++)
		if (!apr_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return errorf(cmd, "'%s' is not a valid parameter name", name);
	/* every login silent: one the tenant cannot complete without a page ends in an error, never a login */
	if (strcmp(name, "prompt") == 0 && ap_strstr_c(value, "none"))
		return errorf(cmd, "prompt=none would make every login fail where the tenant has no session; use "
		              "Auth0SilentLogin (with Auth0Unauthenticated pass) to try one without a page");
	if (!conf->authz_params)
		conf->authz_params = apr_array_make(cmd->pool, 4, sizeof(auth0_kv));
	auth0_kv *kv = apr_array_push(conf->authz_params);
	kv->name = name;
	kv->value = value;
	return NULL;
}

/*
 * How many different bytes s holds. A random secret of 32 hex or base64 characters or more has at least 8
 * but with a probability too small to matter; fewer means a placeholder (a run of one letter or digit,
 * "changeme" repeated), whose keys anyone can derive. Length alone would pass those.
 */
static int distinct_bytes(const char *s)
{
	bool seen[256] = { false };
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!seen[*p]) {
			seen[*p] = true;
			n++;
		}
	return n;
}

static const char *set_session_secrets(cmd_parms *cmd, void *conf_, int argc, char *const argv[])
{
	a0m_dir_conf *conf = conf_;
	if (argc < 1)
		return errorf(cmd, "needs at least one secret");
	if (argc > 8)
		return errorf(cmd, "at most 8 secrets (the current one and older ones being retired)");
	const char **secrets = apr_palloc(cmd->temp_pool, sizeof(char *) * (size_t)argc);
	for (int i = 0; i < argc; i++) {
		const char *err = resolve_secret(cmd, argv[i], &secrets[i]);
		if (err)
			return err;
		if (strlen(secrets[i]) < 32)
			return errorf(cmd, "each secret must have at least 32 characters (e.g. from `openssl rand -hex 32`)");
		if (distinct_bytes(secrets[i]) < 8)
			return errorf(cmd, "secret %d of %d is not random: it has fewer than 8 different characters (make one "
			              "with `openssl rand -hex 32`)", i + 1, argc);
	}
	const char *why = NULL;
	a0m_keyring *ring = a0m_keyring_derive(cmd->pool, secrets, argc, &why);
	if (!ring)
		return errorf(cmd, "%s", why);
	conf->keys = ring;
	return NULL;
}

typedef struct enum_value {
	const char *name;
	int value;
} enum_value;

static const char *set_enum(cmd_parms *cmd, int *slot, const char *arg, const enum_value *values)
{
	const char *choices = "";
	for (const enum_value *v = values; v->name; v++) {
		if (strcasecmp(v->name, arg) == 0) {
			*slot = v->value;
			return NULL;
		}
		choices = apr_pstrcat(cmd->temp_pool, choices, *choices ? ", " : "", v->name, NULL);
	}
	return errorf(cmd, "'%s' is not one of: %s", arg, choices);
}

static const char *set_session_store(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "cookie", A0M_STORE_COOKIE }, { "cache", A0M_STORE_CACHE }, { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->session_store, arg, v);
}

static const char *set_samesite(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "Lax", A0M_SAMESITE_LAX }, { "Strict", A0M_SAMESITE_STRICT },
		                            { "None", A0M_SAMESITE_NONE }, { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->cookie_samesite, arg, v);
}

static const char *set_logout_endpoint(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "v2", A0M_LOGOUT_V2 }, { "oidc", A0M_LOGOUT_OIDC },
		                            { "local", A0M_LOGOUT_LOCAL }, { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->logout_endpoint, arg, v);
}

static const char *set_cors_preflight(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "answer", A0M_PREFLIGHT_ANSWER }, { "backend", A0M_PREFLIGHT_BACKEND },
		                            { "auth", A0M_PREFLIGHT_AUTH }, { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->cors_preflight, arg, v);
}

static const char *set_error_pages(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "module", A0M_ERROR_PAGES_MODULE },
		                            { "errordocument", A0M_ERROR_PAGES_ERRORDOCUMENT }, { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->error_pages, arg, v);
}

static const char *set_id_token_alg(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "RS256", AUTH0_ALG_RS256 }, { "HS256", AUTH0_ALG_HS256 },
		                            { "PS256", AUTH0_ALG_PS256 }, { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->id_token_alg, arg, v);
}

/* HS256 is not offered: an API's HS256 access tokens are signed with the API's own signing secret, which
 * nothing here holds, and libauth0 verifies access tokens with the tenant's public keys only (it refuses
 * HMAC algorithms, so that a public key can never be taken for an HMAC secret). */
static const char *set_bearer_alg(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "RS256", AUTH0_ALG_RS256 }, { "PS256", AUTH0_ALG_PS256 }, { NULL, 0 } };
	if (strcasecmp(arg, "HS256") == 0)
		return errorf(cmd, "HS256 is not supported: such access tokens are signed with the API's signing secret, "
		              "which this module does not hold (libauth0 verifies access tokens with the tenant's public "
		              "keys only); set the API's Signing Algorithm in Auth0 to RS256 or PS256");
	return set_enum(cmd, &((a0m_dir_conf *)conf)->bearer_alg, arg, v);
}

/* Auth0BearerTokenFrom header|query|cookie:NAME...: each source once, a cookie name of RFC 6265 token characters
 * that a0m_cookie_header_find can match. */
static const char *set_bearer_from(cmd_parms *cmd, void *conf, const char *args)
{
	a0m_dir_conf *c = conf;
	int from = 0;
	const char *cookie = NULL;
	for (const char *w; *(w = ap_getword_conf(cmd->temp_pool, &args));) {
		int bit = strcasecmp(w, "header") == 0  ? A0M_TOKEN_FROM_HEADER
		          : strcasecmp(w, "query") == 0 ? A0M_TOKEN_FROM_QUERY
		          : strcasecmp(w, "basic") == 0 ? A0M_TOKEN_FROM_BASIC
		          : strncasecmp(w, "cookie:", 7) == 0 ? A0M_TOKEN_FROM_COOKIE
		                                              : 0;
		if (!bit)
			return errorf(cmd, "'%s' is not a source: header, basic, query or cookie:NAME", w);
		if (from & bit)
			return errorf(cmd, "'%s': each source may be given once", w);
		if (bit == A0M_TOKEN_FROM_COOKIE) {
			cookie = apr_pstrdup(cmd->pool, w + 7);
			if (!*cookie || strlen(cookie) > 64 || cookie[strspn(cookie, "abcdefghijklmnopqrstuvwxyz"
			                                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")])
				return errorf(cmd, "'%s': the cookie's name must have 1 to 64 letters, digits, _, - and .", w);
		}
		from |= bit;
	}
	if (!from)
		return errorf(cmd, "takes one or more of header, basic, query and cookie:NAME");
	/* the query's token leaves the request at translate_name, when httpd has merged <Location> (and <If>)
	 * sections but not <Directory>, <Files> or <Proxy> ones: given there, it would leave only requests that
	 * reach authentication, and stay in the logs of the others */
	if (from & A0M_TOKEN_FROM_QUERY)
		for (const ap_directive_t *d = cmd->directive ? cmd->directive->parent : NULL; d; d = d->parent)
			if (strncasecmp(d->directive, "<Directory", 10) == 0 || strncasecmp(d->directive, "<Files", 6) == 0 ||
			    strncasecmp(d->directive, "<Proxy", 6) == 0)
				return errorf(cmd, "query may not be given in %s>: give it in <Location> or for the server or "
				              "virtual host (the token leaves each request as httpd maps its URL, before "
				              "<Directory>, <Files> and <Proxy> apply)", d->directive);
	c->bearer_from = from;
	c->bearer_cookie = cookie;
	query_tokens_read = query_tokens_read || (from & A0M_TOKEN_FROM_QUERY);
	return NULL;
}

/* Appends to a NULL-terminated list of the section's own (the section's list replaces an inherited one). */
static void list_append(apr_pool_t *p, const char ***list, const char *value)
{
	size_t n = 0;
	while (*list && (*list)[n])
		n++;
	const char **grown = apr_pcalloc(p, (n + 2) * sizeof(*grown));
	if (n)
		memcpy(grown, *list, n * sizeof(*grown));
	grown[n] = value;
	*list = grown;
}

/* Auth0BearerExtraIssuer DOMAIN...: a tenant's other domain (custom or canonical), written as Auth0Domain is;
 * its tokens' iss is https://DOMAIN/. */
static const char *add_bearer_issuer(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *base;
	const char *err = tenant_base_url(cmd, arg, true, &base);
	if (err)
		return err;
	list_append(cmd->pool, &((a0m_dir_conf *)conf)->bearer_issuers, apr_pstrcat(cmd->pool, base, "/", NULL));
	return NULL;
}

static const char *add_bearer_audience(cmd_parms *cmd, void *conf, const char *arg)
{
	if (!*arg || strpbrk(arg, " \t\r\n"))
		return errorf(cmd, "must be a non-empty value without spaces");
	list_append(cmd->pool, &((a0m_dir_conf *)conf)->bearer_audiences, arg);
	return NULL;
}

/* Auth0ClientAuthMethod post|basic: the application's "Token Endpoint Authentication Method" */
static const char *set_client_auth_method(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "post", 0 }, { "basic", 1 }, { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->client_secret_basic, arg, v);
}

static const char *set_pass_claims_as(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "headers", A0M_PASS_HEADERS }, { "env", A0M_PASS_ENV },
		                            { "both", A0M_PASS_HEADERS | A0M_PASS_ENV }, { "none", 0 }, { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->pass_claims_as, arg, v);
}

static const char *set_trust_forwarded(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "off", A0M_FORWARDED_OFF }, { "on", A0M_FORWARDED_X },
		                            { "X-Forwarded", A0M_FORWARDED_X }, { "Forwarded", A0M_FORWARDED_RFC7239 },
		                            { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->trust_forwarded, arg, v);
}

static const char *set_unauthenticated(cmd_parms *cmd, void *conf, const char *arg)
{
	static const enum_value v[] = { { "auth", A0M_UNAUTH_AUTH }, { "401", A0M_UNAUTH_401 },
		                            { "pass", A0M_UNAUTH_PASS }, { NULL, 0 } };
	return set_enum(cmd, &((a0m_dir_conf *)conf)->unauthenticated, arg, v);
}

static const char *set_flag_slot(cmd_parms *cmd, void *conf, int on)
{
	*(int *)((char *)conf + (size_t)cmd->info) = on ? 1 : 0;
	return NULL;
}

static const char *set_duration(cmd_parms *cmd, void *conf, const char *arg)
{
	int *slot = (int *)((char *)conf + (size_t)cmd->info);
	const char *err = parse_duration(cmd, arg, 1, slot);
	if (!err && (size_t)cmd->info == offsetof(a0m_dir_conf, max_duration) && *slot > longest_max_duration)
		longest_max_duration = *slot;
	if (!err && (size_t)cmd->info == offsetof(a0m_dir_conf, login_timeout) && *slot > longest_login_timeout)
		longest_login_timeout = *slot;
	return err;
}

static const char *set_leeway(cmd_parms *cmd, void *conf, const char *arg)
{
	int v;
	const char *err = parse_duration(cmd, arg, 0, &v);
	if (err)
		return err;
	if (v > 600)
		return errorf(cmd, "'%s' is too large (at most 600 seconds of clock skew)", arg);
	((a0m_dir_conf *)conf)->leeway = v;
	return NULL;
}

/* Auth0RefreshBeforeExpiry: up to an hour. More is a mistake of units (milliseconds, minutes taken for
 * seconds) rather than a need: no request to a backend takes that long, and Auth0 issues access tokens for
 * 24 h by default. A token that lives less than twice the margin is renewed halfway (session.c). */
static const char *set_refresh_before_expiry(cmd_parms *cmd, void *conf, const char *arg)
{
	int v;
	const char *err = parse_duration(cmd, arg, 0, &v);
	if (err)
		return err;
	if (v > A0M_REFRESH_BEFORE_MAX)
		return errorf(cmd, "'%s' is too large (at most %d seconds: an hour)", arg, A0M_REFRESH_BEFORE_MAX);
	((a0m_dir_conf *)conf)->refresh_before_expiry = v;
	return NULL;
}

/* Auth0SessionRevalidate DURATION|Off: at least 10 s, for each check is a request to the tenant, which
 * rate-limits its token and /userinfo endpoints. Stored as seconds, Off as -1 (0 is unset: inherited). */
static const char *set_session_revalidate(cmd_parms *cmd, void *conf, const char *arg)
{
	int v = -1;
	const char *err = strcasecmp(arg, "off") != 0 ? parse_duration(cmd, arg, 0, &v) : NULL;
	if (err)
		return err;
	if (v >= 0 && v < 10)
		return errorf(cmd, "'%s' is too short (at least 10 seconds, or Off)", arg);
	((a0m_dir_conf *)conf)->session_revalidate = v;
	return NULL;
}

int a0m_conf_session_revalidate(const a0m_dir_conf *c)
{
	return c->session_revalidate > 0 ? c->session_revalidate : 0;
}

static const char *set_max_transactions(cmd_parms *cmd, void *conf, const char *arg)
{
	long v;
	if (!parse_number(arg, &v) || v < 1 || v > 20)
		return errorf(cmd, "'%s' must be a number from 1 to 20", arg);
	((a0m_dir_conf *)conf)->max_transactions = (int)v;
	return NULL;
}

/* Auth0PreservePost on|off [MAX-BYTES]: the form bodies kept across a login, at most MAX-BYTES long (sealed,
 * they must fit the 64 KiB that a0m_cache_get reads back). */
static const char *set_preserve_post(cmd_parms *cmd, void *conf, const char *on, const char *max)
{
	int *slot = &((a0m_dir_conf *)conf)->preserve_post;
	if (strcasecmp(on, "off") == 0) {
		if (max)
			return errorf(cmd, "a size goes with on only");
		*slot = 0;
		return NULL;
	}
	if (strcasecmp(on, "on") != 0)
		return errorf(cmd, "'%s' must be on or off", on);
	long v = A0M_PRESERVE_POST_DEFAULT;
	if (max && (!parse_number(max, &v) || v < 1 || v > A0M_PRESERVE_POST_MAX))
		return errorf(cmd, "'%s' must be a number of bytes from 1 to %d", max, A0M_PRESERVE_POST_MAX);
	*slot = (int)v;
	return NULL;
}

static const char *set_http_timeout(cmd_parms *cmd, void *conf, const char *arg)
{
	char *end = (char *)arg;
	/* Digits and a decimal point only: strtod would also take "nan", "inf", "0x1p3" and "1e2", and NaN
	 * fails every comparison (so "v < 0.1 || v > 300" would let it through). */
	double v = strspn(arg, "0123456789.") == strlen(arg) ? strtod(arg, &end) : 0;
	if (end == arg || *end || !(v >= 0.1 && v <= 300))
		return errorf(cmd, "'%s' must be a number of seconds from 0.1 to 300", arg);
	((a0m_dir_conf *)conf)->http_timeout_ms = (int)(v * 1000);
	return NULL;
}

static const char *set_http_retries(cmd_parms *cmd, void *conf, const char *arg)
{
	long v;
	if (!parse_number(arg, &v) || v > 10)
		return errorf(cmd, "'%s' must be a number from 0 to 10", arg);
	((a0m_dir_conf *)conf)->http_retries = (int)v;
	return NULL;
}

static const char *set_ca_file(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *path = ap_server_root_relative(cmd->pool, arg);
	apr_finfo_t fi;
	if (!path || apr_stat(&fi, path, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS || fi.filetype != APR_REG)
		return errorf(cmd, "cannot read %s", arg);
	((a0m_dir_conf *)conf)->ca_file = path;
	return NULL;
}

static const char *set_cookie_name(cmd_parms *cmd, void *conf, const char *arg)
{
	for (const char *p = arg; *p; p++)
		if (!apr_isalnum(*p) && *p != '_' && *p != '-')
			return errorf(cmd, "'%s' may contain only letters, digits, _ and -", arg);
	if (!*arg || strlen(arg) > 64)
		return errorf(cmd, "must have 1 to 64 characters");
	if (strncasecmp(arg, "__Host-", 7) == 0 || strncasecmp(arg, "__Secure-", 9) == 0)
		return errorf(cmd, "give the name without __Host- or __Secure-: mod_auth0 adds the right prefix");
	((a0m_dir_conf *)conf)->cookie_name = arg;
	return NULL;
}

/* A host name of two labels or more, each 1 to 63 letters, digits and hyphens, not beginning or ending with a
 * hyphen (RFC 1123), at most 253 characters: what a browser can match a Domain attribute against. */
static bool valid_domain_name(const char *d)
{
	int labels = 0;
	if (strlen(d) > 253)
		return false;
	for (const char *label = d;; label++) {
		size_t n = strspn(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if (n < 1 || n > 63 || label[0] == '-' || label[n - 1] == '-')
			return false;
		labels++;
		label += n;
		if (!*label)
			return labels >= 2;
		if (*label != '.')
			return false;
	}
}

static const char *set_cookie_domain_name(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *d = arg[0] == '.' ? arg + 1 : arg; /* the leading dot of old cookies means nothing today */
	if (!valid_domain_name(d))
		return errorf(cmd, "'%s' must be a domain name such as example.com (labels of letters, digits and "
		              "hyphens, no empty label, no trailing dot)", arg);
	((a0m_dir_conf *)conf)->cookie_domain = apr_pstrdup(cmd->pool, d);
	return NULL;
}

static const char *set_cookie_domain(cmd_parms *cmd, void *conf, const char *arg)
{
	return set_undoable(cmd, conf, arg, A0M_UNDONE_COOKIE_DOMAIN, set_cookie_domain_name);
}

static const char *set_header_prefix(cmd_parms *cmd, void *conf, const char *arg)
{
	if (strlen(arg) < 2)
		return errorf(cmd, "'%s' is too short: an empty prefix would let clients spoof identity headers", arg);
	for (const char *p = arg; *p; p++)
		if (!apr_isalnum(*p) && *p != '-' && *p != '_')
			return errorf(cmd, "'%s' may contain only letters, digits, - and _", arg);
	/* Every request header with the prefix is removed before the request goes on: a prefix that begins
	 * headers the site relies on (X-Forwarded-*, X-Requested-With, the admin API's X-CSRF-Token) would
	 * remove them too. Separators are compared folded, as the scrub does. */
	static const char *const needed[] = { "X-Forwarded-", "X-Requested-With", "X-CSRF-Token", "X-Real-IP",
		                                  "Authorization", "Cookie", "Content-", "Accept", "Host", NULL };
	size_t len = strlen(arg);
	for (const char *const *n = needed; *n; n++) {
		if (len <= strlen(*n) && a0m_claims_folded_prefix(*n, arg))
			return errorf(cmd, "'%s' would also remove %s request headers: choose a longer prefix "
			              "(default X-Auth0-)", arg, *n);
	}
	((a0m_dir_conf *)conf)->claim_header_prefix = arg;
	return NULL;
}

/*
 * Auth0UserHeader NAME: an HTTP token, and not a header that httpd, a proxy or the backend reads for something
 * else (a client's copy is removed on every request, ours set for authenticated ones: Host or Cookie would be
 * gone). Names are compared folded, as the scrub compares them; the entries ending in '-' are prefixes. The
 * claim prefix is checked where it is known whole, in a0m_conf_check().
 */
static const char *set_user_header_name(cmd_parms *cmd, void *conf, const char *arg)
{
	/* RFC 9110's token (tchar), spelled out: httpd's ap_scan_http_token is not in the fuzz harness's httpd */
	if (!*arg || arg[strspn(arg, "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")])
		return errorf(cmd, "'%s' is not a header name (letters, digits and !#$%%&'*+-.^_`|~)", arg);
	static const char *const reserved[] = {
		"Authorization", "Proxy-Authorization", "Proxy-Authenticate", "WWW-Authenticate", "Cookie", "Cookie2",
		"Host", "Content-", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "Upgrade",
		"TE", "Trailer", "Expect", "Forwarded", "X-Forwarded-", "Via", "Origin", "Referer", "Range", "If-",
		"Accept", "Accept-", "User-Agent", "Sec-", "Access-Control-", "X-Requested-With", "X-CSRF-Token",
		"X-Real-IP", "DPoP", "Max-Forwards", NULL
	};
	size_t len = strlen(arg);
	for (const char *const *n = reserved; *n; n++) {
		size_t nlen = strlen(*n);
		bool prefix = (*n)[nlen - 1] == '-';
		if (a0m_claims_folded_prefix(arg, *n) && (prefix || len == nlen))
			return errorf(cmd, "'%s' is a header the request needs for itself (%s%s): choose another name, such "
			              "as X-Remote-User", arg, *n, prefix ? "*" : "");
	}
	((a0m_dir_conf *)conf)->user_header = arg;
	return NULL;
}

static const char *set_user_header(cmd_parms *cmd, void *conf, const char *arg)
{
	return set_undoable(cmd, conf, arg, A0M_UNDONE_USER_HEADER, set_user_header_name);
}

static const char *set_pass_id_token(cmd_parms *cmd, void *conf, int on)
{
	((a0m_dir_conf *)conf)->pass_id_token = on ? 1 : 0;
	if (on && cmd->server->is_virtual)
		((a0m_server_conf *)ap_get_module_config(cmd->server->module_config, &auth0_module))->id_token_passed = true;
	else if (on)
		main_server_passes_id_token = true;
	return NULL;
}

static const char *check_claim_name(cmd_parms *cmd, const char *arg)
{
	return !*arg || strpbrk(arg, " \t\r\n\"") ? errorf(cmd, "'%s' is not a claim name", arg) : NULL;
}

static const char *set_claim_name(cmd_parms *cmd, void *conf, const char *arg)
{
	const char *err = check_claim_name(cmd, arg);
	if (!err)
		*(const char **)((char *)conf + (size_t)cmd->info) = arg;
	return err;
}

/* Auth0UserClaim CLAIM [REGEX [REPLACEMENT]]: REMOTE_USER is the claim's value, or what REGEX (PCRE, as
 * httpd's other directives take them) makes of it: REPLACEMENT with $0-$9 of the match, $1 by default; an
 * expression without a group and without a replacement keeps the whole value (a filter: every matching
 * user named "$0", the matched part, would be one user). A value the expression does not match names
 * nobody here. */
static const char *set_user_claim(cmd_parms *cmd, void *conf_, const char *claim, const char *regex,
                                  const char *replacement)
{
	a0m_dir_conf *conf = conf_;
	const char *err = check_claim_name(cmd, claim);
	if (err)
		return err;
	conf->user_claim = claim;
	conf->user_regex = NULL;
	conf->user_replacement = NULL;
	conf->user_rule = claim;
	if (!regex)
		return NULL;
	if (!*regex)
		return errorf(cmd, "the expression is empty");
	if (!(conf->user_regex = ap_pregcomp(cmd->pool, regex, 0)))
		return errorf(cmd, "'%s' is not a valid regular expression", regex);
	size_t groups = conf->user_regex->re_nsub;
	if (regex[0] != '^' || regex[strlen(regex) - 1] != '$')
		ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server,
		             "Auth0UserClaim: '%s' is not anchored with ^...$: it matches anywhere in the claim's value "
		             "(([^@]+)@example\\.com matches alice@example.com.evil.net)", regex);
	if (replacement && !*replacement)
		return errorf(cmd, "the replacement is empty: it would name every user alike (nobody)");
	if (!replacement && groups)
		replacement = "$1";
	for (const char *q = replacement; q && *q; q++) {
		if (*q == '\\' && q[1]) {
			q++;
		} else if (*q == '$' && apr_isdigit(q[1]) && (size_t)(q[1] - '0') > groups) {
			return errorf(cmd, "the replacement '%s' names group $%c, and the expression has %d", replacement,
			              q[1], (int)groups);
		} else if (apr_iscntrl(*q)) {
			return errorf(cmd, "the replacement holds a control character");
		}
	}
	conf->user_replacement = replacement;
	/* lengths keep two rules from having one text ("a b" c and a "b c" would) */
	conf->user_rule = apr_psprintf(cmd->pool, "%s %" APR_SIZE_T_FMT ":%s %" APR_SIZE_T_FMT ":%s", claim,
	                               strlen(regex), regex, replacement ? strlen(replacement) : (apr_size_t)0,
	                               replacement ? replacement : "");
	return NULL;
}

static const char *add_identity_claim_filter(cmd_parms *cmd, void *conf_, const char *arg)
{
	a0m_dir_conf *conf = conf_;
	const char *now = conf->identity_claim_filter;
	if (strcasecmp(arg, "none") == 0) {
		if (now && strcmp(now, " ") != 0)
			return errorf(cmd, "'none' cannot be combined with claim names");
		conf->identity_claim_filter = " ";
		return NULL;
	}
	if (now && strcmp(now, " ") == 0)
		return errorf(cmd, "'%s' cannot follow 'none'", arg);
	for (const char *p = arg; *p; p++)
		if (apr_isspace(*p) || apr_iscntrl(*p))
			return errorf(cmd, "'%s' is not a claim name", arg);
	conf->identity_claim_filter = apr_pstrcat(cmd->pool, now ? now : " ", arg, " ", NULL);
	return NULL;
}

/* Auth0PassClaims NAME...|all: "+ a b " (names add up within a section), "" for all. */
static const char *add_pass_claims(cmd_parms *cmd, void *conf_, const char *arg)
{
	a0m_dir_conf *conf = conf_;
	const char *now = conf->pass_claims;
	if (strcasecmp(arg, "all") == 0) {
		if (now && *now)
			return errorf(cmd, "'all' cannot be combined with claim names");
		conf->pass_claims = "";
		return NULL;
	}
	if (now && !*now)
		return errorf(cmd, "'%s' cannot follow 'all'", arg);
	for (const char *p = arg; *p; p++)
		if (apr_isspace(*p) || apr_iscntrl(*p))
			return errorf(cmd, "'%s' is not a claim name", arg);
	conf->pass_claims = apr_pstrcat(cmd->pool, now ? now : "+ ", arg, " ", NULL);
	return NULL;
}

static const char *add_logout_allow(cmd_parms *cmd, void *conf_, const char *arg)
{
	a0m_dir_conf *conf = conf_;
	const char *why = NULL;
	if (arg[0] == '/') {
		if (!valid_path(arg))
			return errorf(cmd, "'%s' must be an absolute URL or a path like /goodbye", arg);
	} else if (!valid_absolute_url(arg, &why)) {
		return errorf(cmd, "'%s' %s", arg, why);
	}
	if (!conf->logout_allow)
		conf->logout_allow = apr_array_make(cmd->pool, 4, sizeof(const char *));
	*(const char **)apr_array_push(conf->logout_allow) = arg;
	return NULL;
}

static const char *add_trusted_proxy(cmd_parms *cmd, void *conf_, const char *arg)
{
	a0m_dir_conf *conf = conf_;
	a0m_cidr cidr;
	memset(&cidr, 0, sizeof(cidr));
	char *addr = apr_pstrdup(cmd->temp_pool, arg);
	char *slash = strchr(addr, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, addr, cidr.addr) == 1) {
		cidr.family = AF_INET;
		cidr.bits = 32;
	} else if (inet_pton(AF_INET6, addr, cidr.addr) == 1) {
		cidr.family = AF_INET6;
		cidr.bits = 128;
	} else {
		return errorf(cmd, "'%s' is not an IP address or network (e.g. 10.0.0.0/8)", arg);
	}
	if (slash) {
		long bits;
		if (!parse_number(slash, &bits) || bits > cidr.bits)
			return errorf(cmd, "'%s' has an invalid prefix length", arg);
		cidr.bits = (int)bits;
	}
	if (!conf->trusted_proxies)
		conf->trusted_proxies = apr_array_make(cmd->pool, 4, sizeof(a0m_cidr));
	*(a0m_cidr *)apr_array_push(conf->trusted_proxies) = cidr;
	return NULL;
}

static const char *add_management_allow(cmd_parms *cmd, void *conf_, const char *arg)
{
	a0m_dir_conf *conf = conf_;
	for (const char *p = arg; *p; p++)
		if (!apr_islower(*p) && !apr_isdigit(*p) && *p != '_' && *p != '.' && *p != '*')
			return errorf(cmd, "'%s' is not an operation pattern like users.* or roles.list", arg);
	if (!conf->management_allow)
		conf->management_allow = apr_array_make(cmd->pool, 8, sizeof(const char *));
	*(const char **)apr_array_push(conf->management_allow) = arg;
	return NULL;
}

static const char *set_cache(cmd_parms *cmd, void *dummy, const char *arg)
{
	(void)dummy;
	const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
	if (err)
		return err;
	a0m_server_conf *sc = ap_get_module_config(cmd->server->module_config, &auth0_module);
	const char *sep = strchr(arg, ':');
	const char *name = sep ? apr_pstrmemdup(cmd->pool, arg, (apr_size_t)(sep - arg)) : arg;
	const char *args = sep ? sep + 1 : NULL;
	/* redis://:PASSWORD@HOST, missing its "redis-auth:": httpd's redis provider would take "//:PASSWORD@HOST"
	 * for a server list and every login would fail. No provider's arguments begin with //. The arguments
	 * are not shown: they may hold a password. */
	if (args && strncmp(args, "//", 2) == 0)
		return errorf(cmd, "provider '%s' is given a URL (%s://...), which it does not read: for a redis server "
		              "with a password write redis-auth:redis://[USER:]PASSWORD@HOST[:PORT][/DB], otherwise "
		              "PROVIDER:ARGUMENTS (e.g. redis:HOST:PORT)", name, name);
	const ap_socache_provider_t *prov =
		ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name, AP_SOCACHE_PROVIDER_VERSION);
	if (!prov) {
		apr_array_header_t *names = ap_list_provider_names(cmd->pool, AP_SOCACHE_PROVIDER_GROUP,
		                                                   AP_SOCACHE_PROVIDER_VERSION);
		const char *list = "";
		for (int i = 0; names && i < names->nelts; i++)
			list = apr_pstrcat(cmd->temp_pool, list, i ? ", " : "",
			                   ((ap_list_provider_names_t *)names->elts)[i].provider_name, NULL);
		return errorf(cmd, "unknown cache provider '%s'; load mod_socache_%s first (loaded: %s)", name, name,
		              *list ? list : "none");
	}
	err = prov->create(&sc->cache_instance, args, cmd->temp_pool, cmd->pool);
	if (err)
		return errorf(cmd, "%s", err);
	sc->cache_provider = prov;
	sc->cache_provider_name = name;
	sc->cache_spec = arg;
	return NULL;
}

#define DIR_OR_SERVER (RSRC_CONF | ACCESS_CONF)

static const command_rec directives[] = {
	AP_INIT_TAKE1("Auth0Domain", set_domain, NULL, DIR_OR_SERVER,
	              "the Auth0 tenant: example.auth0.com, a custom domain, or an https:// URL"),
	AP_INIT_TAKE1("Auth0ClientID", set_token_string, CONF_OFFSET(client_id), DIR_OR_SERVER,
	              "the application's client id"),
	AP_INIT_TAKE1("Auth0ClientSecret", set_client_secret, NULL, DIR_OR_SERVER,
	              "the application's client secret (or env:VARIABLE, file:/path)"),
	AP_INIT_TAKE12("Auth0ClientAssertionKey", set_assertion_key, NULL, DIR_OR_SERVER,
	               "PEM private key file for private_key_jwt, and its algorithm (default RS256)"),
	AP_INIT_TAKE1("Auth0RedirectURI", set_endpoint_url_or_path, CONF_OFFSET(redirect_uri), DIR_OR_SERVER,
	              "the callback: a path (/callback) or an absolute URL"),
	AP_INIT_TAKE_ARGV("Auth0Scope", set_scope, NULL, DIR_OR_SERVER,
	                  "scopes to request (default: openid profile email)"),
	AP_INIT_TAKE1("Auth0Audience", set_audience, CONF_OFFSET(audience), DIR_OR_SERVER,
	              "the API identifier to request access tokens for (none: undo an inherited one)"),
	AP_INIT_TAKE1("Auth0Organization", set_organization, CONF_OFFSET(organization), DIR_OR_SERVER,
	              "organization id (org_...) or name users log in to (none: undo an inherited one)"),
	AP_INIT_TAKE2("Auth0AuthorizationParam", add_authz_param, NULL, DIR_OR_SERVER,
	              "an extra authorization request parameter NAME VALUE (repeatable)"),
	AP_INIT_TAKE_ARGV("Auth0SessionSecret", set_session_secrets, NULL, DIR_OR_SERVER,
	                "secrets (32+ characters) for sessions and cookies: the first seals, all open"),
	AP_INIT_TAKE1("Auth0SessionStore", set_session_store, NULL, DIR_OR_SERVER,
	              "cookie (sealed session in the browser, default) or cache (shared server-side cache)"),
	AP_INIT_TAKE1("Auth0SessionInactivityTimeout", set_duration, CONF_OFFSET(inactivity_timeout), DIR_OR_SERVER,
	              "idle time after which a session ends (default 1h)"),
	AP_INIT_TAKE1("Auth0SessionMaxDuration", set_duration, CONF_OFFSET(max_duration), DIR_OR_SERVER,
	              "absolute session lifetime (default 8h)"),
	AP_INIT_TAKE1("Auth0CookieName", set_cookie_name, NULL, DIR_OR_SERVER,
	              "session cookie name (default auth0_session; __Host- is added on https)"),
	AP_INIT_TAKE1("Auth0CookieDomain", set_cookie_domain, CONF_OFFSET(cookie_domain), DIR_OR_SERVER,
	              "share the session cookie with subdomains of this domain (default, or none: this host only)"),
	AP_INIT_TAKE1("Auth0CookieSameSite", set_samesite, NULL, DIR_OR_SERVER, "Lax (default), Strict or None"),
	AP_INIT_FLAG("Auth0RefreshTokens", set_flag_slot, CONF_OFFSET(refresh_tokens), DIR_OR_SERVER,
	             "renew expired access tokens with the refresh token (offline_access) (default on)"),
	AP_INIT_TAKE1("Auth0RefreshBeforeExpiry", set_refresh_before_expiry, NULL, DIR_OR_SERVER,
	              "renew access tokens this long before they expire (default 30s, at most 1h)"),
	AP_INIT_TAKE1("Auth0SessionRevalidate", set_session_revalidate, NULL, DIR_OR_SERVER,
	              "check a session again at the tenant this often (at least 60s; default Off)"),
	AP_INIT_TAKE1("Auth0LogoutPath", set_endpoint_path, CONF_OFFSET(logout_path), DIR_OR_SERVER,
	              "the path that logs the user out (e.g. /logout)"),
	AP_INIT_TAKE1("Auth0LoginPath", set_endpoint_path, CONF_OFFSET(login_path), DIR_OR_SERVER,
	              "path of the application's login URI: logins started by the tenant (invitations) or other "
	              "applications (default none)"),
	AP_INIT_TAKE1("Auth0BackChannelLogoutPath", set_endpoint_path, CONF_OFFSET(backchannel_logout_path),
	              RSRC_CONF, "path where the tenant POSTs logout tokens (OpenID Connect back-channel logout; "
	              "default none)"),
	AP_INIT_TAKE1("Auth0LogoutReturnTo", set_url_or_path, CONF_OFFSET(logout_return_to), DIR_OR_SERVER,
	              "where users land after logout"),
	AP_INIT_FLAG("Auth0LogoutFederated", set_flag_slot, CONF_OFFSET(logout_federated), DIR_OR_SERVER,
	             "the tenant's logout also logs out of the user's identity provider (default off)"),
	AP_INIT_FLAG("Auth0SessionCookiePersistent", set_flag_slot, CONF_OFFSET(cookie_persistent), DIR_OR_SERVER,
	             "session cookies last until the session ends (on, default) or until the browser closes"),
	AP_INIT_ITERATE("Auth0LogoutReturnToAllow", add_logout_allow, NULL, DIR_OR_SERVER,
	                "URLs or paths a returnTo parameter may name"),
	AP_INIT_TAKE1("Auth0LogoutEndpoint", set_logout_endpoint, NULL, DIR_OR_SERVER,
	              "v2 (/v2/logout, default), oidc (/oidc/logout) or local (this site only)"),
	AP_INIT_TAKE123("Auth0UserClaim", set_user_claim, NULL, DIR_OR_SERVER,
	                "claim used as REMOTE_USER (default sub) [REGEX [REPLACEMENT]]: what REGEX makes of its "
	                "value, $1 by default; a value it does not match names nobody"),
	AP_INIT_TAKE1("Auth0PassClaimsAs", set_pass_claims_as, NULL, DIR_OR_SERVER,
	              "headers, env, both (default) or none"),
	AP_INIT_TAKE1("Auth0ClaimHeaderPrefix", set_header_prefix, NULL, DIR_OR_SERVER,
	              "prefix of identity headers (default X-Auth0-)"),
	AP_INIT_ITERATE("Auth0PassClaims", add_pass_claims, NULL, DIR_OR_SERVER,
	                "only these claims (top-level names) reach backends, for sessions and bearer tokens (all: "
	                "every claim, the default; Auth0IdentityClaimFilter then applies to sessions)"),
	AP_INIT_ITERATE("Auth0IdentityClaimFilter", add_identity_claim_filter, NULL, DIR_OR_SERVER,
	                "ID-token claims not passed to backends, or none (default: aud iss iat exp nbf nonce azp "
	                "auth_time s_hash at_hash c_hash)"),
	AP_INIT_FLAG("Auth0PassAccessToken", set_flag_slot, CONF_OFFSET(pass_access_token), DIR_OR_SERVER,
	             "pass the access token to the backend (default off)"),
	AP_INIT_TAKE1("Auth0UserHeader", set_user_header, CONF_OFFSET(user_header), DIR_OR_SERVER,
	              "a request header carrying REMOTE_USER to backends (such as X-Remote-User), or none (default); "
	              "a client's copy is always removed"),
	AP_INIT_FLAG("Auth0PassIDToken", set_pass_id_token, NULL, DIR_OR_SERVER,
	             "pass the session's ID token to the backend, as Auth0PassClaimsAs says (default off; sessions "
	             "only)"),
	AP_INIT_TAKE1("Auth0Unauthenticated", set_unauthenticated, NULL, DIR_OR_SERVER,
	              "auth (log in, default), 401, or pass"),
	AP_INIT_FLAG("Auth0RequireMFA", set_flag_slot, CONF_OFFSET(require_mfa), DIR_OR_SERVER,
	             "sessions here need a login with multi-factor authentication; others step up (default off)"),
	AP_INIT_TAKE1("Auth0IDTokenSigningAlg", set_id_token_alg, NULL, DIR_OR_SERVER,
	              "RS256 (the tenant's keys, default), PS256 (the tenant's keys, RSA-PSS) or HS256 (the client "
	              "secret): the application's JSON Web Token Signature Algorithm in Auth0"),
	AP_INIT_TAKE1("Auth0BearerSigningAlg", set_bearer_alg, NULL, DIR_OR_SERVER,
	              "RS256 (default) or PS256 (RSA-PSS), both with the tenant's keys: the Signing Algorithm of the "
	              "API whose access tokens AuthType Auth0Bearer accepts"),
	AP_INIT_RAW_ARGS("Auth0BearerTokenFrom", set_bearer_from, NULL, DIR_OR_SERVER,
	                 "where AuthType Auth0Bearer reads the token: header (the Authorization header, default), "
	                 "query (the access_token parameter, removed from the request), cookie:NAME (from this site's "
	                 "pages only); one or more"),
	AP_INIT_ITERATE("Auth0BearerExtraIssuer", add_bearer_issuer, NULL, DIR_OR_SERVER,
	                "other domains of the tenant (a custom domain, or the canonical TENANT.auth0.com) whose "
	                "access tokens AuthType Auth0Bearer accepts besides Auth0Domain's; one or more"),
	AP_INIT_ITERATE("Auth0BearerExtraAudience", add_bearer_audience, NULL, DIR_OR_SERVER,
	                "other API identifiers AuthType Auth0Bearer accepts in a token's aud besides Auth0Audience; "
	                "one or more"),
	AP_INIT_TAKE1("Auth0ClientAuthMethod", set_client_auth_method, NULL, DIR_OR_SERVER,
	              "how Auth0ClientSecret is sent to the tenant: post (in the body, the default) or basic (HTTP "
	              "Basic): the application's Token Endpoint Authentication Method"),
	AP_INIT_TAKE1("Auth0MaxAge", set_duration, CONF_OFFSET(max_age), DIR_OR_SERVER,
	              "how recent a login must be here (the ID token's auth_time); an older session logs in again "
	              "with max_age (default: any age)"),
	AP_INIT_TAKE12("Auth0PreservePost", set_preserve_post, NULL, DIR_OR_SERVER,
	               "on [MAX-BYTES] keeps a form POST (application/x-www-form-urlencoded, same origin, at most "
	               "MAX-BYTES, default 16384) across the login it needs and posts it again after; off (default) "
	               "answers 401"),
	AP_INIT_FLAG("Auth0PushedAuthorizationRequests", set_flag_slot, CONF_OFFSET(pushed_authorization),
	             DIR_OR_SERVER,
	             "on: a login's parameters are sent to the tenant (POST /oauth/par, with client authentication) "
	             "and the browser goes to /authorize with the request_uri only; off (default): in the URL"),
	AP_INIT_FLAG("Auth0SilentLogin", set_flag_slot, CONF_OFFSET(silent_login), DIR_OR_SERVER,
	             "with Auth0Unauthenticated pass: a browser's first page navigation without a session tries a "
	             "login without any prompt (prompt=none), once per browser session, and lands anonymously "
	             "when the tenant has no session for it (default off)"),
	AP_INIT_TAKE1("Auth0ErrorPages", set_error_pages, NULL, DIR_OR_SERVER,
	              "module (the module's own error pages, default) or errordocument (httpd's ErrorDocument, with "
	              "AUTH0_ERROR, AUTH0_ERROR_DESCRIPTION and AUTH0_ERROR_LINK)"),
	AP_INIT_TAKE1("Auth0CORSPreflight", set_cors_preflight, NULL, DIR_OR_SERVER,
	              "CORS preflights (sent without credentials): answer (204 from httpd, default), backend (passed "
	              "on without an identity) or auth (401 like any request without credentials)"),
	AP_INIT_FLAG("Auth0StripCookies", set_flag_slot, CONF_OFFSET(strip_cookies), DIR_OR_SERVER,
	             "keep this module's cookies from proxied backends and handlers (default on)"),
	AP_INIT_TAKE1("Auth0RolesClaim", set_claim_name, CONF_OFFSET(roles_claim), DIR_OR_SERVER,
	              "claim holding the user's roles, for Require auth0-role"),
	AP_INIT_TAKE1("Auth0ClockSkew", set_leeway, NULL, DIR_OR_SERVER,
	              "seconds of clock skew tolerated on token times (default 60)"),
	AP_INIT_TAKE1("Auth0LoginTimeout", set_duration, CONF_OFFSET(login_timeout), DIR_OR_SERVER,
	              "how long a login may take at the Auth0 login page (default 15m)"),
	AP_INIT_TAKE1("Auth0MaxLoginTransactions", set_max_transactions, NULL, DIR_OR_SERVER,
	              "logins in progress per browser (tabs) (default 5)"),
	AP_INIT_TAKE1("Auth0PostLoginURL", set_path, CONF_OFFSET(post_login_url), DIR_OR_SERVER,
	              "landing page after a login that has no original URL (default /)"),
	AP_INIT_TAKE1("Auth0CACertificateFile", set_ca_file, NULL, DIR_OR_SERVER,
	              "PEM file of CAs trusted for the tenant (default: the system's)"),
	AP_INIT_TAKE1("Auth0HTTPTimeout", set_http_timeout, NULL, DIR_OR_SERVER,
	              "seconds to wait for the tenant (default 10)"),
	AP_INIT_TAKE1("Auth0HTTPRetries", set_http_retries, NULL, DIR_OR_SERVER,
	              "retries when the tenant rate-limits (default 3 for login, 2 for management)"),
	AP_INIT_TAKE1("Auth0ManagementBaseURL", set_https_url, CONF_OFFSET(management_base_url), DIR_OR_SERVER,
	              "Management API base URL (default https://DOMAIN/api/v2)"),
	AP_INIT_TAKE1("Auth0OutgoingProxy", set_outgoing_proxy, CONF_OFFSET(outgoing_proxy), DIR_OR_SERVER,
	              "proxy for requests to the tenant (default, or none: direct)"),
	AP_INIT_TAKE1("Auth0TrustForwardedHeaders", set_trust_forwarded, NULL, DIR_OR_SERVER,
	              "take scheme, host and port from the X-Forwarded-* (On, X-Forwarded) or the Forwarded header "
	              "sent by Auth0TrustedProxies (default Off)"),
	AP_INIT_ITERATE("Auth0TrustedProxies", add_trusted_proxy, NULL, DIR_OR_SERVER,
	                "addresses or networks of trusted reverse proxies (default loopback: 127.0.0.0/8 ::1)"),
	AP_INIT_ITERATE("Auth0ManagementAllow", add_management_allow, NULL, DIR_OR_SERVER,
	                "Management operations the auth0-management handler may run (users.* roles.list)"),
	AP_INIT_TAKE1("Auth0Cache", set_cache, NULL, RSRC_CONF,
	              "shared cache: a socache provider and its arguments (default shmcb)"),
	{ .name = NULL }
};

/* ---- start-up checks ------------------------------------------------------------------------------ */

/* The paths this module answers itself, and the directives that set them. */
enum { OWN_PATH_CALLBACK, OWN_PATH_LOGOUT, OWN_PATH_BACKCHANNEL, OWN_PATH_LOGIN, OWN_PATHS };
static const char *const own_path_names[OWN_PATHS] = { "Auth0RedirectURI", "Auth0LogoutPath",
	                                                    "Auth0BackChannelLogoutPath", "Auth0LoginPath" };
static void own_paths(const a0m_dir_conf *c, const char *paths[OWN_PATHS])
{
	paths[OWN_PATH_CALLBACK] = a0m_conf_redirect_path(c);
	paths[OWN_PATH_LOGOUT] = c->logout_path;
	paths[OWN_PATH_BACKCHANNEL] = c->backchannel_logout_path;
	paths[OWN_PATH_LOGIN] = c->login_path;
}

const char *a0m_conf_check(apr_pool_t *p, const a0m_dir_conf *c, bool bearer)
{
	if (!c->domain)
		return "Auth0Domain is not set";
	/* the scrub and the claims' headers would take it for one of theirs */
	const char *prefix = a0m_conf_claim_header_prefix(c);
	if (c->user_header && (a0m_claims_folded_prefix(c->user_header, prefix) ||
	                       a0m_claims_folded_prefix(c->user_header, DEFAULT_HEADER_PREFIX)))
		return apr_psprintf(p, "Auth0UserHeader %s begins with the claims' prefix %s (Auth0ClaimHeaderPrefix, "
		                    "and " DEFAULT_HEADER_PREFIX " always): choose a name outside it", c->user_header,
		                    a0m_claims_folded_prefix(c->user_header, prefix) ? prefix : DEFAULT_HEADER_PREFIX);
	if (bearer) {
		if (!c->audience)
			return "Auth0Audience is required for AuthType Auth0Bearer (the API identifier tokens must be for)";
		return NULL;
	}
	if (!c->client_id)
		return "Auth0ClientID is not set";
	if (!c->redirect_uri)
		return "Auth0RedirectURI is not set (e.g. Auth0RedirectURI /callback)";
	if (!c->keys)
		return "Auth0SessionSecret is not set (32+ random characters, e.g. from `openssl rand -hex 32`)";
	if (!c->client_secret && !c->assertion_key_pem)
		return "neither Auth0ClientSecret nor Auth0ClientAssertionKey is set";
	if (c->client_secret_basic == 1 && c->assertion_key_pem)
		return "Auth0ClientAuthMethod basic sends Auth0ClientSecret, but Auth0ClientAssertionKey is set (with a key, "
		       "the application signs a client assertion instead)";
	if (a0m_conf_id_token_alg(c) == AUTH0_ALG_HS256 && !c->client_secret)
		return "Auth0IDTokenSigningAlg HS256 needs Auth0ClientSecret (the ID tokens are signed with it)";
	/* the paths this module answers itself: each one thing */
	const char *paths[OWN_PATHS];
	own_paths(c, paths);
	for (int i = 0; i < OWN_PATHS; i++)
		for (int j = i + 1; j < OWN_PATHS; j++)
			if (paths[i] && paths[j] && strcmp(paths[i], paths[j]) == 0)
				return apr_psprintf(p, "%s and %s must differ", own_path_names[j], own_path_names[i]);
	return a0m_conf_check_landing(p, c, NULL);
}

/* The length of the host of absolute URL u (at *host), without port; 0 for a path. */
static size_t url_host(const char *u, const char **host)
{
	const char *h = strstr(u, "://");
	if (u[0] == '/' || !h)
		return 0;
	*host = h += 3;
	if (h[0] != '[')
		return strcspn(h, ":/");
	size_t n = strcspn(h, "]/");
	return h[n] == ']' ? n + 1 : n;
}

static bool same_host(const char *a, size_t alen, const char *b)
{
	return b && strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

/* The path a landing URL leads to on this site, or NULL when it leads to another: a path, or an absolute URL
 * on the host of an absolute Auth0RedirectURI, or on s's ServerName or one of its ServerAlias names. */
static const char *site_path(const a0m_dir_conf *c, const char *u, const server_rec *s)
{
	const char *host = NULL, *own = NULL;
	size_t n = url_host(u, &host);
	if (!n)
		return u;
	size_t own_n = c->redirect_uri ? url_host(c->redirect_uri, &own) : 0;
	bool here = (own_n == n && strncasecmp(host, own, n) == 0) || (s && same_host(host, n, s->server_hostname));
	for (int i = 0; !here && s && s->names && i < s->names->nelts; i++)
		here = same_host(host, n, ((const char **)s->names->elts)[i]);
	const char *path = strchr(host + n, '/');
	return !here ? NULL : path ? path : "/";
}

const char *a0m_conf_check_landing(apr_pool_t *p, const a0m_dir_conf *c, const server_rec *s)
{
	const char *paths[OWN_PATHS];
	own_paths(c, paths);
	const char *landing[] = { c->post_login_url, c->logout_return_to };
	static const char *const landing_names[] = { "Auth0PostLoginURL", "Auth0LogoutReturnTo" };
	for (int i = 0; i < 2; i++) {
		const char *path = landing[i] ? site_path(c, landing[i], s) : NULL;
		for (int j = 0; path && j < OWN_PATHS; j++) {
			/* A logout may land on the login path (a new login for whoever wants one): no loop. */
			if (i == 1 && j == OWN_PATH_LOGIN)
				continue;
			if (paths[j] && strcmp(path, paths[j]) == 0)
				return apr_psprintf(p, "%s %s is the path of %s: a %s would end there, in mod_auth0 again (a "
				                    "redirect loop), instead of on a page", landing_names[i], landing[i],
				                    own_path_names[j], i == 0 ? "login" : "logout");
		}
	}
	return NULL;
}

/* Hooks are registered in mod_auth0.c. */
void a0m_register_hooks(apr_pool_t *p);

/*
 * APLOG_USE_MODULE(auth0) is in mod_auth0.h, so the record is declared
 * plainly here. Everything else is hidden (-fvisibility=hidden); the record
 * is what httpd looks up after dlopen().
 */
__attribute__((visibility("default"))) module AP_MODULE_DECLARE_DATA auth0_module = {
	STANDARD20_MODULE_STUFF,
	create_dir_conf,
	merge_dir_conf,
	create_server_conf,
	NULL,
	directives,
	a0m_register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
	AP_MODULE_FLAG_ALWAYS_MERGE
#endif
};
