/*
 * Query strings of the endpoints this module answers (the callback, the
 * login initiation), and form bodies kept across a login: each parameter
 * decoded once, counted, and refused as a whole when any pair does not
 * decode, since a pair that cannot be read could be a second copy of one
 * that matters. Also a query without a parameter (the bearer token of
 * Auth0BearerTokenFrom query), and names read as backends read them.
 */
#include "mod_auth0.h"

#include <apr_lib.h>

bool a0m_form_pairs(apr_pool_t *p, const char *text, apr_array_header_t **pairs)
{
	*pairs = apr_array_make(p, 8, sizeof(a0m_pair));
	if (!text)
		return true;
	bool ok = true;
	char *copy = apr_pstrdup(p, text), *last = NULL;
	for (char *pair = apr_strtok(copy, "&", &last); pair; pair = apr_strtok(NULL, "&", &last)) {
		char *eq = strchr(pair, '=');
		char *value = eq ? eq + 1 : (char *)"";
		if (eq)
			*eq = '\0';
		/* ap_unescape_urlencoded refuses %00 (and "/" encoded is fine in a value) */
		if (ap_unescape_urlencoded(pair) != OK || ap_unescape_urlencoded(value) != OK) {
			ok = false;
			continue;
		}
		a0m_pair *kept = apr_array_push(*pairs);
		kept->name = pair;
		kept->value = value;
	}
	return ok;
}

bool a0m_query_params(request_rec *r, const char *const names[], int n, const char *values[], int counts[],
                      int *others)
{
	for (int i = 0; i < n; i++) {
		values[i] = NULL;
		counts[i] = 0;
	}
	*others = 0;
	apr_array_header_t *pairs;
	bool ok = a0m_form_pairs(r->pool, r->args, &pairs);
	for (int k = 0; k < pairs->nelts; k++) {
		const a0m_pair *pair = &APR_ARRAY_IDX(pairs, k, a0m_pair);
		int i = 0;
		while (i < n && strcmp(pair->name, names[i]) != 0)
			i++;
		if (i == n) {
			(*others)++;
			continue;
		}
		values[i] = pair->value;
		counts[i]++;
	}
	return ok;
}

char *a0m_name_as_backends_read(char *name)
{
	if (ap_unescape_urlencoded(name) != OK)
		return NULL;
	while (*name == ' ')
		name++;
	char *open = strchr(name, '[');
	if (open && strchr(open + 1, ']'))
		*open = '\0';
	for (char *c = name; *c; c++)
		*c = *c == '.' || *c == ' ' || *c == '[' ? '_' : (char)apr_tolower(*c);
	return name;
}

/* What the pair (its n bytes, up to the next '&') is to name: 1 when its name decodes to name, 2 when one
 * of its ';'-separated parts has a name that backends may read as name, else 0. */
static int pair_names(apr_pool_t *p, const char *pair, size_t n, const char *name)
{
	size_t name_len = strcspn(pair, "=&");
	char *decoded = apr_pstrmemdup(p, pair, name_len < n ? name_len : n);
	/* as a0m_form_pairs reads names: a name that does not decode is not name */
	if (ap_unescape_urlencoded(decoded) == OK && strcmp(decoded, name) == 0)
		return 1;
	char *copy = apr_pstrmemdup(p, pair, n), *last = NULL;
	for (char *part = apr_strtok(copy, ";", &last); part; part = apr_strtok(NULL, ";", &last)) {
		char *eq = strchr(part, '=');
		if (eq)
			*eq = '\0';
		const char *read = a0m_name_as_backends_read(part);
		if (read && strcmp(read, name) == 0)
			return 2;
	}
	return 0;
}

char *a0m_query_without(apr_pool_t *p, const char *args, const char *name, int *removed, int *alike)
{
	*removed = *alike = 0;
	if (!args)
		return NULL;
	char *out = apr_palloc(p, strlen(args) + 1), *o = out;
	bool kept = false;
	for (const char *pair = args;; pair++) {
		size_t n = strcspn(pair, "&");
		int k = pair_names(p, pair, n, name);
		if (k)
			(*(k == 1 ? removed : alike))++;
		else {
			if (kept)
				*o++ = '&';
			memcpy(o, pair, n);
			o += n;
			kept = true;
		}
		pair += n;
		if (!*pair)
			break;
	}
	*o = '\0';
	return kept ? out : NULL;
}
