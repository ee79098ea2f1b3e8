/*
 * Cookies: reading them from the request, writing them with safe attributes,
 * and splitting large values across several cookies.
 *
 * Names: on https, cookies are host-only with the __Host- prefix (Path=/,
 * Secure, no Domain: browsers refuse to let a sibling subdomain or a plain
 * http page set or shadow them); with Auth0CookieDomain the session cookie
 * uses __Secure- and Domain=. Plain names and no Secure attribute only for
 * plain-http development on loopback (a0m_origin.loopback_dev).
 *
 * Chunks: browsers keep about 4 KB per cookie, so a large value is written
 * as NAME.0, NAME.1, ... (as express-openid-connect does) and a small one as
 * NAME; writing one form deletes the other and the chunks no longer used.
 * Note that httpd refuses request header lines longer than
 * LimitRequestFieldSize (8190 bytes by default), which bounds the whole
 * Cookie header: a warning is logged when a session cookie gets near it.
 */
#include "mod_auth0.h"
#include "cookie_header.h"

#include <stdio.h>

/* Value bytes per cookie: name, attributes and value stay below the 4096 browsers allow. */
#define CHUNK_SIZE 3800
#define MAX_CHUNKS 24
_Static_assert(MAX_CHUNKS <= 32, "expire_chunks_from keeps one bit per chunk index in a uint32_t");
/* Above this the request's Cookie header approaches httpd's default LimitRequestFieldSize. */
#define WARN_TOTAL 7000

a0m_cookie_spec a0m_cookie_session_spec(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o)
{
	a0m_cookie_spec s;
	const char *name = a0m_conf_cookie_name(c);
	s.secure = o->secure;
	s.domain = o->secure ? c->cookie_domain : NULL;
	s.samesite = c->cookie_samesite == A0M_UNSET_INT ? A0M_SAMESITE_LAX : c->cookie_samesite;
	s.name = !s.secure ? name : apr_pstrcat(r->pool, s.domain ? "__Secure-" : "__Host-", name, NULL);
	return s;
}

/* The session cookie's domain and prefix (with Auth0CookieDomain, a logout on one host must stop the silent
 * login on the others, where the session was too), but always SameSite=Lax: under Strict the browser would
 * not send it on the redirect from the tenant back to the page, which would then try again, for ever. */
a0m_cookie_spec a0m_cookie_silent_spec(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o)
{
	a0m_cookie_spec s = a0m_cookie_session_spec(r, c, o);
	s.name = apr_pstrcat(r->pool, s.name, "_silent", NULL);
	s.samesite = A0M_SAMESITE_LAX;
	return s;
}

a0m_cookie_spec a0m_cookie_host_spec(request_rec *r, const a0m_origin *o, const char *base)
{
	a0m_cookie_spec s;
	s.secure = o->secure;
	s.domain = NULL;
	s.samesite = A0M_SAMESITE_LAX;
	s.name = o->secure ? apr_pstrcat(r->pool, "__Host-", base, NULL) : base;
	return s;
}

/* ---- reading ----------------------------------------------------------------------------------- */

/*
 * One Cookie header is all there is to read: browsers send one, mod_http2 joins HTTP/2's cookie fields
 * with "; ", and httpd joins repeated HTTP/1.1 request headers into one as it reads them. That join is
 * ", ", which does not end a pair: the cookies of a second Cookie line from a client that sends two are
 * part of a value, neither read here nor stripped from what backends see (a0m_cookie_strip() cuts pairs
 * the same way; t/attacks/08-preflight-cookies.t). apr_table_get() finds the header through the table's
 * index.
 */
const char *a0m_cookie_get(request_rec *r, const char *name)
{
	size_t len = 0;
	const char *value = a0m_cookie_header_find(apr_table_get(r->headers_in, "Cookie"), name, &len);
	return value ? apr_pstrmemdup(r->pool, value, len) : NULL;
}

/* ---- what backends see ----------------------------------------------------------------------- */

typedef struct strip_ctx {
	apr_pool_t *pool;
	const char *const *prefixes;
	int n;
	const char *read_as;
	size_t read_as_len;
	apr_array_header_t *kept;   /* the Cookie headers as they go on (NULL when none is left) */
	int removed;
} strip_ctx;

static bool stripped_name(const strip_ctx *s, const char *name, size_t len)
{
	for (int i = 0; i < s->n; i++) {
		size_t plen = strlen(s->prefixes[i]);
		if (len >= plen && memcmp(name, s->prefixes[i], plen) == 0)
			return true;
	}
	/* a name read another way is never longer than as sent */
	if (!s->read_as || len < s->read_as_len)
		return false;
	const char *read = a0m_name_as_backends_read(apr_pstrmemdup(s->pool, name, len));
	return read && strcmp(read, s->read_as) == 0;
}

/* One Cookie header without the pairs named by the prefixes, its pairs cut by cookie_header.h's grammar;
 * the other pairs as they were written. */
static int strip_header(void *arg, const char *key, const char *value)
{
	(void)key;
	strip_ctx *s = arg;
	/* each pair kept is at most as long as written, and gets a "; " before it: the separator written may
	 * have been a bare ";" (or nothing but a ",") */
	size_t len = strlen(value), pairs = 1;
	for (const char *p = value; (p = strchr(p, ';')); p++)
		pairs++;
	char *out = apr_palloc(s->pool, len + 2 * pairs + 1), *o = out;
	for (const char *h = value; *h;) {
		const char *semi = strchr(h, ';');
		const char *end = semi ? semi : h + strlen(h);
		while (h < end && (*h == ' ' || *h == '\t' || *h == ','))
			h++;
		const char *eq = memchr(h, '=', (size_t)(end - h));
		size_t nlen = (size_t)((eq ? eq : end) - h);
		while (nlen && (h[nlen - 1] == ' ' || h[nlen - 1] == '\t'))
			nlen--;
		size_t seg = (size_t)(end - h);
		while (seg && (h[seg - 1] == ' ' || h[seg - 1] == '\t'))
			seg--;
		if (eq && stripped_name(s, h, nlen)) {
			s->removed++;
		} else if (seg) {
			if (o != out) {
				memcpy(o, "; ", 2);
				o += 2;
			}
			memcpy(o, h, seg);
			o += seg;
		}
		h = semi ? semi + 1 : end;
	}
	*o = '\0';
	if (o != out)
		*(const char **)apr_array_push(s->kept) = out;
	return 1;
}

int a0m_cookie_strip(request_rec *r, const char *const prefixes[], int n, const char *read_as)
{
	strip_ctx s = { r->pool, prefixes, n, read_as, read_as ? strlen(read_as) : 0,
		            apr_array_make(r->pool, 1, sizeof(const char *)), 0 };
	apr_table_do(strip_header, &s, r->headers_in, "Cookie", NULL);
	if (!s.removed)
		return 0;
	apr_table_unset(r->headers_in, "Cookie");
	for (int i = 0; i < s.kept->nelts; i++)
		apr_table_addn(r->headers_in, "Cookie", ((const char **)s.kept->elts)[i]);
	return s.removed;
}

typedef struct names_ctx {
	apr_pool_t *pool;
	const char *prefix;
	size_t len;
	apr_array_header_t *out;
} names_ctx;

static void collect_name(const char *name, size_t nlen, const char *value, size_t vlen, void *arg)
{
	(void)value;
	(void)vlen;
	names_ctx *n = arg;
	if (nlen < n->len || memcmp(name, n->prefix, n->len) != 0)
		return;
	const char *copy = apr_pstrmemdup(n->pool, name, nlen);
	for (int i = 0; i < n->out->nelts; i++)
		if (strcmp(((const char **)n->out->elts)[i], copy) == 0)
			return;
	*(const char **)apr_array_push(n->out) = copy;
}

static int names_in_header(void *arg, const char *key, const char *value)
{
	(void)key;
	a0m_cookie_header_walk(value, collect_name, arg);
	return 1;
}

apr_array_header_t *a0m_cookie_names(request_rec *r, const char *prefix)
{
	names_ctx n = { r->pool, prefix, strlen(prefix), apr_array_make(r->pool, 4, sizeof(const char *)) };
	apr_table_do(names_in_header, &n, r->headers_in, "Cookie", NULL);
	return n.out;
}

/* ---- writing ----------------------------------------------------------------------------------- */

/*
 * Set-Cookie is written here rather than with ap_cookie_write(), which logs the value (the session!)
 * at debug level and knows no Max-Age.
 */
void a0m_cookie_set(request_rec *r, const a0m_cookie_spec *spec, const char *value, long max_age)
{
	int samesite = spec->samesite;
	/* SameSite=None without Secure is refused by browsers: fall back to Lax on plain http */
	if (samesite == A0M_SAMESITE_NONE && !spec->secure)
		samesite = A0M_SAMESITE_LAX;
	char age[64];
	if (max_age == 0)
		snprintf(age, sizeof(age), "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
	else if (max_age > 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
	else
		age[0] = '\0';
	/* A response that hands out a session (a renewal rides on the site's own page, which the site may let
	 * caches keep) must not be stored by a shared cache and served to someone else. */
	if (value && max_age != 0)
		a0m_no_store(r);
	const char *line = apr_pstrcat(r->pool, spec->name, "=", max_age == 0 || !value ? "" : value, "; Path=/",
	                               spec->domain ? "; Domain=" : "", spec->domain ? spec->domain : "",
	                               spec->secure ? "; Secure" : "", "; HttpOnly; SameSite=",
	                               samesite == A0M_SAMESITE_STRICT ? "Strict"
	                               : samesite == A0M_SAMESITE_NONE ? "None" : "Lax", age, NULL);
	apr_table_addn(r->err_headers_out, "Set-Cookie", line);
}

static const char *chunk_name(apr_pool_t *p, const char *name, int i)
{
	return apr_psprintf(p, "%s.%d", name, i);
}

const char *a0m_cookie_get_chunked(request_rec *r, const char *name)
{
	const char *whole = a0m_cookie_get(r, name);
	if (whole)
		return whole;
	const char *first = a0m_cookie_get(r, chunk_name(r->pool, name, 0));
	if (!first)
		return NULL;
	struct iovec parts[MAX_CHUNKS];
	parts[0].iov_base = (void *)first;
	parts[0].iov_len = strlen(first);
	int n = 1;
	for (; n < MAX_CHUNKS; n++) {
		const char *v = a0m_cookie_get(r, chunk_name(r->pool, name, n));
		if (!v)
			break;
		parts[n].iov_base = (void *)v;
		parts[n].iov_len = strlen(v);
	}
	return apr_pstrcatv(r->pool, parts, (apr_size_t)n, NULL);
}

/* The index of a chunk cookie's name suffix, spelled as this module writes it ("7", not "07" or "+7"),
 * or -1. */
static int chunk_index(const char *suffix)
{
	if (suffix[0] < '0' || suffix[0] > '9' || (suffix[0] == '0' && suffix[1]))
		return -1;
	char *end;
	long idx = strtol(suffix, &end, 10);
	return *end || idx >= MAX_CHUNKS ? -1 : (int)idx;
}

/* Deletes name.from, name.(from+1), ... that the request has: only the indexes this module writes, in its
 * spelling, each once, so that a browser sending thousands of chunk cookies (or "1", "01", "001", ... or
 * the same name a thousand times) gets at most MAX_CHUNKS Set-Cookie. */
static void expire_chunks_from(request_rec *r, const a0m_cookie_spec *spec, int from)
{
	apr_array_header_t *names = a0m_cookie_names(r, apr_pstrcat(r->pool, spec->name, ".", NULL));
	uint32_t deleted = 0;
	for (int i = 0; i < names->nelts; i++) {
		const char *n = ((const char **)names->elts)[i];
		int idx = chunk_index(n + strlen(spec->name) + 1);
		if (idx < from || (deleted & (UINT32_C(1) << idx)))
			continue;
		deleted |= UINT32_C(1) << idx;
		a0m_cookie_spec s = *spec;
		s.name = n;
		a0m_cookie_set(r, &s, NULL, 0);
	}
}

bool a0m_cookie_set_chunked(request_rec *r, const a0m_cookie_spec *spec, const char *value, long max_age)
{
	size_t len = strlen(value);
	if (len > (size_t)CHUNK_SIZE * MAX_CHUNKS) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
		              "mod_auth0: a session of %" APR_SIZE_T_FMT " bytes is too large for cookies; "
		              "use Auth0SessionStore cache", len);
		return false;
	}
	if (len > WARN_TOTAL)
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
		              "mod_auth0: the session cookie has %" APR_SIZE_T_FMT " bytes: raise "
		              "LimitRequestFieldSize above the size of the browser's Cookie header (or use "
		              "Auth0SessionStore cache)", len);
	if (len <= CHUNK_SIZE) {
		a0m_cookie_set(r, spec, value, max_age);
		expire_chunks_from(r, spec, 0);
		return true;
	}
	int n = 0;
	for (size_t at = 0; at < len; at += CHUNK_SIZE, n++) {
		size_t part = len - at < CHUNK_SIZE ? len - at : CHUNK_SIZE;
		a0m_cookie_spec s = *spec;
		s.name = chunk_name(r->pool, spec->name, n);
		a0m_cookie_set(r, &s, apr_pstrmemdup(r->pool, value + at, part), max_age);
	}
	if (a0m_cookie_get(r, spec->name))
		a0m_cookie_set(r, spec, NULL, 0);
	expire_chunks_from(r, spec, n);
	return true;
}

void a0m_cookie_expire_chunked(request_rec *r, const a0m_cookie_spec *spec)
{
	if (a0m_cookie_get(r, spec->name))
		a0m_cookie_set(r, spec, NULL, 0);
	expire_chunks_from(r, spec, 0);
}
