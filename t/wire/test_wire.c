/*
 * Wire tests: every mapping of data/auth0-api/wiremock-mappings.json (one
 * per Management API operation) is called through libauth0's typed function
 * of its operation (t/wire/wire_calls.c, generated), against a real WireMock
 * loaded with those mappings (t/wire/run starts it).
 *
 * For each mapping: the call succeeds, its answer parsed, and WireMock's
 * journal holds exactly one request with the case's X-Test-Id at the exact
 * method and URL path the mapping expects (query and path matchers are part
 * of the stub, so a wrong value would have given a 404). At the end the
 * journal of unmatched requests must be empty.
 */
#include <auth0.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "wire_calls.h"
#include "wmclient.h"

int main(void)
{
	wm_require();
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = wm_url();
	o.token = "wire-test-token";
	o.management_base_url = wm_url();
	o.management_max_retries = 0;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		printf("Bail out! client: %s\n", err ? err->message : "?");
		return 1;
	}
	json_decref(wm_admin("DELETE", "/__admin/requests", NULL));

	size_t exercised = 0, passed = 0;
	for (size_t i = 0; i < wire_case_count; i++) {
		const wire_case *w = &wire_cases[i];
		if (!w->call)
			continue;
		exercised++;
		char test_id[160];
		snprintf(test_id, sizeof(test_id), "%s.%zu", w->op_id, i);
		const auth0_kv headers[] = { { "X-Test-Id", test_id }, { NULL, NULL } };
		const auth0_request_options ro = { .headers = headers };
		json_t *out = NULL;
		err = NULL;
		auth0_status st = w->call(c, &ro, &out, &err);
		int count = wm_count(w->method, w->url_path, test_id);
		bool good = st == AUTH0_OK && out != NULL && count == 1;
		ok(good, "%s %s (%s): %s", w->method, w->url_path, w->op_id, w->mapping_name);
		if (!good)
			diag("status %s, %s, answer %s, %d journalled request(s) with X-Test-Id %s",
			     auth0_status_name(st), err && err->message ? err->message : "no error",
			     out ? "parsed" : "missing", count, test_id);
		passed += good;
		json_decref(out);
		auth0_error_free(err);
	}

	/* Which stub served each case: the one generated from, or one that the mappings make ambiguous. */
	json_t *events = wm_admin("GET", "/__admin/requests", NULL);
	json_t *served = json_object();
	json_t *ev;
	size_t k;
	json_array_foreach(json_object_get(events, "requests"), k, ev) {
		const char *tid = wm_header(json_object_get(ev, "request"), "X-Test-Id");
		const char *sid = json_string_value(json_object_get(json_object_get(ev, "stubMapping"), "id"));
		if (tid && sid)
			json_object_set_new(served, tid, json_string(sid));
	}
	size_t same = 0, other = 0;
	for (size_t i = 0; i < wire_case_count; i++) {
		const wire_case *w = &wire_cases[i];
		if (!w->call)
			continue;
		char test_id[160];
		snprintf(test_id, sizeof(test_id), "%s.%zu", w->op_id, i);
		const char *sid = json_string_value(json_object_get(served, test_id));
		if (sid && strcmp(sid, w->mapping_id) == 0) {
			same++;
		} else {
			other++;
			diag("%s %s was served by stub %s, not %s (%s)", w->method, w->url_path, sid ? sid : "none",
			     w->mapping_id, w->mapping_name);
		}
	}
	ok(other == 0, "every request was served by its own mapping (%zu of %zu)", same, same + other);
	json_decref(served);
	json_decref(events);

	json_t *unmatched = wm_admin("GET", "/__admin/requests/unmatched", NULL);
	json_t *list = json_object_get(unmatched, "requests");
	ok(json_is_array(list) && json_array_size(list) == 0, "WireMock saw no unmatched request");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *r = json_array_get(list, i);
		diag("unmatched: %s %s", json_string_value(json_object_get(r, "method")),
		     json_string_value(json_object_get(r, "url")));
	}
	json_decref(unmatched);

	printf("# exercised %zu of %zu mappings (%zu passed)\n", exercised, wire_case_count, passed);
	for (size_t i = 0; i < wire_case_count; i++)
		if (!wire_cases[i].call)
			printf("# left out: %s (%s)\n", wire_cases[i].mapping_name, wire_cases[i].left_out);
	ok(exercised == wire_case_count, "every mapping was exercised");

	auth0_client_free(c);
	return done_testing();
}
