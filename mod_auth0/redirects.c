/*
 * Where the module may send a browser: the original URL after a login, and
 * the returnTo of a logout. Nothing here may become an open redirect.
 *
 * A local target is a path with an optional query: "/" then anything but
 *   - a second "/" or "\" (//evil.example and /\evil.example are other hosts
 *     to browsers), a backslash anywhere, or the same after percent-decoding
 *     (/%2F%2Fevil, /%5Cevil, doubly encoded too);
 *   - control characters or DEL, raw or encoded (%09, %0A, %0D, %00: browsers
 *     drop tabs and newlines, which turns "/\t/evil" into "//evil"); raw spaces;
 *   - bytes >= 0x80 raw, and encoded look-alikes of "/", "\", "." and "@"
 *     (U+2215 DIVISION SLASH, U+FF0F FULLWIDTH SOLIDUS, U+3002 IDEOGRAPHIC
 *     FULL STOP, ...), which some URL parsers map to the ASCII character;
 *   - a fragment (never sent by browsers; a sign of tampering).
 * An absolute returnTo must be http(s), without userinfo ("@"), with a plain
 * ASCII host, and either equal one of Auth0LogoutReturnToAllow's absolute
 * URLs (scheme and host compared without case) or be same-origin with a path
 * under one of its path prefixes (/bye allows /bye, /bye/ and /bye?x, not
 * /byebye, nor /bye/../x or /bye/%2e%2e/x). Auth0LogoutReturnTo and "/" are
 * always allowed. What is returned is rebuilt, never the target as written:
 * this origin + the path, or the allowed URL as configured.
 */
#include "mod_auth0.h"

#include <apr_lib.h>
#include <apr_uri.h>

#define MAX_TARGET 4096

static int hexval(char c)
{
	return apr_isdigit(c) ? c - '0' : apr_isxdigit(c) ? (apr_tolower(c) - 'a' + 10) : -1;
}

/* One round of percent-decoding; *changed tells whether anything was decoded. */
static char *decode_once(apr_pool_t *p, const char *s, bool *changed)
{
	size_t n = strlen(s);
	char *out = apr_palloc(p, n + 1), *o = out;
	*changed = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
			*changed = true;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* UTF-8 sequences of characters that URL parsers may treat like / \ . @ : or whitespace. */
static const char *const lookalikes[] = {
	"\xe2\x88\x95", /* U+2215 DIVISION SLASH */
	"\xe2\x81\x84", /* U+2044 FRACTION SLASH */
	"\xef\xbc\x8f", /* U+FF0F FULLWIDTH SOLIDUS */
	"\xe2\xa7\xb8", /* U+29F8 BIG SOLIDUS */
	"\xef\xb9\xa8", /* U+FE68 SMALL REVERSE SOLIDUS */
	"\xef\xbc\xbc", /* U+FF3C FULLWIDTH REVERSE SOLIDUS */
	"\xe2\x88\x96", /* U+2216 SET MINUS */
	"\xe2\xa7\xb5", /* U+29F5 REVERSE SOLIDUS OPERATOR */
	"\xe2\xa7\xb9", /* U+29F9 BIG REVERSE SOLIDUS */
	"\xe3\x80\x82", /* U+3002 IDEOGRAPHIC FULL STOP */
	"\xef\xbc\x8e", /* U+FF0E FULLWIDTH FULL STOP */
	"\xef\xbd\xa1", /* U+FF61 HALFWIDTH IDEOGRAPHIC FULL STOP */
	"\xe2\x80\xa4", /* U+2024 ONE DOT LEADER */
	"\xef\xb9\x92", /* U+FE52 SMALL FULL STOP */
	"\xef\xbc\xa0", /* U+FF20 FULLWIDTH COMMERCIAL AT */
	"\xef\xb9\xab", /* U+FE6B SMALL COMMERCIAL AT */
	"\xef\xbc\x9a", /* U+FF1A FULLWIDTH COLON */
	"\xe2\x80\xa8", /* U+2028 LINE SEPARATOR */
	"\xe2\x80\xa9", /* U+2029 PARAGRAPH SEPARATOR */
	"\xc2\x85",     /* U+0085 NEXT LINE */
	NULL
};

/* Whether a decoded form of a path is harmless. */
static bool decoded_ok(const char *s)
{
	if (s[0] != '/' || s[1] == '/' || s[1] == '\\' || s[1] == ' ')
		return false;
	/* an encoded space is fine (a search query), encoded tabs and newlines are not */
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '\\')
			return false;
	for (const char *const *l = lookalikes; *l; l++)
		if (strstr(s, *l))
			return false;
	return true;
}

const char *a0m_redirect_local(apr_pool_t *p, const char *target)
{
	if (!target || !*target || strlen(target) > MAX_TARGET || strchr(target, '#'))
		return NULL;
	for (const unsigned char *c = (const unsigned char *)target; *c; c++)
		if (*c < 0x21 || *c >= 0x7f || *c == '\\')
			return NULL;
	/* The path must be harmless as written and after every level of decoding (double encoding). */
	const char *cur = target;
	for (int round = 0; round < 4; round++) {
		if (!decoded_ok(cur))
			return NULL;
		bool changed;
		cur = decode_once(p, cur, &changed);
		if (!changed)
			return target;
	}
	return NULL; /* encoded four times over: nobody needs that */
}

/* A plain ASCII host name or IP literal. */
static bool plain_host(const char *h)
{
	if (!h || !*h)
		return false;
	for (const char *c = h; *c; c++)
		if (!apr_isalnum(*c) && *c != '-' && *c != '.' && *c != ':' && *c != '[' && *c != ']')
			return false;
	return true;
}

/* scheme://host[:port] of an absolute URL, lower-cased, default port left out; NULL if unusable. */
static const char *origin_of(apr_pool_t *p, const char *url, const char **path_query)
{
	apr_uri_t u;
	if (apr_uri_parse(p, url, &u) != APR_SUCCESS || !u.scheme || !u.hostname || u.user || u.password ||
	    u.fragment)
		return NULL;
	if (strcasecmp(u.scheme, "https") != 0 && strcasecmp(u.scheme, "http") != 0)
		return NULL;
	/* apr_uri_parse takes anything before the last '@' of the authority as userinfo; be explicit */
	const char *auth = strstr(url, "://") + 3;
	size_t alen = strcspn(auth, "/?#");
	if (memchr(auth, '@', alen) || memchr(auth, '\\', alen) || memchr(auth, '%', alen))
		return NULL;
	if (!plain_host(u.hostname))
		return NULL;
	char *scheme = apr_pstrdup(p, u.scheme), *host = apr_pstrdup(p, u.hostname);
	ap_str_tolower(scheme);
	ap_str_tolower(host);
	bool v6 = strchr(host, ':') != NULL;
	apr_port_t port = u.port_str ? u.port : apr_uri_port_of_scheme(scheme);
	bool dflt = port == apr_uri_port_of_scheme(scheme);
	if (path_query)
		*path_query = auth + alen;
	const char *h = v6 ? apr_pstrcat(p, "[", host, "]", NULL) : host;
	return dflt ? apr_pstrcat(p, scheme, "://", h, NULL)
	            : apr_psprintf(p, "%s://%s:%u", scheme, h, (unsigned)port);
}

/* Whether the path part (before any query) has a "." or ".." segment, also percent-encoded: browsers
 * resolve them (%2e%2e too), so /bye/../admin would leave the /bye it was allowed under. */
static bool has_dot_segment(const char *path)
{
	size_t end = strcspn(path, "?");
	size_t i = 0;
	while (i < end) {
		size_t j = i + (path[i] == '/');
		int dots = 0;
		while (j < end && path[j] != '/') {
			if (path[j] == '.') {
				j++;
			} else if (j + 2 < end && path[j] == '%' && path[j + 1] == '2' && apr_tolower(path[j + 2]) == 'e') {
				j += 3;
			} else {
				dots = -1;
				break;
			}
			dots++;
		}
		if (dots == 1 || dots == 2)
			return true;
		for (i = j; i < end && path[i] != '/'; i++)
			;
	}
	return false;
}

/*
 * Whether the path part (before any query) has what some server behind the prefix may read as another
 * path: ";" (path parameters: Tomcat and Spring take /bye/..;/admin for /admin), or an encoded slash,
 * backslash or percent sign (/bye/..%2Fadmin, /bye/%252e%252e/admin, decoded once more by a backend).
 */
static bool has_path_trick(const char *path)
{
	size_t end = strcspn(path, "?");
	for (size_t i = 0; i < end; i++) {
		if (path[i] == ';')
			return true;
		if (path[i] == '%' && i + 2 < end) {
			char a = path[i + 1], b = (char)apr_tolower(path[i + 2]);
			if ((a == '2' && (b == 'f' || b == '5')) || (a == '5' && b == 'c'))
				return true;
		}
	}
	return false;
}

/* Whether path (with query) lies under prefix on a segment boundary, and stays there. */
static bool under_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n) != 0)
		return false;
	char next = path[n];
	return (prefix[n - 1] == '/' || next == '\0' || next == '/' || next == '?') && !has_dot_segment(path) &&
	       !has_path_trick(path);
}

/* Whether an absolute URL equals an allowed absolute one (origin without case, the rest exactly). */
static bool same_url(apr_pool_t *p, const char *a, const char *b)
{
	const char *pa = NULL, *pb = NULL;
	const char *oa = origin_of(p, a, &pa), *ob = origin_of(p, b, &pb);
	if (!oa || !ob || strcmp(oa, ob) != 0)
		return false;
	if (!*pa)
		pa = "/";
	if (!*pb)
		pb = "/";
	return strcmp(pa, pb) == 0;
}

const char *a0m_redirect_return_to(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o,
                                   const char *target, const char **why)
{
	apr_pool_t *p = r->pool;
	*why = NULL;
	if (!target || !*target)
		target = c->logout_return_to ? c->logout_return_to : "/";
	if (strlen(target) > MAX_TARGET) {
		*why = "too long";
		return NULL;
	}
	for (const unsigned char *s = (const unsigned char *)target; *s; s++)
		if (*s < 0x21 || *s >= 0x7f || *s == '\\') {
			*why = "contains spaces, control characters, backslashes or non-ASCII bytes";
			return NULL;
		}

	const char *abs, *path;
	if (target[0] == '/') {
		if (!a0m_redirect_local(p, target)) {
			*why = "is not a safe local path";
			return NULL;
		}
		path = target;
		abs = apr_pstrcat(p, a0m_origin_base(r, o), target, NULL);
	} else {
		const char *org = origin_of(p, target, &path);
		if (!org) {
			*why = "is not an http(s) URL with a plain host (no userinfo, no encoded characters)";
			return NULL;
		}
		if (!*path)
			path = "/";
		if (strcmp(org, a0m_origin_base(r, o)) != 0)
			path = NULL; /* another origin: only an exact allowed URL will do */
		else if (!a0m_redirect_local(p, path)) {
			*why = "has an unsafe path";
			return NULL;
		}
		/* Never the target as written: apr_uri_parse and browsers may read a port or host differently
		 * ("+443", "08443", a port past 65535). Same-origin URLs are rebuilt on this origin, allowed
		 * URLs are sent as configured. */
		abs = path ? apr_pstrcat(p, a0m_origin_base(r, o), path, NULL) : target;
	}

	/* Always allowed: the configured default and this site's root. */
	const char *dflt = c->logout_return_to;
	if (path && strcmp(path, "/") == 0)
		return abs;
	if (dflt && (dflt[0] == '/' ? path && strcmp(path, dflt) == 0 : same_url(p, abs, dflt)))
		return dflt[0] == '/' ? abs : dflt;
	for (int i = 0; c->logout_allow && i < c->logout_allow->nelts; i++) {
		const char *allow = ((const char **)c->logout_allow->elts)[i];
		if (allow[0] == '/') {
			if (path && under_prefix(path, allow))
				return abs;
		} else if (same_url(p, abs, allow)) {
			return allow;
		}
	}
	*why = "is not listed in Auth0LogoutReturnToAllow";
	return NULL;
}
