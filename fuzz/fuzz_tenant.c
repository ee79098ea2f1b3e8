/*
 * The tenant's answers as libauth0 reads them off the wire: the fake
 * tenant of common.c (a loopback HTTP/1.1 server in this process) answers
 * every request with the status, headers and body of the input, and one
 * libauth0 call reads it: token grants, /userinfo, the Management token by
 * client credentials, Management calls (JSON, server-sent events, text,
 * token refusal and renewal), pagination, the JWKS, PAR, CIBA and device
 * authorization, OIDC discovery. The framing (Content-Length) is always
 * right: curl's own HTTP parser is not what is fuzzed here.
 *
 * Input: CALL \0 STATUS \0 CONTENT-TYPE \0 HEADERS \0 BODY
 *   CALL's first byte picks the call; STATUS is decimal text (200 when not
 *   200..599); HEADERS is extra header lines separated by '|' (e.g.
 *   "Retry-After: 0|X-RateLimit-Reset: 1"); CR and LF are removed.
 * Clients never retry and never wait between attempts.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	CALL_CODE, CALL_USERINFO, CALL_MGMT_GET, CALL_MGMT_LIST, CALL_MGMT_TOKEN, CALL_PAGER, CALL_JWKS, CALL_PAR,
	CALL_CIBA, CALL_DEVICE, CALL_DISCOVERY, CALL_REFRESH, CALL_PAGER_CHECKPOINT, CALL_COUNT
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_tenant_port();
	return 0;
}

/* "A: 1|B: 2" -> "A: 1\r\nB: 2\r\n" */
static char *header_lines(char *spec)
{
	fz_header_clean(spec);
	size_t n = strlen(spec);
	char *out = malloc(2 * n + 3);
	if (!out)
		abort();
	size_t k = 0;
	for (char *line = spec; *line;) {
		size_t len = strcspn(line, "|");
		if (len && memchr(line, ':', len)) {
			memcpy(out + k, line, len);
			k += len;
			memcpy(out + k, "\r\n", 2);
			k += 2;
		}
		line += len;
		if (*line == '|')
			line++;
	}
	out[k] = '\0';
	return out;
}

static void check_err(auth0_status st, auth0_error *err)
{
	if (st != AUTH0_OK && (!err || err->kind != st || !err->message))
		abort();
	auth0_error_free(err);
}

static void call(auth0_client *c, unsigned which)
{
	auth0_error *err = NULL;
	auth0_status st = AUTH0_OK;
	json_t *out = NULL;
	auth0_tokens *tokens = NULL;
	switch (which) {
	case CALL_CODE:
		st = auth0_exchange_code(c, "fuzz-code", "https://app.example.com/callback",
		                         "fuzz-verifier-0123456789", &tokens, &err);
		break;
	case CALL_REFRESH:
		st = auth0_exchange_refresh_token(c, "fuzz-refresh-token", NULL, &tokens, &err);
		break;
	case CALL_USERINFO:
		st = auth0_userinfo(c, "fuzz-access-token", &out, &err);
		break;
	case CALL_MGMT_GET: {
		const char *const values[] = { "auth0|fuzz", NULL };
		st = auth0_management_call(c, auth0_operation_find("users.get"), values, NULL, NULL, NULL, NULL, &out,
		                           &err);
		break;
	}
	case CALL_MGMT_LIST: {
		const auth0_kv q[] = { { "per_page", "5" }, { "q", "email:\"a@example.com\"" }, { NULL, NULL } };
		st = auth0_management_call(c, auth0_operation_find("users.list"), NULL, q, NULL, NULL, NULL, &out,
		                           &err);
		break;
	}
	case CALL_MGMT_TOKEN: {
		char *token = NULL;
		int64_t exp = 0;
		st = auth0_management_token(c, &token, &exp, &err);
		if (st == AUTH0_OK && (!token || !*token))
			abort();
		free(token);
		break;
	}
	case CALL_PAGER:
	case CALL_PAGER_CHECKPOINT: {
		/* offset pages (page / per_page / include_totals) or checkpoint pages (from / take / next) */
		bool offset = which == CALL_PAGER;
		auth0_pager *pg = NULL;
		const auth0_kv q[] = { { offset ? "per_page" : "take", "2" }, { NULL, NULL } };
		const auth0_operation *op = auth0_operation_find(offset ? "users.list" : "client_grants.list");
		st = auth0_pager_new(&pg, c, op, NULL, q, NULL, &err);
		for (int page = 0; st == AUTH0_OK && page < 3; page++) {
			json_t *items = NULL;
			st = auth0_pager_next_page(pg, &items, &err);
			bool end = st == AUTH0_OK && !items;
			if (items && !json_is_array(items))
				abort();
			json_decref(items);
			if (end)
				break;
		}
		(void)auth0_pager_total(pg);
		auth0_pager_free(pg);
		break;
	}
	case CALL_JWKS:
		st = auth0_jwks_refresh(c, &err);
		break;
	case CALL_PAR: {
		auth0_authorize_params p = { .redirect_uri = "https://app.example.com/callback", .state = "s" };
		char *uri = NULL;
		int64_t exp = 0;
		st = auth0_pushed_authorization_request(c, &p, &uri, &exp, &err);
		if (st == AUTH0_OK && (!uri || !*uri))
			abort();
		free(uri);
		break;
	}
	case CALL_CIBA: {
		auth0_ciba_params p = { .user_id = "auth0|fuzz", .scope = "openid", .binding_message = "fuzz" };
		auth0_ciba_request r;
		memset(&r, 0, sizeof(r));
		st = auth0_ciba_authorize(c, &p, &r, &err);
		auth0_ciba_request_clear(&r);
		break;
	}
	case CALL_DEVICE: {
		auth0_device_code code;
		memset(&code, 0, sizeof(code));
		st = auth0_device_authorize(c, "openid", NULL, &code, &err);
		auth0_device_code_clear(&code);
		break;
	}
	default:
		st = auth0_oidc_discovery(c, &out, &err);
		break;
	}
	if (st == AUTH0_OK && tokens && (!tokens->access_token || !*tokens->access_token))
		abort();
	check_err(st, err);
	auth0_tokens_free(tokens);
	json_decref(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	unsigned which = fz_num(&f) % CALL_COUNT;
	char *status = fz_next(&f), *ct = fz_next(&f), *spec = fz_next(&f);
	size_t len;
	const uint8_t *body = fz_rest(&f, &len);
	fz_header_clean(ct);
	char *headers = header_lines(spec);
	fz_tenant_answer((int)strtol(status, NULL, 10), *ct ? ct : NULL, headers, body, len);

	fz_client_opts o = { .port = fz_tenant_port(), .static_token = which != CALL_MGMT_TOKEN };
	auth0_client *c = fz_client(&o);
	call(c, which);
	auth0_client_free(c);
	fz_tenant_quiesce();
	free(status);
	free(ct);
	free(spec);
	free(headers);
	return 0;
}
