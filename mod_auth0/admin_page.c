/*
 * SetHandler auth0-admin: the admin page (conf/admin/index.html, admin.js,
 * admin.css, compiled into the module) at the <Location>'s path:
 *
 *   PREFIX or PREFIX/     the page, with the values below filled in
 *   PREFIX/admin.js       its script
 *   PREFIX/admin.css      its style sheet
 *
 * The page is plain HTML + vanilla JavaScript that calls the JSON API of
 * SetHandler auth0-management; it loads nothing from elsewhere (strict CSP:
 * no inline script or style, connections to this origin only). Its only
 * script is admin.js, pinned by content: its <script src> carries the
 * integrity of the embedded admin.js ('sha256-...', computed at build time by
 * conf/admin/embed), whose other bytes Subresource Integrity refuses, and a
 * nonce made for each response; the CSP's script-src is that nonce and that
 * hash, never 'self'. The nonce is what CSP Level 2 browsers go by (a hash
 * allows an external script only in Level 3, which Firefox took up in 116);
 * the hash serves those of Level 3. So neither another script of this origin
 * (an upload, a CGI, a JSONP endpoint) nor a changed admin.js runs on the page
 * that holds the CSRF token, as 'self' would allow. The server fills in, HTML-escaped,
 * {{base}} (PREFIX), {{api}} (the API's URL path: the variable
 * AUTH0_ADMIN_API, e.g. SetEnv AUTH0_ADMIN_API /admin/api, else PREFIX/api),
 * {{csrf}} (the session's CSRF token, sent back by the script in
 * X-CSRF-Token), {{user}}, {{logout}} (Auth0LogoutPath, or empty),
 * {{script_integrity}} (admin.js's integrity metadata) and {{script_nonce}}.
 * The page holds a CSRF token, so it is never cached; the assets are
 * revalidated with their ETag.
 */
#include "admin.h"

const a0m_asset *a0m_admin_asset(const char *name)
{
	for (const a0m_asset *a = a0m_admin_assets; a->name; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

/* The integrity metadata of the page's script; "" when it is missing (then no script may run). */
static const char *script_integrity(void)
{
	const a0m_asset *js = a0m_admin_asset("admin.js");
	return js && js->integrity ? js->integrity : "";
}

/* nonce: the page's script nonce; NULL for the assets, which run no script of their own */
static void security_headers(request_rec *r, const char *nonce)
{
	apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
	apr_table_setn(r->headers_out, "X-Frame-Options", "DENY");
	apr_table_setn(r->headers_out, "Referrer-Policy", "same-origin");
	/* script-src: admin.js by the page's nonce and its hash, never 'self' (see the top of this file) */
	const char *sri = script_integrity();
	const char *scripts = nonce && *sri ? apr_pstrcat(r->pool, "'nonce-", nonce, "' '", sri, "'", NULL) : "'none'";
	apr_table_setn(r->headers_out, "Content-Security-Policy",
	               apr_pstrcat(r->pool, "default-src 'none'; script-src ", scripts,
	                           "; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; "
	                           "frame-ancestors 'none'; base-uri 'none'", NULL));
}

/* Whether an If-None-Match header names etag. */
static bool not_modified(request_rec *r, const char *etag)
{
	const char *inm = apr_table_get(r->headers_in, "If-None-Match");
	return inm && (strcmp(inm, "*") == 0 || ap_find_etag_strong(r->pool, inm, etag) ||
	               ap_find_etag_weak(r->pool, inm, etag));
}

static int send_asset(request_rec *r, const a0m_asset *a)
{
	security_headers(r, NULL);
	apr_table_setn(r->headers_out, "ETag", a->etag);
	apr_table_setn(r->headers_out, "Cache-Control", "no-cache");
	if (not_modified(r, a->etag))
		return HTTP_NOT_MODIFIED;
	ap_set_content_type(r, a->type);
	ap_set_content_length(r, (apr_off_t)a->len);
	if (!r->header_only)
		ap_rwrite(a->data, (int)a->len, r);
	return OK;
}

/* The API's URL path for the page. */
static const char *api_path(request_rec *r, const char *prefix)
{
	const char *v = apr_table_get(r->subprocess_env, "AUTH0_ADMIN_API");
	if (v && *v) {
		if (v[0] == '/' && v[1] != '/' && !strpbrk(v, "\\?#\"'<> \t\r\n"))
			return v;
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
		              "mod_auth0: AUTH0_ADMIN_API must be a path on this site such as /admin/api; using %s/api",
		              prefix);
	}
	return apr_pstrcat(r->pool, prefix, "/api", NULL);
}

/* The value of placeholder name (len bytes), or NULL when unknown. */
static const char *placeholder(request_rec *r, const a0m_dir_conf *c, const char *prefix, const char *nonce,
                               const char *name, size_t len)
{
#define IS(s) (len == sizeof(s) - 1 && strncmp(name, s, len) == 0)
	a0m_request *rq = a0m_request_get(r, false);
	if (IS("base"))
		return prefix;
	if (IS("api"))
		return api_path(r, prefix);
	if (IS("csrf"))
		return rq && rq->csrf_token ? rq->csrf_token : "";
	if (IS("user"))
		return a0m_request_shown_user(r);
	if (IS("logout"))
		return c->logout_path ? c->logout_path : "";
	if (IS("script_integrity"))
		return script_integrity();
	if (IS("script_nonce"))
		return nonce;
	return NULL;
#undef IS
}

static int send_page(request_rec *r, const a0m_dir_conf *c, const char *prefix)
{
	const a0m_asset *page = a0m_admin_asset("index.html");
	if (!page)
		return HTTP_INTERNAL_SERVER_ERROR;
	/* 128 random bits, base64url: characters a CSP nonce may hold */
	const char *nonce = a0m_random_token(r->pool, 16);
	if (!nonce)
		return HTTP_INTERNAL_SERVER_ERROR;
	apr_array_header_t *parts = apr_array_make(r->pool, 32, sizeof(const char *));
	const char *t = (const char *)page->data, *end = t + page->len;
	while (t < end) {
		const char *open = strstr(t, "{{");
		const char *close = open ? strstr(open + 2, "}}") : NULL;
		if (!open || !close || open >= end) {
			*(const char **)apr_array_push(parts) = apr_pstrmemdup(r->pool, t, (apr_size_t)(end - t));
			break;
		}
		*(const char **)apr_array_push(parts) = apr_pstrmemdup(r->pool, t, (apr_size_t)(open - t));
		const char *v = placeholder(r, c, prefix, nonce, open + 2, (size_t)(close - open - 2));
		*(const char **)apr_array_push(parts) =
			v ? a0m_escape_html(r->pool, v) : apr_pstrmemdup(r->pool, open, (apr_size_t)(close + 2 - open));
		t = close + 2;
	}
	const char *html = apr_array_pstrcat(r->pool, parts, '\0');
	security_headers(r, nonce);
	a0m_no_store(r);
	ap_set_content_type(r, page->type);
	ap_set_content_length(r, (apr_off_t)strlen(html));
	if (!r->header_only)
		ap_rputs(html, r);
	return OK;
}

int a0m_admin_page(request_rec *r, const a0m_dir_conf *c, const char *prefix)
{
	if (r->method_number != M_GET) {
		apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD");
		return a0m_page(r, HTTP_METHOD_NOT_ALLOWED, "Method not allowed", "This page only answers GET.", NULL,
		                NULL);
	}
	ap_discard_request_body(r);
	const char *rest = r->uri + strlen(prefix);
	if (!*rest || strcmp(rest, "/") == 0)
		return send_page(r, c, prefix);
	const a0m_asset *a = rest[0] == '/' && strchr(rest + 1, '/') == NULL ? a0m_admin_asset(rest + 1) : NULL;
	if (!a || strcmp(a->name, "index.html") == 0)
		return a0m_page(r, HTTP_NOT_FOUND, "Not found", "There is no such page here.", NULL, NULL);
	return send_asset(r, a);
}
