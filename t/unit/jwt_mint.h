/*
 * Test helpers for the token-validation tests: keys made with OpenSSL,
 * their JWKs, compact JWS tokens signed with them (or deliberately broken),
 * and a counting auth0_store to inject a JWKS without any network.
 */
#ifndef T_JWT_MINT_H
#define T_JWT_MINT_H

#include <auth0.h>
#include <openssl/evp.h>
#include <pthread.h>

/* An RSA key of `bits`, or an EC P-256 key; aborts on failure. */
EVP_PKEY *m_rsa_key(int bits);
EVP_PKEY *m_ec_key(void);

/* The public JWK of a key (kty RSA or EC), with kid, "use": "sig" and, when alg != NULL, "alg". */
json_t *m_jwk(EVP_PKEY *key, const char *kid, const char *alg);
/* {"keys": [jwk, ...]} taking the references (NULL-terminated). */
json_t *m_jwks(json_t *first, ...);

/*
 * header.payload.signature. header and payload are JSON texts used verbatim.
 * alg: RS256/RS384/RS512/PS256/ES256 with `key`, HS256 with `secret`, or
 * "none" (empty signature). The alg argument says how to sign; the header
 * says whatever the caller wrote (so they may disagree, on purpose).
 * PS algorithms take suffixes that break RFC 7518's parameters, to mint
 * tokens a verifier must refuse: "PS256/salt=20" (salt length in bytes),
 * "PS256/mgf1=SHA1" (MGF1's hash), or both in that order.
 */
char *m_sign(const char *header, const char *payload, const char *alg, EVP_PKEY *key, const char *secret);
/* Same with a JSON header/payload built from jansson objects (references are not taken). */
char *m_sign_json(const json_t *header, const json_t *payload, const char *alg, EVP_PKEY *key,
                  const char *secret);
/* base (a JSON object, returned) with `changes` applied: a JSON object text whose members replace base's
 * and whose null members delete them; NULL changes nothing. Aborts on bad JSON. */
json_t *m_modified(json_t *base, const char *changes);
/* Flips one bit in the middle of the signature part (keeps it valid base64url). */
void m_flip_signature(char *token);
/* base64url without padding (malloc()ed). */
char *m_b64url(const void *data, size_t len);
/* The PEM text of a public key (for the HS256-with-public-key confusion). */
char *m_public_pem(EVP_PKEY *key);

/* A counting in-memory store (one mutex; a separate single-flight mutex). */
typedef struct m_store {
	auth0_store store;
	pthread_mutex_t mu;
	pthread_mutex_t flight;
	char *keys[16];
	char *values[16];
	size_t lens[16];
	size_t n;
	int gets, sets, locks;
	char *last_set_key;
} m_store;

void m_store_init(m_store *s);
void m_store_clear(m_store *s);
/* Puts a JWKS into the store as libauth0 would have after fetching it at fetched_at. */
void m_store_put_jwks(m_store *s, const char *key, const json_t *jwks, int64_t fetched_at);
/* The stored value of a key (malloc()ed) or NULL. */
char *m_store_value(m_store *s, const char *key);

#endif
