/*
 * What the tenant answers, read by the pure layers of libauth0 (no I/O):
 * token answers (a0_tokens_from_json), error answers of both APIs
 * (a0_error_from_response: OAuth and Management fields, rate limits,
 * text/plain bodies), the Management API's token-refusal detection
 * (a0_mgmt_token_rejected), server-sent events (a0_sse_parse), content
 * types, and Retry-After (seconds or an HTTP date) with the retry delay.
 * fuzz_tenant sends the same kinds of answers over a socket.
 *
 * Input: STATUS \0 CONTENT-TYPE \0 WWW-AUTHENTICATE \0 RETRY-AFTER \0
 *        X-RATELIMIT-RESET \0 BODY
 * (STATUS and the rate-limit reset as decimal text; an empty field is
 * "absent").
 *
 * Invariant: error messages are one printable line (they are logged), and
 * the status kind follows the HTTP status.
 */
#include "management_internal.h"
#include "common.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void check_message(const char *m)
{
	if (!m)
		abort();
	for (const unsigned char *p = (const unsigned char *)m; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(stderr, "fuzz_responses: a control character in an error message\n");
			abort();
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz f = fz_init(data, size);
	char *status = fz_next(&f), *ct = fz_next(&f), *www = fz_next(&f), *retry = fz_next(&f);
	char *reset = fz_next(&f);
	size_t len;
	const uint8_t *raw = fz_rest(&f, &len);
	char *body = malloc(len + 1);
	if (!body)
		abort();
	memcpy(body, raw, len);
	body[len] = '\0';
	int64_t now = (int64_t)time(NULL);

	a0_response resp;
	memset(&resp, 0, sizeof(resp));
	resp.status = strtol(status, NULL, 10);
	resp.body = body;
	resp.len = len;
	resp.content_type = *ct ? ct : NULL;
	resp.www_authenticate = *www ? www : NULL;
	resp.retry_after = a0_retry_after_seconds(retry, now);
	resp.rate_limit.limit = resp.rate_limit.remaining = -1;
	resp.rate_limit.reset = *reset ? strtoll(reset, NULL, 10) : -1;
	resp.attempts = 1 + (int)(len % 3);

	/* an answer to a token request */
	json_t *json = json_loadb(body, len, JSON_DECODE_ANY, NULL);
	auth0_tokens *tokens = NULL;
	auth0_error *err = NULL;
	if (a0_tokens_from_json(json, &tokens, &err) == AUTH0_OK) {
		if (!tokens || !tokens->access_token || !*tokens->access_token)
			abort();
	} else {
		check_message(err ? err->message : NULL);
	}
	auth0_tokens_free(tokens);
	auth0_error_free(err);
	json_decref(json);

	/* an error answer of either API */
	err = NULL;
	auth0_status kind = a0_error_from_response(&err, &resp, "POST", "/oauth/token");
	if (!err || err->kind != kind || kind == AUTH0_OK)
		abort();
	check_message(err->message);
	if (resp.status == 429 && kind != AUTH0_ERR_RATE_LIMITED)
		abort();
	(void)auth0_error_is_transient(err);
	auth0_error_free(err);

	(void)a0_mgmt_token_rejected(&resp);
	(void)a0_response_is_json(&resp);
	json_t *events = a0_sse_parse(body, len);
	if (!json_is_array(events))
		abort();
	json_decref(events);

	for (int policy = A0_RETRY_NONE; policy <= A0_RETRY_MANAGEMENT; policy++) {
		(void)a0_retry_status((a0_retry_policy)policy, resp.status);
		long d = a0_retry_delay_ms((a0_retry_policy)policy, (int)(len % 4), &resp, now, 60000, 0.5);
		if (d < 0 || d > 60000)
			abort();
	}

	free(status);
	free(ct);
	free(www);
	free(retry);
	free(reset);
	free(body);
	return 0;
}
