/*
 * Login transactions: what the callback needs to finish a login (state,
 * nonce, PKCE verifier, redirect URI, original URL, start time), sealed with
 * the transaction key into a cookie of its own, named after a hash of its
 * state: __Host-auth0_txn_<16 hex>. Each tab that starts a login has its own,
 * so logins in several tabs all complete.
 *
 * The cookie lives Auth0LoginTimeout (Max-Age) and is deleted by the
 * callback that uses it. Before a new one is set, the browser's others are
 * checked: damaged or expired ones are deleted, and when
 * Auth0MaxLoginTransactions are still pending, or they would take more than
 * TXN_BUDGET bytes with the new one, the oldest go, so that a browser never
 * carries more than that (a user who opened too many tabs loses the oldest
 * login, never gets an error).
 *
 * The budget is for the browser's sake: it sends every pending transaction
 * cookie with every request to the site, and httpd answers 400 to a Cookie
 * header over LimitRequestFieldSize (8190 bytes by default) before any
 * module runs, at the callback and the logout path too. Another site can
 * start logins here (top-level navigations to long URLs of this one, again
 * and again): counted only, five cookies of 4 KB each would lock the browser
 * out of this site until they expire. Half the default limit is theirs; the
 * rest is the session's and the site's own. One cookie is at most
 * TXN_COOKIE_MAX bytes (login.c cuts the page to come back to to
 * A0M_LANDING_MAX, and a longer one is refused), so a new login always fits.
 *
 * The state is also sealed inside and compared in constant time with the
 * one of the callback, so the name alone decides nothing.
 */
#include "mod_auth0.h"

#include <apr_lib.h>
#include <limits.h>

#define TXN_BASE "auth0_txn_"
/* Deletions of damaged or expired transaction cookies per response: a browser that sends thousands (its
 * own doing: other sites cannot plant __Host- cookies) loses them over several responses instead of
 * getting one with hundreds of KB of Set-Cookie. */
#define PRUNE_MAX 32
/* Bytes of Cookie header (name=value; ) of one transaction, and of all the pending ones (see the top). */
#define TXN_COOKIE_MAX 2048
#define TXN_BUDGET 4096

enum {
	T_CREATED = 1, T_STATE, T_NONCE, T_VERIFIER, T_REDIRECT, T_ORIGINAL, T_ORGANIZATION, T_STEP_UP, T_POST,
	T_MAX_AGE, T_SILENT
};

const char *a0m_transaction_cookie_prefix(request_rec *r, const a0m_origin *o)
{
	return a0m_cookie_host_spec(r, o, TXN_BASE).name;
}

static const char *cookie_base(apr_pool_t *p, const char *state)
{
	return apr_pstrcat(p, TXN_BASE, apr_pstrndup(p, a0m_sha256_hex(p, state, strlen(state)), 16), NULL);
}

static const char *seal_transaction(request_rec *r, const a0m_dir_conf *c, const char *name,
                                    const a0m_transaction *t)
{
	a0m_codec *w = a0m_codec_new(r->pool, 512);
	a0m_codec_int(w, T_CREATED, t->created);
	a0m_codec_str(w, T_STATE, t->state);
	a0m_codec_str(w, T_NONCE, t->nonce);
	a0m_codec_str(w, T_VERIFIER, t->verifier);
	a0m_codec_str(w, T_REDIRECT, t->redirect_uri);
	a0m_codec_str(w, T_ORIGINAL, t->original_url);
	a0m_codec_str(w, T_ORGANIZATION, t->organization);
	a0m_codec_int(w, T_STEP_UP, t->step_up);
	a0m_codec_int(w, T_POST, t->post);
	a0m_codec_int(w, T_MAX_AGE, t->max_age);
	a0m_codec_int(w, T_SILENT, t->silent);
	size_t len;
	const unsigned char *data = a0m_codec_finish(w, false, &len);
	return a0m_seal(r->pool, &c->keys->transaction[0], name, data, len);
}

static a0m_transaction *open_transaction(request_rec *r, const a0m_dir_conf *c, const char *name,
                                         const char *value)
{
	size_t len = 0;
	unsigned char *plain = a0m_open(r->pool, c->keys->transaction, c->keys->count, name, value, &len);
	a0m_decoded d;
	if (!plain || !a0m_codec_decode(r->pool, plain, len, &d) || !d.str[T_STATE] || !d.str[T_NONCE] ||
	    !d.str[T_VERIFIER] || !d.str[T_REDIRECT])
		return NULL;
	a0m_transaction *t = apr_pcalloc(r->pool, sizeof(*t));
	t->created = d.num[T_CREATED];
	t->state = d.str[T_STATE];
	t->nonce = d.str[T_NONCE];
	t->verifier = d.str[T_VERIFIER];
	t->redirect_uri = d.str[T_REDIRECT];
	t->original_url = d.str[T_ORIGINAL];
	t->organization = d.str[T_ORGANIZATION];
	t->step_up = d.num[T_STEP_UP] != 0;
	t->post = d.num[T_POST] != 0;
	t->silent = d.num[T_SILENT] != 0;
	t->max_age = d.num[T_MAX_AGE] > 0 && d.num[T_MAX_AGE] <= INT_MAX ? (int)d.num[T_MAX_AGE] : 0;
	return t;
}

typedef struct pending {
	const char *name;
	int64_t created;
	size_t bytes; /* in the Cookie header: name=value; */
} pending;

static size_t header_bytes(const char *name, const char *value)
{
	return strlen(name) + 1 + strlen(value) + 2;
}

static int by_age(const void *a, const void *b)
{
	int64_t x = ((const pending *)a)->created, y = ((const pending *)b)->created;
	return x < y ? -1 : x > y;
}

/* Whether a cookie name is one cookie_base() makes: the prefix and 16 lower-case hex digits. */
static bool transaction_name(const char *name, size_t prefix_len)
{
	size_t n = 0;
	for (const char *h = name + prefix_len; h[n]; n++)
		if (!apr_isxdigit(h[n]) || apr_isupper(h[n]))
			return false;
	return n == 16;
}

/* Deletes damaged and expired transaction cookies (names of ours only, PRUNE_MAX at most), and the oldest
 * until fewer than the cap remain and a new one of new_bytes fits in TXN_BUDGET with them. */
static void prune(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, size_t new_bytes)
{
	a0m_cookie_spec base = a0m_cookie_host_spec(r, o, TXN_BASE);
	apr_array_header_t *names = a0m_cookie_names(r, base.name);
	if (names->nelts == 0)
		return;
	apr_time_t now = r->request_time;
	apr_time_t timeout = apr_time_from_sec(a0m_conf_login_timeout(c));
	apr_array_header_t *live = apr_array_make(r->pool, names->nelts, sizeof(pending));
	size_t prefix_len = strlen(base.name);
	int deleted = 0;
	size_t total = 0;
	for (int i = 0; i < names->nelts; i++) {
		a0m_cookie_spec s = base;
		s.name = ((const char **)names->elts)[i];
		if (!transaction_name(s.name, prefix_len))
			continue;
		const char *value = a0m_cookie_get(r, s.name);
		a0m_transaction *t = open_transaction(r, c, s.name, value);
		if (!t || t->created + timeout < now || t->created > now + apr_time_from_sec(300)) {
			if (deleted++ < PRUNE_MAX)
				a0m_cookie_set(r, &s, NULL, 0);
			continue;
		}
		pending *p = apr_array_push(live);
		p->name = s.name;
		p->created = t->created;
		p->bytes = header_bytes(s.name, value);
		total += p->bytes;
	}
	int keep = a0m_conf_max_transactions(c) - 1;
	if (live->nelts <= keep && total + new_bytes <= TXN_BUDGET)
		return;
	qsort(live->elts, (size_t)live->nelts, sizeof(pending), by_age);
	int drop = 0;
	while (drop < live->nelts && (live->nelts - drop > keep || total + new_bytes > TXN_BUDGET))
		total -= ((pending *)live->elts)[drop++].bytes;
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
	              "mod_auth0: %d logins were pending in this browser; the oldest %d abandoned "
	              "(Auth0MaxLoginTransactions %d, and %d bytes of their cookies at most)", live->nelts, drop,
	              keep + 1, TXN_BUDGET);
	for (int i = 0; i < drop; i++) {
		a0m_cookie_spec s = base;
		s.name = ((pending *)live->elts)[i].name;
		a0m_cookie_set(r, &s, NULL, 0);
	}
}

int a0m_transaction_save(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const a0m_transaction *t)
{
	a0m_cookie_spec s = a0m_cookie_host_spec(r, o, cookie_base(r->pool, t->state));
	const char *sealed = seal_transaction(r, c, s.name, t);
	if (!sealed) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: cannot seal the login transaction");
		return HTTP_INTERNAL_SERVER_ERROR;
	}
	size_t bytes = header_bytes(s.name, sealed);
	if (bytes > TXN_COOKIE_MAX) {
		/* only what a link brings can make it so large (an organization's name): the page is cut before */
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: a login's transaction cookie would take %" APR_SIZE_T_FMT
		              " bytes, more than %d: not started", bytes, TXN_COOKIE_MAX);
		return HTTP_BAD_REQUEST;
	}
	prune(r, c, o, bytes);
	a0m_cookie_set(r, &s, sealed, a0m_conf_login_timeout(c));
	return OK;
}

a0m_transaction *a0m_transaction_take(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o,
                                      const char *state, const char **why)
{
	a0m_cookie_spec s = a0m_cookie_host_spec(r, o, cookie_base(r->pool, state));
	const char *value = a0m_cookie_get(r, s.name);
	if (!value) {
		*why = "no login transaction cookie for this state (the login was finished or abandoned already, "
		       "started in another browser, or its cookie was blocked)";
		return NULL;
	}
	/* single use: whatever follows, this cookie is gone */
	a0m_cookie_set(r, &s, NULL, 0);
	a0m_transaction *t = open_transaction(r, c, s.name, value);
	if (!t) {
		*why = "the login transaction cookie does not open (damaged, or sealed with a secret no longer "
		       "configured)";
		return NULL;
	}
	if (!a0m_secure_streq(t->state, state)) {
		*why = "the state does not match its login transaction";
		return NULL;
	}
	apr_time_t now = r->request_time;
	if (t->created + apr_time_from_sec(a0m_conf_login_timeout(c)) < now ||
	    t->created > now + apr_time_from_sec(300)) {
		*why = "the login took longer than Auth0LoginTimeout";
		return NULL;
	}
	return t;
}
