/*
 * Helpers shared by the Authentication API tests against the fake tenant:
 * clients for the seed applications, reading what the tenant recorded, a
 * tiny "browser" (libcurl without redirects) for the login flows, and
 * checks of the wire format. Header-only; each test program includes it
 * once, after config.h (for strndup and friends).
 */
#ifndef T_AUTH_TEST_H
#define T_AUTH_TEST_H

#include <auth0.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "testenv.h"

#define A_UNUSED __attribute__((unused))

#define T_CALLBACK "https://127.0.0.1:8443/callback"
#define T_ALICE "alice@example.com"
#define T_ALICE_PASSWORD "Alice-Passw0rd!"
#define T_ALICE_ID "auth0|a11ce0000000000000000001"
#define T_MFA_USER "mfa@example.com"
#define T_MFA_PASSWORD "Mfa-Passw0rd!"
#define T_API "https://api.example.com/"

/* A client with options adjusted by the caller; aborts the test program on failure. */
static A_UNUSED auth0_client *a_client_with(const auth0_client_options *o)
{
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, o, &err) != AUTH0_OK) {
		printf("Bail out! cannot create a client: %s\n", err ? err->message : "?");
		exit(1);
	}
	return c;
}

/* The jwt-client with one of the keys make-ca wrote ("client-rs256.key", "client-es256.key"). */
static A_UNUSED auth0_client *a_jwt_client(const char *key_file, const char *alg)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", t_state_dir(), key_file);
	char *pem = t_read_file(path);
	if (!pem) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	auth0_client_options o;
	t_options(&o);
	o.client_id = "jwt-client";
	o.client_assertion_signing_key = pem;
	o.client_assertion_signing_alg = alg;
	auth0_client *c = a_client_with(&o);
	free(pem);
	return c;
}

/* The last recorded request to path (the caller decrefs), with a diagnostic when there is none. */
static A_UNUSED json_t *a_last(const char *path)
{
	json_t *r = t_last_request(path);
	if (!r)
		diag("no recorded request for %s", path);
	return r;
}

static A_UNUSED const char *a_body(const json_t *req)
{
	return json_string_value(json_object_get(req, "body"));
}

/* The recorded body parsed as JSON (the caller decrefs), or NULL. */
static A_UNUSED json_t *a_body_json(const json_t *req)
{
	const char *b = a_body(req);
	return b ? json_loads(b, 0, NULL) : NULL;
}

/* The decoded value of name in an x-www-form-urlencoded string or URL query (malloc()ed), or NULL. */
static A_UNUSED char *a_form_value(const char *form, const char *name)
{
	if (!form)
		return NULL;
	const char *q = strchr(form, '?');
	const char *p = q ? q + 1 : form;
	size_t nlen = strlen(name);
	while (*p) {
		size_t len = strcspn(p, "&#");
		if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			char *raw = strndup(p + nlen + 1, len - nlen - 1);
			for (char *s = raw; *s; s++)
				if (*s == '+')
					*s = ' ';
			int outlen = 0;
			char *dec = curl_easy_unescape(NULL, raw, 0, &outlen);
			char *out = dec ? strdup(dec) : NULL;
			curl_free(dec);
			free(raw);
			return out;
		}
		p += len;
		if (*p == '#')
			break;
		if (*p)
			p++;
	}
	return NULL;
}

/* The names of a form body in order, joined by ','. */
static A_UNUSED char *a_form_names(const char *form)
{
	char *out = calloc(1, strlen(form) + 1);
	const char *p = form;
	while (*p) {
		size_t len = strcspn(p, "&");
		size_t n = strcspn(p, "=");
		if (n > len)
			n = len;
		if (*out)
			strcat(out, ",");
		strncat(out, p, n);
		p += len;
		if (*p)
			p++;
	}
	return out;
}

/* The keys of a JSON object in order, joined by ','. */
static A_UNUSED char *a_json_keys(const json_t *obj)
{
	size_t cap = 1;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
		cap += strlen(key) + 1;
	char *out = calloc(1, cap);
	json_object_foreach((json_t *)obj, key, v) {
		if (*out)
			strcat(out, ",");
		strcat(out, key);
	}
	return out;
}

/*
 * What every Authentication API request must look like: telemetry sent, no
 * JSON null in the body, and no Authorization header unless one is expected
 * ("Basic" or "Bearer" prefix).
 */
static A_UNUSED bool a_has_null(const json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;
	if (json_is_null(j))
		return true;
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v)
			if (a_has_null(v))
				return true;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (a_has_null(v))
				return true;
	}
	return false;
}

static A_UNUSED void a_check_wire(const json_t *req, const char *authorization_prefix, const char *what)
{
	ok(req != NULL, "%s: the tenant recorded the request", what);
	ok(t_request_header(req, "Auth0-Client") != NULL, "%s: Auth0-Client header sent", what);
	const char *body = a_body(req);
	json_t *j = body && *body ? json_loads(body, 0, NULL) : NULL;
	if (j)
		ok(!a_has_null(j), "%s: no null in the JSON body", what);
	else
		ok(!body
		   || (!strstr(body, "=null&") && !(strlen(body) >= 5 && !strcmp(body + strlen(body) - 5, "=null"))),
		   "%s: no null value in the form body", what);
	json_decref(j);
	const char *auth = t_request_header(req, "Authorization");
	if (authorization_prefix)
		ok(auth && strncmp(auth, authorization_prefix, strlen(authorization_prefix)) == 0,
		   "%s: Authorization: %s... sent", what, authorization_prefix);
	else
		ok(auth == NULL, "%s: no Authorization header (got %s)", what, auth ? auth : "none");
}

/* Checks an error: kind, and Auth0's error / error_description when given. Frees it. */
#define a_is_error(err, want_kind, want_error, want_desc, what)                                   \
	do {                                                                                         \
		auth0_error *a_e = (err);                                                                \
		is_int(a_e ? a_e->kind : AUTH0_OK, (want_kind), "%s: %s", (what),                        \
		       auth0_status_name(want_kind));                                                    \
		if (want_error)                                                                          \
			is_str(a_e ? a_e->error : NULL, (const char *)(want_error), "%s: error", (what));    \
		if (want_desc)                                                                           \
			like(a_e ? a_e->error_description : NULL, (const char *)(want_desc),                 \
			     "%s: error_description", (what));                                               \
		if (a_e && a_e->message)                                                                 \
			diag("%s: %s", (what), a_e->message);                                                \
		auth0_error_free(a_e);                                                                   \
		(err) = NULL;                                                                            \
	} while (0)

/* Fails the test with the message when the call did not succeed. */
#define a_ok(st, err, what)                                                                       \
	do {                                                                                         \
		auth0_status a_st = (st);                                                                \
		is_int(a_st, AUTH0_OK, "%s", (what));                                                    \
		if (a_st != AUTH0_OK)                                                                    \
			diag("%s: %s", (what),                                                               \
			     (err) && (err)->message ? (err)->message : auth0_status_name(a_st));            \
		auth0_error_free(err);                                                                   \
		(err) = NULL;                                                                            \
	} while (0)

/* ---- a browser without redirects ------------------------------------------------ */

struct a_page {
	long status;
	char *location; /* Location of a redirect, absolute */
	char *body;
	size_t len;
};

static A_UNUSED size_t a_page_write(char *p, size_t size, size_t n, void *ud)
{
	struct a_page *pg = ud;
	char *d = realloc(pg->body, pg->len + size * n + 1);
	if (!d)
		return 0;
	memcpy(d + pg->len, p, size * n);
	pg->body = d;
	pg->len += size * n;
	pg->body[pg->len] = '\0';
	return size * n;
}

static A_UNUSED void a_page_clear(struct a_page *pg)
{
	free(pg->location);
	free(pg->body);
	memset(pg, 0, sizeof(*pg));
}

/* One GET (form == NULL) or form POST with a cookie jar shared by `browser`; no redirect is followed. */
static A_UNUSED bool a_fetch(CURL *browser, const char *url, const char *form, struct a_page *pg)
{
	memset(pg, 0, sizeof(*pg));
	curl_easy_setopt(browser, CURLOPT_URL, url);
	curl_easy_setopt(browser, CURLOPT_CAINFO, t_ca_file());
	curl_easy_setopt(browser, CURLOPT_PROXY, "");
	curl_easy_setopt(browser, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(browser, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(browser, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(browser, CURLOPT_WRITEFUNCTION, a_page_write);
	curl_easy_setopt(browser, CURLOPT_WRITEDATA, pg);
	if (form)
		curl_easy_setopt(browser, CURLOPT_COPYPOSTFIELDS, form);
	else
		curl_easy_setopt(browser, CURLOPT_HTTPGET, 1L);
	CURLcode rc = curl_easy_perform(browser);
	if (rc != CURLE_OK) {
		diag("browser: %s: %s", url, curl_easy_strerror(rc));
		return false;
	}
	char *loc = NULL;
	curl_easy_getinfo(browser, CURLINFO_RESPONSE_CODE, &pg->status);
	curl_easy_getinfo(browser, CURLINFO_REDIRECT_URL, &loc);
	pg->location = loc ? strdup(loc) : NULL;
	return true;
}

/* Sets (email) or clears (NULL) the tenant's autologin user. */
static A_UNUSED void a_autologin(const char *email)
{
	char body[256];
	if (email)
		snprintf(body, sizeof(body), "{\"email\":\"%s\"}", email);
	else
		snprintf(body, sizeof(body), "{\"email\":null}");
	json_decref(t_control("POST", "/__control/autologin", body));
}

/*
 * Opens an authorize URL as a browser with the autologin user set, and
 * returns the code the tenant sends to the callback (malloc()ed), or NULL.
 * *state_out (may be NULL) receives the state that came back.
 */
static A_UNUSED char *a_code_via_autologin(const char *authorize_url, char **state_out)
{
	CURL *b = curl_easy_init();
	struct a_page pg;
	char *code = NULL;
	if (a_fetch(b, authorize_url, NULL, &pg)) {
		if (pg.status != 302 || !pg.location)
			diag("authorize answered %ld: %.300s", pg.status, pg.body ? pg.body : "");
		code = a_form_value(pg.location, "code");
		if (state_out)
			*state_out = a_form_value(pg.location, "state");
	}
	a_page_clear(&pg);
	curl_easy_cleanup(b);
	return code;
}

/* The tenant's current TOTP code for the MFA user (malloc()ed). */
static A_UNUSED char *a_totp(void)
{
	json_t *j = t_control("GET", "/__control/mfa/totp", NULL);
	char *code = j ? strdup(json_string_value(json_object_get(j, "code"))) : NULL;
	json_decref(j);
	return code;
}

/* The code the tenant "sent" to an email address or phone number (malloc()ed), or NULL. */
static A_UNUSED char *a_sent_otp(const char *kind, const char *to)
{
	char *esc = curl_easy_escape(NULL, to, 0);
	char path[512];
	snprintf(path, sizeof(path), "/__control/otp?%s=%s", kind, esc);
	curl_free(esc);
	json_t *j = t_control("GET", path, NULL);
	const char *code = json_string_value(json_object_get(j, "code"));
	char *out = code ? strdup(code) : NULL;
	json_decref(j);
	return out;
}

static A_UNUSED double a_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

#endif
