/*
 * The `auth0` command-line client: shared declarations.
 *
 * Exit codes (documented in `auth0 --help`):
 *   0  success
 *   1  the API answered with an error, the request failed (network, timeout, ...),
 *      or the output could not be written (a full disk, a closed pipe)
 *   2  usage: a bad command line or parameter (nothing was sent)
 *   3  configuration: a missing or bad AUTH0_* environment variable (nothing was sent)
 */
#ifndef CLI_H
#define CLI_H

#include "config.h" /* _GNU_SOURCE and friends (strdup with -std=c11) */

#include <auth0.h>
#include <stdbool.h>
#include <stdio.h>

enum {
	CLI_OK = 0,
	CLI_API = 1,
	CLI_USAGE = 2,
	CLI_CONFIG = 3,
	/* Not an exit code: a command printed its --help; main exits 0. */
	CLI_HELP = -1
};

/* The largest file (or stdin) that --body / --PART @FILE reads: far above what the Management API
 * accepts, yet a mistaken @/dev/zero or a huge file cannot take all memory. */
#define CLI_MAX_FILE (10 * 1024 * 1024)
#define CLI_MAX_FILE_TEXT "10 MiB"

/* What a command needs from the environment besides AUTH0_DOMAIN (cli_client checks it). */
enum {
	CLI_NEED_CLIENT_ID = 1,     /* AUTH0_CLIENT_ID */
	CLI_NEED_SECRET = 2,        /* AUTH0_CLIENT_SECRET */
	CLI_NEED_MGMT = 4           /* AUTH0_TOKEN, or AUTH0_CLIENT_ID with AUTH0_CLIENT_SECRET */
};

/* Prints "auth0: ..." to stderr; returns code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports a libauth0 error (its message and, for API errors, Auth0's body) and frees it; returns the exit code. */
int cli_error(auth0_status st, auth0_error *err);
/* Prints JSON to stdout (indented, one trailing newline); NULL prints nothing. Returns CLI_OK, or
 * CLI_API after saying so when stdout cannot be written. */
int cli_print_json(const json_t *json);
/* Reads a whole file ("-" = stdin) of at most CLI_MAX_FILE bytes; *len receives its size. NULL on
 * failure, errno set (EFBIG: larger than CLI_MAX_FILE). */
char *cli_read_file(const char *path, size_t *len);
/* A decimal integer in [min, max] for option opt; CLI_USAGE after saying so otherwise. */
int cli_parse_long(const char *opt, const char *v, long min, long max, long *out);
/* Prints the usage of one command (its part of auth0 --help) to stdout; returns CLI_HELP. */
int cli_command_help(const char *name);

/* A client from the environment (AUTH0_DOMAIN, ...). Checks first the variables in needs
 * (CLI_NEED_*) and fails with CLI_CONFIG naming them and cmd, so that nothing is sent
 * without them. Returns an exit code, *client on success. */
int cli_client(auth0_client **client, const char *cmd, unsigned needs);

/* Subcommands: argv[0] is the subcommand's name. */
int cli_mgmt(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_authorize_url(int argc, char **argv);
int cli_userinfo(int argc, char **argv);
int cli_login(int argc, char **argv);
int cli_exchange_code(int argc, char **argv);
int cli_refresh(int argc, char **argv);
int cli_logout_url(int argc, char **argv);
int cli_validate_token(int argc, char **argv);

/* `auth0 --help`: usage and the list of resources. */
void cli_usage(FILE *out);

#endif
