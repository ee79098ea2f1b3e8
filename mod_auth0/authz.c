/*
 * Authorization providers for mod_authz_core:
 *
 *   Require auth0-claim NAME VALUE...   the claim NAME equals one of the VALUEs (any)
 *   Require auth0-claim-match NAME REGEX...   the claim NAME matches one of the regular expressions (any;
 *                                       PCRE as httpd's, unanchored: write ^...$ for a whole value)
 *   Require auth0-scope SCOPE...        every SCOPE is in the space-separated scope claim (all)
 *   Require auth0-permission PERM...    every PERM is in the RBAC permissions array (all)
 *   Require auth0-role ROLE...          the Auth0RolesClaim claim holds one of the ROLEs (any)
 *   Require auth0-org ORG...            the user's organization is one of the ORGs (any)
 *
 * "Any" lines behave like Require user/group; "all" lines like the scopes an
 * API checks. Combine lines with <RequireAll>, <RequireAny> and <RequireNone>.
 *
 * Matching (claim_path.h): NAME is looked up whole first, then as a dotted
 * path ("app_metadata.plan"), so namespaced names ("https://example.com/roles")
 * work as written. A string matches when it is equal, a number or boolean
 * when its JSON text is (42, true), an array when one of its elements does; the same for patterns.
 * Organizations: "org_..." is compared with org_id exactly, anything else with
 * org_name in lower case (Auth0 names are lower case), as libauth0 does.
 *
 * Which claims: for bearer requests those of the access token. For browser
 * sessions, claim/role/org look in the ID token's claims and then in the
 * access token's (when an audience was requested), scope/permission in the
 * access token's and then the ID token's: Auth0 puts RBAC permissions and
 * granted scopes in access tokens.
 *
 * Arguments are parsed once, at configuration time; a malformed line stops
 * httpd at start-up.
 */
#include "mod_auth0.h"

#include <ap_provider.h>
#include <mod_auth.h>


typedef enum { REQ_CLAIM, REQ_SCOPE, REQ_PERMISSION, REQ_ROLE, REQ_ORG, REQ_CLAIM_MATCH } req_kind;

static const char *const kind_names[] = { "auth0-claim", "auth0-scope", "auth0-permission", "auth0-role",
	                                      "auth0-org",   "auth0-claim-match" };

typedef struct req_line {
	req_kind kind;
	const char *claim;        /* auth0-claim(-match): the claim name */
	int count;
	const char **values;      /* auth0-org: lower-cased when they are names */
	ap_regex_t **patterns;    /* auth0-claim-match: values compiled */
} req_line;

/* ---- parsing ------------------------------------------------------------------------------------ */

static const char *parse_line(cmd_parms *cmd, const char *line, const void **parsed, req_kind kind)
{
	req_line *rl = apr_pcalloc(cmd->pool, sizeof(*rl));
	rl->kind = kind;
	apr_array_header_t *words = apr_array_make(cmd->temp_pool, 4, sizeof(const char *));
	while (line && *line) {
		const char *w = ap_getword_conf(cmd->pool, &line);
		if (*w)
			*(const char **)apr_array_push(words) = w;
	}
	const char **w = (const char **)words->elts;
	int n = words->nelts;
	if (kind == REQ_CLAIM || kind == REQ_CLAIM_MATCH) {
		if (n < 2)
			return kind == REQ_CLAIM
			           ? "Require auth0-claim needs a claim name and at least one value (e.g. Require auth0-claim "
			             "app_metadata.plan gold)"
			           : "Require auth0-claim-match needs a claim name and at least one regular expression (e.g. "
			             "Require auth0-claim-match email @example\\.com$)";
		rl->claim = w[0];
		w++;
		n--;
	} else if (n < 1) {
		return apr_psprintf(cmd->pool, "Require %s needs at least one %s", kind_names[kind],
		                    kind == REQ_SCOPE ? "scope" : kind == REQ_PERMISSION ? "permission"
		                    : kind == REQ_ROLE ? "role" : "organization (org_... id or name)");
	}
	for (int i = 0; i < n; i++) {
		if (kind == REQ_SCOPE && strpbrk(w[i], " \t"))
			return apr_psprintf(cmd->pool, "Require auth0-scope: '%s' is not one scope", w[i]);
		if (kind == REQ_ORG && strncmp(w[i], "org_", 4) != 0) {
			char *lower = apr_pstrdup(cmd->pool, w[i]);
			for (char *p = lower; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			w[i] = lower;
		}
	}
	rl->count = n;
	rl->values = apr_pmemdup(cmd->pool, w, sizeof(*w) * (size_t)n);
	if (kind == REQ_CLAIM_MATCH) {
		rl->patterns = apr_pcalloc(cmd->pool, sizeof(*rl->patterns) * (size_t)n);
		for (int i = 0; i < n; i++)
			if (!(rl->patterns[i] = ap_pregcomp(cmd->pool, w[i], AP_REG_EXTENDED | AP_REG_NOSUB)))
				return apr_psprintf(cmd->pool, "Require auth0-claim-match: '%s' is not a regular expression", w[i]);
	}
	*parsed = rl;
	return NULL;
}

#define PARSER(fn, kind)                                                                           \
	static const char *fn(cmd_parms *cmd, const char *line, const void **parsed)                   \
	{                                                                                              \
		return parse_line(cmd, line, parsed, kind);                                                \
	}
PARSER(parse_claim, REQ_CLAIM)
PARSER(parse_scope, REQ_SCOPE)
PARSER(parse_permission, REQ_PERMISSION)
PARSER(parse_role, REQ_ROLE)
PARSER(parse_org, REQ_ORG)
PARSER(parse_claim_match, REQ_CLAIM_MATCH)

/* ---- checks ------------------------------------------------------------------------------------- */

/* The value of `name` in the first claim set that has it. */
static const json_t *find(json_t *const sets[2], const char *name)
{
	for (int i = 0; i < 2; i++) {
		const json_t *v = a0m_claim_lookup(sets[i], name);
		if (v)
			return v;
	}
	return NULL;
}

static bool any_matches(const json_t *v, const req_line *rl)
{
	for (int i = 0; i < rl->count; i++)
		if (a0m_claim_matches(v, rl->values[i]))
			return true;
	return false;
}

/* Whether a string, number or boolean (its JSON text), or an element of an array, matches a pattern. */
static bool any_pattern_matches(apr_pool_t *p, const json_t *v, const req_line *rl)
{
	if (json_is_array(v)) {
		size_t i;
		const json_t *e;
		json_array_foreach(v, i, e)
			if (!json_is_array(e) && any_pattern_matches(p, e, rl))
				return true;
		return false;
	}
	const char *text = v && !json_is_object(v) && !json_is_null(v) ? a0m_claim_scalar_text(p, v) : NULL;
	for (int i = 0; text && i < rl->count; i++)
		if (ap_regexec(rl->patterns[i], text, 0, NULL, 0) == 0)
			return true;
	return false;
}

/* Whether `want` is one of the space-separated words of s. */
static bool has_word(const char *s, const char *want)
{
	size_t n = strlen(want);
	while (*s) {
		while (*s == ' ')
			s++;
		size_t k = strcspn(s, " ");
		if (k == n && k && strncmp(s, want, n) == 0)
			return true;
		s += k;
	}
	return false;
}

/* The first value of rl that v (a scope string, or an array) lacks; NULL when it has them all. */
static const char *first_missing(const json_t *v, const req_line *rl)
{
	for (int i = 0; i < rl->count; i++) {
		bool has = json_is_string(v) && rl->kind == REQ_SCOPE ? has_word(json_string_value(v), rl->values[i])
		         : json_is_array(v) && a0m_claim_matches(v, rl->values[i]);
		if (!has)
			return rl->values[i];
	}
	return NULL;
}

static bool org_matches(json_t *const sets[2], const req_line *rl)
{
	const json_t *id = find(sets, "org_id");
	const json_t *name = find(sets, "org_name");
	for (int i = 0; i < rl->count; i++) {
		const char *want = rl->values[i];
		const json_t *v = strncmp(want, "org_", 4) == 0 ? id : name;
		if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
			return true;
	}
	return false;
}

static authz_status check(request_rec *r, const req_line *rl)
{
	if (!r->user)
		return AUTHZ_DENIED_NO_USER;
	a0m_request *rq = a0m_request_get(r, false);
	if (rq && rq->preflight)
		return AUTHZ_GRANTED; /* it asks whether a request may be sent, with no identity (mod_auth0.c) */
	if (!rq) {
		ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: Require %s: user %s was not authenticated by "
		              "mod_auth0 (AuthType Auth0 or Auth0Bearer)", kind_names[rl->kind],
		              ap_escape_logitem(r->pool, r->user));
		return AUTHZ_DENIED;
	}
	bool bearer = rq->source && strcmp(rq->source, "bearer") == 0;
	json_t *id = bearer ? NULL : a0m_request_claims(r);
	json_t *access = a0m_request_access_claims(r);
	if ((!bearer && rq->claims_text && !id) || (rq->access_claims_text && !access)) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: Require %s: the claims of this request are not "
		              "valid JSON", kind_names[rl->kind]);
		return AUTHZ_GENERAL_ERROR;
	}
	/* where each kind of claim is looked for first (see the top of this file) */
	bool access_first = rl->kind == REQ_SCOPE || rl->kind == REQ_PERMISSION;
	json_t *sets[2] = { access_first ? access : id, access_first ? id : access };

	bool granted = false;
	const char *missing = NULL;
	switch (rl->kind) {
	case REQ_CLAIM:
		granted = any_matches(find(sets, rl->claim), rl);
		break;
	case REQ_CLAIM_MATCH:
		granted = any_pattern_matches(r->pool, find(sets, rl->claim), rl);
		break;
	case REQ_SCOPE:
	case REQ_PERMISSION: {
		const json_t *v = find(sets, rl->kind == REQ_SCOPE ? "scope" : "permissions");
		missing = first_missing(v, rl);
		granted = !missing;
		break;
	}
	case REQ_ROLE: {
		const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
		if (!c || !c->roles_claim) {
			ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: Require auth0-role needs Auth0RolesClaim "
			              "(the claim that holds the roles, e.g. Auth0RolesClaim https://example.com/roles)");
			return AUTHZ_GENERAL_ERROR;
		}
		granted = any_matches(find(sets, c->roles_claim), rl);
		break;
	}
	case REQ_ORG:
		granted = org_matches(sets, rl);
		break;
	}
	if (granted)
		return AUTHZ_GRANTED;
	ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: Require %s%s%s: not met for user %s%s%s",
	              kind_names[rl->kind], rl->claim ? " " : "", rl->claim ? rl->claim : "",
	              ap_escape_logitem(r->pool, r->user),
	              missing ? ", which lacks " : "", missing ? missing : "");
	if (bearer && rl->kind == REQ_SCOPE) {
		/* for the scope="..." of bearer.c's insufficient_scope answer */
		const char *scopes = rl->values[0];
		for (int i = 1; i < rl->count; i++)
			scopes = apr_pstrcat(r->pool, scopes, " ", rl->values[i], NULL);
		apr_table_setn(r->notes, A0M_NOTE_SCOPE_DENIED, scopes);
	}
	return AUTHZ_DENIED;
}

static authz_status check_authz(request_rec *r, const char *line, const void *parsed)
{
	(void)line;
	return check(r, parsed);
}

static const authz_provider providers[] = {
	{ check_authz, parse_claim },
	{ check_authz, parse_scope },
	{ check_authz, parse_permission },
	{ check_authz, parse_role },
	{ check_authz, parse_org },
	{ check_authz, parse_claim_match },
};

void a0m_authz_register(apr_pool_t *p)
{
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, kind_names[i], AUTHZ_PROVIDER_VERSION, &providers[i],
		                          AP_AUTH_INTERNAL_PER_CONF);
	a0m_bearer_register(p);
	a0m_denied_register(p);
}
