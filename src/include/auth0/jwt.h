/*
 * Validating the tenant's JWTs: ID tokens (OpenID Connect) and access tokens
 * for your own APIs, with the tenant's JWKS fetched, cached and refreshed on
 * key rotation.
 *
 *     auth0_id_token_options v = { .nonce = nonce, .max_age = AUTH0_INT(3600) };
 *     json_t *claims;
 *     auth0_error *err;
 *     if (auth0_id_token_validate(client, id_token, &v, &claims, &err) != AUTH0_OK) {
 *             log("login refused: %s (%s)", err->message, auth0_token_rule_name(err->rule));
 *             ...
 *     }
 *
 * A token that fails gives AUTH0_ERR_INVALID_TOKEN, err->rule naming the
 * first rule it broke (auth0_token_rule) and err->message the wording of
 * Auth0's SDKs. Bad arguments give AUTH0_ERR_INVALID_ARGUMENT (err->option
 * names them) before the token is even looked at, so they never cause
 * network I/O. Messages quote claim values (printable ASCII only, truncated)
 * but never the token itself.
 *
 * Algorithms come from your configuration, never from the token: its "alg"
 * header is only compared with what you expect. "none" is always refused,
 * HMAC is never accepted where a public key is expected (and the reverse),
 * and a key is only used for its own type (an RSA key never verifies ES256,
 * a JWK that declares "alg" verifies that algorithm only).
 *
 * The JWKS (https://DOMAIN/.well-known/jwks.json) is fetched on first need,
 * with the client's timeout and without retries, and kept as imported keys:
 *   - in this process, trusted for jwks_cache_ttl seconds;
 *   - in the client's store (see store.h), so that the processes of a server
 *     share one copy and one fetch.
 * A token whose kid is unknown causes at most one refetch per
 * jwks_min_refetch_interval seconds (shared through the store), so made-up
 * kids cannot make the library hammer the tenant. Threads and processes that
 * need the JWKS at the same time wait for one fetch. When a refresh fails,
 * the keys already held keep being used (with a warning in the log) and the
 * next attempt waits jwks_min_refetch_interval; a token whose kid they lack
 * meanwhile gets the transient AUTH0_RULE_KEYS_UNAVAILABLE (it may be signed
 * with a key the tenant rotated to), as ruby-auth0 raises the fetch's HTTP
 * error rather than InvalidIdToken. Keys that are not signature
 * keys, RSA keys under 2048 or over 8192 bits (Auth0's have 2048; a huge
 * modulus would cost seconds of CPU per fetch, so it is refused before
 * OpenSSL looks at it) and key types other than RSA and EC P-256 are
 * ignored, with a warning in the log. All functions here are safe to call from many threads on one
 * client.
 */
#ifndef AUTH0_JWT_H
#define AUTH0_JWT_H

#include "common.h"
#include "error.h"
#include "client.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * How the application's ID tokens are signed: its "JSON Web Token Signature
 * Algorithm" in Auth0. Exactly this algorithm is accepted (see rule 2 below).
 * Values are only ever appended (the ABI keeps the existing ones).
 */
typedef enum auth0_id_token_alg {
	AUTH0_ALG_RS256 = 0,   /* verified with the tenant's JWKS (default) */
	AUTH0_ALG_HS256,       /* verified with the client secret (applications set to HS256 in Auth0) */
	/*
	 * RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 7518,
	 * 3.5), verified with the tenant's JWKS: applications set to PS256 (Highly
	 * Regulated Identity). Auth0 signs these with the same RSA keys as RS256;
	 * a JWK that declares "alg": "RS256" does not verify PS256 (see above), so
	 * the tenant's JWKS must leave "alg" out: the tenant setting "Include Signing
	 * Algorithms in JSON Web Key Set" off (flag remove_alg_from_jwks). Otherwise
	 * tokens fail with AUTH0_RULE_KEY.
	 */
	AUTH0_ALG_PS256
} auth0_id_token_alg;

/* Zero-initialise, then set what you need: every member has a default. */
typedef struct auth0_id_token_options {
	const char *nonce;             /* when set, the nonce claim must equal it */
	auth0_opt_int max_age;         /* when set (seconds), now < auth_time + max_age + leeway */
	auth0_opt_int leeway;          /* seconds of clock skew allowed on exp and auth_time; default 60 */
	const char *issuer;            /* default https://DOMAIN/ (with the slash, as Auth0 issues it) */
	const char *audience;          /* default the client id */
	/* default the client's organization; "org_..." checks org_id, anything else org_name. There is
	 * no way to skip the client's (the Ruby SDK's organization: nil): validate with a client made
	 * without an organization */
	const char *organization;
	auth0_id_token_alg algorithm;  /* default RS256; or HS256, PS256 */
	const char *hs256_secret;      /* HS256 key; default the client secret */
	int64_t now;                   /* epoch seconds to validate at (tests); 0 = the clock */
} auth0_id_token_options;

/*
 * Validates an ID token; on success *claims (claims may be NULL) receives
 * its payload, a new reference. options may be NULL for the defaults.
 *
 * The checks of Auth0's SDKs, in their order; the first that fails decides:
 *   1. decode     (AUTH0_RULE_DECODE)    three base64url parts, header and payload JSON objects,
 *                                        at most 64 KiB: "ID token could not be decoded"
 *   2. algorithm  (AUTH0_RULE_ALGORITHM) alg is exactly the expected one, before any key lookup:
 *                 'Signature algorithm of "<alg>" is not supported. Expected the ID token to be
 *                 signed with "RS256"'
 *   3. key        (AUTH0_RULE_KEY)       RS256, PS256: the JWKS key named by kid (refetched once if
 *                                        unknown, see above): 'Could not find a public key for
 *                                        Key ID (kid) "<kid>"'; with no JWKS at all, or a kid
 *                                        the held keys lack while they cannot be refreshed,
 *                                        AUTH0_RULE_KEYS_UNAVAILABLE (a transient error: the
 *                                        token may be fine) "Could not fetch the JWK set: <kind>:
 *                                        <why>" (err->status: the failed fetch's HTTP status, if any)
 *   4. signature  (AUTH0_RULE_SIGNATURE) "Invalid ID token signature"
 *   5. iss        (AUTH0_RULE_ISSUER)    string, equal to the issuer
 *   6. sub        (AUTH0_RULE_SUBJECT)   string
 *   7. aud        (AUTH0_RULE_AUDIENCE)  string equal to, or array of strings containing, the audience
 *   8. exp        (AUTH0_RULE_EXPIRED)   integer, now < exp + leeway
 *   9. iat        (AUTH0_RULE_ISSUED_AT) integer (not compared with the clock, as the SDKs)
 *  10. nonce      (AUTH0_RULE_NONCE)     when expected: string, equal
 *  11. azp        (AUTH0_RULE_AUTHORIZED_PARTY) when aud has several entries: string, equal to
 *                                        the audience
 *  12. auth_time  (AUTH0_RULE_AUTH_TIME) when max_age is set: integer, now < auth_time + max_age + leeway
 *  13. org        (AUTH0_RULE_ORGANIZATION) when expected: "org_..." must equal org_id exactly;
 *                                        otherwise its lower case must equal org_name (the claim is
 *                                        not lower-cased)
 * Numeric claims must be JSON integers ("exp": 1.7e9 or "exp": "1700000000" fail).
 * Parameters (leeway, max_age >= 0; nonce, issuer, audience, organization,
 * hs256_secret not empty) fail first with the SDK's "Must supply a valid <name>".
 */
AUTH0_EXTERN auth0_status auth0_id_token_validate(auth0_client *client, const char *id_token,
                                                  const auth0_id_token_options *options, json_t **claims,
                                                  auth0_error **err);

typedef struct auth0_access_token_options {
	const char *audience;          /* required: your API's identifier; aud must be or contain it */
	const char *issuer;            /* default https://DOMAIN/ */
	auth0_opt_int leeway;          /* seconds, on exp, nbf and iat; default 60 */
	/* when set, checked as for ID tokens (org_id or org_name); the client's organization is not a default */
	const char *organization;
	/*
	 * Signature algorithms accepted, NULL-terminated; default { "RS256", NULL }.
	 * Any of RS256, RS384, RS512, PS256, PS384, PS512, ES256 (keys from the
	 * JWKS); "none" and HMAC algorithms are refused as arguments.
	 */
	const char *const *algorithms;
	int64_t now;                   /* epoch seconds (tests); 0 = the clock */
	/*
	 * More issuers accepted besides `issuer`, NULL-terminated (NULL: none). A tenant with a custom domain
	 * issues each token under the domain the client asked (https://login.example.com/ or
	 * https://TENANT.auth0.com/), signed with the same keys, which are fetched from the client's domain.
	 */
	const char *const *issuers;
	/* More audiences accepted besides `audience`, NULL-terminated (NULL: none): an API known by several
	 * identifiers (one renamed, or two served by one resource server). aud must be or contain one of them. */
	const char *const *audiences;
} auth0_access_token_options;

/*
 * Validates a JWT access token issued by the tenant for your API (RFC 9068),
 * as a resource server does on every request: the token is decoded once and
 * verified with keys imported when the JWKS was fetched (no store access and
 * no JSON re-serialisation while the cache is fresh). Checks, in order:
 *   decode ("Access token could not be decoded"); typ header, when present,
 *   "at+jwt", "application/at+jwt" or "JWT" in any case (AUTH0_RULE_TYPE);
 *   algorithm in `algorithms`; key by kid; signature ("Invalid access token
 *   signature"); iss (`issuer` or one of `issuers`); aud (contains `audience`
 *   or one of `audiences`); exp (now < exp + leeway); nbf, when present
 *   (nbf <= now + leeway, AUTH0_RULE_NOT_BEFORE); iat, required
 *   (iat <= now + leeway); organization when asked.
 * Messages are those of ID tokens with "access token" for "ID token".
 * On success *claims (may be NULL) receives the payload.
 */
AUTH0_EXTERN auth0_status auth0_access_token_validate(auth0_client *client, const char *access_token,
                                                      const auth0_access_token_options *options,
                                                      json_t **claims, auth0_error **err);

/*
 * Whether an access token's validated claims bind it to a key (RFC 7800 "cnf": a sender-constrained
 * token): NULL when they do not, else what binds it, for messages: "DPoP" (cnf.jkt, RFC 9449), "mutual
 * TLS" (cnf.x5t#S256, RFC 8705), or "a key" (any other cnf). Such a token is only good with a proof of
 * possession of that key, which auth0_access_token_validate does not check: a resource server that checks
 * no proof must refuse it, or it accepts from anyone what was meant for one holder (mod_auth0's AuthType
 * Auth0Bearer and the CLI's validate-token refuse it).
 */
AUTH0_EXTERN const char *auth0_access_token_binding(const json_t *claims);

/* ---- Logout tokens (OpenID Connect Back-Channel Logout 1.0) ----------------------------------- */

#define AUTH0_BACKCHANNEL_LOGOUT_EVENT "http://schemas.openid.net/event/backchannel-logout"

typedef struct auth0_logout_token_options {
	const char *audience;          /* default the client id */
	const char *issuer;            /* default https://DOMAIN/ */
	auth0_opt_int leeway;          /* seconds of clock skew on iat and exp; default 60 */
	auth0_opt_int max_age;         /* seconds iat may lie in the past (beyond the leeway); default 300 */
	int64_t now;                   /* epoch seconds (tests); 0 = the clock */
} auth0_logout_token_options;

/*
 * Validates a logout token, the JWT the tenant POSTs to an application's
 * back-channel logout URI when a user's session ends there (OpenID Connect
 * Back-Channel Logout 1.0, section 2.6). Checks, in order: decode; typ,
 * when present, "logout+jwt", "application/logout+jwt" or "JWT"
 * (AUTH0_RULE_TYPE); alg RS256; key by kid; signature ("Invalid logout
 * token signature"); iss; aud; iat, required, within
 * [now - max_age - leeway, now + leeway] (AUTH0_RULE_ISSUED_AT); exp, when
 * present, not passed (AUTH0_RULE_EXPIRED); jti, a non-empty string
 * (AUTH0_RULE_TOKEN_ID); events, an object with the member
 * AUTH0_BACKCHANNEL_LOGOUT_EVENT whose value is an object
 * (AUTH0_RULE_EVENTS); sid or sub, non-empty strings, at least one
 * (AUTH0_RULE_SESSION); no nonce (AUTH0_RULE_NONCE: an ID token is not a
 * logout token). On success *claims (may be NULL) receives the payload.
 *
 * What the caller still does (the library keeps no memory of tokens): refuse
 * a jti it has seen within max_age + 2 * leeway, then end the sessions with
 * that sid (or, without one, every session of that sub at this application).
 */
AUTH0_EXTERN auth0_status auth0_logout_token_validate(auth0_client *client, const char *logout_token,
                                                      const auth0_logout_token_options *options,
                                                      json_t **claims, auth0_error **err);

/*
 * Decodes a JWT's header and payload WITHOUT verifying anything. Only for
 * display and diagnostics: never trust what it returns.
 */
AUTH0_EXTERN auth0_status auth0_jwt_decode_unverified(const char *jwt, json_t **header, json_t **payload,
                                                      auth0_error **err);

/*
 * Fetches the JWKS now, for instance to warm the cache at start-up, unless
 * the keys held (in this process or the store) were fetched, or a fetch
 * failed, less than jwks_min_refetch_interval seconds ago: then it does
 * nothing and returns AUTH0_OK. A failed fetch returns its own error
 * (AUTH0_ERR_TIMEOUT, AUTH0_ERR_NETWORK, AUTH0_ERR_SERVER,
 * AUTH0_ERR_INVALID_RESPONSE for a body that is not a JWKS, with the
 * answer's status, 200 included, in err->status, ...); keys already held
 * stay in use. A token refused for want of keys (AUTH0_RULE_KEYS_UNAVAILABLE)
 * has the status of that failed fetch too (0 when nothing answered).
 */
AUTH0_EXTERN auth0_status auth0_jwks_refresh(auth0_client *client, auth0_error **err);

#ifdef __cplusplus
}
#endif
#endif
