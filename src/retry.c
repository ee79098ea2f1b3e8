/*
 * When and how long to wait before retrying, for each API. Pure functions
 * (randomness and time are arguments) so that tests can pin them down.
 *
 * Authentication API (Ruby SDK's rest-client + retryable): only 429 is
 * retried; the wait before retry n is w = 100 * (2^n - 1) ms, plus a random
 * integer in [w + 1, w + 250], clamped to [250, 1000] ms. Unlike the Ruby
 * SDK we also honour the server's Retry-After and X-RateLimit-Reset when
 * they ask for longer.
 *
 * Management API (Ruby SDK's Fern RawClient): 408, 429, 500, 502, 503, 504,
 * 521, 522, 524 are retried; the wait is Retry-After when present, else
 * (unlike Ruby) X-RateLimit-Reset on a 429, else 0.5 s * 2^n with +-20 %
 * jitter. Unlike Ruby, a POST (create a user, a job, a ticket...) is
 * retried on 429 only: after a 408 or a 5xx from a gateway the tenant may
 * have done it, and a second one would make a duplicate.
 *
 * Every wait is capped by the client's max_retry_delay_ms.
 */
#include "internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>

bool a0_retry_status(a0_retry_policy policy, long status)
{
	switch (policy) {
	case A0_RETRY_AUTHENTICATION:
	case A0_RETRY_MANAGEMENT_POST:
		return status == 429;
	case A0_RETRY_MANAGEMENT:
		switch (status) {
		case 408: case 429: case 500: case 502: case 503: case 504: case 521: case 522: case 524:
			return true;
		default:
			return false;
		}
	case A0_RETRY_NONE:
		break;
	}
	return false;
}

long a0_retry_backoff_ms(a0_retry_policy policy, int retry, double rand01)
{
	if (retry < 0)
		retry = 0;
	if (retry > 20)
		retry = 20; /* 2^20 already exceeds every cap: avoid overflow */
	if (rand01 < 0 || rand01 >= 1)
		rand01 = 0;
	switch (policy) {
	case A0_RETRY_AUTHENTICATION: {
		long w = 100L * ((1L << retry) - 1);
		w += w + 1 + (long)(rand01 * 250);
		if (w > 1000)
			w = 1000;
		if (w < 250)
			w = 250;
		return w;
	}
	case A0_RETRY_MANAGEMENT:
	case A0_RETRY_MANAGEMENT_POST: {
		double base = 500.0 * (double)(1L << retry);
		if (base > 60000)
			base = 60000;
		double w = base * (1.0 + (rand01 * 0.4 - 0.2));
		return w < 0 ? 0 : (long)w;
	}
	case A0_RETRY_NONE:
		break;
	}
	return 0;
}

int64_t a0_retry_after_seconds(const char *value, int64_t now)
{
	if (a0_empty(value))
		return -1;
	const char *p = value;
	while (*p == ' ')
		p++;
	if (isdigit((unsigned char)*p)) {
		char *end;
		long long v = strtoll(p, &end, 10);
		while (*end == ' ')
			end++;
		if (*end != '\0' || v < 0)
			return -1;
		return (int64_t)v;
	}
	time_t when = curl_getdate(p, NULL);
	if (when == (time_t)-1)
		return -1;
	return when > now ? (int64_t)(when - now) : 0;
}

long a0_retry_delay_ms(a0_retry_policy policy, int retry, const a0_response *resp, int64_t now,
                       long max_ms, double rand01)
{
	long hint = -1;
	if (resp) {
		if (resp->retry_after > 0)
			hint = resp->retry_after > INT32_MAX / 1000 ? INT32_MAX : (long)resp->retry_after * 1000;
		else if (resp->status == 429 && resp->rate_limit.reset > now) {
			int64_t s = resp->rate_limit.reset - now;
			hint = s > INT32_MAX / 1000 ? INT32_MAX : (long)s * 1000;
		}
	}
	long backoff = a0_retry_backoff_ms(policy, retry, rand01);
	long delay;
	if (policy == A0_RETRY_AUTHENTICATION)
		delay = hint > backoff ? hint : backoff;
	else
		delay = hint >= 0 ? hint : backoff;
	if (max_ms >= 0 && delay > max_ms)
		delay = max_ms;
	return delay;
}
