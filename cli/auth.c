/*
 * The Authentication API commands: token (client credentials),
 * authorize-url and userinfo.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

struct opt {
	const char *name;   /* without "--" */
	const char **value;
};

/* --name VALUE / --name=VALUE for the listed names; flags are options whose value pointer is NULL. */
static int parse(int argc, char **argv, const struct opt *opts, bool *flag, const char *flag_name)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strncmp(arg, "--", 2) != 0)
			return cli_fail(CLI_USAGE, "%s: unexpected argument '%s'", argv[0], arg);
		if (flag_name && strcmp(arg + 2, flag_name) == 0) {
			*flag = true;
			continue;
		}
		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		const struct opt *o = opts;
		while (o->name && !(strlen(o->name) == len && strncmp(o->name, arg + 2, len) == 0))
			o++;
		if (!o->name)
			return cli_fail(CLI_USAGE, "%s: unknown option '%s' (auth0 --help)", argv[0], arg);
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

int cli_token(int argc, char **argv)
{
	const char *audience = NULL, *organization = NULL;
	const struct opt opts[] = { { "audience", &audience }, { "organization", &organization }, { NULL, NULL } };
	int rc = parse(argc, argv, opts, NULL, NULL);
	if (rc != CLI_OK)
		return rc;
	auth0_client *c = NULL;
	if ((rc = cli_client(&c)) != CLI_OK)
		return rc;
	auth0_tokens *tokens = NULL;
	auth0_error *err = NULL;
	auth0_status st = auth0_client_credentials(c, audience, organization, &tokens, &err);
	if (st == AUTH0_OK)
		cli_print_json(tokens->json);
	else
		rc = cli_error(st, err);
	auth0_tokens_free(tokens);
	auth0_client_free(c);
	return rc;
}

int cli_authorize_url(int argc, char **argv)
{
	auth0_authorize_params p;
	memset(&p, 0, sizeof(p));
	bool pkce = false;
	const struct opt opts[] = {
		{ "redirect-uri", &p.redirect_uri }, { "scope", &p.scope }, { "state", &p.state },
		{ "nonce", &p.nonce }, { "audience", &p.audience }, { "connection", &p.connection },
		{ "organization", &p.organization }, { "prompt", &p.prompt }, { "response-type", &p.response_type },
		{ "login-hint", &p.login_hint }, { "screen-hint", &p.screen_hint }, { "invitation", &p.invitation },
		{ NULL, NULL }
	};
	int rc = parse(argc, argv, opts, &pkce, "pkce");
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
	const struct opt opts[] = { { "access-token", &token }, { NULL, NULL } };
	int rc = parse(argc, argv, opts, NULL, NULL);
	if (rc != CLI_OK)
		return rc;
	if (!token)
		return cli_fail(CLI_USAGE, "userinfo needs --access-token TOKEN (or - to read it from stdin)");
	char line[8192];
	if (strcmp(token, "-") == 0) {
		/* Keeps the token out of the process list. */
		if (!fgets(line, sizeof(line), stdin))
			return cli_fail(CLI_USAGE, "userinfo: no token on stdin");
		line[strcspn(line, "\r\n")] = '\0';
		token = line;
	}
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
