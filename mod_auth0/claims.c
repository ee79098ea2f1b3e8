/*
 * Identity for backends (REMOTE_USER, claims as headers and/or environment
 * variables, the access token) and the protection against spoofed identity.
 *
 * Spoofing: before any flow runs, every request header whose name starts with
 * the claim prefix is removed, comparing names the way CGI turns them into
 * variables (case folded, '_', '-' and other separators alike), so that
 * neither X-AUTH0-EMAIL, x_auth0_email, X-Auth0.Email, two copies, nor
 * X-Auth0-Foo_Bar next to X-Auth0-Foo-Bar (both HTTP_X_AUTH0_FOO_BAR to a
 * CGI) survive. Variables named like ours (set by SetEnvIf from client
 * input, for instance) go too. The identity a parent request passed on is
 * kept for its sub-requests and internal redirects, whose headers are the
 * parent's.
 *
 * Names and values are rendered by the rules of claim_path.h, once per
 * session or validated bearer token, and applied per request from that block.
 */
#include "mod_auth0.h"

#include <apr_lib.h>

#define ENV_CLAIM_PREFIX "AUTH0_CLAIM_"
#define ENV_ACCESS_TOKEN "AUTH0_ACCESS_TOKEN"
#define ACCESS_TOKEN_SUFFIX "Access-Token"
/* The default prefix is scrubbed too, whatever Auth0ClaimHeaderPrefix says: backends may trust it. */
#define ALWAYS_SCRUBBED "X-Auth0-"

/* A name character as CGI gateways see it: letters without case, and every other character the same
 * one ('-', '_', '.', '~': httpd 2.2, lighttpd and others turn them all into '_'). */
static char fold(char c)
{
	return apr_isalnum(c) ? (char)apr_tolower(c) : '-';
}

/* Case-insensitive prefix test where '_', '-' and any other separator are the same character. */
static bool folded_prefix(const char *name, const char *prefix)
{
	for (; *prefix; prefix++, name++)
		if (!*name || fold(*name) != fold(*prefix))
			return false;
	return true;
}

static bool folded_equal(const char *a, const char *b)
{
	return folded_prefix(a, b) && strlen(a) == strlen(b);
}

/* Whether r inherits its headers from a parent that was scrubbed with the same prefix. */
static bool parent_scrubbed(request_rec *r, const char *prefix)
{
	for (request_rec *o = r->main ? r->main : r->prev; o; o = o->main ? o->main : o->prev) {
		if (!a0m_request_get(o, false))
			continue;
		const a0m_dir_conf *oc = ap_get_module_config(o->per_dir_config, &auth0_module);
		return oc && folded_equal(a0m_conf_claim_header_prefix(oc), prefix);
	}
	return false;
}

static void unset_matching(request_rec *r, apr_table_t *t, bool (*match)(const char *name, const void *arg),
                           const void *arg, const char *what)
{
	const apr_array_header_t *arr = apr_table_elts(t);
	const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
	apr_array_header_t *doomed = NULL;
	for (int i = 0; i < arr->nelts; i++) {
		if (!e[i].key || !match(e[i].key, arg))
			continue;
		if (!doomed)
			doomed = apr_array_make(r->pool, 4, sizeof(const char *));
		*(const char **)apr_array_push(doomed) = e[i].key;
	}
	if (!doomed)
		return;
	const char *names = "";
	for (int i = 0; i < doomed->nelts; i++) {
		const char *key = ((const char **)doomed->elts)[i];
		names = apr_pstrcat(r->pool, names, i ? ", " : "", ap_escape_logitem(r->pool, key), NULL);
		apr_table_unset(t, key);
	}
	/* one line per request, whatever the client sent */
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: removed %d client-supplied identity %s%s: %.500s",
	              doomed->nelts, what, doomed->nelts > 1 ? "s" : "", names);
}

static bool header_match(const char *name, const void *arg)
{
	const char *const *prefixes = arg;
	return folded_prefix(name, prefixes[0]) || folded_prefix(name, prefixes[1]);
}

static bool env_match(const char *name, const void *arg)
{
	const char *http_prefix = arg;
	return folded_prefix(name, ENV_CLAIM_PREFIX) || folded_equal(name, ENV_ACCESS_TOKEN) ||
	       folded_prefix(name, http_prefix);
}

void a0m_claims_scrub(request_rec *r, const a0m_dir_conf *c)
{
	const char *prefix = a0m_conf_claim_header_prefix(c);
	if (parent_scrubbed(r, prefix))
		return;
	const char *prefixes[2] = { prefix, ALWAYS_SCRUBBED };
	unset_matching(r, r->headers_in, header_match, prefixes, "header");
	/* what a CGI would see for those headers, should anything have put it in the environment */
	unset_matching(r, r->subprocess_env, env_match, apr_pstrcat(r->pool, "HTTP_", prefix, NULL), "variable");
}

/* ---- passing the identity ---------------------------------------------------------------------- */

static char *env_name(apr_pool_t *p, const char *suffix, size_t len)
{
	size_t plen = sizeof(ENV_CLAIM_PREFIX) - 1;
	char *name = apr_palloc(p, plen + len + 1);
	memcpy(name, ENV_CLAIM_PREFIX, plen);
	for (size_t i = 0; i < len; i++)
		name[plen + i] = suffix[i] == '-' ? '_' : suffix[i];
	name[plen + len] = '\0';
	return name;
}

void a0m_claims_apply_block(request_rec *r, const a0m_dir_conf *c, const char *block, const char *access_token)
{
	int mode = a0m_conf_pass_claims_as(c);
	const char *prefix = a0m_conf_claim_header_prefix(c);
	size_t plen = strlen(prefix);
	for (const char *line = block; mode && line && *line;) {
		const char *tab = strchr(line, '\t');
		const char *nl = tab ? strchr(tab, '\n') : NULL;
		if (!nl) {
			ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: damaged identity block; claims not passed");
			break;
		}
		size_t nlen = (size_t)(tab - line);
		const char *value = apr_pstrmemdup(r->pool, tab + 1, (apr_size_t)(nl - tab - 1));
		if (mode & A0M_PASS_HEADERS) {
			char *name = apr_palloc(r->pool, plen + nlen + 1);
			memcpy(name, prefix, plen);
			memcpy(name + plen, line, nlen);
			name[plen + nlen] = '\0';
			apr_table_setn(r->headers_in, name, value);
		}
		if (mode & A0M_PASS_ENV)
			apr_table_setn(r->subprocess_env, env_name(r->pool, line, nlen), value);
		line = nl + 1;
	}
	if (access_token && *access_token && a0m_conf_flag(c->pass_access_token, false)) {
		int where = mode ? mode : A0M_PASS_HEADERS | A0M_PASS_ENV;
		if (where & A0M_PASS_HEADERS)
			apr_table_setn(r->headers_in, apr_pstrcat(r->pool, prefix, ACCESS_TOKEN_SUFFIX, NULL), access_token);
		if (where & A0M_PASS_ENV)
			apr_table_setn(r->subprocess_env, ENV_ACCESS_TOKEN, access_token);
	}
}

const char *a0m_claims_user(apr_pool_t *p, const a0m_dir_conf *c, const json_t *claims)
{
	const json_t *v = a0m_claim_lookup(claims, a0m_conf_user_claim(c));
	if (!json_is_string(v) && !json_is_integer(v))
		return NULL;
	const char *user = a0m_claim_scalar_text(p, v);
	return user && *user ? user : NULL;
}
