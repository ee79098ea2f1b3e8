/*
 * Internals of token validation (jwk.c, jws_verify.c, jwks.c, jwt_claims.c,
 * id_token.c, access_token.c). Not part of the public API.
 *
 * Keys are imported once, when a JWKS is fetched or read from the store, into
 * OpenSSL EVP_PKEYs; a token is parsed once (a0_jwt_parse) and its signature
 * is checked with EVP over the bytes as received. The algorithm a token is
 * checked with always comes from the caller's configuration: the token's own
 * "alg" header is only compared with it, never used to pick code or keys.
 */
#ifndef A0_JWT_INTERNAL_H
#define A0_JWT_INTERNAL_H

#include "internal.h"

#include <stdatomic.h>

/* ---- Algorithms (jws_verify.c) ------------------------------------------------------------ */

typedef enum a0_kty {
	A0_KTY_RSA,
	A0_KTY_EC,
	A0_KTY_OCT
} a0_kty;

typedef struct a0_jws_alg {
	const char *name;     /* "RS256" */
	a0_kty kty;           /* the only key type that may verify it */
	const char *digest;   /* "SHA256" */
	bool pss;             /* RSASSA-PSS rather than PKCS #1 v1.5 */
	size_t ec_coord;      /* ECDSA: bytes per coordinate (the JOSE signature is r || s) */
} a0_jws_alg;

/* The algorithm called `name` (exact, case-sensitive), or NULL: "none" is never one. */
const a0_jws_alg *a0_jws_alg_find(const char *name);

/* Verifies jwt's signature with a public key; false on any mismatch or error. */
bool a0_jws_verify_pkey(const a0_jws_alg *alg, EVP_PKEY *pkey, const a0_jwt *jwt);
/* Verifies an HMAC signature with a shared secret (constant-time comparison). */
bool a0_jws_verify_hmac(const a0_jws_alg *alg, const void *secret, size_t secret_len, const a0_jwt *jwt);

/* ---- One JWK (jwk.c) ---------------------------------------------------------------------- */

#define A0_RSA_MIN_BITS 2048
#define A0_RSA_MAX_BITS 8192  /* checked before import: OpenSSL's checks of larger moduli cost seconds */

typedef struct a0_jwk {
	char *kid;
	char *alg;            /* the JWK's "alg" when it has one: the key is good for that algorithm only */
	a0_kty kty;
	const char *curve;    /* EC: "P-256" */
	EVP_PKEY *pkey;
} a0_jwk;

/*
 * Imports a public signature-verification key from a JWK object. Returns
 * AUTH0_ERR_INVALID_RESPONSE with *why saying what is wrong (a static string)
 * when the JWK is not usable: not RSA or EC P-256, "use" other than "sig",
 * key_ops without "verify", no kid, malformed members, an RSA modulus under
 * 2048 or over 8192 bits (refused before OpenSSL parses it); and
 * AUTH0_ERR_NO_MEMORY when memory ran out (in libauth0, cjose or OpenSSL):
 * then the key may well be usable, and must not be skipped as if it were not.
 */
auth0_status a0_jwk_import(const json_t *jwk, a0_jwk *out, const char **why);
void a0_jwk_clear(a0_jwk *key);
/* Whether `key` may verify a signature made with `alg` (key type, curve and the JWK's own alg). */
bool a0_jwk_fits(const a0_jwk *key, const a0_jws_alg *alg);

/* ---- The key set and its cache (jwks.c) ----------------------------------------------------- */

/* An immutable, reference-counted set of imported keys, shared by threads. */
typedef struct a0_keyset {
	atomic_int refs;
	int64_t fetched_at;   /* when the JWKS was fetched from the tenant (by any process) */
	int64_t forced_at;    /* when a refetch for an unknown kid last happened (by any process), 0 never */
	size_t n;
	a0_jwk keys[];
} a0_keyset;

void a0_keyset_release(a0_keyset *ks);
/* The key with this kid, or NULL. */
const a0_jwk *a0_keyset_find(const a0_keyset *ks, const char *kid);

/*
 * The tenant's keys for a token whose header names `kid` (may be NULL):
 * from this process's cache, from the client's store, or fetched, following
 * the refresh rules of jwks.c. On AUTH0_OK *ks is a reference the caller
 * releases; it may lack the kid (then no refetch was allowed or it did not
 * help). Fails (AUTH0_ERR_INVALID_TOKEN, AUTH0_RULE_KEY) only when no keys
 * at all could be obtained, and with AUTH0_ERR_NO_MEMORY when memory ran out
 * (also in this call's own fetch of the JWKS).
 */
auth0_status a0_jwks_get(auth0_client *c, const char *kid, a0_keyset **ks, auth0_error **err);

/*
 * Verifies jwt's signature with the tenant's key named by its kid, for the algorithm its header names
 * (which a0_check_alg already found among the caller's). `what` ("access token") is in the messages:
 * AUTH0_RULE_KEY / KEYS_UNAVAILABLE, or AUTH0_RULE_SIGNATURE "Invalid <what> signature".
 */
auth0_status a0_jwks_verify(auth0_client *c, const a0_jwt *jwt, const char *what, auth0_error **err);

/*
 * The store entry (key a0_store_key("jwks", { base_url })) holds
 *     {"fetched_at": <epoch s>, "forced_at": <epoch s>, "jwks": <the JWKS as fetched>}
 * Tests build one to inject keys without a network.
 */
char *a0_jwks_store_key(const auth0_client *c);

/* ---- Claim checks shared by ID and access tokens (jwt_claims.c) ------------------------------ */

/* Appends s for a message: printable ASCII only, at most max bytes (then "..."). */
void a0_buf_put_clean(a0_buf *b, const char *s, size_t max);

/* The header's alg must be `expected`: otherwise AUTH0_RULE_ALGORITHM with the SDK's message. */
auth0_status a0_check_alg(const a0_jwt *jwt, const char *const *expected, size_t n_expected, const char *what,
                          auth0_error **err);
/* kid of the header when it is a string, else NULL. */
const char *a0_jwt_kid(const a0_jwt *jwt);
auth0_status a0_check_key_missing(const char *kid, auth0_error **err);

/* `what` is "ID token" or "access token" in every message below. */
auth0_status a0_check_iss(const json_t *claims, const char *expected, const char *what, auth0_error **err);
auth0_status a0_check_sub(const json_t *claims, const char *what, auth0_error **err);
auth0_status a0_check_aud(const json_t *claims, const char *expected, const char *what, auth0_error **err);
auth0_status a0_check_exp(const json_t *claims, int64_t now, int64_t leeway, const char *what,
                          auth0_error **err);
/* iat must be an integer; when leeway >= 0 it may also not be later than now + leeway. */
auth0_status a0_check_iat(const json_t *claims, int64_t now, int64_t leeway, const char *what,
                          auth0_error **err);
auth0_status a0_check_nbf(const json_t *claims, int64_t now, int64_t leeway, const char *what,
                          auth0_error **err);
/* "org_..." compares org_id exactly; anything else compares its lower case with org_name as is. */
auth0_status a0_check_org(const json_t *claims, const char *expected, const char *what, auth0_error **err);

#endif
