/*
 * Validating the tenant's JWTs: ID tokens (OpenID Connect) and access tokens
 * for your own APIs, with the tenant's JWKS fetched, cached and refreshed on
 * key rotation.
 *
 * ID tokens are checked by the rules of Auth0's SDKs, in their order:
 * shape, algorithm, key, signature, iss, sub, aud, exp, iat, nonce, azp,
 * auth_time (max_age), org_id / org_name. The first broken rule fails the
 * token with AUTH0_ERR_INVALID_TOKEN, err->rule naming it and err->message
 * giving the SDK's wording. "alg": "none" and any algorithm other than the
 * one expected are always refused.
 */
#ifndef AUTH0_JWT_H
#define AUTH0_JWT_H

#include "common.h"
#include "error.h"
#include "client.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum auth0_id_token_alg {
	AUTH0_ALG_RS256 = 0,   /* verified with the tenant's JWKS (default) */
	AUTH0_ALG_HS256        /* verified with the client secret */
} auth0_id_token_alg;

typedef struct auth0_id_token_options {
	const char *nonce;             /* when set, the nonce claim must equal it */
	auth0_opt_int max_age;         /* when set, auth_time + max_age + leeway must be in the future */
	auth0_opt_int leeway;          /* seconds of clock skew allowed on exp and auth_time; default 60 */
	const char *issuer;            /* default https://DOMAIN/ */
	const char *audience;          /* default the client id */
	const char *organization;      /* default the client's organization; "org_..." checks org_id, else org_name */
	auth0_id_token_alg algorithm;
	const char *hs256_secret;      /* default the client secret */
	int64_t now;                   /* epoch seconds to validate at; 0 = now */
} auth0_id_token_options;

/*
 * Validates an ID token; on success *claims (may be NULL) receives its
 * payload. options may be NULL for the defaults.
 */
AUTH0_EXTERN auth0_status auth0_id_token_validate(auth0_client *client, const char *id_token,
                                                  const auth0_id_token_options *options, json_t **claims,
                                                  auth0_error **err);

typedef struct auth0_access_token_options {
	const char *audience;          /* required: your API's identifier; aud must be or contain it */
	const char *issuer;            /* default https://DOMAIN/ */
	auth0_opt_int leeway;          /* seconds, on exp, nbf and iat; default 60 */
	const char *organization;      /* when set, org_id (or org_name) must match */
	/* Signature algorithms accepted, NULL-terminated; default { "RS256", NULL }. */
	const char *const *algorithms;
	int64_t now;                   /* epoch seconds; 0 = now */
} auth0_access_token_options;

/*
 * Validates a JWT access token issued by the tenant for your API (RFC 9068):
 * signature through the JWKS, iss, aud, exp / nbf / iat with leeway, and
 * `typ` when present ("at+jwt", "application/at+jwt" or "JWT").
 */
AUTH0_EXTERN auth0_status auth0_access_token_validate(auth0_client *client, const char *access_token,
                                                      const auth0_access_token_options *options,
                                                      json_t **claims, auth0_error **err);

/*
 * Decodes a JWT's header and payload WITHOUT verifying anything. Only for
 * display and diagnostics: never trust what it returns.
 */
AUTH0_EXTERN auth0_status auth0_jwt_decode_unverified(const char *jwt, json_t **header, json_t **payload,
                                                      auth0_error **err);

/*
 * Fetches the JWKS now (if the last fetch is older than
 * jwks_min_refetch_interval), for instance to warm the cache at start-up.
 */
AUTH0_EXTERN auth0_status auth0_jwks_refresh(auth0_client *client, auth0_error **err);

#ifdef __cplusplus
}
#endif
#endif
