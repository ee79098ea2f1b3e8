/*
 * Browser sessions.
 *
 * A session holds what each request needs, in the compact form of codec.c:
 * the user, the times, the identity block for backends (claim_path.h), the
 * ID token's claims as JSON text (parsed only when a Require auth0-* asks),
 * the access token and its claims, the refresh token, the sid, a CSRF token,
 * and the ID token itself only for Auth0LogoutEndpoint oidc (its
 * id_token_hint) or when some Auth0PassIDToken is on (for backends). The
 * identity block and the access token's claims are derived data: the
 * access token's claims are never stored, the identity block only in the
 * cache and when not large; what is not stored is derived again (the
 * claims' JSON parsed) when a process first opens the session (see encode()
 * and the memo below).
 *
 * Stores (Auth0SessionStore):
 *   cookie  the session sealed with the session key, bound to the cookie's
 *           name, in the session cookie (chunked when large, cookies.c);
 *   cache   a random 256-bit id in the cookie ("s." + id); the sealed
 *           session in the shared cache under "s:" + SHA-256(id). When the
 *           cache refuses a session (too large for the provider, or down),
 *           that session goes into the cookie store instead, with a log line.
 * Either form is read whatever the configured store, so switching stores
 * logs nobody out.
 *
 * Per request: one cookie read and one AEAD open (cookie), or one cache
 * read and one open (cache); no key derivation, no network, and no JSON but
 * for what the opening derives. A value this process opened before is not
 * opened again (see the memo below): most requests read their cookie and
 * take the session from the memo.
 *
 * Times (all checked with the configuration of the request's location):
 *   - absolute: created + Auth0SessionMaxDuration;
 *   - inactivity: last_active + Auth0SessionInactivityTimeout, where
 *     last_active moves forward when the session is written back, which
 *     happens only when more than min(10 % of the inactivity timeout, 5 min)
 *     has passed since the last write (so a session may end up to that much
 *     early, in exchange for not rewriting it on every request);
 *   - tokens: an ID token's exp does not limit the session (it only proves
 *     the login); an access token does: Auth0RefreshBeforeExpiry (30 s)
 *     before it expires, or halfway through its life when that comes later,
 *     the refresh token (offline_access) renews it (when the tenant fails
 *     then, the request goes on with the token while it has a few seconds
 *     left: refresh()); without a refresh token, a session that holds an
 *     API access token (Auth0Audience) ends with that token, so that
 *     backends never get an expired token and Require auth0-permission
 *     never reads stale permissions.
 * Cookies expire (Max-Age) when the session would.
 */
#include "mod_auth0.h"
#include "memo.h"

#include <apr_lib.h>
#include <openssl/crypto.h>

/* r->notes: the shared cache could not be read (the session may well exist: keep its cookie) */
#define NOTE_CACHE_FAILED "mod_auth0:session-cache-failed"
#define CACHE_REF "s."
#define ID_BYTES 32
/* How long a refresh result is kept for the concurrent requests of the same session. */
#define REFRESH_SHARE 60
/* The longest a request waits for a refresh of the same session elsewhere (it then answers 503); and a request
 * whose token is still usable (token_usable()), which then goes on with it: a tenant slow to answer another
 * request's renewal (or another session's: the locks are few, shared by hash) need not hold it up for long. */
#define REFRESH_WAIT apr_time_from_sec(30)
#define REFRESH_WAIT_USABLE apr_time_from_sec(2)
/* refresh(): the refresh token was refused, the session ends (OK is 0, so not 0). */
#define REFRESH_REFUSED (-1)
/* refresh(): not renewed now, for a reason of the tenant's (or another request's renewal that ran too long),
 * while the current access token is still usable (token_usable()): the request goes on with it. */
#define REFRESH_DEFERRED (-2)
/* After a renewal failed for a reason of the tenant's, the requests of that session in every process (and,
 * with redis or memcache, on every host) go on with the current token for this long, or the tenant's
 * Retry-After up to REFRESH_BACKOFF_MAX, before one of them asks the tenant again. */
#define REFRESH_BACKOFF 5
#define REFRESH_BACKOFF_MAX 60
/* The least an access token must have left to be passed on when its renewal is deferred: this, or a quarter
 * of its lifetime when that is less (a token of seconds). Not Auth0ClockSkew: its default (60 s) is longer
 * than Auth0RefreshBeforeExpiry's (30 s), and no renewal would ever be deferred. */
#define DEFER_MARGIN 5

/* Tags of the stored form. S_IDENTITY and S_ACCESS_CLAIMS (derived) were written by older versions: they
 * are neither read nor reused. */
enum {
	S_CREATED = 1, S_LAST_ACTIVE, S_HARD_EXPIRY, S_ACCESS_EXPIRES, S_BINDING, S_USER, S_USER_CLAIM, S_SID,
	S_CSRF, S_CLAIMS, S_IDENTITY, S_ACCESS_TOKEN, S_ACCESS_CLAIMS, S_REFRESH, S_ID_TOKEN, S_ORG_ID, S_ORG_NAME,
	S_AUDIENCES, S_CREATED_US, S_MFA, S_AUTH_TIME, S_IDENTITY_BLOCK, S_IDENTITY_FOR, S_ACCESS_LIFETIME, S_CHECKED
};

static int64_t now_sec(request_rec *r)
{
	return apr_time_sec(r->request_time);
}

/*
 * What a session is bound to: the application (client id @ tenant) and the cookie's scope (this host, or
 * Auth0CookieDomain), so that a session made by one site does not open at another that happens to share
 * the application, the secret and the cookie name (mod_auth_openidc compares the cookie domain likewise).
 */
#define BINDING_PARTS 5
static void binding_parts(request_rec *r, const a0m_dir_conf *c, const char *parts[BINDING_PARTS])
{
	const a0m_origin *o = a0m_origin_get(r, c);
	parts[0] = c->client_id ? c->client_id : "";
	parts[1] = "@";
	parts[2] = c->domain ? c->domain : "";
	parts[3] = " ";
	parts[4] = o->secure && c->cookie_domain ? c->cookie_domain : o->host;
}

static const char *binding_of(request_rec *r, const a0m_dir_conf *c)
{
	const char *p[BINDING_PARTS];
	binding_parts(r, c, p);
	return apr_pstrcat(r->pool, p[0], p[1], p[2], p[3], p[4], NULL);
}

/* Whether b is binding_of(r, c), without making it (this runs on every request): the one-character parts
 * are compared in place, the last one to the end of b. */
static bool binding_matches(request_rec *r, const a0m_dir_conf *c, const char *b)
{
	const char *p[BINDING_PARTS];
	binding_parts(r, c, p);
	for (int i = 0; i < BINDING_PARTS - 1; i++) {
		if (p[i][0] && !p[i][1]) {
			if (*b != p[i][0])
				return false;
			b++;
			continue;
		}
		size_t n = strlen(p[i]);
		if (strncmp(b, p[i], n) != 0)
			return false;
		b += n;
	}
	return strcmp(b, p[BINDING_PARTS - 1]) == 0;
}

/* ---- encoding ------------------------------------------------------------------------------------ */

/*
 * The session's bytes, as sealed into cookies and the cache. The access token's claims, which can be
 * derived again from the token, are left out. The identity block (the claims as they are passed on) is
 * kept in the cache only (with_identity), with the claim filter and the version of the rules it was made
 * with (A0M_CLAIMS_RENDER_VERSION), when it is not large: a process that opens the session without having
 * it in its memo (freeze(), below) then does not parse the claims' JSON, three fifths of what such an
 * opening cost. A cookie goes without it: the test
 * user's 300 bytes of block made the cookie 173 bytes longer, which every request to the site, pages
 * without authentication included, would carry and httpd would read (about 900 instructions a request),
 * to spare the parsing to a process that misses the memo. A block over IDENTITY_KEPT_MAX (a claim of
 * hundreds of groups, which the claims hold as well) is derived again in both stores.
 */
#define IDENTITY_KEPT_MAX 2048

static const unsigned char *encode(apr_pool_t *p, const a0m_session *s, bool with_identity, size_t *len)
{
	size_t hint = 256;
	const char *strs[] = { s->binding, s->user, s->user_claim, s->sid, s->csrf, s->claims, s->access_token,
		                   s->refresh_token, s->id_token, s->org_id, s->org_name, s->audiences,
		                   s->identity, s->identity_filter };
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		hint += strs[i] ? strlen(strs[i]) + 6 : 0;
	a0m_codec *w = a0m_codec_new(p, hint);
	a0m_codec_int(w, S_CREATED, s->created);
	a0m_codec_int(w, S_CREATED_US, s->created_us);
	a0m_codec_int(w, S_MFA, s->mfa);
	a0m_codec_int(w, S_AUTH_TIME, s->auth_time);
	a0m_codec_int(w, S_LAST_ACTIVE, s->last_active);
	a0m_codec_int(w, S_HARD_EXPIRY, s->hard_expiry);
	a0m_codec_int(w, S_ACCESS_EXPIRES, s->access_expires);
	a0m_codec_int(w, S_ACCESS_LIFETIME, s->access_lifetime);
	if (s->checked != s->created) /* checked at its creation (older sessions, or never since): not written */
		a0m_codec_int(w, S_CHECKED, s->checked);
	a0m_codec_str(w, S_BINDING, s->binding);
	a0m_codec_str(w, S_USER, s->user);
	a0m_codec_str(w, S_USER_CLAIM, s->user_claim);
	a0m_codec_str(w, S_SID, s->sid);
	a0m_codec_str(w, S_CSRF, s->csrf);
	a0m_codec_str(w, S_CLAIMS, s->claims);
	a0m_codec_str(w, S_ACCESS_TOKEN, s->access_token);
	a0m_codec_str(w, S_REFRESH, s->refresh_token);
	a0m_codec_str(w, S_ID_TOKEN, s->id_token);
	a0m_codec_str(w, S_ORG_ID, s->org_id);
	a0m_codec_str(w, S_ORG_NAME, s->org_name);
	a0m_codec_str(w, S_AUDIENCES, s->audiences);
	if (with_identity && s->identity && s->identity_filter && strlen(s->identity) <= IDENTITY_KEPT_MAX) {
		/* what the block was made for: the version of its rules, then the claim filter */
		char version[2] = { A0M_CLAIMS_RENDER_VERSION, '\0' };
		a0m_codec_str(w, S_IDENTITY_BLOCK, s->identity);
		a0m_codec_str(w, S_IDENTITY_FOR, apr_pstrcat(p, version, s->identity_filter, NULL));
	}
	return a0m_codec_finish(w, true, len);
}

/* Derived fields that sessions sealed by older versions may hold (S_IDENTITY, S_ACCESS_CLAIMS) are not
 * read: derive() makes them. */
static a0m_session *decode(apr_pool_t *p, const unsigned char *data, size_t len)
{
	a0m_decoded d;
	if (!a0m_codec_decode(p, data, len, &d) || !d.str[S_BINDING] || !d.str[S_USER] || !d.str[S_CSRF] ||
	    !d.num[S_CREATED])
		return NULL;
	a0m_session *s = apr_pcalloc(p, sizeof(*s));
	s->created = d.num[S_CREATED];
	/* sessions sealed before it was kept: the start of their second */
	s->created_us = d.num[S_CREATED_US] > 0 && d.num[S_CREATED_US] < APR_USEC_PER_SEC ? (int32_t)d.num[S_CREATED_US] : 0;
	s->last_active = d.num[S_LAST_ACTIVE];
	s->mfa = d.num[S_MFA] != 0;
	s->auth_time = d.num[S_AUTH_TIME] > 0 ? d.num[S_AUTH_TIME] : 0;
	s->hard_expiry = d.num[S_HARD_EXPIRY];
	s->access_expires = d.num[S_ACCESS_EXPIRES];
	s->access_lifetime = d.num[S_ACCESS_LIFETIME];
	s->checked = d.num[S_CHECKED] > 0 ? d.num[S_CHECKED] : s->created;
	s->binding = d.str[S_BINDING];
	s->user = d.str[S_USER];
	s->user_claim = d.str[S_USER_CLAIM];
	s->sid = d.str[S_SID];
	s->csrf = d.str[S_CSRF];
	s->claims = d.str[S_CLAIMS];
	s->access_token = d.str[S_ACCESS_TOKEN];
	s->refresh_token = d.str[S_REFRESH];
	s->id_token = d.str[S_ID_TOKEN];
	s->org_id = d.str[S_ORG_ID];
	s->org_name = d.str[S_ORG_NAME];
	s->audiences = d.str[S_AUDIENCES];
	/* a block made by other rules than this version's is made again (derive()) */
	const char *made_for = d.str[S_IDENTITY_FOR];
	if (d.str[S_IDENTITY_BLOCK] && made_for && made_for[0] == A0M_CLAIMS_RENDER_VERSION) {
		s->identity = d.str[S_IDENTITY_BLOCK];
		s->identity_filter = made_for + 1;
	}
	return s;
}

/*
 * The memo's form of a session: the struct and its strings packed (a0m_memo_pack) as the entry's bytes,
 * which are wiped when the entry goes; the struct is made again in the entry's pool with each field
 * pointing at its string there, and the identity made ready for the location's header prefix beside it.
 * A request that hits copies the struct only (it changes its own copy: activity, refreshed tokens).
 */
#define FROZEN_STRINGS 15

/* The addresses of s's string fields. */
static void string_fields(a0m_session *s, const char **f[FROZEN_STRINGS])
{
	const char **all[FROZEN_STRINGS] = {
		&s->binding,       &s->user,     &s->user_claim, &s->sid,      &s->csrf,         &s->claims,
		&s->identity,      &s->identity_filter,          &s->access_token, &s->access_claims,
		&s->refresh_token, &s->id_token, &s->org_id,     &s->org_name, &s->audiences,
	};
	memcpy(f, all, sizeof(all));
}

static const unsigned char *freeze(apr_pool_t *p, const a0m_session *s, size_t *len)
{
	a0m_session head = *s; /* its pointers are not kept: they are the parts */
	const char **f[FROZEN_STRINGS];
	string_fields(&head, f);
	const void *parts[FROZEN_STRINGS];
	size_t sizes[FROZEN_STRINGS];
	for (int i = 0; i < FROZEN_STRINGS; i++) {
		parts[i] = *f[i];
		sizes[i] = *f[i] ? strlen(*f[i]) + 1 : 0;
		*f[i] = NULL;
	}
	head.ready = NULL;
	head.id = NULL;
	head.in_cache = false;
	head.counted = false; /* per request: open_cache_session() sets them for the request that reads it */
	head.read_version = 0;
	return a0m_memo_pack(p, &head, sizeof(head), parts, sizes, FROZEN_STRINGS, len);
}

/* The session in what freeze() made, in p (its strings stay in `frozen`). */
static a0m_session *thaw(apr_pool_t *p, const unsigned char *frozen, size_t len)
{
	a0m_session *s = apr_palloc(p, sizeof(*s));
	const unsigned char *parts[FROZEN_STRINGS];
	if (!a0m_memo_unpack(frozen, len, s, sizeof(*s), parts, FROZEN_STRINGS))
		return NULL;
	const char **f[FROZEN_STRINGS];
	string_fields(s, f);
	for (int i = 0; i < FROZEN_STRINGS; i++)
		*f[i] = (const char *)parts[i];
	return s;
}

/* This request's own copy of a session lent by the memo (its strings and ready form stay the memo's). */
static a0m_session *copy_lent(request_rec *r, const a0m_session *lent)
{
	return lent ? apr_pmemdup(r->pool, lent, sizeof(*lent)) : NULL;
}

static const char *cache_key(apr_pool_t *p, const char *id)
{
	return apr_pstrcat(p, A0M_NS_SESSION, a0m_sha256_hex(p, id, strlen(id)), NULL);
}

/* When the session ends by the configuration of this request. */
int64_t a0m_session_ends_at(const a0m_dir_conf *c, const a0m_session *s)
{
	int64_t end = s->created + a0m_conf_max_duration(c);
	int64_t idle = s->last_active + a0m_conf_inactivity_timeout(c);
	if (idle < end)
		end = idle;
	if (s->hard_expiry && s->hard_expiry < end)
		end = s->hard_expiry;
	return end;
}

/* ---- loading ------------------------------------------------------------------------------------- */

static bool valid_id(const char *id)
{
	size_t n = 0;
	for (; id[n]; n++) {
		unsigned u = (unsigned char)id[n] | 0x20u; /* ASCII letters in lower case; '-' and digits unchanged */
		if (u - 'a' >= 26u && (unsigned char)id[n] - (unsigned)'0' >= 10u && id[n] != '-' && id[n] != '_')
			return false;
	}
	return n == 43; /* 32 bytes in base64url */
}

/*
 * Opening sessions goes through a per-process memo (memo.h): the browser of a signed-in user sends the same
 * value with every request, and opening it (base64url, AES-GCM, inflating) was most of what a session cost
 * a request. The memo holds what opened, encoded with its derived parts and not deflated, keyed by
 *   - cookie store: the sealed cookie value itself;
 *   - cache store with shmcb: the session id and its host-wide change counter (cache.c; every write or
 *     removal of the session bumps it, so a logout in any process ends the session at once everywhere),
 *     for the current second only (a process reads the cache again at least once a second, so an entry
 *     that shmcb evicted to make room does not live on here): most requests then skip the cache read
 *     and its lock as well;
 *   - cache store, any provider: also the bytes read from the cache (another host may change the entry
 *     unseen), which saves the opening only. With shmcb that serves the read made once a second, and the
 *     first request of each visit of a user whose requests come more than a second apart: such a read of
 *     a session that did not change costs a tenth of an opening (no AES-GCM, no decoding, no JSON parsing
 *     of its claims).
 */
#define MEMO_BY_ID "session id"
static a0m_memo *memo;

void a0m_session_child_init(apr_pool_t *pchild, server_rec *s, int threads)
{
	memo = a0m_memo_for_process(pchild, threads);
	if (!memo)
		ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
		             "mod_auth0: no memo of opened sessions in this process (each request opens its session)");
}

static void derive(apr_pool_t *p, const a0m_dir_conf *c, a0m_session *s);

/*
 * Back-channel logout (backchannel.c): when the tenant says that a user's session there ended, the
 * sessions here that came from it end too, in both stores. backchannel.c records markers in the shared
 * cache; a session is compared with them when a process opens it, and the memo keeps what opened under the
 * generation of logouts it was compared at: the count of logouts recorded on this host (each one makes
 * every process compare each session it keeps once more), and with redis or memcache, where another host
 * may have recorded one, also the current LOGOUT_RECHECK seconds (a logout there ends the sessions here
 * within that time). Without Auth0BackChannelLogoutPath none of this runs (generation 0).
 */
#define LOGOUT_RECHECK 10

static apr_uint32_t logout_generation(request_rec *r, const a0m_dir_conf *c)
{
	if (!c->backchannel_logout_path)
		return 0;
	apr_uint32_t epoch = 0;
	bool counted = a0m_cache_logout_epoch(&epoch);
	if (counted && a0m_cache_host_local())
		return 1u + (epoch & 0x3fffffffu);
	apr_uint32_t window = (apr_uint32_t)(now_sec(r) / LOGOUT_RECHECK);
	return 0x80000000u | (epoch & 0x7fffu) << 16 | (window & 0xffffu);
}

/* The memo's context for a session compared at generation gen (the context itself when there is none). */
static const char *memo_context(request_rec *r, const char *context, apr_uint32_t gen)
{
	return gen ? apr_psprintf(r->pool, "%s#%08x", context, (unsigned)gen) : context;
}

static const char *subject_of(apr_pool_t *p, const a0m_session *s)
{
	if (s->user_claim && strcmp(s->user_claim, "sub") == 0)
		return s->user;
	json_t *claims = s->claims ? json_loads(s->claims, 0, NULL) : NULL;
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	sub = sub ? apr_pstrdup(p, sub) : NULL;
	json_decref(claims);
	return sub;
}

static void cannot_tell(request_rec *r, apr_status_t rv)
{
	ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "mod_auth0: cannot read back-channel logouts from the cache: the "
	              "session is served, and compared again in %d seconds", LOGOUT_RECHECK);
}

/* Whether a marker of kind for value ends a session created at `created` (microseconds; 0: whenever it was
 * created): 1 yes, 0 no, -1 cannot tell. */
static int marker_ends(request_rec *r, const a0m_dir_conf *c, const char *kind, const char *value,
                       apr_time_t created)
{
	apr_time_t at = 0;
	apr_status_t rv = value ? a0m_backchannel_marker(r, c, kind, value, &at) : APR_NOTFOUND;
	if (rv == APR_NOTFOUND)
		return 0;
	if (rv != APR_SUCCESS) {
		cannot_tell(r, rv);
		return -1;
	}
	return created <= at;
}

/*
 * 1: the tenant ended s; 0: it did not; -1: the cache cannot tell. A cache outage does not end or refuse
 * sessions (a cookie-store site goes on without its cache); no logout can be recorded during it either.
 * A logout of its sid ends it whenever it was made (a new login at the tenant has a new sid); a logout of
 * every session of its user ends the sessions whose login began before the logout was received.
 */
static int ended_by_tenant(request_rec *r, const a0m_dir_conf *c, const a0m_session *s)
{
	int by_sid = marker_ends(r, c, "sid", s->sid, 0);
	if (by_sid)
		return by_sid;
	int by_sub = marker_ends(r, c, "sub", subject_of(r->pool, s), apr_time_from_sec(s->created) + s->created_us);
	if (by_sub)
		return by_sub;
	/* neither marker, or a provider that considers its server down (a0m_cache_answers) */
	if (!a0m_cache_answers(r->server, r->pool)) {
		cannot_tell(r, APR_EGENERAL);
		return -1;
	}
	return 0;
}

/* Keeps s in the memo under context and key, with what encode() leaves out of stored sessions (freeze()). */
static void remember(request_rec *r, const a0m_dir_conf *c, const char *context, const void *key, size_t key_len,
                     int64_t until, const a0m_session *s)
{
	size_t len = 0;
	const unsigned char *frozen = freeze(r->pool, s, &len);
	a0m_memo_entry *e = frozen ? a0m_memo_entry_make(memo, frozen, len) : NULL;
	if (!e)
		return;
	apr_pool_t *p = a0m_memo_entry_pool(e);
	a0m_session *kept = thaw(p, a0m_memo_entry_bytes(e), len);
	if (kept && kept->identity)
		kept->ready = a0m_claims_ready(p, a0m_conf_claim_header_prefix(c), kept->identity);
	a0m_memo_put(memo, c->keys, context, key, key_len, kept ? until : 0, e, kept);
}

/*
 * The session sealed in `sealed` (base64url text when text, else raw bytes from the cache) under context,
 * decoded and completed (derive()), and compared with back-channel logouts when gen is not 0 (revoked
 * set when one ended it; not memoized when the cache cannot tell). Memoized by the sealed bytes: the same
 * bytes open the same way for ever (timeouts are checked apart), and end the same way for a generation
 * of logouts.
 */
static a0m_session *open_sealed(request_rec *r, const a0m_dir_conf *c, const char *context, const void *sealed,
                                size_t sealed_len, bool text, apr_uint32_t gen)
{
	size_t len = 0;
	const char *memo_ctx = memo_context(r, context, gen);
	const a0m_session *lent = a0m_memo_borrow(memo, r->pool, c->keys, memo_ctx, sealed, sealed_len, now_sec(r));
	if (lent)
		return copy_lent(r, lent);
	const unsigned char *plain =
		text ? a0m_open(r->pool, c->keys->session, c->keys->count, context, sealed, &len)
		     : a0m_open_raw(r->pool, c->keys->session, c->keys->count, context, sealed, sealed_len, &len);
	a0m_session *s = plain ? decode(r->pool, plain, len) : NULL;
	if (!s)
		return NULL;
	derive(r->pool, c, s);
	int ended = gen ? ended_by_tenant(r, c, s) : 0;
	s->revoked = ended > 0;
	/* when the cache could not tell, it is asked again LOGOUT_RECHECK seconds later, not at every request */
	if (ended <= 0)
		remember(r, c, memo_ctx, sealed, sealed_len, ended == 0 ? INT64_MAX : now_sec(r) + LOGOUT_RECHECK, s);
	return s;
}

/* The memo key of a cache-store session: the change counter first, the secret id last (its end is what
 * the memo compares first, in constant time). */
static const char *memo_key_by_id(request_rec *r, const char *id, apr_uint32_t version)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(id);
	char *k = apr_palloc(r->pool, 8 + n + 1);
	for (int i = 7; i >= 0; i--, version >>= 4)
		k[i] = hex[version & 15];
	memcpy(k + 8, id, n + 1);
	return k;
}

static a0m_session *open_cache_session(request_rec *r, const a0m_dir_conf *c, const char *id, apr_uint32_t gen,
                                       const char **why)
{
	apr_uint32_t version = 0;
	const char *by_id = a0m_cache_version(id, &version) ? memo_key_by_id(r, id, version) : NULL;
	const char *memo_ctx = by_id ? memo_context(r, MEMO_BY_ID, gen) : NULL;
	a0m_session *s =
		by_id ? copy_lent(r, a0m_memo_borrow(memo, r->pool, c->keys, memo_ctx, by_id, strlen(by_id), now_sec(r)))
		      : NULL;
	if (!s) {
		/* a memo hit needs every byte of an id that was valid when it was put: only a miss checks it */
		if (!valid_id(id)) {
			*why = "malformed session id";
			return NULL;
		}
		const char *key = cache_key(r->pool, id);
		unsigned char *raw = NULL;
		size_t raw_len = 0;
		apr_status_t rv = a0m_cache_get(r->server, key, &raw, &raw_len, r->pool);
		/* not found while the provider considers its server down must not log anybody out */
		if (rv == APR_NOTFOUND && !a0m_cache_answers(r->server, r->pool))
			rv = APR_EGENERAL;
		if (rv != APR_SUCCESS) {
			*why = rv == APR_NOTFOUND ? "no such session in the cache (ended, or evicted)"
			                          : "the shared cache failed";
			if (rv != APR_NOTFOUND) {
				ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r,
				              "mod_auth0: cannot read a session from the cache");
				apr_table_setn(r->notes, NOTE_CACHE_FAILED, "1");
			}
			return NULL;
		}
		s = open_sealed(r, c, key, raw, raw_len, false, gen);
		if (!s) {
			*why = "the cached session does not open (damaged, or sealed with a retired secret)";
			return NULL;
		}
		if (by_id && !s->revoked)
			remember(r, c, memo_ctx, by_id, strlen(by_id), now_sec(r) + 1, s);
	}
	s->id = id;
	s->in_cache = true;
	s->counted = by_id != NULL;
	s->read_version = version;
	return s;
}

/* Whether another request wrote this cache-store session after this one read it (a renewal of its tokens,
 * perhaps a rotated refresh token, or of its activity): writing it back for activity only would undo that. */
static bool written_since_read(const a0m_session *s)
{
	apr_uint32_t now;
	return s->in_cache && s->counted && a0m_cache_version(s->id, &now) && now != s->read_version;
}

static a0m_session *open_cookie(request_rec *r, const a0m_dir_conf *c, const a0m_cookie_spec *spec,
                                const char *value, const char **why)
{
	apr_uint32_t gen = logout_generation(r, c);
	if (strncmp(value, CACHE_REF, 2) == 0)
		return open_cache_session(r, c, value + 2, gen, why);
	a0m_session *s = open_sealed(r, c, spec->name, value, strlen(value), true, gen);
	if (!s)
		*why = "the session cookie does not open (tampered, truncated, or sealed with a secret no longer "
		       "configured)";
	return s;
}

/* The request's session slot: NULL until the cookies were read. */
static a0m_session **slot_of(request_rec *r, bool create)
{
	a0m_request_state *st = a0m_request_state_get(r);
	if (create)
		st->session_read = true;
	return st->session_read ? &st->session : NULL;
}

a0m_session *a0m_session_load(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o)
{
	a0m_session **slot = slot_of(r, false);
	if (slot)
		return *slot;
	slot = slot_of(r, true);
	if (!c->keys)
		return NULL;

	a0m_cookie_spec spec = a0m_cookie_session_spec(r, c, o);
	const char *value = a0m_cookie_get_chunked(r, spec.name);
	if (!value)
		return NULL;
	const char *why = NULL;
	a0m_session *s = open_cookie(r, c, &spec, value, &why);
	if (s && !binding_matches(r, c, s->binding)) {
		/* another application's (or site's) session under the same cookie name: leave it, log in here */
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
		              "mod_auth0: the session cookie belongs to another application (Auth0ClientID/Auth0Domain) "
		              "or another host; give each application its own Auth0CookieName");
		return NULL;
	}
	int64_t now = now_sec(r);
	if (s && s->revoked) {
		why = "the tenant ended it (back-channel logout)";
		a0m_metric(A0M_SESSION_BACKCHANNEL);
		a0m_session_destroy(r, c, o, s);
		s = NULL;
	} else if (s) {
		int64_t end = a0m_session_ends_at(c, s);
		if (now >= end) {
			if (now >= s->created + a0m_conf_max_duration(c))
				why = "Auth0SessionMaxDuration reached";
			else if (s->hard_expiry && now >= s->hard_expiry)
				why = "its access token expired (no refresh token)";
			else
				why = "inactive longer than Auth0SessionInactivityTimeout";
			a0m_metric(A0M_SESSION_TIMEOUT);
			a0m_session_destroy(r, c, o, s);
			s = NULL;
		}
	} else if (!apr_table_get(r->notes, NOTE_CACHE_FAILED)) {
		a0m_metric(A0M_SESSION_REFUSED);
		a0m_cookie_expire_chunked(r, &spec);
	} else {
		why = NULL; /* the cache failed: the session is not known to have ended (a0m_session_authenticate) */
	}
	if (!s && why)
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: session ended: %s", why);
	*slot = s;
	return s;
}

/* ---- creating and saving ------------------------------------------------------------------------- */

/* The access token's expiry, capped to what the codec keeps (the tenant's expires_in can be any number). */
static int64_t expiry_of(request_rec *r, const auth0_tokens *t)
{
	const int64_t max = (int64_t)A0M_CODEC_NUM_MAX;
	int64_t at = 0;
	if (t->expires_at > 0)
		at = t->expires_at;
	else if (t->expires_in > 0)
		at = t->expires_in < max - now_sec(r) ? now_sec(r) + t->expires_in : max;
	return at < max ? at : max;
}

static char *json_text(apr_pool_t *p, const json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (!s)
		return NULL;
	char *copy = apr_pstrdup(p, s);
	free(s);
	return copy;
}

/* The payload of a JWT access token, as JSON text; NULL for opaque tokens. The token comes straight
 * from the tenant's token endpoint over TLS in answer to our authenticated request, so it is trusted
 * as it is (OAuth 2.0 clients do not validate access tokens); it is only read for Require. */
static const char *access_claims_of(apr_pool_t *p, const char *token, const char **audiences)
{
	*audiences = NULL;
	const char *dot = token ? strchr(token, '.') : NULL;
	if (!dot || !strchr(dot + 1, '.') || strchr(strchr(dot + 1, '.') + 1, '.'))
		return NULL;
	json_t *payload = NULL;
	if (auth0_jwt_decode_unverified(token, NULL, &payload, NULL) != AUTH0_OK)
		return NULL;
	const char *text = json_is_object(payload) ? json_text(p, payload) : NULL;
	/* the APIs it is for, "\nA\nB\n": a location with another Auth0Audience does not get this token */
	json_t *aud = json_object_get(payload, "aud");
	const char *list = "\n";
	if (json_is_string(aud))
		list = apr_pstrcat(p, list, json_string_value(aud), "\n", NULL);
	for (size_t i = 0; json_is_array(aud) && i < json_array_size(aud); i++)
		if (json_is_string(json_array_get(aud, i)))
			list = apr_pstrcat(p, list, json_string_value(json_array_get(aud, i)), "\n", NULL);
	*audiences = text && list[1] ? list : NULL;
	json_decref(payload);
	return text;
}

/*
 * The identity block of a session: its ID-token claims but those named by the location's
 * Auth0IdentityClaimFilter (claims about the token, by default), as Auth0's SDKs for web applications
 * leave them out of the user they hand the application. Require auth0-claim still sees every claim.
 */
static char *identity_of(apr_pool_t *p, const char *filter, json_t *claims)
{
	return a0m_claims_render_except(p, claims, filter);
}

static bool identity_is_for(const a0m_session *s, const char *filter)
{
	return s->identity && s->identity_filter && strcmp(s->identity_filter, filter) == 0;
}

/* Fills in what encode() leaves out of stored sessions: the identity block (for this location's claim
 * filter), the access token's claims, and the identity made ready for this location's header prefix. */
static void derive(apr_pool_t *p, const a0m_dir_conf *c, a0m_session *s)
{
	const char *filter = a0m_conf_identity_claim_filter(c);
	if (!identity_is_for(s, filter) && s->claims) {
		json_t *claims = json_loads(s->claims, 0, NULL);
		s->identity = claims ? identity_of(p, filter, claims) : NULL;
		s->identity_filter = s->identity ? filter : NULL;
		json_decref(claims);
	}
	if (!s->access_claims && s->access_token) {
		const char *audiences = NULL;
		s->access_claims = access_claims_of(p, s->access_token, &audiences);
	}
	if (s->identity)
		s->ready = a0m_claims_ready(p, a0m_conf_claim_header_prefix(c), s->identity);
}

/* ID-token claims that only serve the token's validation at login. */
static const char *const SINGLE_USE_CLAIMS[] = { "nonce", "at_hash", "c_hash", "s_hash" };

/* Fills the identity parts of s from validated ID-token claims: OK, or HTTP_BAD_GATEWAY when the token
 * names no user (the tenant's doing). A name that this location's Auth0UserClaim expression does not take
 * does not end the login (or a renewal): the session is named by the claim as it is, and each location with
 * an expression names (or refuses) its user itself (set_request_identity). The callback's location is
 * seldom the page's, which may have its own rule. */
static int set_identity(request_rec *r, const a0m_dir_conf *c, a0m_session *s, json_t *claims)
{
	const char *claimed = a0m_claims_user_claimed(r->pool, c, claims);
	if (!claimed) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
		              "mod_auth0: the ID token has no usable claim %s for REMOTE_USER (Auth0UserClaim)",
		              a0m_conf_user_claim(c));
		return HTTP_BAD_GATEWAY;
	}
	const char *user = a0m_claims_user_mapped(r->pool, c, claimed);
	if (user) {
		s->user = user;
		s->user_claim = a0m_conf_user_rule(c);
	} else {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
		              "mod_auth0: %s (claim %s) does not match Auth0UserClaim's expression here: the session "
		              "names it by the claim, and locations with that expression refuse it",
		              ap_escape_logitem(r->pool, claimed), a0m_conf_user_claim(c));
		s->user = claimed;
		s->user_claim = a0m_conf_user_claim(c);
	}
	/* a refresh's ID token may not repeat the login's amr: the second factor was given all the same */
	s->mfa = s->mfa || a0m_claim_matches(json_object_get(claims, "amr"), "mfa");
	/* a refresh's ID token repeats the login's auth_time; a later one is a later authentication */
	json_int_t auth_time = json_integer_value(json_object_get(claims, "auth_time"));
	if (auth_time > s->auth_time)
		s->auth_time = auth_time;
	const char *sid = json_string_value(json_object_get(claims, "sid"));
	if (sid)
		s->sid = apr_pstrdup(r->pool, sid);
	const char *org_id = json_string_value(json_object_get(claims, "org_id"));
	const char *org_name = json_string_value(json_object_get(claims, "org_name"));
	s->org_id = org_id ? apr_pstrdup(r->pool, org_id) : NULL;
	s->org_name = org_name ? apr_pstrdup(r->pool, org_name) : NULL;
	/* The login's single-use values (checked when the ID token was validated) are not kept: a random nonce
	 * is some 40 bytes that do not compress, in a cookie sent with every request, and means nothing to a
	 * backend or a Require afterwards. */
	json_t *kept = json_copy(claims);
	for (size_t i = 0; kept && i < sizeof(SINGLE_USE_CLAIMS) / sizeof(SINGLE_USE_CLAIMS[0]); i++)
		json_object_del(kept, SINGLE_USE_CLAIMS[i]);
	s->claims = json_text(r->pool, kept);
	s->identity_filter = a0m_conf_identity_claim_filter(c);
	s->identity = kept ? identity_of(r->pool, s->identity_filter, kept) : NULL;
	s->ready = NULL;
	json_decref(kept);
	return s->claims ? OK : HTTP_INTERNAL_SERVER_ERROR; /* out of memory */
}

static void set_tokens(request_rec *r, const a0m_dir_conf *c, a0m_session *s, const auth0_tokens *t)
{
	s->access_token = t->access_token ? apr_pstrdup(r->pool, t->access_token) : NULL;
	s->access_expires = s->access_token ? expiry_of(r, t) : 0;
	s->access_lifetime = s->access_expires > now_sec(r) ? s->access_expires - now_sec(r) : 0;
	s->access_claims = access_claims_of(r->pool, s->access_token, &s->audiences);
	if (t->refresh_token)
		s->refresh_token = apr_pstrdup(r->pool, t->refresh_token);
	/* for the logout's id_token_hint, or for backends (Auth0PassIDToken on this host: the session may go there) */
	if (t->id_token && (c->logout_endpoint == A0M_LOGOUT_OIDC || a0m_conf_id_token_passed(r->server)))
		s->id_token = apr_pstrdup(r->pool, t->id_token);
	s->hard_expiry = !s->refresh_token && c->audience && s->access_claims ? s->access_expires : 0;
}

a0m_session *a0m_session_create(request_rec *r, const a0m_dir_conf *c, const auth0_tokens *tokens,
                                json_t *claims, int *status)
{
	a0m_session *s = apr_pcalloc(r->pool, sizeof(*s));
	s->created = s->last_active = s->checked = now_sec(r);
	s->created_us = (int32_t)(r->request_time % APR_USEC_PER_SEC);
	s->binding = binding_of(r, c);
	s->csrf = a0m_random_token(r->pool, 24);
	if (!s->csrf) {
		*status = HTTP_INTERNAL_SERVER_ERROR;
		return NULL;
	}
	int named = set_identity(r, c, s, claims);
	if (named != OK) {
		*status = named; /* logged */
		return NULL;
	}
	set_tokens(r, c, s, tokens);
	return s;
}

/*
 * Stores s in the cache: a new session under a new id; one read from the cache (a renewal, an activity
 * write-back) only while its entry is still there, for a logout by another request (another tab, the
 * back-channel) may have removed it since this request read it, and writing it back would undo that
 * logout (a0m_cache_replace). A0M_SAVE_ENDED then.
 */
static a0m_save save_in_cache(request_rec *r, const a0m_dir_conf *c, a0m_session *s, const unsigned char *data,
                              size_t len, int64_t end)
{
	const char *id = s->id ? s->id : a0m_random_token(r->pool, ID_BYTES);
	if (!id)
		return A0M_SAVE_FAILED;
	const char *key = cache_key(r->pool, id);
	size_t sealed_len = 0;
	unsigned char *sealed = a0m_seal_raw(r->pool, &c->keys->session[0], key, data, len, &sealed_len);
	if (!sealed)
		return A0M_SAVE_FAILED;
	apr_time_t until = apr_time_from_sec(end);
	apr_status_t rv = s->id ? a0m_cache_replace(r->server, key, sealed, sealed_len, until, r->pool)
	                        : a0m_cache_set(r->server, key, sealed, sealed_len, until, r->pool);
	if (rv == APR_NOTFOUND) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: the session of %s ended (signed out, or evicted) "
		              "while this request renewed it: not written back", ap_escape_logitem(r->pool, s->user));
		a0m_cache_changed(id);
		return A0M_SAVE_ENDED;
	}
	if (rv != APR_SUCCESS) {
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r,
		              "mod_auth0: the shared cache refused a session of %" APR_SIZE_T_FMT " bytes%s; "
		              "this session is kept in the cookie store instead", sealed_len,
		              rv == APR_ENOSPC ? " (too large for the cache provider)" : "");
		return A0M_SAVE_FAILED;
	}
	a0m_cache_changed(id);
	ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
	              "mod_auth0: session of %" APR_SIZE_T_FMT " bytes stored in the cache", sealed_len);
	s->id = id;
	s->in_cache = true;
	return A0M_SAVE_OK;
}

/* Removes a session from the cache and tells every process's memo (cache.c's change counter). */
static apr_status_t remove_cached(request_rec *r, const char *id)
{
	apr_status_t rv = a0m_cache_remove(r->server, cache_key(r->pool, id), r->pool);
	a0m_cache_changed(id);
	return rv;
}

a0m_save a0m_session_save(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, a0m_session *s)
{
	int64_t now = now_sec(r);
	int64_t end = a0m_session_ends_at(c, s);
	if (end <= now)
		return A0M_SAVE_FAILED;
	bool cache = c->session_store == A0M_STORE_CACHE || s->in_cache;
	size_t len = 0;
	const unsigned char *data = encode(r->pool, s, cache, &len);
	a0m_cookie_spec spec = a0m_cookie_session_spec(r, c, o);
	/* a new session (login) never carries on the browser's previous one: new id, old entry gone */
	a0m_session **slot = slot_of(r, true);
	if (*slot && *slot != s && (*slot)->in_cache && (*slot)->id)
		remove_cached(r, (*slot)->id);
	const char *value = NULL;
	a0m_save saved = cache ? save_in_cache(r, c, s, data, len, end) : A0M_SAVE_FAILED;
	if (saved == A0M_SAVE_ENDED)
		return saved; /* not into the cookie store either: it ended */
	if (saved == A0M_SAVE_OK) {
		value = apr_pstrcat(r->pool, CACHE_REF, s->id, NULL);
	} else {
		if (s->in_cache && s->id)
			remove_cached(r, s->id);
		s->in_cache = false;
		s->id = NULL;
		if (cache)
			data = encode(r->pool, s, false, &len);
		value = a0m_seal(r->pool, &c->keys->session[0], spec.name, data, len);
	}
	/* Auth0SessionCookiePersistent off: a browser-session cookie (the timeouts still end it here) */
	long max_age = a0m_conf_flag(c->cookie_persistent, true) ? (long)(end - now) : -1;
	if (!value || !a0m_cookie_set_chunked(r, &spec, value, max_age))
		return A0M_SAVE_FAILED;
	*slot = s;
	return A0M_SAVE_OK;
}

void a0m_session_destroy(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, a0m_session *s)
{
	if (s && s->in_cache && s->id) {
		apr_status_t rv = remove_cached(r, s->id);
		if (rv != APR_SUCCESS)
			ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "mod_auth0: cannot remove a session from the cache");
	}
	a0m_cookie_spec spec = a0m_cookie_session_spec(r, c, o);
	a0m_cookie_expire_chunked(r, &spec);
	*slot_of(r, true) = NULL;
}

/* ---- refreshing the access token ----------------------------------------------------------------- */

/* Tags of what is kept under a refresh's key: a renewal's result, or a backoff (R_BACKOFF_UNTIL alone). */
enum {
	R_ACCESS = 1, R_EXPIRES, R_REFRESH, R_ID_TOKEN, R_CLAIMS, R_IDENTITY, R_ACCESS_CLAIMS, R_HARD, R_USER,
	R_ORG_ID, R_ORG_NAME, R_AUDIENCES, R_LIFETIME, R_USER_CLAIM, R_BACKOFF_UNTIL
};

static const unsigned char *encode_refresh(apr_pool_t *p, const a0m_session *s, size_t *len)
{
	a0m_codec *w = a0m_codec_new(p, 1024);
	a0m_codec_str(w, R_ACCESS, s->access_token);
	a0m_codec_int(w, R_EXPIRES, s->access_expires);
	a0m_codec_int(w, R_LIFETIME, s->access_lifetime);
	a0m_codec_str(w, R_REFRESH, s->refresh_token);
	a0m_codec_str(w, R_ID_TOKEN, s->id_token);
	a0m_codec_str(w, R_CLAIMS, s->claims); /* R_IDENTITY is no longer written: derived from the claims */
	a0m_codec_str(w, R_ACCESS_CLAIMS, s->access_claims);
	a0m_codec_int(w, R_HARD, s->hard_expiry);
	a0m_codec_str(w, R_USER, s->user);
	a0m_codec_str(w, R_USER_CLAIM, s->user_claim); /* the rule that named the user: the renewing location's */
	a0m_codec_str(w, R_ORG_ID, s->org_id);
	a0m_codec_str(w, R_ORG_NAME, s->org_name);
	a0m_codec_str(w, R_AUDIENCES, s->audiences);
	return a0m_codec_finish(w, true, len);
}

static bool apply_refresh(a0m_session *s, const a0m_decoded *d)
{
	if (!d->str[R_ACCESS] || !d->str[R_USER])
		return false;
	/* A renewal of the token this session holds, not the previous renewal's result, which gave that token:
	 * without rotation the refresh token, and so the key, stays the same, and a short-lived token is due
	 * again while the result that gave it is still kept. */
	if (s->access_token && strcmp(d->str[R_ACCESS], s->access_token) == 0)
		return false;
	s->access_token = d->str[R_ACCESS];
	s->access_expires = d->num[R_EXPIRES];
	s->access_lifetime = d->num[R_LIFETIME];
	s->refresh_token = d->str[R_REFRESH];
	s->id_token = d->str[R_ID_TOKEN] ? d->str[R_ID_TOKEN] : s->id_token;
	if (d->str[R_CLAIMS]) {
		/* the identity is derived again from these claims, for this location (derive()) */
		s->claims = d->str[R_CLAIMS];
		s->identity = s->identity_filter = NULL;
		s->ready = NULL;
	}
	s->access_claims = d->str[R_ACCESS_CLAIMS];
	s->hard_expiry = d->num[R_HARD];
	s->user = d->str[R_USER];
	/* with the rule it was named by (another location's may differ: set_request_identity names it again);
	 * a result without one (written before the rule was kept) is named again wherever it is used */
	s->user_claim = d->str[R_USER_CLAIM];
	s->org_id = d->str[R_ORG_ID];
	s->org_name = d->str[R_ORG_NAME];
	s->audiences = d->str[R_AUDIENCES];
	return true;
}

typedef enum {
	ID_TOKEN_TAKEN,
	ID_TOKEN_REFUSED,  /* not valid, or for another user or organization: the session ends */
	ID_TOKEN_UNCHECKED /* it cannot be checked now (the tenant's keys cannot be fetched): not taken */
} id_token_outcome;

/*
 * A new ID token from a refresh must be valid and for the same user. One that cannot be checked now, for a
 * reason of the tenant's, is left out, as when a refresh returns none: the session keeps its claims and
 * takes the new access token and (rotated) refresh token, which the tenant's token endpoint gave this
 * client over TLS. Ending the session then would lose a rotated refresh token for a passing failure.
 */
static id_token_outcome take_new_id_token(request_rec *r, const a0m_dir_conf *c, auth0_client *client,
                                          a0m_session *s, const char *id_token)
{
	/* a session of an organization stays one of that organization: the token must be for it (the request
	 * was checked against its location's Auth0Organization before the refresh, with the session's) */
	auth0_id_token_options v = { .leeway = AUTH0_INT(a0m_conf_leeway(c)),
		                         .organization = s->org_id,
		                         .algorithm = (auth0_id_token_alg)a0m_conf_id_token_alg(c) };
	json_t *claims = NULL;
	auth0_error *err = NULL;
	id_token_outcome outcome = ID_TOKEN_REFUSED;
	if (auth0_id_token_validate(client, id_token, &v, &claims, &err) != AUTH0_OK) {
		if (a0m_tenant_failed(err)) {
			outcome = ID_TOKEN_UNCHECKED;
			ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
			              "mod_auth0: the ID token of a refresh cannot be checked now (%s); the session keeps "
			              "its claims",
			              err ? err->message : "unknown error");
		} else {
			ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: the ID token of a refresh is not valid: %s",
			              err ? err->message : "unknown error");
		}
	} else {
		json_t *old = s->claims ? json_loads(s->claims, 0, NULL) : NULL;
		const char *was = json_string_value(json_object_get(old, "sub"));
		const char *is = json_string_value(json_object_get(claims, "sub"));
		if (!was || !is || strcmp(was, is) != 0)
			ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
			              "mod_auth0: a refresh returned an ID token for another user");
		else if (set_identity(r, c, s, claims) == OK)
			outcome = ID_TOKEN_TAKEN;
		json_decref(old);
	}
	json_decref(claims);
	auth0_error_free(err);
	return outcome;
}

/*
 * Whether the session's access token may still be passed on while its renewal waits: it has DEFER_MARGIN
 * left, or a quarter of its lifetime when that is less (but a second at the least, not to pass on a token in
 * its last second). A renewal is due Auth0RefreshBeforeExpiry early (or halfway through the token's life),
 * so a tenant that fails for a while need not stop the session at once.
 */
static bool token_usable(request_rec *r, const a0m_session *s)
{
	int64_t margin = DEFER_MARGIN;
	if (s->access_lifetime > 0 && margin > s->access_lifetime / 4)
		margin = s->access_lifetime / 4 > 1 ? s->access_lifetime / 4 : 1;
	return s->access_token && s->access_expires && now_sec(r) < s->access_expires - margin;
}

/* What a refresh's key holds: a renewal's result (applied to s), or a backoff still running (its end in
 * *until), which only a request whose token is usable heeds (backoff). */
typedef enum { SHARED_NONE, SHARED_RESULT, SHARED_BACKOFF } shared_outcome;

static shared_outcome read_shared(request_rec *r, const a0m_dir_conf *c, const char *key, a0m_session *s,
                                  bool backoff, int64_t *until)
{
	unsigned char *raw = NULL;
	size_t raw_len = 0, len = 0;
	if (a0m_cache_get(r->server, key, &raw, &raw_len, r->pool) != APR_SUCCESS)
		return SHARED_NONE;
	unsigned char *plain = a0m_open_raw(r->pool, c->keys->session, c->keys->count, key, raw, raw_len, &len);
	a0m_decoded d;
	if (!plain || !a0m_codec_decode(r->pool, plain, len, &d))
		return SHARED_NONE;
	if (d.num[R_BACKOFF_UNTIL])
		*until = d.num[R_BACKOFF_UNTIL];
	if (d.num[R_BACKOFF_UNTIL] > now_sec(r))
		return backoff ? SHARED_BACKOFF : SHARED_NONE;
	if (!apply_refresh(s, &d))
		return SHARED_NONE;
	derive(r->pool, c, s);
	return SHARED_RESULT;
}

/* Records, under the refresh's key, that its renewal failed for a reason of the tenant's: until
 * REFRESH_BACKOFF (or the tenant's Retry-After, up to REFRESH_BACKOFF_MAX) has passed, the session's requests
 * whose token is usable do not ask the tenant again. Replaces a previous renewal's result kept there, which
 * gave the token this request holds (without rotation the key stays the same): no request needs it now. */
static int64_t back_off(request_rec *r, const a0m_dir_conf *c, const char *key, const auth0_error *err)
{
	int64_t wait = REFRESH_BACKOFF;
	if (err && err->retry_after > wait)
		wait = err->retry_after < REFRESH_BACKOFF_MAX ? err->retry_after : REFRESH_BACKOFF_MAX;
	int64_t until = now_sec(r) + wait;
	size_t len = 0, sealed_len = 0;
	a0m_codec *w = a0m_codec_new(r->pool, 32);
	a0m_codec_int(w, R_BACKOFF_UNTIL, until);
	const unsigned char *data = a0m_codec_finish(w, false, &len);
	unsigned char *sealed = data ? a0m_seal_raw(r->pool, &c->keys->session[0], key, data, len, &sealed_len) : NULL;
	if (sealed)
		a0m_cache_set(r->server, key, sealed, sealed_len, apr_time_from_sec(until), r->pool);
	return until;
}

/* The outcome of a renewal that did not happen for a reason of the tenant's (status, the page's): deferred
 * while the current token is usable, else the status. */
static int not_renewed(request_rec *r, bool usable, int status)
{
	if (!usable)
		return status;
	apr_table_unset(r->err_headers_out, "Retry-After"); /* the tenant's, for a request that goes on */
	return REFRESH_DEFERRED;
}

/*
 * Renews the access token. Concurrent requests of one session (several tabs, a page and its XHRs)
 * would each spend the refresh token, and with rotation the second use revokes the whole family: so
 * refreshes are serialised by the cross-process flight lock and the result is shared through the cache
 * for a minute under a hash of the refresh token it replaced.
 * A renewal that fails for a reason of the tenant's (5xx, 429, a timeout, a concurrent renewal holding the
 * lock too long) does not stop a request whose token is still usable (token_usable()): it goes on with it,
 * and such requests of the session do not ask the tenant again for REFRESH_BACKOFF (back_off()). A request
 * whose token is not usable asks the tenant as before and, when that fails, gets the page.
 * Returns OK, or REFRESH_REFUSED when the session must end (refresh token refused), REFRESH_DEFERRED when
 * the request goes on with its token, or an HTTP status for a tenant failure (the session is kept, the
 * user may retry).
 */
static int refresh(request_rec *r, const a0m_dir_conf *c, a0m_session *s)
{
	auth0_client *client = a0m_app_client(r, c);
	if (!client)
		return HTTP_INTERNAL_SERVER_ERROR;
	const char *key = apr_pstrcat(r->pool, A0M_NS_SESSION, "r:",
	                              a0m_sha256_hex(r->pool, s->refresh_token, strlen(s->refresh_token)), NULL);
	bool usable = token_usable(r, s);
	int64_t until = 0;
	/* a backoff is read before the lock: requests of a session whose renewal just failed neither wait nor ask */
	shared_outcome shared = read_shared(r, c, key, s, usable, &until);
	if (shared == SHARED_BACKOFF) {
		ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: the renewal of this session's access token "
		              "failed recently: not asked again for %d s", (int)(until - now_sec(r)));
		return REFRESH_DEFERRED;
	}
	if (shared == SHARED_RESULT) {
		ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: access token renewed by a concurrent request");
		return OK;
	}
	apr_status_t lrv = a0m_cache_refresh_lock(key, usable ? REFRESH_WAIT_USABLE : REFRESH_WAIT);
	if (APR_STATUS_IS_TIMEUP(lrv)) {
		/* Another request of this session is still refreshing: spending the same refresh token too would,
		 * with rotation, revoke them both. The session stays; the user retries (or goes on with its token). */
		ap_log_rerror(APLOG_MARK, usable ? APLOG_INFO : APLOG_WARNING, 0, r,
		              "mod_auth0: a refresh of this session (or of one sharing its lock) has been running for "
		              "too long; %s", usable ? "going on with the current access token" : "try again");
		return not_renewed(r, usable, HTTP_SERVICE_UNAVAILABLE);
	}
	if (lrv != APR_SUCCESS && lrv != APR_EINIT)
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, lrv, r, "mod_auth0: refreshing without the refresh lock");
	bool locked = lrv == APR_SUCCESS;
	int rc = OK;
	size_t len = 0;
	/* what a request that held the lock before this one left: its result, or its backoff */
	shared = read_shared(r, c, key, s, usable, &until);
	if (shared == SHARED_RESULT) {
		ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: access token renewed by a concurrent request");
		goto out;
	}
	if (shared == SHARED_BACKOFF) {
		rc = REFRESH_DEFERRED;
		goto out;
	}
	auth0_tokens *t = NULL;
	auth0_error *err = NULL;
	if (auth0_exchange_refresh_token(client, s->refresh_token, NULL, &t, &err) != AUTH0_OK) {
		/* only a refusal of the grant ends the session, not the tenant failing */
		bool transient = a0m_tenant_failed(err);
		if (transient) {
			until = back_off(r, c, key, err);
			rc = not_renewed(r, usable, a0m_status_for_tenant_error(r, err));
			if (rc == REFRESH_DEFERRED)
				ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
				              "mod_auth0: cannot renew the access token of %s now: %s; going on with the current "
				              "one (%" APR_INT64_T_FMT " s left), the tenant is asked again in %" APR_INT64_T_FMT
				              " s", ap_escape_logitem(r->pool, s->user), err ? err->message : "unknown error",
				              (apr_int64_t)(s->access_expires - now_sec(r)), (apr_int64_t)(until - now_sec(r)));
			else
				ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
				              "mod_auth0: cannot renew the access token: %s; it expires too soon to be passed on: "
				              "the request is refused, the session kept", err ? err->message : "unknown error");
		} else {
			ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: cannot renew the access token: %s; the "
			              "session ends", err ? err->message : "unknown error");
			rc = REFRESH_REFUSED;
		}
		auth0_error_free(err);
		goto out;
	}
	const char *id_token_before = s->id_token;
	set_tokens(r, c, s, t); /* keeps the refresh token unless a rotated one came */
	id_token_outcome taken = t->id_token ? take_new_id_token(r, c, client, s, t->id_token) : ID_TOKEN_TAKEN;
	if (taken == ID_TOKEN_REFUSED) {
		/* the session ends, but the tenant honours the refresh token it just gave (or kept) */
		a0m_revoke_refresh_token(r, c, s);
		rc = REFRESH_REFUSED;
	}
	else if (taken == ID_TOKEN_UNCHECKED)
		s->id_token = id_token_before; /* the logout's id_token_hint stays one that was checked */
	auth0_tokens_free(t);
	if (rc == OK) {
		const unsigned char *data = encode_refresh(r->pool, s, &len);
		size_t sealed_len = 0;
		unsigned char *sealed = a0m_seal_raw(r->pool, &c->keys->session[0], key, data, len, &sealed_len);
		if (sealed)
			a0m_cache_set(r->server, key, sealed, sealed_len, apr_time_from_sec(now_sec(r) + REFRESH_SHARE),
			              r->pool);
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: access token of %s renewed",
		              ap_escape_logitem(r->pool, s->user));
	}
out:
	if (locked)
		a0m_cache_refresh_unlock(key);
	return rc;
}

/* ---- re-validation (Auth0SessionRevalidate) ------------------------------------------------------- */

/*
 * Asks the tenant whether the session still stands, as mod_auth_openidc's OIDCUserInfoRefreshInterval does:
 * with a refresh token, by renewing the access token (refresh(): its new ID token is validated and its
 * claims replace the session's; a refusal, such as a blocked user's, ends the session); without one, at
 * /userinfo with the access token: a refusal (401: revoked, expired) or another user ends the session, and
 * what it says of the user is taken into the claims. A failure of the tenant's keeps the session, and the
 * check is made again after REFRESH_BACKOFF (back_off(), under a hash of the access token).
 * Returns OK, REFRESH_REFUSED, REFRESH_DEFERRED, or an HTTP status (the page's, as refresh()).
 */
static int revalidate(request_rec *r, const a0m_dir_conf *c, a0m_session *s, bool can_refresh)
{
	if (can_refresh)
		return refresh(r, c, s);
	if (!s->access_token) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: the session of %s has neither a refresh token nor "
		              "an access token to check it with (Auth0SessionRevalidate): it ends",
		              ap_escape_logitem(r->pool, s->user));
		return REFRESH_REFUSED;
	}
	auth0_client *client = a0m_app_client(r, c);
	if (!client)
		return HTTP_INTERNAL_SERVER_ERROR;
	const char *key = apr_pstrcat(r->pool, A0M_NS_SESSION, "v:",
	                              a0m_sha256_hex(r->pool, s->access_token, strlen(s->access_token)), NULL);
	int64_t until = 0;
	if (read_shared(r, c, key, s, true, &until) == SHARED_BACKOFF)
		return REFRESH_DEFERRED;
	json_t *profile = NULL;
	auth0_error *err = NULL;
	int rc = REFRESH_REFUSED;
	if (auth0_userinfo(client, s->access_token, &profile, &err) != AUTH0_OK) {
		if (a0m_tenant_failed(err)) {
			until = back_off(r, c, key, err);
			apr_table_unset(r->err_headers_out, "Retry-After");
			ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: cannot check the session of %s at /userinfo "
			              "now: %s; it goes on, checked again in %" APR_INT64_T_FMT " s",
			              ap_escape_logitem(r->pool, s->user), err ? err->message : "unknown error",
			              (apr_int64_t)(until - now_sec(r)));
			rc = REFRESH_DEFERRED;
		} else {
			ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: /userinfo refuses the session of %s: %s; the "
			              "session ends", ap_escape_logitem(r->pool, s->user), err ? err->message : "unknown error");
		}
		auth0_error_free(err);
		return rc;
	}
	const char *was = subject_of(r->pool, s);
	const char *is = json_string_value(json_object_get(profile, "sub"));
	json_t *claims = s->claims ? json_loads(s->claims, 0, NULL) : NULL;
	if (!was || !is || strcmp(was, is) != 0) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: /userinfo answered for another user than the "
		              "session's: the session ends");
	} else if (json_is_object(claims) && json_object_update(claims, profile) == 0) {
		/* what the tenant says of the user now: a changed claim reaches the identity passed on */
		rc = set_identity(r, c, s, claims);
		if (rc != OK && rc != HTTP_INTERNAL_SERVER_ERROR)
			rc = REFRESH_REFUSED; /* no longer names a user */
	} else {
		rc = HTTP_INTERNAL_SERVER_ERROR;
	}
	json_decref(claims);
	json_decref(profile);
	return rc;
}

/* ---- the per-request path ------------------------------------------------------------------------ */

/*
 * A session counts where it was made and wherever the location asks no more than its login gave. Two
 * things a location may ask for are checked on every request, since a session is shared by the whole
 * site (its cookie is host-wide):
 *   - Auth0Organization: the session's organization must be that one (libauth0's rule: "org_..." is the
 *     org_id, anything else the org_name in lower case); otherwise the request is unauthenticated here
 *     and a navigation starts a login into the organization;
 *   - Auth0Audience: the session's access token is used (Require auth0-scope/-permission, the token
 *     passed to the backend) only if it is for that API; otherwise as if there were none.
 */
static bool org_matches(const char *want, const a0m_session *s)
{
	if (strncmp(want, "org_", 4) == 0)
		return s->org_id && strcmp(s->org_id, want) == 0;
	size_t n = strlen(want);
	if (!s->org_name || strlen(s->org_name) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s->org_name[i] != (want[i] >= 'A' && want[i] <= 'Z' ? (char)(want[i] - 'A' + 'a') : want[i]))
			return false; /* ASCII folding, not tolower(): a locale must not change the rule */
	return true;
}

static bool token_for_here(apr_pool_t *p, const a0m_dir_conf *c, const a0m_session *s)
{
	if (!c->audience)
		return true;
	return s->audiences && strstr(s->audiences, apr_pstrcat(p, "\n", c->audience, "\n", NULL));
}

a0m_shortfall a0m_session_shortfall(request_rec *r, const a0m_dir_conf *c, const a0m_session *s)
{
	if (c->organization && !org_matches(c->organization, s))
		return A0M_SHORT_ORGANIZATION;
	if (a0m_conf_flag(c->require_mfa, false) && !s->mfa)
		return A0M_SHORT_MFA;
	/* with the leeway libauth0 gives auth_time at the callback: a login it accepted counts here (a clock
	 * ahead of the tenant's would otherwise send the user round again, up to the leeway) */
	int max_age = a0m_conf_max_age(c);
	if (max_age && (!s->auth_time || now_sec(r) - s->auth_time > (int64_t)max_age + a0m_conf_leeway(c)))
		return A0M_SHORT_MAX_AGE;
	return A0M_SHORT_NONE;
}

static const char *shortfall_text(request_rec *r, const a0m_dir_conf *c, a0m_shortfall shortfall)
{
	switch (shortfall) {
	case A0M_SHORT_ORGANIZATION:
		return apr_pstrcat(r->pool, "it is not for organization ", c->organization, " (Auth0Organization)", NULL);
	case A0M_SHORT_MFA:
		return "its login had no second factor (Auth0RequireMFA)";
	case A0M_SHORT_MAX_AGE:
		return apr_psprintf(r->pool, "its login is older than Auth0MaxAge %d s (or of unknown age)",
		                    a0m_conf_max_age(c));
	default:
		return "";
	}
}

/* OK, or HTTP_FORBIDDEN when this location's Auth0UserClaim expression does not take the session's user. */
static int set_request_identity(request_rec *r, const a0m_dir_conf *c, a0m_session *s)
{
	const char *user = s->user;
	if ((!s->user_claim || strcmp(s->user_claim, a0m_conf_user_rule(c)) != 0) && s->claims) {
		/* this location names the user by another claim or rule: the rare case that parses the claims */
		json_t *claims = json_loads(s->claims, 0, NULL);
		const char *claimed = claims ? a0m_claims_user_claimed(r->pool, c, claims) : NULL;
		json_decref(claims);
		const char *other = a0m_claims_user_mapped(r->pool, c, claimed);
		if (other)
			user = other;
		else if (c->user_regex) {
			/* the name an expression would not take is not given out as the claim's raw value */
			ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
			              "mod_auth0: %s does not match this location's Auth0UserClaim expression",
			              ap_escape_logitem(r->pool, claimed ? claimed : s->user));
			return HTTP_FORBIDDEN;
		}
	}
	r->user = (char *)user;
	a0m_request *rq = a0m_request_get(r, true);
	rq->source = "session";
	rq->session = s;
	rq->claims_text = s->claims;
	/* a token for another API, or an opaque one, is not this location's (see above) */
	bool token = token_for_here(r->pool, c, s);
	rq->access_claims_text = token ? s->access_claims : NULL;
	rq->access_token = token ? s->access_token : NULL;
	rq->csrf_token = s->csrf;
	const char *filter = a0m_conf_identity_claim_filter(c);
	if (!identity_is_for(s, filter)) {
		/* a session opened for a location with another claim filter (or just refreshed): made again */
		json_t *claims = s->claims ? json_loads(s->claims, 0, NULL) : NULL;
		a0m_claims_apply_block(r, c, claims ? identity_of(r->pool, filter, claims) : NULL, rq->access_token,
		                       s->access_expires);
		json_decref(claims);
	} else {
		a0m_claims_apply_ready(r, c, s->ready, s->identity, rq->access_token, s->access_expires);
	}
	return OK;
}

bool a0m_session_cache_failed(request_rec *r)
{
	return apr_table_get(r->notes, NOTE_CACHE_FAILED) != NULL;
}

int a0m_session_unavailable(request_rec *r, const char *text)
{
	a0m_metric(A0M_CACHE_FAILED);
	return a0m_page(r, HTTP_SERVICE_UNAVAILABLE, "Temporarily unavailable", text,
	                a0m_redirect_local(r->pool, r->unparsed_uri), "Try again");
}


/* A renewal or check that did not go through (neither OK nor deferred): a refusal ends the session (a new
 * login), a failure of the tenant's answers its page. Deferred outcomes never come here: the request goes on
 * with the current token and identity, and the session is not written (not even its activity), since a
 * concurrent renewal elsewhere may have rotated the refresh token, which a write of this copy would undo. */
static int tenant_said_no(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, a0m_session *s, int rc,
                          const char *needed)
{
	if (rc == REFRESH_REFUSED) {
		a0m_session_destroy(r, c, o, s);
		return a0m_login_ended(r, c, o);
	}
	return a0m_page(r, rc, "Sign-in service unavailable",
	                apr_psprintf(r->pool, "Your session needs to be %s, but the sign-in service cannot be reached "
	                             "right now. Please try again in a moment.", needed),
	                a0m_redirect_local(r->pool, r->unparsed_uri), "Try again");
}

/*
 * When a renewable access token is renewed: Auth0RefreshBeforeExpiry before it expires, so that a backend's
 * calls with it have that long; but a token issued for less than twice that is renewed halfway through its
 * life, so that a margin longer than the tenant's tokens live does not renew at every request (a renewal is
 * a request to the tenant, which rate-limits them). Sessions written before the lifetime was kept: the
 * margin alone.
 */
static int64_t renewal_due(const a0m_dir_conf *c, const a0m_session *s)
{
	int64_t margin = a0m_conf_refresh_before_expiry(c);
	if (s->access_lifetime > 0 && margin > s->access_lifetime / 2)
		margin = s->access_lifetime / 2;
	return s->access_expires - margin;
}

int a0m_session_authenticate(request_rec *r, const a0m_dir_conf *c)
{
	const a0m_origin *o = a0m_origin_get(r, c);
	int rc;
	if (!a0m_origin_check(r, o, &rc))
		return rc;
	a0m_session *s = a0m_session_load(r, c, o);
	if (!s && a0m_session_cache_failed(r)) /* a cache outage must not look like a logout (nor start logins
	                                          * that cannot complete) */
		return a0m_session_unavailable(r, "This site cannot check your session right now. Please try again "
		                                  "in a moment.");
	if (!s)
		return a0m_login_unauthenticated(r, c, o);
	a0m_shortfall shortfall = a0m_session_shortfall(r, c, s);
	if (shortfall != A0M_SHORT_NONE) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: the session of %s does not count here: %s",
		              ap_escape_logitem(r->pool, s->user), shortfall_text(r, c, shortfall));
		return a0m_login_again(r, c, o, shortfall);
	}

	int64_t now = now_sec(r);
	bool dirty = false, renewed = false, deferred = false;
	bool can_refresh = s->refresh_token && a0m_conf_flag(c->refresh_tokens, true);
	if (!can_refresh && c->audience && s->access_claims && s->access_expires && now >= s->access_expires) {
		/* an API token that cannot be renewed here: the session ends with it (see the top of this file) */
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
		              "mod_auth0: session ended: its access token expired and cannot be renewed (no refresh "
		              "token, or Auth0RefreshTokens off)");
		a0m_session_destroy(r, c, o, s);
		return a0m_login_ended(r, c, o);
	}
	if (can_refresh && s->access_expires && now >= renewal_due(c, s)) {
		rc = refresh(r, c, s);
		a0m_metric(rc == OK                 ? A0M_REFRESH_OK
		           : rc == REFRESH_REFUSED  ? A0M_REFRESH_REFUSED
		           : rc == REFRESH_DEFERRED ? A0M_REFRESH_DEFERRED
		                                    : A0M_REFRESH_FAILED);
		deferred = rc == REFRESH_DEFERRED;
		if (rc != OK && !deferred)
			return tenant_said_no(r, c, o, s, rc, "renewed");
		dirty = renewed = !deferred;
	}
	int recheck = a0m_conf_session_revalidate(c);
	if (recheck && !deferred && (renewed || now - s->checked >= recheck)) {
		/* a renewal made just now is a check; otherwise the session is checked at the tenant (revalidate()) */
		rc = renewed ? OK : revalidate(r, c, s, can_refresh);
		deferred = rc == REFRESH_DEFERRED;
		if (rc != OK && !deferred)
			return tenant_said_no(r, c, o, s, rc, "checked");
		if (rc == OK) {
			s->checked = now;
			dirty = true;
			renewed = renewed || can_refresh;
		}
	}
	int inactivity = a0m_conf_inactivity_timeout(c);
	int threshold = inactivity / 10 < 300 ? inactivity / 10 : 300;
	if (dirty || (!deferred && now - s->last_active > threshold && !written_since_read(s))) {
		s->last_active = now;
		a0m_save saved = a0m_session_save(r, c, o, s);
		if (saved == A0M_SAVE_ENDED) {
			/* signed out while this request renewed its tokens: the logout revoked the refresh token it
			 * saw (at best), not the one this renewal may have received in its place */
			if (renewed)
				a0m_revoke_refresh_token(r, c, s);
			a0m_session_destroy(r, c, o, s);
			return a0m_login_ended(r, c, o);
		}
		if (saved != A0M_SAVE_OK)
			ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_auth0: could not renew the session of %s",
			              ap_escape_logitem(r->pool, s->user));
	}
	if (set_request_identity(r, c, s) != OK)
		return a0m_page(r, HTTP_FORBIDDEN, "Access denied", "This account cannot use this page.", "/",
		                "Go to the home page");
	return OK;
}
