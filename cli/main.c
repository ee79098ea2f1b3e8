/*
 * auth0: a command-line client for Auth0 built on libauth0.
 *
 *     auth0 mgmt users.list --per_page 5
 *     auth0 mgmt users.get --id 'auth0|123'
 *     auth0 mgmt users.list --all > users.json
 *     auth0 token
 *
 * Configuration comes from the environment only (no secret on the command
 * line): see cli_usage().
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("auth0: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

int cli_error(auth0_status st, auth0_error *err)
{
	int code = st == AUTH0_ERR_INVALID_ARGUMENT ? CLI_USAGE : CLI_API;
	fprintf(stderr, "auth0: %s (%s)\n", err && err->message ? err->message : "failed", auth0_status_name(st));
	if (err && err->body) {
		char *body = json_dumps(err->body, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (body)
			fprintf(stderr, "%s\n", body);
		free(body);
	}
	auth0_error_free(err);
	return code;
}

void cli_print_json(const json_t *json)
{
	if (!json)
		return;
	json_dumpf(json, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
	fputc('\n', stdout);
	fflush(stdout);
}

char *cli_read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		char *bigger = realloc(buf, cap * 2 + 1);
		if (!bigger) {
			free(buf);
			buf = NULL;
			errno = ENOMEM;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	if (f != stdin)
		fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int cli_client(auth0_client **client)
{
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = env("AUTH0_DOMAIN");
	if (!o.domain)
		return cli_fail(CLI_CONFIG, "AUTH0_DOMAIN is not set (e.g. export AUTH0_DOMAIN=example.eu.auth0.com)");
	o.client_id = env("AUTH0_CLIENT_ID");
	o.client_secret = env("AUTH0_CLIENT_SECRET");
	o.token = env("AUTH0_TOKEN");
	o.management_base_url = env("AUTH0_MANAGEMENT_BASE_URL");
	o.ca_file = env("AUTH0_CA_FILE");
	o.user_agent_product = "auth0-cli/" AUTH0_VERSION;
	auth0_error *err = NULL;
	auth0_status st = auth0_client_new(client, &o, &err);
	if (st != AUTH0_OK) {
		int code = cli_fail(CLI_CONFIG, "%s", err && err->message ? err->message : "cannot create a client");
		auth0_error_free(err);
		return code;
	}
	return CLI_OK;
}

void cli_usage(FILE *out)
{
	fputs("usage: auth0 COMMAND [ARGS...]\n"
	      "\n"
	      "Commands:\n"
	      "  mgmt RESOURCE.METHOD [--PARAM VALUE]... [--body JSON|@FILE|-] [--all]\n"
	      "        Calls a Management API operation. --PARAM is a path parameter or a query\n"
	      "        parameter's wire name (repeat it for arrays); a multipart part is --PART VALUE,\n"
	      "        or --PART @FILE for a file. --all follows pagination and prints one JSON array.\n"
	      "        Also: --header 'Name: value', --timeout-ms N, --max-retries N.\n"
	      "        auth0 mgmt RESOURCE --help lists its methods, auth0 mgmt RESOURCE.METHOD --help\n"
	      "        describes one.\n"
	      "  token [--audience AUD] [--organization ORG]\n"
	      "        Client-credentials grant; prints the token answer.\n"
	      "  authorize-url --redirect-uri URI [--scope S] [--state S] [--nonce N] [--audience A]\n"
	      "        [--connection C] [--organization O] [--prompt P] [--response-type T] [--pkce]\n"
	      "        Prints {\"url\": ...} (and the PKCE code_verifier with --pkce).\n"
	      "  login --username USER --password PASSWORD|- [--realm CONNECTION] [--audience A] [--scope S]\n"
	      "        Resource owner password grant (password-realm with --realm); prints the tokens.\n"
	      "  exchange-code --code CODE --redirect-uri URI [--code-verifier V]\n"
	      "        Authorization code grant (with PKCE's verifier); prints the tokens.\n"
	      "  refresh --refresh-token TOKEN|- [--scope S]\n"
	      "        Refresh token grant; prints the tokens.\n"
	      "  logout-url [--return-to URL] [--include-client-id] [--federated]\n"
	      "        Prints {\"url\": ...} of /v2/logout.\n"
	      "  userinfo --access-token TOKEN|-\n"
	      "        Prints the user's profile from /userinfo.\n"
	      "  validate-token --id-token TOKEN|- [--nonce N] [--max-age S] [--organization O] [--hs256]\n"
	      "  validate-token --access-token TOKEN|- --audience API [--organization O]\n"
	      "        Checks a token locally (signature with the tenant's keys, issuer, audience, times...)\n"
	      "        and prints its claims; exit 1 with the failed rule's message otherwise.\n"
	      "  A password or token given as - is read from stdin (out of the process list).\n"
	      "\n"
	      "Environment:\n"
	      "  AUTH0_DOMAIN                 the tenant (example.eu.auth0.com); required\n"
	      "  AUTH0_CLIENT_ID              the application\n"
	      "  AUTH0_CLIENT_SECRET          its secret (Management token by client credentials)\n"
	      "  AUTH0_TOKEN                  or a Management API token\n"
	      "  AUTH0_MANAGEMENT_BASE_URL    default https://DOMAIN/api/v2\n"
	      "  AUTH0_CA_FILE                PEM bundle of trusted CAs\n"
	      "\n"
	      "Output: JSON on stdout; messages on stderr. Exit status: 0 success, 1 API or request\n"
	      "error, 2 usage error (nothing sent), 3 configuration error.\n"
	      "\n"
	      "Management resources (auth0 mgmt RESOURCE --help):\n",
	      out);
	size_t n = 0;
	const auth0_operation *ops = auth0_operations(&n);
	/* The table is sorted by id, so one resource's methods are adjacent... except that a
	 * sub-resource's ids sort between them; count per resource in a second pass. */
	const char *printed[512];
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t k = 0; k < np && !seen; k++)
			seen = strcmp(printed[k], ops[i].resource) == 0;
		if (seen || np == sizeof(printed) / sizeof(printed[0]))
			continue;
		printed[np++] = ops[i].resource;
		int methods = 0;
		for (size_t j = i; j < n; j++)
			methods += strcmp(ops[j].resource, ops[i].resource) == 0;
		fprintf(out, "  %-52s %d method%s\n", ops[i].resource, methods, methods == 1 ? "" : "s");
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(stderr), CLI_USAGE;
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		cli_usage(stdout);
		return CLI_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("auth0 (libauth0) %s\n", auth0_version());
		return CLI_OK;
	}
	if (auth0_global_init() != AUTH0_OK)
		return cli_fail(CLI_API, "libcurl could not be initialised");
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "mgmt", cli_mgmt },           { "token", cli_token },          { "authorize-url", cli_authorize_url },
		{ "userinfo", cli_userinfo },   { "login", cli_login },          { "exchange-code", cli_exchange_code },
		{ "refresh", cli_refresh },     { "logout-url", cli_logout_url }, { "validate-token", cli_validate_token },
	};
	size_t i = 0;
	while (i < sizeof(commands) / sizeof(commands[0]) && strcmp(cmd, commands[i].name) != 0)
		i++;
	int rc = i < sizeof(commands) / sizeof(commands[0])
	             ? commands[i].run(argc - 1, argv + 1)
	             : cli_fail(CLI_USAGE, "unknown command '%s' (auth0 --help lists them)", cmd);
	auth0_global_cleanup();
	return rc;
}
