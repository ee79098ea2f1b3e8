/*
 * Query strings of the endpoints this module answers (the callback, the
 * login initiation): each parameter decoded once, counted, and refused as a
 * whole when any pair does not decode, since a pair that cannot be read
 * could be a second copy of one that matters.
 */
#include "mod_auth0.h"

bool a0m_query_params(request_rec *r, const char *const names[], int n, const char *values[], int counts[],
                      int *others)
{
	for (int i = 0; i < n; i++) {
		values[i] = NULL;
		counts[i] = 0;
	}
	*others = 0;
	if (!r->args)
		return true;
	bool ok = true;
	char *args = apr_pstrdup(r->pool, r->args), *last = NULL;
	for (char *pair = apr_strtok(args, "&", &last); pair; pair = apr_strtok(NULL, "&", &last)) {
		char *eq = strchr(pair, '=');
		char *value = eq ? eq + 1 : (char *)"";
		if (eq)
			*eq = '\0';
		/* ap_unescape_urlencoded refuses %00 (and "/" encoded is fine in a value) */
		if (ap_unescape_urlencoded(pair) != OK || ap_unescape_urlencoded(value) != OK) {
			ok = false;
			continue;
		}
		int i = 0;
		while (i < n && strcmp(pair, names[i]) != 0)
			i++;
		if (i == n) {
			(*others)++;
			continue;
		}
		values[i] = value;
		counts[i]++;
	}
	return ok;
}
