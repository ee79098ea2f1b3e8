/*
 * AuthType Auth0Bearer: APIs called with "Authorization: Bearer <JWT>", or, where Auth0BearerTokenFrom says
 * so, with the token as a Basic password, in the access_token query parameter or in a cookie (read_token below).
 *
 * Answers (RFC 6750 section 3):
 *   no Authorization header, or another scheme   401  WWW-Authenticate: Bearer realm="R" (and Basic
 *                                                     realm="R" where Basic passwords are read)
 *   the DPoP scheme (RFC 9449), not supported    401  Bearer realm="R", error="invalid_token", ...
 *   a malformed header (no token, spaces or
 *   characters outside b64token, two headers),
 *   a token both in the header and the query,
 *   two query tokens or two token cookies, Basic
 *   credentials without a password              400  Bearer realm="R", error="invalid_request", ...
 *   a token that fails validation, or one bound
 *   to a key (a cnf claim, see validate())      401  Bearer realm="R", error="invalid_token",
 *                                                     error_description="<fixed text per rule>"
 *   the tenant's keys cannot be fetched
 *   and none are cached                         503  (logged), not a 401: the token may be fine
 *   a valid token that a Require denies         401  Bearer realm="R", error="insufficient_scope"
 *                                                     (403 with AuthzSendForbiddenOnFailure On)
 * R is AuthName, or else Auth0Audience. Descriptions are fixed texts, never
 * parts of the token; the log has libauth0's full reason.
 *
 * Validation is libauth0's auth0_access_token_validate (the one algorithm of
 * Auth0BearerSigningAlg, RS256 or PS256, through the JWKS, iss, aud =
 * Auth0Audience, exp/nbf/iat with Auth0ClockSkew, typ when present, org when
 * Auth0Organization is set), then no cnf claim. A valid token's outcome (user,
 * claims, identity block) is cached under SHA-256 of the token and of what it
 * was validated against, until its exp (+ leeway) but at most
 * BEARER_CACHE_MAX, so that a revoked signing key stops being honoured soon:
 *   - a per-process memo first (memo.h: no SHA-256, no shared memory, no
 *     decryption: measured ~0.9 of an unprotected static file with it, ~0.78
 *     with the shared cache alone), then
 *   - the shared cache (A0M_NS_BEARER), sealed with the cache key of
 *     Auth0SessionSecret (or a random key made at start-up when there is none),
 *     so that other processes (or hosts, with redis and a shared secret) skip
 *     the signature work too, and a cache server cannot forge an entry.
 */
#include "mod_auth0.h"
#include "cookie_header.h"
#include "memo.h"

#include <apr_base64.h>
#include <apr_lib.h>
#include <limits.h>
#include <http_core.h>
#include <scoreboard.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

/* Longest a validated token is trusted without verifying it again. */
#define BEARER_CACHE_MAX 600
#define ENTRY_MAGIC "A0B2"

/* ---- the outcome of a validation, as cached ------------------------------------------------------ */

typedef struct outcome {
	int64_t valid_until;     /* exp + leeway */
	int64_t trusted_until;   /* when it must be validated again: at most BEARER_CACHE_MAX after it was */
	const char *user;
	const char *claims;      /* JSON text */
	const char *block;       /* identity block (claim_path.h) */
	const a0m_ready *ready;  /* the block made ready for a header prefix (memo only) */
} outcome;

/* The shared cache's form (read by other processes and hosts, maybe of another version: A0B1 entries,
 * without trusted_until, are not read, and their tokens validated again):
 * "A0B2 <valid_until> <trusted_until> <user len> <claims len> <block len>\n" user claims block
 * trusted_until travels with the entry, so that a process reading it late does not trust the token for
 * BEARER_CACHE_MAX more from then (up to twice as long). */
static char *serialize(apr_pool_t *p, const outcome *o, size_t *len)
{
	char *s = apr_psprintf(p, ENTRY_MAGIC " %" APR_INT64_T_FMT " %" APR_INT64_T_FMT " %" APR_SIZE_T_FMT
	                       " %" APR_SIZE_T_FMT " %" APR_SIZE_T_FMT "\n%s%s%s", (apr_int64_t)o->valid_until,
	                       (apr_int64_t)o->trusted_until, strlen(o->user), strlen(o->claims), strlen(o->block),
	                       o->user, o->claims, o->block);
	*len = strlen(s);
	return s;
}

/* A decimal number followed by `sep`; false when there is none. */
static bool parse_num(const char **s, const char *end, char sep, long long *v)
{
	const char *p = *s;
	long long n = 0;
	if (p >= end || !apr_isdigit(*p))
		return false;
	for (; p < end && apr_isdigit(*p); p++) {
		if (n > (LLONG_MAX - 9) / 10)
			return false;
		n = n * 10 + (*p - '0');
	}
	if (p >= end || *p != sep)
		return false;
	*s = p + 1;
	*v = n;
	return true;
}

static bool deserialize(apr_pool_t *p, const char *s, size_t len, outcome *o)
{
	const char *end = s + len, *q = s + 5;
	long long until, trusted, ul, cl, bl;
	if (len < 5 || memcmp(s, ENTRY_MAGIC " ", 5) != 0 || !parse_num(&q, end, ' ', &until) ||
	    !parse_num(&q, end, ' ', &trusted) || !parse_num(&q, end, ' ', &ul) || !parse_num(&q, end, ' ', &cl) ||
	    !parse_num(&q, end, '\n', &bl))
		return false;
	size_t rest = (size_t)(end - q);
	if ((unsigned long long)ul > rest || (unsigned long long)cl > rest || (unsigned long long)bl > rest ||
	    (size_t)(ul + cl + bl) != rest || ul == 0)
		return false;
	o->valid_until = until;
	o->trusted_until = trusted;
	o->user = apr_pstrmemdup(p, q, (apr_size_t)ul);
	o->claims = apr_pstrmemdup(p, q + ul, (apr_size_t)cl);
	o->block = apr_pstrmemdup(p, q + ul + cl, (apr_size_t)bl);
	return true;
}

/* ---- per-process memo ------------------------------------------------------------------------- */

/*
 * Keyed by the token itself and the context it was validated in (memo.h: compared exactly, the token's
 * end, its signature, in constant time first), until the outcome's trusted_until: a hit costs no SHA-256,
 * no shared memory and no decryption.
 */
static a0m_memo *memo;

void a0m_bearer_child_init(apr_pool_t *pchild, server_rec *s, int threads)
{
	memo = a0m_memo_for_process(pchild, threads);
	if (!memo)
		ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "mod_auth0: no per-process bearer cache");
}

/*
 * The memo's form of an outcome: its expiry and strings packed (a0m_memo_pack) as the entry's bytes, the
 * outcome made again in the entry's pool pointing into them, and the identity made ready for the header
 * prefix of the location that put it (a0m_claims_ready). A hit copies the struct: no parse, no copy of a
 * string, no names built per claim.
 */
enum { F_USER, F_CLAIMS, F_BLOCK, F_PARTS };

static bool local_get(apr_pool_t *p, const char *token, const char *context, int64_t now, outcome *o)
{
	const outcome *lent = a0m_memo_borrow(memo, p, NULL, context, token, strlen(token), now);
	if (lent)
		*o = *lent;
	return lent != NULL;
}

static void local_put(request_rec *r, const a0m_dir_conf *c, const char *token, const char *context,
                      int64_t trusted_until, const outcome *o)
{
	const void *parts[F_PARTS] = { o->user, o->claims, o->block };
	size_t sizes[F_PARTS], len = 0;
	for (int i = 0; i < F_PARTS; i++)
		sizes[i] = strlen(parts[i]) + 1;
	const unsigned char *data = a0m_memo_pack(r->pool, &o->valid_until, sizeof(o->valid_until), parts, sizes,
	                                          F_PARTS, &len);
	a0m_memo_entry *e = data ? a0m_memo_entry_make(memo, data, len) : NULL;
	if (!e)
		return;
	apr_pool_t *p = a0m_memo_entry_pool(e);
	outcome *kept = apr_pcalloc(p, sizeof(*kept));
	const unsigned char *at[F_PARTS];
	bool ok = a0m_memo_unpack(a0m_memo_entry_bytes(e), len, &kept->valid_until, sizeof(kept->valid_until), at,
	                          F_PARTS);
	if (ok) {
		kept->user = (const char *)at[F_USER];
		kept->claims = (const char *)at[F_CLAIMS];
		kept->block = (const char *)at[F_BLOCK];
		kept->ready = a0m_claims_ready(p, a0m_conf_claim_header_prefix(c), kept->block);
	}
	a0m_memo_put(memo, NULL, context, token, strlen(token), ok ? trusted_until : 0, e, kept);
}

/* ---- shared cache ------------------------------------------------------------------------------ */

/* Seals bearer entries when no Auth0SessionSecret is set; made before the children fork. */
static a0m_key fallback_key;

static const a0m_key *seal_keys(const a0m_dir_conf *c, int *count)
{
	if (c->keys) {
		*count = c->keys->count;
		return c->keys->cache;
	}
	*count = 1;
	return &fallback_key;
}

static bool shared_get(request_rec *r, const a0m_dir_conf *c, const char *ckey, int64_t now, outcome *o)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	if (a0m_cache_get(r->server, ckey, &raw, &len, r->pool) != APR_SUCCESS)
		return false;
	int count;
	const a0m_key *keys = seal_keys(c, &count);
	size_t n = 0;
	unsigned char *plain = a0m_open_raw(r->pool, keys, count, ckey, raw, len, &n);
	/* valid while now < exp + leeway, as libauth0 and the memo count it */
	return plain && deserialize(r->pool, (const char *)plain, n, o) && o->valid_until > now &&
	       o->trusted_until > now;
}

static void shared_put(request_rec *r, const a0m_dir_conf *c, const char *ckey, const outcome *o)
{
	int count;
	const a0m_key *keys = seal_keys(c, &count);
	size_t len = 0, n = 0;
	const char *data = serialize(r->pool, o, &len);
	unsigned char *sealed = a0m_seal_raw(r->pool, &keys[0], ckey, (const unsigned char *)data, len, &n);
	/* a failure is logged by cache.c; the token was validated, so the request goes on */
	if (sealed)
		a0m_cache_set(r->server, ckey, sealed, n, apr_time_from_sec(o->trusted_until), r->pool);
}

/* ---- answers ------------------------------------------------------------------------------------- */

/* A quoted-string of RFC 9110: quotes and backslashes escaped, control characters dropped. */
static const char *quoted(apr_pool_t *p, const char *s)
{
	char *out = apr_palloc(p, 2 * strlen(s) + 3);
	char *o = out;
	*o++ = '"';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f)
			continue;
		if (ch == '"' || ch == '\\')
			*o++ = '\\';
		*o++ = (char)ch;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* AuthName as ap_auth_name() gives it, quotes already escaped (mod_authn_core): kept as it is, but for
 * control characters and a trailing lone backslash, which would end the quoted-string early. */
static const char *quoted_escaped(apr_pool_t *p, const char *s)
{
	char *out = apr_palloc(p, strlen(s) + 4);
	char *o = out;
	*o++ = '"';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f)
			continue;
		*o++ = (char)ch;
		if (ch == '\\') {
			if (s[1] && (unsigned char)s[1] >= 0x20 && s[1] != 0x7f)
				*o++ = *++s;
			else
				*o++ = '\\';
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

static const char *realm(request_rec *r, const a0m_dir_conf *c)
{
	const char *name = ap_auth_name(r);
	if (name && *name)
		return quoted_escaped(r->pool, name);
	return quoted(r->pool, c->audience ? c->audience : "api");
}

/* Sets WWW-Authenticate and returns status. error and description may be NULL. */
static int challenge(request_rec *r, const a0m_dir_conf *c, int status, const char *error, const char *description)
{
	a0m_metric(A0M_BEARER_REFUSED);
	const char *v = apr_pstrcat(r->pool, "Bearer realm=", realm(r, c), NULL);
	if (error)
		v = apr_pstrcat(r->pool, v, ", error=\"", error, "\"", NULL);
	if (description)
		v = apr_pstrcat(r->pool, v, ", error_description=", quoted(r->pool, description), NULL);
	apr_table_setn(r->err_headers_out, "WWW-Authenticate", v);
	/* clients that send tokens as Basic passwords ask for one only when challenged for Basic */
	if (status == HTTP_UNAUTHORIZED && (a0m_conf_bearer_from(c) & A0M_TOKEN_FROM_BASIC))
		apr_table_addn(r->err_headers_out, "WWW-Authenticate",
		               apr_pstrcat(r->pool, "Basic realm=", realm(r, c), ", charset=\"UTF-8\"", NULL));
	return status;
}

/* The fixed, short description per broken rule: safe to show, never a part of the token. */
static const char *describe(auth0_token_rule rule)
{
	switch (rule) {
	case AUTH0_RULE_DECODE: return "The access token is malformed";
	case AUTH0_RULE_ALGORITHM: return "The access token is not signed with an accepted algorithm";
	case AUTH0_RULE_KEY: return "The access token is signed with an unknown key";
	case AUTH0_RULE_SIGNATURE: return "The access token signature is invalid";
	case AUTH0_RULE_ISSUER: return "The access token was issued by another issuer";
	case AUTH0_RULE_AUDIENCE: return "The access token is not for this API";
	case AUTH0_RULE_EXPIRED: return "The access token expired";
	case AUTH0_RULE_NOT_BEFORE: return "The access token is not valid yet";
	case AUTH0_RULE_ISSUED_AT: return "The access token has an invalid issue time";
	case AUTH0_RULE_ORGANIZATION: return "The access token is not for this organization";
	case AUTH0_RULE_TYPE: return "The token is not an access token";
	default: return "The access token is invalid";
	}
}

/* ---- the request's token ------------------------------------------------------------------------- */

typedef enum { TOKEN_OK, TOKEN_NONE, TOKEN_MALFORMED, TOKEN_DPOP } token_read;

/* Sender-constrained tokens (RFC 7800 cnf: DPoP, RFC 9449, or mutual TLS, RFC 8705) need a proof of the key
 * that this module does not check: refused rather than taken as bearer tokens, which anyone holding them could
 * then use. */
#define BOUND_TOKEN "The access token is bound to a key (sender-constrained); this API does not accept such tokens"
#define DPOP_SCHEME "The DPoP scheme is not supported; this API accepts Bearer tokens not bound to a key"

/* b64token of RFC 6750: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static bool is_b64token(const char *s)
{
	const char *p = s;
	while (apr_isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '+' || *p == '/')
		p++;
	if (p == s)
		return false;
	while (*p == '=')
		p++;
	return *p == '\0';
}

/* The password of Basic credentials (RFC 7617: base64 of "user:password"), the token of clients that can send
 * no other (git, WebDAV, curl -u): the user is not read, the token names the user. */
static token_read basic_password(request_rec *r, const char *b64, const char **token, const char **why)
{
	size_t n = strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	size_t pad = strspn(b64 + n, "=");
	/* apr_base64_decode reads whatever it is given: only whole, canonically padded base64 reaches it */
	if (!n || b64[n + pad] || (n + pad) % 4 || pad > 2) {
		*why = "The Basic credentials are not base64";
		return TOKEN_MALFORMED;
	}
	char *plain = apr_palloc(r->pool, (apr_size_t)apr_base64_decode_len(b64) + 1);
	int len = apr_base64_decode(plain, b64);
	plain[len] = '\0';
	const char *colon = strchr(plain, ':');
	if ((size_t)len != strlen(plain) || !colon || !colon[1]) {
		*why = "The Basic credentials have no token as their password";
		return TOKEN_MALFORMED;
	}
	*token = colon + 1;
	return TOKEN_OK;
}

/* The Authorization header's token: Bearer (Auth0BearerTokenFrom header) or Basic's password (basic). */
static token_read header_token(request_rec *r, int from, const char **token, const char **why, int *source)
{
	const char *h = NULL;
	int count = 0;
	const apr_array_header_t *arr = apr_table_elts(r->headers_in);
	const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
	for (int i = 0; i < arr->nelts; i++)
		if (e[i].key && strcasecmp(e[i].key, "Authorization") == 0) {
			h = e[i].val;
			count++;
		}
	if (!h)
		return TOKEN_NONE;
	/* httpd merges repeated headers into one "a, b": the comma then fails b64token below */
	if (count > 1) {
		*why = "The request has more than one Authorization header or token";
		return TOKEN_MALFORMED;
	}
	/* a DPoP client would take the bare challenge of an unknown scheme for "no credentials sent" */
	if (strncasecmp(h, "DPoP", 4) == 0 && (h[4] == ' ' || h[4] == '\0'))
		return TOKEN_DPOP;
	if ((from & A0M_TOKEN_FROM_BASIC) && strncasecmp(h, "Basic", 5) == 0 && (h[5] == ' ' || h[5] == '\0')) {
		const char *b = h + 5;
		while (*b == ' ')
			b++;
		*source = A0M_TOKEN_FROM_BASIC;
		return basic_password(r, b, token, why);
	}
	if (!(from & A0M_TOKEN_FROM_HEADER) || strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\0'))
		return TOKEN_NONE; /* another scheme: no bearer credentials */
	const char *t = h + 6;
	while (*t == ' ')
		t++;
	if (!*t) {
		*why = "The Authorization header has no token";
		return TOKEN_MALFORMED;
	}
	*token = t;
	return TOKEN_OK;
}

/* RFC 6750 section 2.3 */
#define TOKEN_PARAM "access_token"

/* The request's target (a path and its query) without the token's parameter, or what a backend may read as
 * it (a0m_query_without). */
static char *target_without_token(apr_pool_t *p, const char *target)
{
	const char *q = target ? strchr(target, '?') : NULL;
	if (!q)
		return (char *)target;
	int removed, alike;
	const char *args = a0m_query_without(p, q + 1, TOKEN_PARAM, &removed, &alike);
	return apr_pstrcat(p, apr_pstrmemdup(p, target, (apr_size_t)(q - target)), args ? "?" : "", args ? args : "",
	                   NULL);
}

/* "METHOD target PROTOCOL" (no protocol: HTTP/0.9; httpd rebuilds the line with single spaces) without the
 * token's parameter. */
static char *line_without_token(apr_pool_t *p, char *line)
{
	const char *sp = line ? strchr(line, ' ') : NULL;
	if (!sp)
		return line;
	const char *end = strrchr(line, ' ');
	if (end == sp)
		end = line + strlen(line);
	const char *target = apr_pstrmemdup(p, sp + 1, (apr_size_t)(end - sp - 1));
	return apr_pstrcat(p, apr_pstrmemdup(p, line, (apr_size_t)(sp + 1 - line)), target_without_token(p, target),
	                   end, NULL);
}

/* What a shared cache must not keep: an answer to a token that is not in an Authorization header (a cache
 * keeps no answer to one, RFC 9111 3.5), whose key holds no token (stripped from the query) or not this one
 * (a cookie): RFC 6750 2.3's private, and mod_cache's no_cache, for the request and those it is part of. The
 * query's token is also kept off the Referer of what the answer's page loads. */
static void keep_private(request_rec *r, bool query)
{
	for (request_rec *x = r; x; x = x->main) {
		x->no_cache = 1;
		if (!apr_table_get(x->notes, "mod_auth0:private")) {
			apr_table_setn(x->notes, "mod_auth0:private", "1");
			apr_table_mergen(x->err_headers_out, "Cache-Control", "private");
		}
		if (query)
			apr_table_setn(x->err_headers_out, "Referrer-Policy", "no-referrer");
	}
}

/*
 * A token in the query leaves the request as soon as the request's location is known (translate_name,
 * first of its hooks: httpd walks the <Location> sections just before), and for every request there, whatever
 * comes of it: before mod_proxy and mod_rewrite make a backend's URL of the query (ProxyPass nocanon, a
 * rewrite [P,NE]), before a Require that needs no user (Require ip, all granted) or a CORS preflight lets the
 * request through without authentication, before any error page. It leaves the query and target that CGIs,
 * rewrites, caches and proxied requests get, the request line that access logs print (%r) and mod_status
 * shows, and the same of the requests an internal redirect came from. What is taken is kept in the request's
 * state for read_token. Only what sees the request before this (mod_log_forensic, httpd's own trace of the
 * request line, its error-log line of a path it refuses) can see it; strip_unmapped takes it out of a
 * request refused before it got here.
 */
static void take_query_token(request_rec *r)
{
	a0m_request_state *st = a0m_request_state_get(r);
	if (st->query_token_taken)
		return;
	st->query_token_taken = true;
	int removed = 0, alike = 0;
	char *rest = a0m_query_without(r->pool, r->args, TOKEN_PARAM, &removed, &alike);
	if (!removed && !alike)
		return;
	st->query_lookalike = alike > 0;
	keep_private(r, true);
	if (removed) {
		static const char *const names[] = { TOKEN_PARAM };
		const char *value[1];
		int count[1], others;
		bool decodes = a0m_query_params(r, names, 1, value, count, &others);
		st->query_token_pairs = removed;
		st->query_token_malformed = !decodes || count[0] != removed;
		st->query_token = removed == 1 && !st->query_token_malformed ? value[0] : NULL;
	}

	r->args = rest;
	r->parsed_uri.query = rest;
	r->unparsed_uri = target_without_token(r->pool, r->unparsed_uri);
	/* a forward proxy's request (absolute-form target): mod_proxy took the target as it came */
	if (r->proxyreq == PROXYREQ_PROXY)
		r->uri = target_without_token(r->pool, r->uri);
	if (r->filename && strncmp(r->filename, "proxy:", 6) == 0)
		r->filename = target_without_token(r->pool, r->filename);
	for (request_rec *q = r; q; q = q->prev) {
		q->the_request = line_without_token(r->pool, q->the_request);
		if (q != r) {
			q->args = a0m_query_without(r->pool, q->args, TOKEN_PARAM, &removed, &alike);
			q->parsed_uri.query = q->args;
			q->unparsed_uri = target_without_token(r->pool, q->unparsed_uri);
		}
	}
	/* mod_status shows the line it copied as the request was read, for as long as the request lasts */
	if (!r->main)
		ap_update_child_status(r->connection->sbh, SERVER_BUSY_WRITE, r);
}

/*
 * A request that httpd refused before it mapped its URL (a bad request line or header, a path above the root,
 * an encoded slash with AllowEncodedSlashes Off) has no location, so no Auth0BearerTokenFrom took a token out
 * of it. Where any location reads tokens from the query, its token leaves it all the same: before its
 * ErrorDocument's handler (a CGI or PHP page gets REQUEST_URI from the first request's line, and
 * REDIRECT_QUERY_STRING), and before the access log (mod_log_config's hook is in the middle) and mod_status
 * see its line. first is that request; the requests of its chain (ErrorDocuments) follow it. status: the
 * worker's, for mod_status.
 */
static void strip_unmapped(request_rec *first, int status)
{
	char *line = line_without_token(first->pool, first->the_request);
	if (!first->the_request || strcmp(line, first->the_request) == 0)
		return;
	for (request_rec *x = first; x; x = x->next) {
		x->the_request = line_without_token(first->pool, x->the_request);
		x->args = a0m_query_without(first->pool, x->args, TOKEN_PARAM, &(int){ 0 }, &(int){ 0 });
		x->parsed_uri.query = x->args;
		x->unparsed_uri = target_without_token(first->pool, x->unparsed_uri);
		const char *redirected = apr_table_get(x->subprocess_env, "REDIRECT_QUERY_STRING");
		if (redirected) {
			const char *rest = a0m_query_without(first->pool, redirected, TOKEN_PARAM, &(int){ 0 }, &(int){ 0 });
			apr_table_setn(x->subprocess_env, "REDIRECT_QUERY_STRING", rest ? rest : "");
		}
	}
	ap_update_child_status(first->connection->sbh, status, first);
}

static int translate_query_token(request_rec *r)
{
	if (!a0m_conf_query_tokens_read())
		return DECLINED;
	a0m_request_state_get(r)->url_mapped = true;
	if (r->prev) {
		request_rec *first = r->prev;
		while (first->prev)
			first = first->prev;
		if (!a0m_request_state_get(first)->url_mapped)
			strip_unmapped(first, SERVER_BUSY_WRITE);
	}
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (c && c->domain && r->args && (a0m_conf_bearer_from(c) & A0M_TOKEN_FROM_QUERY))
		take_query_token(r);
	return DECLINED;
}

/* The last chance for a request that was never mapped (strip_unmapped). */
static int log_unmapped_request(request_rec *r)
{
	if (a0m_conf_query_tokens_read() && !a0m_request_state_get(r)->url_mapped)
		strip_unmapped(r, SERVER_BUSY_LOG);
	return DECLINED;
}

/* The query's access_token (Auth0BearerTokenFrom query). */
static token_read query_token(request_rec *r, const char **token, const char **why)
{
	take_query_token(r); /* done at translate_name, unless the request had no query then */
	const a0m_request_state *st = a0m_request_state_get(r);
	if (!st->query_token_pairs)
		return TOKEN_NONE;
	if (st->query_token_malformed || st->query_token_pairs > 1) {
		*why = st->query_token_pairs > 1 ? "The request has more than one access_token parameter"
		                                 : "The query has a parameter that does not decode";
		return TOKEN_MALFORMED;
	}
	if (!*st->query_token) {
		*why = "The access_token parameter is empty";
		return TOKEN_MALFORMED;
	}
	*token = st->query_token;
	return TOKEN_OK;
}

/* The token cookie (Auth0BearerTokenFrom cookie:NAME). A browser sends a cookie with a cross-site page's
 * requests too (unless it is SameSite): a token taken from one would let any site act as the user (request
 * forgery, WebSocket hijacking). So it is read only from requests that come from this origin's pages, or that
 * say nothing of where they come from (an older browser's navigation, a client other than a browser) and
 * whose method (the browser's, before any internal redirect or sub-request made it a GET) is GET or HEAD.
 * Two cookies of that name (one set for a parent domain by another host of the site, say) are refused: which
 * one the browser meant cannot be told. So is a cookie a backend may read as that one (api.token or API_TOKEN
 * beside api_token: PHP keeps the first of the two it reads as one name). */
typedef struct cookie_count {
	apr_pool_t *pool;
	const char *name;
	size_t name_len;
	const char *read_as; /* the name as backends read it (a0m_name_as_backends_read) */
	size_t read_as_len;
	int n, lookalikes;
} cookie_count;

static void count_cookie(const char *name, size_t name_len, const char *value, size_t value_len, void *arg)
{
	(void)value;
	(void)value_len;
	cookie_count *cc = arg;
	if (name_len == cc->name_len && memcmp(name, cc->name, name_len) == 0) {
		cc->n++;
		return;
	}
	/* a name read another way is never longer than as sent */
	if (name_len < cc->read_as_len)
		return;
	const char *read_as = a0m_name_as_backends_read(apr_pstrmemdup(cc->pool, name, name_len));
	if (read_as && strcmp(read_as, cc->read_as) == 0)
		cc->lookalikes++;
}

static token_read cookie_token(request_rec *r, const a0m_dir_conf *c, const char **token, const char **why)
{
	const char *header = apr_table_get(r->headers_in, "Cookie");
	size_t len = 0;
	const char *v = a0m_cookie_header_find(header, c->bearer_cookie, &len);
	if (!v)
		return TOKEN_NONE;
	/* the browser's method: of its request line (an ErrorDocument runs its page with the request's method
	 * set to GET for the while, and sub-requests are GETs) */
	const request_rec *first = r;
	while (first->main || first->prev)
		first = first->main ? first->main : first->prev;
	const char *line = first->the_request ? first->the_request : "";
	const char *method = apr_pstrmemdup(r->pool, line, strcspn(line, " "));
	a0m_request_from from = a0m_origin_request_from(r, a0m_origin_get(r, c));
	bool safe = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (from == A0M_FROM_ELSEWHERE || (from == A0M_FROM_UNKNOWN && !safe)) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: the token cookie %s of a %s request %s not used",
		              c->bearer_cookie, ap_escape_logitem(r->pool, method),
		              from == A0M_FROM_ELSEWHERE ? "from another site" : "of unknown origin");
		return TOKEN_NONE;
	}
	const char *read_as = a0m_name_as_backends_read(apr_pstrdup(r->pool, c->bearer_cookie));
	cookie_count cc = { r->pool, c->bearer_cookie, strlen(c->bearer_cookie), read_as, strlen(read_as), 0, 0 };
	a0m_cookie_header_walk(header, count_cookie, &cc);
	if (cc.n > 1 || cc.lookalikes) {
		*why = cc.n > 1 ? "The request has more than one token cookie"
		                : "The request has a cookie that a backend may read as the token cookie";
		return TOKEN_MALFORMED;
	}
	if (!len)
		return TOKEN_NONE;
	*token = apr_pstrmemdup(r->pool, v, len);
	return TOKEN_OK;
}

/* The request's token, from where Auth0BearerTokenFrom says (*source: which, A0M_TOKEN_FROM_*). A client
 * uses one way (RFC 6750 section 2): a header and a query parameter together are refused. The cookie, which a
 * browser sends with every request, stands in only for a token the request does not carry otherwise. */
static token_read read_token(request_rec *r, const a0m_dir_conf *c, const char **token, const char **why,
                             int *source)
{
	int from = a0m_conf_bearer_from(c);
	*source = A0M_TOKEN_FROM_HEADER;
	const char *q = NULL;
	token_read in_query = from & A0M_TOKEN_FROM_QUERY ? query_token(r, &q, why) : TOKEN_NONE;
	token_read got = TOKEN_NONE;
	if (from & (A0M_TOKEN_FROM_HEADER | A0M_TOKEN_FROM_BASIC)) {
		got = header_token(r, from, token, why, source);
		if (got == TOKEN_MALFORMED || got == TOKEN_DPOP)
			return got;
	}
	if (in_query == TOKEN_MALFORMED)
		return in_query;
	if (in_query == TOKEN_OK) {
		if (got == TOKEN_OK) {
			*why = "The request carries a token both in the Authorization header and in the query";
			return TOKEN_MALFORMED;
		}
		*token = q;
		*source = A0M_TOKEN_FROM_QUERY;
		got = TOKEN_OK;
	} else if (got != TOKEN_OK && (from & A0M_TOKEN_FROM_COOKIE)) {
		got = cookie_token(r, c, token, why);
		*source = A0M_TOKEN_FROM_COOKIE;
	}
	/* taken out of the query, as the token: the module would check one token and a backend act on another,
	 * or a client meant it for the token */
	if ((got == TOKEN_OK || got == TOKEN_NONE) && (from & A0M_TOKEN_FROM_QUERY) &&
	    a0m_request_state_get(r)->query_lookalike) {
		*why = "The query has a parameter that a backend may read as access_token";
		return TOKEN_MALFORMED;
	}
	return got;
}

/* The token's syntax (RFC 6750 b64token), checked when it is not in the memo (a token equal to one that
 * was validated needs no check: a check per byte cost more than the rest of such a request). */
static bool token_syntax_ok(const char *t, const char **why)
{
	if (is_b64token(t))
		return true;
	*why = strchr(t, ',') ? "The request has more than one Authorization header or token"
	                      : "The bearer token has characters that are not allowed";
	return false;
}

/* ---- validation ----------------------------------------------------------------------------------- */

/* A list's values, each after a space (none contains one: the directives refuse them). */
static const char *joined(apr_pool_t *p, const char **list)
{
	const char *out = "";
	for (; list && *list; list++)
		out = apr_pstrcat(p, out, " ", *list, NULL);
	return out;
}

/* What a token's outcome depends on besides the token: another location may expect another audience,
 * organization, leeway, signing algorithm or extra issuers and audiences, name the user by another claim
 * or Auth0UserClaim expression, or pass other claims (Auth0PassClaims). None of these contains a line break
 * (a configuration line cannot). */
static const char *validation_context(request_rec *r, const a0m_dir_conf *c)
{
	return apr_pstrcat(r->pool, c->domain, "\n", c->audience, "\n", c->organization ? c->organization : "", "\n",
	                   apr_itoa(r->pool, a0m_conf_leeway(c)), "\n", a0m_conf_user_rule(c), "\n",
	                   a0m_conf_bearer_alg(c), "\n", joined(r->pool, c->bearer_issuers), "\n",
	                   joined(r->pool, c->bearer_audiences), "\n", c->pass_claims ? c->pass_claims : "", NULL);
}

/* The shared-cache key: a hash of the context and the token (the key reveals neither). Its version changes
 * with what an entry means, since hosts of another version share a redis or memcache cache during an
 * upgrade: v2 since tokens with a cnf claim are refused (v1 entries may hold such tokens as valid), v3 since
 * a claim named Access-Token-Expires is left out of the identity block (v2 blocks may pass it). */
static const char *shared_key(request_rec *r, const char *context, const char *token, char **hex)
{
	const char *material = apr_pstrcat(r->pool, "bearer v3\n", context, "\n", token, NULL);
	*hex = a0m_sha256_hex(r->pool, material, strlen(material));
	return apr_pstrcat(r->pool, A0M_NS_BEARER, *hex, NULL);
}

static int validate(request_rec *r, const a0m_dir_conf *c, const char *token, outcome *o)
{
	auth0_client *client = a0m_app_client(r, c);
	if (!client)
		return HTTP_INTERNAL_SERVER_ERROR; /* logged by app.c */
	auth0_access_token_options opts = { 0 };
	opts.audience = c->audience;
	opts.audiences = c->bearer_audiences;
	opts.issuers = c->bearer_issuers;
	opts.organization = c->organization;
	opts.leeway = AUTH0_INT(a0m_conf_leeway(c));
	const char *const algorithms[] = { a0m_conf_bearer_alg(c), NULL };
	opts.algorithms = algorithms;
	json_t *claims = NULL;
	auth0_error *err = NULL;
	auth0_status st = auth0_access_token_validate(client, token, &opts, &claims, &err);
	if (st != AUTH0_OK) {
		int rc;
		const char *msg = err && err->message ? err->message : auth0_status_name(st);
		if (auth0_error_is_transient(err)) {
			/* no keys (the tenant is unreachable) or the like: the token is not known to be bad */
			ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: cannot validate bearer tokens now: %s", msg);
			rc = HTTP_SERVICE_UNAVAILABLE;
		} else if (st == AUTH0_ERR_INVALID_TOKEN) {
			ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: bearer token refused (%s): %s",
			              auth0_token_rule_name(err->rule), msg);
			rc = challenge(r, c, HTTP_UNAUTHORIZED, "invalid_token", describe(err->rule));
		} else {
			ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: bearer token validation failed: %s", msg);
			rc = HTTP_INTERNAL_SERVER_ERROR;
		}
		auth0_error_free(err);
		return rc;
	}
	int rc = OK;
	json_t *exp = json_object_get(claims, "exp");
	const char *binding = auth0_access_token_binding(claims);
	if (binding) {
		/* refused here, before anything is cached: no cache ever holds such a token as valid */
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: bearer token refused: it is sender-constrained "
		              "(a cnf claim: %s), which this module does not check", binding);
		json_decref(claims);
		return challenge(r, c, HTTP_UNAUTHORIZED, "invalid_token", BOUND_TOKEN);
	}
	o->user = a0m_claims_user(r->pool, c, claims);
	o->block = a0m_claims_render_except(r->pool, claims, a0m_conf_bearer_claim_filter(c));
	char *text = json_dumps(claims, JSON_COMPACT);
	o->claims = text ? apr_pstrdup(r->pool, text) : NULL;
	free(text);
	if (!o->block || !o->claims) {
		rc = HTTP_INTERNAL_SERVER_ERROR; /* out of memory */
	} else if (!json_is_integer(exp)) {
		rc = challenge(r, c, HTTP_UNAUTHORIZED, "invalid_token", "The access token has no expiry");
	} else if (!o->user) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: bearer token refused: no usable %s claim "
		              "(Auth0UserClaim)", a0m_conf_user_claim(c));
		rc = challenge(r, c, HTTP_UNAUTHORIZED, "invalid_token", "The access token does not name a user");
	} else {
		/* exp is the token's number, validated but of any size: saturate (found by fuzzing) */
		json_int_t e = json_integer_value(exp), leeway = a0m_conf_leeway(c);
		o->valid_until = e > INT64_MAX - leeway ? INT64_MAX : e + leeway;
	}
	json_decref(claims);
	return rc;
}

/* How long an outcome validated now may be used without validating the token again. */
static int64_t trust_until(const outcome *o, int64_t now)
{
	return o->valid_until < now + BEARER_CACHE_MAX ? o->valid_until : now + BEARER_CACHE_MAX;
}

static int respond_missing(request_rec *r, const a0m_dir_conf *c)
{
	if (c->unauthenticated == A0M_UNAUTH_PASS) {
		/* Auth0Unauthenticated pass: on without an identity. httpd's core refuses OK without a user, so
		 * the user is empty (as for sessions): Require valid-user lets it pass, Require auth0-* do not. */
		r->user = "";
		return OK;
	}
	return challenge(r, c, HTTP_UNAUTHORIZED, NULL, NULL);
}

int a0m_bearer_authenticate(request_rec *r, const a0m_dir_conf *c)
{
	const char *token = NULL, *why = NULL;
	int source;
	switch (read_token(r, c, &token, &why, &source)) {
	case TOKEN_NONE:
		return respond_missing(r, c);
	case TOKEN_MALFORMED:
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: %s", why);
		return challenge(r, c, HTTP_BAD_REQUEST, "invalid_request", why);
	case TOKEN_DPOP:
		/* refused even with Auth0Unauthenticated pass: credentials were sent, and cannot be honoured */
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: Authorization scheme DPoP refused (not supported)");
		return challenge(r, c, HTTP_UNAUTHORIZED, "invalid_token", DPOP_SCHEME);
	case TOKEN_OK:
		break;
	}

	const char *context = validation_context(r, c);
	int64_t now = (int64_t)apr_time_sec(apr_time_now());
	outcome o;
	memset(&o, 0, sizeof(o));
	if (local_get(r->pool, token, context, now, &o)) {
		ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: bearer token from the process cache");
	} else {
		if (!token_syntax_ok(token, &why)) {
			ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: %s", why);
			return challenge(r, c, HTTP_BAD_REQUEST, "invalid_request", why);
		}
		char *hex = NULL;
		const char *ckey = shared_key(r, context, token, &hex);
		if (shared_get(r, c, ckey, now, &o)) {
			ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: bearer token %.8s: from the shared cache",
			              hex);
		} else {
			int rc = validate(r, c, token, &o);
			if (rc != OK)
				return rc;
			ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: bearer token %.8s: validated", hex);
			o.trusted_until = trust_until(&o, now);
			shared_put(r, c, ckey, &o);
		}
		local_put(r, c, token, context, o.trusted_until, &o);
	}

	r->user = (char *)o.user;
	a0m_request *rq = a0m_request_get(r, true);
	rq->source = "bearer";
	rq->conf = c;
	rq->access_claims_text = o.claims;
	rq->access_token = token;
	if (source == A0M_TOKEN_FROM_QUERY || source == A0M_TOKEN_FROM_COOKIE)
		keep_private(r, source == A0M_TOKEN_FROM_QUERY);
	/* what backends get of a Basic password: the token as Bearer, without the client's own user name (which
	 * mod_php and PHP-FPM would take for the user, and a proxied backend read) */
	if (source == A0M_TOKEN_FROM_BASIC)
		apr_table_setn(r->headers_in, "Authorization", apr_pstrcat(r->pool, "Bearer ", token, NULL));
	/* the token's exp: what valid_until holds, less the leeway it was given (when it did not saturate) */
	int64_t leeway = a0m_conf_leeway(c);
	a0m_claims_apply_ready(r, c, o.ready, o.block, token,
	                       o.valid_until < INT64_MAX && o.valid_until > leeway ? o.valid_until - leeway : 0);
	return OK;
}

/* ---- hooks ------------------------------------------------------------------------------------------ */

/* A valid token that a Require denied (or, with Auth0Unauthenticated pass, no token where one is needed). */
static int note_auth_failure(request_rec *r, const char *type)
{
	if (!type || strcasecmp(type, A0M_AUTHTYPE_BEARER) != 0)
		return DECLINED;
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (!r->user || !*r->user) {
		challenge(r, c, HTTP_UNAUTHORIZED, NULL, NULL);
		return OK;
	}
	const char *scopes = apr_table_get(r->notes, A0M_NOTE_SCOPE_DENIED);
	const char *v = apr_pstrcat(r->pool, "Bearer realm=", realm(r, c), ", error=\"insufficient_scope\", "
	                            "error_description=\"The access token does not grant access to this resource\"",
	                            scopes ? ", scope=" : "", scopes ? quoted(r->pool, scopes) : "", NULL);
	apr_table_setn(r->err_headers_out, "WWW-Authenticate", v);
	return OK;
}

static int post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
	(void)pconf;
	(void)plog;
	(void)ptemp;
	if (RAND_bytes(fallback_key.key, sizeof(fallback_key.key)) != 1) {
		ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "mod_auth0: no random bytes for the bearer cache key");
		return HTTP_INTERNAL_SERVER_ERROR;
	}
	fallback_key.id = fallback_key.key[0];
	return OK;
}

void a0m_bearer_register(apr_pool_t *p)
{
	(void)p;
	ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_note_auth_failure(note_auth_failure, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_translate_name(translate_query_token, NULL, NULL, APR_HOOK_REALLY_FIRST);
	ap_hook_log_transaction(log_unmapped_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
}
