/*
 * Authentication API without the network: PKCE, the URL builders (exact
 * URLs, CGI.escape encoding, parameter order, defaults, the client's default
 * organization) and argument checking of every endpoint, which must fail
 * before any request is made (the client points at a closed port, so a
 * request would give AUTH0_ERR_NETWORK instead).
 */
#include "auth_internal.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

static auth0_client *make_client(const char *domain, const char *client_id, const char *organization)
{
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = domain;
	o.client_id = client_id;
	o.client_secret = client_id ? "secret" : NULL;
	o.organization = organization;
	o.timeout_ms = 1000;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		printf("Bail out! cannot create a client: %s\n", err ? err->message : "?");
		exit(1);
	}
	return c;
}

/* Checks a failed call: the status, the option named, optionally part of the message; frees err. */
#define is_arg_error(st, err, opt, msg, what)                                                     \
	do {                                                                                          \
		is_int((st), AUTH0_ERR_INVALID_ARGUMENT, "%s: invalid argument", (what));                 \
		is_str((err) ? (err)->option : NULL, (opt), "%s: names option %s", (what), (opt));         \
		if (msg)                                                                                  \
			like((err) ? (err)->message : NULL, (const char *)(msg), "%s: message", (what));      \
		auth0_error_free(err);                                                                    \
		(err) = NULL;                                                                             \
	} while (0)

static void test_pkce(void)
{
	auth0_error *err = NULL;
	char *challenge = NULL;
	/* RFC 7636, appendix B. */
	is_int(auth0_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", &challenge, &err), AUTH0_OK,
	       "pkce: challenge of the RFC 7636 example verifier");
	is_str(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "pkce: S256 challenge matches RFC 7636");
	ok(err == NULL, "pkce: err is NULL on success");
	free(challenge);

	char *v1, *c1, *v2, *c2;
	is_int(auth0_pkce_new(&v1, &c1, &err), AUTH0_OK, "pkce: new verifier");
	is_int(auth0_pkce_new(&v2, &c2, &err), AUTH0_OK, "pkce: another verifier");
	is_int(strlen(v1), 43, "pkce: verifier has 43 characters");
	is_int(strlen(c1), 43, "pkce: challenge has 43 characters");
	ok(strcmp(v1, v2) != 0 && strcmp(c1, c2) != 0, "pkce: verifiers are random");
	ok(strspn(v1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43,
	   "pkce: verifier uses the base64url alphabet");
	is_int(auth0_pkce_challenge(v1, &challenge, &err), AUTH0_OK, "pkce: challenge of a new verifier");
	is_str(challenge, c1, "pkce: auth0_pkce_new's challenge is the verifier's S256");
	free(challenge);
	free(v1); free(c1); free(v2); free(c2);

	auth0_status st = auth0_pkce_challenge("too-short", &challenge, &err);
	is_arg_error(st, err, "code_verifier", "code_verifier", "pkce: short verifier");
	ok(challenge == NULL, "pkce: no challenge for a bad verifier");
	st = auth0_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX+", &challenge, &err);
	is_arg_error(st, err, "code_verifier", NULL, "pkce: verifier with '+'");
	char long_v[130];
	memset(long_v, 'a', 129);
	long_v[129] = '\0';
	st = auth0_pkce_challenge(long_v, &challenge, &err);
	is_arg_error(st, err, "code_verifier", NULL, "pkce: verifier of 129 characters");
	long_v[128] = '\0';
	is_int(auth0_pkce_challenge(long_v, &challenge, &err), AUTH0_OK,
	       "pkce: verifier of 128 characters is fine");
	free(challenge);
	st = auth0_pkce_challenge(NULL, &challenge, &err);
	is_arg_error(st, err, "code_verifier", NULL, "pkce: NULL verifier");
	st = auth0_pkce_new(NULL, &challenge, &err);
	is_arg_error(st, err, "verifier", NULL, "pkce: NULL output");
}

/* PKCE is S256 only, also through extra; extra cannot change client_id or redirect_uri. */
#define S256_URL                                                                                  \
	"https://tenant.example/authorize?client_id=cid&response_type=code&redirect_uri=x"          \
	"&code_challenge=abc&code_challenge_method=S256"
static void test_authorize_pkce_and_extra(auth0_client *c)
{
	auth0_error *err = NULL;
	char *url = NULL;
	auth0_status st;

	auth0_authorize_params plain = { .redirect_uri = "x", .code_challenge = "abc",
	                                 .code_challenge_method = "plain" };
	st = auth0_authorize_url(c, &plain, &url, &err);
	is_arg_error(st, err, "code_challenge_method", "S256", "authorize: code_challenge_method plain refused");
	ok(url == NULL, "authorize: no URL with plain");

	/* The Ruby SDK's only way to send a challenge: additional_parameters. */
	const auth0_kv ch[] = { { "code_challenge", "abc" }, { NULL, NULL } };
	auth0_authorize_params e1 = { .redirect_uri = "x", .state = "s", .extra = ch };
	is_int(auth0_authorize_url(c, &e1, &url, &err), AUTH0_OK, "authorize: code_challenge in extra");
	is_str(url, "https://tenant.example/authorize?client_id=cid&response_type=code&redirect_uri=x&state=s"
	            "&code_challenge=abc&code_challenge_method=S256",
	       "authorize: a code_challenge from extra gets code_challenge_method=S256");
	free(url);
	url = NULL;
	json_t *fields = NULL;
	is_int(a0_authorize_fields(c, &e1, false, &fields, &err), AUTH0_OK, "PAR fields: code_challenge in extra");
	is_str(a0_json_str(fields, "code_challenge_method"), "S256", "PAR fields: code_challenge_method S256 added");
	json_decref(fields);

	const auth0_kv ch_plain[] = { { "code_challenge", "abc" }, { "code_challenge_method", "plain" },
		                          { NULL, NULL } };
	auth0_authorize_params e2 = { .redirect_uri = "x", .extra = ch_plain };
	st = auth0_authorize_url(c, &e2, &url, &err);
	is_arg_error(st, err, "code_challenge_method", NULL, "authorize: plain in extra refused");
	const auth0_kv over_plain[] = { { "code_challenge_method", "plain" }, { NULL, NULL } };
	auth0_authorize_params e3 = { .redirect_uri = "x", .code_challenge = "abc", .extra = over_plain };
	st = auth0_authorize_url(c, &e3, &url, &err);
	is_arg_error(st, err, "code_challenge_method", NULL, "authorize: extra cannot turn S256 into plain");
	const auth0_kv no_method[] = { { "code_challenge_method", NULL }, { NULL, NULL } };
	auth0_authorize_params e4 = { .redirect_uri = "x", .code_challenge = "abc", .extra = no_method };
	is_int(auth0_authorize_url(c, &e4, &url, &err), AUTH0_OK, "authorize: extra removes the method");
	is_str(url, S256_URL, "authorize: S256 is sent all the same");
	free(url);
	url = NULL;
	const auth0_kv s256[] = { { "code_challenge", "abc" }, { "code_challenge_method", "S256" }, { NULL, NULL } };
	auth0_authorize_params e5 = { .redirect_uri = "x", .extra = s256 };
	is_int(auth0_authorize_url(c, &e5, &url, &err), AUTH0_OK, "authorize: challenge and S256 in extra");
	is_str(url, S256_URL, "authorize: one method, as given");
	free(url);
	url = NULL;

	/* client_id and redirect_uri: the same value is harmless, another or none is refused. */
	const auth0_kv other_redirect[] = { { "redirect_uri", "https://evil.example/cb" }, { NULL, NULL } };
	auth0_authorize_params r1 = { .redirect_uri = "https://app/cb", .extra = other_redirect };
	st = auth0_authorize_url(c, &r1, &url, &err);
	is_arg_error(st, err, "extra", "redirect_uri", "authorize: extra redirect_uri refused");
	ok(url == NULL, "authorize: no URL with another redirect_uri");
	json_t *pf = NULL;
	st = a0_authorize_fields(c, &r1, false, &pf, &err);
	is_arg_error(st, err, "extra", "redirect_uri", "PAR fields: extra redirect_uri refused");
	const auth0_kv no_redirect[] = { { "redirect_uri", NULL }, { NULL, NULL } };
	auth0_authorize_params r2 = { .redirect_uri = "https://app/cb", .extra = no_redirect };
	st = auth0_authorize_url(c, &r2, &url, &err);
	is_arg_error(st, err, "extra", "redirect_uri", "authorize: extra cannot remove redirect_uri");
	const auth0_kv other_client[] = { { "client_id", "someone-else" }, { NULL, NULL } };
	auth0_authorize_params r3 = { .redirect_uri = "https://app/cb", .extra = other_client };
	st = auth0_authorize_url(c, &r3, &url, &err);
	is_arg_error(st, err, "extra", "client_id", "authorize: extra client_id refused");
	const auth0_kv same[] = { { "client_id", "cid" }, { "redirect_uri", "https://app/cb" },
		                      { "response_type", "code id_token" }, { NULL, NULL } };
	auth0_authorize_params r4 = { .redirect_uri = "https://app/cb", .extra = same };
	is_int(auth0_authorize_url(c, &r4, &url, &err), AUTH0_OK, "authorize: same client_id and redirect_uri");
	is_str(url, "https://tenant.example/authorize?client_id=cid&response_type=code+id_token"
	            "&redirect_uri=https%3A%2F%2Fapp%2Fcb",
	       "authorize: response_type replaced in place (Ruby parity)");
	free(url);
}

static void test_authorize_url(void)
{
	auth0_client *c = make_client("tenant.example", "cid", NULL);
	auth0_error *err = NULL;
	char *url = NULL;

	auth0_authorize_params p = { .redirect_uri = "https://app/cb" };
	is_int(auth0_authorize_url(c, &p, &url, &err), AUTH0_OK, "authorize: minimal");
	is_str(url,
	       "https://tenant.example/authorize?client_id=cid&response_type=code"
	       "&redirect_uri=https%3A%2F%2Fapp%2Fcb",
	       "authorize: client_id, default response_type code, redirect_uri");
	free(url);

	/* The example of authentication-endpoints.json (nonce through extra, as Ruby's additional_parameters). */
	const auth0_kv nonce[] = { { "nonce", "n" }, { NULL, NULL } };
	auth0_authorize_params r = { .redirect_uri = "https://app/cb", .state = "s t", .scope = "openid profile",
		                         .extra = nonce };
	is_int(auth0_authorize_url(c, &r, &url, &err), AUTH0_OK, "authorize: Ruby example");
	is_str(url,
	       "https://tenant.example/authorize?client_id=cid&response_type=code"
	       "&redirect_uri=https%3A%2F%2Fapp%2Fcb"
	            "&state=s+t&scope=openid+profile&nonce=n",
	       "authorize: same URL as the Ruby SDK");
	free(url);

	const auth0_kv extra[] = { { "ui_locales", "fr ca" }, { "scope", "openid email" }, { "invitation", NULL },
		                       { NULL, NULL } };
	auth0_authorize_params all = {
		.redirect_uri = "https://app.example.com/callback?x=1",
		.response_type = "code id_token",
		.response_mode = "form_post",
		.state = "st&=ate",
		.nonce = "n/1",
		.scope = "openid profile",
		.audience = "https://api.example.com/",
		.connection = "google-oauth2",
		.organization = "org_explicit",
		.invitation = "inv1",
		.prompt = "login",
		.login_hint = "a b@example.com",
		.screen_hint = "signup",
		.max_age = AUTH0_INT(0),
		.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		.extra = extra,
	};
	is_int(auth0_authorize_url(c, &all, &url, &err), AUTH0_OK, "authorize: every parameter");
	is_str(url,
	       "https://tenant.example/authorize?client_id=cid&response_type=code+id_token"
	       "&connection=google-oauth2"
	       "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback%3Fx%3D1&state=st%26%3Date"
	       "&scope=openid+email&organization=org_explicit&nonce=n%2F1"
	       "&audience=https%3A%2F%2Fapi.example.com%2F&response_mode=form_post&prompt=login&max_age=0"
	       "&login_hint=a+b%40example.com&screen_hint=signup"
	       "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
	       "&ui_locales=fr+ca",
	       "authorize: fixed order, extra replaces in place (scope) or removes (invitation), appended last");
	free(url);

	auth0_authorize_params s256 = { .redirect_uri = "x", .code_challenge = "abc",
	                                .code_challenge_method = "S256" };
	is_int(auth0_authorize_url(c, &s256, &url, &err), AUTH0_OK, "authorize: explicit challenge method");
	is_str(url, S256_URL, "authorize: code_challenge_method as given");
	free(url);
	test_authorize_pkce_and_extra(c);

	auth0_authorize_params esc = { .redirect_uri = "x", .state = "a b&c=d/\xc3\xa9~*+%" };
	is_int(auth0_authorize_url(c, &esc, &url, &err), AUTH0_OK, "authorize: special characters");
	like(url, "&state=a+b%26c%3Dd%2F%C3%A9~%2A%2B%25",
	     "authorize: CGI.escape encoding (space +, ~ kept, * escaped)");
	free(url);
	auth0_client_free(c);

	/* The client's organization is the default for authorize URLs, and can be replaced or removed. */
	c = make_client("tenant.example", "cid", "org_acme123");
	is_int(auth0_authorize_url(c, &p, &url, &err), AUTH0_OK, "authorize: client with an organization");
	is_str(url,
	       "https://tenant.example/authorize?client_id=cid&response_type=code"
	       "&redirect_uri=https%3A%2F%2Fapp%2Fcb"
	            "&organization=org_acme123",
	       "authorize: the client's organization by default");
	free(url);
	auth0_authorize_params o2 = { .redirect_uri = "https://app/cb", .organization = "acme",
	                              .invitation = "i" };
	is_int(auth0_authorize_url(c, &o2, &url, &err), AUTH0_OK, "authorize: explicit organization");
	like(url, "&organization=acme&invitation=i", "authorize: explicit organization wins");
	unlike(url, "org_acme123", "authorize: default organization not sent as well");
	free(url);
	const auth0_kv no_org[] = { { "organization", NULL }, { NULL, NULL } };
	auth0_authorize_params o3 = { .redirect_uri = "https://app/cb", .extra = no_org };
	is_int(auth0_authorize_url(c, &o3, &url, &err), AUTH0_OK, "authorize: organization removed by extra");
	unlike(url, "organization", "authorize: an extra NULL value removes the parameter");
	free(url);

	/* PAR's fields: same order, but never the client's default organization (as in Ruby). */
	json_t *fields = NULL;
	is_int(a0_authorize_fields(c, &p, false, &fields, &err), AUTH0_OK, "authorize fields for PAR");
	ok(json_object_get(fields, "organization") == NULL, "PAR fields: no default organization");
	is_str(a0_json_str(fields, "client_id"), "cid", "PAR fields: client_id");
	json_decref(fields);

	/* Invalid arguments. */
	auth0_authorize_params bad = { 0 };
	auth0_status st = auth0_authorize_url(c, &bad, &url, &err);
	is_arg_error(st, err, "redirect_uri", "Must supply a valid redirect_uri", "authorize: no redirect_uri");
	ok(url == NULL, "authorize: no URL on failure");
	bad.redirect_uri = "";
	st = auth0_authorize_url(c, &bad, &url, &err);
	is_arg_error(st, err, "redirect_uri", "Must supply a valid redirect_uri",
	             "authorize: empty redirect_uri");
	st = auth0_authorize_url(c, NULL, &url, &err);
	is_arg_error(st, err, "params", NULL, "authorize: NULL params");
	st = auth0_authorize_url(c, &p, NULL, &err);
	is_arg_error(st, err, "url", NULL, "authorize: NULL output");
	st = auth0_authorize_url(NULL, &p, &url, &err);
	is_arg_error(st, err, "client", NULL, "authorize: NULL client");
	auth0_authorize_params neg = { .redirect_uri = "x", .max_age = AUTH0_INT(-1) };
	st = auth0_authorize_url(c, &neg, &url, &err);
	is_arg_error(st, err, "max_age", NULL, "authorize: negative max_age");
	const auth0_kv empty_name[] = { { "", "v" }, { NULL, NULL } };
	auth0_authorize_params en = { .redirect_uri = "x", .extra = empty_name };
	st = auth0_authorize_url(c, &en, &url, &err);
	is_arg_error(st, err, "extra", NULL, "authorize: extra parameter without a name");
	auth0_authorize_params utf = { .redirect_uri = "x", .state = "\xff\xfe" };
	st = auth0_authorize_url(c, &utf, &url, &err);
	is_arg_error(st, err, "state", "UTF-8", "authorize: state not UTF-8");
	auth0_client_free(c);

	c = make_client("tenant.example", NULL, NULL);
	st = auth0_authorize_url(c, &p, &url, &err);
	is_arg_error(st, err, "client_id", NULL, "authorize: client without client_id");
	auth0_client_free(c);
}

static void test_other_urls(void)
{
	auth0_client *c = make_client("tenant.example:8443", "cid", "org_acme123");
	auth0_error *err = NULL;
	char *url = NULL;
	auth0_status st;

	is_int(auth0_par_authorize_url(c, "urn:ietf:params:oauth:request_uri:abc", &url, &err), AUTH0_OK,
	       "par url");
	is_str(url, "https://tenant.example:8443/authorize?client_id=cid"
	            "&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc",
	       "par url: client_id and escaped request_uri only (no organization)");
	free(url);
	st = auth0_par_authorize_url(c, "", &url, &err);
	is_arg_error(st, err, "request_uri", "Must supply a valid request_uri", "par url: empty request_uri");
	st = auth0_par_authorize_url(c, NULL, &url, &err);
	is_arg_error(st, err, "request_uri", "Must supply a valid request_uri", "par url: NULL request_uri");

	is_int(auth0_logout_url(c, NULL, &url, &err), AUTH0_OK, "logout: no parameters");
	is_str(url, "https://tenant.example:8443/v2/logout", "logout: bare URL (no dangling '?')");
	free(url);
	auth0_logout_params lp = { .return_to = "https://app/", .include_client_id = true, .federated = true };
	is_int(auth0_logout_url(c, &lp, &url, &err), AUTH0_OK, "logout: every parameter");
	is_str(url,
	       "https://tenant.example:8443/v2/logout?returnTo=https%3A%2F%2Fapp%2F&client_id=cid&federated=1",
	       "logout: returnTo, client_id, federated=1 in Ruby's order");
	free(url);
	auth0_logout_params lf = { .federated = true };
	is_int(auth0_logout_url(c, &lf, &url, &err), AUTH0_OK, "logout: federated only");
	is_str(url, "https://tenant.example:8443/v2/logout?federated=1", "logout: federated alone");
	free(url);
	auth0_logout_params lr = { .return_to = "https://app/a b" };
	is_int(auth0_logout_url(c, &lr, &url, &err), AUTH0_OK, "logout: returnTo only");
	is_str(url, "https://tenant.example:8443/v2/logout?returnTo=https%3A%2F%2Fapp%2Fa+b",
	       "logout: client_id only on request");
	free(url);
	st = auth0_logout_url(c, &lp, NULL, &err);
	is_arg_error(st, err, "url", NULL, "logout: NULL output");

	auth0_oidc_logout_params op = {
		.id_token_hint = "eyJ.x.y", .post_logout_redirect_uri = "https://app/bye", .logout_hint = "sid1",
		.state = "s 1", .ui_locales = "fr", .include_client_id = true, .federated = true,
	};
	is_int(auth0_oidc_logout_url(c, &op, &url, &err), AUTH0_OK, "oidc logout: every parameter");
	is_str(url, "https://tenant.example:8443/oidc/logout?id_token_hint=eyJ.x.y&client_id=cid"
	            "&post_logout_redirect_uri=https%3A%2F%2Fapp%2Fbye&logout_hint=sid1&state=s+1&ui_locales=fr"
	            "&federated=1",
	       "oidc logout: exact URL");
	free(url);
	auth0_oidc_logout_params oh = { .id_token_hint = "eyJ.x.y",
	                                .post_logout_redirect_uri = "https://app/bye" };
	is_int(auth0_oidc_logout_url(c, &oh, &url, &err), AUTH0_OK, "oidc logout: with an ID token");
	is_str(url, "https://tenant.example:8443/oidc/logout?id_token_hint=eyJ.x.y"
	            "&post_logout_redirect_uri=https%3A%2F%2Fapp%2Fbye",
	       "oidc logout: the ID token names the application");
	free(url);
	auth0_oidc_logout_params oc = { .post_logout_redirect_uri = "https://app/bye" };
	is_int(auth0_oidc_logout_url(c, &oc, &url, &err), AUTH0_OK, "oidc logout: redirect without an ID token");
	is_str(url,
	       "https://tenant.example:8443/oidc/logout?client_id=cid"
	       "&post_logout_redirect_uri=https%3A%2F%2Fapp%2Fbye",
	       "oidc logout: client_id added so Auth0 can check the redirect");
	free(url);
	is_int(auth0_oidc_logout_url(c, NULL, &url, &err), AUTH0_OK, "oidc logout: no parameters");
	is_str(url, "https://tenant.example:8443/oidc/logout", "oidc logout: bare URL");
	free(url);

	is_int(auth0_samlp_url(c, NULL, &url, &err), AUTH0_OK, "samlp: default connection");
	is_str(url, "https://tenant.example:8443/samlp/cid?connection=Username-Password-Authentication",
	       "samlp: /samlp/CLIENT_ID?connection=Username-Password-Authentication");
	free(url);
	is_int(auth0_samlp_url(c, "my conn", &url, &err), AUTH0_OK, "samlp: named connection");
	is_str(url, "https://tenant.example:8443/samlp/cid?connection=my+conn", "samlp: connection escaped");
	free(url);

	is_int(auth0_wsfed_url(c, NULL, &url, &err), AUTH0_OK, "wsfed: defaults");
	is_str(url, "https://tenant.example:8443/wsfed/cid?whr=Username-Password-Authentication",
	       "wsfed: /wsfed/CLIENT_ID?whr=Username-Password-Authentication");
	free(url);
	auth0_wsfed_params wp = { .connection = "adfs", .wtrealm = "urn:app", .wctx = "c x",
	                          .wreply = "https://app/r" };
	is_int(auth0_wsfed_url(c, &wp, &url, &err), AUTH0_OK, "wsfed: with wtrealm");
	is_str(url,
	       "https://tenant.example:8443/wsfed/?whr=adfs&wtrealm=urn%3Aapp&wctx=c+x"
	       "&wreply=https%3A%2F%2Fapp%2Fr",
	       "wsfed: /wsfed/ without client id when wtrealm is given, Ruby's order");
	free(url);
	auth0_wsfed_params wc = { .wctx = "ctx" };
	is_int(auth0_wsfed_url(c, &wc, &url, &err), AUTH0_OK, "wsfed: wctx without wtrealm");
	is_str(url, "https://tenant.example:8443/wsfed/cid?whr=Username-Password-Authentication&wctx=ctx",
	       "wsfed: client id path with wctx");
	free(url);
	auth0_client_free(c);

	/* Without a client id, the URLs that need one fail. */
	c = make_client("tenant.example", NULL, NULL);
	st = auth0_samlp_url(c, NULL, &url, &err);
	is_arg_error(st, err, "client_id", NULL, "samlp: no client id");
	st = auth0_wsfed_url(c, NULL, &url, &err);
	is_arg_error(st, err, "client_id", NULL, "wsfed: no client id");
	st = auth0_par_authorize_url(c, "urn:x", &url, &err);
	is_arg_error(st, err, "client_id", NULL, "par url: no client id");
	lp.include_client_id = true;
	st = auth0_logout_url(c, &lp, &url, &err);
	is_arg_error(st, err, "client_id", NULL, "logout: include_client_id without a client id");
	is_int(auth0_logout_url(c, &lr, &url, &err), AUTH0_OK, "logout: no client id needed otherwise");
	free(url);
	auth0_client_free(c);
}

/*
 * Every network call checks its arguments first. The client's tenant is a
 * closed port: had a request been made, the status would be NETWORK.
 */
static void test_arguments(void)
{
	auth0_client *c = make_client("127.0.0.1:1", "cid", NULL);
	auth0_error *err = NULL;
	auth0_tokens *tok = NULL;
	json_t *j = NULL;
	char *s = NULL;
	auth0_status st;

	st = auth0_exchange_code(c, "", "https://app/cb", NULL, &tok, &err);
	is_arg_error(st, err, "code", "Must provide an authorization code", "exchange_code: empty code");
	st = auth0_exchange_code(c, "abc", NULL, "", &tok, &err);
	is_arg_error(st, err, "code_verifier", NULL, "exchange_code: empty verifier");
	st = auth0_exchange_code(c, "abc", NULL, NULL, NULL, &err);
	is_arg_error(st, err, "tokens", NULL, "exchange_code: NULL output");
	st = auth0_exchange_refresh_token(c, NULL, NULL, &tok, &err);
	is_arg_error(st, err, "refresh_token", "Must provide a refresh token", "refresh: no token");

	auth0_password_login login = { .username = "alice", .password = "" };
	st = auth0_login_password(c, &login, &tok, &err);
	is_arg_error(st, err, "password", "Must supply a valid password", "password login: empty password");
	login.username = NULL;
	st = auth0_login_password(c, &login, &tok, &err);
	is_arg_error(st, err, "username", "Must supply a valid login_name", "password login: no username");
	st = auth0_login_password(c, NULL, &tok, &err);
	is_arg_error(st, err, "login", NULL, "password login: NULL login");
	auth0_password_login inj = { .username = "a", .password = "p", .forwarded_for = "1.2.3.4\r\nX-Evil: 1" };
	st = auth0_login_password(c, &inj, &tok, &err);
	is_arg_error(st, err, "forwarded_for", NULL, "password login: forwarded_for with a line break");

	st = auth0_exchange_email_otp(c, "", "123456", NULL, NULL, &tok, &err);
	is_arg_error(st, err, "email", "Must supply a valid email", "email otp: no email");
	st = auth0_exchange_email_otp(c, "a@example.com", NULL, NULL, NULL, &tok, &err);
	is_arg_error(st, err, "otp", NULL, "email otp: no otp");
	st = auth0_exchange_sms_otp(c, NULL, "123456", NULL, NULL, &tok, &err);
	is_arg_error(st, err, "phone_number", "Must supply a valid phone number", "sms otp: no phone");

	auth0_token_exchange tx = { .subject_token = "t" };
	st = auth0_exchange_token(c, &tx, &tok, &err);
	is_arg_error(st, err, "subject_token_type", NULL, "token exchange: no subject_token_type");
	tx = (auth0_token_exchange){ .subject_token_type = "urn:x" };
	st = auth0_exchange_token(c, &tx, &tok, &err);
	is_arg_error(st, err, "subject_token", NULL, "token exchange: no subject_token");
	tx = (auth0_token_exchange){ .subject_token = "t", .subject_token_type = "urn:x", .actor_token = "a" };
	st = auth0_exchange_token(c, &tx, &tok, &err);
	is_arg_error(st, err, "actor_token_type", NULL, "token exchange: actor_token without its type");
	st = auth0_revoke_refresh_token(c, "", &err);
	is_arg_error(st, err, "refresh_token", NULL, "revoke: empty token");
	st = auth0_client_credentials(c, NULL, NULL, NULL, &err);
	is_int(st, AUTH0_ERR_INVALID_ARGUMENT, "client credentials: NULL output");
	auth0_error_free(err);
	err = NULL;

	auth0_authorize_params par = { .state = "s" };
	st = auth0_pushed_authorization_request(c, &par, &s, NULL, &err);
	is_arg_error(st, err, "redirect_uri", "Must supply a valid redirect_uri", "PAR: no redirect_uri");

	auth0_signup_params sp = { .email = "a@example.com" };
	st = auth0_signup(c, &sp, &j, &err);
	is_arg_error(st, err, "password", "Must supply a valid password", "signup: no password");
	sp = (auth0_signup_params){ .password = "p" };
	st = auth0_signup(c, &sp, &j, &err);
	is_arg_error(st, err, "email", "Must supply a valid email", "signup: no email");
	json_t *arr = json_array();
	sp = (auth0_signup_params){ .email = "a@example.com", .password = "p", .user_metadata = arr };
	st = auth0_signup(c, &sp, &j, &err);
	is_arg_error(st, err, "user_metadata", NULL, "signup: user_metadata not an object");
	json_decref(arr);
	st = auth0_reset_password(c, "", NULL, &s, &err);
	is_arg_error(st, err, "email", "Must supply a valid email", "reset password: no email");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	st = auth0_change_password(c, NULL, "p", NULL, &s, &err);
#pragma GCC diagnostic pop
	is_arg_error(st, err, "email", "Must supply a valid email", "change password: no email");

	st = auth0_passwordless_start_email(c, "", AUTH0_PASSWORDLESS_CODE, NULL, &j, &err);
	is_arg_error(st, err, "email", "Must supply a valid email", "passwordless email: no email");
	st = auth0_passwordless_start_email(c, "a@example.com", (auth0_passwordless_send)7, NULL, &j, &err);
	is_arg_error(st, err, "send", NULL, "passwordless email: bad send type");
	json_t *notobj = json_string("x");
	st = auth0_passwordless_start_email(c, "a@example.com", AUTH0_PASSWORDLESS_LINK, notobj, &j, &err);
	is_arg_error(st, err, "auth_params", NULL, "passwordless email: auth_params not an object");
	json_decref(notobj);
	st = auth0_passwordless_start_sms(c, NULL, &j, &err);
	is_arg_error(st, err, "phone_number", "Must supply a valid phone number", "passwordless sms: no phone");
	st = auth0_passwordless_verify(c, "magic", "a@example.com", "123456", &j, &err);
	is_arg_error(st, err, "connection", NULL, "passwordless verify: unknown connection");
	st = auth0_passwordless_verify(c, "sms", "", "123456", &j, &err);
	is_arg_error(st, err, "phone_number", NULL, "passwordless verify: no phone");
	st = auth0_passwordless_verify(c, "email", "a@example.com", NULL, &j, &err);
	is_arg_error(st, err, "verification_code", NULL, "passwordless verify: no code");

	st = auth0_userinfo(c, "", &j, &err);
	is_arg_error(st, err, "access_token", NULL, "userinfo: no access token");
	st = auth0_userinfo(c, "tok", NULL, &err);
	is_arg_error(st, err, "profile", NULL, "userinfo: NULL output");
	st = auth0_saml_metadata(c, NULL, &err);
	is_arg_error(st, err, "xml", NULL, "saml metadata: NULL output");
	st = auth0_wsfed_metadata(NULL, &s, &err);
	is_arg_error(st, err, "client", NULL, "wsfed metadata: NULL client");
	st = auth0_oidc_discovery(c, NULL, &err);
	is_arg_error(st, err, "configuration", NULL, "discovery: NULL output");

	st = auth0_mfa_challenge(c, "", "otp", NULL, &j, &err);
	is_arg_error(st, err, "mfa_token", NULL, "mfa challenge: no mfa_token");
	st = auth0_mfa_challenge(c, "mt", "sms", NULL, &j, &err);
	is_arg_error(st, err, "challenge_type", NULL, "mfa challenge: bad challenge_type");
	auth0_mfa_enrollment en = { 0 };
	st = auth0_mfa_associate(c, "mt", &en, &j, &err);
	is_arg_error(st, err, "authenticator_types", NULL, "mfa associate: no authenticator types");
	const char *const types[] = { "oob", NULL };
	const char *const bad_channels[] = { "sms", "", NULL };
	en = (auth0_mfa_enrollment){ .authenticator_types = types, .oob_channels = bad_channels };
	st = auth0_mfa_associate(c, "mt", &en, &j, &err);
	is_arg_error(st, err, "oob_channels", NULL, "mfa associate: empty channel");
	st = auth0_mfa_associate(c, NULL, &en, &j, &err);
	is_arg_error(st, err, "mfa_token", NULL, "mfa associate: no mfa_token");
	st = auth0_mfa_list_authenticators(c, "", &j, &err);
	is_arg_error(st, err, "token", NULL, "mfa list: no token");
	st = auth0_mfa_delete_authenticator(c, "tok", "", &err);
	is_arg_error(st, err, "authenticator_id", NULL, "mfa delete: no id");
	st = auth0_mfa_verify_otp(c, "mt", "", &tok, &err);
	is_arg_error(st, err, "otp", NULL, "mfa otp: no otp");
	st = auth0_mfa_verify_oob(c, "mt", NULL, NULL, &tok, &err);
	is_arg_error(st, err, "oob_code", NULL, "mfa oob: no oob_code");
	st = auth0_mfa_verify_recovery_code(c, NULL, "rc", &tok, &err);
	is_arg_error(st, err, "mfa_token", NULL, "mfa recovery: no mfa_token");

	auth0_ciba_request creq;
	auth0_ciba_params cp = { .user_id = "auth0|1", .scope = "profile", .binding_message = "hi" };
	st = auth0_ciba_authorize(c, &cp, &creq, &err);
	is_arg_error(st, err, "scope", "openid", "ciba: scope without openid");
	cp = (auth0_ciba_params){ .user_id = "auth0|1", .scope = "openidx profile", .binding_message = "hi" };
	st = auth0_ciba_authorize(c, &cp, &creq, &err);
	is_arg_error(st, err, "scope", NULL, "ciba: scope openidx is not openid");
	cp = (auth0_ciba_params){ .scope = "openid", .binding_message = "hi" };
	st = auth0_ciba_authorize(c, &cp, &creq, &err);
	is_arg_error(st, err, "user_id", NULL, "ciba: no user id");
	cp = (auth0_ciba_params){ .user_id = "auth0|1", .scope = "openid" };
	st = auth0_ciba_authorize(c, &cp, &creq, &err);
	is_arg_error(st, err, "binding_message", NULL, "ciba: no binding message");
	st = auth0_ciba_token(c, "", &tok, &err);
	is_arg_error(st, err, "auth_req_id", NULL, "ciba token: no auth_req_id");
	st = auth0_device_authorize(c, "openid", NULL, NULL, &err);
	is_arg_error(st, err, "code", NULL, "device authorize: NULL output");
	st = auth0_device_token(c, NULL, &tok, &err);
	is_arg_error(st, err, "device_code", NULL, "device token: no device_code");
	auth0_ciba_request_clear(NULL);
	auth0_device_code_clear(NULL);
	auth0_client_free(c);

	/* A client without a client id cannot use the endpoints that send one. */
	c = make_client("127.0.0.1:1", NULL, NULL);
	st = auth0_exchange_code(c, "abc", NULL, NULL, &tok, &err);
	is_arg_error(st, err, "client_id", NULL, "exchange_code: client without client id");
	st = auth0_device_authorize(c, "openid", NULL, &(auth0_device_code){ 0 }, &err);
	is_arg_error(st, err, "client_id", NULL, "device authorize: client without client id");
	auth0_client_free(c);

	/* Sanity check of the premise: a valid call to this client does reach for the network. */
	c = make_client("127.0.0.1:1", "cid", NULL);
	st = auth0_exchange_code(c, "abc", NULL, NULL, &tok, &err);
	is_int(st, AUTH0_ERR_NETWORK, "a valid call to the closed port fails with NETWORK");
	ok(tok == NULL, "no tokens on failure");
	auth0_error_free(err);
	auth0_client_free(c);
}

/*
 * Output pointers are cleared first, whatever fails, a missing client included (the old code returned
 * before clearing them when the client was NULL): a caller that frees them after a failure must not
 * free what it had there before.
 */
static void test_outputs_cleared(void)
{
	static char junk[] = "left over";
	json_t *jjunk = json_string("left over");
	char *s;
	json_t *j, *j2;
	auth0_tokens *t;
	auth0_error *err;
	int n = 0, cleared = 0;
#define CLEARED(call, out)                                                                           	do {                                                                                             		err = NULL;                                                                                  		auth0_status st_ = (call);                                                                   		n++;                                                                                         		if (st_ != AUTH0_OK && (out) == NULL && err && err->message)                                 			cleared++;                                                                               		else                                                                                         			diag("%s: output left set (or no error)", #call);                                        		auth0_error_free(err);                                                                       	} while (0)
	s = junk;
	CLEARED(auth0_authorize_url(NULL, NULL, &s, &err), s);
	s = junk;
	CLEARED(auth0_par_authorize_url(NULL, "urn:x", &s, &err), s);
	s = junk;
	CLEARED(auth0_logout_url(NULL, NULL, &s, &err), s);
	s = junk;
	CLEARED(auth0_oidc_logout_url(NULL, NULL, &s, &err), s);
	s = junk;
	CLEARED(auth0_samlp_url(NULL, NULL, &s, &err), s);
	s = junk;
	CLEARED(auth0_wsfed_url(NULL, NULL, &s, &err), s);
	s = junk;
	int64_t expires_in = 42;
	CLEARED(auth0_pushed_authorization_request(NULL, NULL, &s, &expires_in, &err), s);
	ok(expires_in == 0, "auth0_pushed_authorization_request clears expires_in too");
	s = junk;
	CLEARED(auth0_saml_metadata(NULL, &s, &err), s);
	s = junk;
	CLEARED(auth0_wsfed_metadata(NULL, &s, &err), s);
	s = junk;
	CLEARED(auth0_reset_password(NULL, "a@b.c", NULL, &s, &err), s);
	j = jjunk;
	CLEARED(auth0_signup(NULL, NULL, &j, &err), j);
	j = jjunk;
	CLEARED(auth0_userinfo(NULL, "tok", &j, &err), j);
	j = jjunk;
	CLEARED(auth0_oidc_discovery(NULL, &j, &err), j);
	j = jjunk;
	CLEARED(auth0_mfa_challenge(NULL, "mfa", NULL, NULL, &j, &err), j);
	j = jjunk;
	CLEARED(auth0_mfa_associate(NULL, "mfa", NULL, &j, &err), j);
	j = jjunk;
	CLEARED(auth0_mfa_list_authenticators(NULL, "tok", &j, &err), j);
	j = jjunk;
	CLEARED(auth0_passwordless_start_email(NULL, "a@b.c", AUTH0_PASSWORDLESS_CODE, NULL, &j, &err), j);
	j = jjunk;
	CLEARED(auth0_passwordless_start_sms(NULL, "+1", &j, &err), j);
	j = jjunk;
	CLEARED(auth0_passwordless_verify(NULL, "sms", "+1", "123", &j, &err), j);
	auth0_tokens *tjunk = (auth0_tokens *)junk;
	t = tjunk;
	CLEARED(auth0_exchange_code(NULL, "code", NULL, NULL, &t, &err), t);
	t = tjunk;
	CLEARED(auth0_exchange_refresh_token(NULL, "rt", NULL, &t, &err), t);
	t = tjunk;
	CLEARED(auth0_client_credentials(NULL, NULL, NULL, &t, &err), t);
	t = tjunk;
	CLEARED(auth0_login_password(NULL, NULL, &t, &err), t);
	t = tjunk;
	CLEARED(auth0_exchange_email_otp(NULL, "a@b.c", "1", NULL, NULL, &t, &err), t);
	t = tjunk;
	CLEARED(auth0_exchange_token(NULL, NULL, &t, &err), t);
	t = tjunk;
	CLEARED(auth0_mfa_verify_otp(NULL, "mfa", "1", &t, &err), t);
	t = tjunk;
	CLEARED(auth0_ciba_token(NULL, "id", &t, &err), t);
	t = tjunk;
	CLEARED(auth0_device_token(NULL, "dc", &t, &err), t);
	auth0_ciba_request cr = { .auth_req_id = junk, .expires_in = 1, .interval = 1 };
	CLEARED(auth0_ciba_authorize(NULL, NULL, &cr, &err), cr.auth_req_id);
	ok(cr.expires_in == 0 && cr.interval == 0, "auth0_ciba_authorize clears the whole request");
	auth0_device_code dc = { .device_code = junk, .user_code = junk, .expires_in = 1 };
	CLEARED(auth0_device_authorize(NULL, NULL, NULL, &dc, &err), dc.device_code);
	ok(dc.user_code == NULL && dc.expires_in == 0, "auth0_device_authorize clears the whole code");
	char *verifier = junk, *challenge = junk;
	CLEARED(auth0_pkce_new(NULL, &challenge, &err), challenge);
	CLEARED(auth0_pkce_new(&verifier, NULL, &err), verifier);
	j = jjunk;
	j2 = jjunk;
	CLEARED(auth0_jwt_decode_unverified("not a jwt", &j, &j2, &err), j);
	ok(j2 == NULL, "auth0_jwt_decode_unverified clears the payload too");
	s = junk;
	int64_t exp = 42;
	CLEARED(auth0_management_token(NULL, &s, &exp, &err), s);
	ok(exp == 0, "auth0_management_token clears expires_at too");
	auth0_client *cjunk = (auth0_client *)junk, *cl = cjunk;
	CLEARED(auth0_client_new(&cl, NULL, &err), cl);
	j = jjunk;
	CLEARED(auth0_pager_next(NULL, &j, &err), j);
	j = jjunk;
	CLEARED(auth0_pager_next_page(NULL, &j, &err), j);
#undef CLEARED
	is_int(cleared, n, "every call cleared its output before failing (%d of %d)", cleared, n);
	json_decref(jjunk);
}

int main(void)
{
	test_pkce();
	test_authorize_url();
	test_other_urls();
	test_arguments();
	test_outputs_cleared();
	return done_testing();
}
