/*
 * Counters of what the module did, host-wide (every process of this httpd),
 * and SetHandler auth0-metrics, which shows them in Prometheus' text format
 * (as mod_auth_openidc's OIDCMetricsPublish does). They live in anonymous
 * shared memory made at start-up and count from there: a restart starts
 * them again, which Prometheus reads as a counter reset. Only events are
 * counted (logins, refusals, logouts, refreshes), never the requests of
 * signed-in users: those are mod_status' business, and a shared counter
 * bumped by every request would cost every request.
 */
#include "mod_auth0.h"

#include <apr_atomic.h>
#include <apr_shm.h>

static const struct metric_info {
	const char *family;
	const char *labels;
	const char *help;
} info[A0M_METRIC_COUNT] = {
	[A0M_LOGIN_STARTED] = { "auth0_logins_total", "outcome=\"started\"",
		                    "Logins: redirects to the tenant, and callbacks by outcome." },
	[A0M_LOGIN_COMPLETED] = { "auth0_logins_total", "outcome=\"completed\"", NULL },
	[A0M_LOGIN_STALE] = { "auth0_logins_total", "outcome=\"stale\"", NULL },
	[A0M_LOGIN_DENIED] = { "auth0_logins_total", "outcome=\"denied\"", NULL },
	[A0M_LOGIN_FAILED] = { "auth0_logins_total", "outcome=\"failed\"", NULL },
	[A0M_LOGIN_STEP_UP] = { "auth0_logins_total", "outcome=\"step_up\"", NULL },
	[A0M_LOGIN_MAX_AGE] = { "auth0_logins_total", "outcome=\"max_age\"", NULL },
	[A0M_SESSION_TIMEOUT] = { "auth0_sessions_ended_total", "reason=\"timeout\"",
		                      "Sessions ended here, by reason." },
	[A0M_SESSION_LOGOUT] = { "auth0_sessions_ended_total", "reason=\"logout\"", NULL },
	[A0M_SESSION_BACKCHANNEL] = { "auth0_sessions_ended_total", "reason=\"backchannel_logout\"", NULL },
	[A0M_SESSION_REFUSED] = { "auth0_sessions_ended_total", "reason=\"refused_cookie\"", NULL },
	[A0M_REFRESH_OK] = { "auth0_refreshes_total", "outcome=\"renewed\"",
		                 "Access tokens renewed with the refresh token, by outcome." },
	[A0M_REFRESH_REFUSED] = { "auth0_refreshes_total", "outcome=\"refused\"", NULL },
	[A0M_REFRESH_FAILED] = { "auth0_refreshes_total", "outcome=\"failed\"", NULL },
	/* the tenant failed (or backs off) while the token was still usable: the request went on with it */
	[A0M_REFRESH_DEFERRED] = { "auth0_refreshes_total", "outcome=\"deferred\"", NULL },
	[A0M_BEARER_REFUSED] = { "auth0_bearer_refused_total", NULL,
		                     "Requests refused for a missing or invalid bearer token." },
	[A0M_BACKCHANNEL_ACCEPTED] = { "auth0_backchannel_logouts_total", "outcome=\"accepted\"",
		                           "Logout tokens the tenant posted, by outcome." },
	[A0M_BACKCHANNEL_REFUSED] = { "auth0_backchannel_logouts_total", "outcome=\"refused\"", NULL },
	[A0M_PREFLIGHT_PASSED] = { "auth0_preflights_passed_total", NULL,
		                       "CORS preflights let through without credentials (Auth0CORSPreflight)." },
	[A0M_CACHE_FAILED] = { "auth0_cache_failures_total", NULL,
		                   "Requests answered 503 because the shared cache failed." },
	[A0M_POST_KEPT] = { "auth0_preserved_posts_total", "outcome=\"kept\"",
		                "Form POSTs kept across a login (Auth0PreservePost), by outcome." },
	[A0M_POST_REPOSTED] = { "auth0_preserved_posts_total", "outcome=\"reposted\"", NULL },
	[A0M_POST_LOST] = { "auth0_preserved_posts_total", "outcome=\"lost\"", NULL },
	[A0M_POST_REFUSED] = { "auth0_preserved_posts_total", "outcome=\"over_budget\"", NULL },
};

static apr_uint64_t *counters;

void a0m_metrics_post_config(apr_pool_t *pconf, server_rec *s)
{
	apr_shm_t *shm = NULL;
	apr_status_t rv = apr_shm_create(&shm, sizeof(apr_uint64_t) * A0M_METRIC_COUNT, NULL, pconf);
	if (rv != APR_SUCCESS) {
		ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, "mod_auth0: no shared memory for its metrics: not counted");
		counters = NULL;
		return;
	}
	counters = apr_shm_baseaddr_get(shm);
	memset(counters, 0, sizeof(apr_uint64_t) * A0M_METRIC_COUNT);
}

void a0m_metric(a0m_metric_id m)
{
	if (counters && m >= 0 && m < A0M_METRIC_COUNT)
		apr_atomic_inc64(&counters[m]);
}

int a0m_metrics_handler(request_rec *r)
{
	if (!r->handler || strcmp(r->handler, "auth0-metrics") != 0)
		return DECLINED;
	if (r->method_number != M_GET) {
		apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD");
		return HTTP_METHOD_NOT_ALLOWED;
	}
	a0m_no_store(r);
	/* text/plain, never anything a browser might sniff into HTML */
	apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
	ap_set_content_type(r, "text/plain; version=0.0.4; charset=utf-8");
	if (r->header_only)
		return OK;
	for (int m = 0; m < A0M_METRIC_COUNT; m++) {
		if (info[m].help) /* the first of its family */
			ap_rprintf(r, "# HELP %s %s\n# TYPE %s counter\n", info[m].family, info[m].help, info[m].family);
		ap_rprintf(r, "%s%s%s%s %" APR_UINT64_T_FMT "\n", info[m].family, info[m].labels ? "{" : "",
		           info[m].labels ? info[m].labels : "", info[m].labels ? "}" : "",
		           counters ? apr_atomic_read64(&counters[m]) : 0);
	}
	return OK;
}
