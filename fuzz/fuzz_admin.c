/*
 * The admin API (admin_api.c, admin.c, with libauth0's routing and query
 * checks): a request to SetHandler auth0-management under <Location
 * /admin/api> by an authenticated user: the method, the raw request target
 * (path routing, encoded slashes, dot segments), the query string, the
 * headers of the same-origin / CSRF check, the JSON body, and the tenant's
 * answer to the Management call it makes (the fake tenant of common.c).
 *
 * Input: METHOD \0 TARGET \0 FLAGS \0 HEADERS \0 ALLOW \0 STATUS \0 ANSWER \0 BODY
 *   TARGET is the raw request target ("/admin/api/users/ID?fields=email");
 *   HEADERS are request header lines separated by '|'; ALLOW is
 *   Auth0ManagementAllow's globs (space separated); STATUS and ANSWER are
 *   the tenant's answer (JSON). FLAGS' first byte: bit 0 a bearer request
 *   (else a browser session with CSRF token "fuzz-csrf-token"); bit 1 the
 *   request is for SetHandler auth0-admin (admin_page.c) under <Location
 *   /admin> instead, ANSWER then being the session's ID-token claims (the
 *   page shows the user's email).
 *
 * Invariants: the tenant is called only for an operation allowed by
 * Auth0ManagementAllow, at a canonical path under the prefix (no encoded
 * slash, backslash or NUL, no "." or ".." segment), and, for a browser
 * session and a method that changes state, only with a same-origin signal
 * and the session's CSRF token; answers are JSON; no response header holds
 * a line break; the admin page shows the claims escaped.
 */
#include "harness.h"
#include "admin.h"

#include <stdlib.h>
#include <string.h>
#include <apr_fnmatch.h>

#define PREFIX "/admin/api"
#define CSRF "fuzz-csrf-token"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	fz_tenant_port();
	return 0;
}

static bool canonical(apr_pool_t *p, const char *target)
{
	size_t n = strcspn(target, "?#");
	char *path = apr_pstrmemdup(p, target, n);
	if (strncmp(path, PREFIX "/", strlen(PREFIX) + 1) != 0 || strchr(path, '\\'))
		return false;
	if (strcasestr(path, "%2f") || strcasestr(path, "%5c") || strstr(path, "%00"))
		return false;
	char *last = NULL;
	char *seg = apr_strtok(path + strlen(PREFIX) + 1, "/", &last);
	for (; seg; seg = apr_strtok(NULL, "/", &last)) {
		ap_unescape_url(seg);
		if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	char *method = fz_next(&f), *target = fz_next(&f);
	unsigned flags = fz_num(&f);
	char *headers = fz_next(&f), *allow = fz_next(&f), *status = fz_next(&f), *answer = fz_next(&f);
	fz_header_clean(headers); /* httpd never hands a module a header value with a line break */
	size_t body_len;
	const uint8_t *body = fz_rest(&f, &body_len);

	apr_pool_t *p = fzm_begin();
	a0m_dir_conf *c = fzm_conf(p);
	char *last = NULL;
	for (char *g = apr_strtok(apr_pstrdup(p, allow), " ", &last); g; g = apr_strtok(NULL, " ", &last)) {
		if (!c->management_allow)
			c->management_allow = apr_array_make(p, 4, sizeof(const char *));
		*(const char **)apr_array_push(c->management_allow) = g;
	}
	if (!*method || target[0] != '/')
		goto out;
	request_rec *r = fzm_request(p, method, target, c);
	bool bearer = flags & 1;
	r->user = "auth0|admin";
	r->handler = A0M_HANDLER_MANAGEMENT;
	a0m_request *rq = a0m_request_get(r, true);
	rq->source = bearer ? "bearer" : "session";
	rq->csrf_token = bearer ? NULL : CSRF;
	for (char *h = apr_strtok(headers, "|", &last); h; h = apr_strtok(NULL, "|", &last)) {
		char *colon = strchr(h, ':');
		if (colon) {
			*colon = '\0';
			apr_table_addn(r->headers_in, h, colon[1] == ' ' ? colon + 2 : colon + 1);
		}
	}
	fzm_body(body, body_len);
	if (flags & 2) {
		/* the admin page: its assets, and the page with the user's details filled in */
		r->handler = A0M_HANDLER_ADMIN;
		rq->claims_text = answer;
		a0m_admin_page(r, c, "/admin");
		fzm_check_escaped("<fz");
		fzm_check_headers(r);
		goto out;
	}
	fz_tenant_answer((int)strtol(status, NULL, 10), "application/json", NULL, answer, strlen(answer));

	unsigned long before = fz_tenant_requests();
	a0m_admin_api(r, c, PREFIX);
	bool called = fz_tenant_requests() != before;

	if (called) {
		if (!canonical(p, target))
			fzm_fail("the tenant was called for a path that is not canonical", target);
		char *values[AUTH0_MAX_PATH_PARAMS + 1];
		const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
		size_t n = strcspn(target, "?#");
		const char *mpath = apr_pstrmemdup(p, target + strlen(PREFIX) + 1, n - strlen(PREFIX) - 1);
		const auth0_operation *op = auth0_operation_match(m, mpath, values);
		auth0_path_values_free(values);
		bool allowed = false;
		const char **globs = c->management_allow ? (const char **)c->management_allow->elts : NULL;
		for (int i = 0; op && globs && i < c->management_allow->nelts; i++)
			allowed = allowed || apr_fnmatch(globs[i], op->id, 0) == APR_SUCCESS;
		if (!allowed)
			fzm_fail("the tenant was called for an operation that is not allowed", target);
		bool changes = strcmp(m, "GET") != 0;
		if (!bearer && changes) {
			const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
			const char *origin = apr_table_get(r->headers_in, "Origin");
			const char *token = apr_table_get(r->headers_in, A0M_CSRF_HEADER);
			bool same = (site && strcasecmp(site, "same-origin") == 0) || (!site && origin &&
			            strcasecmp(origin, "https://" FZM_HOST) == 0);
			if (!same || (origin && strcasecmp(origin, "https://" FZM_HOST) != 0) || !token ||
			    strcmp(token, CSRF) != 0)
				fzm_fail("a cross-site or token-less change reached the tenant", target);
		}
	}
	size_t out_len;
	const char *out = fzm_output(&out_len);
	if (out_len) {
		json_t *j = json_loadb(out, out_len, JSON_DECODE_ANY, NULL);
		if (!j)
			fzm_fail("an answer that is not JSON", out);
		json_decref(j);
	}
	fzm_check_headers(r);
out:
	fzm_end();
	free(method);
	free(target);
	free(headers);
	free(allow);
	free(status);
	free(answer);
	return 0;
}
