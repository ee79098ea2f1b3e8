/*
 * Auth0PreservePost: a form POST that needs a login is kept across it.
 *
 * Without the directive a POST without a session gets 401 (login.c): a
 * browser cannot carry a request body through the redirects to the login
 * page and back, and a user whose session ended while filling in a form
 * loses what they typed. With it, such a POST starts a login like a page
 * visit does, and its body waits in the shared cache (sealed with the
 * transaction key, under a hash of the login's state) until the callback of
 * that login takes it, once. The callback then answers with a page that
 * posts the same fields to the same URL: a script allowed by this
 * response's CSP nonce submits it, and a button does without script.
 *
 * Only what can be posted again exactly is kept: a form body
 * (application/x-www-form-urlencoded; not multipart, whose files a page
 * cannot rebuild) of at most the configured size, that decodes to UTF-8
 * text (the page that posts it again is UTF-8), with no line break but
 * CRLF and no _charset_ field but "UTF-8" (a browser would change those:
 * postable()). Anything else keeps the 401.
 *
 * Only a POST from a page of this site is kept (its Origin header, or
 * Sec-Fetch-Site: same-origin when a browser sends no Origin). The session
 * cookie is SameSite=Lax: another site's forged form arrives without a
 * session, and keeping it would have the login (silent when the tenant
 * remembers the user) post it again with the session. Cross-site POSTs keep
 * their 401.
 *
 * A body that the callback no longer finds (evicted, the login took longer
 * than Auth0LoginTimeout, or with shmcb the callback reached another host)
 * is logged and the login lands on the page by GET, as one without a form.
 *
 * The Origin check stops browsers, not scripts: anyone can POST forms that
 * start logins never finished. So that such forms cannot push sessions,
 * logout markers and used states out of the shared cache, each host keeps
 * at most BUDGET bytes of them per period of the longest Auth0LoginTimeout
 * of the configuration (a count in shared memory, like the metrics; a form
 * lives at most that long, so no more than two periods' worth are in the
 * cache at once); past it, forms get the 401 of before until the period
 * ends, and the refusal is logged and counted. Each form is charged what
 * the cache gives it: its sealed bytes, its key, and ENTRY_COST for its place
 * in the cache's index, which a flood of empty forms would fill long before
 * their bytes came near the budget (shmcb evicts the oldest entries, sessions
 * in use, when its index is full as when its data is).
 */
#include "mod_auth0.h"

#include <apr_atomic.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include <jansson.h>

/* Kept form bytes per host per period: an eighth of the default shmcb (cache.c). */
#define BUDGET (1024 * 1024)
/* What an entry costs the cache beside its key and bytes: cache.c's hint of an entry's size, by which shmcb
 * sizes its index (so at most BUDGET / ENTRY_COST forms a period, about 2,000, against the default cache's
 * 15,000 entries). */
#define ENTRY_COST 512

/*
 * The account, in anonymous shared memory made in post_config: one 64-bit word, the start of the current
 * period (seconds, high 32 bits) and the bytes kept in it (low 32 bits), changed by compare-and-swap so that
 * every process and thread of the host counts in it.
 */
static apr_uint64_t *account;

void a0m_post_post_config(apr_pool_t *pconf, server_rec *s)
{
	apr_shm_t *shm = NULL;
	apr_status_t rv = apr_shm_create(&shm, sizeof(*account), NULL, pconf);
	if (rv != APR_SUCCESS) {
		/* without it no form is kept: a cache that anyone could fill is worse than a 401 */
		ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
		             "mod_auth0: no shared memory to account for kept forms: Auth0PreservePost keeps none");
		account = NULL;
		return;
	}
	account = apr_shm_baseaddr_get(shm);
	*account = 0;
}

/* Takes len bytes from this period's budget; false when they are not left. */
static bool take_from_budget(request_rec *r, apr_size_t len)
{
	if (!account || len > BUDGET)
		return false;
	apr_uint64_t now = (apr_uint64_t)apr_time_sec(r->request_time) & 0xffffffffu;
	apr_uint64_t period = (apr_uint64_t)a0m_conf_longest_login_timeout();
	for (;;) {
		apr_uint64_t was = apr_atomic_read64(account);
		apr_uint64_t start = was >> 32, used = was & 0xffffffffu;
		if (now - start >= period || now < start) { /* a new period (or the clock went back) */
			start = now;
			used = 0;
		}
		if (used + len > BUDGET)
			return false;
		apr_uint64_t next = start << 32 | (used + len);
		if (apr_atomic_cas64(account, next, was) == was)
			return true;
	}
}

static const char *cache_key(apr_pool_t *p, const char *state)
{
	return apr_pstrcat(p, A0M_NS_POST, a0m_sha256_hex(p, state, strlen(state)), NULL);
}

static bool is_form(request_rec *r)
{
	static const char FORM[] = "application/x-www-form-urlencoded";
	const char *type = apr_table_get(r->headers_in, "Content-Type");
	size_t n = type ? strcspn(type, "; \t") : 0;
	return n == sizeof(FORM) - 1 && strncasecmp(type, FORM, n) == 0;
}

/*
 * Posted by a page of this site: Origin (sent with every POST by today's browsers) names this origin; or,
 * without it or with "null" (what a page with Referrer-Policy no-referrer sends), the browser's
 * Sec-Fetch-Site says same-origin (a sandboxed frame's is cross-site).
 */
static bool from_this_site(request_rec *r, const a0m_origin *o)
{
	const char *origin = apr_table_get(r->headers_in, "Origin");
	if (origin && strcmp(origin, "null") != 0)
		return strcasecmp(origin, a0m_origin_base(r, o)) == 0;
	const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
	return site && strcasecmp(site, "same-origin") == 0;
}

/* Whether every CR and LF of s is in a CRLF pair: a browser submits any other line break as CRLF (the
 * HTML standard normalizes them when it builds a form's entry list), so that a lone one is not posted
 * again as it came. */
static bool crlf_only(const char *s)
{
	for (const char *p = s + strcspn(s, "\r\n"); *p; p += 1 + strcspn(p + 1, "\r\n"))
		if ((*p == '\r' && p[1] != '\n') || (*p == '\n' && (p == s || p[-1] != '\r')))
			return false;
	return true;
}

/*
 * Whether the browser posts the fields again as they came: every name and value is UTF-8 text (jansson's
 * check: a JSON string must be), every field has a name (a browser leaves out a field without one), line
 * breaks are CRLF (crlf_only), and a hidden field named _charset_ (any case) holds "UTF-8", what a browser
 * replaces its value with on the page that posts it again.
 */
static bool postable(const apr_array_header_t *pairs)
{
	for (int i = 0; i < pairs->nelts; i++) {
		const a0m_pair *pair = &APR_ARRAY_IDX(pairs, i, a0m_pair);
		if (!*pair->name || !crlf_only(pair->name) || !crlf_only(pair->value) ||
		    (strcasecmp(pair->name, "_charset_") == 0 && strcmp(pair->value, "UTF-8") != 0))
			return false;
		json_t *name = json_string(pair->name), *value = json_string(pair->value);
		bool ok = name && value;
		json_decref(name);
		json_decref(value);
		if (!ok)
			return false;
	}
	return true;
}

static int not_kept(request_rec *r, const char *why)
{
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: a form POST to %s that needs a login is not kept "
	              "(Auth0PreservePost): %s", ap_escape_logitem(r->pool, r->uri), why);
	return DECLINED;
}

int a0m_post_capture(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const char *original_url,
                     const char **body)
{
	*body = NULL;
	int max = a0m_conf_preserve_post(c);
	if (!max || r->method_number != M_POST || !ap_is_initial_req(r))
		return DECLINED;
	if (!is_form(r))
		return not_kept(r, "not a form body (application/x-www-form-urlencoded)");
	if (!from_this_site(r, o))
		return not_kept(r, "not posted from a page of this site (Origin)");
	/* posted again where it was sent, or not at all (a login lands elsewhere when this is not a safe path) */
	const char *landing = original_url ? a0m_redirect_local(r->pool, original_url) : NULL;
	if (!landing)
		return not_kept(r, "its URL cannot be a login's landing page");
	if (strlen(landing) > A0M_LANDING_MAX)
		return not_kept(r, apr_psprintf(r->pool, "its URL is longer than %d bytes, which a login cannot keep "
		                                         "(it would post it to another)", A0M_LANDING_MAX));
	char *text = NULL;
	apr_size_t len = 0;
	int rc = a0m_read_body(r, (apr_size_t)max, &text, &len);
	if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE)
		return not_kept(r, apr_psprintf(r->pool, "larger than %d bytes, or than LimitRequestBody", max));
	if (rc != OK)
		return rc;
	apr_array_header_t *pairs;
	if (memchr(text, '\0', len) || !a0m_form_pairs(r->pool, text, &pairs) || !postable(pairs))
		return not_kept(r, "the form does not decode to named fields of UTF-8 text that a browser posts again "
		                   "as it is (a line break other than CRLF, a _charset_ other than UTF-8)");
	*body = text;
	return OK;
}

bool a0m_post_keep(request_rec *r, const a0m_dir_conf *c, const char *state, const char *body)
{
	const char *key = cache_key(r->pool, state);
	size_t len = 0;
	const unsigned char *sealed =
		a0m_seal_raw(r->pool, &c->keys->transaction[0], key, (const unsigned char *)body, strlen(body), &len);
	apr_time_t expires = r->request_time + apr_time_from_sec(a0m_conf_login_timeout(c));
	if (!sealed) {
		not_kept(r, "it could not be sealed");
		return false;
	}
	if (!take_from_budget(r, len + strlen(key) + ENTRY_COST)) {
		a0m_metric(A0M_POST_REFUSED);
		not_kept(r, apr_psprintf(r->pool, "this host keeps at most %d bytes of forms (%d for each, beside "
		                                  "its own) per %d s, the longest Auth0LoginTimeout, and they are "
		                                  "taken (many logins begun with a form, and not finished)",
		                         BUDGET, ENTRY_COST, a0m_conf_longest_login_timeout()));
		return false;
	}
	if (a0m_cache_set(r->server, key, sealed, len, expires, r->pool) != APR_SUCCESS) {
		not_kept(r, "the shared cache did not take it");
		return false;
	}
	a0m_metric(A0M_POST_KEPT);
	return true;
}

int a0m_post_repost(request_rec *r, const a0m_dir_conf *c, const a0m_transaction *t, const char *action)
{
	/* made first: a form taken from the cache is posted again, or lost */
	const char *nonce = a0m_random_token(r->pool, 18);
	if (!nonce)
		return DECLINED;
	const char *key = cache_key(r->pool, t->state);
	unsigned char *sealed = NULL;
	size_t sealed_len = 0, len = 0;
	apr_status_t rv = a0m_cache_get(r->server, key, &sealed, &sealed_len, r->pool);
	if (rv == APR_SUCCESS)
		a0m_cache_remove(r->server, key, r->pool); /* once: the state was used, this is its only callback */
	const unsigned char *body =
		rv == APR_SUCCESS ? a0m_open_raw(r->pool, c->keys->transaction, c->keys->count, key, sealed, sealed_len, &len)
		                  : NULL;
	apr_array_header_t *pairs = NULL;
	if (!body || !a0m_form_pairs(r->pool, (const char *)body, &pairs)) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, rv == APR_NOTFOUND ? 0 : rv, r,
		              "mod_auth0: the form posted to %s before the login is %s: the login lands there by GET",
		              ap_escape_logitem(r->pool, action),
		              rv == APR_NOTFOUND ? "no longer in the cache (evicted, expired, or kept by another host)"
		                                 : "not readable");
		a0m_metric(A0M_POST_LOST);
		return DECLINED;
	}
	a0m_metric(A0M_POST_REPOSTED);
	return a0m_page_repost(r, action, pairs, nonce);
}
