/* WireMock admin client for the tests (see wmclient.h). */
#include "wmclient.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tap.h"

const char *wm_url(void)
{
	const char *u = getenv("WIREMOCK_URL");
	return u && *u ? u : NULL;
}

void wm_require(void)
{
	if (!wm_url())
		skip_all("no WireMock (run under t/wire/with-wiremock)");
}

struct sink {
	char *data;
	size_t len;
};

static size_t sink_write(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	char *d = realloc(s->data, s->len + size * n + 1);
	if (!d)
		return 0;
	memcpy(d + s->len, p, size * n);
	s->data = d;
	s->len += size * n;
	s->data[s->len] = '\0';
	return size * n;
}

json_t *wm_admin(const char *method, const char *path, const char *json_body)
{
	if (!wm_url())
		return NULL;
	CURL *h = curl_easy_init();
	if (!h)
		return NULL;
	char url[1024];
	snprintf(url, sizeof(url), "%s%s", wm_url(), path);
	struct sink s = { NULL, 0 };
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	if (json_body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	json_t *j = NULL;
	if (rc == CURLE_OK && status < 300)
		j = s.data && s.len ? json_loads(s.data, JSON_DECODE_ANY, NULL) : json_object();
	else
		diag("WireMock %s %s failed: %s %ld %s", method, path, curl_easy_strerror(rc), status,
		     s.data ? s.data : "");
	free(s.data);
	return j;
}

void wm_reset(void)
{
	json_decref(wm_admin("POST", "/__admin/reset", ""));
}

int wm_stub(const char *mapping_json)
{
	json_t *j = wm_admin("POST", "/__admin/mappings", mapping_json);
	int rc = j ? 0 : -1;
	json_decref(j);
	return rc;
}

json_t *wm_find(const char *pattern_json)
{
	json_t *j = wm_admin("POST", "/__admin/requests/find", pattern_json);
	json_t *reqs = json_incref(json_object_get(j, "requests"));
	json_decref(j);
	return reqs;
}

int wm_count_pattern(const char *pattern_json)
{
	json_t *j = wm_admin("POST", "/__admin/requests/count", pattern_json);
	json_t *n = json_object_get(j, "count");
	int count = json_is_integer(n) ? (int)json_integer_value(n) : -1;
	json_decref(j);
	return count;
}

int wm_count(const char *method, const char *url_path, const char *test_id)
{
	json_t *pattern = json_pack("{s:s, s:s, s:{s:{s:s}}}", "method", method, "urlPath", url_path, "headers",
	                            "X-Test-Id", "equalTo", test_id);
	char *text = json_dumps(pattern, JSON_COMPACT);
	json_decref(pattern);
	json_t *reqs = text ? wm_find(text) : NULL;
	free(text);
	int n = json_is_array(reqs) ? (int)json_array_size(reqs) : -1;
	json_decref(reqs);
	return n;
}

const char *wm_header(const json_t *request, const char *name)
{
	json_t *headers = json_object_get(request, "headers");
	const char *key;
	json_t *v;
	json_object_foreach(headers, key, v) {
		if (strcasecmp(key, name) == 0)
			return json_is_array(v) ? json_string_value(json_array_get(v, 0)) : json_string_value(v);
	}
	return NULL;
}
