/*
 * Helpers shared by the Authentication API endpoints: argument checks with
 * the Ruby SDK's messages, and the request-body builder that never emits
 * JSON null.
 */
#include "auth_internal.h"

#include <string.h>

void a0_fields_init(a0_fields *f)
{
	f->json = json_object();
	f->bad = NULL;
	f->failed = f->json == NULL;
}

void a0_fields_json(a0_fields *f, const char *key, json_t *value)
{
	if (!value)
		return;
	if (f->failed || f->bad)
		json_decref(value);
	else if (json_object_set_new(f->json, key, value) != 0) /* steals value even on failure */
		f->failed = true;
}

void a0_fields_str(a0_fields *f, const char *key, const char *value)
{
	if (!value || f->failed || f->bad)
		return;
	/* jansson refuses invalid UTF-8: the caller's mistake, unless memory ran out. */
	bool oom = false;
	json_t *s = a0_json_stringn(value, strlen(value), &oom);
	if (!s) {
		if (oom)
			f->failed = true;
		else
			f->bad = key;
		return;
	}
	a0_fields_json(f, key, s);
}

void a0_fields_int(a0_fields *f, const char *key, int64_t value)
{
	if (f->failed || f->bad)
		return;
	json_t *n = json_integer((json_int_t)value);
	if (!n)
		f->failed = true;
	else
		a0_fields_json(f, key, n);
}

auth0_status a0_fields_check(const a0_fields *f, auth0_error **err)
{
	if (f->failed)
		return a0_oom(err);
	if (f->bad)
		return a0_fail_arg(err, f->bad, "parameter '%s' is not valid UTF-8", f->bad);
	return AUTH0_OK;
}

void a0_fields_clear(a0_fields *f)
{
	/* The body may hold passwords, codes or tokens. */
	a0_json_free_secret(f->json);
	f->json = NULL;
}

auth0_status a0_auth_begin(auth0_client *c, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (!c)
		return a0_fail_arg(err, "client", "no client was given");
	return AUTH0_OK;
}

auth0_status a0_require(const char *value, const char *option, const char *message, auth0_error **err)
{
	if (a0_empty(value))
		return a0_fail_arg(err, option, "%s", message);
	return AUTH0_OK;
}

auth0_status a0_require_out(const void *out, const char *option, auth0_error **err)
{
	if (!out)
		return a0_fail_arg(err, option, "no output pointer for '%s' was given", option);
	return AUTH0_OK;
}

auth0_status a0_require_client_id(const auth0_client *c, auth0_error **err)
{
	if (a0_empty(c->client_id))
		return a0_fail_arg(err, "client_id", "option 'client_id' is required for this call");
	return AUTH0_OK;
}

void a0_json_copy_int(const json_t *obj, const char *key, int64_t *out)
{
	int64_t v;
	if (a0_json_int(obj, key, &v))
		*out = v;
}

void a0_poll_timing(const json_t *answer, int64_t *expires_in, int64_t *interval)
{
	/* A caller sleeps `interval` between polls and stops after `expires_in`: 0, a negative number
	 * or 2^63-1 from the server would make it spin, or wait forever. */
	int64_t v;
	*interval = A0_POLL_INTERVAL_DEFAULT;
	if (a0_json_int(answer, "interval", &v) && v >= 1)
		*interval = v < A0_POLL_INTERVAL_MAX ? v : A0_POLL_INTERVAL_MAX;
	*expires_in = 0;
	if (a0_json_int(answer, "expires_in", &v) && v >= 1)
		*expires_in = v < A0_POLL_EXPIRES_MAX ? v : A0_POLL_EXPIRES_MAX;
}
