/*
 * The Management API core: one call of any operation from the generated
 * table. Everything the 445 typed functions do happens here, so that the
 * rules below hold for all of them:
 *
 *   - path values are percent-encoded as one segment each; an empty value,
 *     "." or ".." is refused (curl would collapse "users/../x");
 *   - query pairs are checked against the operation (names, integers,
 *     booleans, enums, repetition) before any I/O, then the table's defaults
 *     are added and the request options' extra pairs applied; a key is
 *     never sent without a value (Ruby sends a bare `from`);
 *   - bodies go out exactly as given (false, 0 and bare arrays included);
 *   - a 401 that says the token expired or is invalid renews the token once
 *     and repeats the request once; when the renewed token is refused too,
 *     refusals renew nothing for A0_TOKEN_REFUSED_HOLD seconds;
 *   - any 2xx answer body is handed back (Ruby discards 13 of them).
 */
#include "management_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>

/* ---- Path ------------------------------------------------------------------------------------ */

auth0_status a0_mgmt_path(const auth0_operation *op, const char *const *path_values, char **path,
                          auth0_error **err)
{
	*path = NULL;
	a0_buf b = A0_BUF_INIT;
	size_t i = 0;
	const char *p = op->path;
	while (*p) {
		if (*p != '{') {
			a0_buf_putc(&b, *p++);
			continue;
		}
		const char *end = strchr(p, '}');
		const char *name = op->path_params ? op->path_params[i] : NULL;
		if (!end || !name) {
			a0_buf_free(&b);
			return a0_fail(err, AUTH0_ERR_INTERNAL, "%s: malformed path template", op->id);
		}
		const char *v = path_values ? path_values[i] : NULL;
		if (a0_empty(v)) {
			a0_buf_free(&b);
			return a0_fail_arg(err, name, "%s: path parameter '%s' is required (non-empty)", op->id, name);
		}
		if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0) {
			a0_buf_free(&b);
			return a0_fail_arg(err, name, "%s: path parameter '%s' cannot be '%s'", op->id, name, v);
		}
		a0_buf_escape(&b, v, A0_ESC_SEGMENT);
		i++;
		p = end + 1;
	}
	*path = a0_buf_steal(&b);
	return *path ? AUTH0_OK : a0_oom(err);
}

/* ---- Query ----------------------------------------------------------------------------------- */

static const auth0_query_param *find_param(const auth0_operation *op, const char *name)
{
	for (size_t i = 0; i < op->query_param_count; i++)
		if (strcmp(op->query_params[i].name, name) == 0)
			return &op->query_params[i];
	return NULL;
}

static bool valid_integer(const char *v)
{
	const char *p = v;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	char *end;
	(void)strtoll(v, &end, 10);
	return errno == 0 && *end == '\0';
}

static auth0_status check_value(const auth0_operation *op, const auth0_query_param *qp, const char *v,
                                auth0_error **err)
{
	switch (qp->type) {
	case AUTH0_PARAM_INTEGER:
		if (!valid_integer(v))
			return a0_fail_arg(err, qp->name, "%s: query parameter '%s' must be an integer, not '%s'", op->id,
			                   qp->name, v);
		break;
	case AUTH0_PARAM_BOOLEAN:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return a0_fail_arg(err, qp->name, "%s: query parameter '%s' must be true or false, not '%s'",
			                   op->id, qp->name, v);
		break;
	case AUTH0_PARAM_ENUM: {
		for (const char *const *e = qp->values; e && *e; e++)
			if (strcmp(*e, v) == 0)
				return AUTH0_OK;
		a0_buf allowed = A0_BUF_INIT;
		for (const char *const *e = qp->values; e && *e; e++)
			a0_buf_printf(&allowed, "%s%s", e == qp->values ? "" : ", ", *e);
		auth0_status st = a0_fail_arg(err, qp->name, "%s: query parameter '%s' cannot be '%s' (one of: %s)",
		                              op->id, qp->name, v, allowed.data ? allowed.data : "");
		a0_buf_free(&allowed);
		return st;
	}
	case AUTH0_PARAM_STRING:
		break;
	}
	return AUTH0_OK;
}

static auth0_status unknown_param(const auth0_operation *op, const char *name, auth0_error **err)
{
	a0_buf known = A0_BUF_INIT;
	for (size_t i = 0; i < op->query_param_count; i++)
		a0_buf_printf(&known, "%s%s", i ? ", " : "", op->query_params[i].name);
	auth0_status st = a0_fail_arg(err, name, "%s: unknown query parameter '%s' (%s%s)", op->id, name,
	                              op->query_param_count ? "known: " : "it takes none",
	                              known.data ? known.data : "");
	a0_buf_free(&known);
	return st;
}

static bool kv_has(const auth0_kv *kv, const char *name)
{
	for (const auth0_kv *p = kv; p && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return true;
	return false;
}

auth0_status a0_mgmt_query(const auth0_operation *op, const auth0_kv *query, const auth0_kv *extra, char **out,
                           auth0_error **err)
{
	*out = NULL;
	/* Check every given pair first: nothing is sent when one is wrong. */
	for (const auth0_kv *p = query; p && p->name; p++) {
		const auth0_query_param *qp = find_param(op, p->name);
		if (!qp)
			return unknown_param(op, p->name, err);
		if (!p->value)
			continue;
		if (!qp->repeatable)
			for (const auth0_kv *q = query; q != p; q++)
				if (q->value && strcmp(q->name, p->name) == 0)
					return a0_fail_arg(err, p->name, "%s: query parameter '%s' given twice (it is not "
					                   "repeatable)", op->id, p->name);
		auth0_status st = check_value(op, qp, p->value, err);
		if (st != AUTH0_OK)
			return st;
	}
	for (const auth0_kv *p = extra; p && p->name; p++)
		if (*p->name == '\0')
			return a0_fail_arg(err, "query", "%s: an extra query parameter has an empty name", op->id);

	/* Emit in table order: given values, else the default; extra names replace both. */
	a0_buf q = A0_BUF_INIT;
	for (size_t i = 0; i < op->query_param_count; i++) {
		const auth0_query_param *qp = &op->query_params[i];
		if (kv_has(extra, qp->name))
			continue;
		bool given = false;
		for (const auth0_kv *p = query; p && p->name; p++) {
			if (p->value && strcmp(p->name, qp->name) == 0) {
				a0_query_add(&q, qp->name, p->value, A0_ESC_QUERY);
				given = true;
			}
		}
		if (!given && qp->default_value)
			a0_query_add(&q, qp->name, qp->default_value, A0_ESC_QUERY);
		else if (!given && qp->required) {
			a0_buf_free(&q);
			return a0_fail_arg(err, qp->name, "%s: query parameter '%s' is required", op->id, qp->name);
		}
	}
	for (const auth0_kv *p = extra; p && p->name; p++)
		a0_query_add(&q, p->name, p->value, A0_ESC_QUERY); /* a NULL value only removes */
	*out = a0_buf_steal(&q);
	return *out ? AUTH0_OK : a0_oom(err);
}

/* ---- Headers and options --------------------------------------------------------------------- */

static bool list_has_header(const struct curl_slist *list, const char *name)
{
	size_t n = strlen(name);
	for (; list; list = list->next)
		if (strncasecmp(list->data, name, n) == 0 && (list->data[n] == ':' || list->data[n] == ';'))
			return true;
	return false;
}


auth0_status a0_mgmt_headers(const auth0_client *c, const char *token, bool json_body, bool multipart,
                             const auth0_request_options *options, struct curl_slist **list, auth0_error **err)
{
	/* The token manager checks every token it hands out; this is the last line before the wire. */
	if (!a0_b64token(token))
		return a0_fail(err, AUTH0_ERR_NO_TOKEN, "the Management API token has a character that a bearer "
		               "token cannot have (RFC 6750)");
	struct curl_slist *h = NULL;
	/* Caller headers first, checked: an error must not leave a half-built list behind. */
	auth0_status st = a0_headers_append(&h, options ? options->headers : NULL, "headers", err);
	if (st != AUTH0_OK) {
		a0_headers_free(h);
		return st;
	}
	struct curl_slist *out = NULL;
	bool ok = true;
	if (!list_has_header(h, "Accept") && !list_has_header(c->management_headers, "Accept"))
		ok = ok && a0_header_append(&out, "Accept: application/json");
	if (json_body)
		ok = ok && a0_header_append(&out, "Content-Type: application/json");
	else if (!multipart)
		ok = ok && a0_header_append(&out, "Content-Type:"); /* curl would add a form type to an empty POST */
	char *auth = a0_asprintf("Authorization: Bearer %s", token);
	ok = ok && a0_header_append(&out, auth);
	a0_free_secret(auth);
	for (const struct curl_slist *p = c->management_headers; ok && p; p = p->next)
		ok = a0_header_append(&out, p->data);
	for (const struct curl_slist *p = h; ok && p; p = p->next)
		ok = a0_header_append(&out, p->data);
	a0_headers_free(h);
	if (!ok) {
		a0_headers_free(out);
		return a0_oom(err);
	}
	*list = out;
	return AUTH0_OK;
}

static bool loopback(const char *host, size_t n)
{
	return (n == 9 && strncmp(host, "127.0.0.1", 9) == 0) || (n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	       (n == 5 && strncmp(host, "[::1]", 5) == 0);
}

/*
 * Whether a per-request base URL is on the client's Management host: the Management token goes
 * wherever the request goes.
 */
static auth0_status check_base_url_host(const auth0_client *c, const char *url, auth0_error **err)
{
	char *origin = NULL, *mgmt = NULL;
	auth0_status st = a0_url_origin(url, &origin);
	if (st == AUTH0_OK)
		st = a0_url_origin(c->management_base_url, &mgmt);
	if (st != AUTH0_OK) {
		free(origin);
		free(mgmt);
		return a0_oom(err);
	}
	bool same = origin && (a0_streq(origin, c->base_url) || a0_streq(origin, mgmt));
	if (!same)
		st = a0_fail_arg(err, "base_url", "option 'base_url' is not on the tenant's Management API host (%s): "
		                 "the Management API token would be sent there (set allow_other_host to allow it)",
		                 mgmt ? mgmt : c->base_url);
	free(origin);
	free(mgmt);
	return st;
}

/* A per-request base URL: https://host[:port][/path], or http:// to a loopback host; no query. */
static auth0_status check_base_url(const auth0_client *c, const char *url, bool other_host, char **out,
                                   auth0_error **err)
{
	*out = NULL;
	bool https = strncasecmp(url, "https://", 8) == 0;
	bool http = strncasecmp(url, "http://", 7) == 0;
	if (!https && !http)
		return a0_fail_arg(err, "base_url", "option 'base_url' must be an https:// URL");
	const char *host = url + (https ? 8 : 7);
	size_t hlen = strcspn(host, "/");
	size_t name_len = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/");
	if (hlen == 0 || name_len > hlen)
		return a0_fail_arg(err, "base_url", "option 'base_url' has no host");
	for (const char *p = url; *p; p++)
		if (*p == '?' || *p == '#' || *p == '@' || isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return a0_fail_arg(err, "base_url", "option 'base_url' must not contain a query, fragment, "
			                   "user information or white space");
	if (http && !loopback(host, name_len))
		return a0_fail_arg(err, "base_url", "option 'base_url' may use http:// only for a loopback host");
	if (!other_host) {
		auth0_status st = check_base_url_host(c, url, err);
		if (st != AUTH0_OK)
			return st;
	}
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	*out = a0_strndup(url, len);
	return *out ? AUTH0_OK : a0_oom(err);
}

/* ---- Answers --------------------------------------------------------------------------------- */

/* Sets obj[key] = v unless v is NULL (a field that is not UTF-8 is left out); takes v in any case. */
static bool sse_member(json_t *obj, const char *key, json_t *v)
{
	return !v || json_object_set_new(obj, key, v) == 0;
}

/* Appends the event read so far; false when memory ran out (an event is never dropped silently). */
static bool sse_dispatch(json_t *events, const char *type, a0_buf *data, const char *id, bool *have_data)
{
	if (!*have_data)
		return true;
	*have_data = false;
	const char *text = data->data ? data->data : "";
	const char *name = a0_empty(type) ? "message" : type;
	bool text_oom = data->failed, name_oom = false, id_oom = false;
	json_t *value = text_oom ? NULL : a0_json_load(text, strlen(text), JSON_DECODE_ANY, NULL, &text_oom);
	if (!value && !text_oom)
		value = a0_json_stringn(text, strlen(text), &text_oom);
	a0_buf_free(data);
	json_t *ev = json_object();
	bool ok = ev && !text_oom;
	ok = sse_member(ev, "event", a0_json_stringn(name, strlen(name), &name_oom)) && !name_oom && ok;
	if (id)
		ok = sse_member(ev, "id", a0_json_stringn(id, strlen(id), &id_oom)) && !id_oom && ok;
	ok = sse_member(ev, "data", value) && ok;
	if (!ok) {
		json_decref(ev);
		return false;
	}
	return json_array_append_new(events, ev) == 0;
}

json_t *a0_sse_parse(const char *body, size_t len)
{
	json_t *events = json_array();
	if (!events)
		return NULL;
	a0_buf data = A0_BUF_INIT;
	char *type = NULL, *id = NULL;
	bool have_data = false, ok = true;
	size_t i = 0;
	while (ok && i < len) {
		size_t n = 0;
		while (i + n < len && body[i + n] != '\n' && body[i + n] != '\r')
			n++;
		const char *line = body + i;
		i += n;
		if (i < len && body[i] == '\r')
			i++;
		if (i < len && body[i] == '\n')
			i++;
		if (n == 0) { /* a blank line ends an event */
			ok = sse_dispatch(events, type, &data, id, &have_data);
			free(type);
			type = NULL;
			continue;
		}
		if (line[0] == ':')
			continue; /* comment */
		const char *colon = memchr(line, ':', n);
		size_t flen = colon ? (size_t)(colon - line) : n;
		const char *val = colon ? colon + 1 : line + n;
		if (colon && val < line + n && *val == ' ')
			val++;
		size_t vlen = (size_t)(line + n - val);
		if (flen == 4 && strncmp(line, "data", 4) == 0) {
			if (have_data)
				a0_buf_putc(&data, '\n');
			a0_buf_append(&data, val, vlen);
			have_data = true;
		} else if (flen == 5 && strncmp(line, "event", 5) == 0) {
			free(type);
			type = a0_strndup(val, vlen);
			ok = type != NULL;
		} else if (flen == 2 && strncmp(line, "id", 2) == 0) {
			free(id);
			id = a0_strndup(val, vlen);
			ok = id != NULL;
		}
	}
	/* A stream that ends without the final blank line still delivers its last event. */
	if (ok)
		ok = sse_dispatch(events, type, &data, id, &have_data);
	free(type);
	free(id);
	a0_buf_free(&data);
	if (!ok) {
		json_decref(events);
		return NULL; /* memory ran out: the caller says so */
	}
	return events;
}

static bool has_ci(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

static bool says_token_bad(const char *s)
{
	return has_ci(s, "expired") || has_ci(s, "invalid token") || has_ci(s, "invalid_token") ||
	       has_ci(s, "invalid signature") || has_ci(s, "revoked");
}

bool a0_mgmt_token_rejected(const a0_response *resp)
{
	if (resp->status != 401)
		return false;
	if (says_token_bad(resp->www_authenticate))
		return true;
	json_t *body = resp->body && resp->len ? json_loadb(resp->body, resp->len, 0, NULL) : NULL;
	bool bad = says_token_bad(a0_json_str(body, "message")) || says_token_bad(a0_json_str(body, "error")) ||
	           says_token_bad(a0_json_str(body, "error_description")) ||
	           says_token_bad(a0_json_str(json_object_get(body, "attributes"), "error"));
	json_decref(body);
	return bad;
}

/* Hands back a 2xx answer: JSON, server-sent events, or text as a JSON string. */
static auth0_status parse_answer(const a0_request *req, a0_response *resp, json_t **out, auth0_error **err)
{
	if (!out || resp->len == 0)
		return AUTH0_OK;
	const char *ct = resp->content_type;
	if (ct && strncasecmp(ct, "text/event-stream", 17) == 0) {
		*out = a0_sse_parse(resp->body, resp->len);
		return *out ? AUTH0_OK : a0_oom(err);
	}
	bool oom = false;
	if (!ct || a0_response_is_json(resp)) {
		json_error_t jerr;
		*out = a0_json_load(resp->body, resp->len, JSON_DECODE_ANY, &jerr, &oom);
		if (*out)
			return AUTH0_OK;
		if (oom)
			return a0_oom_answer(err, req->method, req->log_path);
		if (ct) {
			a0_answer answer = a0_answer_of(resp);
			return a0_fail_answer(err, &answer, "%s %s: malformed JSON answer (%s at byte %d)", req->method,
			                      req->log_path, a0_json_error_without_text(&jerr), jerr.position);
		}
	}
	*out = a0_json_stringn(resp->body, resp->len, &oom);
	if (!*out && oom)
		return a0_oom_answer(err, req->method, req->log_path);
	if (!*out) {
		a0_answer answer = a0_answer_of(resp);
		return a0_fail_answer(err, &answer, "%s %s: the %s answer is not valid UTF-8", req->method,
		                      req->log_path, ct ? ct : "untyped");
	}
	return AUTH0_OK;
}

/* ---- The call -------------------------------------------------------------------------------- */

static void add_to_message(auth0_error **err, const char *fmt, ...) A0_PRINTF(2, 3);
static void add_to_message(auth0_error **err, const char *fmt, ...)
{
	auth0_error *e = a0_error_writable(err);
	if (!e)
		return;
	char note[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
	char *m = a0_asprintf("%s (%s)", e->message, note);
	if (m) {
		free(e->message);
		e->message = m;
	}
}

static auth0_status check_body(const auth0_operation *op, const json_t *body, const auth0_multipart_part *parts,
                               auth0_error **err)
{
	if (body && op->body_kind != AUTH0_BODY_JSON)
		return a0_fail_arg(err, "body", "%s takes %s", op->id,
		                   op->body_kind == AUTH0_BODY_MULTIPART ? "multipart parts, not a JSON body"
		                                                         : "no body");
	if (parts && op->body_kind != AUTH0_BODY_MULTIPART)
		return a0_fail_arg(err, "parts", "%s takes %s", op->id,
		                   op->body_kind == AUTH0_BODY_JSON ? "a JSON body, not multipart parts" : "no body");
	for (const auth0_multipart_part *p = parts; p && p->name; p++) {
		bool known = false;
		for (const char *const *f = op->multipart_fields; f && *f; f++)
			known = known || strcmp(*f, p->name) == 0;
		if (!known)
			return a0_fail_arg(err, p->name, "%s: unknown multipart part '%s'", op->id, p->name);
		/* libcurl writes the type into the part's header lines as it is (it escapes names and file names) */
		for (const char *t = p->content_type; t && *t; t++)
			if (iscntrl((unsigned char)*t))
				return a0_fail_arg(err, p->name, "%s: the content type of multipart part '%s' contains a "
				                   "control character", op->id, p->name);
	}
	return AUTH0_OK;
}

auth0_status auth0_management_call(auth0_client *c, const auth0_operation *op, const char *const *path_values,
                                   const auth0_kv *query, const json_t *body, const auth0_multipart_part *parts,
                                   const auth0_request_options *options, json_t **out, auth0_error **err)
{
	return a0_management_call_answer(c, op, path_values, query, body, parts, options, out, NULL, err);
}

auth0_status auth0_management_call_ex(auth0_client *c, const auth0_operation *op, const char *const *path_values,
                                      const auth0_kv *query, const json_t *body,
                                      const auth0_multipart_part *parts, const auth0_request_options *options,
                                      json_t **out, long *status, auth0_error **err)
{
	a0_answer answer = A0_ANSWER_NONE;
	auth0_status st = a0_management_call_answer(c, op, path_values, query, body, parts, options, out, &answer,
	                                            err);
	if (status)
		*status = st == AUTH0_OK ? answer.status : 0;
	return st;
}

auth0_status a0_management_call_answer(auth0_client *c, const auth0_operation *op, const char *const *path_values,
                                       const auth0_kv *query, const json_t *body,
                                       const auth0_multipart_part *parts, const auth0_request_options *options,
                                       json_t **out, a0_answer *answer, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (out)
		*out = NULL;
	if (answer)
		*answer = (a0_answer)A0_ANSWER_NONE;
	if (!c)
		return a0_fail_arg(err, "client", "auth0_management_call needs a client");
	if (!op)
		return a0_fail_arg(err, "op", "auth0_management_call needs an operation (see auth0_operation_find())");
	auth0_status st = check_body(op, body, parts, err);
	if (st != AUTH0_OK)
		return st;
	long timeout_ms = c->management_timeout_ms;
	int max_retries = c->management_max_retries;
	if (options) {
		if (options->timeout_ms < 0)
			return a0_fail_arg(err, "timeout_ms", "option 'timeout_ms' must not be negative");
		if (options->timeout_ms > 0)
			timeout_ms = options->timeout_ms;
		if (options->max_retries.set) {
			if (options->max_retries.value < 0 || options->max_retries.value > 10)
				return a0_fail_arg(err, "max_retries", "option 'max_retries' must be between 0 and 10");
			max_retries = (int)options->max_retries.value;
		}
	}

	char *path = NULL, *qs = NULL, *base = NULL, *url = NULL, *log_path = NULL, *json = NULL, *token = NULL;
	struct curl_slist *headers = NULL;
	a0_response resp;
	memset(&resp, 0, sizeof(resp));
	if ((st = a0_mgmt_path(op, path_values, &path, err)) != AUTH0_OK)
		goto out;
	if ((st = a0_mgmt_query(op, query, options ? options->query : NULL, &qs, err)) != AUTH0_OK)
		goto out;
	if (options && options->base_url &&
	    (st = check_base_url(c, options->base_url, options->allow_other_host, &base, err)) != AUTH0_OK)
		goto out;
	url = a0_asprintf("%s/%s%s%s", base ? base : c->management_base_url, path, *qs ? "?" : "", qs);
	log_path = a0_asprintf("/%s", path);
	if (body)
		json = a0_json_dump(body); /* without json_dumps' unwiped copy: it may hold a password */
	if (!url || !log_path || (body && !json)) {
		st = a0_oom(err);
		goto out;
	}
	/* Header problems are the caller's: find them before fetching a token. */
	if ((st = a0_mgmt_headers(c, "-", json != NULL, parts != NULL, options, &headers, err)) != AUTH0_OK)
		goto out;
	a0_headers_free(headers);
	headers = NULL;

	int64_t expires_at = 0;
	if ((st = a0_management_token(c, NULL, &token, &expires_at, err)) != AUTH0_OK)
		goto out;
	/* a POST may create something: not sent twice (see retry.c and a0_request.fresh_connection) */
	bool post = strcmp(op->http_method, "POST") == 0;
	for (int round = 0;; round++) {
		if ((st = a0_mgmt_headers(c, token, json != NULL, parts != NULL, options, &headers, err)) != AUTH0_OK)
			goto out;
		a0_request req = {
			.method = op->http_method,
			.url = url,
			.log_path = log_path,
			.headers = headers,
			.body = json,
			.body_len = json ? strlen(json) : 0,
			.parts = parts,
			.timeout_ms = timeout_ms,
			.max_retries = max_retries,
			.retry = post ? A0_RETRY_MANAGEMENT_POST : A0_RETRY_MANAGEMENT,
			.telemetry = true,
			.fresh_connection = post,
		};
		a0_response_clear(&resp);
		if ((st = a0_http_perform(c, &req, &resp, err)) != AUTH0_OK)
			goto out;
		a0_headers_free(headers);
		headers = NULL;
		if (a0_http_ok(resp.status)) {
			st = parse_answer(&req, &resp, out, err);
			if (st == AUTH0_OK && answer)
				*answer = a0_answer_of(&resp);
			goto out;
		}
		bool refused = a0_mgmt_token_rejected(&resp);
		int64_t held = 0; /* seconds during which a refused token is not renewed */
		if (refused && round == 1) {
			/* the renewed token too: renewing on every call would only spend tokens (an API that does
			 * not take this application's tokens), so the next calls fail at once for a while */
			a0_management_token_refused_again(c);
			held = A0_TOKEN_REFUSED_HOLD;
		} else if (refused && (held = a0_management_token_held(c)) == 0) {
			char *renewed = NULL;
			auth0_error *terr = NULL;
			if (a0_management_token(c, token, &renewed, &expires_at, &terr) == AUTH0_OK &&
			    !a0_streq(renewed, token)) {
				a0_log(c, AUTH0_LOG_INFO, "%s %s: the Management API refused the token; renewed it, "
				       "retrying once", op->http_method, log_path);
				a0_free_secret(token);
				token = renewed;
				continue;
			}
			a0_free_secret(renewed);
			if (terr)
				a0_log(c, AUTH0_LOG_WARNING, "%s %s: the token was refused and could not be renewed: %s",
				       op->http_method, log_path, terr->message ? terr->message : "");
			auth0_error_free(terr);
		}
		st = a0_error_from_response(err, &resp, op->http_method, log_path);
		if (held > 0)
			add_to_message(err, "a renewed token was refused as well: a refused token is not renewed "
			               "again for %lld s", (long long)held);
		goto out;
	}
out:
	a0_headers_free(headers);
	a0_response_clear(&resp);
	a0_free_secret(token);
	if (json)
		a0_free_secret(json); /* it may hold a password */
	free(path);
	free(qs);
	free(base);
	free(url);
	free(log_path);
	if (st != AUTH0_OK && out && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

/* ---- The typed core ---------------------------------------------------------------------------- */

auth0_status a0_management_invoke(auth0_client *c, const auth0_operation *op, const char *const *path_values,
                                  const void *query, const size_t *offsets, const json_t *body,
                                  const auth0_multipart_part *parts, const auth0_request_options *options,
                                  json_t **out, auth0_error **err)
{
	if (!query || !offsets || op->query_param_count == 0)
		return auth0_management_call(c, op, path_values, NULL, body, parts, options, out, err);
	/* Count the pairs: one per set member, one per element of a repeatable one. */
	const char *base = query;
	size_t n = 0;
	for (size_t i = 0; i < op->query_param_count; i++) {
		const auth0_query_param *qp = &op->query_params[i];
		const void *m = base + offsets[i];
		if (qp->repeatable) {
			const char *const *arr = *(const char *const *const *)m;
			for (; arr && *arr; arr++)
				n++;
		} else {
			n++;
		}
	}
	auth0_kv *kv = calloc(n + 1, sizeof(*kv));
	char (*num)[24] = calloc(op->query_param_count, sizeof(*num));
	if (!kv || !num) {
		free(kv);
		free(num);
		if (err)
			*err = NULL;
		if (out)
			*out = NULL;
		return a0_oom(err);
	}
	size_t k = 0;
	for (size_t i = 0; i < op->query_param_count; i++) {
		const auth0_query_param *qp = &op->query_params[i];
		const void *m = base + offsets[i];
		if (qp->repeatable) {
			for (const char *const *arr = *(const char *const *const *)m; arr && *arr; arr++)
				kv[k++] = (auth0_kv){ qp->name, *arr };
			continue;
		}
		switch (qp->type) {
		case AUTH0_PARAM_STRING:
		case AUTH0_PARAM_ENUM: {
			const char *v = *(const char *const *)m;
			if (v)
				kv[k++] = (auth0_kv){ qp->name, v };
			break;
		}
		case AUTH0_PARAM_INTEGER: {
			const auth0_opt_int *v = m;
			if (v->set) {
				snprintf(num[i], sizeof(num[i]), "%lld", (long long)v->value);
				kv[k++] = (auth0_kv){ qp->name, num[i] };
			}
			break;
		}
		case AUTH0_PARAM_BOOLEAN: {
			const auth0_opt_bool *v = m;
			if (v->set)
				kv[k++] = (auth0_kv){ qp->name, v->value ? "true" : "false" };
			break;
		}
		}
	}
	kv[k] = (auth0_kv){ NULL, NULL };
	auth0_status st = auth0_management_call(c, op, path_values, kv, body, parts, options, out, err);
	free(kv);
	free(num);
	return st;
}

/* ---- Key/value copies -------------------------------------------------------------------------- */

auth0_kv *a0_kv_copy(const auth0_kv *kv)
{
	size_t n = 0;
	for (const auth0_kv *p = kv; p && p->name; p++)
		n++;
	auth0_kv *copy = calloc(n + 1, sizeof(*copy));
	if (!copy)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		copy[i].name = a0_strdup(kv[i].name);
		copy[i].value = a0_strdup(kv[i].value);
		if (!copy[i].name || (kv[i].value && !copy[i].value)) {
			free((char *)copy[i].name);
			free((char *)copy[i].value);
			copy[i].name = NULL;
			a0_kv_free(copy);
			return NULL;
		}
	}
	return copy;
}

void a0_kv_free(auth0_kv *kv)
{
	if (!kv)
		return;
	for (auth0_kv *p = kv; p->name; p++) {
		free((char *)p->name);
		free((char *)p->value);
	}
	free(kv);
}
