/*
 * Validation of logout tokens (OpenID Connect Back-Channel Logout 1.0,
 * section 2.6): what an application checks before ending sessions because
 * the tenant said so. The signature work is that of access tokens
 * (a0_jwks_verify); the claims differ: an event instead of a nonce, a
 * session id or a subject, a token id for the caller's replay check, and an
 * iat that may not be old.
 */
#include "jwt_internal.h"

#include <stdlib.h>
#include <strings.h>

#define A0_DEFAULT_LEEWAY 60
#define A0_DEFAULT_MAX_AGE 300

static const char what[] = "logout token";

static auth0_status check_typ(const a0_jwt *jwt, auth0_error **err)
{
	json_t *typ = json_object_get(jwt->header, "typ");
	if (!typ)
		return AUTH0_OK;
	const char *t = json_string_value(typ);
	if (t && (strcasecmp(t, "logout+jwt") == 0 || strcasecmp(t, "application/logout+jwt") == 0 ||
	          strcasecmp(t, "JWT") == 0))
		return AUTH0_OK;
	return a0_fail_token(err, AUTH0_RULE_TYPE, "Type (typ) header of the logout token must be \"logout+jwt\"");
}

static auth0_status check_age(const json_t *claims, int64_t now, int64_t leeway, int64_t max_age,
                              auth0_error **err)
{
	auth0_status st = a0_check_iat(claims, now, leeway, what, err);
	if (st != AUTH0_OK)
		return st;
	int64_t iat = 0;
	a0_json_int(claims, "iat", &iat);
	int64_t oldest = a0_add_sat(now, -a0_add_sat(max_age, leeway));
	if (iat < oldest)
		return a0_fail_token(err, AUTH0_RULE_ISSUED_AT,
		                     "Issued At (iat) claim of the logout token is too old; current time \"%lld\", "
		                     "issued at time \"%lld\", at most %lld seconds before",
		                     (long long)now, (long long)iat, (long long)max_age);
	if (json_object_get(claims, "exp"))
		return a0_check_exp(claims, now, leeway, what, err);
	return AUTH0_OK;
}

static bool nonempty_string(const json_t *claims, const char *name)
{
	const char *v = json_string_value(json_object_get(claims, name));
	return v && *v;
}

static auth0_status check_logout_claims(const json_t *claims, auth0_error **err)
{
	if (!nonempty_string(claims, "jti"))
		return a0_fail_token(err, AUTH0_RULE_TOKEN_ID, "JWT ID (jti) claim must be a string present in the "
		                                               "logout token");
	const json_t *events = json_object_get(claims, "events");
	if (!json_is_object(json_object_get(events, AUTH0_BACKCHANNEL_LOGOUT_EVENT)))
		return a0_fail_token(err, AUTH0_RULE_EVENTS, "Events (events) claim of the logout token must hold the "
		                                             "member \"" AUTH0_BACKCHANNEL_LOGOUT_EVENT "\"");
	if (!nonempty_string(claims, "sid") && !nonempty_string(claims, "sub"))
		return a0_fail_token(err, AUTH0_RULE_SESSION, "Session ID (sid) or Subject (sub) claim must be a "
		                                              "string present in the logout token");
	if (json_object_get(claims, "nonce"))
		return a0_fail_token(err, AUTH0_RULE_NONCE, "Nonce (nonce) claim must not be present in the logout "
		                                            "token");
	return AUTH0_OK;
}

auth0_status auth0_logout_token_validate(auth0_client *c, const char *logout_token,
                                         const auth0_logout_token_options *o, json_t **claims,
                                         auth0_error **err)
{
	if (err)
		*err = NULL;
	if (claims)
		*claims = NULL;
	if (!c)
		return a0_fail_arg(err, "client", "auth0_logout_token_validate needs a client");
	auth0_logout_token_options none = { 0 };
	if (!o)
		o = &none;
	if (o->issuer && !*o->issuer)
		return a0_fail_arg(err, "issuer", "Must supply a valid issuer");
	if (o->audience && !*o->audience)
		return a0_fail_arg(err, "audience", "Must supply a valid audience");
	const char *audience = o->audience ? o->audience : c->client_id;
	if (a0_empty(audience))
		return a0_fail_arg(err, "audience", "Must supply a valid audience");
	if (o->leeway.set && o->leeway.value < 0)
		return a0_fail_arg(err, "leeway", "Must supply a valid leeway");
	if (o->max_age.set && o->max_age.value < 0)
		return a0_fail_arg(err, "max_age", "Must supply a valid max_age");
	const char *issuer = o->issuer ? o->issuer : c->issuer;
	int64_t leeway = o->leeway.set ? o->leeway.value : A0_DEFAULT_LEEWAY;
	int64_t max_age = o->max_age.set ? o->max_age.value : A0_DEFAULT_MAX_AGE;
	int64_t now = o->now ? o->now : a0_now();

	static const char *const algs[] = { "RS256" };
	a0_jwt jwt;
	auth0_status st = a0_jwt_parse(logout_token, &jwt, "Logout token", err);
	if (st != AUTH0_OK)
		return st;
	const json_t *payload = jwt.payload;
	if ((st = check_typ(&jwt, err)) != AUTH0_OK || (st = a0_check_alg(&jwt, algs, 1, what, err)) != AUTH0_OK ||
	    (st = a0_jwks_verify(c, &jwt, what, err)) != AUTH0_OK ||
	    (st = a0_check_iss(payload, issuer, what, err)) != AUTH0_OK ||
	    (st = a0_check_aud(payload, audience, what, err)) != AUTH0_OK ||
	    (st = check_age(payload, now, leeway, max_age, err)) != AUTH0_OK ||
	    (st = check_logout_claims(payload, err)) != AUTH0_OK)
		goto out;
	if (claims)
		*claims = json_incref(jwt.payload);
out:
	a0_jwt_clear(&jwt);
	return st;
}
