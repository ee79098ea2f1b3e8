/*
 * The Management API without a server: the operations table, path and query
 * encoding and checking, request headers and options, dynamic routing
 * (auth0_operation_match) including traversal attempts, server-sent events,
 * and the argument checks that must fail before any I/O.
 */
#include "management_internal.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

static const auth0_operation *op(const char *id)
{
	const auth0_operation *o = auth0_operation_find(id);
	if (!o) {
		printf("Bail out! no operation %s\n", id);
		exit(1);
	}
	return o;
}

static char *query(const char *id, const auth0_kv *kv, const auth0_kv *extra, auth0_status *st, char **option)
{
	char *q = NULL;
	auth0_error *err = NULL;
	*st = a0_mgmt_query(op(id), kv, extra, &q, &err);
	*option = err && err->option ? strdup(err->option) : NULL;
	if (err)
		diag("%s", err->message);
	auth0_error_free(err);
	return q;
}

static void test_table(void)
{
	size_t n = 0;
	const auth0_operation *ops = auth0_operations(&n);
	is_int(n, 445, "445 operations");
	bool sorted = true;
	for (size_t i = 1; i < n; i++)
		sorted = sorted && strcmp(ops[i - 1].id, ops[i].id) < 0;
	ok(sorted, "the table is sorted by id, without duplicates");
	const auth0_operation *o = auth0_operation_find("users.roles.assign");
	ok(o && strcmp(o->http_method, "POST") == 0 && strcmp(o->path, "users/{id}/roles") == 0,
	   "find users.roles.assign");
	ok(auth0_operation_find("users.nope") == NULL, "an unknown id is not found");
	ok(auth0_operation_find("") == NULL && auth0_operation_find(NULL) == NULL, "empty and NULL ids are not found");
	o = op("users.list");
	is_int(o->pagination.kind, AUTH0_PAGINATION_OFFSET, "users.list is offset-paginated");
	is_str(o->pagination.item_field, "users", "its items are in users");
	o = op("organizations.list");
	is_int(o->pagination.kind, AUTH0_PAGINATION_CHECKPOINT, "organizations.list is checkpoint-paginated");
	o = op("jobs.users_imports.create");
	ok(o->body_kind == AUTH0_BODY_MULTIPART && a0_streq(o->multipart_file_field, "users"),
	   "jobs.users_imports.create is multipart with a users file");
	ok(op("guardian.policies.set")->body_is_array, "guardian.policies.set takes a bare array");
	is_str(op("users.list_users_by_email")->response_type, "Array[UserResponseSchema]",
	       "users.list_users_by_email documents its answer");
}

static void test_path(void)
{
	char *path = NULL;
	auth0_error *err = NULL;
	const char *v1[] = { "auth0|123", NULL };
	is_int(a0_mgmt_path(op("users.get"), v1, &path, &err), AUTH0_OK, "path with a | value");
	is_str(path, "users/auth0%7C123", "'|' is percent-encoded");
	free(path);
	const char *v2[] = { "a b/c~d*e.f_g-h", "rol_1", NULL };
	a0_mgmt_path(op("users.roles.list"), v2, &path, &err);
	is_str(path, "users/a%20b%2Fc%7Ed*e.f_g-h/roles", "space, slash and tilde are encoded as one segment");
	free(path);
	const char *v3[] = { "org_1", "auth0|9", NULL };
	a0_mgmt_path(op("organizations.members.roles.list"), v3, &path, &err);
	is_str(path, "organizations/org_1/members/auth0%7C9/roles", "two path parameters in order");
	free(path);

	const char *empty[] = { "", NULL };
	is_int(a0_mgmt_path(op("users.get"), empty, &path, &err), AUTH0_ERR_INVALID_ARGUMENT, "an empty value fails");
	ok(path == NULL, "no path on failure");
	is_str(err ? err->option : NULL, "id", "the error names the parameter");
	auth0_error_free(err);
	err = NULL;
	is_int(a0_mgmt_path(op("users.get"), NULL, &path, &err), AUTH0_ERR_INVALID_ARGUMENT, "no values fails");
	auth0_error_free(err);
	err = NULL;
	const char *one[] = { "org_1", NULL };
	is_int(a0_mgmt_path(op("organizations.members.roles.list"), one, &path, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "a missing second value fails");
	is_str(err ? err->option : NULL, "user_id", "naming the second parameter");
	auth0_error_free(err);
	err = NULL;
	const char *dots[] = { "..", NULL };
	is_int(a0_mgmt_path(op("users.get"), dots, &path, &err), AUTH0_ERR_INVALID_ARGUMENT, "'..' is refused");
	auth0_error_free(err);
	err = NULL;
	const char *dot[] = { ".", NULL };
	is_int(a0_mgmt_path(op("users.get"), dot, &path, &err), AUTH0_ERR_INVALID_ARGUMENT, "'.' is refused");
	auth0_error_free(err);
	err = NULL;
	const char *three[] = { "...", NULL };
	is_int(a0_mgmt_path(op("users.get"), three, &path, &err), AUTH0_OK, "'...' is an ordinary value");
	is_str(path, "users/...", "and kept");
	free(path);
}

static void test_query(void)
{
	auth0_status st;
	char *opt = NULL;
	char *q = query("users.list", NULL, NULL, &st, &opt);
	is_str(q, "page=0&per_page=50&include_totals=true", "defaults as the Ruby SDK sends them");
	free(q);

	const auth0_kv given[] = { { "include_totals", "false" }, { "page", "0" }, { "per_page", "0" },
		                       { "q", "email:\"a b\"&x" }, { "search_engine", "v3" }, { NULL, NULL } };
	q = query("users.list", given, NULL, &st, &opt);
	is_str(q, "page=0&per_page=0&include_totals=false&q=email%3A%22a+b%22%26x&search_engine=v3",
	       "false and 0 win over defaults; values are form-encoded; table order");
	free(q);

	const auth0_kv unknown[] = { { "pagee", "1" }, { NULL, NULL } };
	q = query("users.list", unknown, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT && q == NULL, "an unknown name is refused");
	is_str(opt, "pagee", "naming it");
	free(opt);

	const auth0_kv badint[] = { { "page", "1x" }, { NULL, NULL } };
	q = query("users.list", badint, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT, "a bad integer is refused");
	is_str(opt, "page", "naming it");
	free(opt);
	const auth0_kv bigint[] = { { "page", "99999999999999999999" }, { NULL, NULL } };
	q = query("users.list", bigint, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT, "an integer out of range is refused");
	free(opt);
	const auth0_kv negint[] = { { "page", "-1" }, { NULL, NULL } };
	q = query("users.list", negint, NULL, &st, &opt);
	ok(st == AUTH0_OK, "a negative integer is an integer (the API judges it)");
	free(q);
	free(opt);

	const auth0_kv badbool[] = { { "include_totals", "yes" }, { NULL, NULL } };
	q = query("users.list", badbool, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT, "a boolean other than true/false is refused");
	is_str(opt, "include_totals", "naming it");
	free(opt);

	const auth0_kv badenum[] = { { "search_engine", "v4" }, { NULL, NULL } };
	q = query("users.list", badenum, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT, "a value outside the enum is refused");
	free(opt);

	const auth0_kv twice[] = { { "page", "1" }, { "page", "2" }, { NULL, NULL } };
	q = query("users.list", twice, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT, "a non-repeatable parameter given twice is refused");
	free(opt);

	const auth0_kv rep[] = { { "strategy", "ad" }, { "name", "x" }, { "strategy", "auth0" }, { NULL, NULL } };
	q = query("connections.list", rep, NULL, &st, &opt);
	like(q, "strategy=ad&strategy=auth0", "a repeatable parameter is sent as repeated keys");
	unlike(q, "from", "no bare cursor key");
	free(q);
	const auth0_kv badrep[] = { { "strategy", "ad" }, { "strategy", "nope" }, { NULL, NULL } };
	q = query("connections.list", badrep, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT, "every repeated value is checked against the enum");
	free(opt);

	q = query("users.list_users_by_email", NULL, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT, "a required parameter must be given");
	is_str(opt, "email", "naming it");
	free(opt);
	const auth0_kv nullval[] = { { "email", NULL }, { NULL, NULL } };
	q = query("users.list_users_by_email", nullval, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT, "a NULL value counts as not given");
	free(opt);
	const auth0_kv email[] = { { "email", "a+b@example.com" }, { NULL, NULL } };
	q = query("users.list_users_by_email", email, NULL, &st, &opt);
	is_str(q, "email=a%2Bb%40example.com", "'+' and '@' are encoded");
	free(q);

	const auth0_kv extra[] = { { "per_page", "5" }, { "include_totals", NULL }, { "x-extra", "1 2" },
		                       { "per_page", "6" }, { NULL, NULL } };
	q = query("users.list", NULL, extra, &st, &opt);
	is_str(q, "page=0&per_page=5&x-extra=1+2&per_page=6",
	       "extra pairs replace generated ones, NULL removes a default, unknown extras pass");
	free(q);

	const auth0_kv none[] = { { NULL, NULL } };
	q = query("actions.get", none, NULL, &st, &opt);
	is_str(q, "", "an operation without query parameters has an empty query");
	free(q);
	q = query("actions.get", unknown, NULL, &st, &opt);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT, "and refuses any parameter");
	free(opt);
}

static void test_match(void)
{
	char *v[AUTH0_MAX_PATH_PARAMS];
	const auth0_operation *o = auth0_operation_match("GET", "users/auth0%7C123/roles", v);
	is_str(o ? o->id : NULL, "users.roles.list", "GET users/auth0%%7C123/roles");
	is_str(v[0], "auth0|123", "the value is decoded");
	ok(v[1] == NULL, "and NULL-terminated");
	auth0_path_values_free(v);

	o = auth0_operation_match("POST", "users/u1/roles", v);
	is_str(o ? o->id : NULL, "users.roles.assign", "the method selects the operation");
	auth0_path_values_free(v);

	o = auth0_operation_match("GET", "custom-domains/default", v);
	is_str(o ? o->id : NULL, "custom_domains.get_default", "a literal beats a placeholder");
	ok(v[0] == NULL, "no values for an all-literal path");
	o = auth0_operation_match("GET", "custom-domains/cd_1", v);
	is_str(o ? o->id : NULL, "custom_domains.get", "the placeholder takes the rest");
	is_str(v[0], "cd_1", "with its value");
	auth0_path_values_free(v);
	o = auth0_operation_match("GET", "branding/themes/default", v);
	is_str(o ? o->id : NULL, "branding.themes.get_default", "branding/themes/default");
	o = auth0_operation_match("POST", "keys/encryption/rekey", v);
	is_str(o ? o->id : NULL, "keys.encryption.rekey", "keys/encryption/rekey");
	o = auth0_operation_match("POST", "keys/encryption/k1", v);
	is_str(o ? o->id : NULL, "keys.encryption.import", "keys/encryption/{kid}");
	auth0_path_values_free(v);
	o = auth0_operation_match("GET", "organizations/name/members", v);
	is_str(o ? o->id : NULL, "organizations.get_by_name", "the earlier literal wins (organizations/name/{name})");
	is_str(v[0], "members", "name is the last segment");
	auth0_path_values_free(v);
	o = auth0_operation_match("GET", "organizations/org_1/members", v);
	is_str(o ? o->id : NULL, "organizations.members.list", "organizations/{id}/members");
	auth0_path_values_free(v);
	o = auth0_operation_match("DELETE", "users/u1/identities/google-oauth2/123", v);
	ok(o && strcmp(o->id, "users.identities.delete") == 0 && a0_streq(v[0], "u1") &&
	   a0_streq(v[1], "google-oauth2") && a0_streq(v[2], "123") && v[3] == NULL, "three values in order");
	auth0_path_values_free(v);

	o = auth0_operation_match("GET", "users/a%2Fb/roles", v);
	is_str(o ? o->id : NULL, "users.roles.list", "an encoded slash does not split the path");
	is_str(v[0], "a/b", "it is part of the value");
	auth0_path_values_free(v);
	o = auth0_operation_match("GET", "users/a%2F..%2Fclients", v);
	is_str(o ? o->id : NULL, "users.get", "an encoded ../ inside a segment stays one value");
	is_str(v[0], "a/../clients", "decoded but not split");
	auth0_path_values_free(v);

	const char *bad[] = { "users/../clients", "users/..", "users/%2E%2E", "users/%2e", "users/.", "./users",
		                  "users//roles", "/users", "users/", "", "users/a%00b", "users/%zz", "users/%2",
		                  "users?per_page=1", "users#x", "users/u1/roles/../../clients", "nope",
		                  "users/u1/roles/extra/segments/here" };
	for (size_t i = 0; i < A0_ARRAY_LEN(bad); i++) {
		v[0] = (char *)"sentinel";
		o = auth0_operation_match("GET", bad[i], v);
		ok(o == NULL && v[0] == NULL, "GET '%s' matches nothing", bad[i]);
	}
	ok(auth0_operation_match("get", "users", NULL) == NULL, "methods are case-sensitive");
	ok(auth0_operation_match("PUT", "users", NULL) == NULL, "no PUT users");
	ok(auth0_operation_match(NULL, "users", NULL) == NULL, "NULL method");
	ok(auth0_operation_match("GET", NULL, NULL) == NULL, "NULL path");
	o = auth0_operation_match("GET", "users", NULL);
	is_str(o ? o->id : NULL, "users.list", "path_values may be NULL");

	/* Every template matches its own path with placeholder values, and yields them back. */
	size_t n = 0, good = 0;
	const auth0_operation *ops = auth0_operations(&n);
	for (size_t i = 0; i < n; i++) {
		char *p = NULL;
		const char *vals[] = { "v%1", "v 2", "v|3", NULL };
		if (a0_mgmt_path(&ops[i], vals, &p, NULL) != AUTH0_OK)
			continue;
		o = auth0_operation_match(ops[i].http_method, p, v);
		bool same = o == &ops[i];
		for (size_t k = 0; same && ops[i].path_params && ops[i].path_params[k]; k++)
			same = a0_streq(v[k], vals[k]);
		good += same;
		if (!same)
			diag("%s %s -> %s", ops[i].http_method, p, o ? o->id : "nothing");
		auth0_path_values_free(v);
		free(p);
	}
	is_int(good, n, "every operation routes back to itself");
}

static void test_sse(void)
{
	const char *body = ": comment\r\nevent: message\r\ndata: {\"a\":1}\r\nid: 7\r\n\r\n"
	                   "data: line1\ndata: line2\n\ndata: [1,2]\n";
	json_t *ev = a0_sse_parse(body, strlen(body));
	is_int(json_array_size(ev), 3, "three events (the last one without a closing blank line)");
	json_t *e0 = json_array_get(ev, 0);
	is_str(a0_json_str(e0, "event"), "message", "event type");
	is_str(a0_json_str(e0, "id"), "7", "event id");
	ok(json_integer_value(json_object_get(json_object_get(e0, "data"), "a")) == 1, "JSON data is parsed");
	is_str(a0_json_str(json_array_get(ev, 1), "data"), "line1\nline2", "multi-line data joined by newlines");
	is_str(a0_json_str(json_array_get(ev, 1), "event"), "message", "default event type");
	ok(json_is_array(json_object_get(json_array_get(ev, 2), "data")), "array data");
	json_decref(ev);
	ev = a0_sse_parse("", 0);
	ok(json_is_array(ev) && json_array_size(ev) == 0, "an empty stream is an empty array");
	json_decref(ev);
}

static void test_token_rejected(void)
{
	a0_response r;
	memset(&r, 0, sizeof(r));
	r.status = 401;
	r.body = (char *)"{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"Expired token received for JSON Web "
	                 "Token validation\",\"attributes\":{\"error\":\"Expired token\"}}";
	r.len = strlen(r.body);
	ok(a0_mgmt_token_rejected(&r), "401 'Expired token' asks for a new token");
	r.body = (char *)"{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"Invalid token\"}";
	r.len = strlen(r.body);
	ok(a0_mgmt_token_rejected(&r), "401 'Invalid token' too");
	r.body = (char *)"{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"Missing authentication\"}";
	r.len = strlen(r.body);
	ok(!a0_mgmt_token_rejected(&r), "401 'Missing authentication' does not");
	r.status = 403;
	r.body = (char *)"{\"message\":\"Invalid token\"}";
	r.len = strlen(r.body);
	ok(!a0_mgmt_token_rejected(&r), "a 403 never does");
	r.status = 401;
	r.body = (char *)"";
	r.len = 0;
	r.www_authenticate = (char *)"Bearer error=\"invalid_token\"";
	ok(a0_mgmt_token_rejected(&r), "WWW-Authenticate error=invalid_token does");
}

static void test_headers(auth0_client *c)
{
	struct curl_slist *h = NULL;
	auth0_error *err = NULL;
	is_int(a0_mgmt_headers(c, "tok", false, true, NULL, &h, &err), AUTH0_OK, "headers without a body");
	a0_buf all = A0_BUF_INIT;
	for (struct curl_slist *p = h; p; p = p->next)
		a0_buf_printf(&all, "%s\n", p->data);
	is_str(all.data, "Accept: application/json\nAuthorization: Bearer tok\nX-Client: yes\n",
	       "Accept, Authorization, then the client's headers; no Content-Type for multipart (curl's own)");
	a0_buf_free(&all);
	curl_slist_free_all(h);
	h = NULL;
	a0_mgmt_headers(c, "tok", false, false, NULL, &h, &err);
	for (struct curl_slist *p = h; p; p = p->next)
		a0_buf_printf(&all, "%s\n", p->data);
	is_str(all.data, "Accept: application/json\nContent-Type:\nAuthorization: Bearer tok\nX-Client: yes\n",
	       "without a body, curl's default Content-Type is suppressed");
	a0_buf_free(&all);
	curl_slist_free_all(h);
	h = NULL;

	const auth0_kv extra[] = { { "Accept", "text/event-stream" }, { "X-Req", "1" }, { NULL, NULL } };
	auth0_request_options o = { .headers = extra };
	a0_mgmt_headers(c, "tok", true, false, &o, &h, &err);
	for (struct curl_slist *p = h; p; p = p->next)
		a0_buf_printf(&all, "%s\n", p->data);
	is_str(all.data, "Content-Type: application/json\nAuthorization: Bearer tok\nX-Client: yes\n"
	                 "Accept: text/event-stream\nX-Req: 1\n",
	       "Content-Type with a body; a caller's Accept replaces the default");
	a0_buf_free(&all);
	curl_slist_free_all(h);
	h = NULL;

	const char *reserved[] = { "Authorization", "content-type", "Auth0-Client", "Host", "User-Agent" };
	for (size_t i = 0; i < A0_ARRAY_LEN(reserved); i++) {
		const auth0_kv bad[] = { { reserved[i], "x" }, { NULL, NULL } };
		o.headers = bad;
		is_int(a0_mgmt_headers(c, "tok", false, false, &o, &h, &err), AUTH0_ERR_INVALID_ARGUMENT,
		       "header %s is refused", reserved[i]);
		like(err ? err->message : NULL, "cannot be replaced", "with a clear message");
		is_str(err ? err->option : NULL, "headers", "naming the option");
		ok(h == NULL, "and no list");
		auth0_error_free(err);
		err = NULL;
	}
	const auth0_kv crlf[] = { { "X-A", "1\r\nX-B: 2" }, { NULL, NULL } };
	o.headers = crlf;
	is_int(a0_mgmt_headers(c, "tok", false, false, &o, &h, &err), AUTH0_ERR_INVALID_ARGUMENT, "a line break is refused");
	auth0_error_free(err);
}

/* Checks that must fail before any request: the client points at a closed port, so I/O would be a
 * network error instead. */
static void test_early_errors(auth0_client *c)
{
	auth0_error *err = NULL;
	json_t *out = (json_t *)1;
	json_t *body = json_object();
	const char *id[] = { "u1", NULL };
	auth0_status st = auth0_management_call(c, op("users.get"), id, NULL, body, NULL, NULL, &out, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "a body for an operation without one");
	ok(out == NULL, "*out is cleared");
	is_str(err ? err->option : NULL, "body", "naming body");
	auth0_error_free(err);
	const auth0_multipart_part parts[] = { { .name = "users", .value = "x" }, { .name = NULL } };
	st = auth0_management_call(c, op("users.update"), id, NULL, NULL, parts, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "parts for a JSON operation");
	auth0_error_free(err);
	const auth0_multipart_part bad_parts[] = { { .name = "userz", .value = "x" }, { .name = NULL } };
	st = auth0_management_call(c, op("jobs.users_imports.create"), NULL, NULL, NULL, bad_parts, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "an unknown part");
	is_str(err ? err->option : NULL, "userz", "naming it");
	auth0_error_free(err);
	st = auth0_management_call(c, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "no operation");
	auth0_error_free(err);
	st = auth0_management_call(NULL, op("users.list"), NULL, NULL, NULL, NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "no client");
	auth0_error_free(err);

	auth0_request_options o = { .max_retries = AUTH0_INT(11) };
	st = auth0_management_call(c, op("users.list"), NULL, NULL, NULL, NULL, &o, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "max_retries 11");
	is_str(err ? err->option : NULL, "max_retries", "naming max_retries");
	auth0_error_free(err);
	o = (auth0_request_options){ .timeout_ms = -1 };
	st = auth0_management_call(c, op("users.list"), NULL, NULL, NULL, NULL, &o, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "a negative timeout");
	auth0_error_free(err);
	const char *bad_urls[] = { "ftp://x", "http://example.com", "https://x.example?y=1", "https://a b",
		                       "https://user@x.example", "https://", "https:///path" };
	for (size_t i = 0; i < A0_ARRAY_LEN(bad_urls); i++) {
		o = (auth0_request_options){ .base_url = bad_urls[i] };
		st = auth0_management_call(c, op("users.list"), NULL, NULL, NULL, NULL, &o, NULL, &err);
		ok(st == AUTH0_ERR_INVALID_ARGUMENT && err && a0_streq(err->option, "base_url"),
		   "base_url '%s' is refused", bad_urls[i]);
		auth0_error_free(err);
	}
	/*
	 * The Management token goes wherever the request goes: a base URL on another host than the client's
	 * (http://127.0.0.1:1, its domain and Management API here) is refused before any I/O. The old code
	 * sent the request (and the token) there: a network error against these closed loopback ports.
	 */
	const char *other_hosts[] = { "http://localhost:1/api/v2", "http://127.0.0.1:2/api/v2", "http://[::1]:1/api/v2" };
	for (size_t i = 0; i < A0_ARRAY_LEN(other_hosts); i++) {
		o = (auth0_request_options){ .base_url = other_hosts[i] };
		st = auth0_management_call(c, op("users.list"), NULL, NULL, NULL, NULL, &o, NULL, &err);
		ok(st == AUTH0_ERR_INVALID_ARGUMENT && err && a0_streq(err->option, "base_url"),
		   "base_url '%s' (another host) is refused", other_hosts[i]);
		like(err ? err->message : NULL, "allow_other_host", "... saying how to allow it");
		auth0_error_free(err);
		o.allow_other_host = true;
		st = auth0_management_call(c, op("users.list"), NULL, NULL, NULL, NULL, &o, NULL, &err);
		ok(st != AUTH0_ERR_INVALID_ARGUMENT, "... and with allow_other_host it is used (%s)",
		   auth0_status_name(st));
		auth0_error_free(err);
	}
	const char *same_host[] = { "http://127.0.0.1:1/elsewhere/v9", "HTTP://127.0.0.1:1", "http://127.0.0.1:01/x/" };
	for (size_t i = 0; i < A0_ARRAY_LEN(same_host); i++) {
		o = (auth0_request_options){ .base_url = same_host[i] };
		st = auth0_management_call(c, op("users.list"), NULL, NULL, NULL, NULL, &o, NULL, &err);
		ok(st != AUTH0_ERR_INVALID_ARGUMENT, "base_url '%s' (the client's host) is used (%s)", same_host[i],
		   auth0_status_name(st));
		auth0_error_free(err);
	}

	const auth0_kv hdr[] = { { "Authorization", "Bearer mine" }, { NULL, NULL } };
	o = (auth0_request_options){ .headers = hdr };
	st = auth0_management_call(c, op("users.list"), NULL, NULL, NULL, NULL, &o, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "an Authorization header in the options");
	auth0_error_free(err);
	/* a query value is quoted in the message: one line all the same (error.h) */
	const auth0_kv crlf_value[] = { { "page", "1\r\n[error] forged" }, { NULL, NULL } };
	st = auth0_management_call(c, op("users.list"), NULL, crlf_value, NULL, NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "an integer parameter with a line break");
	ok(err && err->message && !strpbrk(err->message, "\r\n"), "... quoted without it (%s)",
	   err && err->message ? err->message : "?");
	auth0_error_free(err);
	const auth0_kv crlf_name[] = { { "x\ny", "1" }, { NULL, NULL } };
	st = auth0_management_call(c, op("users.list"), NULL, crlf_name, NULL, NULL, NULL, NULL, &err);
	ok(st == AUTH0_ERR_INVALID_ARGUMENT && err && err->message && !strchr(err->message, '\n'),
	   "an unknown parameter name with a line break is quoted on one line");
	auth0_error_free(err);

	const auth0_kv q[] = { { "search_engine", "v9" }, { NULL, NULL } };
	st = auth0_management_call(c, op("users.list"), NULL, q, NULL, NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "a bad enum value, before any request");
	auth0_error_free(err);
	st = auth0_management_call(c, op("users.get"), NULL, NULL, NULL, NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "a missing path value");
	is_str(err ? err->option : NULL, "id", "naming it");
	auth0_error_free(err);

	/* Typed wrappers: the same checks. */
	auth0_users_list_query ul = { .search_engine = "v4" };
	st = auth0_users_list(c, &ul, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "typed: enum checked");
	is_str(err ? err->option : NULL, "search_engine", "typed: naming the member");
	auth0_error_free(err);
	st = auth0_users_get(c, "", NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "typed: empty path value");
	auth0_error_free(err);
	st = auth0_users_list_users_by_email(c, NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "typed: a required query member (query NULL)");
	is_str(err ? err->option : NULL, "email", "typed: naming email");
	auth0_error_free(err);

	/* Pager arguments. */
	auth0_pager *pg = NULL;
	is_int(auth0_pager_new(&pg, c, op("users.get"), id, NULL, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "a pager needs a paginated operation");
	auth0_error_free(err);
	const auth0_kv bad_page[] = { { "page", "x" }, { NULL, NULL } };
	is_int(auth0_pager_new(&pg, c, op("users.list"), NULL, bad_page, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "a pager refuses a bad page");
	auth0_error_free(err);
	/* strtoll() clamps these to LLONG_MAX; they must be refused, not walked from there. */
	const auth0_kv huge_page[] = { { "page", "99999999999999999999" }, { NULL, NULL } };
	is_int(auth0_pager_new(&pg, c, op("users.list"), NULL, huge_page, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "a pager refuses a page beyond int64");
	is_str(err ? err->option : NULL, "page", "naming page");
	ok(pg == NULL, "and makes no pager");
	auth0_error_free(err);
	const auth0_kv max1_page[] = { { "page", "9223372036854775808" }, { NULL, NULL } };
	is_int(auth0_pager_new(&pg, c, op("users.list"), NULL, max1_page, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "a pager refuses INT64_MAX + 1 as a page");
	auth0_error_free(err);
	const auth0_kv huge_per_page[] = { { "per_page", "99999999999999999999" }, { NULL, NULL } };
	is_int(auth0_pager_new(&pg, c, op("users.list"), NULL, huge_per_page, NULL, &err),
	       AUTH0_ERR_INVALID_ARGUMENT, "a pager refuses a per_page beyond int64");
	is_str(err ? err->option : NULL, "per_page", "naming per_page");
	auth0_error_free(err);
	const auth0_kv empty_page[] = { { "page", "" }, { NULL, NULL } };
	is_int(auth0_pager_new(&pg, c, op("users.list"), NULL, empty_page, NULL, &err), AUTH0_ERR_INVALID_ARGUMENT,
	       "a pager refuses an empty page rather than reading it as 0");
	auth0_error_free(err);
	const auth0_kv max_page[] = { { "page", "9223372036854775807" }, { "per_page", "9223372036854775807" },
		                      { NULL, NULL } };
	is_int(auth0_pager_new(&pg, c, op("users.list"), NULL, max_page, NULL, &err), AUTH0_OK,
	       "a pager takes INT64_MAX as page and per_page");
	auth0_pager_free(pg);
	auth0_error_free(err);
	json_decref(body);
}

int main(void)
{
	test_table();
	test_path();
	test_query();
	test_match();
	test_sse();
	test_token_rejected();

	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = "http://127.0.0.1:1";
	o.token = "static-token";
	const auth0_kv hdr[] = { { "X-Client", "yes" }, { NULL, NULL } };
	o.management_additional_headers = hdr;
	o.management_max_retries = 0;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		printf("Bail out! %s\n", err ? err->message : "client");
		return 1;
	}
	test_headers(c);
	test_early_errors(c);
	auth0_client_free(c);
	return done_testing();
}
