/*
 * The `auth0` command-line client: shared declarations.
 *
 * Exit codes (documented in `auth0 --help`):
 *   0  success
 *   1  the API answered with an error, or the request failed (network, timeout, ...)
 *   2  usage: a bad command line or parameter (nothing was sent)
 *   3  configuration: a missing or bad AUTH0_* environment variable
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
	CLI_CONFIG = 3
};

/* Prints "auth0: ..." to stderr; returns code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports a libauth0 error (its message and, for API errors, Auth0's body) and frees it; returns the exit code. */
int cli_error(auth0_status st, auth0_error *err);
/* Prints JSON to stdout (indented, one trailing newline); NULL prints nothing. */
void cli_print_json(const json_t *json);
/* Reads a whole file ("-" = stdin); *len receives its size. NULL on failure (errno set). */
char *cli_read_file(const char *path, size_t *len);

/* A client from the environment (AUTH0_DOMAIN, ...); returns an exit code, *client on success. */
int cli_client(auth0_client **client);

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
