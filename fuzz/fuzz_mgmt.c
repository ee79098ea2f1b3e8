/*
 * Management API routing and request checks: auth0_operation_match (the
 * admin API's path routing: method + raw path -> operation and decoded path
 * values), the path re-encoding of a0_mgmt_path, and the query checks of
 * a0_mgmt_query / auth0_management_call, with no network: the client points
 * at a loopback port that refuses connections, so a call that passes every
 * check ends with AUTH0_ERR_NETWORK.
 *
 * Input: METHOD \0 PATH \0 NAME=VALUE \0 NAME=VALUE ... (query pairs; a
 * pair without '=' has a NULL value). When PATH matches no operation the
 * query is checked against users.list.
 *
 * Invariants: a match is for METHOD, with one value per path parameter,
 * none empty, "." or ".."; the values re-encoded by a0_mgmt_path route to an
 * operation again (the same one, with the same values, unless a value reads
 * as a literal segment of a more specific template); a call is refused
 * before I/O (INVALID_ARGUMENT) or fails on the refused connection.
 */
#include "management_internal.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAIRS 32

static auth0_client *client;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_client_opts o = { .static_token = true };
	client = fz_client(&o);
	return 0;
}

__attribute__((noreturn)) static void fail(const char *why)
{
	fprintf(stderr, "fuzz_mgmt: %s\n", why);
	abort();
}

static size_t count(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static void check_route(const char *method, const auth0_operation *op, char **values)
{
	if (strcmp(op->http_method, method) != 0)
		fail("an operation of another method matched");
	if (count((const char *const *)values) != count(op->path_params))
		fail("path values do not fit the operation's parameters");
	for (char **v = values; *v; v++)
		if (!**v || strcmp(*v, ".") == 0 || strcmp(*v, "..") == 0)
			fail("an empty, '.' or '..' path value");
	char *path = NULL;
	auth0_error *err = NULL;
	if (a0_mgmt_path(op, (const char *const *)values, &path, &err) != AUTH0_OK)
		fail("matched values are refused by a0_mgmt_path");
	char *again[AUTH0_MAX_PATH_PARAMS + 1];
	const auth0_operation *op2 = auth0_operation_match(method, path, again);
	if (!op2)
		fail("a re-encoded path routes nowhere");
	if (op2 == op)
		for (size_t i = 0; values[i]; i++)
			if (!again[i] || strcmp(again[i], values[i]) != 0)
				fail("path values do not survive re-encoding");
	auth0_path_values_free(again);
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	char *method = fz_next(&f), *path = fz_next(&f);
	char *fields[MAX_PAIRS];
	auth0_kv q[MAX_PAIRS + 1];
	size_t n = 0;
	while (f.n && n < MAX_PAIRS) {
		char *pair = fz_next(&f);
		char *eq = strchr(pair, '=');
		if (eq)
			*eq = '\0';
		fields[n] = pair;
		q[n].name = pair;
		q[n].value = eq ? eq + 1 : NULL;
		n++;
	}
	q[n].name = q[n].value = NULL;

	char *values[AUTH0_MAX_PATH_PARAMS + 1];
	const auth0_operation *op = auth0_operation_match(method, path, values);
	if (op)
		check_route(method, op, values);
	else if (values[0])
		fail("no match, but path values");
	const auth0_operation *target = op ? op : auth0_operation_find("users.list");

	char *qs = NULL;
	auth0_error *err = NULL;
	if (a0_mgmt_query(target, q, NULL, &qs, &err) == AUTH0_OK) {
		if (!qs || strpbrk(qs, " #\r\n"))
			fail("a query string that is not encoded");
	} else if (!err || err->kind != AUTH0_ERR_INVALID_ARGUMENT) {
		fail("a query refused for another reason than its arguments");
	}
	free(qs);
	auth0_error_free(err);
	err = NULL;

	if (op) {
		auth0_status st =
			auth0_management_call(client, op, (const char *const *)values, q, NULL, NULL, NULL, NULL, &err);
		if (st != AUTH0_ERR_INVALID_ARGUMENT && st != AUTH0_ERR_NETWORK)
			fail("a call ended otherwise than refused or unconnected");
		auth0_error_free(err);
	}
	auth0_path_values_free(values);
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
	free(method);
	free(path);
	return 0;
}
