/*
 * mod_auth0: Auth0 for Apache httpd 2.4.
 *
 * Layout (one responsibility per file):
 *
 *   mod_auth0.c     module record, hooks, the check_authn entry point and dispatch
 *   config.c        directives, server/directory configuration and merging, start-up checks
 *   app.c           per-process libauth0 clients, one per distinct tenant/application configuration
 *   cache.c         the shared socache instance + global mutex; libauth0 store adapter
 *   seal.c          AEAD sealing (AES-256-GCM) with HKDF-derived keys and key rotation
 *   memo.c          per-process memo: a session is not opened, a token not validated, twice
 *   cookies.c       reading, writing, chunking and expiring cookies with safe attributes
 *   origin.c        the request's external scheme/host/port (X-Forwarded-* of trusted proxies)
 *   redirects.c     validation of post-login targets and logout returnTo (no open redirects)
 *   pages.c         small escaped HTML pages (errors, restart login, logout confirmation)
 *   transaction.c   login transactions: state, nonce, PKCE, original URL in a sealed cookie
 *   login.c         starting a login (authorization URL) or answering 401
 *   callback.c      the redirect URI: error, state, code exchange, ID token, new session
 *   session.c       session model, cookie and cache stores, timeouts, renewal, refresh
 *   logout.c        the logout endpoint
 *   bearer.c        AuthType Auth0Bearer: access-token validation and its cache
 *   claims.c        claim lookup, identity headers/environment, spoofing protection
 *   authz.c         Require auth0-claim / -scope / -permission / -role / -org
 *   denied.c        the page of a signed-in user whom a Require refuses
 *   admin.c         SetHandler auth0-management (JSON API) and auth0-admin (page)
 */
#ifndef MOD_AUTH0_H
#define MOD_AUTH0_H

/* before APR's headers: with offsetof defined, APR_OFFSETOF (and so the ring macros that walk a brigade) is
 * the compiler's, not an expression on a null pointer, which is undefined and which UBSan stops at */
#include <stddef.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_socache.h>
#include <apr_global_mutex.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include <auth0.h>

#ifdef APLOG_USE_MODULE
APLOG_USE_MODULE(auth0);
#endif

extern module AP_MODULE_DECLARE_DATA auth0_module;

#define A0M_VERSION "mod_auth0/" AUTH0_VERSION

/* AuthType names. */
#define A0M_AUTHTYPE_SESSION "Auth0"
/* The challenge of a 401 for AuthType Auth0 (RFC 7235 wants one; browsers are sent to log in instead). */
#define A0M_SESSION_CHALLENGE "Auth0 realm=\"login\""
#define A0M_AUTHTYPE_BEARER "Auth0Bearer"

/* Unset markers for merging. */
#define A0M_UNSET_INT (-2147483647 - 1)

typedef enum {
	A0M_UNAUTH_AUTH = 0,   /* redirect browsers to the login page (401 for non-navigations) */
	A0M_UNAUTH_401,
	A0M_UNAUTH_PASS        /* let the request through without a user */
} a0m_unauth_action;

typedef enum { A0M_STORE_COOKIE = 0, A0M_STORE_CACHE } a0m_session_store;
typedef enum { A0M_SAMESITE_LAX = 0, A0M_SAMESITE_STRICT, A0M_SAMESITE_NONE } a0m_samesite;
typedef enum { A0M_LOGOUT_V2 = 0, A0M_LOGOUT_OIDC, A0M_LOGOUT_LOCAL } a0m_logout_endpoint;
/* Which proxy headers say the browser's scheme, host and port (Auth0TrustForwardedHeaders): one family
 * only, since a proxy that sets one passes the client's copy of the other through. */
typedef enum { A0M_FORWARDED_OFF = 0, A0M_FORWARDED_X, A0M_FORWARDED_RFC7239 } a0m_forwarded;

/* Where identity goes for the backend (bit set). */
enum { A0M_PASS_HEADERS = 1, A0M_PASS_ENV = 2 };
/* Where AuthType Auth0Bearer looks for the token (Auth0BearerTokenFrom). */
enum { A0M_TOKEN_FROM_HEADER = 1, A0M_TOKEN_FROM_QUERY = 2, A0M_TOKEN_FROM_COOKIE = 4, A0M_TOKEN_FROM_BASIC = 8 };
enum { A0M_PREFLIGHT_ANSWER = 1, A0M_PREFLIGHT_BACKEND, A0M_PREFLIGHT_AUTH };
enum { A0M_ERROR_PAGES_MODULE = 1, A0M_ERROR_PAGES_ERRORDOCUMENT };
/* Auth0PreservePost's default and largest sizes of a form body (bytes) */
enum { A0M_PRESERVE_POST_DEFAULT = 16384, A0M_PRESERVE_POST_MAX = 49152 };

/* A sealing key derived from one Auth0SessionSecret. */
typedef struct a0m_key {
	unsigned char id;           /* first byte of SHA-256(key): picks the key when opening */
	unsigned char key[32];
} a0m_key;

/* Keys derived from Auth0SessionSecret SECRET...: the first seals, all open. */
typedef struct a0m_keyring {
	int count;
	a0m_key *session;        /* session cookies and cached sessions */
	a0m_key *transaction;    /* login transaction cookies */
	a0m_key *cache;          /* tokens kept in the shared cache */
	unsigned char csrf[32];  /* CSRF tokens (first secret only) */
} a0m_keyring;

/* A trusted proxy network for X-Forwarded-*. */
typedef struct a0m_cidr {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
} a0m_cidr;

/*
 * The configuration of a directory (or of a whole server: httpd merges the
 * server-level values into every directory). Strings are NULL and integers
 * A0M_UNSET_INT when not set; accessors in config.c apply the defaults.
 */
/* Directives whose "none" undoes a value inherited from an enclosing scope (a0m_dir_conf.undone). */
enum {
	A0M_UNDONE_AUDIENCE = 1u << 0,
	A0M_UNDONE_ORGANIZATION = 1u << 1,
	A0M_UNDONE_COOKIE_DOMAIN = 1u << 2,
	A0M_UNDONE_OUTGOING_PROXY = 1u << 3,
	A0M_UNDONE_USER_HEADER = 1u << 4,
};

typedef struct a0m_dir_conf {
	/* the tenant and the application */
	const char *domain;
	const char *client_id;
	const char *client_secret;
	const char *assertion_key_file;
	const char *assertion_key_pem;
	const char *assertion_alg;
	int client_secret_basic;           /* Auth0ClientAuthMethod basic: the secret in HTTP Basic, not the body */
	const char *ca_file;
	int http_timeout_ms;
	int http_retries;
	const char *management_base_url;
	const char *outgoing_proxy;

	/* login */
	const char *redirect_uri;          /* path ("/callback") or absolute URL */
	const char *scope;
	const char *audience;
	const char *organization;
	apr_array_header_t *authz_params;  /* of auth0_kv */
	int unauthenticated;               /* a0m_unauth_action */
	int login_timeout;                 /* seconds a login transaction lives */
	int max_transactions;              /* concurrent login transactions (cookies) per browser */
	const char *post_login_url;        /* landing page when no original URL is known */

	/* sessions */
	a0m_keyring *keys;
	int session_store;                 /* a0m_session_store */
	int inactivity_timeout;
	int max_duration;
	const char *cookie_name;
	const char *cookie_domain;
	int cookie_samesite;               /* a0m_samesite */
	int refresh_tokens;                /* renew access tokens with the refresh token (on/off) */
	int refresh_before_expiry;         /* Auth0RefreshBeforeExpiry: seconds (a0m_conf_refresh_before_expiry) */
	int session_revalidate;            /* Auth0SessionRevalidate: seconds; -1 Off, 0 unset (inherited) */

	/* logout */
	const char *logout_path;
	const char *backchannel_logout_path; /* Auth0BackChannelLogoutPath: the tenant POSTs logout tokens here */
	const char *login_path;      /* Auth0LoginPath: logins started from a link (invitations, third parties) */
	const char *logout_return_to;
	apr_array_header_t *logout_allow;  /* of const char * (absolute URLs or path prefixes) */
	int logout_endpoint;               /* a0m_logout_endpoint */

	/* identity to backends */
	const char *user_claim;
	ap_regex_t *user_regex;            /* Auth0UserClaim's expression, or NULL: the claim's value as it is */
	const char *user_replacement;      /* ... and what the name becomes ($1 when not given) */
	const char *user_rule;             /* the directive's arguments as one text: the rule, compared between
	                                    * a session's user and a location's */
	int pass_claims_as;                /* A0M_PASS_* bits */
	const char *claim_header_prefix;
	const char *identity_claim_filter; /* " a b " (names left out of a session's identity), " " for none */
	const char *pass_claims;           /* Auth0PassClaims: "+ a b " (only those pass), "" for all */
	int pass_access_token;
	const char *user_header;           /* Auth0UserHeader: a request header carrying REMOTE_USER, or NULL */
	int pass_id_token;                 /* Auth0PassIDToken: the session's ID token to backends */
	int cors_preflight;                /* Auth0CORSPreflight: A0M_PREFLIGHT_* */
	int strip_cookies;                 /* this module's cookies kept from backends (on/off) */
	int logout_federated;              /* the tenant's logout also logs out of the identity provider */
	int cookie_persistent;             /* session cookies with Max-Age (on) or for the browser session */
	int require_mfa;                   /* sessions here need a login with multi-factor authentication */
	int error_pages;                   /* Auth0ErrorPages: A0M_ERROR_PAGES_* */
	int preserve_post;                 /* Auth0PreservePost: 0 off, else the largest form body kept */
	int max_age;                       /* Auth0MaxAge: seconds a login counts here (auth_time), unset: any */
	int id_token_alg;                  /* Auth0IDTokenSigningAlg: auth0_id_token_alg (RS256, HS256, PS256) */
	int pushed_authorization;          /* Auth0PushedAuthorizationRequests: logins go through POST /oauth/par */
	int silent_login;                  /* Auth0SilentLogin: Auth0Unauthenticated pass tries prompt=none once */
	int bearer_alg;                    /* Auth0BearerSigningAlg: AUTH0_ALG_RS256 or AUTH0_ALG_PS256 */
	int bearer_from;                   /* Auth0BearerTokenFrom: A0M_TOKEN_FROM_* bits */
	const char *bearer_cookie;         /* ... and the cookie's name with A0M_TOKEN_FROM_COOKIE */
	/* Auth0BearerExtraIssuer, Auth0BearerExtraAudience: NULL-terminated lists accepted besides the domain's
	 * issuer and Auth0Audience (NULL: none) */
	const char **bearer_issuers, **bearer_audiences;

	/* authorization */
	const char *roles_claim;
	int leeway;

	/* proxies */
	int trust_forwarded; /* a0m_forwarded */
	apr_array_header_t *trusted_proxies; /* of a0m_cidr */

	/* admin endpoints */
	apr_array_header_t *management_allow; /* of const char * globs */

	/* A0M_UNDONE_* bits: directives given "none" here, so that their (NULL) value overrides an enclosing
	 * scope's when the two are merged (merge_dir_conf) */
	unsigned undone;
} a0m_dir_conf;

/* Per-server (virtual host) configuration: only what cannot vary by directory. */
typedef struct a0m_server_conf {
	const char *cache_spec;            /* Auth0Cache PROVIDER[:ARGS] as written */
	const char *cache_provider_name;
	const ap_socache_provider_t *cache_provider;
	ap_socache_instance_t *cache_instance;
	bool id_token_passed;              /* some Auth0PassIDToken On here (a0m_conf_id_token_passed) */
} a0m_server_conf;

/* ---- config.c: effective values with defaults ------------------------------------- */

const char *a0m_conf_scope(const a0m_dir_conf *c);
int a0m_conf_inactivity_timeout(const a0m_dir_conf *c);
int a0m_conf_max_duration(const a0m_dir_conf *c);
/* The longest Auth0SessionMaxDuration anywhere in the configuration (pre_config resets it). */
int a0m_conf_longest_max_duration(void);
/* The longest Auth0LoginTimeout anywhere in the configuration, likewise. */
int a0m_conf_longest_login_timeout(void);
void a0m_conf_pre_config(void);
int a0m_conf_login_timeout(const a0m_dir_conf *c);
int a0m_conf_max_transactions(const a0m_dir_conf *c);
/* Auth0PreservePost: the largest form body kept across a login, 0 when off (the default). */
int a0m_conf_preserve_post(const a0m_dir_conf *c);
/* Auth0MaxAge in seconds, 0 when not set (a login of any age counts). */
int a0m_conf_max_age(const a0m_dir_conf *c);
/* Auth0IDTokenSigningAlg: how the application's ID tokens are signed (AUTH0_ALG_RS256 by default). */
int a0m_conf_id_token_alg(const a0m_dir_conf *c);
/* Auth0BearerSigningAlg: the JWS name of the algorithm the API's access tokens are signed with ("RS256" by
 * default, or "PS256"). */
const char *a0m_conf_bearer_alg(const a0m_dir_conf *c);
int a0m_conf_bearer_from(const a0m_dir_conf *c);
/* Whether some location of the configuration reads tokens from the query (pre_config resets it). */
bool a0m_conf_query_tokens_read(void);
/* Whether some Auth0PassIDToken of the virtual host s (or of the main server) says on: its sessions then keep
 * their ID token, whichever location their login starts from. */
bool a0m_conf_id_token_passed(const server_rec *s);
const char *a0m_conf_cookie_name(const a0m_dir_conf *c);
/* The value Auth0AuthorizationParam gives name here (the last one given: /authorize gets that one), or NULL. */
const char *a0m_conf_authz_param(const a0m_dir_conf *c, const char *name);
const char *a0m_conf_user_claim(const a0m_dir_conf *c);
/* Auth0UserClaim whole (the claim, with its expression and replacement when given): two locations with the
 * same rule name a user alike. "sub" by default. */
const char *a0m_conf_user_rule(const a0m_dir_conf *c);
const char *a0m_conf_claim_header_prefix(const a0m_dir_conf *c);
/* The claims a session's identity leaves out, for a0m_claims_render_except: Auth0PassClaims's "+ a b " where
 * it names some, else Auth0IdentityClaimFilter's " a b c " (each name between spaces; " ": none). */
const char *a0m_conf_identity_claim_filter(const a0m_dir_conf *c);
/* The same for bearer tokens, which pass every claim unless Auth0PassClaims names some (NULL then). */
const char *a0m_conf_bearer_claim_filter(const a0m_dir_conf *c);
int a0m_conf_pass_claims_as(const a0m_dir_conf *c);
int a0m_conf_leeway(const a0m_dir_conf *c);
/* Auth0RefreshBeforeExpiry: how long before its expiry a renewable access token is renewed (default 30 s; at
 * most A0M_REFRESH_BEFORE_MAX; session.c takes half the token's lifetime when that is less). */
int a0m_conf_refresh_before_expiry(const a0m_dir_conf *c);
/* Auth0SessionRevalidate: how often a session is checked again at the tenant (seconds, at least 60), 0 never
 * (default). */
int a0m_conf_session_revalidate(const a0m_dir_conf *c);
#define A0M_REFRESH_BEFORE_MAX 3600
const char *a0m_conf_post_login_url(const a0m_dir_conf *c);
const char *a0m_conf_redirect_path(const a0m_dir_conf *c); /* path part of Auth0RedirectURI */
bool a0m_conf_flag(int value, bool dflt);

/* Checks a configuration that protects something; NULL when usable, else a message naming the directive. */
const char *a0m_conf_check(apr_pool_t *p, const a0m_dir_conf *c, bool bearer);
/* Whether Auth0PostLoginURL or Auth0LogoutReturnTo leads to one of the module's own paths (a redirect loop):
 * a path, or an absolute URL on a host of this site (an absolute Auth0RedirectURI's, or s's names when s is
 * given); NULL when not. a0m_conf_check includes it without s. */
const char *a0m_conf_check_landing(apr_pool_t *p, const a0m_dir_conf *c, const server_rec *s);

/* ---- cache.c: the shared cache --------------------------------------------------------- */

/* Namespaces of cache keys, so that one socache serves every purpose. */
#define A0M_NS_SESSION "s:"
#define A0M_NS_STATE "u:"       /* used login states (replay protection) */
#define A0M_NS_BEARER "b:"      /* validated bearer tokens */
#define A0M_NS_STORE "l:"       /* libauth0's store: Management token, JWKS */
#define A0M_NS_LOGOUT "o:"      /* back-channel logouts: sessions ended by the tenant, logout tokens used */
#define A0M_NS_POST "p:"        /* form bodies kept across a login (Auth0PreservePost) */
#define A0M_NS_PAR_WAIT "w:"    /* a tenant's 429 to a pushed authorization request: when pushing resumes */

void a0m_cache_pre_config(apr_pool_t *pconf);
/* At `httpd -t` only: asks the configured redis-auth server, so that the configtest refuses what the start
 * would (a wrong password). A start asks in post_config. */
int a0m_cache_check_config(server_rec *s);
apr_status_t a0m_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s);
void a0m_cache_child_init(apr_pool_t *p, server_rec *s);
/* Stores a value until `expires` (apr_time_t). APR_ENOSPC when too large for the provider. */
apr_status_t a0m_cache_set(server_rec *s, const char *key, const unsigned char *value, size_t len,
                           apr_time_t expires, apr_pool_t *p);
/* APR_NOTFOUND when absent; *value is allocated from p. */
apr_status_t a0m_cache_get(server_rec *s, const char *key, unsigned char **value, size_t *len, apr_pool_t *p);
/* APR_SUCCESS when the entry is gone, or was not there while the cache answers (a0m_cache_answers). */
apr_status_t a0m_cache_remove(server_rec *s, const char *key, apr_pool_t *p);
/* Stores a value under key only while an entry is there: APR_NOTFOUND, and nothing stored, when there is
 * none (a session's write-back must not undo the logout that removed it meanwhile); APR_EGENERAL when the
 * provider considers its server down. The look and the write are one step under the cache's mutex, which
 * a0m_cache_remove() takes too: atomic on this host; hosts sharing a redis or memcache server can still
 * cross in the time of one round trip. */
apr_status_t a0m_cache_replace(server_rec *s, const char *key, const unsigned char *value, size_t len,
                               apr_time_t expires, apr_pool_t *p);
/* Stores a small marker under key unless one is there: APR_EEXIST when it is. Atomic across hosts with
 * redis-auth (one SET NX); with other providers, atomic on this host only (the cache's mutex is held across
 * a read and a write), so hosts sharing httpd's redis or memcache provider can both add it. */
apr_status_t a0m_cache_add(server_rec *s, const char *key, apr_time_t expires, apr_pool_t *p);
/* Host-wide change counters for values that processes keep copies of (cache.c says when there are
 * some), for names that are random ids (only their ends pick the counter): *version is the counter of
 * `name` now; false when there are no counters (a copy never counts). */
bool a0m_cache_version(const char *name, apr_uint32_t *version);
/* Bumps the counter of `name`: call after writing or removing the value (every copy stops counting). */
void a0m_cache_changed(const char *name);
/* The count of back-channel logouts recorded on this host (false when it could not be made), and its bump,
 * after the logout's markers are written. */
bool a0m_cache_logout_epoch(apr_uint32_t *epoch);
void a0m_cache_logout_recorded(void);
/* Whether every entry of the cache lives on this host (shmcb): no other host writes it unseen. */
bool a0m_cache_host_local(void);
/*
 * Whether an APR_NOTFOUND just read means that the entry is not there. apr_redis and apr_memcache answer
 * "not found" for every key while they consider their server down (for seconds after a failure, in each
 * process): true when the provider answered in this process this second since its last failure, or takes
 * a small write now. Ask it before treating a missing entry as "none", where that would log somebody out
 * or let a revoked session through.
 */
bool a0m_cache_answers(server_rec *s, apr_pool_t *p);
/*
 * The cross-process lock for the refresh of the session refresh token `key` names (one of a few, by a hash
 * of key), waiting at most `wait`: APR_TIMEUP when another refresh holds it longer, APR_EINIT without locks.
 * libauth0's own single flight (JWKS, Management token) has another lock, taken inside this one.
 */
apr_status_t a0m_cache_refresh_lock(const char *key, apr_time_t wait);
apr_status_t a0m_cache_refresh_unlock(const char *key);
/* A libauth0 store backed by the shared cache: values sealed with keys[0], opened with any. */
void a0m_cache_store_init(apr_pool_t *p, server_rec *s, const a0m_key *keys, int key_count, auth0_store *store);

/* ---- seal.c ----------------------------------------------------------------------------- */

/* Prepares the cipher once, in post_config. */
void a0m_seal_init(void);

/* Derives the keyring for secrets (at configuration time). NULL and *error set on failure. */
a0m_keyring *a0m_keyring_derive(apr_pool_t *p, const char *const *secrets, int count, const char **error);
/* Seals plaintext bound to `context` (e.g. the cookie name): base64url text. */
char *a0m_seal(apr_pool_t *p, const a0m_key *key, const char *context, const unsigned char *plain, size_t len);
/* Opens a sealed value with any of `count` keys; NULL when forged, truncated or for another context. */
unsigned char *a0m_open(apr_pool_t *p, const a0m_key *keys, int count, const char *context, const char *sealed,
                        size_t *len);
/* Binary variants (no base64url), for cache values. */
unsigned char *a0m_seal_raw(apr_pool_t *p, const a0m_key *key, const char *context, const unsigned char *plain,
                            size_t len, size_t *out_len);
unsigned char *a0m_open_raw(apr_pool_t *p, const a0m_key *keys, int count, const char *context,
                            const unsigned char *sealed, size_t sealed_len, size_t *len);
/* Random bytes as base64url text (nbytes <= 64). */
char *a0m_random_token(apr_pool_t *p, size_t nbytes);
/* Hex SHA-256 of text (cache keys that do not reveal ids or tokens). */
char *a0m_sha256_hex(apr_pool_t *p, const char *data, size_t len);
/* Constant-time string equality. */
bool a0m_secure_streq(const char *a, const char *b);

/* ---- app.c: libauth0 clients --------------------------------------------------------------- */

/* The libauth0 client for this configuration, created once per process; NULL on error (logged). */
auth0_client *a0m_app_client(request_rec *r, const a0m_dir_conf *c);

/* ---- module-wide set-up (mod_auth0.c calls these) ---------------------------------------- */

void a0m_app_post_config(void);
void a0m_app_child_init(apr_pool_t *pchild);

/* ---- metrics.c: host-wide counters of events, SetHandler auth0-metrics (Prometheus) ------------ */

typedef enum a0m_metric_id {
	A0M_LOGIN_STARTED, A0M_LOGIN_COMPLETED, A0M_LOGIN_STALE, A0M_LOGIN_DENIED, A0M_LOGIN_FAILED,
	A0M_LOGIN_STEP_UP, A0M_LOGIN_MAX_AGE, A0M_SESSION_TIMEOUT, A0M_SESSION_LOGOUT, A0M_SESSION_BACKCHANNEL,
	A0M_SESSION_REFUSED,
	A0M_REFRESH_OK, A0M_REFRESH_REFUSED, A0M_REFRESH_FAILED,
	A0M_REFRESH_DEFERRED, /* not renewed now (the tenant failed), the request went on with the current token */
	A0M_BEARER_REFUSED, A0M_BACKCHANNEL_ACCEPTED,
	A0M_BACKCHANNEL_REFUSED, A0M_PREFLIGHT_PASSED, A0M_CACHE_FAILED, A0M_POST_KEPT, A0M_POST_REPOSTED,
	A0M_POST_LOST, A0M_POST_REFUSED,
	A0M_METRIC_COUNT
} a0m_metric_id;
void a0m_metrics_post_config(apr_pool_t *pconf, server_rec *s);
/* Counts one event (an atomic add in shared memory). */
void a0m_metric(a0m_metric_id m);
/* SetHandler auth0-metrics; DECLINED for other handlers. */
int a0m_metrics_handler(request_rec *r);

/* What a location asks of a session's login beyond being signed in, that a session lacks (session.c). */
typedef enum a0m_shortfall {
	A0M_SHORT_NONE = 0,
	A0M_SHORT_ORGANIZATION, /* Auth0Organization: the session is another organization's */
	A0M_SHORT_MFA,          /* Auth0RequireMFA: its login had no second factor */
	A0M_SHORT_MAX_AGE       /* Auth0MaxAge: its login is older (or of unknown age) */
} a0m_shortfall;

/* ---- the flows: each returns an httpd status (OK, DECLINED, HTTP_*, DONE) ------------------ */

/* AuthType Auth0 on a request that is not the callback or logout path (session.c / login.c). */
int a0m_session_authenticate(request_rec *r, const a0m_dir_conf *c);
/* The redirect URI (callback.c). */
int a0m_callback_handle(request_rec *r, const a0m_dir_conf *c);
/* The logout path (logout.c). */
int a0m_logout_handle(request_rec *r, const a0m_dir_conf *c);
/* Revokes the session's refresh token at the tenant, if it has one: best effort, a failure is logged
 * (logout.c; also for a session that ends holding a refresh token the tenant still honours). */
struct a0m_session;
void a0m_revoke_refresh_token(request_rec *r, const a0m_dir_conf *c, const struct a0m_session *s);
/* Auth0BackChannelLogoutPath: the tenant's logout tokens (backchannel.c). */
int a0m_backchannel_handle(request_rec *r, const a0m_dir_conf *c);
/* When the tenant ended the sessions of `value` (kind "sid" or "sub") at c's application: APR_SUCCESS and
 * *at (sessions whose login began then or before are over), APR_NOTFOUND, or the cache's error. */
apr_status_t a0m_backchannel_marker(request_rec *r, const a0m_dir_conf *c, const char *kind, const char *value,
                                    apr_time_t *at);
/* AuthType Auth0Bearer (bearer.c). */
int a0m_bearer_authenticate(request_rec *r, const a0m_dir_conf *c);
/* Removes client-supplied identity headers before anything else runs (claims.c). */
void a0m_claims_scrub(request_rec *r, const a0m_dir_conf *c);
/* For a request that inherits its parent's identity (an internal redirect, a sub-request): what the parent
 * passed stays, but not the tokens this location does not pass, and the user header is this location's. */
void a0m_claims_inherited(request_rec *r, const a0m_dir_conf *c);
/* Whether name begins with prefix, without case, any separator ('-', '_', '.', ...) matching any other:
 * how gateways map header names to variables, and so how the scrub compares them. */
bool a0m_claims_folded_prefix(const char *name, const char *prefix);
/* Registers the access-denied page of signed-in users (denied.c); a0m_authz_register calls it. */
void a0m_denied_register(apr_pool_t *p);
/* Registers the Require auth0-* providers (authz.c). */
void a0m_authz_register(apr_pool_t *p);
/* A secret given as env:NAME (that environment variable of httpd's) or file:PATH (the first line of the file,
 * relative to ServerRoot), or as itself: *out, or the reason it cannot be read (config.c). */
const char *a0m_read_secret(apr_pool_t *p, const char *ref, const char **out);
/* Registers the redis-auth socache provider (socache_redis.c; built with hiredis only). */
void a0m_socache_redis_register(apr_pool_t *p);
/* Asks the redis-auth server once (connect, AUTH, SELECT, PING): APR_EACCES, logged, when it refuses the
 * credentials or database; APR_SUCCESS when it answers, and also when it cannot be reached (a warning). */
apr_status_t a0m_socache_redis_probe(ap_socache_instance_t *in, server_rec *s);
/* redis-auth's add (SET ... NX): marks id as taken unless an entry holds it, in one step of the server that
 * every host sharing it sees: APR_SUCCESS, APR_EEXIST (nothing written) or a failure. The entry's value is
 * a random token of this add's, which only tells its own write from another's. */
apr_status_t a0m_socache_redis_add(ap_socache_instance_t *in, server_rec *s, const unsigned char *id,
                                   unsigned int idlen, apr_time_t expiry, apr_pool_t *p);
/* redis-auth's replace (SET ... XX): stores data under id only where an entry holds it, in one step of the
 * server: APR_SUCCESS, APR_NOTFOUND (nothing written) or a failure. */
apr_status_t a0m_socache_redis_replace(ap_socache_instance_t *in, server_rec *s, const unsigned char *id,
                                       unsigned int idlen, apr_time_t expiry, const unsigned char *data,
                                       unsigned int datalen, apr_pool_t *p);
/* SetHandler auth0-management / auth0-admin (admin.c); DECLINED for other handlers. */
int a0m_admin_handler(request_rec *r);

/* ---- per-request state --------------------------------------------------------------------- */

struct a0m_session;

/* What the authentication phase learnt about this request (r->request_config). */
typedef struct a0m_request {
	apr_pool_t *pool;              /* the pool of the request that created it */
	const char *source;            /* "session" or "bearer" */
	const struct a0m_dir_conf *conf; /* what it was established with: a bearer token's audience, organization */
	struct a0m_session *session;   /* browser session, if any */
	const char *claims_text;       /* ID-token claims (JSON text) */
	const char *access_claims_text;/* access-token claims (JSON text), if any */
	json_t *claims;                /* parsed lazily by a0m_request_claims */
	json_t *access_claims;
	const char *access_token;
	const char *csrf_token;        /* for the admin API / logout form */
	bool preflight;                /* a CORS preflight let through without an identity (Auth0CORSPreflight) */
} a0m_request;

a0m_request *a0m_request_get(request_rec *r, bool create);

struct a0m_origin;
/* What one request works out once (r->request_config, beside the identity; never shared with another
 * request: an internal redirect works it out again). */
typedef struct a0m_request_state {
	const struct a0m_origin *origin; /* a0m_origin_get */
	struct a0m_session *session;     /* the session of the cookies, once read (session.c) */
	bool session_read;
	/* entries of r->headers_in and r->subprocess_env just after a0m_claims_scrub removed identity from them
	 * (0: not scrubbed here): while the counts stay, nothing was added since (claims.c) */
	int scrubbed_headers, scrubbed_env;
	/* for a request this module gave its identity: authorization ran for it, and let it through (fixups
	 * followed): so a 401 or 403 of a request that was started and not passed is Require's (denied.c) */
	bool authz_started, authz_passed;
	/* Auth0BearerTokenFrom query: the access_token pairs taken out of this request's query (bearer.c),
	 * as soon as its location is known (translate_name) */
	bool query_token_taken;
	bool url_mapped;             /* translate_name ran for it (known only where some location reads query) */
	int query_token_pairs;       /* how many */
	bool query_token_malformed;  /* a pair of the query did not decode */
	bool query_lookalike;        /* pairs a backend may read as access_token were taken out (a0m_query_without) */
	const char *query_token;     /* the value, when there was exactly one and the query decoded */
} a0m_request_state;
a0m_request_state *a0m_request_state_get(request_rec *r);
/* The parsed claims (ID token) and access-token claims, parsed once per request. */
json_t *a0m_request_claims(request_rec *r);
json_t *a0m_request_access_claims(request_rec *r);
/* What pages call the signed-in user: the ID token's email claim, else its name claim, else REMOTE_USER. */
const char *a0m_request_shown_user(request_rec *r);

/* ---- browser login and sessions: origin.c, cookies.c, redirects.c, pages.c, codec.c, transaction.c,
 *      login.c, callback.c, session.c, logout.c ---- */

/* origin.c: the request's scheme, host and port as the browser sees them. */
typedef struct a0m_origin {
	const char *scheme;      /* "https" or "http" */
	const char *host;        /* lower-case host name, or [IPv6 literal] */
	apr_port_t port;
	const char *base_;       /* a0m_origin_base(), made on first use (most requests never need it) */
	bool secure;             /* https, directly or as a trusted proxy says */
	bool loopback_dev;       /* plain http straight from a loopback client: development only */
} a0m_origin;

/* Computed once per request (X-Forwarded-* / Forwarded only from Auth0TrustedProxies when
 * Auth0TrustForwardedHeaders is on). */
const a0m_origin *a0m_origin_get(request_rec *r, const a0m_dir_conf *c);
/* scheme://host[:port] (the port left out when it is the scheme's default). */
const char *a0m_origin_base(request_rec *r, const a0m_origin *o);
/* Where a browser says this request comes from (the logout endpoint, and bearer tokens from a cookie: what
 * a cross-site page must not be able to use): Sec-Fetch-Site, else Origin, else Referer. */
typedef enum {
	A0M_FROM_THIS_ORIGIN, /* Sec-Fetch-Site same-origin or none (typed, bookmarked), or this origin's Origin/Referer */
	A0M_FROM_ELSEWHERE,   /* another site, or another origin of this site */
	A0M_FROM_UNKNOWN      /* none of the three: an older browser's navigation, or no browser */
} a0m_request_from;
a0m_request_from a0m_origin_request_from(request_rec *r, const a0m_origin *o);
/* The absolute redirect URI for this request (Auth0RedirectURI made absolute). */
const char *a0m_origin_redirect_uri(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o);
/* Whether this request is usable for sessions (https, or plain http from loopback); otherwise
 * logs why and sends the "HTTPS is required" page: *rc gets the status to return. */
bool a0m_origin_check(request_rec *r, const a0m_origin *o, int *rc);
/* The origin of a request to an endpoint that answers GET only (the callback, the login link; HEAD is
 * refused too): NULL, and the response in *rc, when a0m_origin_check refuses it or the method is another
 * (405 with Allow and `refusal` as the page's text). */
const a0m_origin *a0m_origin_get_only(request_rec *r, const a0m_dir_conf *c, const char *refusal, int *rc);

/* cookies.c: cookie names carry __Host- (https), __Secure- (https with Auth0CookieDomain) or no
 * prefix (plain-http development on loopback). Values are never logged. */
typedef struct a0m_cookie_spec {
	const char *name;        /* full name, prefix included */
	bool secure;
	const char *domain;      /* NULL: host-only */
	int samesite;            /* a0m_samesite */
} a0m_cookie_spec;

/* The session cookie's spec (Auth0CookieName, Auth0CookieDomain, Auth0CookieSameSite). */
a0m_cookie_spec a0m_cookie_session_spec(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o);
/* Auth0SilentLogin's cookie: a browser-session cookie beside the session's, set when a silent login was
 * tried (and at logout), so that it is tried once per browser session. */
a0m_cookie_spec a0m_cookie_silent_spec(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o);
/* Whether the browser fetches this ahead of a click that may never come (Sec-Purpose or Purpose: prefetch,
 * X-Moz: prefetch, X-Purpose: preview): such a request must change nothing (logout.c). */
bool a0m_is_prefetch(request_rec *r);
/* A host-only SameSite=Lax cookie named base (login transactions). */
a0m_cookie_spec a0m_cookie_host_spec(request_rec *r, const a0m_origin *o, const char *base);
/* The value of cookie `name` in the request (the last one when repeated), or NULL. */
const char *a0m_cookie_get(request_rec *r, const char *name);
/* Names of the request's cookies that start with prefix. */
apr_array_header_t *a0m_cookie_names(request_rec *r, const char *prefix);
/* Removes from the request's Cookie headers (what backends get) the cookies whose names start with one of
 * the n prefixes, and those whose name a backend may read as read_as (a0m_name_as_backends_read; NULL:
 * none), leaving the others as written; returns how many went. */
int a0m_cookie_strip(request_rec *r, const char *const prefixes[], int n, const char *read_as);
/* Adds a Set-Cookie (to err_headers_out, so it goes with redirects and error pages too). max_age < 0:
 * a browser-session cookie; 0: delete it. */
void a0m_cookie_set(request_rec *r, const a0m_cookie_spec *spec, const char *value, long max_age);
/* Chunked cookies (name, or name.0 name.1 ... when larger than one cookie may be, as
 * express-openid-connect does). get: the joined value or NULL; set: also deletes the chunks no longer
 * used; expire: deletes every form present in the request. set returns false when too large. */
const char *a0m_cookie_get_chunked(request_rec *r, const char *name);
bool a0m_cookie_set_chunked(request_rec *r, const a0m_cookie_spec *spec, const char *value, long max_age);
void a0m_cookie_expire_chunked(request_rec *r, const a0m_cookie_spec *spec);

/* body.c: the request body, when at most max bytes: OK, *body (NUL-terminated, in r->pool) and *len (0 when
 * there is none); HTTP_REQUEST_ENTITY_TOO_LARGE when longer (by Content-Length, before reading, or once
 * max + 1 bytes came) or over LimitRequestBody; HTTP_REQUEST_TIME_OUT when the client stopped sending;
 * HTTP_BAD_REQUEST for a malformed Content-Length or body; AP_FILTER_ERROR when an input filter has already
 * answered the request (return it as it is: httpd then sends nothing more). */
int a0m_read_body(request_rec *r, apr_size_t max, char **body, apr_size_t *len);

/* query.c: the decoded pairs of an application/x-www-form-urlencoded text (a query, a form body; NULL has
 * none), in order, repeats kept ('+' is a space, a pair without '=' has the value "", empty pairs are
 * skipped); false when any pair does not decode (a bad escape, %00), *pairs then holding the others. */
typedef struct a0m_pair {
	const char *name;
	const char *value;
} a0m_pair;
bool a0m_form_pairs(apr_pool_t *p, const char *text, apr_array_header_t **pairs);
/* A parameter's or cookie's name (changed in place) as backends that read them their own way may read it:
 * decoded, in lower case (ASP.NET compares without case), leading blanks dropped and '.', ' ' and '[' read as
 * '_' (PHP), "name[...]" read as an array of that name (PHP, Rack); NULL when it does not decode. */
char *a0m_name_as_backends_read(char *name);
/* args (a query, unparsed) without its pairs whose name decodes to name (*removed counts them) and those a
 * backend may read as name (a0m_name_as_backends_read of a part of the pair between ';': *alike counts
 * them; name must be as that function gives it), every other pair as it was written (empty ones included);
 * NULL when no pair is left. */
char *a0m_query_without(apr_pool_t *p, const char *args, const char *name, int *removed, int *alike);
/* The query's parameters named in `names` (n of them): values[i] the last one decoded (NULL when
 * absent), counts[i] how many there were; *others counts the other pairs. false when any pair does not
 * decode (a bad escape, %00): the whole query is then refused. */
bool a0m_query_params(request_rec *r, const char *const names[], int n, const char *values[], int counts[],
                      int *others);

/* redirects.c: no open redirects. */
/* A same-origin "/path?query" target (post-login URL), or NULL when it could lead elsewhere. */
const char *a0m_redirect_local(apr_pool_t *p, const char *target);
/* A logout returnTo (absolute URL or path) checked against Auth0LogoutReturnTo and
 * Auth0LogoutReturnToAllow; the absolute URL, or NULL (and *why) when not allowed. */
const char *a0m_redirect_return_to(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o,
                                   const char *target, const char **why);

/* pages.c: small escaped HTML pages with no-store and a strict CSP. Each returns DONE (the response is
 * written) after setting r->status = status. Texts are plain text (escaped here); href may be NULL. */
int a0m_page(request_rec *r, int status, const char *title, const char *text, const char *href,
             const char *link_text);
/* The logout confirmation: a POST form to action (the logout endpoint: no form-action in its CSP) with hidden
 * fields (NULL-terminated name/value list). */
int a0m_page_form(request_rec *r, const char *title, const char *text, const char *action,
                  const char *button, const char *const *fields);
/* A 200 page that posts pairs (of a0m_pair) to the same-origin action: a script that the CSP allows by nonce
 * (base64url, made by the caller) submits the form, a button does without script (preserve_post.c). */
int a0m_page_repost(request_rec *r, const char *action, const apr_array_header_t *pairs, const char *nonce);
/* A 200 page that moves on to a same-origin href (for SameSite=Strict cookies after the callback). */
int a0m_page_continue(request_rec *r, const char *href);
/* The tenant could not be asked (status: 502, 503 or 504, from a0m_status_for_tenant_error): "Sign-in service
 * unavailable", with a link to try again at retry_href (a same-origin path; may be NULL). */
int a0m_page_unavailable(request_rec *r, int status, const char *retry_href);
/* A button that POSTs hidden fields (name/value pairs, NULL-terminated; a NULL value leaves its field out)
 * to action, the logout endpoint: the page's CSP then has no form-action (pages.c: security_headers). */
typedef struct a0m_page_post {
	const char *id, *action, *text;
	const char *const *fields;
} a0m_page_post;
/* In an insert_error_filter hook: the error response httpd is about to send (r->status) becomes this page,
 * with the pages' headers. links: id, href, text triples, NULL-terminated, shown as buttons; post (or NULL):
 * one more button, that submits its form. */
void a0m_page_as_error_response(request_rec *r, const char *title, const char *text, const char *const *links,
                                const a0m_page_post *post);
/* Sets Cache-Control: no-store (and Pragma) on any response of ours. */
void a0m_no_store(request_rec *r);
/* text with any ill-formed UTF-8 replaced by U+FFFD (text itself when there is none), and that escaped for
 * HTML with its UTF-8 kept: for the module's pages, which are UTF-8. */
const char *a0m_utf8_text(apr_pool_t *p, const char *text);
const char *a0m_escape_html(apr_pool_t *p, const char *text);
/* An httpd status for a libauth0 failure to reach the tenant (502, 503, 504), with Retry-After when
 * the tenant sent one. */
int a0m_status_for_tenant_error(request_rec *r, const auth0_error *err);
/* Whether a failed call means the tenant failed (unreachable, timed out, 5xx, 429, a certificate that does
 * not verify, or an answer that is no response of the API at all: truncated, malformed, too large) rather
 * than refused what was asked. */
bool a0m_tenant_failed(const auth0_error *err);

/* codec.c: the compact binary form of sessions and transactions (tag, length, bytes, NUL), deflated
 * when that makes it smaller. Strings decoded point into the decoded buffer (no copies). */
typedef struct a0m_codec a0m_codec;
a0m_codec *a0m_codec_new(apr_pool_t *p, size_t hint);
void a0m_codec_str(a0m_codec *w, unsigned tag, const char *s);    /* NULL: left out */
void a0m_codec_int(a0m_codec *w, unsigned tag, int64_t v);
/* The encoded bytes (deflated when compress and worth it). */
const unsigned char *a0m_codec_finish(a0m_codec *w, bool compress, size_t *len);

#define A0M_CODEC_TAGS 32
#define A0M_CODEC_NUM_MAX (UINT64_C(1) << 53) /* numbers above decode as 0 (absent) */
typedef struct a0m_decoded {
	const char *str[A0M_CODEC_TAGS];
	int64_t num[A0M_CODEC_TAGS];
} a0m_decoded;
/* false when damaged. */
bool a0m_codec_decode(apr_pool_t *p, const unsigned char *data, size_t len, a0m_decoded *out);

/* transaction.c: login transactions, each in its own sealed cookie (several tabs may log in at once). */
typedef struct a0m_transaction {
	apr_time_t created;          /* microseconds: the oldest of several tabs is known exactly */
	const char *state;
	const char *nonce;
	const char *verifier;
	const char *redirect_uri;
	const char *original_url;    /* same-origin path and query */
	const char *organization;    /* asked for by a login initiation (Auth0LoginPath) when the site has none */
	bool step_up;                /* a login for Auth0RequireMFA: one that comes back without it stops there */
	bool post;                   /* a form POST waits in the cache to be posted again (preserve_post.c) */
	int max_age;                 /* a login for Auth0MaxAge: its ID token must have authenticated within it */
	bool silent;                 /* Auth0SilentLogin's prompt=none: any failure lands anonymously */
} a0m_transaction;

/* The longest page (path and query) a login comes back to: it is kept in the login's cookie (login.c cuts
 * a longer one, Auth0PreservePost keeps no form posted to one). */
#define A0M_LANDING_MAX 1024

/* Sets the transaction cookie for t, first deleting expired ones and the oldest beyond
 * Auth0MaxLoginTransactions or the bytes the browser's pending ones may take (transaction.c). OK;
 * HTTP_BAD_REQUEST when t would make a cookie too large (logged: what a link brought, an organization);
 * HTTP_INTERNAL_SERVER_ERROR when it cannot be sealed (logged). */
int a0m_transaction_save(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const a0m_transaction *t);
/* The transaction of `state` (its cookie is deleted in the response whatever happens); NULL when there
 * is none, it cannot be opened, its state differs or it expired (*why says which, for the log). */
a0m_transaction *a0m_transaction_take(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o,
                                      const char *state, const char **why);
/* The start of every login transaction cookie's name for this origin ("__Host-auth0_txn_" on https). */
const char *a0m_transaction_cookie_prefix(request_rec *r, const a0m_origin *o);

/*
 * preserve_post.c: Auth0PreservePost, a form POST kept across the login it needs.
 * a0m_post_capture: for a POST without a session, OK and *body when it is to be kept (read here); DECLINED
 * when not (it gets the 401 of before; logged at info why); else the status for a body that cannot be read.
 * a0m_post_keep: stores *body for the login of `state` (Auth0LoginTimeout); false (logged) when it cannot.
 * a0m_post_repost: at the callback of a transaction with `post`, answers with the page that posts the kept
 * form to action (DONE), or DECLINED when it is gone (logged; the login lands on action by GET).
 */
int a0m_post_capture(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const char *original_url,
                     const char **body);
/* Makes the host-wide account of kept form bytes (post_config). */
void a0m_post_post_config(apr_pool_t *pconf, server_rec *s);
bool a0m_post_keep(request_rec *r, const a0m_dir_conf *c, const char *state, const char *body);
int a0m_post_repost(request_rec *r, const a0m_dir_conf *c, const a0m_transaction *t, const char *action);

/* r->notes of pages.c's look-up of an ErrorDocument (a sub-request): no login starts under it (login.c) */
#define A0M_NOTE_PROBE "mod_auth0:errordocument-probe"

/* login.c */
/* An unauthenticated request to AuthType Auth0: redirect to the login page, or 401 (non-navigations,
 * Auth0Unauthenticated 401), or let it through (pass). */
int a0m_login_unauthenticated(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o);
/* The same for a request whose session has just ended (expired, refused, signed out meanwhile): never a
 * silent login (Auth0SilentLogin), which would undo a logout the tenant does not know of. */
int a0m_login_ended(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o);
/* Starts a login that comes back to original_url (a same-origin path; NULL: Auth0PostLoginURL). */
int a0m_login_start(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, const char *original_url);
/* Auth0LoginPath: a login started by a link from the tenant (an invitation) or another application. */
int a0m_login_initiate(request_rec *r, const a0m_dir_conf *c);
/* A session whose login does not give what this location asks for (a0m_session_shortfall) logs in again
 * with it: a navigation (or a kept form) starts the login, a script gets 401 insufficient_user_authentication
 * with acr_values (Auth0RequireMFA) or max_age (Auth0MaxAge); another organization's session is treated as
 * none (a0m_login_unauthenticated). */
int a0m_login_again(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, a0m_shortfall shortfall);
/* Whether r is a browser's page navigation (a GET of a document: not a script's, a prefetch's, or an image's,
 * as far as X-Requested-With, Sec-Fetch-Mode/-Dest and Accept tell), which may be sent to log in. */
bool a0m_is_navigation(request_rec *r);
/* The page r asked for (path and query) as the browser sent it: where a login comes back to. */
const char *a0m_request_target(request_rec *r);
/* Auth0's multi-factor policy (acr_values) and the amr value of a login with a second factor. */
#define A0M_MFA_POLICY "http://schemas.openid.net/pape/policies/2007/06/multi-factor"

/* session.c. A string field added here must be added to session.c's string_fields() too: the memo keeps
 * sessions as the struct and its strings (freeze()), and an unlisted pointer would outlive its request. */
typedef struct a0m_session {
	const char *id;              /* cache store: the random id in the cookie; NULL in the cookie store */
	bool in_cache;
	bool counted;                /* cache store with change counters (shmcb): read_version is the counter */
	apr_uint32_t read_version;   /* of the session's id before it was read */
	int64_t created;
	int32_t created_us;          /* microseconds past `created` of the login's request (back-channel logout) */
	int64_t last_active;         /* when it was last written (activity is recorded at renewals) */
	int64_t hard_expiry;         /* 0, or when the access token ends a session that cannot refresh it */
	int64_t access_expires;
	int64_t access_lifetime;     /* seconds the access token was issued for; 0 when not known (older sessions) */
	const char *binding;         /* client id @ tenant: opens only for the application that made it */
	const char *user;
	const char *user_claim;
	const char *sid;
	const char *csrf;
	const char *claims;          /* ID-token claims, JSON text (parsed only by Require auth0-*) */
	const char *identity;        /* identity block of the claims (a0m_claims_render) but those of */
	const char *identity_filter; /* this Auth0IdentityClaimFilter; derived, kept in the memo only */
	const struct a0m_ready *ready; /* identity made ready for a header prefix (a0m_claims_ready): derived
	                                * when a process opens the session, kept in its memo only */
	const char *access_token;
	const char *access_claims;   /* JSON text of the access token's payload when it is a JWT */
	const char *refresh_token;
	const char *id_token;        /* kept for /oidc/logout's id_token_hint (Auth0LogoutEndpoint oidc) */
	const char *org_id;          /* the ID token's organization, checked where Auth0Organization is set */
	const char *org_name;
	const char *audiences;       /* the access token's aud values as "\nA\nB\n" (JWT access tokens only) */
	bool revoked;                /* per request: the tenant ended it (back-channel logout, backchannel.c) */
	bool mfa;                    /* its login used multi-factor authentication (amr holds "mfa") */
	int64_t auth_time;           /* when the user last authenticated at the tenant (the ID token's auth_time),
	                              * 0 when the tokens did not say */
	int64_t checked;             /* when the tenant last confirmed it (Auth0SessionRevalidate); 0: at its
	                              * creation */
} a0m_session;

/* Makes this process's memo of opened sessions (child_init). */
void a0m_session_child_init(apr_pool_t *pchild, server_rec *s, int threads);
/* The session of this request, opened and checked (timeouts, binding); NULL when there is none or it
 * ended (its cookies are then deleted in the response). Cached per request. */
a0m_session *a0m_session_load(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o);
/* What this location asks of s's login that it lacks (Auth0Organization, Auth0RequireMFA, Auth0MaxAge with
 * the leeway the callback gives auth_time), A0M_SHORT_NONE when it counts here. */
a0m_shortfall a0m_session_shortfall(request_rec *r, const a0m_dir_conf *c, const a0m_session *s);
/* Builds a session from a code exchange and a validated ID token. NULL and *status on failure. */
a0m_session *a0m_session_create(request_rec *r, const a0m_dir_conf *c, const auth0_tokens *tokens,
                                json_t *claims, int *status);
/* Whether a0m_session_load found no session because the cache failed (not known to have ended). */
bool a0m_session_cache_failed(request_rec *r);
/* The 503 page of a request that needs the session's cache while it fails (text says what cannot be done). */
int a0m_session_unavailable(request_rec *r, const char *text);
/* What a0m_session_save did. */
typedef enum {
	A0M_SAVE_OK,     /* stored, its cookie set */
	A0M_SAVE_FAILED, /* not stored (logged) */
	A0M_SAVE_ENDED   /* a session read from the cache is no longer there (signed out meanwhile): not stored */
} a0m_save;
/* Stores s (a new id in the cache store; the cookie store as a fallback when the cache refuses it). */
a0m_save a0m_session_save(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, a0m_session *s);
/* When s ends by c's timeouts (its inactivity, its maximum duration, its access token): epoch seconds. */
int64_t a0m_session_ends_at(const a0m_dir_conf *c, const a0m_session *s);
/* SetHandler auth0-session-info: the session as JSON (session_info.c); DECLINED for other handlers. */
int a0m_session_info_handler(request_rec *r);
/* Deletes the session's cookies (and its cache entry). s may be NULL: cookies only. */
void a0m_session_destroy(request_rec *r, const a0m_dir_conf *c, const a0m_origin *o, a0m_session *s);

/* ---- claims.c / bearer.c / authz.c ---- */

/*
 * Identity for backends. A claims object is rendered ONCE (at login, or when a
 * bearer token is first validated) into a compact "identity block" with
 * a0m_claims_render() (declared in claim_path.h, with the naming and encoding
 * rules): one line per claim, "<name>\t<encoded value>\n". The block does not
 * depend on the configuration, so it can be kept in a session and applied on
 * every request with a0m_claims_apply_block(), without parsing JSON.
 *
 *     char *a0m_claims_render(apr_pool_t *p, const json_t *claims);
 */
#include "claim_path.h"

/*
 * Per request, after r->user is set: adds the block's claims as request headers
 * (Auth0ClaimHeaderPrefix + name) and/or environment variables (AUTH0_CLAIM_name)
 * as Auth0PassClaimsAs says, and access_token (may be NULL) as the header
 * <prefix>Access-Token / variable AUTH0_ACCESS_TOKEN when Auth0PassAccessToken is
 * on (where Auth0PassClaimsAs puts claims; both when it is none), with its expiry
 * access_expires (epoch seconds; 0: unknown, not passed) as <prefix>Access-Token-Expires /
 * AUTH0_ACCESS_TOKEN_EXPIRES. block may be NULL. Cost: one walk over the block, no JSON.
 * With Auth0PassIDToken on, the ID token of the request's session (a0m_request.session, set before)
 * goes as <prefix>ID-Token / AUTH0_ID_TOKEN the same way; with Auth0UserHeader, r->user as that header.
 */
void a0m_claims_apply_block(request_rec *r, const a0m_dir_conf *c, const char *block, const char *access_token,
                            int64_t access_expires);
/*
 * The block made ready to apply for a header prefix: two tables, of headers (<prefix><name>) and of
 * variables (AUTH0_CLAIM_name), made in p with their strings, that a request appends to its own at once
 * (apr_table_overlay, or apr_table_copy into an empty table: no scan, no copy of a string, no name
 * built). Sessions and bearer tokens keep it in
 * their process's memo (memo.h), whose entries outlive every request they are lent to. NULL when the
 * block is damaged. a0m_claims_apply_ready() applies `ready` when it was made for the location's prefix,
 * and otherwise `block` as a0m_claims_apply_block() does; ready may be NULL.
 */
typedef struct a0m_ready a0m_ready;
const a0m_ready *a0m_claims_ready(apr_pool_t *p, const char *prefix, const char *block);
void a0m_claims_apply_ready(request_rec *r, const a0m_dir_conf *c, const a0m_ready *ready, const char *block,
                            const char *access_token, int64_t access_expires);

/*
 * The REMOTE_USER value in claims for Auth0UserClaim (default sub): a string
 * claim as is, an integer by its decimal text; the name is looked up like Require
 * auth0-claim names (whole name first, then dotted paths). NULL when absent,
 * empty or of another type.
 */
const char *a0m_claims_user(apr_pool_t *p, const a0m_dir_conf *c, const json_t *claims);
/* The value of Auth0UserClaim's claim, before its expression: NULL when there is no usable one. */
const char *a0m_claims_user_claimed(apr_pool_t *p, const a0m_dir_conf *c, const json_t *claims);
/* A claimed user name made REMOTE_USER by Auth0UserClaim's expression: NULL when it does not match (or the
 * result is empty or holds control characters); the name as it is without an expression. */
const char *a0m_claims_user_mapped(apr_pool_t *p, const a0m_dir_conf *c, const char *claimed);

/* r->notes key: the scopes of a Require auth0-scope that denied a bearer request (authz.c -> bearer.c). */
#define A0M_NOTE_SCOPE_DENIED "mod_auth0:scope-denied"

/* Hooks of bearer.c (WWW-Authenticate on authorization failures, its caches); a0m_authz_register calls it. */
void a0m_bearer_register(apr_pool_t *p);
/* Makes this process's memo of validated tokens (child_init). */
void a0m_bearer_child_init(apr_pool_t *pchild, server_rec *s, int threads);

#endif
