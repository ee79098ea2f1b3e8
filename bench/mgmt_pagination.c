/*
 * bench/mgmt_pagination: lists every user of the fake tenant with libauth0's
 * offset pager (users.list, include_totals), page by page, and reports
 * pages/s and the TCP connections libcurl opened. For comparison it then
 * fetches the same pages with a new client per page, which is what the Ruby
 * SDK does (one connection per Management request).
 *
 *   mgmt_pagination DOMAIN CA_FILE [PER_PAGE] [BASELINE_PAGES]
 *
 * The M2M client demo-m2m-client gets the token (client credentials); the
 * token request is made before the clock starts.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static auth0_client *make_client(const char *domain, const char *ca, const char *token)
{
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = domain;
	o.ca_file = ca;
	if (token) {
		o.token = token;
	} else {
		o.client_id = "demo-m2m-client";
		o.client_secret = "demo-m2m-secret";
	}
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		fprintf(stderr, "mgmt_pagination: %s\n", err ? err->message : "client");
		exit(1);
	}
	return c;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mgmt_pagination DOMAIN CA_FILE [PER_PAGE] [BASELINE_PAGES]\n");
		return 2;
	}
	const char *per_page = argc > 3 ? argv[3] : "100";
	int baseline_pages = argc > 4 ? atoi(argv[4]) : 20;
	auth0_client *c = make_client(argv[1], argv[2], NULL);
	auth0_error *err = NULL;
	char *token = NULL;
	if (auth0_management_token(c, &token, NULL, &err) != AUTH0_OK) {
		fprintf(stderr, "mgmt_pagination: token: %s\n", err ? err->message : "?");
		return 1;
	}
	long conn0 = a0_http_connects(c);

	const auth0_kv q[] = { { "per_page", per_page }, { "fields", "user_id,email" }, { NULL, NULL } };
	auth0_pager *pg = NULL;
	double t0 = now_s();
	auth0_status st = auth0_pager_new(&pg, c, auth0_operation_find("users.list"), NULL, q, NULL, &err);
	long users = 0;
	json_t *items = NULL;
	while (st == AUTH0_OK && (st = auth0_pager_next_page(pg, &items, &err)) == AUTH0_OK && items) {
		users += (long)json_array_size(items);
		json_decref(items);
	}
	double dt = now_s() - t0;
	if (st != AUTH0_OK) {
		fprintf(stderr, "mgmt_pagination: %s\n", err ? err->message : "?");
		return 1;
	}
	int pages = auth0_pager_requests(pg);
	long conns = a0_http_connects(c) - conn0;
	printf("pager (one client, kept-alive connection):\n");
	printf("  users listed:           %ld (total announced %lld)\n", users, (long long)auth0_pager_total(pg));
	printf("  pages:                  %d of per_page %s\n", pages, per_page);
	printf("  time:                   %.3f s\n", dt);
	printf("  pages/s:                %.1f\n", pages / dt);
	printf("  users/s:                %.0f\n", users / dt);
	printf("  TCP connections opened: %ld (+%ld for the token request before)\n", conns, conn0);
	auth0_pager_free(pg);

	/* Baseline: a new client (so a new TCP + TLS connection) for each page. */
	if (baseline_pages > 0) {
		long bconns = 0;
		t0 = now_s();
		for (int p = 0; p < baseline_pages; p++) {
			auth0_client *fresh = make_client(argv[1], argv[2], token);
			auth0_users_list_query lq = { .page = AUTH0_INT(p), .per_page = AUTH0_INT(atoi(per_page)),
				                          .fields = "user_id,email" };
			json_t *out = NULL;
			if (auth0_users_list(fresh, &lq, NULL, &out, &err) != AUTH0_OK) {
				fprintf(stderr, "mgmt_pagination: baseline: %s\n", err ? err->message : "?");
				return 1;
			}
			json_decref(out);
			bconns += a0_http_connects(fresh);
			auth0_client_free(fresh);
		}
		dt = now_s() - t0;
		printf("baseline (a new client per page, as the Ruby SDK's one connection per request):\n");
		printf("  pages:                  %d\n", baseline_pages);
		printf("  pages/s:                %.1f\n", baseline_pages / dt);
		printf("  TCP connections opened: %ld\n", bconns);
	}
	a0_free_secret(token);
	auth0_client_free(c);
	return 0;
}
