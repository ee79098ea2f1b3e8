/*
 * The request's origin as the browser sees it: scheme, host and port.
 *
 * Directly, they are httpd's (ap_http_scheme, the Host header as httpd
 * parsed it, the port per UseCanonicalName). Behind a TLS-terminating
 * reverse proxy, and only when Auth0TrustForwardedHeaders is set and the TCP
 * peer is one of Auth0TrustedProxies (default: loopback), they come from the
 * proxy's headers: X-Forwarded-Proto / -Host / -Port (On, X-Forwarded) or
 * `Forwarded` (RFC 7239), never both. When a header holds a list (proxies
 * append), the last element is used: it is the one our proxy added; earlier
 * ones may come from the client.
 *
 * Sessions need https: cookies are Secure, and a session on plain http can be
 * stolen by anyone on the path. Plain http is accepted only straight from a
 * loopback client (development on one machine); any other plain-http request
 * gets a 403 page that says so.
 */
#include "mod_auth0.h"

#include <apr_lib.h>
#include <arpa/inet.h>
#include <http_core.h>

static bool in_cidr(const a0m_cidr *cidr, int family, const unsigned char *addr)
{
	if (cidr->family != family)
		return false;
	int full = cidr->bits / 8, rest = cidr->bits % 8;
	if (memcmp(cidr->addr, addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (cidr->addr[full] & mask) == (addr[full] & mask);
}

/* The address as (family, bytes), IPv4-mapped IPv6 taken as IPv4. */
static int addr_bytes(const apr_sockaddr_t *sa, unsigned char out[16])
{
	if (!sa)
		return 0;
	if (sa->family == AF_INET) {
		memcpy(out, &sa->sa.sin.sin_addr, 4);
		return AF_INET;
	}
#if APR_HAVE_IPV6
	if (sa->family == AF_INET6) {
		const unsigned char *a = (const unsigned char *)&sa->sa.sin6.sin6_addr;
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(a, mapped, 12) == 0) {
			memcpy(out, a + 12, 4);
			return AF_INET;
		}
		memcpy(out, a, 16);
		return AF_INET6;
	}
#endif
	return 0;
}

static bool is_loopback(const apr_sockaddr_t *sa)
{
	unsigned char b[16];
	int family = addr_bytes(sa, b);
	if (family == AF_INET)
		return b[0] == 127;
	if (family == AF_INET6) {
		static const unsigned char one[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
		return memcmp(b, one, 16) == 0;
	}
	return false;
}

static bool trusted_proxy(request_rec *r, const a0m_dir_conf *c)
{
	const apr_sockaddr_t *peer = r->connection->client_addr;
	if (!c->trusted_proxies)
		return is_loopback(peer);
	unsigned char b[16];
	int family = addr_bytes(peer, b);
	const a0m_cidr *list = (const a0m_cidr *)c->trusted_proxies->elts;
	for (int i = 0; family && i < c->trusted_proxies->nelts; i++)
		if (in_cidr(&list[i], family, b))
			return true;
	return false;
}

/* The last element of a comma-separated header, trimmed; NULL when empty. */
static const char *last_element(apr_pool_t *p, const char *v)
{
	if (!v)
		return NULL;
	const char *comma = strrchr(v, ',');
	const char *s = comma ? comma + 1 : v;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n ? apr_pstrmemdup(p, s, n) : NULL;
}

/* A parameter of one Forwarded element (quotes removed), or NULL. */
static const char *forwarded_param(apr_pool_t *p, const char *element, const char *name)
{
	size_t nlen = strlen(name);
	for (const char *s = element; s && *s;) {
		while (*s == ' ' || *s == ';')
			s++;
		const char *end = strchr(s, ';');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (len > nlen && strncasecmp(s, name, nlen) == 0 && s[nlen] == '=') {
			const char *v = s + nlen + 1;
			size_t vlen = len - nlen - 1;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			return apr_pstrmemdup(p, v, vlen);
		}
		s = end;
	}
	return NULL;
}

/* host[:port] with a plain DNS name, IPv4 or [IPv6]: splits it, or returns false. */
static bool split_host(apr_pool_t *p, const char *hp, const char **host, apr_port_t *port)
{
	const char *colon;
	if (hp[0] == '[') {
		const char *close = strchr(hp, ']');
		if (!close)
			return false;
		for (const char *s = hp + 1; s < close; s++)
			if (!apr_isxdigit(*s) && *s != ':' && *s != '.')
				return false;
		*host = apr_pstrmemdup(p, hp, (apr_size_t)(close - hp + 1));
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] && !colon)
			return false;
	} else {
		colon = strchr(hp, ':');
		size_t n = colon ? (size_t)(colon - hp) : strlen(hp);
		if (n == 0 || n > 253)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!apr_isalnum(hp[i]) && hp[i] != '-' && hp[i] != '.')
				return false;
		char *h = apr_pstrmemdup(p, hp, n);
		ap_str_tolower(h);
		*host = h;
	}
	*port = 0;
	if (colon) {
		char *end;
		long v = strtol(colon + 1, &end, 10);
		if (*end || end == colon + 1 || v < 1 || v > 65535)
			return false;
		*port = (apr_port_t)v;
	}
	return true;
}

/*
 * Applies the proxy's headers of the family configured; false when it sent none (a direct request from the
 * proxy's host). The other family is never read: a proxy that sets X-Forwarded-* passes a client's
 * Forwarded header through untouched (and the other way round), so reading whichever is present would
 * let the client choose its own scheme and host.
 */
static bool forwarded_origin(request_rec *r, a0m_origin *o, int family)
{
	const char *proto = NULL, *host = NULL, *port = NULL;
	if (family == A0M_FORWARDED_RFC7239) {
		const char *fwd = last_element(r->pool, apr_table_get(r->headers_in, "Forwarded"));
		if (fwd) {
			proto = forwarded_param(r->pool, fwd, "proto");
			host = forwarded_param(r->pool, fwd, "host");
		}
	} else {
		proto = last_element(r->pool, apr_table_get(r->headers_in, "X-Forwarded-Proto"));
		host = last_element(r->pool, apr_table_get(r->headers_in, "X-Forwarded-Host"));
		port = last_element(r->pool, apr_table_get(r->headers_in, "X-Forwarded-Port"));
	}
	bool changed_scheme = false;
	if (proto && (strcasecmp(proto, "https") == 0 || strcasecmp(proto, "http") == 0)) {
		changed_scheme = strcasecmp(proto, o->scheme) != 0;
		o->scheme = strcasecmp(proto, "https") == 0 ? "https" : "http";
	}
	const char *h;
	apr_port_t hp;
	if (host && split_host(r->pool, host, &h, &hp)) {
		o->host = h;
		o->port = hp ? hp : (apr_port_t)(strcmp(o->scheme, "https") == 0 ? 443 : 80);
	} else if (changed_scheme) {
		/* the proxy's own port means nothing to the browser */
		o->port = (apr_port_t)(strcmp(o->scheme, "https") == 0 ? 443 : 80);
	}
	if (port) {
		char *end;
		long v = strtol(port, &end, 10);
		if (!*end && v > 0 && v < 65536)
			o->port = (apr_port_t)v;
	}
	return proto || host || port;
}

/* name in lower case: itself when it is already (httpd lowers the Host header's), else a copy. */
static const char *lower_case(apr_pool_t *p, const char *name)
{
	if (!name)
		return "localhost";
	for (const char *s = name; *s; s++)
		if ((unsigned)(unsigned char)*s - 'A' < 26u) {
			char *copy = apr_pstrdup(p, name);
			ap_str_tolower(copy);
			return copy;
		}
	return name;
}

const a0m_origin *a0m_origin_get(request_rec *r, const a0m_dir_conf *c)
{
	a0m_request_state *st = a0m_request_state_get(r);
	if (st->origin)
		return st->origin;
	a0m_origin *o = apr_pcalloc(r->pool, sizeof(*o));
	o->scheme = ap_http_scheme(r);
	o->scheme = o->scheme && strcmp(o->scheme, "https") == 0 ? "https" : "http";
	o->host = lower_case(r->pool, ap_get_server_name_for_url(r));
	o->port = ap_get_server_port(r);
	bool forwarded = false;
	int family = c->trust_forwarded == A0M_UNSET_INT ? A0M_FORWARDED_OFF : c->trust_forwarded;
	if (family != A0M_FORWARDED_OFF && trusted_proxy(r, c))
		forwarded = forwarded_origin(r, o, family);
	o->secure = strcmp(o->scheme, "https") == 0;
	o->loopback_dev = !o->secure && !forwarded && is_loopback(r->connection->client_addr) &&
	                  is_loopback(r->useragent_addr);
	st->origin = o;
	return o;
}

const char *a0m_origin_base(request_rec *r, const a0m_origin *o)
{
	if (!o->base_) {
		bool dflt = o->port == (o->secure ? 443 : 80);
		/* o is this request's (a0m_origin_get allocates it, never const): filling in its memo is safe */
		((a0m_origin *)o)->base_ = apr_pstrcat(r->pool, o->scheme, "://", o->host, dflt ? "" : ":",
		                                       dflt ? "" : apr_itoa(r->pool, o->port), NULL);
	}
	return o->base_;
}

a0m_request_from a0m_origin_request_from(request_rec *r, const a0m_origin *o)
{
	const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
	if (site)
		return strcasecmp(site, "same-origin") == 0 || strcasecmp(site, "none") == 0 ? A0M_FROM_THIS_ORIGIN
		                                                                             : A0M_FROM_ELSEWHERE;
	const char *origin = apr_table_get(r->headers_in, "Origin");
	if (origin)
		return strcasecmp(origin, a0m_origin_base(r, o)) == 0 ? A0M_FROM_THIS_ORIGIN : A0M_FROM_ELSEWHERE;
	const char *referer = apr_table_get(r->headers_in, "Referer");
	if (referer) {
		const char *base = a0m_origin_base(r, o);
		size_t n = strlen(base);
		return strncasecmp(referer, base, n) == 0 && (referer[n] == '/' || referer[n] == '\0')
		           ? A0M_FROM_THIS_ORIGIN
		           : A0M_FROM_ELSEWHERE;
	}
	return A0M_FROM_UNKNOWN;
}

const char *a0m_origin_redirect_uri(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o)
{
	const char *u = c->redirect_uri;
	if (!u || u[0] != '/')
		return u;
	return apr_pstrcat(r->pool, a0m_origin_base(r, o), u, NULL);
}

const a0m_origin *a0m_origin_get_only(request_rec *r, const a0m_dir_conf *c, const char *refusal, int *rc)
{
	const a0m_origin *o = a0m_origin_get(r, c);
	if (!a0m_origin_check(r, o, rc))
		return NULL;
	/* not HEAD either (M_GET too): it would do all that GET does, a login begun or a callback's state used
	 * and code exchanged, for a request that never follows the answer (a link scanner's) */
	if (r->method_number != M_GET || r->header_only) {
		apr_table_setn(r->err_headers_out, "Allow", "GET");
		*rc = a0m_page(r, HTTP_METHOD_NOT_ALLOWED, "Method not allowed", refusal, NULL, NULL);
		return NULL;
	}
	return o;
}

bool a0m_origin_check(request_rec *r, const a0m_origin *o, int *rc)
{
	if (o->secure || o->loopback_dev)
		return true;
	ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
	              "mod_auth0: refused a plain-http request from %s: sessions need https (behind a TLS "
	              "proxy, set Auth0TrustForwardedHeaders on and list it in Auth0TrustedProxies)",
	              r->useragent_ip ? r->useragent_ip : "?");
	*rc = a0m_page(r, HTTP_FORBIDDEN, "HTTPS is required",
	               "This site signs you in only over a secure connection. Open it with an https:// address.",
	               NULL, NULL);
	return false;
}
