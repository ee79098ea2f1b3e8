/*
 * The Authentication API commands: token (client credentials), login
 * (password), exchange-code, refresh, authorize-url, logout-url, userinfo,
 * and validate-token (ID and access tokens, checked locally).
 *
 * A password, token or verifier given as "-" is read from the first line of
 * stdin, so that it stays out of the process list and the shell's history;
 * from a terminal, after a prompt on stderr and with the echo off.
 *
 * Each command checks its command line (exit 2), then the environment it
 * needs (cli_client, exit 3), then reads stdin: nothing is asked for or sent
 * when the call cannot be made.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct opt {
	const char *name;   /* without "--" */
	const char **value; /* an option with a value ... */
	bool *flag;         /* ... or a flag */
};

/* --name VALUE / --name=VALUE for the listed names, --name for flags; --help or -h where an option's
 * name goes (not as a value: --password -h) prints the command's usage and returns CLI_HELP. */
static int parse(int argc, char **argv, const struct opt *opts)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
			return cli_command_help(argv[0]);
		if (strncmp(arg, "--", 2) != 0)
			return cli_fail(CLI_USAGE, "%s: unexpected argument '%s'", argv[0], arg);
		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		const struct opt *o = opts;
		while (o->name && !(strlen(o->name) == len && strncmp(o->name, arg + 2, len) == 0))
			o++;
		if (!o->name)
			return cli_fail(CLI_USAGE, "%s: unknown option '%s' (auth0 %s --help)", argv[0], arg, argv[0]);
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

/* A value read from stdin, wiped before it is freed. */
typedef struct secret {
	char *buf;
	size_t cap;
} secret;

static void secret_free(secret *s)
{
	/* volatile: stores to memory about to be freed would otherwise be optimised away */
	for (volatile char *p = s->buf; p && p < s->buf + s->cap; p++)
		*p = 0;
	free(s->buf);
	s->buf = NULL;
}

/* The terminal's settings while its echo is off, restored on the way out, also by a signal
 * (Ctrl-C at the prompt must not leave the shell without echo). */
static struct termios saved_tty;
static volatile sig_atomic_t echo_is_off;
static const int echo_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static struct sigaction saved_actions[sizeof(echo_signals) / sizeof(echo_signals[0])];

static void echo_on(void)
{
	if (echo_is_off) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty); /* async-signal-safe */
		echo_is_off = 0;
	}
}

static void echo_signal(int sig)
{
	echo_on();
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool echo_off(void)
{
	if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
		return false;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = echo_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(echo_signals) / sizeof(echo_signals[0]); i++) {
		sigaction(echo_signals[i], NULL, &saved_actions[i]);
		if (saved_actions[i].sa_handler != SIG_IGN) /* an ignored signal stays ignored (nohup) */
			sigaction(echo_signals[i], &sa, NULL);
	}
	struct termios quiet = saved_tty;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	echo_is_off = 1;
	return tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
}

/* After echo_off, whether it succeeded or not. */
static void echo_restore(void)
{
	echo_on();
	for (size_t i = 0; i < sizeof(echo_signals) / sizeof(echo_signals[0]); i++)
		sigaction(echo_signals[i], &saved_actions[i], NULL);
}

/* A value given as "-": the first line of stdin (without its \n or \r\n), at most max bytes,
 * held in *s. A NUL byte is refused: C strings would cut the value short there without a word. */
static int from_stdin(const char *what, const char **value, secret *s, size_t max)
{
	if (!*value || strcmp(*value, "-") != 0)
		return CLI_OK;
	bool tty = isatty(STDIN_FILENO);
	if (tty) {
		if (!echo_off()) {
			int e = errno;
			echo_restore();
			return cli_fail(CLI_API, "cannot turn off the terminal's echo to read the %s: %s", what,
			                strerror(e));
		}
		fprintf(stderr, "%s: ", what);
	}
	/* Room for any accepted line with its \r\n: getline then never moves the buffer, which would
	 * leave a copy of the secret in freed memory. */
	s->cap = max + 3;
	s->buf = malloc(s->cap);
	ssize_t n = s->buf ? getline(&s->buf, &s->cap, stdin) : -1;
	int saved = errno;
	if (tty) {
		echo_restore();
		fputc('\n', stderr); /* the newline that was typed but not echoed */
	}
	if (!s->buf)
		return cli_fail(CLI_API, "out of memory");
	if (n < 0)
		return ferror(stdin) ? cli_fail(CLI_USAGE, "cannot read the %s from stdin: %s", what, strerror(saved))
		                     : cli_fail(CLI_USAGE, "no %s on stdin", what);
	size_t len = (size_t)n;
	if (len && s->buf[len - 1] == '\n')
		len--;
	if (len && s->buf[len - 1] == '\r')
		len--;
	if (strlen(s->buf) < len)
		return cli_fail(CLI_USAGE, "the %s on stdin contains a NUL byte", what);
	if (len > max)
		return cli_fail(CLI_USAGE, "the %s on stdin is longer than %zu bytes", what, max);
	s->buf[len] = '\0';
	*value = s->buf;
	return CLI_OK;
}

/* A token grant and its arguments (what each command parsed). */
typedef struct grant {
	enum { CLIENT_CREDENTIALS, PASSWORD, CODE, REFRESH } kind;
	const char *a, *b, *c;              /* audience/organization, code/redirect URI/verifier, token/scope */
	const auth0_password_login *login;
} grant;

/* Makes the grant with client; prints the token answer, or reports the error. */
static int run_grant(auth0_client *client, const grant *g)
{
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
	int rc = st == AUTH0_OK ? cli_print_json(tokens->json) : cli_error(st, err);
	auth0_tokens_free(tokens);
	return rc;
}

int cli_token(int argc, char **argv)
{
	const char *audience = NULL, *organization = NULL;
	const struct opt opts[] = { { "audience", &audience, NULL }, { "organization", &organization, NULL }, { 0 } };
	int rc = parse(argc, argv, opts);
	auth0_client *c = NULL;
	if (rc != CLI_OK || (rc = cli_client(&c, "token", CLI_NEED_CLIENT_ID | CLI_NEED_SECRET)) != CLI_OK)
		return rc;
	rc = run_grant(c, &(grant){ CLIENT_CREDENTIALS, audience, organization, NULL, NULL });
	auth0_client_free(c);
	return rc;
}

/* Confidential applications also need AUTH0_CLIENT_SECRET, public ones (native, SPA) have none: login,
 * exchange-code and refresh need only the client ID. */
int cli_login(int argc, char **argv)
{
	auth0_password_login login = { 0 };
	const struct opt opts[] = { { "username", &login.username, NULL }, { "password", &login.password, NULL },
		                        { "realm", &login.realm, NULL },       { "audience", &login.audience, NULL },
		                        { "scope", &login.scope, NULL },       { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!login.username || !login.password)
		return cli_fail(CLI_USAGE, "login needs --username USER and --password PASSWORD (or - to read it from "
		                           "stdin)");
	auth0_client *c = NULL;
	if ((rc = cli_client(&c, "login", CLI_NEED_CLIENT_ID)) != CLI_OK)
		return rc;
	secret line = { 0 };
	if ((rc = from_stdin("password", &login.password, &line, 4096)) == CLI_OK)
		rc = run_grant(c, &(grant){ PASSWORD, NULL, NULL, NULL, &login });
	secret_free(&line);
	auth0_client_free(c);
	return rc;
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
	auth0_client *c = NULL;
	if ((rc = cli_client(&c, "exchange-code", CLI_NEED_CLIENT_ID)) != CLI_OK)
		return rc;
	secret line = { 0 };
	if ((rc = from_stdin("code verifier", &verifier, &line, 1024)) == CLI_OK)
		rc = run_grant(c, &(grant){ CODE, code, redirect_uri, verifier, NULL });
	secret_free(&line);
	auth0_client_free(c);
	return rc;
}

int cli_refresh(int argc, char **argv)
{
	const char *refresh_token = NULL, *scope = NULL;
	const struct opt opts[] = { { "refresh-token", &refresh_token, NULL }, { "scope", &scope, NULL }, { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!refresh_token)
		return cli_fail(CLI_USAGE, "refresh needs --refresh-token TOKEN (or - to read it from stdin)");
	auth0_client *c = NULL;
	if ((rc = cli_client(&c, "refresh", CLI_NEED_CLIENT_ID)) != CLI_OK)
		return rc;
	secret line = { 0 };
	if ((rc = from_stdin("refresh token", &refresh_token, &line, 8192)) == CLI_OK)
		rc = run_grant(c, &(grant){ REFRESH, refresh_token, scope, NULL, NULL });
	secret_free(&line);
	auth0_client_free(c);
	return rc;
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
	if ((rc = cli_client(&c, "logout-url --include-client-id", p.include_client_id ? CLI_NEED_CLIENT_ID : 0)) !=
	    CLI_OK)
		return rc;
	char *url = NULL;
	auth0_error *err = NULL;
	auth0_status st = auth0_logout_url(c, &p, &url, &err);
	if (st == AUTH0_OK) {
		json_t *j = json_pack("{s:s}", "url", url);
		rc = cli_print_json(j);
		json_decref(j);
	} else {
		rc = cli_error(st, err);
	}
	auth0_free(url);
	auth0_client_free(c);
	return rc;
}

/*
 * A valid access token that is sender-constrained (RFC 7800 cnf: DPoP-bound cnf.jkt, RFC 9449, or
 * certificate-bound cnf.x5t#S256, RFC 8705; a cnf of any form) is only good with a proof of its key, which
 * validate-token cannot check: refused as mod_auth0's AuthType Auth0Bearer refuses it (401 invalid_token,
 * mod_auth0/bearer.c), so that a script does not take it for a bearer token anyone holding it may use.
 * Returns CLI_OK for a token without cnf, else CLI_API after saying why.
 */
static int refuse_bound_token(const json_t *claims)
{
	const char *binding = auth0_access_token_binding(claims);
	if (!binding)
		return CLI_OK;
	return cli_fail(CLI_API, "The access token is bound to a key (sender-constrained: a cnf claim: %s); "
	                         "validate-token checks no proof of possession, so it does not accept such tokens (%s)",
	                binding, auth0_status_name(AUTH0_ERR_INVALID_TOKEN));
}

/* --alg's values: the ID token algorithms libauth0 validates (auth0_id_token_alg). */
static const struct {
	const char *name;
	auth0_id_token_alg alg;
} id_token_algs[] = { { "RS256", AUTH0_ALG_RS256 }, { "PS256", AUTH0_ALG_PS256 }, { "HS256", AUTH0_ALG_HS256 } };

int cli_validate_token(int argc, char **argv)
{
	const char *id_token = NULL, *access_token = NULL, *audience = NULL, *nonce = NULL, *max_age = NULL,
	           *organization = NULL, *alg_name = NULL;
	bool hs256 = false;
	const struct opt opts[] = { { "id-token", &id_token, NULL },         { "access-token", &access_token, NULL },
		                        { "audience", &audience, NULL },         { "nonce", &nonce, NULL },
		                        { "max-age", &max_age, NULL },           { "organization", &organization, NULL },
		                        { "alg", &alg_name, NULL },              { "hs256", NULL, &hs256 },
		                        { 0 } };
	int rc = parse(argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!id_token == !access_token)
		return cli_fail(CLI_USAGE, "validate-token needs one of --id-token TOKEN and --access-token TOKEN (- reads "
		                           "it from stdin)");
	if (access_token && !audience)
		return cli_fail(CLI_USAGE, "validate-token --access-token needs --audience (your API's identifier)");
	if (access_token && (nonce || max_age || alg_name || hs256))
		return cli_fail(CLI_USAGE, "--nonce, --max-age, --alg and --hs256 are for ID tokens");
	/* The algorithm is pinned: a token signed with any other one is refused, whatever its header says.
	 * Case matters, as in the header's alg (RFC 7515). --hs256 is the older spelling of --alg HS256. */
	auth0_id_token_alg alg = hs256 ? AUTH0_ALG_HS256 : AUTH0_ALG_RS256;
	if (alg_name) {
		size_t i = 0, n = sizeof(id_token_algs) / sizeof(id_token_algs[0]);
		while (i < n && strcmp(id_token_algs[i].name, alg_name) != 0)
			i++;
		if (i == n)
			return cli_fail(CLI_USAGE, "--alg takes RS256, PS256 or HS256, not '%s'", alg_name);
		if (hs256 && id_token_algs[i].alg != AUTH0_ALG_HS256)
			return cli_fail(CLI_USAGE, "--hs256 and --alg %s name two algorithms", alg_name);
		alg = id_token_algs[i].alg;
	}
	/* Up to 2^31 - 1 seconds (68 years): strtol would turn a longer number into LONG_MAX silently. */
	long age = 0;
	if (max_age && (rc = cli_parse_long("--max-age", max_age, 0, 2147483647L, &age)) != CLI_OK)
		return rc;
	/* An ID token's audience is the client ID unless --audience names it; HS256 is checked with the secret. */
	unsigned needs = (id_token && !audience ? CLI_NEED_CLIENT_ID : 0) | (alg == AUTH0_ALG_HS256 ? CLI_NEED_SECRET : 0);
	auth0_client *c = NULL;
	if ((rc = cli_client(&c, "validate-token", needs)) != CLI_OK)
		return rc;
	const char **token = id_token ? &id_token : &access_token;
	secret line = { 0 };
	json_t *claims = NULL;
	if ((rc = from_stdin("token", token, &line, 16384)) == CLI_OK) {
		auth0_error *err = NULL;
		auth0_status st;
		if (id_token) {
			auth0_id_token_options o = { .nonce = nonce, .audience = audience, .organization = organization,
				                         .algorithm = alg };
			if (max_age)
				o.max_age = AUTH0_INT(age);
			st = auth0_id_token_validate(c, id_token, &o, &claims, &err);
		} else {
			auth0_access_token_options o = { .audience = audience, .organization = organization };
			st = auth0_access_token_validate(c, access_token, &o, &claims, &err);
		}
		if (st != AUTH0_OK) {
			rc = cli_error(st, err);
		} else {
			/* a refused token's claims are not printed: stdout only ever holds an accepted token's */
			rc = access_token ? refuse_bound_token(claims) : CLI_OK;
			if (rc == CLI_OK)
				rc = cli_print_json(claims);
		}
	}
	json_decref(claims);
	secret_free(&line);
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
	if ((rc = cli_client(&c, "authorize-url", CLI_NEED_CLIENT_ID)) != CLI_OK)
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
		rc = cli_print_json(j);
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
	auth0_client *c = NULL;
	if ((rc = cli_client(&c, "userinfo", 0)) != CLI_OK)
		return rc;
	secret line = { 0 };
	json_t *profile = NULL;
	if ((rc = from_stdin("access token", &token, &line, 16384)) == CLI_OK) {
		auth0_error *err = NULL;
		auth0_status st = auth0_userinfo(c, token, &profile, &err);
		rc = st == AUTH0_OK ? cli_print_json(profile) : cli_error(st, err);
	}
	json_decref(profile);
	secret_free(&line);
	auth0_client_free(c);
	return rc;
}
