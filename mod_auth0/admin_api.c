/*
 * SetHandler auth0-management: METHOD PREFIX/<Management path>?query runs
 * the Management API operation that libauth0's table routes there
 * (auth0_operation_match), with the Management token of the location's
 * application (client credentials, kept sealed in the shared cache and
 * fetched by one process per expiry: cache.c, app.c).
 *
 * Order of the checks, each answered with a JSON error
 * {"error", "message", "status"}:
 *   1. the method (GET HEAD POST PUT PATCH DELETE OPTIONS; 405 otherwise);
 *   2. for a browser session, a state-changing method needs a same-origin
 *      request (Sec-Fetch-Site: same-origin, else an Origin of this site)
 *      AND the session's CSRF token in X-CSRF-Token (403): a cross-site
 *      page can neither read nor forge such a request. Bearer requests
 *      carry no ambient credential and need neither;
 *   3. the path: the raw URI must start with the prefix as written, hold
 *      no encoded slash, backslash or NUL, and no empty, "." or ".."
 *      segment (400); OPTIONS answers here with Allow;
 *   4. an operation must serve METHOD + path (404, or 405 with Allow);
 *   5. its id (users.roles.assign) must match an Auth0ManagementAllow glob
 *      (403; nothing is allowed by default);
 *   6. the body: at most BODY_LIMIT bytes (413), application/json (415),
 *      valid JSON without duplicate keys (400), only for operations that
 *      take one;
 *   7. query parameters go through as given, validated by libauth0 against
 *      the operation (400 naming the parameter); the table's defaults are
 *      not added, so pagination (page/per_page/include_totals, from/take)
 *      is exactly the caller's;
 *   8. the call: 2xx answers keep their JSON (204 when there is none);
 *      tenant errors: 4xx keep their status (401, which would mean that
 *      mod_auth0's own token was refused, and a 403 insufficient_scope,
 *      which means its grant lacks a scope, become 502), 429 and 503
 *      become 503 with Retry-After, other 5xx and an unreachable tenant
 *      502, a timeout 504.
 * Every state-changing request leaves one audit line (who, operation,
 * target path parameters, body field names, result), never a token or a
 * value from the body; it also goes to the note "auth0-audit" (and the
 * variable AUTH0_AUDIT) for a CustomLog of its own.
 */
#include "admin.h"

#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <openssl/crypto.h>

/* Request bodies: Management payloads are small (a user, a list of role ids). */
#define BODY_LIMIT (64 * 1024)
/* Query parameters per request. */
#define MAX_QUERY_PARAMS 64

static const char *const RELAYED_METHODS[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };

typedef struct call {
	const char *method;             /* as matched: HEAD is GET */
	bool changes;                   /* a state-changing method */
	const char *path;               /* Management path, raw (as on the wire) */
	const auth0_operation *op;
	char *values[AUTH0_MAX_PATH_PARAMS + 1];
	const char *fields;             /* top-level names of the body's object, for the audit line */
	const char *refused;            /* why the request was refused before the call, for the audit line */
} call;

static apr_status_t free_values(void *data)
{
	call *k = data;
	auth0_path_values_free(k->values);
	k->values[0] = NULL;
	return APR_SUCCESS;
}

/* ---- audit ------------------------------------------------------------------------------------------- */

static void audit(request_rec *r, const call *k, int status)
{
	if (!k->changes)
		return;
	a0m_request *rq = a0m_request_get(r, false);
	const char *target = "";
	for (int i = 0; k->op && k->op->path_params && k->op->path_params[i] && k->values[i]; i++)
		target = apr_pstrcat(r->pool, target, *target ? " " : "", k->op->path_params[i], "=",
		                     ap_escape_logitem(r->pool, k->values[i]), NULL);
	const char *line = apr_psprintf(
		r->pool, "user=%s via=%s op=%s target=[%s] fields=[%s] status=%d%s%s",
		ap_escape_logitem(r->pool, r->user ? r->user : "-"), rq && rq->source ? rq->source : "-",
		k->op ? k->op->id : "-", target, k->fields ? k->fields : "", status, k->refused ? " refused=" : "",
		k->refused ? k->refused : "");
	/* NOTICE: always kept whatever the LogLevel, like httpd's own start/stop lines */
	ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "mod_auth0: admin audit: %s %s", k->method,
	              line);
	apr_table_setn(r->notes, "auth0-audit", line);
	apr_table_setn(r->subprocess_env, "AUTH0_AUDIT", "1");
}

static int refuse(request_rec *r, call *k, int status, const char *error, const char *message)
{
	k->refused = error;
	audit(r, k, status);
	return a0m_admin_error(r, status, error, "%s", message);
}

/* ---- same origin and CSRF ------------------------------------------------------------------------------ */

/* NULL when the request may change state; else why not. */
static const char *csrf_problem(request_rec *r, const a0m_dir_conf *c, const a0m_request *rq)
{
	const a0m_origin *o = a0m_origin_get(r, c);
	const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
	const char *origin = apr_table_get(r->headers_in, "Origin");
	if (site && strcasecmp(site, "same-origin") != 0)
		return "the request does not come from this site (Sec-Fetch-Site)";
	if (origin && strcasecmp(origin, a0m_origin_base(r, o)) != 0)
		return "the request does not come from this site (Origin)";
	if (!site && !origin)
		return "the request has neither Origin nor Sec-Fetch-Site";
	const char *token = apr_table_get(r->headers_in, A0M_CSRF_HEADER);
	if (!token || !*token)
		return "the " A0M_CSRF_HEADER " header is missing";
	if (!rq->csrf_token || !a0m_secure_streq(token, rq->csrf_token))
		return "the " A0M_CSRF_HEADER " header does not match the session";
	return NULL;
}

/* ---- the path ------------------------------------------------------------------------------------------ */

/* The raw (still percent-encoded) path of the request target. */
static const char *raw_path(request_rec *r)
{
	const char *u = r->unparsed_uri ? r->unparsed_uri : "";
	if (*u != '/') {
		/* absolute-form target (http://host/path): its path */
		apr_uri_t parsed;
		if (apr_uri_parse(r->pool, u, &parsed) != APR_SUCCESS || !parsed.path)
			return NULL;
		return parsed.path;
	}
	size_t n = strcspn(u, "?#");
	return apr_pstrmemdup(r->pool, u, n);
}

/* The Management path below prefix, or NULL (and *why) when it must be refused. */
static const char *management_path(request_rec *r, const char *prefix, const char **why)
{
	const char *raw = raw_path(r);
	size_t n = strlen(prefix);
	if (!raw || strncmp(raw, prefix, n) != 0 || (raw[n] != '/' && raw[n] != '\0')) {
		/* the URI reached the prefix only after decoding or normalising (%61dmin, //, /./, /x/../) */
		*why = "the path is not in canonical form";
		return NULL;
	}
	const char *rest = raw[n] == '/' ? raw + n + 1 : raw + n;
	for (const char *p = rest; *p; p++) {
		if (*p == '\\') {
			*why = "the path contains a backslash";
			return NULL;
		}
		if (*p == '%' && (strncasecmp(p, "%2f", 3) == 0 || strncasecmp(p, "%5c", 3) == 0 ||
		                  strncmp(p, "%00", 3) == 0)) {
			*why = "the path contains an encoded slash, backslash or NUL";
			return NULL;
		}
	}
	/* "." and ".." segments, also encoded, and empty ones are refused by auth0_operation_match; say so */
	char *copy = apr_pstrdup(r->pool, rest), *last = NULL;
	for (char *seg = apr_strtok(copy, "/", &last); seg; seg = apr_strtok(NULL, "/", &last)) {
		char *dec = apr_pstrdup(r->pool, seg);
		if (ap_unescape_url(dec) != OK || strcmp(dec, ".") == 0 || strcmp(dec, "..") == 0) {
			*why = "the path contains a '.' or '..' segment or a malformed escape";
			return NULL;
		}
	}
	if (*rest && (rest[strlen(rest) - 1] == '/' || strstr(rest, "//"))) {
		*why = "the path contains an empty segment";
		return NULL;
	}
	return rest;
}

/* "GET, HEAD, POST, OPTIONS": the methods that some operation serves at path. */
static const char *allowed_methods(request_rec *r, const char *path)
{
	const char *allow = "";
	for (int i = 0; RELAYED_METHODS[i]; i++) {
		if (!auth0_operation_match(RELAYED_METHODS[i], path, NULL))
			continue;
		allow = apr_pstrcat(r->pool, allow, *allow ? ", " : "", RELAYED_METHODS[i],
		                    strcmp(RELAYED_METHODS[i], "GET") == 0 ? ", HEAD" : "", NULL);
	}
	return *allow ? apr_pstrcat(r->pool, allow, ", OPTIONS", NULL) : NULL;
}

static bool allowed_by_conf(const a0m_dir_conf *c, const char *id)
{
	const apr_array_header_t *globs = c->management_allow;
	for (int i = 0; globs && i < globs->nelts; i++)
		if (apr_fnmatch(((const char **)globs->elts)[i], id, 0) == APR_SUCCESS)
			return true;
	return false;
}

/* ---- query and body ------------------------------------------------------------------------------------ */

/* The query string as name/value pairs (NULL-terminated), plus a NULL value for each table default the
 * caller did not give (in *unset), so that nothing but the caller's parameters reaches the tenant. */
static int parse_query(request_rec *r, const auth0_operation *op, auth0_kv **query, auth0_kv **unset,
                       const char **why)
{
	int max = MAX_QUERY_PARAMS;
	auth0_kv *q = apr_pcalloc(r->pool, sizeof(*q) * (size_t)(max + 1));
	int n = 0;
	if (r->args && *r->args) {
		char *args = apr_pstrdup(r->pool, r->args), *last = NULL;
		for (char *pair = apr_strtok(args, "&", &last); pair; pair = apr_strtok(NULL, "&", &last)) {
			if (n == max) {
				*why = apr_psprintf(r->pool, "more than %d query parameters", max);
				return HTTP_BAD_REQUEST;
			}
			char *eq = strchr(pair, '=');
			char *value = eq ? eq + 1 : pair + strlen(pair);
			if (eq)
				*eq = '\0';
			if (ap_unescape_urlencoded(pair) != OK || ap_unescape_urlencoded(value) != OK || !*pair) {
				*why = "the query string is malformed";
				return HTTP_BAD_REQUEST;
			}
			q[n].name = pair;
			q[n].value = value;
			n++;
		}
	}
	*query = q;
	auth0_kv *u = apr_pcalloc(r->pool, sizeof(*u) * (op->query_param_count + 1));
	int m = 0;
	for (size_t i = 0; i < op->query_param_count; i++) {
		const auth0_query_param *qp = &op->query_params[i];
		if (!qp->default_value)
			continue;
		bool given = false;
		for (int j = 0; j < n && !given; j++)
			given = strcmp(q[j].name, qp->name) == 0;
		if (!given) {
			u[m].name = qp->name;
			u[m].value = NULL;
			m++;
		}
	}
	*unset = m ? u : NULL;
	return OK;
}

static apr_status_t decref(void *json)
{
	json_decref(json);
	return APR_SUCCESS;
}

/* Reads and parses the body. OK with *body NULL when there is none. */
static int read_body(request_rec *r, call *k, json_t **body, const char **why)
{
	*body = NULL;
	const char *cl = apr_table_get(r->headers_in, "Content-Length");
	const char *te = apr_table_get(r->headers_in, "Transfer-Encoding");
	if (!te && (!cl || strcmp(cl, "0") == 0))
		return OK;
	const char *ct = apr_table_get(r->headers_in, "Content-Type");
	size_t tlen = ct ? strcspn(ct, "; \t") : 0;
	if (!ct || tlen != 16 || strncasecmp(ct, "application/json", 16) != 0) {
		*why = "the request body must be application/json";
		return HTTP_UNSUPPORTED_MEDIA_TYPE;
	}
	if (k->op->body_kind != AUTH0_BODY_JSON) {
		*why = k->op->body_kind == AUTH0_BODY_MULTIPART
		           ? apr_psprintf(r->pool, "%s takes a multipart upload, which this endpoint does not relay",
		                          k->op->id)
		           : apr_psprintf(r->pool, "%s takes no request body", k->op->id);
		return k->op->body_kind == AUTH0_BODY_MULTIPART ? HTTP_UNSUPPORTED_MEDIA_TYPE : HTTP_BAD_REQUEST;
	}
	char *buf;
	apr_size_t len;
	int rc = a0m_read_body(r, BODY_LIMIT, &buf, &len);
	if (rc != OK) {
		*why = rc == HTTP_REQUEST_ENTITY_TOO_LARGE
		           ? apr_psprintf(r->pool, "the request body is larger than %d bytes", BODY_LIMIT)
		           : rc == HTTP_BAD_REQUEST ? "the request body (or its Content-Length) is malformed"
		                                    : "the request body cannot be read";
		return rc;
	}
	if (len == 0)
		return OK;
	json_error_t jerr;
	json_t *j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	OPENSSL_cleanse(buf, len); /* it may hold a password */
	if (!j) {
		*why = apr_psprintf(r->pool, "the request body is not valid JSON: %s at byte %d", jerr.text,
		                    jerr.position);
		return HTTP_BAD_REQUEST;
	}
	apr_pool_cleanup_register(r->pool, j, decref, apr_pool_cleanup_null);
	if (json_is_object(j)) {
		const char *key, *fields = "";
		json_t *v;
		json_object_foreach(j, key, v) {
			(void)v;
			fields = apr_pstrcat(r->pool, fields, *fields ? "," : "", ap_escape_logitem(r->pool, key), NULL);
		}
		k->fields = fields;
	} else if (json_is_array(j)) {
		k->fields = apr_psprintf(r->pool, "array of %zu", json_array_size(j));
	}
	*body = j;
	return OK;
}

/* ---- the call and its answer ------------------------------------------------------------------------------ */

/* A libauth0 failure as JSON with the status we answer (see the top of this file). `token`: it happened while
 * obtaining the Management token, which is the server's problem, never the caller's. */
static int tenant_error(request_rec *r, call *k, const auth0_error *err, bool token)
{
	auth0_status kind = err ? err->kind : AUTH0_ERR_INTERNAL;
	if (token && kind == AUTH0_ERR_INVALID_ARGUMENT)
		kind = AUTH0_ERR_INTERNAL; /* the configuration's problem (logged below), not the caller's */
	const char *msg = err && err->message ? err->message : "unknown error";
	ap_log_rerror(APLOG_MARK, kind == AUTH0_ERR_INVALID_ARGUMENT ? APLOG_INFO : APLOG_WARNING, 0, r,
	              "mod_auth0: admin API %s%s: %s", k->op->id, token ? " (Management token)" : "",
	              ap_escape_logitem(r->pool, msg));
	int status = HTTP_BAD_GATEWAY;
	const char *error = "tenant_error";
	const char *message;
	bool passed = false; /* a tenant 4xx answered as is */
	switch (kind) {
	case AUTH0_ERR_TIMEOUT:
		status = HTTP_GATEWAY_TIME_OUT;
		error = "tenant_timeout";
		message = "the Auth0 tenant did not answer in time";
		break;
	case AUTH0_ERR_NETWORK:
		error = "tenant_unreachable";
		message = "the Auth0 tenant cannot be reached";
		break;
	case AUTH0_ERR_TLS:
		error = "tenant_certificate";
		message = "the Auth0 tenant's TLS certificate does not verify (see the server's error log and "
		          "Auth0CACertificateFile)";
		break;
	case AUTH0_ERR_RATE_LIMITED:
	case AUTH0_ERR_UNAVAILABLE:
		status = a0m_status_for_tenant_error(r, err); /* 503, with Retry-After when the tenant sent one */
		error = kind == AUTH0_ERR_RATE_LIMITED ? "rate_limited" : "tenant_unavailable";
		message = kind == AUTH0_ERR_RATE_LIMITED ? "the Auth0 tenant rate-limits these requests: retry later"
		                                         : "the Auth0 tenant is unavailable: retry later";
		break;
	case AUTH0_ERR_INVALID_ARGUMENT:
		status = HTTP_BAD_REQUEST;
		error = "invalid_request";
		message = msg;
		break;
	case AUTH0_ERR_BAD_REQUEST:
	case AUTH0_ERR_FORBIDDEN:
	case AUTH0_ERR_NOT_FOUND:
	case AUTH0_ERR_CONFLICT:
	case AUTH0_ERR_CLIENT:
		if (!token && kind == AUTH0_ERR_FORBIDDEN && err->error_code &&
		    strcmp(err->error_code, "insufficient_scope") == 0) {
			/* mod_auth0's token lacks a scope: the application's grant is the server's problem, not the
			 * caller's (who was allowed the operation by Auth0ManagementAllow). The tenant names the scope. */
			passed = true;
			error = "management_token_insufficient_scope";
			message = apr_pstrcat(r->pool, "the application's Management API grant lacks a scope for this "
			                      "operation: ", err->api_message ? err->api_message : msg, NULL);
			break;
		}
		if (!token && err->status >= 400 && err->status <= 499) {
			passed = true;
			status = (int)err->status;
			error = err->error ? err->error : "tenant_error";
			message = err->api_message ? err->api_message : err->error_description ? err->error_description : msg;
			break;
		}
		/* fall through */
	case AUTH0_ERR_UNAUTHORIZED:
	case AUTH0_ERR_NO_TOKEN:
		error = "management_token_refused";
		message = token ? "mod_auth0 cannot obtain a Management API token: is the application authorized for "
		                  "the Management API, with the client credentials grant?"
		                : "the Auth0 tenant refused mod_auth0's Management API token";
		break;
	case AUTH0_ERR_NO_MEMORY:
	case AUTH0_ERR_INTERNAL:
		status = HTTP_INTERNAL_SERVER_ERROR;
		error = "internal_error";
		message = "internal error (see the server's error log)";
		break;
	default: /* 5xx, an unexpected status, a malformed answer (whose status may be a 2xx: "success" with
	          * something unusable, such as a token answer without its token) */
		message = !err || !err->status ? "the Auth0 tenant's answer is unusable"
		          : kind == AUTH0_ERR_INVALID_RESPONSE || (err->status >= 200 && err->status < 300)
		              ? apr_psprintf(r->pool, "the Auth0 tenant's answer (HTTP %ld) is unusable", err->status)
		              : apr_psprintf(r->pool, "the Auth0 tenant answered %ld", err->status);
		break;
	}
	audit(r, k, status);
	json_t *body = json_object();
	json_object_set_new(body, "error", json_string(error));
	json_object_set_new(body, "message", a0m_admin_json_text(message));
	json_object_set_new(body, "status", json_integer(status));
	if (kind == AUTH0_ERR_INVALID_ARGUMENT && err && err->option)
		json_object_set_new(body, "parameter", a0m_admin_json_text(err->option));
	if (passed && err->error_code)
		json_object_set_new(body, "errorCode", json_string(err->error_code));
	return a0m_admin_json(r, status, body);
}

static int run(request_rec *r, const a0m_dir_conf *c, call *k, const auth0_kv *query, const auth0_kv *unset,
               const json_t *body)
{
	auth0_client *client = a0m_app_client(r, c);
	if (!client) {
		k->refused = "no_client";
		audit(r, k, HTTP_INTERNAL_SERVER_ERROR);
		return a0m_admin_error(r, HTTP_INTERNAL_SERVER_ERROR, "server_misconfigured",
		                       "the Auth0 application is not configured here (Auth0Domain, Auth0ClientID, "
		                       "Auth0ClientSecret or Auth0ClientAssertionKey)");
	}
	/* The token first, so that a refusal to issue one is told apart from the operation's own errors.
	 * It comes from this process's memory or the shared cache; the tenant sees one request per expiry. */
	char *token = NULL;
	auth0_error *err = NULL;
	if (auth0_management_token(client, &token, NULL, &err) != AUTH0_OK) {
		int rc = tenant_error(r, k, err, true);
		auth0_error_free(err);
		return rc;
	}
	OPENSSL_cleanse(token, strlen(token));
	auth0_free(token);

	auth0_request_options options;
	memset(&options, 0, sizeof(options));
	options.query = unset;
	json_t *out = NULL;
	long tenant_status = 0;
	auth0_status st = auth0_management_call_ex(client, k->op, (const char *const *)k->values, query, body, NULL,
	                                           &options, &out, &tenant_status, &err);
	if (st != AUTH0_OK) {
		int rc = tenant_error(r, k, err, false);
		auth0_error_free(err);
		return rc;
	}
	if (json_is_string(out)) {
		/* libauth0 hands back a text answer as a JSON string; the Management operations this API relays
		 * answer JSON, so text (an HTML page of something between us and the tenant) is a bad answer */
		json_decref(out);
		auth0_error bad = { .kind = AUTH0_ERR_INVALID_RESPONSE, .message = (char *)"the answer is not JSON" };
		return tenant_error(r, k, &bad, false);
	}
	/* The tenant's own 2xx (201 Created, 202 Accepted, 204...); a bodiless answer is always 204. */
	int status = !out ? HTTP_NO_CONTENT : tenant_status >= 200 && tenant_status < 300 ? (int)tenant_status : HTTP_OK;
	audit(r, k, status);
	ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "mod_auth0: admin API %s %s by %s: %d", k->method, k->op->id,
	              ap_escape_logitem(r->pool, r->user), status);
	return a0m_admin_json(r, status, out);
}

int a0m_admin_api(request_rec *r, const a0m_dir_conf *c, const char *prefix)
{
	call *k = apr_pcalloc(r->pool, sizeof(*k));
	apr_pool_cleanup_register(r->pool, k, free_values, apr_pool_cleanup_null);
	bool options = r->method_number == M_OPTIONS;
	k->method = r->method_number == M_GET ? "GET" : r->method;
	bool known = options;
	for (int i = 0; RELAYED_METHODS[i] && !known; i++)
		known = strcmp(k->method, RELAYED_METHODS[i]) == 0;
	if (!known) {
		apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
		return a0m_admin_error(r, HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", "%s is not supported here",
		                       r->method);
	}
	k->changes = !options && strcmp(k->method, "GET") != 0;

	a0m_request *rq = a0m_request_get(r, false);
	if (k->changes && strcmp(rq->source, "session") == 0) {
		const char *why = csrf_problem(r, c, rq);
		if (why) {
			ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: admin API %s %s refused: %s", k->method,
			              ap_escape_logitem(r->pool, r->uri), why);
			k->refused = "csrf";
			audit(r, k, HTTP_FORBIDDEN);
			return a0m_admin_error(r, HTTP_FORBIDDEN, "csrf",
			                       "a change needs a same-origin request with the session's %s header: %s",
			                       A0M_CSRF_HEADER, why);
		}
	}

	const char *why = NULL;
	k->path = management_path(r, prefix, &why);
	if (!k->path)
		return refuse(r, k, HTTP_BAD_REQUEST, "invalid_path", why);
	if (options) {
		const char *allow = allowed_methods(r, k->path);
		if (!allow)
			return a0m_admin_error(r, HTTP_NOT_FOUND, "unknown_operation", "no Management operation at this path");
		apr_table_setn(r->headers_out, "Allow", allow);
		return a0m_admin_json(r, HTTP_NO_CONTENT, NULL);
	}
	k->op = auth0_operation_match(k->method, k->path, k->values);
	if (!k->op) {
		const char *allow = allowed_methods(r, k->path);
		if (allow) {
			apr_table_setn(r->err_headers_out, "Allow", allow);
			return refuse(r, k, HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
			              apr_psprintf(r->pool, "the operations at this path take %s", allow));
		}
		return refuse(r, k, HTTP_NOT_FOUND, "unknown_operation", "no Management operation at this path");
	}
	if (!allowed_by_conf(c, k->op->id)) {
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: admin API: %s is not in Auth0ManagementAllow",
		              k->op->id);
		return refuse(r, k, HTTP_FORBIDDEN, "operation_not_allowed",
		              apr_psprintf(r->pool, "%s is not allowed here (Auth0ManagementAllow)", k->op->id));
	}

	json_t *body = NULL;
	int rc = read_body(r, k, &body, &why);
	if (rc != OK) {
		if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE)
			r->connection->keepalive = AP_CONN_CLOSE; /* do not read the rest */
		const char *error = rc == HTTP_REQUEST_ENTITY_TOO_LARGE ? "body_too_large"
		                  : rc == HTTP_UNSUPPORTED_MEDIA_TYPE   ? "unsupported_media_type"
		                                                        : "invalid_body";
		return refuse(r, k, rc, error, why);
	}
	auth0_kv *query = NULL, *unset = NULL;
	if (parse_query(r, k->op, &query, &unset, &why) != OK)
		return refuse(r, k, HTTP_BAD_REQUEST, "invalid_query", why);
	return run(r, c, k, query, unset, body);
}
