/*
 * Validation of JWT access tokens for your own APIs (RFC 9068), as mod_auth0
 * does on every bearer request: so the path is short. The token is decoded
 * once; keys were imported when the JWKS was fetched; the cache lookup is a
 * mutex and a scan of two or three kids; then one EVP verification and a few
 * claim comparisons. Nothing is re-serialised.
 */
#include "jwt_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define A0_DEFAULT_LEEWAY 60
#define A0_MAX_ALGS 16

static const char what[] = "access token";

/* RFC 9068 "at+jwt" (with or without "application/"), and plain "JWT" as many issuers still send. */
static auth0_status check_typ(const a0_jwt *jwt, auth0_error **err)
{
	json_t *typ = json_object_get(jwt->header, "typ");
	if (!typ)
		return AUTH0_OK;
	const char *t = json_string_value(typ);
	if (t && (strcasecmp(t, "at+jwt") == 0 || strcasecmp(t, "application/at+jwt") == 0 ||
	          strcasecmp(t, "JWT") == 0))
		return AUTH0_OK;
	a0_buf b = A0_BUF_INIT;
	a0_buf_puts(&b, "Type (typ) header of the access token must be \"at+jwt\", \"application/at+jwt\" or "
	                "\"JWT\"; found \"");
	a0_buf_put_clean(&b, t ? t : "", 100);
	a0_buf_putc(&b, '"');
	char *msg = a0_buf_steal(&b);
	auth0_status st = msg ? a0_fail_token(err, AUTH0_RULE_TYPE, "%s", msg) : a0_oom(err);
	free(msg);
	return st;
}

/* Whether the token's aud (a string or an array of strings) names value. */
static bool names_audience(const json_t *aud, const char *value)
{
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), value) == 0;
	size_t i;
	const json_t *v;
	json_array_foreach(aud, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), value) == 0)
			return true;
	}
	return false;
}

/* The accepted issuer and audience to check the token against: the first of `more` that the token names,
 * else the main one (whose check then says what was expected, as without `more`). */
static const char *chosen_issuer(const json_t *payload, const char *main, const char *const *more)
{
	const char *iss = a0_json_str(payload, "iss");
	for (; iss && more && *more; more++)
		if (strcmp(iss, *more) == 0)
			return *more;
	return main;
}

static const char *chosen_audience(const json_t *payload, const char *main, const char *const *more)
{
	const json_t *aud = json_object_get(payload, "aud");
	if (names_audience(aud, main))
		return main;
	for (; more && *more; more++)
		if (names_audience(aud, *more))
			return *more;
	return main;
}

/* A NULL-terminated list of non-empty strings, or NULL. */
static bool list_ok(const char *const *list)
{
	for (; list && *list; list++)
		if (!**list)
			return false;
	return true;
}

auth0_status auth0_access_token_validate(auth0_client *c, const char *access_token,
                                         const auth0_access_token_options *o, json_t **claims,
                                         auth0_error **err)
{
	if (err)
		*err = NULL;
	if (claims)
		*claims = NULL;
	if (!c)
		return a0_fail_arg(err, "client", "auth0_access_token_validate needs a client");
	if (!o || a0_empty(o->audience))
		return a0_fail_arg(err, "audience", "Must supply a valid audience (your API's identifier)");
	if (o->issuer && !*o->issuer)
		return a0_fail_arg(err, "issuer", "Must supply a valid issuer");
	if (!list_ok(o->issuers))
		return a0_fail_arg(err, "issuers", "Must supply valid issuers");
	if (!list_ok(o->audiences))
		return a0_fail_arg(err, "audiences", "Must supply valid audiences");
	if (o->organization && !*o->organization)
		return a0_fail_arg(err, "organization", "Must supply a valid organization");
	if (o->leeway.set && o->leeway.value < 0)
		return a0_fail_arg(err, "leeway", "Must supply a valid leeway");

	static const char *const default_algs[] = { "RS256", NULL };
	const char *const *names = o->algorithms ? o->algorithms : default_algs;
	size_t n_algs = 0;
	for (; names[n_algs]; n_algs++) {
		const a0_jws_alg *alg = a0_jws_alg_find(names[n_algs]);
		if (n_algs >= A0_MAX_ALGS || !alg || alg->kty == A0_KTY_OCT)
			return a0_fail_arg(err, "algorithms",
			                   "Signature algorithm of \"%.20s\" is not supported for access tokens "
			                   "(RS256, RS384, RS512, PS256, PS384, PS512, ES256)", names[n_algs]);
	}
	if (n_algs == 0)
		return a0_fail_arg(err, "algorithms", "Must supply at least one signature algorithm");

	const char *issuer = o->issuer ? o->issuer : c->issuer;
	int64_t leeway = o->leeway.set ? o->leeway.value : A0_DEFAULT_LEEWAY;
	int64_t now = o->now ? o->now : a0_now();

	a0_jwt jwt;
	auth0_status st = a0_jwt_parse(access_token, &jwt, "Access token", err);
	if (st != AUTH0_OK)
		return st;
	if ((st = check_typ(&jwt, err)) != AUTH0_OK ||
	    (st = a0_check_alg(&jwt, names, n_algs, what, err)) != AUTH0_OK)
		goto out;

	if ((st = a0_jwks_verify(c, &jwt, what, err)) != AUTH0_OK)
		goto out;

	const json_t *payload = jwt.payload;
	if ((st = a0_check_iss(payload, chosen_issuer(payload, issuer, o->issuers), what, err)) != AUTH0_OK ||
	    (st = a0_check_aud(payload, chosen_audience(payload, o->audience, o->audiences), what, err)) != AUTH0_OK ||
	    (st = a0_check_exp(payload, now, leeway, what, err)) != AUTH0_OK ||
	    (st = a0_check_nbf(payload, now, leeway, what, err)) != AUTH0_OK ||
	    (st = a0_check_iat(payload, now, leeway, what, err)) != AUTH0_OK)
		goto out;
	if (o->organization && (st = a0_check_org(payload, o->organization, what, err)) != AUTH0_OK)
		goto out;
	if (claims)
		*claims = json_incref(jwt.payload);
out:
	a0_jwt_clear(&jwt);
	return st;
}

const char *auth0_access_token_binding(const json_t *claims)
{
	const json_t *cnf = json_object_get(claims, "cnf");
	if (!cnf)
		return NULL;
	return json_object_get(cnf, "jkt") ? "DPoP" : json_object_get(cnf, "x5t#S256") ? "mutual TLS" : "a key";
}
