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

/* on a request while it probes its ErrorDocument (errordocument_usable); login.c reads it (same name there) */

#define STYLE                                                                                           \
	"body{font-family:system-ui,sans-serif;background:#f3f4f6;color:#1f2937;margin:0}"                  \
	"main{max-width:34rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.5rem;"            \
	"box-shadow:0 1px 3px rgba(0,0,0,.15)}h1{font-size:1.3rem;margin-top:0}"                             \
	"a.button,button{display:inline-block;padding:.5rem 1rem;background:#635dff;color:#fff;border:0;"    \
	"border-radius:.3rem;text-decoration:none;font-family:inherit;font-size:1rem;line-height:inherit;"   \
	"cursor:pointer}"

void a0m_no_store(request_rec *r)
{
	apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
	apr_table_setn(r->err_headers_out, "Pragma", "no-cache");
}

/*
 * What every page of ours sends: never cached, sniffed, framed, or sent on as a Referer; loads nothing.
 * Forms go to this site only (form-action 'self'), but for a page whose form goes to the logout endpoint
 * (signs_out): its answer is a redirect to the tenant's logout (and from there to returnTo, or on to an
 * identity provider's), and browsers hold every hop of a form's redirects to form-action (Chromium and
 * WebKit: "Sending form data to '.../logout' violates ... form-action 'self'"), which would stop the
 * sign-out at the tenant's door after the session was gone. There the action is the module's own fixed
 * path, everything else on the page escaped text, as on the repost page (a0m_page_repost).
 */
static void security_headers(request_rec *r, bool signs_out)
{
	a0m_no_store(r);
	apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
	apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
	apr_table_setn(r->err_headers_out, "Referrer-Policy", "no-referrer");
	apr_table_setn(r->err_headers_out, "Content-Security-Policy",
	               signs_out ? "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
	                         : "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
	                           "frame-ancestors 'none'; base-uri 'none'");
}

static void page_headers(request_rec *r, int status, bool signs_out)
{
	r->status = status;
	security_headers(r, signs_out);
	ap_set_content_type(r, "text/html; charset=utf-8");
	/* a body we write ourselves: no ErrorDocument, no keep-alive surprises with a request body unread */
	ap_discard_request_body(r);
}

/*
 * The pages are UTF-8, and what they show comes partly from elsewhere (the tenant's error_description, a
 * user's name): escaped for HTML with its UTF-8 kept (ap_escape_html2's toasc would turn each byte of a
 * non-ASCII character into a character of its own, "f&#195;&#188;r" for "für"), once any ill-formed UTF-8
 * in it is replaced. Neither APR nor httpd checks UTF-8, hence the few lines below.
 */

/* The length of the well-formed UTF-8 sequence at s (RFC 3629 table 3-7: no overlong forms, no UTF-16
 * surrogates, nothing past U+10FFFF), or 0 and in *bad how many bytes of an ill-formed one to replace with
 * a single U+FFFD (its longest valid start, at least 1: the "maximal subpart" browsers' decoders replace). */
static size_t utf8_sequence(const unsigned char *s, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t n;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
	else {
		*bad = 1;
		return 0;
	}
	/* the NUL at the end is never a continuation byte: a sequence cut short stops before it */
	for (size_t i = 1; i < n; i++, lo = 0x80, hi = 0xBF)
		if (s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
	return n;
}

const char *a0m_utf8_text(apr_pool_t *p, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n, bad = 0;
	while (s[i] && (n = utf8_sequence(s + i, &bad)) != 0)
		i += n;
	if (!s[i])
		return text; /* the usual case: nothing to replace, no copy */
	/* each replaced byte becomes at most the 3 bytes of U+FFFD */
	char *out = apr_palloc(p, strlen(text) * 3 + 1), *o = out;
	memcpy(o, text, i);
	o += i;
	while (s[i]) {
		if ((n = utf8_sequence(s + i, &bad)) != 0) {
			memcpy(o, s + i, n);
			i += n;
		} else {
			memcpy(o, "\xEF\xBF\xBD", 3);
			n = 3;
			i += bad;
		}
		o += n;
	}
	*o = '\0';
	return out;
}

const char *a0m_escape_html(apr_pool_t *p, const char *text)
{
	return ap_escape_html2(p, a0m_utf8_text(p, text), 0);
}

static const char *page_start(apr_pool_t *p, const char *title, const char *head_extra)
{
	const char *t = a0m_escape_html(p, title);
	return apr_pstrcat(p, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
	                   head_extra ? head_extra : "", "<title>", t, "</title><style>", STYLE,
	                   "</style></head><body><main><h1>", t, "</h1>\n", NULL);
}

#define PAGE_END "</main></body></html>\n"

static void open_page(request_rec *r, const char *title, const char *head_extra)
{
	ap_rputs(page_start(r->pool, title, head_extra), r);
}

static void close_page(request_rec *r)
{
	ap_rputs(PAGE_END, r);
}

static const char *paragraph(apr_pool_t *p, const char *text)
{
	return apr_pstrcat(p, "<p>", a0m_escape_html(p, text), "</p>\n", NULL);
}

static const char *button_link(apr_pool_t *p, const char *id, const char *href, const char *text)
{
	return apr_pstrcat(p, "<a class=\"button\" id=\"", id, "\" href=\"", a0m_escape_html(p, href), "\">",
	                   a0m_escape_html(p, text), "</a>", NULL);
}

/*
 * Whether httpd may answer with the site's ErrorDocument for status (Auth0ErrorPages errordocument): there is
 * one, and it is not a page of this site that needs a login. Those who see these pages are often not signed
 * in (a failed callback, a stale sign-in link), and an ErrorDocument in a protected location would start a
 * login of its own for the error page (a transaction cookie that pushes out the real ones, and httpd's
 * "Additionally, a 302 Found error was encountered" in place of either page). Whether it needs one is
 * asked as httpd asks: a look-up sub-request of the document, as a GET (httpd serves an ErrorDocument with
 * GET whatever the request's method, so a section such as <LimitExcept OPTIONS> answers the probe as it
 * will answer the document) without the browser's cookies, Authorization, Origin or preflight header. So it
 * is answered for anyone, and answered without side effects: this module loads no session without a cookie,
 * and starts no login in this probe (login.c's navigation rule, which finds A0M_NOTE_PROBE on its parent):
 * 401 where AuthType Auth0 wants a login or Auth0Bearer a token, 403 where the location refuses, 200 where
 * anyone is let through (no authentication, Auth0Unauthenticated pass). A text or another site's URL is
 * always usable.
 */
static bool errordocument_usable(request_rec *r, int status)
{
	/* httpd serves no ErrorDocument for a sub-request (ap_die hands its status to the parent), and a probe
	 * refused here again (origin.c's plain-http refusal) would probe again: where an <If> section applies,
	 * httpd authenticates each nested probe anew, down to its nesting limit (AH00125); elsewhere the nested
	 * probe takes its parent's configuration and authentication, and stops there (30-errordocument-probe.t) */
	if (r->main)
		return false;
	const char *doc = ap_response_code_string(r, ap_index_of_response(status));
	if (!doc)
		return false;
	if (doc[0] != '/')
		return true;
	/* the sub-request copies r->headers_in when it is made: a copy without these stands in for that moment,
	 * and the table itself, every value in its order, is put back right after */
	static const char *const hidden[] = { "Cookie", "Authorization", "Origin", "Access-Control-Request-Method" };
	apr_table_t *headers = r->headers_in;
	r->headers_in = apr_table_copy(r->pool, headers);
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		apr_table_unset(r->headers_in, hidden[i]);
	apr_table_setn(r->notes, A0M_NOTE_PROBE, "1");
	request_rec *rr = ap_sub_req_method_uri("GET", doc, r, NULL);
	apr_table_unset(r->notes, A0M_NOTE_PROBE);
	r->headers_in = headers;
	bool usable = rr->status == HTTP_OK;
	if (!usable)
		ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_auth0: ErrorDocument %d %s needs a login or is "
		              "refused (%d): the module's own page answers instead (Auth0ErrorPages errordocument "
		              "wants it where anyone may see it)", status, ap_escape_logitem(r->pool, doc), rr->status);
	ap_destroy_sub_req(rr);
	return usable;
}

int a0m_page(request_rec *r, int status, const char *title, const char *text, const char *href,
             const char *link_text)
{
	/* a sub-request's output goes into its parent's response (an SSI include, the ErrorDocument probe above,
	 * whose output httpd's buffers may pass on when large): the status alone, which the parent answers for */
	if (r->main && status >= 400)
		return status;
	const a0m_dir_conf *c = ap_get_module_config(r->per_dir_config, &auth0_module);
	if (status >= 400 && c && c->error_pages == A0M_ERROR_PAGES_ERRORDOCUMENT && errordocument_usable(r, status)) {
		/* Auth0ErrorPages errordocument, and an ErrorDocument for this status: httpd answers with it, and
		 * it finds what happened in REDIRECT_AUTH0_ERROR* (an internal redirect prefixes them) */
		apr_table_setn(r->subprocess_env, "AUTH0_ERROR", title);
		if (text)
			apr_table_setn(r->subprocess_env, "AUTH0_ERROR_DESCRIPTION", text);
		if (href)
			apr_table_setn(r->subprocess_env, "AUTH0_ERROR_LINK", href);
		/* err_headers_out outlive the internal redirect: the document is another's, but what these pages
		 * never do (be cached, framed, sniffed, or send on the Referer of a URL that may hold a code) holds */
		a0m_no_store(r);
		apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
		apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
		apr_table_setn(r->err_headers_out, "Referrer-Policy", "no-referrer");
		return status;
	}
	page_headers(r, status, false);
	open_page(r, title, NULL);
	if (text)
		ap_rputs(paragraph(r->pool, text), r);
	if (href)
		ap_rvputs(r, "<p>", button_link(r->pool, "continue", href, link_text ? link_text : "Continue"), "</p>\n",
		          NULL);
	close_page(r);
	return DONE;
}

int a0m_page_unavailable(request_rec *r, int status, const char *retry_href)
{
	return a0m_page(r, status, "Sign-in service unavailable",
	                status == HTTP_GATEWAY_TIME_OUT
	                    ? "The sign-in service did not answer in time. Please try again in a moment."
	                    : "The sign-in service cannot be reached right now. Please try again in a moment.",
	                retry_href, "Try again");
}

/* Hidden fields keep their text as it is (UTF-8 passes through: the page is UTF-8); only markup is escaped. */
static const char *hidden_field(apr_pool_t *p, const char *name, const char *value)
{
	return apr_pstrcat(p, "<input type=\"hidden\" name=\"", ap_escape_html2(p, name, 0), "\" value=\"",
	                   ap_escape_html2(p, value, 0), "\">\n", NULL);
}

static const char *form_start(apr_pool_t *p, const char *action)
{
	return apr_pstrcat(p, "<form method=\"post\" action=\"", a0m_escape_html(p, action),
	                   "\" id=\"form\" accept-charset=\"utf-8\">\n", NULL);
}

static void open_form(request_rec *r, const char *action)
{
	ap_rputs(form_start(r->pool, action), r);
}

void a0m_page_as_error_response(request_rec *r, const char *title, const char *text, const char *const *links,
                                const a0m_page_post *post)
{
	apr_pool_t *p = r->pool;
	const char *body = apr_pstrcat(p, page_start(p, title, NULL), paragraph(p, text), NULL);
	/* the POST button sits among the links, in their paragraph: the form holds that paragraph (a <form>
	 * start tag ends an open <p>), its hidden fields before it */
	if (post) {
		body = apr_pstrcat(p, body, form_start(p, post->action), NULL);
		for (int i = 0; post->fields && post->fields[i]; i += 2)
			if (post->fields[i + 1])
				body = apr_pstrcat(p, body, hidden_field(p, post->fields[i], post->fields[i + 1]), NULL);
	}
	body = apr_pstrcat(p, body, "<p>", NULL);
	int i = 0;
	for (; links && links[i]; i += 3)
		body = apr_pstrcat(p, body, i ? " " : "", button_link(p, links[i], links[i + 1], links[i + 2]), NULL);
	if (post)
		body = apr_pstrcat(p, body, i ? " " : "", "<button type=\"submit\" id=\"", post->id, "\">",
		                   a0m_escape_html(p, post->text), "</button>", NULL);
	body = apr_pstrcat(p, body, "</p>\n", post ? "</form>\n" : "", PAGE_END, NULL);
	security_headers(r, post != NULL);
	/* httpd sends a custom response as text/html; charset=iso-8859-1 unless told not to name a charset:
	 * then the page's own <meta charset="utf-8"> holds */
	apr_table_setn(r->subprocess_env, "suppress-error-charset", "1");
	ap_custom_response(r, r->status, body);
}

static void close_form(request_rec *r, const char *button)
{
	ap_rvputs(r, "<button type=\"submit\" id=\"confirm\">", a0m_escape_html(r->pool, button),
	          "</button>\n</form>\n", NULL);
}

int a0m_page_form(request_rec *r, const char *title, const char *text, const char *action,
                  const char *button, const char *const *fields)
{
	page_headers(r, HTTP_OK, true);
	open_page(r, title, NULL);
	if (text)
		ap_rvputs(r, "<p>", a0m_escape_html(r->pool, text), "</p>\n", NULL);
	open_form(r, action);
	for (int i = 0; fields && fields[i]; i += 2)
		if (fields[i + 1])
			ap_rputs(hidden_field(r->pool, fields[i], fields[i + 1]), r);
	close_form(r, button);
	close_page(r);
	return DONE;
}

int a0m_page_repost(request_rec *r, const char *action, const apr_array_header_t *pairs, const char *nonce)
{
	page_headers(r, HTTP_OK, false);
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
		ap_rputs(hidden_field(r->pool, pair->name, pair->value), r);
	}
	close_form(r, "Send the form");
	/* the prototype's submit(): a field named "submit" (a common name for a form's button) is the form's
	 * property "submit", which form.submit() would call and fail on */
	ap_rvputs(r, "<script nonce=\"", nonce, "\">HTMLFormElement.prototype.submit.call(document.getElementById("
	             "\"form\"));</script>\n", NULL);
	close_page(r);
	return DONE;
}

int a0m_page_continue(request_rec *r, const char *href)
{
	page_headers(r, HTTP_OK, false);
	const char *h = a0m_escape_html(r->pool, href);
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
