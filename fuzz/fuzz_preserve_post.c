/*
 * A form kept across a login (preserve_post.c, query.c's a0m_form_pairs,
 * body.c, pages.c's a0m_page_repost): a POST without a session through
 * a0m_post_capture, and when it is kept, a0m_post_keep and the callback's
 * a0m_post_repost.
 *
 * Input: FLAGS \0 HEADERS \0 BODY
 *   HEADERS is request header lines separated by '|' (Content-Type,
 *   Origin, Sec-Fetch-Site, ...); BODY is the request body. FLAGS' first
 *   byte: bit 0 the request has Content-Type application/x-www-form-urlencoded
 *   and this site's Origin before HEADERS, bit 1 Auth0PreservePost On 64
 *   (else On, 16384), bit 2 the cache fails.
 *
 * Invariants: a kept body is the body as it came, no longer than the size
 * configured, and decodes; the page that posts it again holds its pairs
 * exactly (names and values read back from the page's hidden fields equal
 * the decoded pairs, in order: no value breaks out of its attribute), its
 * script's nonce is the CSP's, and it is given once; every field has a name;
 * a body that is not kept
 * gets DECLINED (the 401 of before) or an error status; no response header
 * holds a line break.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	return 0;
}

/* The text of an attribute value as a browser reads it (the four entities ap_escape_html2 writes). */
static char *unescape(apr_pool_t *p, const char *s, size_t n)
{
	static const struct {
		const char *entity;
		char c;
	} map[] = { { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' } };
	char *out = apr_palloc(p, n + 1), *o = out;
	for (size_t i = 0; i < n;) {
		size_t k = 0;
		while (k < 4 && strncmp(s + i, map[k].entity, strlen(map[k].entity)) != 0)
			k++;
		if (k < 4) {
			*o++ = map[k].c;
			i += strlen(map[k].entity);
		} else {
			if (s[i] == '<' || s[i] == '>' || s[i] == '"')
				fzm_fail("markup inside a hidden field", s);
			*o++ = s[i++];
		}
	}
	*o = '\0';
	return out;
}

/* The next attribute `attr="..."` after *at, unescaped; NULL when there is none. */
static char *attribute(apr_pool_t *p, const char **at, const char *attr)
{
	const char *start = strstr(*at, attr);
	if (!start)
		return NULL;
	start += strlen(attr);
	const char *end = strchr(start, '"');
	if (!end)
		fzm_fail("an attribute that does not end", start);
	*at = end + 1;
	return unescape(p, start, (size_t)(end - start));
}

static void check_page(request_rec *r, const apr_array_header_t *pairs)
{
	size_t len;
	const char *page = fzm_output(&len);
	if (strlen(page) != len)
		fzm_fail("a page with a NUL byte", page);
	const char *at = page;
	for (int i = 0; i < pairs->nelts; i++) {
		const a0m_pair *want = &APR_ARRAY_IDX(pairs, i, a0m_pair);
		const char *field = strstr(at, "<input type=\"hidden\" name=\"");
		if (!field)
			fzm_fail("a pair missing from the page", want->name);
		at = field;
		char *name = attribute(r->pool, &at, " name=\""), *value = attribute(r->pool, &at, " value=\"");
		if (!name || !value || strcmp(name, want->name) != 0 || strcmp(value, want->value) != 0)
			fzm_fail("a field of the page that is not the pair posted", want->name);
	}
	if (strstr(at, "<input"))
		fzm_fail("a field on the page that was not posted", at);
	const char *csp = apr_table_get(r->err_headers_out, "Content-Security-Policy");
	const char *script = strstr(page, "<script nonce=\"");
	if (!csp || !script || strstr(script + 1, "<script"))
		fzm_fail("a page without its one script and its CSP", page);
	script += strlen("<script nonce=\"");
	const char *nonce = apr_pstrmemdup(r->pool, script, strcspn(script, "\""));
	if (!strstr(csp, apr_pstrcat(r->pool, "script-src 'nonce-", nonce, "'", NULL)))
		fzm_fail("a script nonce that the CSP does not allow", csp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	unsigned flags = fz_num(&f);
	char *raw_headers = fz_next(&f);
	size_t body_len = 0;
	const uint8_t *body = fz_rest(&f, &body_len);
	fz_header_clean(raw_headers); /* httpd never hands a module a header value with a line break */

	apr_pool_t *p = fzm_begin();
	a0m_post_post_config(p, NULL); /* a fresh account of kept bytes for each input (freed with its pool) */
	char *headers = apr_pstrdup(p, raw_headers);
	free(raw_headers);
	a0m_dir_conf *c = fzm_conf(p);
	if (fzm_directive(p, c, "Auth0PreservePost", flags & 2 ? "On 64" : "On"))
		fzm_fail("Auth0PreservePost refused", "");
	fzm_cache_mode_set(flags & 4 ? FZM_CACHE_FAILS : FZM_CACHE_WORKS);

	request_rec *r = fzm_request(p, "POST", "/form?x=1", c);
	if (flags & 1) {
		apr_table_setn(r->headers_in, "Content-Type", "application/x-www-form-urlencoded");
		apr_table_setn(r->headers_in, "Origin", "https://" FZM_HOST);
	}
	char *last = NULL;
	for (char *h = apr_strtok(headers, "|", &last); h; h = apr_strtok(NULL, "|", &last)) {
		char *colon = strchr(h, ':');
		if (colon) {
			*colon = '\0';
			apr_table_addn(r->headers_in, h, colon[1] == ' ' ? colon + 2 : colon + 1);
		}
	}
	fzm_body(body, body_len);
	const a0m_origin *o = a0m_origin_get(r, c);
	const char *kept = NULL;
	int rc = a0m_post_capture(r, c, o, "/form?x=1", &kept);
	fzm_check_headers(r);
	if (rc != OK) {
		if (rc != DECLINED && rc < 400)
			fzm_fail("a body not kept, answered with neither DECLINED nor an error", "");
		fzm_end();
		return 0;
	}
	apr_array_header_t *pairs;
	if (!kept || strlen(kept) != body_len || memcmp(kept, body, body_len) != 0)
		fzm_fail("a kept body that is not the body posted", kept ? kept : "(null)");
	if (body_len > (size_t)a0m_conf_preserve_post(c))
		fzm_fail("a kept body larger than Auth0PreservePost's size", kept);
	if (!a0m_form_pairs(p, kept, &pairs))
		fzm_fail("a kept body that does not decode", kept);
	for (int i = 0; i < pairs->nelts; i++)
		if (!*APR_ARRAY_IDX(pairs, i, a0m_pair).name)
			fzm_fail("a kept body with a field without a name", kept);

	if (!a0m_post_keep(r, c, "fuzz-state", kept)) {
		if (!(flags & 4))
			fzm_fail("a body the working cache did not keep", kept);
		fzm_end();
		return 0;
	}
	a0m_transaction t = { .state = "fuzz-state", .post = true };
	request_rec *cb = fzm_request(p, "GET", "/callback?code=x&state=fuzz-state", c);
	rc = a0m_post_repost(cb, c, &t, "/form?x=1");
	if (rc != DONE)
		fzm_fail("a kept form that the callback did not post again", kept);
	fzm_check_headers(cb);
	check_page(cb, pairs);
	request_rec *again = fzm_request(p, "GET", "/callback?code=x&state=fuzz-state", c);
	if (a0m_post_repost(again, c, &t, "/form?x=1") != DECLINED)
		fzm_fail("a kept form posted again twice", kept);
	fzm_end();
	return 0;
}
