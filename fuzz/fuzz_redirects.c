/*
 * Where the module sends browsers (redirects.c, origin.c, logout.c): the
 * post-login target (a0m_redirect_local), the logout returnTo
 * (a0m_redirect_return_to) against Auth0LogoutReturnTo /
 * Auth0LogoutReturnToAllow, the request's origin from X-Forwarded-* /
 * Forwarded (a0m_origin_get), and the logout endpoint itself
 * (a0m_logout_handle: its query string or form, the confirmation page, the
 * tenant's logout URL).
 *
 * Input: TARGET \0 RETURN-TO \0 ALLOW \0 FLAGS \0 FORWARDED \0 LOGOUT
 *   RETURN-TO and ALLOW are the values of Auth0LogoutReturnTo and
 *   Auth0LogoutReturnToAllow (when the directives accept them); FORWARDED is
 *   request header lines separated by '|'; LOGOUT is the logout request's
 *   query string (GET) or form body (POST). FLAGS' first byte: bit 0
 *   Auth0TrustForwardedHeaders on, bit 1 the peer is 127.0.0.1, bit 2 httpd
 *   sees plain http on port 80, bit 3 the logout is a POST, bit 4
 *   Auth0LogoutEndpoint oidc, bit 5 local, bit 6 (with bit 0)
 *   Auth0TrustForwardedHeaders Forwarded instead of X-Forwarded.
 *
 * Invariants (no open redirect): an accepted local target is a path that
 * stays on this host for a browser at every level of percent-decoding; an
 * accepted returnTo, and wherever the logout sends the browser, is on this
 * site's host or on the host of a configured URL; pages show the input
 * escaped; no response header holds a line break.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <apr_lib.h>
#include <apr_uri.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	return 0;
}

static int hexval(char c)
{
	return apr_isdigit(c) ? c - '0' : apr_isxdigit(c) ? apr_tolower(c) - 'a' + 10 : -1;
}

/* One level of percent-decoding; NULL when nothing changed. */
static char *decode(apr_pool_t *p, const char *s)
{
	char *out = apr_pstrdup(p, s), *o = out;
	bool changed = false;
	for (const char *c = s; *c; c++) {
		if (c[0] == '%' && hexval(c[1]) >= 0 && hexval(c[2]) >= 0) {
			*o++ = (char)(hexval(c[1]) * 16 + hexval(c[2]));
			c += 2;
			changed = true;
		} else {
			*o++ = *c;
		}
	}
	*o = '\0';
	return changed ? out : NULL;
}

/* What a browser does with a same-origin path: tabs and newlines dropped, '\' read as '/'. */
static void check_local(apr_pool_t *p, const char *target)
{
	if (target[0] != '/')
		fzm_fail("a local target that is not a path", target);
	for (const char *t = target; t; t = decode(p, t)) {
		char *b = apr_pstrdup(p, t), *o = b;
		for (const char *c = t; *c; c++)
			if (*c != '\t' && *c != '\n' && *c != '\r')
				*o++ = *c == '\\' ? '/' : *c;
		*o = '\0';
		if (b[0] != '/' || b[1] == '/')
			fzm_fail("a local target that a browser reads as another host", target);
		for (const unsigned char *c = (const unsigned char *)t; *c; c++)
			if (*c < 0x20 || *c == 0x7f)
				fzm_fail("a local target with a control character", target);
	}
	apr_uri_t u;
	const char *url = apr_pstrcat(p, "https://" FZM_HOST, target, NULL);
	if (apr_uri_parse(p, url, &u) != APR_SUCCESS || !u.hostname || strcasecmp(u.hostname, FZM_HOST) != 0)
		fzm_fail("a local target that leaves the host", target);
}

/* The lower-case host of an absolute http(s) URL, or NULL. */
static const char *host_of(apr_pool_t *p, const char *url)
{
	apr_uri_t u;
	if (!url || apr_uri_parse(p, url, &u) != APR_SUCCESS || !u.scheme || !u.hostname)
		return NULL;
	char *h = apr_pstrdup(p, u.hostname);
	for (char *c = h; *c; c++)
		*c = (char)apr_tolower(*c);
	return h;
}

typedef struct hosts {
	const char *list[8];
	int n;
} hosts;

static void check_destination(apr_pool_t *p, const hosts *allowed, const char *url, const char *what)
{
	if (url[0] == '/') {
		check_local(p, url);
		return;
	}
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f || *c == '\\')
			fzm_fail("a destination with a space, control character or backslash", url);
	const char *h = host_of(p, url);
	const char *auth = strstr(url, "://");
	if (!h || !auth || memchr(auth + 3, '@', strcspn(auth + 3, "/?#")))
		fzm_fail("a destination that is not a plain absolute URL", url);
	for (int i = 0; i < allowed->n; i++)
		if (strcmp(h, allowed->list[i]) == 0)
			return;
	fzm_fail(what, url);
}

/* The value of parameter `name` in url's query, decoded, or NULL. */
static const char *param(apr_pool_t *p, const char *url, const char *name)
{
	const char *q = strchr(url, '?');
	char *last = NULL;
	for (char *pair = q ? apr_strtok(apr_pstrdup(p, q + 1), "&", &last) : NULL; pair;
	     pair = apr_strtok(NULL, "&", &last)) {
		char *eq = strchr(pair, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(pair, name) == 0) {
			ap_unescape_urlencoded(eq + 1);
			return eq + 1;
		}
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	char *target = fz_next(&f), *return_to = fz_next(&f), *allow = fz_next(&f);
	unsigned flags = fz_num(&f);
	char *forwarded = fz_next(&f), *logout = fz_rest_str(&f);
	fz_header_clean(forwarded); /* httpd never hands a module a header value with a line break */

	apr_pool_t *p = fzm_begin();
	a0m_dir_conf *c = fzm_conf(p);
	hosts allowed = { { FZM_HOST }, 1 };
	const char *quoted = apr_pstrcat(p, "\"", return_to, "\"", NULL);
	if (*return_to && !fzm_directive(p, c, "Auth0LogoutReturnTo", quoted))
		if ((allowed.list[allowed.n] = host_of(p, c->logout_return_to)))
			allowed.n++;
	if (*allow && !fzm_directive(p, c, "Auth0LogoutReturnToAllow", allow))
		for (int i = 0; c->logout_allow && i < c->logout_allow->nelts && allowed.n < 8; i++)
			if ((allowed.list[allowed.n] = host_of(p, ((const char **)c->logout_allow->elts)[i])))
				allowed.n++;
	c->trust_forwarded = !(flags & 1) ? A0M_UNSET_INT : flags & 64 ? A0M_FORWARDED_RFC7239 : A0M_FORWARDED_X;
	c->logout_endpoint = flags & 32 ? A0M_LOGOUT_LOCAL : flags & 16 ? A0M_LOGOUT_OIDC : A0M_UNSET_INT;

	const char *local = a0m_redirect_local(p, target);
	if (local)
		check_local(p, local);

	bool post = flags & 8;
	if (!post)
		fz_header_clean(logout); /* a request target holds no line break */
	const char *where = post ? "/logout" : apr_pstrcat(p, "/logout?", logout, NULL);
	request_rec *r = fzm_request(p, post ? "POST" : "GET", where, c);
	fzm_request_from(r, flags & 2 ? "127.0.0.1" : "203.0.113.7", flags & 4 ? "http" : "https",
	                 flags & 4 ? 80 : 443);
	char *hlast = NULL;
	for (char *h = apr_strtok(forwarded, "|", &hlast); h; h = apr_strtok(NULL, "|", &hlast)) {
		char *colon = strchr(h, ':');
		if (colon) {
			*colon = '\0';
			apr_table_addn(r->headers_in, h, colon[1] == ' ' ? colon + 2 : colon + 1);
		}
	}
	const a0m_origin *o = a0m_origin_get(r, c);
	if (o->host && !strchr(o->host, '/'))
		allowed.list[0] = o->host[0] == '[' ? apr_pstrndup(p, o->host + 1, strlen(o->host) - 2) : o->host;
	const char *why = NULL;
	const char *abs = a0m_redirect_return_to(r, c, o, target, &why);
	if (abs)
		check_destination(p, &allowed, abs, "a returnTo to a host that is not allowed");
	else if (!why)
		fzm_fail("a returnTo refused without a reason", target);

	if (post) {
		apr_table_setn(r->headers_in, "Content-Type", "application/x-www-form-urlencoded");
		fzm_body(logout, strlen(logout));
	}
	int rc = a0m_logout_handle(r, c);
	const char *loc = apr_table_get(r->headers_out, "Location");
	if (rc == HTTP_MOVED_TEMPORARILY && loc) {
		const char *base = auth0_client_base_url(fzm_app_client());
		if (strncmp(loc, base, strlen(base)) == 0) {
			/* the tenant's logout: where it sends the browser back to */
			const char *back = param(p, loc, "returnTo");
			if (!back)
				back = param(p, loc, "post_logout_redirect_uri");
			if (back)
				check_destination(p, &allowed, back, "a logout that returns to a host that is not allowed");
		} else {
			check_destination(p, &allowed, loc, "a logout that sends to a host that is not allowed");
		}
	}
	fzm_check_escaped("<fz");
	fzm_check_headers(r);

	fzm_end();
	free(target);
	free(return_to);
	free(allow);
	free(forwarded);
	free(logout);
	return 0;
}
