/*
 * Claim checks shared by ID tokens and access tokens, with the wording of
 * Auth0's SDKs (ruby-auth0 lib/auth0/mixins/validation.rb) and "ID token"
 * replaced by "access token" for the latter.
 *
 * Everything a token carries is attacker-controlled: values quoted in
 * messages are reduced to printable ASCII and truncated, and time arithmetic
 * saturates instead of overflowing.
 */
#include "jwt_internal.h"

#include <stdlib.h>
#include <string.h>

/* Longest claim value quoted in a message. */
#define A0_QUOTE_MAX 200

int64_t a0_add_sat(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

void a0_buf_put_clean(a0_buf *b, const char *s, size_t max)
{
	if (!s)
		return;
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (; *p && n < max; p++, n++)
		a0_buf_putc(b, (*p >= 0x20 && *p < 0x7f) ? (char)*p : '?');
	if (*p)
		a0_buf_puts(b, "...");
}

/* Fails with `rule` and a message assembled in b (freed here). */
static auth0_status fail_buf(auth0_error **err, auth0_token_rule rule, a0_buf *b)
{
	char *msg = a0_buf_steal(b);
	if (!msg)
		return a0_oom(err);
	auth0_status st = a0_fail_token(err, rule, "%s", msg);
	free(msg);
	return st;
}

/* "<prefix>"<value>"<suffix>" with the value cleaned. */
static void put_quoted(a0_buf *b, const char *value)
{
	a0_buf_putc(b, '"');
	a0_buf_put_clean(b, value ? value : "", A0_QUOTE_MAX);
	a0_buf_putc(b, '"');
}

/* The standard mismatch message: <claim> claim mismatch in the <what>; expected "<e>", found "<f>" */
static auth0_status mismatch(auth0_error **err, auth0_token_rule rule, const char *claim, const char *what,
                             const char *expected, const char *found, bool value_word)
{
	a0_buf b = A0_BUF_INIT;
	a0_buf_printf(&b, "%s claim %smismatch in the %s; expected ", claim, value_word ? "value " : "", what);
	put_quoted(&b, expected);
	a0_buf_puts(&b, ", found ");
	put_quoted(&b, found);
	return fail_buf(err, rule, &b);
}

const char *a0_jwt_kid(const a0_jwt *jwt)
{
	return a0_json_str(jwt->header, "kid");
}

auth0_status a0_check_alg(const a0_jwt *jwt, const char *const *expected, size_t n_expected, const char *what,
                          auth0_error **err)
{
	/* RFC 7515 4.1.11: extensions named in "crit" must be understood, and we understand none. */
	if (json_object_get(jwt->header, "crit"))
		return a0_fail_token(err, AUTH0_RULE_ALGORITHM,
		                     "The %s names critical header parameters (crit) that are not supported", what);
	const char *alg = a0_json_str(jwt->header, "alg");
	for (size_t i = 0; alg && i < n_expected; i++)
		if (strcmp(alg, expected[i]) == 0)
			return AUTH0_OK;
	a0_buf b = A0_BUF_INIT;
	a0_buf_puts(&b, "Signature algorithm of ");
	put_quoted(&b, alg);
	a0_buf_printf(&b, " is not supported. Expected the %s to be signed with \"", what);
	for (size_t i = 0; i < n_expected; i++)
		a0_buf_printf(&b, "%s%s", i ? ", " : "", expected[i]);
	a0_buf_putc(&b, '"');
	return fail_buf(err, AUTH0_RULE_ALGORITHM, &b);
}

auth0_status a0_check_key_missing(const char *kid, auth0_error **err)
{
	a0_buf b = A0_BUF_INIT;
	a0_buf_puts(&b, "Could not find a public key for Key ID (kid) ");
	put_quoted(&b, kid);
	return fail_buf(err, AUTH0_RULE_KEY, &b);
}

auth0_status a0_check_iss(const json_t *claims, const char *expected, const char *what, auth0_error **err)
{
	const char *iss = a0_json_str(claims, "iss");
	if (!iss)
		return a0_fail_token(err, AUTH0_RULE_ISSUER, "Issuer (iss) claim must be a string present in the %s",
		                     what);
	if (strcmp(iss, expected) != 0)
		return mismatch(err, AUTH0_RULE_ISSUER, "Issuer (iss)", what, expected, iss, false);
	return AUTH0_OK;
}

auth0_status a0_check_sub(const json_t *claims, const char *what, auth0_error **err)
{
	if (!a0_json_str(claims, "sub"))
		return a0_fail_token(err, AUTH0_RULE_SUBJECT,
		                     "Subject (sub) claim must be a string present in the %s", what);
	return AUTH0_OK;
}

auth0_status a0_check_aud(const json_t *claims, const char *expected, const char *what, auth0_error **err)
{
	json_t *aud = json_object_get(claims, "aud");
	bool strings = json_is_string(aud) || json_is_array(aud);
	size_t i;
	json_t *v;
	json_array_foreach(aud, i, v) {
		strings = strings && json_is_string(v);
	}
	if (!strings)
		return a0_fail_token(err, AUTH0_RULE_AUDIENCE,
		                     "Audience (aud) claim must be a string or array of strings present in the %s",
		                     what);
	if (json_is_string(aud)) {
		if (strcmp(json_string_value(aud), expected) != 0)
			return mismatch(err, AUTH0_RULE_AUDIENCE, "Audience (aud)", what, expected,
			                json_string_value(aud), false);
		return AUTH0_OK;
	}
	json_array_foreach(aud, i, v) {
		if (strcmp(json_string_value(v), expected) == 0)
			return AUTH0_OK;
	}
	a0_buf b = A0_BUF_INIT;
	a0_buf_printf(&b, "Audience (aud) claim mismatch in the %s; expected ", what);
	put_quoted(&b, expected);
	a0_buf_puts(&b, " but was not one of \"");
	json_array_foreach(aud, i, v) {
		if (b.len > 2 * A0_QUOTE_MAX) {
			a0_buf_puts(&b, ", ...");
			break;
		}
		if (i)
			a0_buf_puts(&b, ", ");
		a0_buf_put_clean(&b, json_string_value(v), A0_QUOTE_MAX);
	}
	a0_buf_putc(&b, '"');
	return fail_buf(err, AUTH0_RULE_AUDIENCE, &b);
}

auth0_status a0_check_exp(const json_t *claims, int64_t now, int64_t leeway, const char *what,
                          auth0_error **err)
{
	int64_t exp;
	if (!a0_json_int(claims, "exp", &exp))
		return a0_fail_token(err, AUTH0_RULE_EXPIRED,
		                     "Expiration Time (exp) claim must be a number present in the %s", what);
	int64_t until = a0_add_sat(exp, leeway);
	if (!(now < until))
		return a0_fail_token(err, AUTH0_RULE_EXPIRED,
		                     "Expiration Time (exp) claim mismatch in the %s; current time \"%lld\" is after "
		                     "expiration time \"%lld\"", what, (long long)now, (long long)until);
	return AUTH0_OK;
}

auth0_status a0_check_iat(const json_t *claims, int64_t now, int64_t leeway, const char *what,
                          auth0_error **err)
{
	int64_t iat;
	if (!a0_json_int(claims, "iat", &iat))
		return a0_fail_token(err, AUTH0_RULE_ISSUED_AT,
		                     "Issued At (iat) claim must be a number present in the %s", what);
	if (leeway >= 0 && iat > a0_add_sat(now, leeway))
		return a0_fail_token(err, AUTH0_RULE_ISSUED_AT,
		                     "Issued At (iat) claim mismatch in the %s; current time \"%lld\" is before "
		                     "issued at time \"%lld\"", what, (long long)now,
		                     (long long)a0_add_sat(iat, -leeway));
	return AUTH0_OK;
}

auth0_status a0_check_nbf(const json_t *claims, int64_t now, int64_t leeway, const char *what,
                          auth0_error **err)
{
	json_t *v = json_object_get(claims, "nbf");
	if (!v)
		return AUTH0_OK;
	if (!json_is_integer(v))
		return a0_fail_token(err, AUTH0_RULE_NOT_BEFORE, "Not Before (nbf) claim must be a number in the %s",
		                     what);
	int64_t nbf = (int64_t)json_integer_value(v);
	if (nbf > a0_add_sat(now, leeway))
		return a0_fail_token(err, AUTH0_RULE_NOT_BEFORE,
		                     "Not Before (nbf) claim mismatch in the %s; current time \"%lld\" is before "
		                     "not before time \"%lld\"", what, (long long)now,
		                     (long long)a0_add_sat(nbf, -leeway));
	return AUTH0_OK;
}

auth0_status a0_check_org(const json_t *claims, const char *expected, const char *what, auth0_error **err)
{
	if (strncmp(expected, "org_", 4) == 0) {
		const char *org_id = a0_json_str(claims, "org_id");
		if (!org_id)
			return a0_fail_token(err, AUTH0_RULE_ORGANIZATION,
			                     "Organization Id (org_id) claim must be a string present in the %s", what);
		if (strcmp(org_id, expected) != 0)
			return mismatch(err, AUTH0_RULE_ORGANIZATION, "Organization Id (org_id)", what, expected, org_id,
			                true);
		return AUTH0_OK;
	}
	/*
	 * Names compare in lower case on the expected side only; the claim is
	 * taken as is (ruby-auth0 v5.14.1). Auth0 organization names are lower-case
	 * ASCII letters, digits, '-' and '_', so ASCII folding is all it takes.
	 */
	char *lower = a0_strdup(expected);
	if (!lower)
		return a0_oom(err);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a'); /* not tolower(): a locale must not change the rule */
	const char *org_name = a0_json_str(claims, "org_name");
	auth0_status st = AUTH0_OK;
	if (!org_name)
		st = a0_fail_token(err, AUTH0_RULE_ORGANIZATION,
		                   "Organization Name (org_name) claim must be a string present in the %s", what);
	else if (strcmp(org_name, lower) != 0)
		st = mismatch(err, AUTH0_RULE_ORGANIZATION, "Organization Name (org_name)", what, lower, org_name,
		              true);
	free(lower);
	return st;
}
