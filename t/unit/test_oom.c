/*
 * The error model when memory runs out: a failed call still sets *err, and
 * err->message is never NULL.
 *
 * Allocation failures are injected with the linker's --wrap (see
 * authentication.mk): every call of calloc, malloc, realloc, strdup and
 * strndup in libauth0's objects goes through the __wrap_ functions below,
 * which fail the kinds of allocation that `failing` names and pass the
 * others on. jansson, libcurl and OpenSSL are shared libraries and keep the
 * real allocator.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

enum { FAIL_CALLOC = 1, FAIL_MALLOC = 2, FAIL_REALLOC = 4, FAIL_STRDUP = 8, FAIL_ALL = 15 };
static unsigned failing;

void *__real_calloc(size_t n, size_t size);
void *__real_malloc(size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *__wrap_calloc(size_t n, size_t size)
{
	if (failing & FAIL_CALLOC) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

void *__wrap_malloc(size_t size)
{
	if (failing & FAIL_MALLOC) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(size);
}

void *__wrap_realloc(void *p, size_t size)
{
	if (failing & FAIL_REALLOC) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
	if (failing & FAIL_STRDUP) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	if (failing & FAIL_STRDUP) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strndup(s, n);
}

/* The shared out-of-memory error, as a caller sees it. */
static void is_oom_error(auth0_status st, const auth0_error *err, const char *what)
{
	is_int(st, AUTH0_ERR_NO_MEMORY, "%s: AUTH0_ERR_NO_MEMORY", what);
	ok(err != NULL, "%s: *err is set", what);
	if (!err)
		return;
	is_int(err->kind, AUTH0_ERR_NO_MEMORY, "%s: err->kind agrees with the status", what);
	is_str(err->message, "out of memory", "%s: err->message is not NULL", what);
	ok(err->status == 0 && err->attempts == 0 && !err->option && !err->body, "%s: nothing else is claimed",
	   what);
}

static void test_failed_calls(void)
{
	json_t *header = NULL, *payload = NULL;
	auth0_error *err = NULL;

	/* The error object itself cannot be allocated. */
	failing = FAIL_ALL;
	auth0_status st = auth0_jwt_decode_unverified("a.b", &header, &payload, &err);
	failing = 0;
	is_oom_error(st, err, "no memory for the error");
	/* the shared object: freeing it is a no-op (ASan would report a free of a static object otherwise) */
	auth0_error_free(err);
	auth0_error_free(err);
	ok(!auth0_error_is_transient(err), "out of memory is not transient");

	/* The error is allocated (calloc), its message is not (a0_buf: malloc, realloc). */
	err = NULL;
	failing = FAIL_MALLOC | FAIL_REALLOC | FAIL_STRDUP;
	st = auth0_jwt_decode_unverified("a.b", &header, &payload, &err);
	failing = 0;
	is_oom_error(st, err, "no memory for the message");
	auth0_error_free(err);

	/* An option error: its option name cannot be copied. */
	err = NULL;
	auth0_client *c = NULL;
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "example.auth0.com";
	o.timeout_ms = 0;
	failing = FAIL_STRDUP;
	st = auth0_client_new(&c, &o, &err);
	failing = 0;
	is_oom_error(st, err, "no memory for an argument error");
	ok(c == NULL, "... and no client");
	auth0_error_free(err);

	/* Without err the status is the failure's own: nothing had to be allocated. */
	failing = FAIL_ALL;
	st = auth0_jwt_decode_unverified("a.b", &header, &payload, NULL);
	failing = 0;
	is_int(st, AUTH0_ERR_INVALID_TOKEN, "err NULL: the failure's own kind");
}

static void test_http_errors(void)
{
	static char body[] = "{\"statusCode\":404,\"error\":\"Not Found\",\"message\":\"The user does not exist.\","
	                     "\"errorCode\":\"inexistent_user\"}";
	a0_response resp = { .status = 404, .body = body, .len = sizeof(body) - 1,
		                 .content_type = (char *)"application/json", .retry_after = -1,
		                 .rate_limit = { -1, -1, -1 }, .attempts = 1 };
	auth0_error *err = NULL;

	failing = FAIL_CALLOC;
	auth0_status st = a0_error_from_response(&err, &resp, "GET", "/api/v2/users/x");
	failing = 0;
	is_oom_error(st, err, "an HTTP error without memory for the error");
	auth0_error_free(err);

	/* Auth0's fields are copied (strdup), the message cannot be built (a0_buf: malloc, realloc). */
	err = NULL;
	failing = FAIL_MALLOC | FAIL_REALLOC | FAIL_STRDUP;
	st = a0_error_from_response(&err, &resp, "GET", "/api/v2/users/x");
	failing = 0;
	is_oom_error(st, err, "an HTTP error without memory for its message");
	auth0_error_free(err);

	/* With memory, the same answer is the usual error. */
	err = NULL;
	st = a0_error_from_response(&err, &resp, "GET", "/api/v2/users/x");
	is_int(st, AUTH0_ERR_NOT_FOUND, "with memory: NOT_FOUND");
	is_str(err ? err->error_code : NULL, "inexistent_user", "... with Auth0's fields");
	auth0_error_free(err);
}

/* An RSA private key in PEM, for a client that signs assertions; NULL on failure. */
static char *rsa_pem(void)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	if (key && bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		char *data = NULL;
		long len = BIO_get_mem_data(bio, &data);
		pem = len > 0 ? __real_strndup(data, (size_t)len) : NULL;
	}
	BIO_free(bio);
	EVP_PKEY_free(key);
	return pem;
}

/*
 * The client assertion (private_key_jwt) signed and exported by cjose (a shared library, with the real
 * allocator), then not copied (strdup fails): no JWT, and an error that does not read the cjose error, which
 * cjose never set (stop 20's fix, 00cce43, had no test).
 */
static void test_client_assertion(void)
{
	char *pem = rsa_pem();
	ok(pem != NULL, "an RSA key for the client assertion");
	auth0_client *c = NULL;
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "example.auth0.com";
	o.client_id = "jwt-client";
	o.client_assertion_signing_key = pem;
	o.client_assertion_signing_alg = "RS256";
	auth0_error *err = NULL;
	auth0_status st = auth0_client_new(&c, &o, &err);
	is_int(st, AUTH0_OK, "a client that signs its assertions");
	auth0_error_free(err);
	err = NULL;
	if (c) {
		char *jwt = NULL;
		st = a0_client_assertion(c, &jwt, &err);
		is_int(st, AUTH0_OK, "with memory: the assertion is signed");
		ok(jwt && strchr(jwt, '.'), "... a compact JWS");
		free(jwt);
		jwt = (char *)"not cleared";
		failing = FAIL_STRDUP;
		st = a0_client_assertion(c, &jwt, &err);
		failing = 0;
		is_int(st, AUTH0_ERR_INTERNAL, "the signed assertion cannot be copied: an internal error");
		ok(jwt == NULL, "... no JWT");
		ok(err && err->message && strstr(err->message, "could not sign the client assertion (cjose error)"),
		   "... saying so, without a cjose message that cjose never set: %s", err ? err->message : "(none)");
		auth0_error_free(err);
		auth0_client_free(c);
	}
	free(pem);
}

int main(void)
{
	test_failed_calls();
	test_http_errors();
	test_client_assertion();
	return done_testing();
}
