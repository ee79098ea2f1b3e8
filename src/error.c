/* The error model: construction, mapping of HTTP answers, names. */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * The error handed back when memory runs out while an error is being made:
 * shared, never freed (auth0_error_free() skips it), never written to, so that
 * a failed call always sets *err and err->message is never NULL.
 */
static auth0_error oom_error = {
	.kind = AUTH0_ERR_NO_MEMORY,
	.message = (char *)"out of memory",
	.rate_limit = { -1, -1, -1 },
	.retry_after = -1,
};

auth0_status a0_error_oom(auth0_error **err)
{
	if (err)
		*err = &oom_error;
	return AUTH0_ERR_NO_MEMORY;
}

auth0_error *a0_error_writable(auth0_error **err)
{
	return err && *err && *err != &oom_error ? *err : NULL;
}

a0_answer a0_answer_of(const a0_response *resp)
{
	return (a0_answer){
		.status = resp->status,
		.attempts = resp->attempts,
		.rate_limit = resp->rate_limit,
		.retry_after = resp->retry_after,
	};
}

void a0_error_set_answer(auth0_error **err, const a0_answer *answer)
{
	auth0_error *e = a0_error_writable(err);
	if (!e || !answer)
		return;
	e->status = answer->status;
	e->attempts = answer->attempts;
	e->rate_limit = answer->rate_limit;
	e->retry_after = answer->retry_after;
}

auth0_error *a0_error_new(auth0_status kind)
{
	auth0_error *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->kind = kind;
	e->rate_limit.limit = e->rate_limit.remaining = e->rate_limit.reset = -1;
	e->retry_after = -1;
	return e;
}

void auth0_error_free(auth0_error *err)
{
	if (!err || err == &oom_error)
		return;
	free(err->message);
	free(err->error);
	free(err->error_description);
	free(err->api_message);
	free(err->error_code);
	free(err->option);
	a0_free_secret(err->raw_body);
	free(err->content_type);
	a0_json_free_secret(err->body); /* e.g. the mfa_token of an mfa_required answer */
	free(err);
}

/*
 * Copies printable ASCII only (whatever the locale), so that a hostile body or a caller's text cannot
 * forge log lines: error messages are one line, safe to log (error.h).
 */
static void append_clean(a0_buf *b, const char *s, size_t max)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n < max; p++, n++)
		a0_buf_putc(b, *p >= 0x20 && *p < 0x7f ? (char)*p : '?');
	if (*s && strlen(s) > max)
		a0_buf_puts(b, "...");
}

static auth0_status fail_v(auth0_error **err, auth0_status kind, const char *option, auth0_token_rule rule,
                           const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static auth0_status fail_v(auth0_error **err, auth0_status kind, const char *option, auth0_token_rule rule,
                           const char *fmt, va_list ap)
{
	if (!err)
		return kind;
	auth0_error *e = a0_error_new(kind);
	if (!e)
		return a0_error_oom(err);
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* the arguments may be the caller's text (a header name, a query value, a file name) */
	a0_buf clean = A0_BUF_INIT;
	append_clean(&clean, msg, sizeof(msg));
	e->message = a0_buf_steal(&clean);
	e->option = a0_strdup(option);
	e->rule = rule;
	if (!e->message || (option && !e->option)) {
		auth0_error_free(e);
		return a0_error_oom(err);
	}
	*err = e;
	return kind;
}

auth0_status a0_fail(auth0_error **err, auth0_status kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	auth0_status st = fail_v(err, kind, NULL, AUTH0_RULE_NONE, fmt, ap);
	va_end(ap);
	return st;
}

auth0_status a0_fail_arg(auth0_error **err, const char *option, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	auth0_status st = fail_v(err, AUTH0_ERR_INVALID_ARGUMENT, option, AUTH0_RULE_NONE, fmt, ap);
	va_end(ap);
	return st;
}

auth0_status a0_fail_token(auth0_error **err, auth0_token_rule rule, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	auth0_status st = fail_v(err, AUTH0_ERR_INVALID_TOKEN, NULL, rule, fmt, ap);
	va_end(ap);
	return st;
}

auth0_status a0_fail_answer(auth0_error **err, const a0_answer *answer, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	auth0_status st = fail_v(err, AUTH0_ERR_INVALID_RESPONSE, NULL, AUTH0_RULE_NONE, fmt, ap);
	va_end(ap);
	/* leaves alone the shared out-of-memory error that fail_v() falls back on (st is then NO_MEMORY) */
	a0_error_set_answer(err, answer);
	return st;
}

auth0_status a0_oom(auth0_error **err)
{
	return a0_fail(err, AUTH0_ERR_NO_MEMORY, "out of memory");
}

auth0_status a0_oom_answer(auth0_error **err, const char *method, const char *log_path)
{
	return a0_fail(err, AUTH0_ERR_NO_MEMORY, "%s %s: out of memory while reading the answer", method, log_path);
}

auth0_status a0_status_for_http(long status)
{
	switch (status) {
	case 400: return AUTH0_ERR_BAD_REQUEST;
	case 401: return AUTH0_ERR_UNAUTHORIZED;
	case 403: return AUTH0_ERR_FORBIDDEN;
	case 404: return AUTH0_ERR_NOT_FOUND;
	case 409: return AUTH0_ERR_CONFLICT;
	case 429: return AUTH0_ERR_RATE_LIMITED;
	case 503: return AUTH0_ERR_UNAVAILABLE;
	default:
		if (status >= 400 && status < 500)
			return AUTH0_ERR_CLIENT;
		if (status >= 500 && status < 600)
			return AUTH0_ERR_SERVER;
		if (status >= 200 && status < 300)
			return AUTH0_OK;
		return AUTH0_ERR_UNEXPECTED_STATUS;
	}
}

/* A string member, or a description object rendered compactly (dbconnections
 * password-strength errors carry an object there). *failed when memory ran out copying it. */
static char *json_text(const json_t *body, const char *key, bool *failed)
{
	json_t *v = json_object_get(body, key);
	char *text = NULL;
	if (json_is_string(v))
		text = strdup(json_string_value(v));
	else if (json_is_object(v) || json_is_array(v))
		text = a0_json_dump(v);
	else
		return NULL;
	if (!text)
		*failed = true;
	return text;
}

/* What a WWW-Authenticate parameter may give an error: printable ASCII, this long at most. */
#define A0_CHALLENGE_VALUE_MAX 512

/* RFC 9110 5.6.2 tchar */
static bool is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * error and error_description of a Bearer challenge (RFC 6750 3), which is
 * where a resource server such as /userinfo says why it refused a token:
 *   Bearer realm="...", error="invalid_token", error_description="..."
 * Values are tokens or quoted strings (RFC 9110 5.6.4, backslash escapes
 * undone). A value with anything but printable ASCII, or longer than
 * A0_CHALLENGE_VALUE_MAX, is dropped rather than repaired; parsing stops at
 * the next challenge or at anything malformed.
 */
static void from_bearer_challenge(auth0_error *e, const char *h)
{
	const char *p = skip_ows(h);
	if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] && p[6] != ' ' && p[6] != '\t'))
		return;
	p += 6;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *name = p;
		while (is_tchar((unsigned char)*p))
			p++;
		size_t name_len = (size_t)(p - name);
		p = skip_ows(p);
		if (name_len == 0 || *p != '=')
			return; /* the end, or the scheme of another challenge */
		p = skip_ows(p + 1);
		char value[A0_CHALLENGE_VALUE_MAX + 1];
		size_t n = 0;
		bool keep = true;
		bool quoted = *p == '"';
		if (quoted)
			p++;
		while (*p && (quoted ? *p != '"' : is_tchar((unsigned char)*p))) {
			if (quoted && *p == '\\' && p[1])
				p++;
			unsigned char ch = (unsigned char)*p++;
			if (n < A0_CHALLENGE_VALUE_MAX && ch >= 0x20 && ch < 0x7f)
				value[n++] = (char)ch;
			else
				keep = false;
		}
		if (quoted && *p++ != '"')
			return; /* unterminated */
		value[n] = '\0';
		char **field = name_len == 5 && strncasecmp(name, "error", 5) == 0                ? &e->error
		             : name_len == 17 && strncasecmp(name, "error_description", 17) == 0 ? &e->error_description
		                                                                                  : NULL;
		if (field && !*field && keep && n > 0)
			*field = strdup(value);
	}
}

/* What an error keeps of a body that is not a JSON object. */
#define A0_RAW_BODY_MAX 4096

auth0_status a0_error_from_response(auth0_error **err, const a0_response *resp, const char *method,
                                    const char *log_path)
{
	auth0_status kind = a0_status_for_http(resp->status);
	if (kind == AUTH0_OK)
		kind = AUTH0_ERR_UNEXPECTED_STATUS; /* a 2xx the caller could not accept */
	if (!err)
		return kind;
	auth0_error *e = a0_error_new(kind);
	if (!e)
		return a0_error_oom(err);
	e->status = resp->status;
	e->rate_limit = resp->rate_limit;
	e->retry_after = resp->retry_after;
	e->attempts = resp->attempts;

	/* What the tenant said (an mfa_token, say) is never lost silently: when memory runs out reading it, the
	 * error is an out-of-memory one rather than half of this one. */
	bool oom = false;
	if (resp->body && resp->len > 0) {
		json_t *body = a0_json_load(resp->body, resp->len, 0, NULL, &oom);
		if (json_is_object(body)) {
			e->body = body;
			e->error = json_text(body, "error", &oom);
			e->error_description = json_text(body, "error_description", &oom);
			e->api_message = json_text(body, "message", &oom);
			if (!e->api_message)
				e->api_message = json_text(body, "description", &oom);
			e->error_code = json_text(body, "errorCode", &oom);
			if (!e->error_code)
				e->error_code = json_text(body, "code", &oom);
		} else if (!oom) {
			json_decref(body);
			size_t keep = resp->len < A0_RAW_BODY_MAX ? resp->len : A0_RAW_BODY_MAX;
			e->raw_body = a0_strndup(resp->body, keep);
			e->content_type = resp->content_type ? strdup(resp->content_type) : NULL;
			oom = !e->raw_body || (resp->content_type && !e->content_type);
		}
	}
	if (oom) {
		auth0_error_free(e);
		return a0_fail(err, AUTH0_ERR_NO_MEMORY, "%s %s: HTTP %ld: out of memory while reading the answer", method,
		               log_path, resp->status);
	}

	/* A 401 from /userinfo has "Unauthorized" for a body and its reason in the challenge. */
	if (!e->error && resp->www_authenticate)
		from_bearer_challenge(e, resp->www_authenticate);

	a0_buf m = A0_BUF_INIT;
	a0_buf_printf(&m, "%s %s: HTTP %ld", method, log_path, resp->status);
	const char *what = e->error_code ? e->error_code : e->error;
	const char *detail = e->error_description ? e->error_description : e->api_message;
	if (what) {
		a0_buf_puts(&m, " ");
		append_clean(&m, what, 100);
	}
	if (detail) {
		a0_buf_puts(&m, ": ");
		append_clean(&m, detail, 300);
	}
	if (!e->body && resp->body && resp->content_type &&
	    strncmp(resp->content_type, "text/plain", 10) == 0) {
		a0_buf_puts(&m, ": ");
		append_clean(&m, resp->body, 200);
	}
	if (kind == AUTH0_ERR_RATE_LIMITED && e->rate_limit.reset >= 0)
		a0_buf_printf(&m, " (rate limit resets at %lld)", (long long)e->rate_limit.reset);
	if (resp->attempts > 1)
		a0_buf_printf(&m, " after %d attempts", resp->attempts);
	e->message = a0_buf_steal(&m);
	if (!e->message) {
		auth0_error_free(e);
		return a0_error_oom(err);
	}
	*err = e;
	return kind;
}

const char *auth0_status_name(auth0_status status)
{
	switch (status) {
	case AUTH0_OK: return "ok";
	case AUTH0_ERR_INVALID_ARGUMENT: return "invalid_argument";
	case AUTH0_ERR_NO_MEMORY: return "no_memory";
	case AUTH0_ERR_NETWORK: return "network";
	case AUTH0_ERR_TIMEOUT: return "timeout";
	case AUTH0_ERR_BAD_REQUEST: return "bad_request";
	case AUTH0_ERR_UNAUTHORIZED: return "unauthorized";
	case AUTH0_ERR_FORBIDDEN: return "forbidden";
	case AUTH0_ERR_NOT_FOUND: return "not_found";
	case AUTH0_ERR_CONFLICT: return "conflict";
	case AUTH0_ERR_RATE_LIMITED: return "rate_limited";
	case AUTH0_ERR_CLIENT: return "client_error";
	case AUTH0_ERR_SERVER: return "server_error";
	case AUTH0_ERR_UNAVAILABLE: return "service_unavailable";
	case AUTH0_ERR_UNEXPECTED_STATUS: return "unexpected_status";
	case AUTH0_ERR_INVALID_RESPONSE: return "invalid_response";
	case AUTH0_ERR_INVALID_TOKEN: return "invalid_token";
	case AUTH0_ERR_NO_TOKEN: return "no_token";
	case AUTH0_ERR_INTERNAL: return "internal";
	case AUTH0_ERR_TLS: return "tls";
	}
	return "unknown";
}

const char *auth0_token_rule_name(auth0_token_rule rule)
{
	switch (rule) {
	case AUTH0_RULE_NONE: return "none";
	case AUTH0_RULE_DECODE: return "decode";
	case AUTH0_RULE_ALGORITHM: return "algorithm";
	case AUTH0_RULE_KEY: return "key";
	case AUTH0_RULE_SIGNATURE: return "signature";
	case AUTH0_RULE_ISSUER: return "issuer";
	case AUTH0_RULE_SUBJECT: return "subject";
	case AUTH0_RULE_AUDIENCE: return "audience";
	case AUTH0_RULE_EXPIRED: return "expired";
	case AUTH0_RULE_ISSUED_AT: return "issued_at";
	case AUTH0_RULE_NOT_BEFORE: return "not_before";
	case AUTH0_RULE_NONCE: return "nonce";
	case AUTH0_RULE_AUTHORIZED_PARTY: return "authorized_party";
	case AUTH0_RULE_AUTH_TIME: return "auth_time";
	case AUTH0_RULE_ORGANIZATION: return "organization";
	case AUTH0_RULE_TYPE: return "type";
	case AUTH0_RULE_KEYS_UNAVAILABLE: return "keys_unavailable";
	case AUTH0_RULE_EVENTS: return "events";
	case AUTH0_RULE_SESSION: return "session";
	case AUTH0_RULE_TOKEN_ID: return "token_id";
	}
	return "unknown";
}

bool auth0_error_is_transient(const auth0_error *err)
{
	if (!err)
		return false;
	switch (err->kind) {
	case AUTH0_ERR_NETWORK:
	case AUTH0_ERR_TIMEOUT:
	case AUTH0_ERR_RATE_LIMITED:
	case AUTH0_ERR_SERVER:
	case AUTH0_ERR_UNAVAILABLE:
		return true;
	case AUTH0_ERR_INVALID_TOKEN:
		return err->rule == AUTH0_RULE_KEYS_UNAVAILABLE;
	case AUTH0_ERR_CLIENT:
		/* 408 Request Timeout: the server gave up waiting for the request; the Management API retries it */
		return err->status == 408;
	default:
		return false;
	}
}
