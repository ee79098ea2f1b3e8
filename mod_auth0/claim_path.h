/*
 * Pure functions over claims (no httpd): looking a claim up by name, and the
 * naming and value-encoding rules of the identity passed to backends.
 * claims.c and authz.c use them; t/unit/test_claim_path.c tests them.
 *
 * Lookup of a claim NAME in a claims object:
 *   1. NAME as a whole, when it is a key ("https://example.com/roles", "a.b");
 *   2. otherwise NAME is split at a dot, trying the dots from the left: when
 *      the part before the dot is a key whose value is an object, the rest is
 *      looked up in that object by these same rules. The first split that
 *      resolves wins. So "app_metadata.plan" is claims["app_metadata"]["plan"]
 *      and "https://example.com/app.plan" is claims["https://example.com/app"]["plan"].
 *   At most A0M_CLAIM_MAX_DOTS dots are tried, so a lookup stays cheap
 *   whatever the token holds.
 *
 * Header and variable names: a claim named N is passed as the header
 * PREFIX + S and the variable AUTH0_CLAIM_ + E, where S is N without a leading
 * "https://" or "http://" (namespaced claims) and with every character other
 * than A-Z a-z 0-9 and '-' replaced by '-', and E is S with '-' replaced by '_'.
 *   email                      X-Auth0-email              AUTH0_CLAIM_email
 *   https://example.com/roles  X-Auth0-example-com-roles  AUTH0_CLAIM_example_com_roles
 * Claims whose names map to the same S (compared without case) keep the first
 * one in the token; a claim whose S is "Access-Token", "Access-Token-Expires"
 * or "ID-Token" is not passed (those names are the access token's, its
 * expiry's and the ID token's); claims with an empty S or a null value are not
 * passed.
 *
 * Values (one rule, safe for any UTF-8, decoded by any percent-decoder):
 *   - string: its bytes, with '%', control characters, DEL and every byte
 *     >= 0x80 percent-encoded as %XX (upper-case hex); a space at the start or
 *     end is encoded as %20 so that no proxy trims it;
 *   - number, true, false: the JSON text (42, 1.5, true);
 *   - array of strings, numbers and booleans: each element encoded as above,
 *     with ',' in elements also encoded (%2C), joined with ','; [] is empty;
 *   - object, or array holding null, objects or arrays: compact JSON text,
 *     then encoded like a string.
 *   "Zoë" -> Zo%C3%AB; ["a","b,c"] -> a,b%2Cc; {"plan":"gold"} -> {"plan":"gold"}.
 */
#ifndef MOD_AUTH0_CLAIM_PATH_H
#define MOD_AUTH0_CLAIM_PATH_H

#include <stdbool.h>
#include <apr_pools.h>
#include <jansson.h>

#define A0M_CLAIM_MAX_DOTS 8

/* The value of claim `name` in claims (borrowed), or NULL. */
json_t *a0m_claim_lookup(const json_t *claims, const char *name);

/* The text of a scalar: a string as is, a number or boolean by its JSON text; NULL for null, arrays,
 * objects. */
const char *a0m_claim_scalar_text(apr_pool_t *p, const json_t *v);

/* Whether a scalar claim value equals `text` by the rule above (strings exactly, numbers and booleans by
 * their JSON text); an array matches when one of its scalar elements does. */
bool a0m_claim_matches(const json_t *v, const char *text);

/* The header-name suffix of a claim name (S above); NULL when it would be empty. */
char *a0m_claim_header_suffix(apr_pool_t *p, const char *name);

/* A value encoded for a header or variable (the rule above); NULL for null. */
char *a0m_claim_encode(apr_pool_t *p, const json_t *v);

/*
 * The identity block of a claims object: "<S>\t<encoded value>\n" for each
 * claim passed (names and values by the rules above), in token order. "" when
 * no claim is passed; NULL only when claims is not an object.
 */
char *a0m_claims_render(apr_pool_t *p, const json_t *claims);

/* Changes whenever a0m_claims_render()'s output for the same claims does (a
 * naming or encoding rule): blocks stored by another version (session.c keeps
 * them in the cache) are then made again, not passed on as they were. */
#define A0M_CLAIMS_RENDER_VERSION '3' /* 2: no claim named Access-Token-Expires; 3: nor ID-Token */

/*
 * The same, leaving out the claims named in except: names each between two
 * spaces, " aud iss nonce " (a name with a space in it is never left out).
 * NULL or " " leaves out none. Written "+ email name ", it leaves out every
 * claim but those named (Auth0PassClaims).
 */
char *a0m_claims_render_except(apr_pool_t *p, const json_t *claims, const char *except);

#endif
