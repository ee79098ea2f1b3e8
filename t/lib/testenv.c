/* Test helpers shared by the C tests (see testenv.h). */
#include "testenv.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tap.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

void t_require_tenant(void)
{
	if (!env("AUTH0_TEST_BASE_URL") || !env("AUTH0_TEST_CA_FILE"))
		skip_all("no fake tenant (run under t/with-tenant)");
}

const char *t_domain(void) { return env("AUTH0_TEST_DOMAIN"); }
const char *t_base_url(void) { return env("AUTH0_TEST_BASE_URL"); }
const char *t_ca_file(void) { return env("AUTH0_TEST_CA_FILE"); }
const char *t_state_dir(void) { return env("AUTH0_TEST_STATE_DIR"); }

void t_options(auth0_client_options *opts)
{
	auth0_client_options_init(opts);
	opts->domain = t_domain();
	opts->ca_file = t_ca_file();
}

auth0_client *t_client(const char *client_id, const char *secret)
{
	auth0_client_options o;
	t_options(&o);
	o.client_id = client_id;
	o.client_secret = secret;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		fprintf(stderr, "t_client: %s\n", err ? err->message : "failed");
		abort();
	}
	return c;
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

json_t *t_control(const char *method, const char *path, const char *json_body)
{
	CURL *h = curl_easy_init();
	char url[1024];
	snprintf(url, sizeof(url), "%s%s", t_base_url(), path);
	struct sink s = { NULL, 0 };
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, t_ca_file());
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
	if (rc == CURLE_OK && status < 300 && s.data)
		j = json_loads(s.data, JSON_DECODE_ANY, NULL);
	if (rc != CURLE_OK || status >= 300)
		diag("control %s %s failed: %s %ld %s", method, path, curl_easy_strerror(rc), status,
		     s.data ? s.data : "");
	free(s.data);
	return j;
}

void t_reset(void)
{
	json_decref(t_control("POST", "/__control/reset", "{}"));
}

long t_counter(const char *key)
{
	json_t *c = t_control("GET", "/__control/counters", NULL);
	long n = (long)json_integer_value(json_object_get(c, key));
	json_decref(c);
	return n;
}

json_t *t_last_request(const char *path)
{
	char url[512];
	char *esc = curl_easy_escape(NULL, path, 0);
	snprintf(url, sizeof(url), "/__control/requests?path=%s&limit=1", esc);
	curl_free(esc);
	json_t *list = t_control("GET", url, NULL);
	json_t *arr = json_is_array(list) ? list : json_object_get(list, "requests");
	json_t *last = json_incref(json_array_get(arr, json_array_size(arr) ? json_array_size(arr) - 1 : 0));
	json_decref(list);
	return last;
}

const char *t_request_header(const json_t *request, const char *name)
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

void t_fault(const char *rule_json)
{
	json_decref(t_control("POST", "/__control/faults", rule_json));
}

char *t_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}
