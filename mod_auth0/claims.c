/*
 * Identity for backends (REMOTE_USER, and as a header with Auth0UserHeader;
 * claims as headers and/or environment variables; the access token; the
 * session's ID token) and the protection against spoofed identity.
 *
 * Spoofing: before any flow runs, every request header whose name starts with
 * the claim prefix is removed, comparing names the way CGI turns them into
 * variables (case folded, '_', '-' and other separators alike), so that
 * neither X-AUTH0-EMAIL, x_auth0_email, X-Auth0.Email, two copies, nor
 * X-Auth0-Foo_Bar next to X-Auth0-Foo-Bar (both HTTP_X_AUTH0_FOO_BAR to a
 * CGI) survive; the Auth0UserHeader header goes the same way, in any
 * spelling, authenticated or not. Variables named like ours (set by
 * SetEnvIf from client input, for instance) go too. The identity a parent
 * request passed on is kept for its sub-requests and internal redirects,
 * whose headers are the parent's.
 *
 * Names and values are rendered by the rules of claim_path.h, once per
 * session or validated bearer token, and applied per request from that block.
 */
#include "mod_auth0.h"

#define ENV_CLAIM_PREFIX "AUTH0_CLAIM_"
#define ENV_ACCESS_TOKEN "AUTH0_ACCESS_TOKEN"
#define ACCESS_TOKEN_SUFFIX "Access-Token"
/* when the access token expires (epoch seconds), beside it, as mod_auth_openidc's OIDC_access_token_expires */
#define ENV_ACCESS_TOKEN_EXPIRES "AUTH0_ACCESS_TOKEN_EXPIRES"
#define ACCESS_TOKEN_EXPIRES_SUFFIX "Access-Token-Expires"
/* the session's ID token (Auth0PassIDToken), as mod_auth_openidc's OIDC_id_token; claim_path.c keeps the name */
#define ENV_ID_TOKEN "AUTH0_ID_TOKEN"
#define ID_TOKEN_SUFFIX "ID-Token"
/* The default prefix is scrubbed too, whatever Auth0ClaimHeaderPrefix says: backends may trust it. */
#define ALWAYS_SCRUBBED "X-Auth0-"

/* A name character as CGI gateways see it: letters without case, and every other character the same
 * one ('-', '_', '.', '~': httpd 2.2, lighttpd and others turn them all into '_'). ASCII only, whatever
 * the locale: every request compares each of its header names with this, and the C library's ctype
 * functions are a call each. */
static inline char fold(char c)
{
	unsigned u = (unsigned char)c;
	if (u - 'A' < 26u)
		return (char)(u + ('a' - 'A'));
	return u - 'a' < 26u || u - '0' < 10u ? (char)u : '-';
}

/* Case-insensitive prefix test where '_', '-' and any other separator are the same character. */
static inline bool folded_prefix(const char *name, const char *prefix)
{
	for (; *prefix; prefix++, name++)
		if (!*name || fold(*name) != fold(*prefix))
			return false;
	return true;
}

bool a0m_claims_folded_prefix(const char *name, const char *prefix)
{
	return folded_prefix(name, prefix);
}

static bool folded_equal(const char *a, const char *b)
{
	return folded_prefix(a, b) && strlen(a) == strlen(b);
}

/* The configuration of the parent r inherits its headers from, when that parent was scrubbed with the same
 * prefix; otherwise NULL. */
static const a0m_dir_conf *parent_scrubbed(request_rec *r, const char *prefix)
{
	for (request_rec *o = r->main ? r->main : r->prev; o; o = o->main ? o->main : o->prev) {
		if (!a0m_request_get(o, false))
			continue;
		const a0m_dir_conf *oc = ap_get_module_config(o->per_dir_config, &auth0_module);
		return oc && folded_equal(a0m_conf_claim_header_prefix(oc), prefix) ? oc : NULL;
	}
	return NULL;
}

/* The names of t's entries that match, or NULL when none does. */
static apr_array_header_t *matching(apr_pool_t *p, apr_table_t *t,
                                    bool (*match)(const char *name, const void *arg), const void *arg)
{
	const apr_array_header_t *arr = apr_table_elts(t);
	const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
	apr_array_header_t *found = NULL;
	for (int i = 0; i < arr->nelts; i++) {
		if (!e[i].key || !match(e[i].key, arg))
			continue;
		if (!found)
			found = apr_array_make(p, 4, sizeof(const char *));
		*(const char **)apr_array_push(found) = e[i].key;
	}
	return found;
}

static void unset_all(apr_table_t *t, const apr_array_header_t *names)
{
	for (int i = 0; names && i < names->nelts; i++)
		apr_table_unset(t, ((const char **)names->elts)[i]);
}

static void unset_matching(request_rec *r, apr_table_t *t, bool (*match)(const char *name, const void *arg),
                           const void *arg, const char *what)
{
	apr_array_header_t *doomed = matching(r->pool, t, match, arg);
	if (!doomed)
		return;
	const char *names = "";
	for (int i = 0; i < doomed->nelts; i++) {
		const char *key = ((const char **)doomed->elts)[i];
		names = apr_pstrcat(r->pool, names, i ? ", " : "", ap_escape_logitem(r->pool, key), NULL);
	}
	unset_all(t, doomed);
	/* one line per request, whatever the client sent */
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: removed %d client-supplied identity %s%s: %.500s",
	              doomed->nelts, what, doomed->nelts > 1 ? "s" : "", names);
}

static bool header_match(const char *name, const void *arg)
{
	const char *const *prefixes = arg; /* the second may be NULL */
	return folded_prefix(name, prefixes[0]) ||
	       (prefixes[1] && folded_prefix(name, prefixes[1]));
}

/* Our variables, and (arg not NULL) what a CGI would see for headers with the prefix arg: HTTP_ and it. */
static bool env_match(const char *name, const void *arg)
{
	const char *header_prefix = arg;
	return folded_prefix(name, ENV_CLAIM_PREFIX) || folded_equal(name, ENV_ACCESS_TOKEN) ||
	       folded_equal(name, ENV_ACCESS_TOKEN_EXPIRES) || folded_equal(name, ENV_ID_TOKEN) ||
	       (header_prefix && folded_prefix(name, "HTTP_") &&
	        folded_prefix(name + 5, header_prefix));
}

static bool user_header_match(const char *name, const void *arg)
{
	return folded_equal(name, arg);
}

/* What a CGI would see for the user header: HTTP_ and its name. */
static bool user_env_match(const char *name, const void *arg)
{
	return folded_prefix(name, "HTTP_") && folded_equal(name + 5, arg);
}

/* Auth0UserHeader's header, which a client may send as well as any other, in any spelling. */
static void scrub_user_header(request_rec *r, const char *name)
{
	unset_matching(r, r->headers_in, user_header_match, name, "user header");
	unset_matching(r, r->subprocess_env, user_env_match, name, "user header variable");
}

void a0m_claims_scrub(request_rec *r, const a0m_dir_conf *c)
{
	const char *prefix = a0m_conf_claim_header_prefix(c);
	const a0m_dir_conf *parent = parent_scrubbed(r, prefix);
	if (parent) {
		/* the parent's identity stays; a user header the parent neither removed nor set does not */
		if (c->user_header && !(parent->user_header && folded_equal(parent->user_header, c->user_header)))
			scrub_user_header(r, c->user_header);
		return;
	}
	const char *prefixes[2] = { prefix, folded_equal(prefix, ALWAYS_SCRUBBED) ? NULL : ALWAYS_SCRUBBED };
	unset_matching(r, r->headers_in, header_match, prefixes, "header");
	/* what a CGI would see for those headers, should anything have put it in the environment */
	unset_matching(r, r->subprocess_env, env_match, prefix, "variable");
	if (c->user_header)
		scrub_user_header(r, c->user_header);
	a0m_request_state *st = a0m_request_state_get(r);
	st->scrubbed_headers = apr_table_elts(r->headers_in)->nelts + 1;
	st->scrubbed_env = apr_table_elts(r->subprocess_env)->nelts + 1;
}

/* Whether t may hold an entry added since the scrub (scrubbed: its count then, plus one; 0 if none ran). */
static bool added_since_scrub(apr_table_t *t, int scrubbed)
{
	return scrubbed != apr_table_elts(t)->nelts + 1;
}

/* ---- passing the identity ---------------------------------------------------------------------- */

/*
 * Identity names are added with apr_table_addn, after removing whatever the tables hold under our names
 * (nothing, normally: the client's copies went in a0m_claims_scrub; this also covers anything another
 * module put there since, which the tables' counts tell: a module that removes as many entries as it
 * adds, between the scrub and authentication, is not allowed for). apr_table_setn would do both in one
 * call, but it compares each name with every entry whose first four letters are the same, and all of
 * ours share them: quadratic in the number of claims, the largest cost of a session request once the
 * session is open. The block's names are unique without case (a0m_claims_render), so adding cannot make
 * duplicates.
 *
 * Returns where claims go (Auth0PassClaimsAs) and, in *token_mode and *id_mode, where the access token and
 * the ID token go (0: they do not).
 */
static int begin_pass(request_rec *r, const a0m_dir_conf *c, const char *access_token, const char *id_token,
                      int *token_mode, int *id_mode)
{
	int mode = a0m_conf_pass_claims_as(c);
	bool token = access_token && *access_token && a0m_conf_flag(c->pass_access_token, false);
	/* Auth0PassClaimsAs none still passes the tokens (Auth0PassAccessToken, Auth0PassIDToken on) both ways */
	int tokens_mode = mode ? mode : A0M_PASS_HEADERS | A0M_PASS_ENV;
	*token_mode = token ? tokens_mode : 0;
	*id_mode = id_token && *id_token ? tokens_mode : 0;
	int any = mode | *token_mode | *id_mode;
	const a0m_request_state *st = a0m_request_state_get(r);
	if (any & A0M_PASS_HEADERS && added_since_scrub(r->headers_in, st->scrubbed_headers)) {
		const char *prefix = a0m_conf_claim_header_prefix(c);
		const char *prefixes[2] = { prefix, NULL };
		unset_all(r->headers_in, matching(r->pool, r->headers_in, header_match, prefixes));
	}
	if (any & A0M_PASS_ENV && added_since_scrub(r->subprocess_env, st->scrubbed_env))
		unset_all(r->subprocess_env, matching(r->pool, r->subprocess_env, env_match, NULL));
	return mode;
}

static void pass_token(request_rec *r, const a0m_dir_conf *c, const char *access_token, int64_t expires,
                       int token_mode)
{
	if (!token_mode)
		return;
	const char *prefix = a0m_conf_claim_header_prefix(c);
	const char *at = expires > 0 ? apr_off_t_toa(r->pool, (apr_off_t)expires) : NULL;
	if (token_mode & A0M_PASS_HEADERS) {
		apr_table_addn(r->headers_in, apr_pstrcat(r->pool, prefix, ACCESS_TOKEN_SUFFIX, NULL), access_token);
		if (at)
			apr_table_addn(r->headers_in, apr_pstrcat(r->pool, prefix, ACCESS_TOKEN_EXPIRES_SUFFIX, NULL), at);
	}
	if (token_mode & A0M_PASS_ENV) {
		apr_table_addn(r->subprocess_env, ENV_ACCESS_TOKEN, access_token);
		if (at)
			apr_table_addn(r->subprocess_env, ENV_ACCESS_TOKEN_EXPIRES, at);
	}
}

static void pass_id_token(request_rec *r, const a0m_dir_conf *c, const char *id_token, int id_mode)
{
	if (id_mode & A0M_PASS_HEADERS)
		apr_table_addn(r->headers_in, apr_pstrcat(r->pool, a0m_conf_claim_header_prefix(c), ID_TOKEN_SUFFIX, NULL),
		               id_token);
	if (id_mode & A0M_PASS_ENV)
		apr_table_addn(r->subprocess_env, ENV_ID_TOKEN, id_token);
}

/*
 * The ID token this request passes (Auth0PassIDToken): its session's, which session.c gives the request
 * (rq->session) before it applies the identity. A bearer token comes without one. The session holds it
 * when some Auth0PassIDToken of its host is on (a0m_conf_id_token_passed()) or for Auth0LogoutEndpoint oidc.
 */
static const char *id_token_of(request_rec *r, const a0m_dir_conf *c)
{
	if (!a0m_conf_flag(c->pass_id_token, false))
		return NULL;
	const a0m_request *rq = a0m_request_get(r, false);
	return rq && rq->session && rq->source && strcmp(rq->source, "session") == 0 ? rq->session->id_token : NULL;
}

/* Auth0UserHeader: REMOTE_USER as it is (httpd's own rules made it one line: usable_name()). Set, not added:
 * the client's copies went in the scrub, and whatever another module put there since is replaced. */
static void pass_user(request_rec *r, const a0m_dir_conf *c)
{
	if (c->user_header && r->user && *r->user)
		apr_table_setn(r->headers_in, c->user_header, r->user);
}

/* What goes beside the claims: the tokens, the user header. */
static void pass_rest(request_rec *r, const a0m_dir_conf *c, const char *access_token, int64_t access_expires,
                      int token_mode, const char *id_token, int id_mode)
{
	pass_token(r, c, access_token, access_expires, token_mode);
	if (id_mode)
		pass_id_token(r, c, id_token, id_mode);
	pass_user(r, c);
}

static void damaged(request_rec *r)
{
	ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: damaged identity block; claims not passed");
}

/* The ready form: a table per destination, appended whole to the request's (add_ready()). */
struct a0m_ready {
	const char *prefix;   /* the header prefix it was made for */
	apr_table_t *headers; /* <prefix><name> = value */
	apr_table_t *env;     /* AUTH0_CLAIM_<name> = value, '-' in names as '_' */
};

const a0m_ready *a0m_claims_ready(apr_pool_t *p, const char *prefix, const char *block)
{
	size_t plen = strlen(prefix), elen = sizeof(ENV_CLAIM_PREFIX) - 1;
	size_t blen = block ? strlen(block) : 0;
	int lines = 0;
	for (const char *nl = block; blen && (nl = memchr(nl, '\n', blen - (size_t)(nl - block))); nl++)
		lines++;
	a0m_ready *ready = apr_palloc(p, sizeof(*ready));
	ready->prefix = apr_pstrdup(p, prefix);
	ready->headers = apr_table_make(p, lines);
	ready->env = apr_table_make(p, lines);
	for (const char *line = block; blen && *line;) {
		const char *tab = strchr(line, '\t');
		const char *nl = tab ? strchr(tab, '\n') : NULL;
		if (!nl)
			return NULL;
		size_t nlen = (size_t)(tab - line);
		char *header = apr_palloc(p, plen + nlen + 1);
		memcpy(header, prefix, plen);
		memcpy(header + plen, line, nlen);
		header[plen + nlen] = '\0';
		char *env = apr_palloc(p, elen + nlen + 1);
		memcpy(env, ENV_CLAIM_PREFIX, elen);
		for (size_t i = 0; i < nlen; i++)
			env[elen + i] = line[i] == '-' ? '_' : line[i];
		env[elen + nlen] = '\0';
		const char *value = apr_pstrmemdup(p, tab + 1, (apr_size_t)(nl - tab - 1));
		/* names are unique without case (a0m_claims_render): adding cannot make duplicates */
		apr_table_addn(ready->headers, header, value);
		apr_table_addn(ready->env, env, value);
		line = nl + 1;
	}
	return ready;
}

/*
 * Adds the claims of a ready form where mode says: the request's table is replaced by one holding its
 * entries and then the form's (apr_table_overlay: two copies of entries and one pass over them to index
 * them, where adding each claim costs a call, a checksum and an index update), as httpd itself replaces
 * r->headers_in when it merges headers. The entries point into the form's pool: a request's own, or a
 * memo entry lent to the request until its pool goes (memo.h), so they live as long as the request's
 * tables. A form without claims leaves the tables as they are.
 *
 * An APR built with pool debugging checks that a source table's pool is an ancestor of the result's, which
 * a memo entry's is not, and aborts: there the entries are added one by one.
 */
static apr_table_t *appended(request_rec *r, apr_table_t *to, const apr_table_t *from)
{
#if APR_POOL_DEBUG
	(void)r;
	const apr_array_header_t *arr = apr_table_elts(from);
	const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
	for (int i = 0; i < arr->nelts; i++)
		apr_table_addn(to, e[i].key, e[i].val);
	return to;
#else
	/* the variables often are none yet: then a copy of ours, whose index needs no new pass */
	return apr_is_empty_table(to) ? apr_table_copy(r->pool, from) : apr_table_overlay(r->pool, to, from);
#endif
}

static void add_ready(request_rec *r, int mode, const a0m_ready *ready)
{
	if (apr_is_empty_table(ready->headers))
		return;
	if (mode & A0M_PASS_HEADERS)
		r->headers_in = appended(r, r->headers_in, ready->headers);
	if (mode & A0M_PASS_ENV)
		r->subprocess_env = appended(r, r->subprocess_env, ready->env);
}

void a0m_claims_apply_ready(request_rec *r, const a0m_dir_conf *c, const a0m_ready *ready, const char *block,
                            const char *access_token, int64_t access_expires)
{
	if (!ready || strcmp(ready->prefix, a0m_conf_claim_header_prefix(c)) != 0) {
		a0m_claims_apply_block(r, c, block, access_token, access_expires);
		return;
	}
	int token_mode, id_mode;
	const char *id_token = id_token_of(r, c);
	int mode = begin_pass(r, c, access_token, id_token, &token_mode, &id_mode);
	if (mode)
		add_ready(r, mode, ready);
	pass_rest(r, c, access_token, access_expires, token_mode, id_token, id_mode);
}

void a0m_claims_apply_block(request_rec *r, const a0m_dir_conf *c, const char *block, const char *access_token,
                            int64_t access_expires)
{
	int token_mode, id_mode;
	const char *id_token = id_token_of(r, c);
	int mode = begin_pass(r, c, access_token, id_token, &token_mode, &id_mode);
	if (mode && block) {
		const a0m_ready *ready = a0m_claims_ready(r->pool, a0m_conf_claim_header_prefix(c), block);
		if (ready)
			add_ready(r, mode, ready);
		else
			damaged(r);
	}
	pass_rest(r, c, access_token, access_expires, token_mode, id_token, id_mode);
}

/* REMOTE_USER goes as it is to logs, CGI environments and what backends build from it (mod_headers'
 * %{REMOTE_USER}s): a name that is empty or has control characters (CR, LF...) names nobody */
static bool usable_name(const char *user)
{
	if (!user || !*user)
		return false;
	for (const char *q = user; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return false;
	return true;
}

const char *a0m_claims_user_claimed(apr_pool_t *p, const a0m_dir_conf *c, const json_t *claims)
{
	const json_t *v = a0m_claim_lookup(claims, a0m_conf_user_claim(c));
	if (!json_is_string(v) && !json_is_integer(v))
		return NULL;
	const char *user = a0m_claim_scalar_text(p, v);
	return usable_name(user) ? user : NULL;
}

const char *a0m_claims_user_mapped(apr_pool_t *p, const a0m_dir_conf *c, const char *claimed)
{
	if (!c->user_regex || !claimed)
		return claimed;
	ap_regmatch_t match[AP_MAX_REG_MATCH];
	if (ap_regexec(c->user_regex, claimed, AP_MAX_REG_MATCH, match, 0) != 0)
		return NULL;
	if (!c->user_replacement)
		return claimed; /* an expression without a group only says which values name somebody */
	char *user = NULL;
	if (ap_pregsub_ex(p, &user, c->user_replacement, claimed, AP_MAX_REG_MATCH, match, APR_SIZE_MAX) !=
	    APR_SUCCESS)
		return NULL;
	return usable_name(user) ? user : NULL;
}

const char *a0m_claims_user(apr_pool_t *p, const a0m_dir_conf *c, const json_t *claims)
{
	return a0m_claims_user_mapped(p, c, a0m_claims_user_claimed(p, c, claims));
}

/* Takes a token this location does not pass out of what a request inherited: its header (with the expiry's,
 * for the access token), its variable, and the REDIRECT_ copy an internal redirect made of it. */
static void drop_inherited(request_rec *r, const char *prefix, const char *suffix, const char *env)
{
	apr_table_unset(r->headers_in, apr_pstrcat(r->pool, prefix, suffix, NULL));
	apr_table_unset(r->subprocess_env, env);
	apr_table_unset(r->subprocess_env, apr_pstrcat(r->pool, "REDIRECT_", env, NULL));
}

void a0m_claims_inherited(request_rec *r, const a0m_dir_conf *c)
{
	const char *prefix = a0m_conf_claim_header_prefix(c);
	const a0m_dir_conf *parent = parent_scrubbed(r, prefix);
	if (!parent)
		return; /* scrubbed in full (another prefix): nothing of the parent's is here */
	if (!a0m_conf_flag(c->pass_access_token, false)) {
		drop_inherited(r, prefix, ACCESS_TOKEN_SUFFIX, ENV_ACCESS_TOKEN);
		drop_inherited(r, prefix, ACCESS_TOKEN_EXPIRES_SUFFIX, ENV_ACCESS_TOKEN_EXPIRES);
	}
	if (c->pass_id_token != 1) {
		drop_inherited(r, prefix, ID_TOKEN_SUFFIX, ENV_ID_TOKEN);
	} else if (parent->pass_id_token != 1) {
		/* the parent passed none: this location's, from the same session */
		const char *id_token = id_token_of(r, c);
		int mode = a0m_conf_pass_claims_as(c);
		if (id_token && *id_token)
			pass_id_token(r, c, id_token, mode ? mode : A0M_PASS_HEADERS | A0M_PASS_ENV);
	}
	if (parent->user_header && !(c->user_header && folded_equal(parent->user_header, c->user_header)))
		scrub_user_header(r, parent->user_header);
	pass_user(r, c);
}
