/*
 * Directive values (config.c): a configuration snippet, one directive per
 * line ("Auth0CookieName app_session"), each line run through the module's
 * command table as httpd would (arguments split with ap_getword_conf by the
 * directive's argument form: TAKE1, TAKE2, TAKE12, TAKE123, ITERATE, FLAG,
 * TAKE_ARGV, RAW_ARGS), on a <Location>'s configuration merged over the
 * server's; then the start-up check (a0m_conf_check), the effective values,
 * and a login started with the result (authorization URL with Auth0Scope,
 * Auth0Audience, Auth0Organization, Auth0AuthorizationParam, the
 * transaction cookie with Auth0CookieName / Auth0CookieDomain / SameSite).
 * Directives that read files (Auth0ClientAssertionKey,
 * Auth0CACertificateFile, file: secrets) and Auth0Cache are skipped.
 *
 * Input: the snippet (lines; a line may also be "# comment").
 *
 * Invariants: every refusal has a message; accepted values keep the forms
 * the module relies on (a redirect path starts with one '/', cookie names
 * are tokens, the header prefix cannot be empty); no response header holds
 * a line break.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <apr_lib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fzm_init();
	return 0;
}

static void check_values(const a0m_dir_conf *c)
{
	const char *path = a0m_conf_redirect_path(c);
	if (c->redirect_uri && (!path || path[0] != '/' || path[1] == '/' || path[1] == '\\'))
		fzm_fail("a redirect path that is not a single-slash path", c->redirect_uri);
	for (const char *s = a0m_conf_cookie_name(c); *s; s++)
		if (!apr_isalnum(*s) && *s != '_' && *s != '-')
			fzm_fail("a cookie name that is not a token", a0m_conf_cookie_name(c));
	if (strlen(a0m_conf_claim_header_prefix(c)) < 2)
		fzm_fail("a claim header prefix under two characters", a0m_conf_claim_header_prefix(c));
	if (c->logout_path && (c->logout_path[0] != '/' || c->logout_path[1] == '/'))
		fzm_fail("a logout path that is not a path", c->logout_path);
	if (c->post_login_url && (c->post_login_url[0] != '/' || c->post_login_url[1] == '/'))
		fzm_fail("a post-login URL that is not a path", c->post_login_url);
	if (a0m_conf_inactivity_timeout(c) <= 0 || a0m_conf_max_duration(c) <= 0 ||
	    a0m_conf_login_timeout(c) <= 0)
		fzm_fail("a duration that is not positive", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	apr_pool_t *p = fzm_begin();
	char *text = apr_pstrmemdup(p, (const char *)data, size);
	a0m_dir_conf *server = auth0_module.create_dir_config(p, NULL);
	a0m_dir_conf *loc = auth0_module.create_dir_config(p, "/app");
	char *last = NULL;
	int n = 0;
	char *line = apr_strtok(text, "\n", &last);
	for (; line && n < 64; line = apr_strtok(NULL, "\n", &last), n++) {
		const char *args = line;
		const char *name = ap_getword_conf(p, &args);
		if (!*name || *name == '#')
			continue;
		/* the first lines configure the server, the others the <Location> */
		const char *err = fzm_directive(p, n < 2 ? server : loc, name, args);
		if (err && !*err)
			fzm_fail("an empty error message", line);
	}
	a0m_dir_conf *c = auth0_module.merge_dir_config(p, server, loc);
	check_values(c);
	(void)a0m_conf_check(p, c, true);
	const char *problem = a0m_conf_check(p, c, false);
	(void)a0m_conf_scope(c);
	(void)a0m_conf_post_login_url(c);
	(void)a0m_conf_pass_claims_as(c);
	(void)a0m_conf_leeway(c);

	if (!problem) {
		/* a login with this configuration (the app client behind it is the harness's) */
		request_rec *r = fzm_request(p, "GET", "/app/page?q=1", c);
		const a0m_origin *o = a0m_origin_get(r, c);
		(void)a0m_origin_redirect_uri(r, c, o);
		a0m_login_start(r, c, o, "/app/page?q=1");
		fzm_check_headers(r);
	}
	fzm_end();
	return 0;
}
