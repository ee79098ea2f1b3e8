/*
 * Transport behaviour of Authentication API calls under faults injected by
 * the fake tenant: 429s retried (honouring Retry-After) up to retry_count,
 * the rate-limit fields of the final error, no retry of 5xx, timeouts,
 * malformed, truncated, oversized and non-JSON answers, dropped connections.
 */
#include "config.h"

#include <auth0.h>
#include <limits.h>

#include "tap.h"
#include "testenv.h"
#include "auth_test.h"

#define TOKEN_COUNTER "POST /oauth/token"

static auth0_client *m2m_with(int retry_count, long timeout_ms, size_t max_response_size, long total_timeout_ms)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_M2M_CLIENT_ID;
	o.client_secret = T_M2M_CLIENT_SECRET;
	o.retry_count = retry_count;
	o.timeout_ms = timeout_ms;
	o.total_timeout_ms = total_timeout_ms;
	if (max_response_size)
		o.max_response_size = max_response_size;
	return a_client_with(&o);
}

static auth0_client *m2m(int retry_count, long timeout_ms, size_t max_response_size)
{
	return m2m_with(retry_count, timeout_ms, max_response_size, 0);
}

static void test_429_retried(void)
{
	t_reset();
	auth0_client *c = m2m(3, 10000, 0);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	t_fault("{\"path\":\"/oauth/token\",\"preset\":\"rate_limit\",\"retry_after\":1,\"times\":2}");
	double t0 = a_now_ms();
	a_ok(auth0_client_credentials(c, T_API, NULL, &tok, &err), err, "429 twice, then success");
	double elapsed = a_now_ms() - t0;
	ok(tok && tok->access_token, "429: tokens in the end");
	is_int(t_counter(TOKEN_COUNTER), 3, "429: three attempts reached the tenant");
	ok(elapsed >= 1900, "429: Retry-After (1 s) honoured before each retry (%.0f ms)", elapsed);
	ok(elapsed < 8000, "429: no excessive waiting (%.0f ms)", elapsed);
	auth0_tokens_free(tok);
	auth0_client_free(c);

	/* Other Authentication API endpoints retry the same way. */
	t_reset();
	c = t_client(T_WEB_CLIENT_ID, T_WEB_CLIENT_SECRET);
	json_t *conf = NULL;
	t_fault("{\"path\":\"/.well-known/openid-configuration\",\"preset\":\"rate_limit\","
	        "\"retry_after\":1,\"times\":1}");
	a_ok(auth0_oidc_discovery(c, &conf, &err), err, "429 on discovery, then success");
	is_int(t_counter("GET /.well-known/openid-configuration"), 2, "discovery: two attempts");
	json_decref(conf);
	auth0_client_free(c);
}

static void test_429_exhausted(void)
{
	t_reset();
	auth0_client *c = m2m(1, 10000, 0);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	t_fault("{\"path\":\"/oauth/token\",\"preset\":\"rate_limit\",\"retry_after\":1,\"limit\":50,"
	        "\"times\":0}");
	int64_t now = (int64_t)time(NULL);
	auth0_status st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	is_int(st, AUTH0_ERR_RATE_LIMITED, "429 beyond retry_count: RATE_LIMITED");
	ok(tok == NULL, "429: no tokens");
	is_int(t_counter(TOKEN_COUNTER), 2, "429: 1 + retry_count attempts");
	is_int(err ? err->attempts : 0, 2, "429: err->attempts");
	is_int(err ? err->status : 0, 429, "429: err->status");
	is_int(err ? err->rate_limit.limit : 0, 50, "429: X-RateLimit-Limit");
	is_int(err ? err->rate_limit.remaining : -1, 0, "429: X-RateLimit-Remaining");
	ok(err && err->rate_limit.reset >= now && err->rate_limit.reset <= now + 30,
	   "429: X-RateLimit-Reset (epoch)");
	is_int(err ? err->retry_after : 0, 1, "429: Retry-After");
	ok(auth0_error_is_transient(err), "429: transient");
	like(err ? err->message : NULL, "after 2 attempts", "429: the message counts attempts");
	a_is_error(err, AUTH0_ERR_RATE_LIMITED, "too_many_requests", "Global limit", "429 exhausted");
	auth0_client_free(c);

	/* retry_count 0: a single attempt. */
	c = m2m(0, 10000, 0);
	long before = t_counter(TOKEN_COUNTER);
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	is_int(t_counter(TOKEN_COUNTER) - before, 1, "retry_count 0: one attempt");
	a_is_error(err, AUTH0_ERR_RATE_LIMITED, NULL, NULL, "retry_count 0: RATE_LIMITED");
	auth0_client_free(c);
}

static void test_5xx_not_retried(void)
{
	t_reset();
	auth0_client *c = m2m(3, 10000, 0);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	t_fault("{\"path\":\"/oauth/token\",\"status\":503,\"times\":0}");
	auth0_status st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	is_int(st, AUTH0_ERR_UNAVAILABLE, "503: UNAVAILABLE");
	is_int(t_counter(TOKEN_COUNTER), 1, "503: not retried");
	is_int(err ? err->status : 0, 503, "503: status");
	a_is_error(err, AUTH0_ERR_UNAVAILABLE, "server_error", "Service Unavailable", "503");

	t_reset();
	t_fault("{\"path\":\"/oauth/token\",\"status\":500}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	is_int(t_counter(TOKEN_COUNTER), 1, "500: not retried");
	a_is_error(err, AUTH0_ERR_SERVER, "server_error", NULL, "500");

	t_reset();
	t_fault("{\"path\":\"/oauth/token\",\"status\":302,"
	        "\"headers\":{\"Location\":\"https://evil.example.com/\"},"
	        "\"body\":\"\"}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	a_is_error(err, AUTH0_ERR_UNEXPECTED_STATUS, NULL, NULL, "302: not followed");
	auth0_client_free(c);
}

static void test_timeout(void)
{
	t_reset();
	auth0_client *c = m2m(3, 1500, 0);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	t_fault("{\"path\":\"/oauth/token\",\"action\":\"blackhole\"}");
	double t0 = a_now_ms();
	auth0_status st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	double elapsed = a_now_ms() - t0;
	is_int(st, AUTH0_ERR_TIMEOUT, "blackhole: TIMEOUT");
	ok(elapsed >= 1400 && elapsed < 3500, "blackhole: gave up after the 1500 ms timeout (%.0f ms)", elapsed);
	is_int(err ? err->attempts : 0, 1, "blackhole: a timeout is not retried");
	ok(auth0_error_is_transient(err), "timeout: transient");
	a_is_error(err, AUTH0_ERR_TIMEOUT, NULL, NULL, "blackhole");

	/* A slow answer within the timeout is fine. */
	t_fault("{\"path\":\"/oauth/token\",\"action\":\"delay\",\"delay_ms\":300}");
	a_ok(auth0_client_credentials(c, T_API, NULL, &tok, &err), err, "delayed answer within the timeout");
	auth0_tokens_free(tok);
	auth0_client_free(c);
}

/* retry_count 3, 10 s per attempt, and a total */
static auth0_client *m2m_total(long total_timeout_ms)
{
	return m2m_with(3, 10000, 0, total_timeout_ms);
}

/* total_timeout_ms bounds a request with its retries and waits, where timeout_ms bounds each attempt. */
static void test_total_timeout(void)
{
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;

	/* 429 with Retry-After 1 s, for ever: the first wait fits in 1.5 s, a second does not. */
	t_reset();
	auth0_client *c = m2m_total(1500);
	t_fault("{\"path\":\"/oauth/token\",\"preset\":\"rate_limit\",\"retry_after\":1,\"times\":0}");
	auth0_status st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	is_int(st, AUTH0_ERR_RATE_LIMITED, "total 1.5 s, 429 for ever: RATE_LIMITED");
	is_int(t_counter(TOKEN_COUNTER), 2, "total 1.5 s: one retry after a 1 s wait, and no second (retry_count 3)");
	is_int(err ? err->attempts : 0, 2, "total 1.5 s: err->attempts");
	is_int(err ? err->retry_after : 0, 1, "total 1.5 s: the last answer's Retry-After is the caller's");
	auth0_error_free(err);
	err = NULL;
	auth0_client_free(c);

	/* A tenant that never answers: the attempt has what is left of the total, not its own 10 s. */
	t_reset();
	c = m2m_total(700);
	t_fault("{\"path\":\"/oauth/token\",\"action\":\"blackhole\"}");
	double t0 = a_now_ms();
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	double elapsed = a_now_ms() - t0;
	is_int(st, AUTH0_ERR_TIMEOUT, "total 0.7 s, no answer: TIMEOUT");
	ok(elapsed >= 600 && elapsed < 5000, "total 0.7 s: gave up at the total, not at timeout_ms (%.0f ms)", elapsed);
	like(err ? err->message : NULL, "total_timeout_ms", "total 0.7 s: the message names total_timeout_ms");
	auth0_error_free(err);
	err = NULL;
	auth0_client_free(c);

	/* A 429, then no answer: the retry gets only what the wait left (1.8 s - 1 s), and times out. */
	t_reset();
	c = m2m_total(1800);
	t_fault("{\"path\":\"/oauth/token\",\"preset\":\"rate_limit\",\"retry_after\":1,\"times\":1}");
	t_fault("{\"path\":\"/oauth/token\",\"action\":\"blackhole\"}");
	t0 = a_now_ms();
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	elapsed = a_now_ms() - t0;
	is_int(st, AUTH0_ERR_TIMEOUT, "429 then no answer: TIMEOUT");
	is_int(t_counter(TOKEN_COUNTER), 2, "429 then no answer: two attempts");
	is_int(err ? err->attempts : 0, 2, "429 then no answer: err->attempts");
	ok(elapsed >= 1700 && elapsed < 5000, "429 then no answer: ended at the total (%.0f ms)", elapsed);
	auth0_error_free(err);
	err = NULL;
	auth0_client_free(c);

	/* Without a total (0, the default), the same 429s are retried retry_count times. */
	t_reset();
	c = m2m_total(0);
	t_fault("{\"path\":\"/oauth/token\",\"preset\":\"rate_limit\",\"retry_after\":0,\"times\":0}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	is_int(t_counter(TOKEN_COUNTER), 4, "no total: 1 + retry_count attempts");
	a_is_error(err, AUTH0_ERR_RATE_LIMITED, NULL, NULL, "no total: RATE_LIMITED");
	err = NULL;
	auth0_client_free(c);

	/*
	 * A total of LONG_MAX ms bounds nothing: the deadline saturates. The old sum overflowed (undefined
	 * behaviour; in practice a deadline in the past), and a 429 was then never retried: its wait always
	 * "passed" the deadline.
	 */
	t_reset();
	c = m2m_total(LONG_MAX);
	t_fault("{\"path\":\"/oauth/token\",\"preset\":\"rate_limit\",\"retry_after\":0,\"times\":1}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	is_int(st, AUTH0_OK, "total LONG_MAX: a 429 is retried as without a total");
	is_int(t_counter(TOKEN_COUNTER), 2, "total LONG_MAX: two attempts");
	if (err)
		diag("total LONG_MAX: %s", err->message);
	auth0_tokens_free(tok);
	tok = NULL;
	auth0_error_free(err);
	err = NULL;
	auth0_client_free(c);

	/* A negative total is refused. */
	auth0_client_options o;
	t_options(&o);
	o.total_timeout_ms = -1;
	c = NULL;
	st = auth0_client_new(&c, &o, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "total_timeout_ms -1: refused");
	like(err ? err->message : NULL, "total_timeout_ms", "total_timeout_ms -1: named");
	auth0_error_free(err);
	err = NULL;
}

static void test_bad_answers(void)
{
	t_reset();
	auth0_client *c = m2m(3, 10000, 0);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	auth0_status st;

	t_fault("{\"path\":\"/oauth/token\",\"action\":\"malformed\"}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "malformed JSON: fails");
	like(err ? err->message : NULL, "malformed JSON", "malformed JSON: says so");
	a_is_error(err, AUTH0_ERR_INVALID_RESPONSE, NULL, NULL, "malformed JSON");

	t_fault("{\"path\":\"/oauth/token\",\"action\":\"truncate\"}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "truncated answer: fails");
	a_is_error(err, AUTH0_ERR_INVALID_RESPONSE, NULL, NULL, "truncated answer");

	t_fault("{\"path\":\"/oauth/token\",\"status\":200,\"content_type\":\"text/html\","
	        "\"body\":\"<html>hi</html>\"}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	like(err ? err->message : NULL, "expected JSON", "HTML answer: not JSON");
	a_is_error(err, AUTH0_ERR_INVALID_RESPONSE, NULL, NULL, "HTML answer");

	t_fault("{\"path\":\"/oauth/token\",\"status\":200,\"body\":\"{\\\"token_type\\\":\\\"Bearer\\\"}\"}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	like(err ? err->message : NULL, "no access_token", "answer without access_token");
	/* the tenant answered, and with what: not the status 0 of an answer that never came */
	is_int(err ? err->status : 0, 200, "answer without access_token: its status");
	is_int(err ? err->attempts : 0, 1, "answer without access_token: its attempts");
	a_is_error(err, AUTH0_ERR_INVALID_RESPONSE, NULL, NULL, "answer without access_token");

	/* Until cleared: libcurl itself retries once on a fresh connection when a reused one dies. */
	t_fault("{\"path\":\"/oauth/token\",\"action\":\"close\",\"times\":0}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "connection closed: fails");
	a_is_error(err, AUTH0_ERR_NETWORK, NULL, NULL, "connection closed");
	diag("connection closed: %ld request(s) reached the tenant", t_counter(TOKEN_COUNTER));
	json_decref(t_control("DELETE", "/__control/faults", NULL));
	auth0_client_free(c);

	/* An answer larger than max_response_size is refused while it arrives. */
	c = m2m(3, 10000, 64 * 1024);
	t_fault("{\"path\":\"/oauth/token\",\"action\":\"huge\",\"size\":4194304}");
	st = auth0_client_credentials(c, T_API, NULL, &tok, &err);
	ok(st != AUTH0_OK && tok == NULL, "oversized answer: fails");
	like(err ? err->message : NULL, "larger than 65536 bytes", "oversized answer: refused");
	a_is_error(err, AUTH0_ERR_INVALID_RESPONSE, NULL, NULL, "oversized answer");
	char *xml = NULL;
	t_fault("{\"path\":\"/samlp/metadata/demo-m2m-client\",\"action\":\"huge\",\"size\":1048576}");
	st = auth0_saml_metadata(c, &xml, &err);
	ok(st != AUTH0_OK && xml == NULL, "oversized metadata: fails");
	a_is_error(err, AUTH0_ERR_INVALID_RESPONSE, NULL, NULL, "oversized metadata");
	/* The client still works afterwards. */
	a_ok(auth0_client_credentials(c, T_API, NULL, &tok, &err), err, "after the faults the client works");
	auth0_tokens_free(tok);
	auth0_client_free(c);
}

/* One call of each Authentication API function that reads a field of its 2xx answer. */
static auth0_status lacking_call(auth0_client *c, int which, auth0_error **err)
{
	auth0_tokens *tok = NULL;
	json_t *json = NULL;
	char *text = NULL;
	auth0_status st = AUTH0_ERR_INTERNAL;
	switch (which) {
	case 0:
		st = auth0_client_credentials(c, T_API, NULL, &tok, err);
		break;
	case 1: {
		auth0_token_exchange x = { .subject_token = "subject", .subject_token_type = "urn:example:token" };
		st = auth0_exchange_token(c, &x, &tok, err);
		break;
	}
	case 2:
		st = auth0_exchange_refresh_token(c, "a-refresh-token", NULL, &tok, err);
		break;
	case 3:
		st = auth0_userinfo(c, "an-access-token", &json, err);
		break;
	case 4: {
		auth0_authorize_params p = { .redirect_uri = T_CALLBACK };
		st = auth0_pushed_authorization_request(c, &p, &text, NULL, err);
		break;
	}
	case 5: {
		auth0_device_code code = { 0 };
		st = auth0_device_authorize(c, "openid", NULL, &code, err);
		auth0_device_code_clear(&code);
		break;
	}
	case 6: {
		auth0_ciba_params p = { .user_id = T_ALICE_ID, .scope = "openid", .binding_message = "hello" };
		auth0_ciba_request r = { 0 };
		st = auth0_ciba_authorize(c, &p, &r, err);
		auth0_ciba_request_clear(&r);
		break;
	}
	case 7: {
		auth0_signup_params p = { .email = "new@example.com", .password = "Some-Passw0rd!" };
		st = auth0_signup(c, &p, &json, err);
		break;
	}
	case 8:
		st = auth0_mfa_list_authenticators(c, "an-mfa-token", &json, err);
		break;
	case 9:
		st = auth0_oidc_discovery(c, &json, err);
		break;
	case 10:
		st = auth0_saml_metadata(c, &text, err);
		break;
	case 11:
		st = auth0_passwordless_verify(c, "email", T_ALICE, "123456", &json, err);
		break;
	}
	auth0_tokens_free(tok);
	json_decref(json);
	auth0_free(text);
	return st;
}

/*
 * A well-formed 2xx that lacks what the call needs is AUTH0_ERR_INVALID_RESPONSE with the answer's
 * status, attempts and rate-limit headers (the old code said status 0, attempts 0, no rate limit: as if
 * the tenant had not answered).
 */
static void test_lacking_answers(void)
{
	static const struct {
		const char *path;
		const char *body;         /* JSON-quoted, for the fault rule */
		const char *content_type;
		const char *message;
		const char *what;
	} cases[] = {
		{ "/oauth/token", "{\\\"token_type\\\":\\\"Bearer\\\"}", NULL, "no access_token",
		  "client credentials without access_token" },
		{ "/oauth/token", "{\\\"issued_token_type\\\":\\\"x\\\"}", NULL, "no access_token",
		  "token exchange without access_token" },
		{ "/oauth/token", "{\\\"access_token\\\":\\\"\\\"}", NULL, "no access_token",
		  "refresh token grant with an empty access_token" },
		{ "/userinfo", "[]", NULL, "not a JSON object", "userinfo that is an array" },
		{ "/oauth/par", "{\\\"expires_in\\\":60}", NULL, "no request_uri", "PAR without request_uri" },
		{ "/oauth/device/code", "{\\\"user_code\\\":\\\"ABCD\\\"}", NULL, "lacks device_code",
		  "device code without device_code" },
		{ "/bc-authorize", "{\\\"expires_in\\\":60}", NULL, "no auth_req_id", "CIBA without auth_req_id" },
		{ "/dbconnections/signup", "[1]", NULL, "not a user", "signup answering an array" },
		{ "/mfa/authenticators", "{}", NULL, "not a JSON array", "MFA authenticators that are an object" },
		{ "/.well-known/openid-configuration", "{\\\"issuer\\\":\\\"https://elsewhere/\\\"}", NULL,
		  "the issuer is another", "discovery of another issuer" },
		{ "/samlp/metadata/demo-web-client", "", "text/xml", "empty answer", "empty SAML metadata" },
		{ "/passwordless/verify", "{oops", NULL, "malformed JSON", "passwordless verify with malformed JSON" },
	};
	t_reset();
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_WEB_CLIENT_ID;
	o.client_secret = T_WEB_CLIENT_SECRET;
	o.retry_count = 0;
	auth0_client *c = a_client_with(&o);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rule[1024];
		snprintf(rule, sizeof(rule),
		         "{\"path\":\"%s\",\"status\":200,\"body\":\"%s\",\"content_type\":\"%s\","
		         "\"headers\":{\"X-RateLimit-Limit\":\"30\",\"X-RateLimit-Remaining\":\"29\","
		         "\"X-RateLimit-Reset\":\"1700000000\"}}",
		         cases[i].path, cases[i].body,
		         cases[i].content_type ? cases[i].content_type : "application/json");
		t_fault(rule);
		auth0_error *err = NULL;
		auth0_status st = lacking_call(c, (int)i, &err);
		is_int(st, AUTH0_ERR_INVALID_RESPONSE, "%s: invalid response", cases[i].what);
		like(err ? err->message : NULL, cases[i].message, "%s: the message says what is wrong", cases[i].what);
		is_int(err ? err->status : 0, 200, "%s: the answer's status", cases[i].what);
		is_int(err ? err->attempts : 0, 1, "%s: its attempts", cases[i].what);
		ok(err && err->rate_limit.limit == 30 && err->rate_limit.remaining == 29 &&
		   err->rate_limit.reset == 1700000000, "%s: its rate-limit headers", cases[i].what);
		auth0_error_free(err);
		json_decref(t_control("DELETE", "/__control/faults", NULL));
	}
	auth0_client_free(c);
}

int main(void)
{
	t_require_tenant();
	test_429_retried();
	test_429_exhausted();
	test_5xx_not_retried();
	test_timeout();
	test_total_timeout();
	test_bad_answers();
	test_lacking_answers();
	return done_testing();
}
