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
	/* No Management API token means that neither AUTH0_TOKEN nor the client credentials are set:
	 * configuration (cli_client checks that first; this keeps the contract if the library finds more). */
	int code = st == AUTH0_ERR_INVALID_ARGUMENT ? CLI_USAGE : st == AUTH0_ERR_NO_TOKEN ? CLI_CONFIG : CLI_API;
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

int cli_print_json(const json_t *json)
{
	if (!json)
		return CLI_OK;
	/* A full disk or a closed pipe must not look like success to a script. */
	if (json_dumpf(json, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY) != 0 || fputc('\n', stdout) == EOF ||
	    fflush(stdout) != 0)
		return cli_fail(CLI_API, "cannot write to stdout: %s", strerror(errno));
	return CLI_OK;
}

char *cli_read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return NULL;
	/* Reads at most CLI_MAX_FILE + 1 bytes: one more than the limit tells a file that is too large. */
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
		if (n > CLI_MAX_FILE) {
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		size_t bigger_cap = cap * 2 > (size_t)CLI_MAX_FILE + 1 ? (size_t)CLI_MAX_FILE + 1 : cap * 2;
		char *bigger = realloc(buf, bigger_cap + 1);
		if (!bigger) {
			free(buf);
			buf = NULL;
			errno = ENOMEM;
			break;
		}
		buf = bigger;
		cap = bigger_cap;
	}
	if (f != stdin)
		fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

int cli_parse_long(const char *opt, const char *v, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < min || n > max)
		return cli_fail(CLI_USAGE, "%s needs an integer between %ld and %ld, not '%s'", opt, min, max, v);
	*out = n;
	return CLI_OK;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int cli_client(auth0_client **client, const char *cmd, unsigned needs)
{
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = env("AUTH0_DOMAIN");
	if (!o.domain)
		return cli_fail(CLI_CONFIG, "AUTH0_DOMAIN is not set (e.g. export AUTH0_DOMAIN=example.eu.auth0.com)");
	o.client_id = env("AUTH0_CLIENT_ID");
	o.client_secret = env("AUTH0_CLIENT_SECRET");
	o.token = env("AUTH0_TOKEN");
	/* Checked here rather than left to the library, which would call a missing client ID a bad
	 * option (exit 2) and send a client-credentials grant without a secret. */
	if ((needs & CLI_NEED_MGMT) && !o.token && !(o.client_id && o.client_secret))
		return cli_fail(CLI_CONFIG, "%s needs AUTH0_TOKEN (a Management API token), or AUTH0_CLIENT_ID and "
		                            "AUTH0_CLIENT_SECRET to obtain one; not set: AUTH0_TOKEN%s%s",
		                cmd, o.client_id ? "" : ", AUTH0_CLIENT_ID", o.client_secret ? "" : ", AUTH0_CLIENT_SECRET");
	bool no_id = (needs & CLI_NEED_CLIENT_ID) && !o.client_id;
	bool no_secret = (needs & CLI_NEED_SECRET) && !o.client_secret;
	if (no_id || no_secret)
		return cli_fail(CLI_CONFIG, "%s needs %s%s%s (the application's credentials), which %s not set", cmd,
		                no_id ? "AUTH0_CLIENT_ID" : "", no_id && no_secret ? " and " : "",
		                no_secret ? "AUTH0_CLIENT_SECRET" : "", no_id && no_secret ? "are" : "is");
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

/* The commands, with their part of auth0 --help (also what auth0 COMMAND --help prints). */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "mgmt", cli_mgmt,
	  "  mgmt RESOURCE.METHOD [--PARAM VALUE]... [--body JSON|@FILE|-] [--all]\n"
	  "        Calls a Management API operation. --PARAM is a path parameter or a query\n"
	  "        parameter's wire name (repeat it for arrays); a multipart part is --PART VALUE,\n"
	  "        or --PART @FILE for a file. --all follows pagination and prints one JSON array.\n"
	  "        Also: --header 'Name: value', --timeout-ms N, --max-retries N. A file (or the\n"
	  "        stdin of --body -) may hold up to " CLI_MAX_FILE_TEXT ".\n"
	  "        auth0 mgmt RESOURCE --help lists its methods, auth0 mgmt RESOURCE.METHOD --help\n"
	  "        describes one. Needs AUTH0_TOKEN, or AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET.\n" },
	{ "token", cli_token,
	  "  token [--audience AUD] [--organization ORG]\n"
	  "        Client-credentials grant; prints the token answer.\n"
	  "        Needs AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET.\n" },
	{ "authorize-url", cli_authorize_url,
	  "  authorize-url --redirect-uri URI [--scope S] [--state S] [--nonce N] [--audience A]\n"
	  "        [--connection C] [--organization O] [--prompt P] [--response-type T]\n"
	  "        [--login-hint EMAIL] [--screen-hint signup] [--invitation TICKET] [--pkce]\n"
	  "        Prints {\"url\": ...} (and the PKCE code_verifier with --pkce).\n"
	  "        Needs AUTH0_CLIENT_ID.\n" },
	{ "login", cli_login,
	  "  login --username USER --password PASSWORD|- [--realm CONNECTION] [--audience A] [--scope S]\n"
	  "        Resource owner password grant (password-realm with --realm); prints the tokens.\n"
	  "        Needs AUTH0_CLIENT_ID (and AUTH0_CLIENT_SECRET for a confidential application).\n" },
	{ "exchange-code", cli_exchange_code,
	  "  exchange-code --code CODE --redirect-uri URI [--code-verifier VERIFIER|-]\n"
	  "        Authorization code grant (with PKCE's verifier); prints the tokens.\n"
	  "        Needs AUTH0_CLIENT_ID (and AUTH0_CLIENT_SECRET for a confidential application).\n" },
	{ "refresh", cli_refresh,
	  "  refresh --refresh-token TOKEN|- [--scope S]\n"
	  "        Refresh token grant; prints the tokens.\n"
	  "        Needs AUTH0_CLIENT_ID (and AUTH0_CLIENT_SECRET for a confidential application).\n" },
	{ "logout-url", cli_logout_url,
	  "  logout-url [--return-to URL] [--include-client-id] [--federated]\n"
	  "        Prints {\"url\": ...} of /v2/logout. --include-client-id needs AUTH0_CLIENT_ID.\n" },
	{ "userinfo", cli_userinfo,
	  "  userinfo --access-token TOKEN|-\n"
	  "        Prints the user's profile from /userinfo.\n" },
	{ "validate-token", cli_validate_token,
	  "  validate-token --id-token TOKEN|- [--audience A] [--nonce N] [--max-age S] [--organization O]\n"
	  "        [--alg RS256|PS256|HS256]\n"
	  "  validate-token --access-token TOKEN|- --audience API [--organization O]\n"
	  "        Checks a token locally (signature with the tenant's keys, issuer, audience, times...)\n"
	  "        and prints its claims; exit 1 with the failed rule's message otherwise. An ID token's\n"
	  "        audience is AUTH0_CLIENT_ID unless --audience names another. --alg is the application's\n"
	  "        signing algorithm (default RS256); a token signed otherwise is refused. PS256 needs\n"
	  "        the tenant's keys published without \"alg\"; HS256 checks with AUTH0_CLIENT_SECRET\n"
	  "        (--hs256 is the same as --alg HS256). An access token bound to a key (a cnf claim:\n"
	  "        DPoP or mutual TLS) is refused (exit 1), as mod_auth0 refuses it: no proof of\n"
	  "        possession is checked here.\n" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char stdin_note[] =
	"  A password, token or verifier given as - is read from the first line of stdin (out of the\n"
	"  process list); from a terminal, after a prompt and without echo.\n";

int cli_command_help(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			printf("usage:\n%s%s", commands[i].usage, strstr(commands[i].usage, "|-") ? stdin_note : "");
	printf("\nauth0 --help describes the environment and the exit status.\n");
	return CLI_HELP;
}

void cli_usage(FILE *out)
{
	fputs("usage: auth0 COMMAND [ARGS...]   (auth0 COMMAND --help: one command)\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fputs(commands[i].usage, out);
	fputs(stdin_note, out);
	fputs("\n"
	      "Environment:\n"
	      "  AUTH0_DOMAIN                 the tenant (example.eu.auth0.com); required\n"
	      "  AUTH0_CLIENT_ID              the application\n"
	      "  AUTH0_CLIENT_SECRET          its secret (Management token by client credentials)\n"
	      "  AUTH0_TOKEN                  or a Management API token\n"
	      "  AUTH0_MANAGEMENT_BASE_URL    default https://DOMAIN/api/v2\n"
	      "  AUTH0_CA_FILE                PEM bundle of trusted CAs\n"
	      "\n"
	      "Output: JSON on stdout; messages on stderr. Exit status: 0 success, 1 API or request\n"
	      "error (or stdout could not be written), 2 usage error (nothing sent), 3 configuration\n"
	      "error: a variable that the command needs is missing or bad (nothing sent).\n"
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

static int run(int argc, char **argv)
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
	size_t i = 0;
	while (i < NCOMMANDS && strcmp(cmd, commands[i].name) != 0)
		i++;
	if (i == NCOMMANDS)
		return cli_fail(CLI_USAGE, "unknown command '%s' (auth0 --help lists them)", cmd);
	if (auth0_global_init() != AUTH0_OK)
		return cli_fail(CLI_API, "libcurl could not be initialised");
	int rc = commands[i].run(argc - 1, argv + 1);
	auth0_global_cleanup();
	return rc == CLI_HELP ? CLI_OK : rc;
}

int main(int argc, char **argv)
{
	int rc = run(argc, argv);
	/* What is still in stdout's buffer (--help, --version) is written only now: a full disk or a
	 * closed pipe must not exit 0. An earlier failure was reported where it happened. */
	bool failed = ferror(stdout) != 0;
	if (fclose(stdout) != 0)
		failed = true;
	if (failed && rc == CLI_OK)
		rc = cli_fail(CLI_API, "cannot write to stdout: %s", strerror(errno));
	return rc;
}
