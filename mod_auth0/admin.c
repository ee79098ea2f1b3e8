/*
 * The admin endpoints: SetHandler auth0-management (a JSON API that runs
 * Management API operations with the module's Management token) and
 * SetHandler auth0-admin (a small page built on that API).
 *
 * Both must sit behind AuthType Auth0 (browser sessions) or Auth0Bearer
 * (APIs) with a Require: they refuse to run for a request that mod_auth0
 * did not authenticate, so that a forgotten AuthType never exposes the
 * tenant's users to the world.
 *
 * Paths are relative to the <Location> whose SetHandler picked the handler:
 * with <Location /admin/api>, GET /admin/api/users/ID is the Management
 * path users/ID. The prefix is found among the server's <Location>
 * sections (the longest plain one that sets this handler and prefixes the
 * URI), so that other <Location>s that also apply to the URI, before or
 * after it, do not matter.
 */
#include "admin.h"

#include <ap_expr.h>
#include <http_core.h>

/* The handler this section sets with SetHandler, or NULL. */
static const char *section_handler(request_rec *r, const core_dir_config *cd)
{
	if (cd->expr_handler) {
		const char *err = NULL;
		const char *v = ap_expr_str_exec(r, cd->expr_handler, &err);
		return err ? NULL : v;
	}
	return cd->handler;
}

/* Whether the URL path `d` covers uri, on a segment boundary; *len gets d's length without trailing slashes. */
static bool covers(const char *d, const char *uri, size_t *len)
{
	size_t n = strlen(d);
	while (n > 0 && d[n - 1] == '/')
		n--;
	*len = n;
	return strncmp(d, uri, n) == 0 && (uri[n] == '\0' || uri[n] == '/');
}

const char *a0m_admin_prefix(request_rec *r, const char *handler)
{
	core_server_config *sconf = ap_get_core_module_config(r->server->module_config);
	apr_array_header_t *sections = sconf->sec_url;
	const char *best = NULL;
	size_t best_len = 0;
	for (int i = 0; sections && i < sections->nelts; i++) {
		ap_conf_vector_t *v = ((ap_conf_vector_t **)sections->elts)[i];
		core_dir_config *cd = ap_get_core_module_config(v);
		size_t len;
		if (!cd || !cd->d || cd->r || cd->d_is_fnmatch || !covers(cd->d, r->uri, &len))
			continue;
		const char *h = section_handler(r, cd);
		if (!h || strcasecmp(h, handler) != 0)
			continue;
		if (!best || len >= best_len) {
			best = cd->d;
			best_len = len;
		}
	}
	if (!best) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
		              "mod_auth0: SetHandler %s must be set in a <Location /path> section (not <LocationMatch>, "
		              "<Directory> or a wildcard) so that paths below it can be resolved", handler);
		return NULL;
	}
	return apr_pstrmemdup(r->pool, best, best_len);
}

int a0m_admin_json(request_rec *r, int status, json_t *body)
{
	r->status = status;
	a0m_no_store(r);
	apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
	if (!body || status == HTTP_NO_CONTENT || status == HTTP_NOT_MODIFIED) {
		json_decref(body);
		ap_set_content_length(r, 0);
		return OK;
	}
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(body);
	ap_set_content_type(r, "application/json; charset=utf-8");
	if (!text) {
		r->status = HTTP_INTERNAL_SERVER_ERROR;
		static const char oom[] = "{\"error\":\"internal_error\",\"message\":\"out of memory\",\"status\":500}";
		ap_set_content_length(r, sizeof(oom) - 1);
		ap_rwrite(oom, sizeof(oom) - 1, r);
		return OK;
	}
	size_t len = strlen(text);
	ap_set_content_length(r, (apr_off_t)len);
	ap_rwrite(text, (int)len, r);
	free(text);
	return OK;
}

json_t *a0m_admin_json_text(const char *text)
{
	json_t *j = json_string(text);
	if (j || !text)
		return j;
	size_t n = strlen(text);
	char *ascii = malloc(n + 1);
	if (!ascii)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		ascii[i] = (unsigned char)text[i] < 0x80 ? text[i] : '?';
	j = json_string(ascii);
	free(ascii);
	return j;
}

int a0m_admin_error(request_rec *r, int status, const char *error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *message = apr_pvsprintf(r->pool, fmt, ap);
	va_end(ap);
	json_t *body = json_object();
	json_object_set_new(body, "error", json_string(error));
	json_object_set_new(body, "message", a0m_admin_json_text(message));
	json_object_set_new(body, "status", json_integer(status));
	return a0m_admin_json(r, status, body);
}

int a0m_admin_handler(request_rec *r)
{
	if (!r->handler)
		return DECLINED;
	bool api = strcmp(r->handler, A0M_HANDLER_MANAGEMENT) == 0;
	if (!api && strcmp(r->handler, A0M_HANDLER_ADMIN) != 0)
		return DECLINED;
	/* a sub-request (an SSI include of the admin page) would write the page, with the session's CSRF token,
	 * into another response, which is neither no-store nor kept from frames */
	if (r->main)
		return HTTP_FORBIDDEN;

	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	/* Only a request that mod_auth0 authenticated (the user and how are in its request state). */
	a0m_request *rq = a0m_request_get(r, false);
	if (rq && rq->preflight) {
		/* the admin endpoints serve this site's own pages only: no other origin is told it may call them */
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: CORS preflight to %s refused",
		              ap_escape_logitem(r->pool, r->uri));
		if (api)
			return a0m_admin_error(r, HTTP_FORBIDDEN, "cross_origin",
			                       "cross-origin requests are not allowed here");
		return a0m_page(r, HTTP_FORBIDDEN, "Forbidden", "Cross-origin requests are not allowed here.", NULL,
		                NULL);
	}
	if (!r->user || !rq || !rq->source) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
		              "mod_auth0: %s at %s is not protected by AuthType Auth0 or Auth0Bearer with a Require: "
		              "refusing to serve it", r->handler, ap_escape_logitem(r->pool, r->uri));
		if (api)
			return a0m_admin_error(r, HTTP_FORBIDDEN, "not_protected",
			                       "this endpoint must be protected by AuthType Auth0 or Auth0Bearer");
		return a0m_page(r, HTTP_FORBIDDEN, "Forbidden", "This page is not protected by mod_auth0: it is disabled.",
		                NULL, NULL);
	}
	const char *prefix = a0m_admin_prefix(r, r->handler);
	if (!prefix) {
		if (api)
			return a0m_admin_error(r, HTTP_INTERNAL_SERVER_ERROR, "server_misconfigured",
			                       "the endpoint is misconfigured (see the server's error log)");
		return HTTP_INTERNAL_SERVER_ERROR;
	}
	return api ? a0m_admin_api(r, c, prefix) : a0m_admin_page(r, c, prefix);
}
