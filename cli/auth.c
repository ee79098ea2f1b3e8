/*
 * The Authentication API commands: token (client credentials), login
 * (password), exchange-code, refresh, authorize-url, logout-url, userinfo,
 * and validate-token (ID and access tokens, checked locally).
 *
 * A password or token given as "-" is read from the first line of stdin, so
 * that it stays out of the process list and the shell's history.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

struct opt {
	const char *name;   /* without "--" */
	const char **value; /* an option with a value ... */
	bool *flag;         /* ... or a flag */
};

/* --name VALUE / --name=VALUE for the listed names, --name for flags. */
static int parse(int argc, char **argv, const struct opt *opts)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strncmp(arg, "--", 2) != 0)
			return cli_fail(CLI_USAGE, "%s: unexpected argument '%s'", argv[0], arg);
		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		const struct opt *o = opts;
		while (o->name && !(strlen(o->name) == len && strncmp(o->name, arg + 2, len) == 0))
			o++;
		if (!o->name)
			return cli_fail(CLI_USAGE, "%s: unknown option '%s' (auth0 --help)", argv[0], arg);
		if (o->flag) {
			if (eq)
				return cli_fail(CLI_USAGE, "%s: %.*s takes no value", argv[0], (int)len + 2, arg);
			*o->flag = true;
			continue;
		}
		if (eq) {
			*o->value = eq + 1;
		} else {
			if (i + 1 >= argc)
				return cli_fail(CLI_USAGE, "%s: %s needs a value", argv[0], arg);
			*o->value = argv[++i];
		}
	}
	return CLI_OK;
}

/* A value given as "-": the first line of stdin, into line (size bytes). */
static int from_stdin(const char *what, const char **value, char *line, size_t size)
{
	if (!*value || strcmp(*value, "-") != 0)
		return CLI_OK;
	if (!fgets(line, (int)size, stdin))
		return cli_fail(CLI_USAGE, "no %s on stdin", what);
	size_t n = strcspn(line, "\r\n");
	/* a line that filled the buffer without ending: refused, never cut short into another value */
	if (!line[n] && n == size - 1 && !feof(stdin))
		return cli_fail(CLI_USAGE, "the %s on stdin is longer than %zu bytes", what, size - 2);
	line[n] = '\0';
	*value = line;
	return CLI_OK;
}

/* A token grant and its arguments (what each command parsed). */
typedef struct grant {
	enum { CLIENT_CREDENTIALS, PASSWORD, CODE, REFRESH } kind;
	const char *a, *b, *c;              /* audience/organization, code/redirect URI/verifier, token/scope */
	const auth0_password_login *login;
} grant;

/* Makes the grant with a client from the environment; prints the token answer, or reports the error. */
static int run_grant(const grant *g)
{
	auth0_client *client = NULL;
	int rc = cli_client(&client);
	if (rc != CLI_OK)
		return rc;
	auth0_tokens *tokens = NULL;
	auth0_error *err = NULL;
	auth0_status st;
	switch (g->kind) {
	case CLIENT_CREDENTIALS:
		st = auth0_client_credentials(client, g->a, g->b, &tokens, &err);
		break;
	case PASSWORD:
		st = auth0_login_password(client, g->login, &tokens, &err);
		break;
	case CODE:
		st = auth0_exchange_code(client, g->a, g->b, g->c, &tokens, &err);
		break;
	default:
		st = auth0_exchange_refresh_token(client, g->a, g->b, &tokens, &err);
		break;
	}
	if (st == AUTH0_OK)
		cli_print_json(tokens->json);
	else
		rc = cli_error(st, err);
	auth0_tokens_free(tokens);
	auth0_client_free(client);
	return rc;
}

int cli_token(int argc, char **argv)
{
	const char *audience = NULL, *organization = NULL;
	const struct opt opts[] = { { "audience", &audience, NULL }, { "organization", &organization, NULL }, { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	return run_grant(&(grant){ CLIENT_CREDENTIALS, audience, organization, NULL, NULL });
}

int cli_login(int argc, char **argv)
{
	auth0_password_login login = { 0 };
	char line[4096];
	const struct opt opts[] = { { "username", &login.username, NULL }, { "password", &login.password, NULL },
		                        { "realm", &login.realm, NULL },       { "audience", &login.audience, NULL },
		                        { "scope", &login.scope, NULL },       { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!login.username || !login.password)
		return cli_fail(CLI_USAGE, "login needs --username USER and --password PASSWORD (or - to read it from "
		                           "stdin)");
	if ((rc = from_stdin("password", &login.password, line, sizeof(line))) != CLI_OK)
		return rc;
	return run_grant(&(grant){ PASSWORD, NULL, NULL, NULL, &login });
}

int cli_exchange_code(int argc, char **argv)
{
	const char *code = NULL, *redirect_uri = NULL, *verifier = NULL;
	const struct opt opts[] = { { "code", &code, NULL },
		                        { "redirect-uri", &redirect_uri, NULL },
		                        { "code-verifier", &verifier, NULL },
		                        { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!code || !redirect_uri)
		return cli_fail(CLI_USAGE, "exchange-code needs --code CODE and --redirect-uri URI");
	return run_grant(&(grant){ CODE, code, redirect_uri, verifier, NULL });
}

int cli_refresh(int argc, char **argv)
{
	const char *refresh_token = NULL, *scope = NULL;
	char line[8192];
	const struct opt opts[] = { { "refresh-token", &refresh_token, NULL }, { "scope", &scope, NULL }, { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!refresh_token)
		return cli_fail(CLI_USAGE, "refresh needs --refresh-token TOKEN (or - to read it from stdin)");
	if ((rc = from_stdin("refresh token", &refresh_token, line, sizeof(line))) != CLI_OK)
		return rc;
	return run_grant(&(grant){ REFRESH, refresh_token, scope, NULL, NULL });
}

int cli_logout_url(int argc, char **argv)
{
	auth0_logout_params p = { 0 };
	const struct opt opts[] = { { "return-to", &p.return_to, NULL },
		                        { "include-client-id", NULL, &p.include_client_id },
		                        { "federated", NULL, &p.federated },
		                        { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	auth0_client *c = NULL;
	if ((rc = cli_client(&c)) != CLI_OK)
		return rc;
	char *url = NULL;
	auth0_error *err = NULL;
	auth0_status st = auth0_logout_url(c, &p, &url, &err);
	if (st == AUTH0_OK) {
		json_t *j = json_pack("{s:s}", "url", url);
		cli_print_json(j);
		json_decref(j);
	} else {
		rc = cli_error(st, err);
	}
	auth0_free(url);
	auth0_client_free(c);
	return rc;
}

int cli_validate_token(int argc, char **argv)
{
	const char *id_token = NULL, *access_token = NULL, *audience = NULL, *nonce = NULL, *max_age = NULL,
	           *organization = NULL;
	bool hs256 = false;
	char line[16384];
	const struct opt opts[] = { { "id-token", &id_token, NULL },         { "access-token", &access_token, NULL },
		                        { "audience", &audience, NULL },         { "nonce", &nonce, NULL },
		                        { "max-age", &max_age, NULL },           { "organization", &organization, NULL },
		                        { "hs256", NULL, &hs256 },               { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!id_token == !access_token)
		return cli_fail(CLI_USAGE, "validate-token needs one of --id-token TOKEN and --access-token TOKEN (- reads "
		                           "it from stdin)");
	if (access_token && !audience)
		return cli_fail(CLI_USAGE, "validate-token --access-token needs --audience (your API's identifier)");
	if (access_token && (nonce || max_age || hs256))
		return cli_fail(CLI_USAGE, "--nonce, --max-age and --hs256 are for ID tokens");
	char *end = NULL;
	long age = max_age ? strtol(max_age, &end, 10) : 0;
	if (max_age && (!*max_age || *end || age < 0))
		return cli_fail(CLI_USAGE, "--max-age must be a number of seconds");
	const char **token = id_token ? &id_token : &access_token;
	if ((rc = from_stdin("token", token, line, sizeof(line))) != CLI_OK)
		return rc;
	auth0_client *c = NULL;
	if ((rc = cli_client(&c)) != CLI_OK)
		return rc;
	json_t *claims = NULL;
	auth0_error *err = NULL;
	auth0_status st;
	if (id_token) {
		auth0_id_token_options o = { .nonce = nonce, .audience = audience, .organization = organization,
			                         .algorithm = hs256 ? AUTH0_ALG_HS256 : AUTH0_ALG_RS256 };
		if (max_age)
			o.max_age = AUTH0_INT(age);
		st = auth0_id_token_validate(c, id_token, &o, &claims, &err);
	} else {
		auth0_access_token_options o = { .audience = audience, .organization = organization };
		st = auth0_access_token_validate(c, access_token, &o, &claims, &err);
	}
	if (st == AUTH0_OK)
		cli_print_json(claims);
	else
		rc = cli_error(st, err);
	json_decref(claims);
	auth0_client_free(c);
	return rc;
}

int cli_authorize_url(int argc, char **argv)
{
	auth0_authorize_params p;
	memset(&p, 0, sizeof(p));
	bool pkce = false;
	const struct opt opts[] = {
		{ "redirect-uri", &p.redirect_uri, NULL }, { "scope", &p.scope, NULL },
		{ "state", &p.state, NULL },               { "nonce", &p.nonce, NULL },
		{ "audience", &p.audience, NULL },         { "connection", &p.connection, NULL },
		{ "organization", &p.organization, NULL }, { "prompt", &p.prompt, NULL },
		{ "response-type", &p.response_type, NULL }, { "login-hint", &p.login_hint, NULL },
		{ "screen-hint", &p.screen_hint, NULL },   { "invitation", &p.invitation, NULL },
		{ "pkce", NULL, &pkce },                   { 0 }
	};
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!p.redirect_uri)
		return cli_fail(CLI_USAGE, "authorize-url needs --redirect-uri URI");
	auth0_client *c = NULL;
	if ((rc = cli_client(&c)) != CLI_OK)
		return rc;
	char *verifier = NULL, *challenge = NULL, *url = NULL;
	auth0_error *err = NULL;
	auth0_status st = AUTH0_OK;
	if (pkce && (st = auth0_pkce_new(&verifier, &challenge, &err)) == AUTH0_OK)
		p.code_challenge = challenge;
	if (st == AUTH0_OK)
		st = auth0_authorize_url(c, &p, &url, &err);
	if (st == AUTH0_OK) {
		json_t *j = json_pack("{s:s}", "url", url);
		if (verifier)
			json_object_set_new(j, "code_verifier", json_string(verifier));
		cli_print_json(j);
		json_decref(j);
	} else {
		rc = cli_error(st, err);
	}
	auth0_free(url);
	auth0_free(verifier);
	auth0_free(challenge);
	auth0_client_free(c);
	return rc;
}

int cli_userinfo(int argc, char **argv)
{
	const char *token = NULL;
	const struct opt opts[] = { { "access-token", &token, NULL }, { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!token)
		return cli_fail(CLI_USAGE, "userinfo needs --access-token TOKEN (or - to read it from stdin)");
	char line[8192];
	if ((rc = from_stdin("token", &token, line, sizeof(line))) != CLI_OK)
		return rc;
	auth0_client *c = NULL;
	if ((rc = cli_client(&c)) != CLI_OK)
		return rc;
	json_t *profile = NULL;
	auth0_error *err = NULL;
	auth0_status st = auth0_userinfo(c, token, &profile, &err);
	if (st == AUTH0_OK)
		cli_print_json(profile);
	else
		rc = cli_error(st, err);
	json_decref(profile);
	auth0_client_free(c);
	return rc;
}
