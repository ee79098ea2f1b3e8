/*
 * The few HTML pages the module shows itself: errors with an honest status,
 * "sign in again" after a stale callback, the logout confirmation, HTTPS
 * required. Everything variable is HTML-escaped; pages are never cached,
 * never framed, load nothing, and send no Referer (a callback URL holds a
 * code).
 */
#include "mod_auth0.h"

#include <http_core.h>
#include <mod_core.h>

#define STYLE                                                                                           \
	"body{font-family:system-ui,sans-serif;background:#f3f4f6;color:#1f2937;margin:0}"                  \
	"main{max-width:34rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.5rem;"            \
	"box-shadow:0 1px 3px rgba(0,0,0,.15)}h1{font-size:1.3rem;margin-top:0}"                             \
	"a.button,button{display:inline-block;padding:.5rem 1rem;background:#635dff;color:#fff;border:0;"    \
	"border-radius:.3rem;text-decoration:none;font-size:1rem;cursor:pointer}"

void a0m_no_store(request_rec *r)
{
	apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
	apr_table_setn(r->err_headers_out, "Pragma", "no-cache");
}

static void page_headers(request_rec *r, int status)
{
	r->status = status;
	a0m_no_store(r);
	apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
	apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
	apr_table_setn(r->err_headers_out, "Referrer-Policy", "no-referrer");
	apr_table_setn(r->err_headers_out, "Content-Security-Policy",
	               "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
	               "frame-ancestors 'none'; base-uri 'none'");
	ap_set_content_type(r, "text/html; charset=utf-8");
	/* a body we write ourselves: no ErrorDocument, no keep-alive surprises with a request body unread */
	ap_discard_request_body(r);
}

static void open_page(request_rec *r, const char *title, const char *head_extra)
{
	ap_rvputs(r, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
	          head_extra ? head_extra : "", "<title>", ap_escape_html2(r->pool, title, 1), "</title><style>",
	          STYLE, "</style></head><body><main><h1>", ap_escape_html2(r->pool, title, 1), "</h1>\n", NULL);
}

static void close_page(request_rec *r)
{
	ap_rputs("</main></body></html>\n", r);
}

int a0m_page(request_rec *r, int status, const char *title, const char *text, const char *href,
             const char *link_text)
{
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (status >= 400 && c && c->error_pages == A0M_ERROR_PAGES_ERRORDOCUMENT &&
	    ap_response_code_string(r, ap_index_of_response(status))) {
		/* Auth0ErrorPages errordocument, and an ErrorDocument for this status: httpd answers with it, and
		 * it finds what happened in REDIRECT_AUTH0_ERROR* (an internal redirect prefixes them) */
		apr_table_setn(r->subprocess_env, "AUTH0_ERROR", title);
		if (text)
			apr_table_setn(r->subprocess_env, "AUTH0_ERROR_DESCRIPTION", text);
		if (href)
			apr_table_setn(r->subprocess_env, "AUTH0_ERROR_LINK", href);
		a0m_no_store(r);
		return status;
	}
	page_headers(r, status);
	open_page(r, title, NULL);
	if (text)
		ap_rvputs(r, "<p>", ap_escape_html2(r->pool, text, 1), "</p>\n", NULL);
	if (href)
		ap_rvputs(r, "<p><a class=\"button\" id=\"continue\" href=\"", ap_escape_html2(r->pool, href, 1),
		          "\">", ap_escape_html2(r->pool, link_text ? link_text : "Continue", 1), "</a></p>\n", NULL);
	close_page(r);
	return DONE;
}

/* Hidden fields keep their text as it is (UTF-8 passes through: the page is UTF-8); only markup is escaped. */
static void hidden_field(request_rec *r, const char *name, const char *value)
{
	ap_rvputs(r, "<input type=\"hidden\" name=\"", ap_escape_html2(r->pool, name, 0), "\" value=\"",
	          ap_escape_html2(r->pool, value, 0), "\">\n", NULL);
}

static void open_form(request_rec *r, const char *action)
{
	ap_rvputs(r, "<form method=\"post\" action=\"", ap_escape_html2(r->pool, action, 1),
	          "\" id=\"form\" accept-charset=\"utf-8\">\n", NULL);
}

static void close_form(request_rec *r, const char *button)
{
	ap_rvputs(r, "<button type=\"submit\" id=\"confirm\">", ap_escape_html2(r->pool, button, 1),
	          "</button>\n</form>\n", NULL);
}

int a0m_page_form(request_rec *r, const char *title, const char *text, const char *action,
                  const char *button, const char *const *fields)
{
	page_headers(r, HTTP_OK);
	open_page(r, title, NULL);
	if (text)
		ap_rvputs(r, "<p>", ap_escape_html2(r->pool, text, 1), "</p>\n", NULL);
	open_form(r, action);
	for (int i = 0; fields && fields[i]; i += 2)
		if (fields[i + 1])
			hidden_field(r, fields[i], fields[i + 1]);
	close_form(r, button);
	close_page(r);
	return DONE;
}

int a0m_page_repost(request_rec *r, const char *action, const apr_array_header_t *pairs, const char *nonce)
{
	page_headers(r, HTTP_OK);
	/* the one script this module writes: allowed by its nonce only; no form-action, since the site may
	 * answer the form with a redirect anywhere, as it would have before the login */
	apr_table_setn(r->err_headers_out, "Content-Security-Policy",
	               apr_pstrcat(r->pool, "default-src 'none'; script-src 'nonce-", nonce, "'; style-src "
	                           "'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'", NULL));
	/* the site gets Origin (which no-referrer would make "null") but not this URL, which holds a code */
	apr_table_setn(r->err_headers_out, "Referrer-Policy", "origin");
	open_page(r, "Signed in", NULL);
	ap_rputs("<p>You are signed in. Sending the form you submitted before signing in&hellip;</p>\n", r);
	open_form(r, action);
	for (int i = 0; i < pairs->nelts; i++) {
		const a0m_pair *pair = &APR_ARRAY_IDX(pairs, i, a0m_pair);
		hidden_field(r, pair->name, pair->value);
	}
	close_form(r, "Send the form");
	ap_rvputs(r, "<script nonce=\"", nonce, "\">document.getElementById(\"form\").submit();</script>\n", NULL);
	close_page(r);
	return DONE;
}

int a0m_page_continue(request_rec *r, const char *href)
{
	page_headers(r, HTTP_OK);
	const char *h = ap_escape_html2(r->pool, href, 1);
	open_page(r, "Signed in",
	          apr_pstrcat(r->pool, "<meta http-equiv=\"refresh\" content=\"0;url=", h, "\">", NULL));
	ap_rvputs(r, "<p><a class=\"button\" id=\"continue\" href=\"", h, "\">Continue</a></p>\n", NULL);
	close_page(r);
	return DONE;
}

bool a0m_tenant_failed(const auth0_error *err)
{
	return err && (auth0_error_is_transient(err) || err->kind == AUTH0_ERR_INVALID_RESPONSE ||
	               err->kind == AUTH0_ERR_TLS);
}

int a0m_status_for_tenant_error(request_rec *r, const auth0_error *err)
{
	switch (err ? err->kind : AUTH0_ERR_INTERNAL) {
	case AUTH0_ERR_TIMEOUT:
		return HTTP_GATEWAY_TIME_OUT;
	case AUTH0_ERR_RATE_LIMITED:
	case AUTH0_ERR_UNAVAILABLE:
		if (err->retry_after > 0)
			apr_table_setn(r->err_headers_out, "Retry-After",
			               apr_psprintf(r->pool, "%" APR_INT64_T_FMT,
			                            (apr_int64_t)(err->retry_after < 3600 ? err->retry_after : 3600)));
		return HTTP_SERVICE_UNAVAILABLE;
	case AUTH0_ERR_NO_MEMORY:
	case AUTH0_ERR_INTERNAL:
	case AUTH0_ERR_INVALID_ARGUMENT:
		return HTTP_INTERNAL_SERVER_ERROR;
	default:
		return HTTP_BAD_GATEWAY;
	}
}
