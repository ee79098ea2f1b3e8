/*
 * For bench/module-throughput --request-cpu only, never for a real server: the CPU time that the worker
 * thread spent on each request, from the request's creation (before its request line is read) to its log
 * line, in nanoseconds, as the note "request_cpu_ns" (mod_log_config's %{request_cpu_ns}n).
 *
 * Why a thread's CPU clock and not %D: with httpd's core saturated, a request's wall time includes the
 * time it waited while other requests ran, which is most of it; a thread's CPU clock stops then. Kernel
 * time in the thread's system calls (reading the request, writing the response) is counted.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* clock_gettime's CLOCK_THREAD_CPUTIME_ID, and what apr.h expects of a Linux build */
#endif
#include <time.h>

#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h" /* ap_hook_log_transaction */
#include "http_request.h"  /* ap_hook_create_request */
#include "apr_strings.h"

module AP_MODULE_DECLARE_DATA request_cpu_module;

static apr_int64_t thread_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (apr_int64_t)ts.tv_sec * APR_INT64_C(1000000000) + ts.tv_nsec;
}

static int create_request(request_rec *r)
{
	apr_int64_t *start = apr_palloc(r->pool, sizeof(*start));
	*start = thread_ns();
	ap_set_module_config(r->request_config, &request_cpu_module, start);
	return OK;
}

static int log_transaction(request_rec *r)
{
	const apr_int64_t *start = ap_get_module_config(r->request_config, &request_cpu_module);
	if (start && *start)
		apr_table_setn(r->notes, "request_cpu_ns", apr_psprintf(r->pool, "%" APR_INT64_T_FMT, thread_ns() - *start));
	return DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
	(void)p;
	ap_hook_create_request(create_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
	/* before mod_log_config writes the line */
	ap_hook_log_transaction(log_transaction, NULL, NULL, APR_HOOK_REALLY_FIRST);
}

AP_DECLARE_MODULE(request_cpu) = {
	STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, register_hooks,
#if defined(AP_MODULE_FLAG_NONE)
	AP_MODULE_FLAG_NONE
#endif
};
