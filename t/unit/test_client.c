/*
 * The HTTP transport against the fake tenant: kept-alive connections,
 * TLS verification, timeouts, size caps, telemetry headers, logging.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "testenv.h"

static char logged[16384];

static void capture_log(void *userdata, auth0_log_level level, const char *message)
{
	(void)userdata;
	(void)level;
	strncat(logged, message, sizeof(logged) - strlen(logged) - 2);
	strcat(logged, "\n");
}

static auth0_client *client_with(long timeout_ms, size_t max_response, const char *ca_file)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_M2M_CLIENT_ID;
	o.client_secret = T_M2M_CLIENT_SECRET;
	o.timeout_ms = timeout_ms;
	if (max_response)
		o.max_response_size = max_response;
	o.ca_file = ca_file;
	o.log = capture_log;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK)
		diag("client: %s", err->message);
	return c;
}

static auth0_status token(auth0_client *c, auth0_error **err)
{
	auth0_tokens *t = NULL;
	auth0_status st = auth0_client_credentials(c, NULL, NULL, &t, err);
	auth0_tokens_free(t);
	return st;
}

static void test_keep_alive(void)
{
	t_reset();
	auth0_client *c = client_with(10000, 0, t_ca_file());
	bool all = true;
	for (int i = 0; i < 5; i++)
		all = all && token(c, NULL) == AUTH0_OK;
	ok(all, "five requests succeed");
	is_int(a0_http_connects(c), 1, "over one kept-alive TLS connection (the Ruby SDK opens one per request)");
	/* A request that spends something goes on a new connection: libcurl would silently send it again
	 * when a kept-alive one turns out dead before any answer. */
	for (int i = 0; i < 2; i++) {
		auth0_tokens *t = NULL;
		auth0_error *e = NULL;
		auth0_exchange_refresh_token(c, "not-a-refresh-token", NULL, &t, &e);
		auth0_tokens_free(t);
		auth0_error_free(e);
	}
	is_int(a0_http_connects(c), 3, "two refresh-token grants: a new connection each");
	ok(token(c, NULL) == AUTH0_OK, "the client credentials grant again");
	is_int(a0_http_connects(c), 3, "... over a kept-alive connection");
	auth0_client_free(c);
}

static void test_headers(void)
{
	t_reset();
	auth0_client *c = client_with(10000, 0, t_ca_file());
	token(c, NULL);
	json_t *req = t_last_request("/oauth/token");
	const char *telemetry = t_request_header(req, "Auth0-Client");
	ok(telemetry != NULL, "Auth0-Client telemetry header sent");
	if (telemetry) {
		unsigned char *raw = NULL;
		size_t n = 0;
		ok(a0_base64url_decode(telemetry, strlen(telemetry), &raw, &n), "telemetry is base64url");
		json_t *j = raw ? json_loadb((char *)raw, n, 0, NULL) : NULL;
		is_str(json_string_value(json_object_get(j, "name")), "libauth0", "telemetry names libauth0");
		is_str(json_string_value(json_object_get(j, "version")), AUTH0_VERSION, "and its version");
		json_decref(j);
		free(raw);
	}
	like(t_request_header(req, "User-Agent"), "libauth0/" AUTH0_VERSION, "User-Agent names libauth0");
	ok(t_request_header(req, "Authorization") == NULL, "no Authorization header on an Authentication API call");
	json_decref(req);
	auth0_client_free(c);
}

static void test_tls_verification(void)
{
	t_reset();
	/* Without the test CA the tenant's certificate is not trusted. */
	auth0_client *c = client_with(5000, 0, NULL);
	auth0_error *err = NULL;
	is_int(token(c, &err), AUTH0_ERR_TLS, "an untrusted certificate is refused: TLS");
	ok(err && err->status == 0, "no HTTP status for a TLS failure");
	ok(!auth0_error_is_transient(err), "a certificate that does not verify is not transient");
	like(err ? err->message : NULL, ": TLS: ", "the message says TLS refused the tenant");
	like(err ? err->message : NULL, "certificate", "... and what it refused");
	is_str(auth0_status_name(AUTH0_ERR_TLS), "tls", "auth0_status_name(AUTH0_ERR_TLS)");
	auth0_error_free(err);
	auth0_client_free(c);
}

static void test_timeout(void)
{
	t_reset();
	t_fault("{\"method\":\"POST\",\"path\":\"/oauth/token\",\"action\":\"blackhole\",\"times\":1}");
	auth0_client *c = client_with(1000, 0, t_ca_file());
	auth0_error *err = NULL;
	is_int(token(c, &err), AUTH0_ERR_TIMEOUT, "a tenant that never answers gives AUTH0_ERR_TIMEOUT");
	like(err ? err->message : NULL, "within 1000 ms", "the message gives the timeout");
	auth0_error_free(err);
	is_int(token(c, NULL), AUTH0_OK, "the next request works (the dead connection is not reused)");
	auth0_client_free(c);
}

static void test_size_cap(void)
{
	t_reset();
	t_fault("{\"method\":\"POST\",\"path\":\"/oauth/token\",\"action\":\"huge\",\"size\":200000,\"times\":1}");
	auth0_client *c = client_with(10000, 65536, t_ca_file());
	auth0_error *err = NULL;
	is_int(token(c, &err), AUTH0_ERR_INVALID_RESPONSE, "an oversized answer is refused");
	like(err ? err->message : NULL, "larger than 65536 bytes", "the message gives the cap");
	auth0_error_free(err);
	auth0_client_free(c);
}

static void test_malformed_and_wrong_type(void)
{
	t_reset();
	auth0_client *c = client_with(10000, 0, t_ca_file());
	t_fault("{\"method\":\"POST\",\"path\":\"/oauth/token\",\"action\":\"malformed\",\"times\":1}");
	auth0_error *err = NULL;
	is_int(token(c, &err), AUTH0_ERR_INVALID_RESPONSE, "malformed JSON");
	auth0_error_free(err);
	t_fault("{\"method\":\"POST\",\"path\":\"/oauth/token\",\"status\":200,\"content_type\":\"text/html\","
	        "\"body\":\"<html>maintenance</html>\",\"times\":1}");
	err = NULL;
	is_int(token(c, &err), AUTH0_ERR_INVALID_RESPONSE, "a 200 with an HTML page");
	like(err ? err->message : NULL, "expected JSON", "says what was expected");
	auth0_error_free(err);
	t_fault("{\"method\":\"POST\",\"path\":\"/oauth/token\",\"action\":\"truncate\",\"times\":1}");
	err = NULL;
	is_int(token(c, &err), AUTH0_ERR_INVALID_RESPONSE, "a truncated answer");
	auth0_error_free(err);
	t_fault("{\"method\":\"POST\",\"path\":\"/oauth/token\",\"action\":\"close\",\"times\":1}");
	err = NULL;
	is_int(token(c, &err), AUTH0_ERR_NETWORK, "a dropped connection");
	auth0_error_free(err);
	auth0_client_free(c);
}

static void test_logs_hold_no_secret(void)
{
	t_reset();
	logged[0] = '\0';
	auth0_client *c = client_with(10000, 0, t_ca_file());
	auth0_tokens *t = NULL;
	auth0_client_credentials(c, NULL, NULL, &t, NULL);
	ok(strstr(logged, "POST /oauth/token -> 200") != NULL, "requests are logged at debug level");
	unlike(logged, T_M2M_CLIENT_SECRET, "the client secret is never logged");
	if (t)
		unlike(logged, t->access_token, "the token is never logged");
	auth0_tokens_free(t);
	auth0_client_free(c);
}

int main(void)
{
	t_require_tenant();
	test_keep_alive();
	test_headers();
	test_tls_verification();
	test_timeout();
	test_size_cap();
	test_malformed_and_wrong_type();
	test_logs_hold_no_secret();
	return done_testing();
}
