/*
 * ID token validation: the checks of ruby-auth0 (lib/auth0/mixins/validation.rb),
 * in its order and with its messages; see auth0/jwt.h for the list.
 *
 * Two deliberate differences: the parameters are checked first (Ruby checks
 * them after the signature), so that bad arguments never cause network I/O;
 * and a malformed payload is a decoding failure ("ID token could not be
 * decoded") rather than Ruby's misleading "Could not find a public key".
 */
#include "jwt_internal.h"

#include <stdlib.h>
#include <string.h>

#define A0_DEFAULT_LEEWAY 60

static const char what[] = "ID token";

typedef struct params {
	const char *nonce;
	const char *issuer;
	const char *audience;
	const char *organization;
	const char *secret;
	const char *alg;
	int64_t leeway;
	int64_t max_age;     /* -1 when not given */
	int64_t now;
} params;

/* ruby-auth0's InvalidParameter checks, as AUTH0_ERR_INVALID_ARGUMENT naming the option. */
static auth0_status check_params(const auth0_client *c, const auth0_id_token_options *o, params *p,
                                 auth0_error **err)
{
	if (o->leeway.set && o->leeway.value < 0)
		return a0_fail_arg(err, "leeway", "Must supply a valid leeway");
	p->leeway = o->leeway.set ? o->leeway.value : A0_DEFAULT_LEEWAY;
	if (o->nonce && !*o->nonce)
		return a0_fail_arg(err, "nonce", "Must supply a valid nonce");
	p->nonce = o->nonce;
	if (o->issuer && !*o->issuer)
		return a0_fail_arg(err, "issuer", "Must supply a valid issuer");
	p->issuer = o->issuer ? o->issuer : c->issuer;
	if (o->audience && !*o->audience)
		return a0_fail_arg(err, "audience", "Must supply a valid audience");
	p->audience = o->audience ? o->audience : c->client_id;
	if (a0_empty(p->audience))
		return a0_fail_arg(err, "audience", "Must supply a valid audience");
	if (o->organization && !*o->organization)
		return a0_fail_arg(err, "organization", "Must supply a valid organization");
	p->organization = o->organization ? o->organization
	                : a0_empty(c->organization) ? NULL : c->organization;
	if (o->max_age.set && o->max_age.value < 0)
		return a0_fail_arg(err, "max_age", "Must supply a valid max_age");
	p->max_age = o->max_age.set ? o->max_age.value : -1;
	switch (o->algorithm) {
	case AUTH0_ALG_RS256:
		p->alg = "RS256";
		break;
	case AUTH0_ALG_PS256:
		/* The JWKS path; jws_verify.c pins PSS to MGF1-SHA-256 and a 32-byte salt (RFC 7518, 3.5). */
		p->alg = "PS256";
		break;
	case AUTH0_ALG_HS256:
		p->alg = "HS256";
		if (o->hs256_secret && !*o->hs256_secret)
			return a0_fail_arg(err, "hs256_secret", "Must supply a valid secret");
		p->secret = o->hs256_secret ? o->hs256_secret : c->client_secret;
		if (a0_empty(p->secret))
			return a0_fail_arg(err, "hs256_secret", "Must supply a valid secret");
		break;
	default:
		return a0_fail_arg(err, "algorithm", "Signature algorithm of \"%d\" is not supported",
		                   (int)o->algorithm);
	}
	p->now = o->now ? o->now : a0_now();
	return AUTH0_OK;
}

/* Rules 3 and 4: the key named by kid (RS256, PS256) or the secret (HS256), then the signature. */
static auth0_status check_signature(auth0_client *c, const params *p, const a0_jwt *jwt, auth0_error **err)
{
	const a0_jws_alg *alg = a0_jws_alg_find(p->alg);
	if (alg->kty == A0_KTY_OCT) {
		if (!a0_jws_verify_hmac(alg, p->secret, strlen(p->secret), jwt))
			return a0_fail_token(err, AUTH0_RULE_SIGNATURE, "Invalid ID token signature");
		return AUTH0_OK;
	}
	return a0_jwks_verify(c, jwt, "ID token", err);
}

/* Rules 7 to 15. */
static auth0_status check_claims(const params *p, const json_t *claims, auth0_error **err)
{
	auth0_status st;
	if ((st = a0_check_iss(claims, p->issuer, what, err)) != AUTH0_OK ||
	    (st = a0_check_sub(claims, what, err)) != AUTH0_OK ||
	    (st = a0_check_aud(claims, p->audience, what, err)) != AUTH0_OK ||
	    (st = a0_check_exp(claims, p->now, p->leeway, what, err)) != AUTH0_OK ||
	    (st = a0_check_iat(claims, p->now, -1, what, err)) != AUTH0_OK)
		return st;

	if (p->nonce) {
		const char *nonce = a0_json_str(claims, "nonce");
		if (!nonce)
			return a0_fail_token(err, AUTH0_RULE_NONCE,
			                     "Nonce (nonce) claim must be a string present in the ID token");
		if (!a0_secure_streq(nonce, p->nonce)) {
			a0_buf b = A0_BUF_INIT;
			a0_buf_puts(&b, "Nonce (nonce) claim mismatch in the ID token; expected \"");
			a0_buf_put_clean(&b, p->nonce, 200);
			a0_buf_puts(&b, "\", found \"");
			a0_buf_put_clean(&b, nonce, 200);
			a0_buf_putc(&b, '"');
			char *msg = a0_buf_steal(&b);
			st = msg ? a0_fail_token(err, AUTH0_RULE_NONCE, "%s", msg) : a0_oom(err);
			free(msg);
			return st;
		}
	}

	json_t *aud = json_object_get(claims, "aud");
	if (json_is_array(aud) && json_array_size(aud) > 1) {
		const char *azp = a0_json_str(claims, "azp");
		if (!azp)
			return a0_fail_token(err, AUTH0_RULE_AUTHORIZED_PARTY,
			                     "Authorized Party (azp) claim must be a string present in the ID token");
		if (strcmp(azp, p->audience) != 0) {
			a0_buf b = A0_BUF_INIT;
			a0_buf_puts(&b, "Authorized Party (azp) claim mismatch in the ID token; expected \"");
			a0_buf_put_clean(&b, p->audience, 200);
			a0_buf_puts(&b, "\", found \"");
			a0_buf_put_clean(&b, azp, 200);
			a0_buf_putc(&b, '"');
			char *msg = a0_buf_steal(&b);
			st = msg ? a0_fail_token(err, AUTH0_RULE_AUTHORIZED_PARTY, "%s", msg) : a0_oom(err);
			free(msg);
			return st;
		}
	}

	if (p->max_age >= 0) {
		int64_t auth_time;
		if (!a0_json_int(claims, "auth_time", &auth_time))
			return a0_fail_token(err, AUTH0_RULE_AUTH_TIME,
			                     "Authentication Time (auth_time) claim must be a number present in the "
			                     "ID token when Max Age (max_age) is specified");
		int64_t until = a0_add_sat(a0_add_sat(auth_time, p->max_age), p->leeway);
		if (!(p->now < until))
			return a0_fail_token(err, AUTH0_RULE_AUTH_TIME,
			                     "Authentication Time (auth_time) claim in the ID token indicates that too "
			                     "much time has passed since the last end-user authentication. Current time "
			                     "\"%lld\" is after last auth at \"%lld\"", (long long)p->now,
			                     (long long)until);
	}

	if (p->organization)
		return a0_check_org(claims, p->organization, what, err);
	return AUTH0_OK;
}

auth0_status auth0_id_token_validate(auth0_client *c, const char *id_token,
                                     const auth0_id_token_options *options, json_t **claims,
                                     auth0_error **err)
{
	if (err)
		*err = NULL;
	if (claims)
		*claims = NULL;
	if (!c)
		return a0_fail_arg(err, "client", "auth0_id_token_validate needs a client");
	const auth0_id_token_options defaults = { 0 };
	params p = { 0 };
	auth0_status st = check_params(c, options ? options : &defaults, &p, err);
	if (st != AUTH0_OK)
		return st;

	a0_jwt jwt;
	st = a0_jwt_parse(id_token, &jwt, what, err);
	if (st != AUTH0_OK)
		return st;
	/* Before any key lookup: "none", and anything but the one configured algorithm, never get further. */
	if ((st = a0_check_alg(&jwt, &p.alg, 1, what, err)) == AUTH0_OK &&
	    (st = check_signature(c, &p, &jwt, err)) == AUTH0_OK &&
	    (st = check_claims(&p, jwt.payload, err)) == AUTH0_OK && claims)
		*claims = json_incref(jwt.payload);
	a0_jwt_clear(&jwt);
	return st;
}
