/* Splitting a compact JWS into its decoded header, payload and signature.
 * Nothing here verifies anything: see jwt.c for validation. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Tokens larger than this are refused before any decoding work. */
#define A0_JWT_MAX 65536

static json_t *decode_object(const char *b64, size_t len)
{
	unsigned char *raw = NULL;
	size_t raw_len = 0;
	if (!a0_base64url_decode(b64, len, &raw, &raw_len))
		return NULL;
	json_t *obj = json_loadb((const char *)raw, raw_len, 0, NULL);
	free(raw);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

auth0_status a0_jwt_parse(const char *token, a0_jwt *jwt, const char *what, auth0_error **err)
{
	memset(jwt, 0, sizeof(*jwt));
	/* Compact JWS has no padding (RFC 7515, 2): "sig==" must not be a second spelling of a token. */
	if (a0_empty(token) || strlen(token) > A0_JWT_MAX || strchr(token, '='))
		return a0_fail_token(err, AUTH0_RULE_DECODE, "%s could not be decoded", what);
	const char *d1 = strchr(token, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d1 || !d2 || strchr(d2 + 1, '.') || d1 == token || d2 == d1 + 1)
		return a0_fail_token(err, AUTH0_RULE_DECODE, "%s could not be decoded", what);
	jwt->header = decode_object(token, (size_t)(d1 - token));
	jwt->payload = jwt->header ? decode_object(d1 + 1, (size_t)(d2 - d1 - 1)) : NULL;
	if (!jwt->header || !jwt->payload) {
		a0_jwt_clear(jwt);
		return a0_fail_token(err, AUTH0_RULE_DECODE, "%s could not be decoded", what);
	}
	if (d2[1] != '\0' &&
	    !a0_base64url_decode(d2 + 1, strlen(d2 + 1), &jwt->signature, &jwt->signature_len)) {
		a0_jwt_clear(jwt);
		return a0_fail_token(err, AUTH0_RULE_DECODE, "%s could not be decoded", what);
	}
	jwt->signing_input = a0_strndup(token, (size_t)(d2 - token));
	if (!jwt->signing_input) {
		a0_jwt_clear(jwt);
		return a0_oom(err);
	}
	return AUTH0_OK;
}

void a0_jwt_clear(a0_jwt *jwt)
{
	json_decref(jwt->header);
	json_decref(jwt->payload);
	free(jwt->signing_input);
	free(jwt->signature);
	memset(jwt, 0, sizeof(*jwt));
}

auth0_status auth0_jwt_decode_unverified(const char *token, json_t **header, json_t **payload, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (header)
		*header = NULL;
	if (payload)
		*payload = NULL;
	a0_jwt jwt;
	auth0_status st = a0_jwt_parse(token, &jwt, "JWT", err);
	if (st != AUTH0_OK)
		return st;
	if (header)
		*header = json_incref(jwt.header);
	if (payload)
		*payload = json_incref(jwt.payload);
	a0_jwt_clear(&jwt);
	return AUTH0_OK;
}
