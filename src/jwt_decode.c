/* Splitting a compact JWS into its decoded header, payload and signature.
 * Nothing here verifies anything: see jwt.c for validation. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Tokens larger than this are refused before any decoding work. */
#define A0_JWT_MAX 65536

/* One part of the token as a JSON object: AUTH0_OK, AUTH0_ERR_NO_MEMORY, or AUTH0_ERR_INVALID_TOKEN. */
static auth0_status decode_object(const char *b64, size_t len, json_t **out)
{
	unsigned char *raw = NULL;
	size_t raw_len = 0;
	*out = NULL;
	auth0_status st = a0_base64url_decode_status(b64, len, &raw, &raw_len);
	if (st != AUTH0_OK)
		return st == AUTH0_ERR_NO_MEMORY ? st : AUTH0_ERR_INVALID_TOKEN;
	bool oom = false;
	json_t *obj = a0_json_load((const char *)raw, raw_len, 0, NULL, &oom);
	free(raw);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return oom ? AUTH0_ERR_NO_MEMORY : AUTH0_ERR_INVALID_TOKEN;
	}
	*out = obj;
	return AUTH0_OK;
}

/* The error for a part that could not be decoded: the token's fault, or memory's. */
static auth0_status decode_failure(auth0_status st, a0_jwt *jwt, const char *what, auth0_error **err)
{
	a0_jwt_clear(jwt);
	if (st == AUTH0_ERR_NO_MEMORY)
		return a0_fail(err, AUTH0_ERR_NO_MEMORY, "out of memory while decoding the %s", what);
	return a0_fail_token(err, AUTH0_RULE_DECODE, "%s could not be decoded", what);
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
	auth0_status st = decode_object(token, (size_t)(d1 - token), &jwt->header);
	if (st == AUTH0_OK)
		st = decode_object(d1 + 1, (size_t)(d2 - d1 - 1), &jwt->payload);
	if (st == AUTH0_OK && d2[1] != '\0') {
		st = a0_base64url_decode_status(d2 + 1, strlen(d2 + 1), &jwt->signature, &jwt->signature_len);
		if (st != AUTH0_ERR_NO_MEMORY && st != AUTH0_OK)
			st = AUTH0_ERR_INVALID_TOKEN;
	}
	if (st != AUTH0_OK)
		return decode_failure(st, jwt, what, err);
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
