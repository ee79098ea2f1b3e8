/*
 * The Management API against the fake tenant's /api/v2 subset: real token
 * issuance and verification, path encoding through real routing, the 401
 * renew-and-retry-once rule with a token that the tenant issues already
 * expired, 429/503 retries with Retry-After (faults), and both pagers over
 * real data. Skipped when no tenant runs or it has no Management API.
 */
#include "config.h"

#include <auth0.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "testenv.h"

static auth0_client *m2m(void)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = T_M2M_CLIENT_ID;
	o.client_secret = T_M2M_CLIENT_SECRET;
	o.management_max_retries = 0;
	o.max_retry_delay_ms = 3000;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		printf("Bail out! %s\n", err ? err->message : "client");
		exit(1);
	}
	return c;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	t_require_tenant();
	t_reset();
	auth0_client *c = m2m();
	auth0_error *err = NULL;
	json_t *out = NULL;

	/* users-by-email (a required query parameter), then users/{id} with an id that needs encoding. */
	auth0_users_list_users_by_email_query eq = { .email = "Alice@Example.com" };
	auth0_status st = auth0_users_list_users_by_email(c, &eq, NULL, &out, &err);
	if (st == AUTH0_ERR_NOT_FOUND) {
		auth0_error_free(err);
		auth0_client_free(c);
		skip_all("the fake tenant has no Management API");
	}
	is_int(st, AUTH0_OK, "users.list_users_by_email on the tenant");
	if (err)
		diag("%s", err->message);
	auth0_error_free(err);
	err = NULL;
	const char *id = json_string_value(json_object_get(json_array_get(out, 0), "user_id"));
	ok(id && strchr(id, '|'), "alice's id has a '|' (%s)", id ? id : "none");
	char *user_id = id ? strdup(id) : NULL;
	json_decref(out);
	out = NULL;
	st = auth0_users_get(c, user_id ? user_id : "x", NULL, NULL, &out, &err);
	is_int(st, AUTH0_OK, "users.get with the encoded id");
	is_str(json_string_value(json_object_get(out, "email")), "alice@example.com", "it is alice");
	json_decref(out);
	out = NULL;
	auth0_error_free(err);
	err = NULL;
	is_int(t_counter("POST /oauth/token"), 1, "one token for both calls");

	/* 401 renewal: the next access token is issued already expired (lifetime 86400 s - 90000 s). */
	auth0_client_free(c);
	t_reset();
	json_decref(t_control("POST", "/__control/tokens", "{\"which\":\"access\",\"exp_offset\":-90000}"));
	c = m2m();
	auth0_users_list_query lq = { .per_page = AUTH0_INT(1) };
	st = auth0_users_list(c, &lq, NULL, &out, &err);
	is_int(st, AUTH0_OK, "an expired token is renewed and the request repeated");
	if (err)
		diag("%s", err->message);
	auth0_error_free(err);
	err = NULL;
	json_decref(out);
	out = NULL;
	is_int(t_counter("POST /oauth/token"), 2, "two token requests");
	is_int(t_counter("GET /api/v2/users"), 2, "two list requests");

	/* Retries on 429 and 503 with Retry-After. */
	t_reset();
	t_fault("{\"method\":\"GET\",\"path\":\"/api/v2/users\",\"status\":429,\"headers\":{\"Retry-After\":\"1\"},"
	        "\"body\":{\"statusCode\":429,\"error\":\"Too Many Requests\",\"message\":\"slow down\"},\"times\":1}");
	auth0_request_options ro = { .max_retries = AUTH0_INT(2) };
	double t0 = now_s();
	st = auth0_users_list(c, &lq, &ro, &out, &err);
	double dt = now_s() - t0;
	is_int(st, AUTH0_OK, "429 then success");
	ok(dt >= 0.9, "after waiting for Retry-After (%.2f s)", dt);
	is_int(t_counter("GET /api/v2/users"), 2, "two attempts");
	json_decref(out);
	out = NULL;
	auth0_error_free(err);
	err = NULL;

	t_reset();
	t_fault("{\"method\":\"GET\",\"path\":\"/api/v2/users\",\"status\":503,\"headers\":{\"Retry-After\":\"1\"},"
	        "\"body\":{\"statusCode\":503,\"error\":\"Service Unavailable\",\"message\":\"down\"},\"times\":0}");
	ro = (auth0_request_options){ .max_retries = AUTH0_INT(1) };
	st = auth0_users_list(c, &lq, &ro, &out, &err);
	is_int(st, AUTH0_ERR_UNAVAILABLE, "503 every time -> AUTH0_ERR_UNAVAILABLE");
	is_int(err ? err->attempts : 0, 2, "after 1 + max_retries attempts");
	is_int(t_counter("GET /api/v2/users"), 2, "counted by the tenant");
	auth0_error_free(err);
	err = NULL;
	json_decref(t_control("DELETE", "/__control/faults", NULL));

	/* Offset pager over the seeded users, one per page. */
	t_reset();
	auth0_pager *pg = NULL;
	const auth0_kv pq[] = { { "per_page", "1" }, { NULL, NULL } };
	st = auth0_pager_new(&pg, c, auth0_operation_find("users.list"), NULL, pq, NULL, &err);
	int n = 0;
	bool alice = false;
	json_t *item = NULL;
	while (st == AUTH0_OK && (st = auth0_pager_next(pg, &item, &err)) == AUTH0_OK && item) {
		n++;
		const char *email = json_string_value(json_object_get(item, "email"));
		alice = alice || (email && strcmp(email, "alice@example.com") == 0);
		json_decref(item);
	}
	is_int(st, AUTH0_OK, "offset walk over the tenant's users");
	ok(n >= 3 && alice, "every seeded user (%d), alice among them", n);
	is_int(auth0_pager_total(pg), n, "as many as the announced total");
	is_int(auth0_pager_requests(pg), n, "one request per user: no extra empty page");
	is_int(t_counter("GET /api/v2/users"), n, "the tenant agrees");
	auth0_pager_free(pg);
	auth0_error_free(err);
	err = NULL;

	/* Checkpoint pager over the organizations. */
	const auth0_kv oq[] = { { "take", "1" }, { NULL, NULL } };
	st = auth0_pager_new(&pg, c, auth0_operation_find("organizations.list"), NULL, oq, NULL, &err);
	bool acme = false;
	n = 0;
	while (st == AUTH0_OK && (st = auth0_pager_next(pg, &item, &err)) == AUTH0_OK && item) {
		n++;
		const char *oid = json_string_value(json_object_get(item, "id"));
		acme = acme || (oid && strcmp(oid, "org_acme123") == 0);
		json_decref(item);
	}
	is_int(st, AUTH0_OK, "checkpoint walk over the organizations");
	if (err)
		diag("%s", err->message);
	ok(acme, "org_acme123 is listed (%d organizations)", n);
	auth0_pager_free(pg);
	auth0_error_free(err);

	free(user_id);
	auth0_client_free(c);
	return done_testing();
}
