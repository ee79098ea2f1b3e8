/*
 * The Management API over HTTP, against WireMock stubs that this test
 * registers (t/wire/mgmt-http starts WireMock): what goes on the wire
 * (URL, query, headers, bodies, multipart), request options, answers and
 * errors, retries on 429/503 with Retry-After, the 401 renew-and-retry-once
 * rule, and both pagers' edge cases.
 *
 * Stubs are written with single quotes for readability (stub() turns them
 * into double quotes).
 */
#include "management_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "wmclient.h"

static char base[512];   /* WIREMOCK_URL/api/v2 */

static void stub(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void stub(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	if (wm_stub(buf) != 0)
		diag("stub refused: %s", buf);
}

static void fresh(void)
{
	wm_reset();
}

/* The journalled requests to a URL path, oldest first (as WireMock's find lists them). */
static json_t *requests(const char *method, const char *url_path)
{
	char pattern[1024];
	snprintf(pattern, sizeof(pattern), "{\"method\":\"%s\",\"urlPath\":\"%s\"}", method, url_path);
	json_t *list = wm_find(pattern);
	return list ? list : json_array();
}

static int count(const char *method, const char *url_path)
{
	json_t *r = requests(method, url_path);
	int n = (int)json_array_size(r);
	json_decref(r);
	return n;
}

static const char *url_of(const json_t *req)
{
	return json_string_value(json_object_get(req, "url"));
}

static auth0_client *client_with(const char *token, const char *client_id, const char *secret)
{
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = wm_url();
	o.token = token;
	o.client_id = client_id;
	o.client_secret = secret;
	o.management_base_url = base;
	o.management_max_retries = 0;
	o.max_retry_delay_ms = 3000;
	const auth0_kv hdr[] = { { "X-Client-Header", "from-client" }, { NULL, NULL } };
	o.management_additional_headers = hdr;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		printf("Bail out! client: %s\n", err ? err->message : "?");
		exit(1);
	}
	return c;
}

static void test_wire_format(auth0_client *c)
{
	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/users/auth0%%7C123'},"
	     "'response':{'status':200,'jsonBody':{'user_id':'auth0|123','blocked':false}}}");
	const auth0_kv hdr[] = { { "X-Test-Id", "get-1" }, { NULL, NULL } };
	auth0_request_options ro = { .headers = hdr };
	auth0_users_get_query q = { .fields = "email,user_id", .include_fields = AUTH0_BOOL(false) };
	json_t *out = NULL;
	auth0_error *err = NULL;
	auth0_status st = auth0_users_get(c, "auth0|123", &q, &ro, &out, &err);
	is_int(st, AUTH0_OK, "users.get with an auth0|123 id");
	is_str(a0_json_str(out, "user_id"), "auth0|123", "the answer is parsed");
	ok(json_is_false(json_object_get(out, "blocked")), "false comes back as false");
	json_decref(out);
	auth0_error_free(err);
	json_t *r = requests("GET", "/api/v2/users/auth0%7C123");
	json_t *req = json_array_get(r, 0);
	is_str(url_of(req), "/api/v2/users/auth0%7C123?fields=email%2Cuser_id&include_fields=false",
	       "path encoded as a segment, query in table order, false sent");
	is_str(wm_header(req, "Accept"), "application/json", "Accept: application/json");
	is_str(wm_header(req, "Authorization"), "Bearer static-token", "the bearer token");
	ok(wm_header(req, "Content-Type") == NULL, "no Content-Type without a body");
	ok(wm_header(req, "Auth0-Client") != NULL, "telemetry");
	is_str(wm_header(req, "X-Client-Header"), "from-client", "the client's additional headers");
	is_str(wm_header(req, "X-Test-Id"), "get-1", "the request's extra headers");
	like(wm_header(req, "User-Agent"), "libauth0/", "User-Agent");
	json_decref(r);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/users'},"
	     "'response':{'status':200,'jsonBody':[]}}");
	auth0_users_list_query lq = { .page = AUTH0_INT(0), .include_totals = AUTH0_BOOL(false),
		                          .q = "name:\"J D\"" };
	st = auth0_users_list(c, &lq, NULL, &out, NULL);
	ok(st == AUTH0_OK && json_is_array(out), "users.list answered with a bare array");
	json_decref(out);
	r = requests("GET", "/api/v2/users");
	is_str(url_of(json_array_get(r, 0)), "/api/v2/users?page=0&per_page=50&include_totals=false&q=name%3A%22J+D%22",
	       "page 0 and include_totals false sent; per_page defaulted");
	json_decref(r);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/connections'},"
	     "'response':{'status':200,'jsonBody':{'connections':[]}}}");
	const char *const strategies[] = { "ad", "auth0", NULL };
	auth0_connections_list_query cq = { .strategy = strategies, .take = AUTH0_INT(0) };
	st = auth0_connections_list(c, &cq, NULL, NULL, NULL);
	is_int(st, AUTH0_OK, "connections.list with a repeated strategy (out NULL)");
	r = requests("GET", "/api/v2/connections");
	is_str(url_of(json_array_get(r, 0)), "/api/v2/connections?include_totals=true&take=0&strategy=ad&strategy=auth0",
	       "repeated keys, take 0 sent, no bare from");
	json_decref(r);
}

static void test_bodies(auth0_client *c)
{
	fresh();
	stub("{'request':{'method':'PATCH','urlPath':'/api/v2/users/u1'},"
	     "'response':{'status':200,'jsonBody':{'user_id':'u1'}}}");
	json_t *body = json_pack("{s:b, s:{s:i, s:n}}", "blocked", 0, "app_metadata", "n", 0, "gone");
	json_t *out = NULL;
	auth0_status st = auth0_users_update(c, "u1", body, NULL, &out, NULL);
	is_int(st, AUTH0_OK, "users.update");
	json_decref(out);
	json_decref(body);
	json_t *r = requests("PATCH", "/api/v2/users/u1");
	json_t *req = json_array_get(r, 0);
	is_str(a0_json_str(req, "body"), "{\"blocked\":false,\"app_metadata\":{\"n\":0,\"gone\":null}}",
	       "the body is sent exactly as given (false, 0, an explicit null)");
	is_str(wm_header(req, "Content-Type"), "application/json", "Content-Type: application/json");
	json_decref(r);

	fresh();
	stub("{'request':{'method':'PUT','urlPath':'/api/v2/guardian/policies'},"
	     "'response':{'status':200,'jsonBody':['all-applications']}}");
	body = json_pack("[s]", "all-applications");
	st = auth0_guardian_policies_set(c, body, NULL, &out, NULL);
	ok(st == AUTH0_OK && json_is_array(out), "guardian.policies.set");
	json_decref(out);
	json_decref(body);
	r = requests("PUT", "/api/v2/guardian/policies");
	is_str(a0_json_str(json_array_get(r, 0), "body"), "[\"all-applications\"]", "a bare array body");
	json_decref(r);

	fresh();
	stub("{'request':{'method':'DELETE','urlPath':'/api/v2/users/u1/roles'},'response':{'status':204}}");
	body = json_pack("{s:[s]}", "roles", "rol_1");
	out = (json_t *)1;
	st = auth0_users_roles_delete(c, "u1", body, NULL, &out, NULL);
	is_int(st, AUTH0_OK, "users.roles.delete answered 204");
	ok(out == NULL, "no body: *out is NULL");
	json_decref(body);
	r = requests("DELETE", "/api/v2/users/u1/roles");
	is_str(a0_json_str(json_array_get(r, 0), "body"), "{\"roles\":[\"rol_1\"]}", "DELETE carries its body");
	json_decref(r);

	fresh();
	stub("{'request':{'method':'POST','urlPath':'/api/v2/jobs/users-imports'},"
	     "'response':{'status':202,'jsonBody':{'id':'job_1','type':'users_import'}}}");
	const char file[] = "[{\"email\":\"a@example.com\"}]";
	auth0_jobs_users_imports_create_form form = {
		.users = { file, sizeof(file) - 1, "users.json", "application/json" },
		.connection_id = "con_1",
		.upsert = "false",
	};
	st = auth0_jobs_users_imports_create(c, &form, NULL, &out, NULL);
	is_int(st, AUTH0_OK, "jobs.users_imports.create (multipart)");
	is_str(a0_json_str(out, "id"), "job_1", "its 202 answer");
	json_decref(out);
	r = requests("POST", "/api/v2/jobs/users-imports");
	req = json_array_get(r, 0);
	like(wm_header(req, "Content-Type"), "multipart/form-data; boundary=", "multipart Content-Type");
	const char *mb = a0_json_str(req, "body");
	like(mb, "name=\"users\"; filename=\"users.json\"", "the file part");
	like(mb, file, "the file content");
	like(mb, "name=\"upsert\"\r\n\r\nfalse", "upsert=false is sent");
	unlike(mb, "send_completion_email", "unset fields are not sent");
	json_decref(r);

	/* libcurl writes a part's type into its header lines as it is */
	fresh();
	stub("{'request':{'method':'POST','urlPath':'/api/v2/jobs/users-imports'},"
	     "'response':{'status':202,'jsonBody':{'id':'job_1','type':'users_import'}}}");
	form.users.content_type = "application/json\r\nX-Evil: 1";
	auth0_error *err = NULL;
	st = auth0_jobs_users_imports_create(c, &form, NULL, &out, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "a part's content type with CR/LF is refused");
	is_str(err ? err->option : NULL, "users", "... naming the part");
	is_int(count("POST", "/api/v2/jobs/users-imports"), 0, "... before any request");
	json_decref(out);
	auth0_error_free(err);
}

static void test_options(auth0_client *c)
{
	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/users'},'response':{'status':200,'jsonBody':[]}}");
	const auth0_kv q[] = { { "per_page", "5" }, { "include_totals", NULL }, { "extra", "x y" }, { NULL, NULL } };
	auth0_request_options ro = { .query = q };
	is_int(auth0_users_list(c, NULL, &ro, NULL, NULL), AUTH0_OK, "users.list with extra query");
	json_t *r = requests("GET", "/api/v2/users");
	is_str(url_of(json_array_get(r, 0)), "/api/v2/users?page=0&per_page=5&extra=x+y",
	       "extra query overrides per_page, removes include_totals, adds its own");
	json_decref(r);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/elsewhere/v9/stats/daily'},"
	     "'response':{'status':200,'jsonBody':[{'date':'2024-01-01','logins':1}]}}");
	char other[600];
	snprintf(other, sizeof(other), "%s/elsewhere/v9/", wm_url());
	ro = (auth0_request_options){ .base_url = other };
	json_t *out = NULL;
	auth0_status st = auth0_stats_get_daily(c, NULL, &ro, &out, NULL);
	ok(st == AUTH0_OK && json_array_size(out) == 1, "base_url option (trailing slash trimmed)");
	ok(json_is_array(out), "stats.get_daily's answer is returned (Ruby discards it)");
	json_decref(out);
	is_int(count("GET", "/elsewhere/v9/stats/daily"), 1, "the request went to the other base URL");

	/* the URL checks take the scheme in any case, and so must the choice of protocol */
	fresh();
	stub("{'request':{'method':'GET','urlPath':'/elsewhere/v9/stats/daily'},"
	     "'response':{'status':200,'jsonBody':[]}}");
	snprintf(other, sizeof(other), "HTTP://%s/elsewhere/v9", wm_url() + strlen("http://"));
	ro = (auth0_request_options){ .base_url = other };
	auth0_error *serr = NULL;
	st = auth0_stats_get_daily(c, NULL, &ro, NULL, &serr);
	is_int(st, AUTH0_OK, "base_url option with an upper-case HTTP:// scheme");
	if (serr)
		diag("%s", serr->message);
	auth0_error_free(serr);
	is_int(count("GET", "/elsewhere/v9/stats/daily"), 1, "... reaches the server");

	/* Another host gets the request (and the Management token) only when the caller allows it. */
	fresh();
	stub("{'request':{'method':'GET','urlPath':'/elsewhere/v9/stats/daily'},"
	     "'response':{'status':200,'jsonBody':[]}}");
	const char *port = strrchr(wm_url(), ':');
	snprintf(other, sizeof(other), "http://localhost%s/elsewhere/v9", port ? port : "");
	ro = (auth0_request_options){ .base_url = other };
	serr = NULL;
	st = auth0_stats_get_daily(c, NULL, &ro, NULL, &serr);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "base_url on another host than the client's (localhost): refused");
	is_str(serr ? serr->option : NULL, "base_url", "... naming base_url");
	auth0_error_free(serr);
	serr = NULL;
	is_int(count("GET", "/elsewhere/v9/stats/daily"), 0, "... and nothing was sent");
	ro.allow_other_host = true;
	st = auth0_stats_get_daily(c, NULL, &ro, NULL, &serr);
	is_int(st, AUTH0_OK, "with allow_other_host: sent");
	auth0_error_free(serr);
	r = requests("GET", "/elsewhere/v9/stats/daily");
	is_int((int)json_array_size(r), 1, "... reaching the other host");
	is_str(wm_header(json_array_get(r, 0), "Authorization"), "Bearer static-token", "... with the token");
	json_decref(r);

	/* "X-Empty: " would make libcurl leave the header out */
	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/roles'},'response':{'status':200,'jsonBody':[]}}");
	const auth0_kv empty[] = { { "X-Empty", "" }, { "X-Blank", " " }, { "X-Null", NULL }, { NULL, NULL } };
	ro = (auth0_request_options){ .headers = empty };
	is_int(auth0_roles_list(c, NULL, &ro, NULL, NULL), AUTH0_OK, "headers with empty values");
	r = requests("GET", "/api/v2/roles");
	is_str(wm_header(json_array_get(r, 0), "X-Empty"), "", "an empty value sends the header empty");
	is_str(wm_header(json_array_get(r, 0), "X-Blank"), "", "... a blank one too");
	is_str(wm_header(json_array_get(r, 0), "X-Null"), "", "... and a NULL one");
	json_decref(r);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/roles'},"
	     "'response':{'status':200,'fixedDelayMilliseconds':2000,'jsonBody':[]}}");
	ro = (auth0_request_options){ .timeout_ms = 300 };
	auth0_error *err = NULL;
	st = auth0_roles_list(c, NULL, &ro, NULL, &err);
	is_int(st, AUTH0_ERR_TIMEOUT, "timeout_ms option");
	unlike(err ? err->message : "", "static-token", "the message carries no token");
	auth0_error_free(err);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/rules'},'response':{'status':500,"
	     "'jsonBody':{'statusCode':500,'error':'Internal Server Error','message':'boom'}}}");
	ro = (auth0_request_options){ .max_retries = AUTH0_INT(1) };
	err = NULL;
	st = auth0_rules_list(c, NULL, &ro, NULL, &err);
	is_int(st, AUTH0_ERR_SERVER, "500 after retries");
	is_int(err ? err->attempts : 0, 2, "max_retries 1 option: two attempts");
	is_int(count("GET", "/api/v2/rules"), 2, "two requests journalled");
	auth0_error_free(err);
	err = NULL;
	st = auth0_rules_list(c, NULL, NULL, NULL, &err);
	is_int(err ? err->attempts : 0, 1, "the client's management_max_retries (0) otherwise");
	auth0_error_free(err);
}

static void test_answers(auth0_client *c)
{
	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/users/nobody'},'response':{'status':404,"
	     "'jsonBody':{'statusCode':404,'error':'Not Found','message':'The user does not exist.',"
	     "'errorCode':'inexistent_user'}}}");
	auth0_error *err = NULL;
	json_t *out = (json_t *)1;
	auth0_status st = auth0_users_get(c, "nobody", NULL, NULL, &out, &err);
	is_int(st, AUTH0_ERR_NOT_FOUND, "404 -> AUTH0_ERR_NOT_FOUND");
	ok(out == NULL, "no answer on error");
	is_int(err ? err->status : 0, 404, "status");
	is_str(err ? err->error_code : NULL, "inexistent_user", "errorCode");
	is_str(err ? err->api_message : NULL, "The user does not exist.", "message");
	like(err ? err->message : NULL, "GET /users/nobody: HTTP 404", "a message naming the request");
	auth0_error_free(err);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/clients'},'response':{'status':429,"
	     "'headers':{'X-RateLimit-Limit':'10','X-RateLimit-Remaining':'0','X-RateLimit-Reset':'1700000000',"
	     "'Retry-After':'7'},'jsonBody':{'statusCode':429,'error':'Too Many Requests','message':'slow down'}}}");
	err = NULL;
	st = auth0_clients_list(c, NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_RATE_LIMITED, "429 -> AUTH0_ERR_RATE_LIMITED");
	ok(err && err->rate_limit.limit == 10 && err->rate_limit.remaining == 0 &&
	   err->rate_limit.reset == 1700000000, "rate-limit headers are kept");
	is_int(err ? err->retry_after : 0, 7, "Retry-After is kept");
	auth0_error_free(err);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/events'},'response':{'status':200,"
	     "'headers':{'Content-Type':'text/event-stream'},"
	     "'body':'event: message\\ndata: {\\'type\\':\\'user.created\\'}\\n\\n: ping\\n\\n'}}");
	const char *const types[] = { "user.created", "user.deleted", NULL };
	auth0_events_subscribe_query eq = { .event_type = types };
	out = NULL;
	st = auth0_events_subscribe(c, &eq, NULL, &out, NULL);
	is_int(st, AUTH0_OK, "events.subscribe (server-sent events)");
	ok(json_array_size(out) == 1 &&
	   a0_streq(a0_json_str(json_object_get(json_array_get(out, 0), "data"), "type"), "user.created"),
	   "the event stream becomes an array of parsed events");
	json_decref(out);
	json_t *r = requests("GET", "/api/v2/events");
	is_str(url_of(json_array_get(r, 0)), "/api/v2/events?event_type=user.created&event_type=user.deleted",
	       "repeated enum values");
	json_decref(r);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/tenants/settings'},'response':{'status':200,"
	     "'headers':{'Content-Type':'text/plain'},'body':'plain words'}}");
	out = NULL;
	st = auth0_tenants_settings_get(c, NULL, NULL, &out, NULL);
	ok(st == AUTH0_OK && a0_streq(json_string_value(out), "plain words"), "a text answer becomes a JSON string");
	json_decref(out);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/tenants/settings'},'response':{'status':404,"
	     "'headers':{'Content-Type':'text/html; charset=utf-8'},'body':'<html><body>gateway says no</body></html>'}}");
	err = NULL;
	st = auth0_tenants_settings_get(c, NULL, NULL, &out, &err);
	is_int(st, AUTH0_ERR_NOT_FOUND, "an HTML error page: its status decides");
	is_str(err ? err->raw_body : NULL, "<html><body>gateway says no</body></html>", "... its body is kept (raw_body)");
	is_str(err ? err->content_type : NULL, "text/html; charset=utf-8", "... with its Content-Type");
	ok(err && err->message && !strstr(err->message, "gateway"), "... and kept out of the message");
	ok(err && !err->body, "... (no JSON body)");
	auth0_error_free(err);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/tenants/settings'},'response':{'status':404,"
	     "'headers':{'Content-Type':'application/json'},'body':'{\\'error\\':\\'Not Found\\'}'}}");
	err = NULL;
	st = auth0_tenants_settings_get(c, NULL, NULL, &out, &err);
	ok(err && err->body && !err->raw_body && !err->content_type, "a JSON error body is in body, not raw_body");
	auth0_error_free(err);

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/tenants/settings'},'response':{'status':200,"
	     "'headers':{'Content-Type':'application/json'},'body':'{\\'refresh_token\\':\\'v1.SECRETXYZ'}}");
	err = NULL;
	st = auth0_tenants_settings_get(c, NULL, NULL, &out, &err);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "malformed JSON is an invalid response");
	like(err ? err->message : NULL, "malformed JSON answer", "... which the message says");
	ok(err && err->status == 200 && err->attempts == 1, "... with the answer's status and the attempts (%ld, %d)",
	   err ? err->status : -1, err ? err->attempts : -1);
	ok(err && err->message && !strstr(err->message, "SECRETXYZ"),
	   "... without quoting the answer, which may hold tokens (%s)", err && err->message ? err->message : "?");
	auth0_error_free(err);

	fresh();
	stub("{'request':{'method':'POST','urlPath':'/api/v2/users/u1/multifactor/actions/invalidate-remember-browser'},"
	     "'response':{'status':200,'headers':{'Content-Type':'application/json'}}}");
	out = (json_t *)1;
	st = auth0_users_multifactor_invalidate_remember_browser(c, "u1", NULL, &out, NULL);
	ok(st == AUTH0_OK && out == NULL, "an empty 200 is AUTH0_OK with *out NULL");
	r = requests("POST", "/api/v2/users/u1/multifactor/actions/invalidate-remember-browser");
	ok(wm_header(json_array_get(r, 0), "Content-Type") == NULL, "a POST without a body has no Content-Type");
	json_decref(r);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_retries(auth0_client *c)
{
	fresh();
	stub("{'scenarioName':'r429','requiredScenarioState':'Started','newScenarioState':'ok',"
	     "'request':{'method':'GET','urlPath':'/api/v2/logs'},'response':{'status':429,"
	     "'headers':{'Retry-After':'1'},'jsonBody':{'statusCode':429,'message':'slow'}}}");
	stub("{'scenarioName':'r429','requiredScenarioState':'ok',"
	     "'request':{'method':'GET','urlPath':'/api/v2/logs'},'response':{'status':200,'jsonBody':[]}}");
	auth0_request_options ro = { .max_retries = AUTH0_INT(2) };
	double t0 = now_s();
	json_t *out = NULL;
	auth0_status st = auth0_logs_list(c, NULL, &ro, &out, NULL);
	double dt = now_s() - t0;
	is_int(st, AUTH0_OK, "429 with Retry-After: 1, then 200");
	is_int(count("GET", "/api/v2/logs"), 2, "two attempts");
	ok(dt >= 0.9 && dt < 10, "waited for Retry-After (%.2f s)", dt);
	json_decref(out);

	fresh();
	stub("{'request':{'method':'POST','urlPath':'/api/v2/roles'},'response':{'status':503,"
	     "'headers':{'Retry-After':'1'},'jsonBody':{'statusCode':503,'message':'down'}}}");
	auth0_error *err = NULL;
	json_t *body = json_pack("{s:s}", "name", "r");
	t0 = now_s();
	st = auth0_roles_create(c, body, &ro, &out, &err);
	dt = now_s() - t0;
	is_int(st, AUTH0_ERR_UNAVAILABLE, "POST, 503 -> AUTH0_ERR_UNAVAILABLE");
	is_int(err ? err->attempts : 0, 1, "a POST is not retried after a 5xx: the tenant may have done it");
	is_int(count("POST", "/api/v2/roles"), 1, "one request journalled");
	auth0_error_free(err);

	fresh();
	stub("{'request':{'method':'DELETE','urlPath':'/api/v2/roles/rol_1'},'response':{'status':503,"
	     "'headers':{'Retry-After':'1'},'jsonBody':{'statusCode':503,'message':'down'}}}");
	err = NULL;
	t0 = now_s();
	st = auth0_roles_delete(c, "rol_1", &ro, NULL, &err);
	dt = now_s() - t0;
	is_int(st, AUTH0_ERR_UNAVAILABLE, "DELETE, 503 every time -> AUTH0_ERR_UNAVAILABLE");
	is_int(err ? err->attempts : 0, 3, "max_retries 2: three attempts (DELETE is idempotent)");
	is_int(count("DELETE", "/api/v2/roles/rol_1"), 3, "three requests journalled");
	ok(dt >= 1.9, "two Retry-After waits (%.2f s)", dt);
	auth0_error_free(err);

	fresh();
	stub("{'scenarioName':'p429','requiredScenarioState':'Started','newScenarioState':'ok',"
	     "'request':{'method':'POST','urlPath':'/api/v2/roles'},'response':{'status':429,"
	     "'headers':{'Retry-After':'1'},'jsonBody':{'statusCode':429,'message':'slow'}}}");
	stub("{'scenarioName':'p429','requiredScenarioState':'ok',"
	     "'request':{'method':'POST','urlPath':'/api/v2/roles'},'response':{'status':201,'jsonBody':{'id':'rol_2'}}}");
	out = NULL;
	st = auth0_roles_create(c, body, &ro, &out, NULL);
	is_int(st, AUTH0_OK, "a POST is retried after a 429 (the tenant did not run it)");
	is_int(count("POST", "/api/v2/roles"), 2, "two requests journalled");
	json_decref(out);

	fresh();
	stub("{'request':{'method':'POST','urlPath':'/api/v2/roles'},'response':{'status':501,"
	     "'jsonBody':{'statusCode':501,'message':'no'}}}");
	err = NULL;
	st = auth0_roles_create(c, body, &ro, &out, &err);
	is_int(st, AUTH0_ERR_SERVER, "501 is not retried");
	is_int(count("POST", "/api/v2/roles"), 1, "one request");
	auth0_error_free(err);
	json_decref(body);
}

static void token_stubs(void)
{
	stub("{'scenarioName':'tok','requiredScenarioState':'Started','newScenarioState':'second',"
	     "'request':{'method':'POST','urlPath':'/oauth/token'},'response':{'status':200,"
	     "'headers':{'Content-Type':'application/json'},'jsonBody':{'access_token':'tok-1','token_type':'Bearer','expires_in':86400}}}");
	stub("{'scenarioName':'tok','requiredScenarioState':'second','newScenarioState':'third',"
	     "'request':{'method':'POST','urlPath':'/oauth/token'},'response':{'status':200,"
	     "'headers':{'Content-Type':'application/json'},'jsonBody':{'access_token':'tok-2','token_type':'Bearer','expires_in':86400}}}");
	stub("{'scenarioName':'tok','requiredScenarioState':'third',"
	     "'request':{'method':'POST','urlPath':'/oauth/token'},'response':{'status':200,"
	     "'headers':{'Content-Type':'application/json'},'jsonBody':{'access_token':'tok-3','token_type':'Bearer','expires_in':86400}}}");
}

static void api_stub(const char *token, int status, const char *message)
{
	if (status == 200)
		stub("{'request':{'method':'GET','urlPath':'/api/v2/resource-servers',"
		     "'headers':{'Authorization':{'equalTo':'Bearer %s'}}},'response':{'status':200,"
		     "'jsonBody':{'resource_servers':[{'id':'rs1'}],'total':1}}}", token);
	else
		stub("{'request':{'method':'GET','urlPath':'/api/v2/resource-servers',"
		     "'headers':{'Authorization':{'equalTo':'Bearer %s'}}},'response':{'status':%d,"
		     "'jsonBody':{'statusCode':%d,'error':'Unauthorized','message':'%s'}}}", token, status, status,
		     message);
}

static void test_renewal(void)
{
	const char *expired = "Expired token received for JSON Web Token validation";
	fresh();
	token_stubs();
	api_stub("tok-1", 401, expired);
	api_stub("tok-2", 200, NULL);
	auth0_client *c = client_with(NULL, "m2m", "m2m-secret");
	json_t *out = NULL;
	auth0_error *err = NULL;
	auth0_status st = auth0_resource_servers_list(c, NULL, NULL, &out, &err);
	is_int(st, AUTH0_OK, "401 expired -> renewed token -> success");
	if (err)
		diag("%s", err->message);
	ok(json_array_size(json_object_get(out, "resource_servers")) == 1, "the retried request's answer");
	json_decref(out);
	auth0_error_free(err);
	is_int(count("POST", "/oauth/token"), 2, "one renewal: two token requests");
	json_t *r = requests("GET", "/api/v2/resource-servers");
	is_int(json_array_size(r), 2, "the request was repeated once");
	is_str(wm_header(json_array_get(r, 0), "Authorization"), "Bearer tok-1", "first with the old token");
	is_str(wm_header(json_array_get(r, 1), "Authorization"), "Bearer tok-2", "then with the new one");
	json_decref(r);
	err = NULL;
	st = auth0_resource_servers_list(c, NULL, NULL, &out, &err);
	is_int(st, AUTH0_OK, "the next call uses the renewed token");
	is_int(count("POST", "/oauth/token"), 2, "without another token request");
	json_decref(out);
	auth0_client_free(c);

	/* Renewed and refused again: only one renewal. */
	fresh();
	token_stubs();
	api_stub("tok-1", 401, "Invalid token");
	api_stub("tok-2", 401, "Invalid token");
	api_stub("tok-3", 200, NULL);
	c = client_with(NULL, "m2m", "m2m-secret");
	err = NULL;
	st = auth0_resource_servers_list(c, NULL, NULL, &out, &err);
	is_int(st, AUTH0_ERR_UNAUTHORIZED, "refused again after renewal -> AUTH0_ERR_UNAUTHORIZED");
	is_int(count("POST", "/oauth/token"), 2, "renewed once only");
	is_int(count("GET", "/api/v2/resource-servers"), 2, "retried once only");
	auth0_error_free(err);
	auth0_client_free(c);

	/* Refused again after renewal: the next calls do not renew the token again (5 calls, 2 tokens). */
	fresh();
	token_stubs();
	api_stub("tok-1", 401, "Invalid token");
	api_stub("tok-2", 401, "Invalid token");
	api_stub("tok-3", 401, "Invalid token");
	c = client_with(NULL, "m2m", "m2m-secret");
	bool all_refused = true;
	char *last = NULL;
	for (int i = 0; i < 5; i++) {
		err = NULL;
		st = auth0_resource_servers_list(c, NULL, NULL, &out, &err);
		all_refused = all_refused && st == AUTH0_ERR_UNAUTHORIZED;
		free(last);
		last = err && err->message ? strdup(err->message) : NULL;
		auth0_error_free(err);
	}
	ok(all_refused, "five calls refused with a token the API does not take");
	is_int(count("POST", "/oauth/token"), 2, "two tokens: no renewal after the renewed one was refused");
	is_int(count("GET", "/api/v2/resource-servers"), 6, "the first call retried once, the others did not");
	like(last, "not renewed again", "the error says why the token was not renewed");
	free(last);
	auth0_client_free(c);

	/* A 401 that is not about the token: no renewal. */
	fresh();
	token_stubs();
	api_stub("tok-1", 401, "Missing authentication");
	c = client_with(NULL, "m2m", "m2m-secret");
	err = NULL;
	st = auth0_resource_servers_list(c, NULL, NULL, &out, &err);
	is_int(st, AUTH0_ERR_UNAUTHORIZED, "401 'Missing authentication' fails");
	is_int(count("POST", "/oauth/token"), 1, "without renewing the token");
	is_int(count("GET", "/api/v2/resource-servers"), 1, "or repeating the request");
	auth0_error_free(err);
	auth0_client_free(c);

	/* A static token that cannot be renewed. */
	fresh();
	api_stub("static-1", 401, expired);
	c = client_with("static-1", NULL, NULL);
	err = NULL;
	st = auth0_resource_servers_list(c, NULL, NULL, &out, &err);
	is_int(st, AUTH0_ERR_UNAUTHORIZED, "a refused static token fails");
	is_int(count("GET", "/api/v2/resource-servers"), 1, "with one request");
	is_int(count("POST", "/oauth/token"), 0, "and no token request");
	auth0_error_free(err);
	auth0_client_free(c);
}

/* err->status of the last walk() that failed (0 when it did not, or had no status). */
static long walk_status;

/* Items of a pager walk as "a,b,c"; *requests receives the number of requests. */
static char *walk(auth0_client *c, const char *id, const auth0_kv *query, int *nreq, int64_t *total,
                  auth0_status *st)
{
	auth0_pager *pg = NULL;
	auth0_error *err = NULL;
	a0_buf b = A0_BUF_INIT;
	*st = auth0_pager_new(&pg, c, auth0_operation_find(id), NULL, query, NULL, &err);
	json_t *item = NULL;
	while (*st == AUTH0_OK && (*st = auth0_pager_next(pg, &item, &err)) == AUTH0_OK && item) {
		a0_buf_printf(&b, "%s%s", b.len ? "," : "", a0_json_str(item, "id"));
		json_decref(item);
	}
	if (err)
		diag("pager: %s", err->message);
	walk_status = err ? err->status : 0;
	auth0_error_free(err);
	*nreq = auth0_pager_requests(pg);
	if (total)
		*total = auth0_pager_total(pg);
	auth0_pager_free(pg);
	char *s = a0_buf_steal(&b);
	return s;
}

static void users_page(int page, const char *per_page, const char *totals, const char *body)
{
	stub("{'request':{'method':'GET','urlPath':'/api/v2/users','queryParameters':{'page':{'equalTo':'%d'},"
	     "'per_page':{'equalTo':'%s'},'include_totals':{'equalTo':'%s'}}},"
	     "'response':{'status':200,'jsonBody':%s}}", page, per_page, totals, body);
}

/* users_page() for page numbers beyond int. */
static void users_big_page(const char *page, const char *totals, const char *body)
{
	stub("{'request':{'method':'GET','urlPath':'/api/v2/users','queryParameters':{'page':{'equalTo':'%s'},"
	     "'per_page':{'equalTo':'2'},'include_totals':{'equalTo':'%s'}}},"
	     "'response':{'status':200,'jsonBody':%s}}", page, totals, body);
}

static void test_offset_pager(auth0_client *c)
{
	int nreq;
	int64_t total;
	auth0_status st;
	const auth0_kv pp2[] = { { "per_page", "2" }, { NULL, NULL } };

	fresh();
	users_page(0, "2", "true", "{'start':0,'limit':2,'total':5,'users':[{'id':'a'},{'id':'b'}]}");
	users_page(1, "2", "true", "{'start':2,'limit':2,'total':5,'users':[{'id':'c'},{'id':'d'}]}");
	users_page(2, "2", "true", "{'start':4,'limit':2,'total':5,'users':[{'id':'e'}]}");
	char *s = walk(c, "users.list", pp2, &nreq, &total, &st);
	is_str(s, "a,b,c,d,e", "offset: every item in order");
	is_int(nreq, 3, "three requests (the total ends it)");
	is_int(total, 5, "the total is known");
	free(s);

	fresh();
	users_page(0, "2", "true", "{'start':0,'limit':2,'total':5,'users':[{'id':'a'},{'id':'b'}]}");
	users_page(1, "2", "true", "{'start':2,'limit':2,'total':5,'users':[{'id':'c'}]}");
	users_page(2, "2", "true", "{'start':4,'limit':2,'total':5,'users':[{'id':'d'},{'id':'e'}]}");
	s = walk(c, "users.list", pp2, &nreq, &total, &st);
	is_str(s, "a,b,c,d,e", "a short page before the total does not end the walk");
	is_int(nreq, 3, "... the total does");
	free(s);

	fresh();
	users_page(0, "2", "false", "[{'id':'a'},{'id':'b'}]");
	users_page(1, "2", "false", "[{'id':'c'}]");
	users_page(2, "2", "false", "[{'id':'d'}]");
	const auth0_kv short_nototals[] = { { "per_page", "2" }, { "include_totals", "false" }, { NULL, NULL } };
	s = walk(c, "users.list", short_nototals, &nreq, &total, &st);
	is_str(s, "a,b,c", "without a total, a short page is the last");
	is_int(nreq, 2, "... and nothing after it is asked for");
	free(s);

	fresh();
	users_page(0, "2", "true", "{'start':0,'limit':2,'total':4,'users':[{'id':'a'},{'id':'b'}]}");
	users_page(1, "2", "true", "{'start':2,'limit':2,'total':4,'users':[{'id':'c'},{'id':'d'}]}");
	users_page(2, "2", "true", "{'start':4,'limit':2,'total':4,'users':[]}");
	s = walk(c, "users.list", pp2, &nreq, &total, &st);
	is_str(s, "a,b,c,d", "offset, exact multiple of per_page");
	is_int(nreq, 2, "no extra empty request when the total is reached");
	free(s);

	fresh();
	users_page(0, "2", "false", "[{'id':'a'},{'id':'b'}]");
	users_page(1, "2", "false", "[{'id':'c'},{'id':'d'}]");
	users_page(2, "2", "false", "[]");
	const auth0_kv nototals[] = { { "per_page", "2" }, { "include_totals", "false" }, { NULL, NULL } };
	s = walk(c, "users.list", nototals, &nreq, &total, &st);
	is_str(s, "a,b,c,d", "include_totals false: bare arrays work");
	is_int(nreq, 3, "an exact multiple without totals needs the empty page");
	is_int(total, -1, "no total");
	free(s);

	fresh();
	users_page(0, "50", "true", "{'start':0,'limit':50,'total':0,'users':[]}");
	s = walk(c, "users.list", NULL, &nreq, &total, &st);
	ok(st == AUTH0_OK && a0_streq(s, ""), "an empty list has no items");
	is_int(nreq, 1, "one request");
	free(s);

	/* A page object without its item array is not the end of the list (a truncated or garbled answer
	 * would end the walk silently), unless it says the list is empty: total 0. */
	fresh();
	users_page(0, "50", "true", "{'start':0,'limit':50,'length':0,'total':0}");
	s = walk(c, "users.list", NULL, &nreq, &total, &st);
	ok(st == AUTH0_OK && a0_streq(s, ""), "a page without users but with total 0: an empty list");
	is_int(nreq, 1, "... after one request");
	is_int(total, 0, "... total 0");
	free(s);

	fresh();
	users_page(0, "2", "true", "{'start':0,'limit':2,'total':5,'users':[{'id':'a'},{'id':'b'}]}");
	users_page(1, "2", "true", "{'start':2,'limit':2,'total':5}");
	s = walk(c, "users.list", pp2, &nreq, &total, &st);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "a page without users (total 5) is an invalid response, not the end");
	is_int(walk_status, 200, "... with the answer's status");
	is_str(s, "a,b", "... after the first page's items");
	is_int(nreq, 1, "... and the refused page not counted as fetched");
	free(s);

	const char *not_pages[][2] = {
		{ "{'total':5,'users':{'id':'a'}}", "an object where the users array should be" },
		{ "{'total':0,'users':'none'}", "a users member that is not an array, even with total 0" },
		{ "{'start':0,'limit':2}", "a page without users or total" },
		{ "'users'", "a JSON string" },
	};
	for (size_t i = 0; i < sizeof(not_pages) / sizeof(not_pages[0]); i++) {
		fresh();
		users_page(0, "2", "true", not_pages[i][0]);
		s = walk(c, "users.list", pp2, &nreq, &total, &st);
		is_int(st, AUTH0_ERR_INVALID_RESPONSE, "offset: %s is an invalid response", not_pages[i][1]);
		is_int(walk_status, 200, "... status 200");
		free(s);
	}

	fresh();
	stub("{'request':{'method':'GET','urlPath':'/api/v2/users'},'response':{'status':200}}");
	s = walk(c, "users.list", pp2, &nreq, &total, &st);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "offset: a 200 with an empty body is an invalid response");
	is_int(walk_status, 200, "... status 200");
	free(s);

	/* The refused page moves nothing: the next call asks for it again. */
	fresh();
	users_page(0, "2", "true", "{'total':3}");
	auth0_pager *gp = NULL;
	auth0_pager_new(&gp, c, auth0_operation_find("users.list"), NULL, pp2, NULL, NULL);
	json_t *gitem = NULL;
	auth0_error *gerr = NULL;
	st = auth0_pager_next(gp, &gitem, &gerr);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "pager_next: a page without users fails");
	is_int(gerr ? gerr->status : 0, 200, "... status 200");
	is_int(gerr ? gerr->attempts : 0, 1, "... one attempt");
	like(gerr ? gerr->message : NULL, "users.list: the page has no \"users\" array",
	     "... the message names the missing array");
	auth0_error_free(gerr);
	gerr = NULL;
	users_page(0, "2", "true", "{'total':1,'users':[{'id':'a'}]}");
	st = auth0_pager_next(gp, &gitem, &gerr);
	ok(st == AUTH0_OK && a0_streq(a0_json_str(gitem, "id"), "a"), "... and asked again, gets page 1");
	json_decref(gitem);
	auth0_error_free(gerr);
	auth0_pager_free(gp);

	fresh();
	users_page(3, "2", "true", "{'start':6,'limit':2,'total':7,'users':[{'id':'g'}]}");
	const auth0_kv from3[] = { { "page", "3" }, { "per_page", "2" }, { NULL, NULL } };
	s = walk(c, "users.list", from3, &nreq, &total, &st);
	is_str(s, "g", "a given start page is honoured");
	is_int(nreq, 1, "and the total ends the walk");
	free(s);

	fresh();
	users_page(0, "2", "true", "{'start':0,'limit':2,'total':9,'users':[{'id':'a'},{'id':'b'}]}");
	stub("{'request':{'method':'GET','urlPath':'/api/v2/users','queryParameters':{'page':{'equalTo':'1'}}},"
	     "'response':{'status':500,'jsonBody':{'statusCode':500,'message':'boom'}}}");
	s = walk(c, "users.list", pp2, &nreq, &total, &st);
	is_int(st, AUTH0_ERR_SERVER, "an error on page 2 stops the walk with that error");
	is_str(s, "a,b", "after the first page's items");
	free(s);

	/* A page that fails is asked for again by the next call: a caller that retries loses no item. */
	fresh();
	users_page(0, "2", "true", "{'total':4,'users':[{'id':'a'},{'id':'b'}]}");
	stub("{'request':{'method':'GET','urlPath':'/api/v2/users','queryParameters':{'page':{'equalTo':'1'}}},"
	     "'response':{'status':429,'headers':{'Retry-After':'0'},'jsonBody':{'statusCode':429,"
	     "'message':'Too Many Requests'}}}");
	auth0_pager *rp = NULL;
	auth0_pager_new(&rp, c, auth0_operation_find("users.list"), NULL, pp2, NULL, NULL);
	auth0_error *rerr = NULL;
	json_t *ritem = NULL;
	a0_buf rb = A0_BUF_INIT;
	for (int i = 0; i < 2 && auth0_pager_next(rp, &ritem, NULL) == AUTH0_OK && ritem; i++) {
		a0_buf_printf(&rb, "%s%s", rb.len ? "," : "", a0_json_str(ritem, "id"));
		json_decref(ritem);
	}
	st = auth0_pager_next(rp, &ritem, &rerr);
	is_int(st, AUTH0_ERR_RATE_LIMITED, "offset: a 429 on page 2 fails the call");
	ok(ritem == NULL, "... with no item");
	auth0_error_free(rerr);
	rerr = NULL;
	/* the newest stub wins in WireMock: page 2 answers now */
	users_page(1, "2", "true", "{'total':4,'users':[{'id':'c'},{'id':'d'}]}");
	while ((st = auth0_pager_next(rp, &ritem, &rerr)) == AUTH0_OK && ritem) {
		a0_buf_printf(&rb, "%s%s", rb.len ? "," : "", a0_json_str(ritem, "id"));
		json_decref(ritem);
	}
	is_int(st, AUTH0_OK, "offset: retrying after the failure walks on");
	s = a0_buf_steal(&rb);
	is_str(s, "a,b,c,d", "... and no item is lost (the old pager ended the list after the failure)");
	free(s);
	json_t *rr = requests("GET", "/api/v2/users");
	is_int((int)json_array_size(rr), 3, "three requests: page 1, page 2 refused, page 2 again");
	like(url_of(json_array_get(rr, 2)), "page=1&", "the retry asks for the same page");
	json_decref(rr);
	auth0_error_free(rerr);
	auth0_pager_free(rp);

	/*
	 * Near INT64_MAX: the offset (page + 1) * per_page and then page + 1
	 * overflow. Each walk must end after its last stubbed page; a wrapped
	 * number would ask for an unstubbed (negative) page and fail.
	 */
	fresh();
	users_big_page("4611686018427387902", "true",
	               "{'total':9223372036854775807,'users':[{'id':'a'},{'id':'b'}]}");
	users_big_page("4611686018427387903", "true",
	               "{'total':9223372036854775807,'users':[{'id':'c'},{'id':'d'}]}");
	const auth0_kv mul_edge[] = { { "page", "4611686018427387902" }, { "per_page", "2" }, { NULL, NULL } };
	s = walk(c, "users.list", mul_edge, &nreq, &total, &st);
	is_int(st, AUTH0_OK, "offset at 2^63: the walk ends cleanly");
	is_str(s, "a,b,c,d", "with the page below and the page at the boundary");
	is_int(nreq, 2, "and no request past it");
	free(s);

	fresh();
	users_big_page("9223372036854775806", "false", "[{'id':'a'},{'id':'b'}]");
	users_big_page("9223372036854775807", "false", "[{'id':'c'},{'id':'d'}]");
	const auth0_kv add_edge[] = { { "page", "9223372036854775806" }, { "per_page", "2" },
		                      { "include_totals", "false" }, { NULL, NULL } };
	s = walk(c, "users.list", add_edge, &nreq, &total, &st);
	is_int(st, AUTH0_OK, "page INT64_MAX: the walk ends cleanly");
	is_str(s, "a,b,c,d", "with both full pages");
	is_int(nreq, 2, "and no page after INT64_MAX");
	free(s);

	/* auth0_pager_next_page */
	fresh();
	users_page(0, "2", "true", "{'total':3,'users':[{'id':'a'},{'id':'b'}]}");
	users_page(1, "2", "true", "{'total':3,'users':[{'id':'c'}]}");
	auth0_pager *pg = NULL;
	auth0_pager_new(&pg, c, auth0_operation_find("users.list"), NULL, pp2, NULL, NULL);
	json_t *items = NULL;
	int pages = 0;
	size_t n = 0;
	while (auth0_pager_next_page(pg, &items, NULL) == AUTH0_OK && items) {
		pages++;
		n += json_array_size(items);
		json_decref(items);
	}
	ok(pages == 2 && n == 3, "next_page: two pages, three items");
	auth0_pager_free(pg);

	/* request options naming what the pager sets on every request would replace its values */
	const char *driven[][2] = { { "users.list", "page" }, { "users.list", "per_page" },
		                        { "organizations.list", "from" } };
	for (size_t i = 0; i < sizeof(driven) / sizeof(driven[0]); i++) {
		const auth0_kv oq[] = { { driven[i][1], "3" }, { NULL, NULL } };
		auth0_request_options ro = { .query = oq };
		auth0_error *err = NULL;
		pg = NULL;
		st = auth0_pager_new(&pg, c, auth0_operation_find(driven[i][0]), NULL, NULL, &ro, &err);
		is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "%s pager: '%s' in the request options is refused", driven[i][0],
		       driven[i][1]);
		is_str(err ? err->option : NULL, driven[i][1], "... naming it");
		ok(pg == NULL, "... and no pager");
		auth0_pager_free(pg);
		auth0_error_free(err);
	}
	const auth0_kv other[] = { { "sort", "email:1" }, { NULL, NULL } };
	auth0_request_options ro = { .query = other };
	pg = NULL;
	is_int(auth0_pager_new(&pg, c, auth0_operation_find("users.list"), NULL, NULL, &ro, NULL), AUTH0_OK,
	       "other request-option query parameters are fine");
	auth0_pager_free(pg);
}

static void orgs_page(const char *from, const char *body)
{
	if (from)
		stub("{'request':{'method':'GET','urlPath':'/api/v2/organizations',"
		     "'queryParameters':{'from':{'equalTo':'%s'}}},'response':{'status':200,'jsonBody':%s}}", from, body);
	else
		stub("{'request':{'method':'GET','urlPath':'/api/v2/organizations',"
		     "'queryParameters':{'from':{'absent':true}}},'response':{'status':200,'jsonBody':%s}}", body);
}

static void test_checkpoint_pager(auth0_client *c)
{
	int nreq;
	auth0_status st;
	fresh();
	orgs_page(NULL, "{'organizations':[{'id':'o1'},{'id':'o2'}],'next':'cur1'}");
	orgs_page("cur1", "{'organizations':[{'id':'o3'}],'next':'cur2'}");
	orgs_page("cur2", "{'organizations':[{'id':'o4'}]}");
	char *s = walk(c, "organizations.list", NULL, &nreq, NULL, &st);
	is_str(s, "o1,o2,o3,o4", "checkpoint: every item");
	is_int(nreq, 3, "until next is absent");
	free(s);
	json_t *r = requests("GET", "/api/v2/organizations");
	is_str(url_of(json_array_get(r, 0)), "/api/v2/organizations?include_totals=true&take=50",
	       "the first request sends no from");
	is_str(url_of(json_array_get(r, 1)), "/api/v2/organizations?include_totals=true&from=cur1&take=50",
	       "then the cursor");
	json_decref(r);

	fresh();
	orgs_page(NULL, "{'organizations':[],'next':'cur1'}");
	orgs_page("cur1", "{'organizations':[{'id':'never'}]}");
	s = walk(c, "organizations.list", NULL, &nreq, NULL, &st);
	ok(st == AUTH0_OK && a0_streq(s, ""), "an empty page ends the walk even with a next cursor");
	is_int(nreq, 1, "one request");
	free(s);

	fresh();
	orgs_page(NULL, "{'organizations':[{'id':'o1'}],'next':''}");
	s = walk(c, "organizations.list", NULL, &nreq, NULL, &st);
	ok(a0_streq(s, "o1") && nreq == 1, "an empty next ends the walk");
	free(s);

	fresh();
	orgs_page(NULL, "{'organizations':[{'id':'o1'}],'next':'cur1'}");
	orgs_page("cur1", "{'next':'cur2'}");
	s = walk(c, "organizations.list", NULL, &nreq, NULL, &st);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "checkpoint: a page without organizations is an invalid response");
	is_int(walk_status, 200, "... with the answer's status");
	is_str(s, "o1", "... after the first page's items");
	free(s);

	fresh();
	orgs_page(NULL, "{}");
	s = walk(c, "organizations.list", NULL, &nreq, NULL, &st);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "checkpoint: an empty object is an invalid response, not an empty list");
	free(s);

	fresh();
	orgs_page(NULL, "{'total':0}");
	s = walk(c, "organizations.list", NULL, &nreq, NULL, &st);
	ok(st == AUTH0_OK && a0_streq(s, "") && nreq == 1, "checkpoint: total 0 without organizations: empty list");
	free(s);

	fresh();
	orgs_page("cur9", "{'organizations':[{'id':'o9'}],'next':'cur9'}");
	const auth0_kv from[] = { { "from", "cur9" }, { "take", "1" }, { NULL, NULL } };
	s = walk(c, "organizations.list", from, &nreq, NULL, &st);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "a cursor that does not move is an error, not a loop");
	is_str(s, "o9", "after the page's items");
	free(s);
	r = requests("GET", "/api/v2/organizations");
	like(url_of(json_array_get(r, 0)), "from=cur9&take=1", "a given from and take are sent");
	json_decref(r);

	/* A -> B -> A: a cursor that comes back later loops as surely as one that comes back at once. */
	fresh();
	orgs_page(NULL, "{'organizations':[{'id':'o1'}],'next':'curA'}");
	orgs_page("curA", "{'organizations':[{'id':'o2'}],'next':'curB'}");
	orgs_page("curB", "{'organizations':[{'id':'o3'}],'next':'curA'}");
	auth0_pager *pg = NULL;
	auth0_error *err = NULL;
	auth0_pager_new(&pg, c, auth0_operation_find("organizations.list"), NULL, NULL, NULL, NULL);
	a0_buf b = A0_BUF_INIT;
	json_t *item = NULL;
	/* capped, so that a pager that loops fails here instead of running forever */
	while ((st = auth0_pager_next(pg, &item, &err)) == AUTH0_OK && item && auth0_pager_requests(pg) < 10) {
		a0_buf_printf(&b, "%s%s", b.len ? "," : "", a0_json_str(item, "id"));
		json_decref(item);
	}
	json_decref(item);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "a cursor that comes back after another is an error");
	like(err ? err->message : NULL, "already", "... saying the cursor was seen before");
	s = a0_buf_steal(&b);
	is_str(s, "o1,o2,o3", "after every page's items, once");
	is_int(auth0_pager_requests(pg), 3, "three requests");
	free(s);
	auth0_error_free(err);
	err = NULL;
	st = auth0_pager_next(pg, &item, &err);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "a cursor loop fails the next call too, not an end of list");
	ok(item == NULL, "... with no item");
	is_int(auth0_pager_requests(pg), 3, "... and no request");
	auth0_error_free(err);
	auth0_pager_free(pg);

	/* A page that fails is asked for again, with the same cursor (auth0_pager_next_page). */
	fresh();
	orgs_page(NULL, "{'organizations':[{'id':'o1'},{'id':'o2'}],'next':'cur1'}");
	stub("{'request':{'method':'GET','urlPath':'/api/v2/organizations','queryParameters':{'from':{'equalTo':"
	     "'cur1'}}},'response':{'status':503,'jsonBody':{'statusCode':503,'message':'Service Unavailable'}}}");
	pg = NULL;
	err = NULL;
	auth0_pager_new(&pg, c, auth0_operation_find("organizations.list"), NULL, NULL, NULL, NULL);
	json_t *items = NULL;
	st = auth0_pager_next_page(pg, &items, &err);
	ok(st == AUTH0_OK && json_array_size(items) == 2, "checkpoint: the first page");
	json_decref(items);
	items = NULL;
	st = auth0_pager_next_page(pg, &items, &err);
	is_int(st, AUTH0_ERR_UNAVAILABLE, "checkpoint: a 503 on page 2 fails the call");
	ok(items == NULL, "... with no page");
	auth0_error_free(err);
	err = NULL;
	orgs_page("cur1", "{'organizations':[{'id':'o3'}]}");
	st = auth0_pager_next_page(pg, &items, &err);
	ok(st == AUTH0_OK && a0_streq(a0_json_str(json_array_get(items, 0), "id"), "o3"),
	   "checkpoint: retrying gets page 2 (the old pager said the list had ended)");
	json_decref(items);
	items = NULL;
	st = auth0_pager_next_page(pg, &items, &err);
	ok(st == AUTH0_OK && items == NULL, "... and then the end");
	r = requests("GET", "/api/v2/organizations");
	is_int((int)json_array_size(r), 3, "three requests");
	like(url_of(json_array_get(r, 2)), "from=cur1", "the retry sends the same cursor");
	json_decref(r);
	auth0_error_free(err);
	auth0_pager_free(pg);
}

/*
 * The Management token's /oauth/token answering 200 without a usable token: the call fails with the
 * answer's status, attempts and rate-limit headers (they were 0 / -1, as if nothing had answered).
 */
static void test_token_answers(void)
{
	fresh();
	stub("{'request':{'method':'POST','urlPath':'/oauth/token'},'response':{'status':200,"
	     "'headers':{'Content-Type':'application/json','X-RateLimit-Limit':'30','X-RateLimit-Remaining':'29',"
	     "'X-RateLimit-Reset':'1700000000'},'jsonBody':{'token_type':'Bearer','expires_in':86400}}}");
	api_stub("tok-1", 200, NULL);
	auth0_client *c = client_with(NULL, "m2m", "m2m-secret");
	auth0_error *err = NULL;
	json_t *out = NULL;
	auth0_status st = auth0_resource_servers_list(c, NULL, NULL, &out, &err);
	is_int(st, AUTH0_ERR_INVALID_RESPONSE, "a token answer without access_token: invalid response");
	ok(out == NULL, "... no answer");
	like(err ? err->message : NULL, "no access_token", "... naming the missing field");
	is_int(err ? err->status : 0, 200, "... with the token answer's status");
	is_int(err ? err->attempts : 0, 1, "... its attempts");
	ok(err && err->rate_limit.limit == 30 && err->rate_limit.remaining == 29 &&
	   err->rate_limit.reset == 1700000000, "... and its rate-limit headers");
	is_int(count("GET", "/api/v2/resource-servers"), 0, "... and the Management API is not called");
	auth0_error_free(err);
	auth0_client_free(c);

	/* A token that cannot be sent (a line break would add header lines) is NO_TOKEN, status 200. */
	fresh();
	stub("{'request':{'method':'POST','urlPath':'/oauth/token'},'response':{'status':200,"
	     "'headers':{'Content-Type':'application/json'},'jsonBody':{'access_token':'tok-1\\r\\nX-Evil: 1',"
	     "'token_type':'Bearer','expires_in':86400}}}");
	c = client_with(NULL, "m2m", "m2m-secret");
	err = NULL;
	st = auth0_resource_servers_list(c, NULL, NULL, &out, &err);
	is_int(st, AUTH0_ERR_NO_TOKEN, "a tenant's token with CR/LF: no token");
	is_int(err ? err->status : 0, 200, "... with the token answer's status");
	is_int(err ? err->attempts : 0, 1, "... and its attempts");
	auth0_error_free(err);
	auth0_client_free(c);
}

static char *crlf_provider(void *userdata, int64_t *expires_at)
{
	(void)userdata;
	(void)expires_at;
	return strdup("tok-a\r\nX-Evil: 1");
}

/* A token with a line break would put header lines of its own into the request. */
static void test_token_characters(void)
{
	fresh();
	api_stub("tok-a", 200, NULL);
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = wm_url();
	o.token_provider = crlf_provider;
	o.management_base_url = base;
	auth0_client *c = NULL;
	auth0_client_new(&c, &o, NULL);
	auth0_error *err = NULL;
	auth0_status st = auth0_resource_servers_list(c, NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_NO_TOKEN, "a provider's token with CR/LF is refused");
	unlike(err ? err->message : NULL, "tok-a", "... without quoting it");
	is_int(count("GET", "/api/v2/resource-servers"), 0, "... and never sent");
	auth0_error_free(err);
	auth0_client_free(c);
}

int main(void)
{
	wm_require();
	snprintf(base, sizeof(base), "%s/api/v2", wm_url());
	auth0_client *c = client_with("static-token", NULL, NULL);
	test_wire_format(c);
	test_bodies(c);
	test_options(c);
	test_answers(c);
	test_retries(c);
	test_offset_pager(c);
	test_checkpoint_pager(c);
	auth0_client_free(c);
	test_renewal();
	test_token_answers();
	test_token_characters();
	return done_testing();
}
