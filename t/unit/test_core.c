/* Unit tests of libauth0's core: encodings, buffers, retry policy, error
 * mapping, option checking. No network. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tap.h"

static char *escaped(const char *s, a0_escape style)
{
	a0_buf b = A0_BUF_INIT;
	a0_buf_escape(&b, s, style);
	return a0_buf_steal(&b);
}

static void test_escapes(void)
{
	char *s = escaped("a b*~|/é", A0_ESC_FORM);
	is_str(s, "a+b%2A~%7C%2F%C3%A9", "form escaping: CGI.escape rules");
	free(s);
	s = escaped("a b*~|/", A0_ESC_QUERY);
	is_str(s, "a+b*%7E%7C%2F", "query escaping: URI.encode_www_form rules");
	free(s);
	s = escaped("auth0|123 x/y", A0_ESC_SEGMENT);
	is_str(s, "auth0%7C123%20x%2Fy", "path segment escaping: space is %%20, slash escaped");
	free(s);

	a0_buf q = A0_BUF_INIT;
	a0_query_add(&q, "a", "1", A0_ESC_FORM);
	a0_query_add(&q, "skip", NULL, A0_ESC_FORM);
	a0_query_add(&q, "b", "x y", A0_ESC_FORM);
	s = a0_buf_steal(&q);
	is_str(s, "a=1&b=x+y", "query builder joins pairs and skips NULL values");
	free(s);

	s = a0_url_decode("a%7Cb+c", 7, true);
	is_str(s, "a|b c", "url decode with plus as space");
	free(s);
	ok(a0_url_decode("%zz", 3, false) == NULL, "url decode refuses a bad escape");
	ok(a0_url_decode("ab%2", 4, false) == NULL, "url decode refuses a truncated escape");
	ok(a0_url_decode("a%00b", 5, false) == NULL, "url decode refuses an embedded NUL");
}

static void test_buf(void)
{
	a0_buf b = A0_BUF_INIT;
	for (int i = 0; i < 1000; i++)
		a0_buf_printf(&b, "%d,", i);
	ok(b.len > 3000 && !b.failed, "buffer grows");
	char *s = a0_buf_steal(&b);
	ok(strncmp(s, "0,1,2,", 6) == 0 && s[strlen(s) - 1] == ',', "buffer content intact");
	free(s);
	ok(b.data == NULL && b.len == 0, "steal resets the buffer");
	s = a0_buf_steal(&b);
	is_str(s, "", "stealing an empty buffer gives an empty string");
	free(s);
}

static void test_base64url(void)
{
	char *e = a0_base64url_encode("\xfb\xff\xfe", 3);
	is_str(e, "-__-", "base64url uses - and _ without padding");
	unsigned char *d = NULL;
	size_t n = 0;
	ok(a0_base64url_decode(e, strlen(e), &d, &n) && n == 3 && memcmp(d, "\xfb\xff\xfe", 3) == 0,
	   "base64url round trip");
	free(d);
	free(e);
	ok(!a0_base64url_decode("+//+", 4, &d, &n), "standard base64 alphabet refused");
	/* cjose aborts the process on a lone character before padding: found by fuzz/fuzz_jwt */
	ok(!a0_base64url_decode("A=", 2, &d, &n) && !a0_base64url_decode("A===", 4, &d, &n) &&
	   !a0_base64url_decode("AAAAA=", 6, &d, &n) && !a0_base64url_decode("eyJhbNiJ9=WciOiJSS9", 19, &d, &n),
	   "a lone character before padding is refused (not handed to cjose)");
	ok(!a0_base64url_decode("AA=A", 4, &d, &n) && !a0_base64url_decode("AA=", 3, &d, &n) &&
	   !a0_base64url_decode("AAAA====", 8, &d, &n) && !a0_base64url_decode("A", 1, &d, &n),
	   "padding only at the end, completing the last quantum");
	ok(a0_base64url_decode("AAA=", 4, &d, &n) && n == 2, "padded base64url is accepted");
	free(d);
	ok(a0_base64url_decode("AA==", 4, &d, &n) && n == 1, "two padding characters are accepted");
	free(d);
	ok(a0_base64url_decode("AAA", 3, &d, &n) && n == 2, "unpadded base64url is accepted");
	free(d);
	/* The unused low bits of a last partial group must be zero: "QB" would otherwise decode like "QA". */
	ok(a0_base64url_decode("QQ", 2, &d, &n) && n == 1 && d[0] == 'A', "\"QQ\" decodes to \"A\"");
	free(d);
	ok(!a0_base64url_decode("QR", 2, &d, &n) && !a0_base64url_decode("QZ", 2, &d, &n) && d == NULL,
	   "the same byte with unused bits set is refused (one group of two characters)");
	ok(a0_base64url_decode("QUI", 3, &d, &n) && n == 2, "\"QUI\" decodes to \"AB\"");
	free(d);
	ok(!a0_base64url_decode("QUJ", 3, &d, &n) && !a0_base64url_decode("QUL=", 4, &d, &n),
	   "... and \"QUJ\", \"QUL=\" are refused (one group of three characters)");
	char *r1 = a0_random_string(32), *r2 = a0_random_string(32);
	ok(r1 && r2 && strlen(r1) == 43 && strcmp(r1, r2) != 0, "random strings: 32 bytes, distinct");
	free(r1);
	free(r2);
	char *u = a0_uuid4();
	ok(u && strlen(u) == 36 && u[14] == '4' && strchr("89ab", u[19]), "uuid v4 format");
	free(u);
	char hex[65];
	a0_sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 hex");
}

static void test_retry_policy(void)
{
	ok(a0_retry_status(A0_RETRY_AUTHENTICATION, 429), "auth retries 429");
	ok(!a0_retry_status(A0_RETRY_AUTHENTICATION, 503), "auth does not retry 503 (Ruby SDK)");
	long mgmt_retry[] = { 408, 429, 500, 502, 503, 504, 521, 522, 524 };
	bool all = true;
	for (size_t i = 0; i < A0_ARRAY_LEN(mgmt_retry); i++)
		all = all && a0_retry_status(A0_RETRY_MANAGEMENT, mgmt_retry[i]);
	ok(all, "management retries 408 429 500 502 503 504 521 522 524");
	ok(!a0_retry_status(A0_RETRY_MANAGEMENT, 501) && !a0_retry_status(A0_RETRY_MANAGEMENT, 505) &&
	   !a0_retry_status(A0_RETRY_MANAGEMENT, 400) && !a0_retry_status(A0_RETRY_MANAGEMENT, 404),
	   "management does not retry 501, 505, 400, 404");

	/* Ruby's auth back-off: 0.25, 0.25..0.45, 0.60..0.85, then 1.0 s */
	is_int(a0_retry_backoff_ms(A0_RETRY_AUTHENTICATION, 0, 0.0), 250, "auth retry 0 min");
	is_int(a0_retry_backoff_ms(A0_RETRY_AUTHENTICATION, 0, 0.999), 250, "auth retry 0 max");
	is_int(a0_retry_backoff_ms(A0_RETRY_AUTHENTICATION, 1, 0.0), 250, "auth retry 1 min");
	is_int(a0_retry_backoff_ms(A0_RETRY_AUTHENTICATION, 1, 0.999), 450, "auth retry 1 max");
	is_int(a0_retry_backoff_ms(A0_RETRY_AUTHENTICATION, 2, 0.0), 601, "auth retry 2 min");
	is_int(a0_retry_backoff_ms(A0_RETRY_AUTHENTICATION, 2, 0.999), 850, "auth retry 2 max");
	is_int(a0_retry_backoff_ms(A0_RETRY_AUTHENTICATION, 3, 0.5), 1000, "auth retry 3 capped at 1 s");
	is_int(a0_retry_backoff_ms(A0_RETRY_AUTHENTICATION, 63, 0.5), 1000, "no overflow on huge retry numbers");

	/* Management: 0.5 s * 2^n +- 20 % */
	is_int(a0_retry_backoff_ms(A0_RETRY_MANAGEMENT, 0, 0.5), 500, "mgmt retry 0 centre");
	is_int(a0_retry_backoff_ms(A0_RETRY_MANAGEMENT, 0, 0.0), 400, "mgmt retry 0 -20 %%");
	ok(a0_retry_backoff_ms(A0_RETRY_MANAGEMENT, 2, 0.999) <= 2400, "mgmt retry 2 at most +20 %%");
	is_int(a0_retry_backoff_ms(A0_RETRY_MANAGEMENT, 10, 0.5), 60000, "mgmt back-off capped at 60 s");

	is_int(a0_retry_after_seconds("7", 1000), 7, "Retry-After seconds");
	is_int(a0_retry_after_seconds("Thu, 01 Jan 1970 00:00:30 GMT", 10), 20, "Retry-After HTTP date");
	is_int(a0_retry_after_seconds("Thu, 01 Jan 1970 00:00:30 GMT", 100), 0, "Retry-After date in the past");
	is_int(a0_retry_after_seconds("soon", 0), -1, "Retry-After garbage ignored");
	is_int(a0_retry_after_seconds("-3", 0), -1, "negative Retry-After ignored");

	a0_response r;
	memset(&r, 0, sizeof(r));
	r.status = 429;
	r.retry_after = 3;
	r.rate_limit.reset = -1;
	is_int(a0_retry_delay_ms(A0_RETRY_MANAGEMENT, 0, &r, 100, 60000, 0.5), 3000, "mgmt honours Retry-After");
	is_int(a0_retry_delay_ms(A0_RETRY_AUTHENTICATION, 0, &r, 100, 60000, 0.5), 3000,
	       "auth honours a Retry-After longer than its back-off");
	r.retry_after = -1;
	r.rate_limit.reset = 105;
	is_int(a0_retry_delay_ms(A0_RETRY_MANAGEMENT, 0, &r, 100, 60000, 0.5), 5000,
	       "mgmt honours X-RateLimit-Reset on a 429");
	is_int(a0_retry_delay_ms(A0_RETRY_MANAGEMENT, 0, &r, 100, 2000, 0.5), 2000, "the wait is capped");
	r.rate_limit.reset = 90;
	is_int(a0_retry_delay_ms(A0_RETRY_MANAGEMENT, 0, &r, 100, 60000, 0.5), 500,
	       "a reset in the past falls back to back-off");
}

/* The error of a 401 whose reason is in WWW-Authenticate (frees it); NULL when none was made. */
static auth0_error *challenge_error(const char *body, const char *www_authenticate)
{
	a0_response r;
	memset(&r, 0, sizeof(r));
	r.status = 401;
	r.body = (char *)body;
	r.len = strlen(body);
	r.content_type = (char *)"text/html;charset=UTF-8";
	r.www_authenticate = (char *)www_authenticate;
	r.retry_after = -1;
	r.attempts = 1;
	auth0_error *e = NULL;
	a0_error_from_response(&e, &r, "GET", "/userinfo");
	return e;
}

static void test_bearer_challenges(void)
{
	char long_desc[700];
	memset(long_desc, 'x', sizeof(long_desc));
	long_desc[sizeof(long_desc) - 1] = '\0';
	char too_long[800];
	snprintf(too_long, sizeof(too_long), "Bearer error=\"invalid_token\", error_description=\"%s\"", long_desc);
	struct {
		const char *body, *header, *error, *desc, *what;
	} cases[] = {
		{ "Unauthorized", "Bearer realm=\"https://t/\", error=\"invalid_token\", "
		                  "error_description=\"The access token expired\"",
		  "invalid_token", "The access token expired", "challenge: error and error_description" },
		{ "Unauthorized", "Bearer error=\"invalid_token\", error_description=\"a \\\"quoted\\\" \\\\ word\"",
		  "invalid_token", "a \"quoted\" \\ word", "challenge: quoted-pairs undone" },
		{ "Unauthorized", "bearer   error=invalid_token ,error_description=\"x\"", "invalid_token", "x",
		  "challenge: scheme in any case, a token value, odd spacing" },
		{ "Unauthorized", "Bearer error=\"invalid_token\", error_description=\"bad\x01\x1b[31mvalue\"",
		  "invalid_token", NULL, "challenge: a description with control characters is dropped" },
		{ "Unauthorized", "Bearer error=\"invalid_token\", error_description=\"caf\xc3\xa9\"",
		  "invalid_token", NULL, "challenge: a description outside printable ASCII is dropped" },
		{ "Unauthorized", too_long, "invalid_token", NULL, "challenge: a description over 512 bytes is dropped" },
		{ "Unauthorized", "Bearer error=\"invalid_token\", error_description=\"no end", "invalid_token", NULL,
		  "challenge: an unterminated quoted string is dropped" },
		{ "Unauthorized", "Basic realm=\"x\", error=\"invalid_token\"", NULL, NULL,
		  "challenge: another scheme is not read" },
		{ "Unauthorized", "Bearer", NULL, NULL, "challenge: no parameters" },
		{ "Unauthorized", "Bearer abc==, error=\"x\"", NULL, NULL, "challenge: token68 stops the parse" },
		{ "{\"error\":\"invalid_grant\"}", "Bearer error=\"invalid_token\", error_description=\"d\"",
		  "invalid_grant", NULL, "challenge: the body's error wins" },
	};
	for (size_t i = 0; i < A0_ARRAY_LEN(cases); i++) {
		auth0_error *e = challenge_error(cases[i].body, cases[i].header);
		is_int(e ? e->kind : AUTH0_OK, AUTH0_ERR_UNAUTHORIZED, "%s: unauthorized", cases[i].what);
		is_str(e ? e->error : NULL, cases[i].error, "%s: error", cases[i].what);
		is_str(e ? e->error_description : NULL, cases[i].desc, "%s: error_description", cases[i].what);
		auth0_error_free(e);
	}
	auth0_error *e = challenge_error("Unauthorized", "Bearer error=\"invalid_token\", error_description=\"gone\"");
	like(e ? e->message : NULL, "GET /userinfo: HTTP 401 invalid_token: gone", "challenge: in the message");
	auth0_error_free(e);
}

static void test_errors(void)
{
	is_int(a0_status_for_http(400), AUTH0_ERR_BAD_REQUEST, "400");
	is_int(a0_status_for_http(401), AUTH0_ERR_UNAUTHORIZED, "401");
	is_int(a0_status_for_http(403), AUTH0_ERR_FORBIDDEN, "403");
	is_int(a0_status_for_http(404), AUTH0_ERR_NOT_FOUND, "404");
	is_int(a0_status_for_http(409), AUTH0_ERR_CONFLICT, "409");
	is_int(a0_status_for_http(429), AUTH0_ERR_RATE_LIMITED, "429");
	is_int(a0_status_for_http(418), AUTH0_ERR_CLIENT, "other 4xx");
	is_int(a0_status_for_http(500), AUTH0_ERR_SERVER, "500");
	is_int(a0_status_for_http(503), AUTH0_ERR_UNAVAILABLE, "503 is its own kind");
	is_int(a0_status_for_http(302), AUTH0_ERR_UNEXPECTED_STATUS, "3xx");
	is_int(a0_status_for_http(600), AUTH0_ERR_UNEXPECTED_STATUS, ">= 600");

	a0_response r;
	memset(&r, 0, sizeof(r));
	r.status = 429;
	r.body = strdup("{\"statusCode\":429,\"error\":\"Too Many Requests\",\"message\":\"Global limit\",\"errorCode\":\"too_many_requests\"}");
	r.len = strlen(r.body);
	r.rate_limit.limit = 10;
	r.rate_limit.remaining = 0;
	r.rate_limit.reset = 1700000000;
	r.retry_after = -1;
	r.attempts = 3;
	auth0_error *e = NULL;
	is_int(a0_error_from_response(&e, &r, "GET", "/api/v2/users"), AUTH0_ERR_RATE_LIMITED, "429 mapped");
	is_str(e->error_code, "too_many_requests", "errorCode kept");
	is_str(e->api_message, "Global limit", "message kept");
	is_str(e->error, "Too Many Requests", "error kept");
	is_int(e->rate_limit.reset, 1700000000, "rate-limit reset kept (the Ruby SDK loses it)");
	is_int(e->rate_limit.remaining, 0, "rate-limit remaining kept");
	is_int(e->attempts, 3, "attempts kept");
	like(e->message, "GET /api/v2/users: HTTP 429", "message names method, path and status");
	like(e->message, "after 3 attempts", "message says how many attempts");
	ok(json_is_object(e->body), "the parsed body is available");
	auth0_error_free(e);
	free(r.body);

	r.status = 400;
	r.body = strdup("{\"error\":\"invalid_grant\",\"error_description\":\"bad \\u001b[31mcode\"}");
	r.len = strlen(r.body);
	r.attempts = 1;
	e = NULL;
	a0_error_from_response(&e, &r, "POST", "/oauth/token");
	is_str(e->error, "invalid_grant", "OAuth error kept");
	unlike(e->message, "\x1b", "control characters are not copied into messages");
	auth0_error_free(e);
	free(r.body);

	/* 408: the server gave up waiting; the Management API retries it, and so may a caller */
	r.status = 408;
	r.body = NULL;
	r.len = 0;
	e = NULL;
	is_int(a0_error_from_response(&e, &r, "GET", "/api/v2/users"), AUTH0_ERR_CLIENT, "408 is a client error");
	ok(auth0_error_is_transient(e), "... and transient");
	auth0_error_free(e);
	r.status = 418;
	e = NULL;
	a0_error_from_response(&e, &r, "GET", "/api/v2/users");
	ok(!auth0_error_is_transient(e), "another 4xx is not transient");
	auth0_error_free(e);

	test_bearer_challenges();
	ok(strcmp(auth0_status_name(AUTH0_ERR_TIMEOUT), "timeout") == 0, "status names");
	ok(strcmp(auth0_token_rule_name(AUTH0_RULE_AUDIENCE), "audience") == 0, "rule names");
}

static auth0_status try_domain(const char *domain, auth0_client **c, auth0_error **e)
{
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = domain;
	return auth0_client_new(c, &o, e);
}

static void test_domains(void)
{
	struct { const char *in, *base; } good[] = {
		{ "example.auth0.com", "https://example.auth0.com" },
		{ "example.auth0.com:8443", "https://example.auth0.com:8443" },
		{ "https://example.auth0.com/", "https://example.auth0.com" },
		{ "HTTPS://login.example.com", "https://login.example.com" },
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
		{ "http://localhost:3000/", "http://localhost:3000" },
		{ "http://[::1]:9", "http://[::1]:9" },
		/* one spelling: lower case, no default port, no leading zeros */
		{ "[::1]:443", "https://[::1]" },
		{ "Example.Auth0.COM", "https://example.auth0.com" },
		{ "https://example.auth0.com:443/", "https://example.auth0.com" },
		{ "example.auth0.com:0443", "https://example.auth0.com" },
		{ "example.auth0.com:08443", "https://example.auth0.com:8443" },
		{ "http://LOCALHOST:80", "http://localhost" },
		{ "[::ABCD]:8443", "https://[::abcd]:8443" },
	};
	for (size_t i = 0; i < A0_ARRAY_LEN(good); i++) {
		auth0_client *c = NULL;
		auth0_error *e = NULL;
		auth0_status st = try_domain(good[i].in, &c, &e);
		is_int(st, AUTH0_OK, "domain '%s' accepted", good[i].in);
		if (c) {
			is_str(auth0_client_base_url(c), good[i].base, "base URL for '%s'", good[i].in);
			char want[256];
			snprintf(want, sizeof(want), "%s/", good[i].base);
			is_str(auth0_client_issuer(c), want, "issuer has a trailing slash");
		}
		auth0_client_free(c);
		auth0_error_free(e);
	}
	const char *bad[] = {
		"", "http://example.com", "ftp://example.com", "example.com/path", "example.com?x=1",
		"user@example.com", "example.com:0", "example.com:99999", "example.com:", "exa mple.com",
		"https://", "[::1", "example.com#frag", "https://example.com/api/v2",
	};
	for (size_t i = 0; i < A0_ARRAY_LEN(bad); i++) {
		auth0_client *c = NULL;
		auth0_error *e = NULL;
		auth0_status st = try_domain(bad[i], &c, &e);
		is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "domain '%s' refused", bad[i]);
		is_str(e ? e->option : NULL, "domain", "the error names the option");
		auth0_client_free(c);
		auth0_error_free(e);
	}
}

static void test_options(void)
{
	auth0_client *c = NULL;
	auth0_error *e = NULL;
	auth0_client_options zero;
	memset(&zero, 0, sizeof(zero));
	zero.domain = "example.auth0.com";
	is_int(auth0_client_new(&c, &zero, &e), AUTH0_ERR_INVALID_ARGUMENT, "uninitialised options refused");
	is_str(e->option, "version", "names 'version'");
	auth0_error_free(e);
	/*
	 * Version 1 (development builds) had no total_timeout_ms: auth0_client_options_init() of this library
	 * writes past the end of such a structure, so no promise is made for it and it is refused.
	 */
	auth0_client_options v1 = AUTH0_CLIENT_OPTIONS_INIT;
	v1.domain = "example.auth0.com";
	v1.version = 1;
	c = NULL;
	e = NULL;
	is_int(auth0_client_new(&c, &v1, &e), AUTH0_ERR_INVALID_ARGUMENT, "options of version 1 refused");
	is_str(e ? e->option : NULL, "version", "... naming 'version'");
	ok(c == NULL, "... and no client");
	auth0_client_free(c);
	auth0_error_free(e);
	e = NULL;
	v1.version = AUTH0_CLIENT_OPTIONS_VERSION + 1;
	is_int(auth0_client_new(&c, &v1, &e), AUTH0_ERR_INVALID_ARGUMENT, "a later version refused");
	auth0_client_free(c);
	auth0_error_free(e);
	c = NULL;
	e = NULL;


#define BAD_OPTION(name, stmt)                                                             \
	do {                                                                                   \
		auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;                                \
		o.domain = "example.auth0.com";                                                    \
		stmt;                                                                              \
		auth0_client *bc = NULL;                                                           \
		auth0_error *be = NULL;                                                            \
		is_int(auth0_client_new(&bc, &o, &be), AUTH0_ERR_INVALID_ARGUMENT, "bad %s refused", name); \
		is_str(be ? be->option : NULL, name, "error names '%s'", name);                    \
		if (be)                                                                            \
			like(be->message, name, "message mentions '%s'", name);                        \
		auth0_client_free(bc);                                                             \
		auth0_error_free(be);                                                              \
	} while (0)

	BAD_OPTION("domain", o.domain = NULL);
	BAD_OPTION("timeout_ms", o.timeout_ms = 0);
	BAD_OPTION("management_timeout_ms", o.management_timeout_ms = -5);
	BAD_OPTION("retry_count", o.retry_count = 11);
	BAD_OPTION("management_max_retries", o.management_max_retries = -1);
	BAD_OPTION("max_response_size", o.max_response_size = 0);
	BAD_OPTION("client_id", o.client_secret = "s");
	BAD_OPTION("client_assertion_signing_alg", (o.client_id = "c", o.client_assertion_signing_alg = "HS256"));
	BAD_OPTION("client_assertion_signing_key", (o.client_id = "c", o.client_assertion_signing_key = "not a key"));
	BAD_OPTION("client_secret", (o.client_id = "c", o.client_auth = AUTH0_CLIENT_AUTH_SECRET_BASIC));
	BAD_OPTION("ca_file", o.ca_file = "/nonexistent/ca.pem");
	BAD_OPTION("management_base_url", o.management_base_url = "http://example.com/api/v2");
	BAD_OPTION("management_base_url", o.management_base_url = "https://example.com/api?x=1");
	static const auth0_kv reserved[] = { { "Authorization", "Bearer x" }, { NULL, NULL } };
	BAD_OPTION("management_additional_headers", o.management_additional_headers = reserved);
	static const auth0_kv crlf[] = { { "X-Ok", "a\r\nX-Evil: 1" }, { NULL, NULL } };
	BAD_OPTION("management_additional_headers", o.management_additional_headers = crlf);
	static const auth0_kv badname[] = { { "X Bad", "1" }, { NULL, NULL } };
	BAD_OPTION("management_additional_headers", o.management_additional_headers = badname);
	{
		/* error.h: a message is one line, safe to log, also when it quotes the caller's text */
		static const auth0_kv forged[] = { { "X\r\n[error] forged line\x1b[0m", "1" }, { NULL, NULL } };
		auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
		o.domain = "example.auth0.com";
		o.management_additional_headers = forged;
		is_int(auth0_client_new(&c, &o, &e), AUTH0_ERR_INVALID_ARGUMENT, "a header name with a line break");
		ok(e && e->message && !strpbrk(e->message, "\r\n\x1b"), "... is not copied into the message as it is (%s)",
		   e && e->message ? e->message : "?");
		like(e ? e->message : NULL, "X??[error] forged line?[0m", "... its characters outside printable ASCII are '?'");
		auth0_error_free(e);
		e = NULL;
		o.management_additional_headers = NULL;
		o.domain = "exa\nmple.com";
		is_int(auth0_client_new(&c, &o, &e), AUTH0_ERR_INVALID_ARGUMENT, "a domain with a line break");
		ok(e && e->message && !strchr(e->message, '\n'), "... quoted on one line");
		auth0_error_free(e);
		e = NULL;
		c = NULL;
	}
	/* what goes into a header line as it is: a line break would add lines of its own */
	BAD_OPTION("token", o.token = "static-token\n");
	BAD_OPTION("token", o.token = "static-token\r\nX-Evil: 1");
	BAD_OPTION("token", o.token = "two words");
	BAD_OPTION("token", o.token = "ab=c"); /* RFC 6750 b64token: '=' only at the end */
	BAD_OPTION("token", o.token = "a,b");
	BAD_OPTION("token", o.token = ""); /* NULL is no token; "" was AUTH0_ERR_NO_MEMORY */
	BAD_OPTION("user_agent_product", o.user_agent_product = "app/1.0\r\nX-Evil: 1");
	BAD_OPTION("user_agent_product", o.user_agent_product = "app/1.0\n");
	{
		auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
		o.domain = "example.auth0.com";
		o.token = "secret-token-value\n";
		is_int(auth0_client_new(&c, &o, &e), AUTH0_ERR_INVALID_ARGUMENT, "a token with a newline is refused");
		unlike(e ? e->message : NULL, "secret-token-value", "... without quoting it");
		auth0_error_free(e);
		e = NULL;
		o.token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_~+/==";
		is_int(auth0_client_new(&c, &o, &e), AUTH0_OK, "every b64token character is accepted in a token");
		auth0_client_free(c);
		c = NULL;
	}

	/* Good options: no network at creation, defaults derived from the domain. */
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "tenant.example.com";
	o.client_id = "cid";
	o.client_secret = "secret";
	o.management_base_url = "https://mgmt.example.com/api/v2/";
	static const auth0_kv extra[] = { { "X-Custom", "yes" }, { NULL, NULL } };
	o.management_additional_headers = extra;
	is_int(auth0_client_new(&c, &o, &e), AUTH0_OK, "a good configuration is accepted without network access");
	if (c) {
		is_str(c->api_identifier, "https://tenant.example.com/api/v2/", "default api_identifier");
		is_str(c->management_base_url, "https://mgmt.example.com/api/v2", "base URL override, trailing slash dropped");
		is_int(c->client_auth, AUTH0_CLIENT_AUTH_SECRET_POST, "AUTO with a secret is client_secret_post");
		like(c->user_agent, "libauth0/", "User-Agent names libauth0");
		like(c->telemetry_header, "Auth0-Client: ", "telemetry header built");
		ok(strlen(c->telemetry_header + 14) % 4 == 0, "telemetry is base64url with padding");
	}
	auth0_client_free(c);
	c = NULL;

	/* An empty client_secret is no secret in every mode: AUTO makes a public client, not an empty
	 * client_secret_post (the old code sent client_secret="" and tried the client credentials grant). */
	o = (auth0_client_options)AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "http://127.0.0.1:1"; /* a closed loopback port, should a request be tried after all */
	o.client_id = "cid";
	o.client_secret = "";
	e = NULL;
	is_int(auth0_client_new(&c, &o, &e), AUTH0_OK, "AUTO with client_secret \"\": accepted");
	if (c) {
		is_int(c->client_auth, AUTH0_CLIENT_AUTH_NONE, "... as a public client");
		ok(c->client_secret == NULL, "... without a secret");
		json_t *params = json_object();
		struct curl_slist *h = NULL;
		is_int(a0_client_auth_apply(c, params, &h, &e), AUTH0_OK, "... its requests carry client_id");
		ok(!json_object_get(params, "client_secret"), "... and no client_secret");
		json_decref(params);
		curl_slist_free_all(h);
		char *tok = NULL;
		is_int(auth0_management_token(c, &tok, NULL, &e), AUTH0_ERR_NO_TOKEN,
		       "... and no Management token can be obtained (no request is tried)");
		free(tok);
		auth0_error_free(e);
		e = NULL;
	}
	auth0_client_free(c);
	c = NULL;
	o.client_id = NULL;
	is_int(auth0_client_new(&c, &o, &e), AUTH0_OK, "client_secret \"\" without client_id: no secret, no error");
	auth0_client_free(c);
	c = NULL;
	auth0_error_free(e);
	e = NULL;
	o.client_id = "cid";
	o.client_auth = AUTH0_CLIENT_AUTH_SECRET_BASIC;
	is_int(auth0_client_new(&c, &o, &e), AUTH0_ERR_INVALID_ARGUMENT, "SECRET_BASIC with client_secret \"\": refused");
	is_str(e ? e->option : NULL, "client_secret", "... naming client_secret");
	auth0_client_free(c);
	auth0_error_free(e);
}

/* An encrypted private key is refused at once, without asking for its passphrase (OpenSSL's default would
 * prompt on the terminal and print the prompt to stderr). */
static void test_encrypted_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	if (k && bio && PEM_write_bio_PrivateKey(bio, k, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"hunter2")) {
		char *data = NULL;
		long n = BIO_get_mem_data(bio, &data);
		pem = strndup(data, (size_t)n);
	}
	BIO_free(bio);
	EVP_PKEY_free(k);
	ok(pem && strstr(pem, "ENCRYPTED"), "made an encrypted RSA key");
	if (!pem)
		return;
	fflush(stderr);
	int saved = dup(2);
	FILE *captured = tmpfile();
	if (saved < 0 || !captured || dup2(fileno(captured), 2) < 0) {
		ok(0, "stderr captured");
		free(pem);
		return;
	}
	auth0_client_options o = AUTH0_CLIENT_OPTIONS_INIT;
	o.domain = "example.auth0.com";
	o.client_id = "c";
	o.client_assertion_signing_key = pem;
	auth0_client *c = NULL;
	auth0_error *e = NULL;
	auth0_status st = auth0_client_new(&c, &o, &e);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char out[512] = "";
	rewind(captured);
	size_t got = fread(out, 1, sizeof(out) - 1, captured);
	out[got] = '\0';
	fclose(captured);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "an encrypted signing key is refused");
	if (e)
		like(e->message, "unencrypted", "... saying the key must be unencrypted");
	is_str(out, "", "... and nothing asks for its passphrase (stderr stays empty)");
	auth0_client_free(c);
	auth0_error_free(e);
	free(pem);
}

int main(void)
{
	test_escapes();
	test_buf();
	test_base64url();
	test_retry_policy();
	test_errors();
	test_domains();
	test_options();
	test_encrypted_key();
	return done_testing();
}
