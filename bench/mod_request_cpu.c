/*
 * For bench/module-throughput --request-cpu only, never for a real server: the CPU time that the worker
 * thread spent on each request, from the request's creation (before its request line is read) to the end
 * of its pool's cleanups, written to the file named by RequestCPULog, a line per request:
 *
 *     port <TAB> request target <TAB> status <TAB> nanoseconds <TAB> milliseconds of CLOCK_MONOTONIC
 *
 * Why a thread's CPU clock and not %D: with httpd's core saturated, a request's wall time includes the
 * time it waited while other requests ran, which is most of it; a thread's CPU clock stops then. Kernel
 * time in the thread's system calls (reading the request, writing the response) is counted.
 *
 * Why the end of the cleanups and not the log line: mod_log_config runs from a cleanup of the request's
 * pool, and the cleanups registered before it (a module giving back what it borrowed for the request, say)
 * run after it. This module's cleanup is registered as the request is created, so it runs last.
 *
 * A request that ends on another thread than the one it began on (the event MPM may finish a write that
 * would block on another worker) has no CPU time of its own: its figure is -1.
 *
 * Lines are gathered per thread and written 32 KiB at a time (one write, O_APPEND), and at the child's exit.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* clock_gettime's CLOCK_THREAD_CPUTIME_ID, and what apr.h expects of a Linux build */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h" /* ap_hook_log_transaction */
#include "http_request.h"  /* ap_hook_create_request */
#include "apr_file_io.h"
#include "apr_portable.h"
#include "apr_thread_mutex.h"

module AP_MODULE_DECLARE_DATA request_cpu_module;

#define BUFFER_SIZE 32768

typedef struct thread_buffer {
	struct thread_buffer *next;
	size_t used;
	char data[BUFFER_SIZE];
} thread_buffer;

static const char *log_path;          /* RequestCPULog */
static apr_file_t *log_file;          /* this child's, opened in child_init */
static apr_thread_mutex_t *list_lock; /* guards buffers */
static thread_buffer *buffers;        /* every thread's, for the flush at the child's exit */
static _Thread_local thread_buffer *mine;

typedef struct request_cpu {
	apr_int64_t start;
	apr_os_thread_t thread;
	const char *target;
	int status;
	apr_port_t port;
	int logged;
} request_cpu;

static apr_int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (apr_int64_t)ts.tv_sec * APR_INT64_C(1000000000) + ts.tv_nsec;
}

static void write_buffer(thread_buffer *b)
{
	apr_size_t n = b->used;
	if (n && log_file)
		apr_file_write_full(log_file, b->data, n, NULL);
	b->used = 0;
}

static void append_line(const char *line, size_t len)
{
	if (!mine) {
		mine = calloc(1, sizeof(*mine));
		if (!mine)
			return;
		apr_thread_mutex_lock(list_lock);
		mine->next = buffers;
		buffers = mine;
		apr_thread_mutex_unlock(list_lock);
	}
	if (mine->used + len > BUFFER_SIZE) {
		/* the exit's flush takes the same lock: never two writers of one buffer */
		apr_thread_mutex_lock(list_lock);
		write_buffer(mine);
		apr_thread_mutex_unlock(list_lock);
	}
	if (len <= BUFFER_SIZE) {
		memcpy(mine->data + mine->used, line, len);
		mine->used += len;
	}
}

static apr_status_t request_done(void *arg)
{
	request_cpu *rc = arg;
	if (!rc->logged)
		return APR_SUCCESS;
	apr_int64_t ns = apr_os_thread_equal(rc->thread, apr_os_thread_current()) ? clock_ns(CLOCK_THREAD_CPUTIME_ID) - rc->start
	                                                                         : -1;
	char line[512];
	int len = snprintf(line, sizeof(line), "%u\t%s\t%d\t%" APR_INT64_T_FMT "\t%" APR_INT64_T_FMT "\n",
	                   (unsigned)rc->port, rc->target, rc->status, ns, clock_ns(CLOCK_MONOTONIC) / 1000000);
	if (len > 0 && (size_t)len < sizeof(line))
		append_line(line, (size_t)len);
	return APR_SUCCESS;
}

static int create_request(request_rec *r)
{
	if (!log_file)
		return OK;
	request_cpu *rc = apr_pcalloc(r->pool, sizeof(*rc));
	rc->thread = apr_os_thread_current();
	rc->start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	ap_set_module_config(r->request_config, &request_cpu_module, rc);
	apr_pool_cleanup_register(r->pool, rc, request_done, apr_pool_cleanup_null);
	return OK;
}

static int log_transaction(request_rec *r)
{
	request_cpu *rc = ap_get_module_config(r->request_config, &request_cpu_module);
	if (rc && !rc->logged) {
		rc->logged = 1;
		rc->target = r->unparsed_uri ? r->unparsed_uri : "-";
		rc->status = r->status;
		rc->port = r->connection->local_addr ? r->connection->local_addr->port : 0;
	}
	return DECLINED;
}

static apr_status_t child_exit(void *arg)
{
	(void)arg;
	apr_thread_mutex_lock(list_lock);
	for (thread_buffer *b = buffers; b; b = b->next)
		write_buffer(b);
	apr_thread_mutex_unlock(list_lock);
	return APR_SUCCESS;
}

static void child_init(apr_pool_t *p, server_rec *s)
{
	if (!log_path)
		return;
	if (apr_thread_mutex_create(&list_lock, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS ||
	    apr_file_open(&log_file, log_path, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_APPEND,
	                  APR_FPROT_OS_DEFAULT, p) != APR_SUCCESS) {
		ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "RequestCPULog %s cannot be written", log_path);
		log_file = NULL;
		return;
	}
	/* registered after the file's own cleanup, so it runs before the file closes */
	apr_pool_cleanup_register(p, NULL, child_exit, apr_pool_cleanup_null);
}

static const char *set_log(cmd_parms *cmd, void *dir, const char *path)
{
	(void)dir;
	log_path = ap_server_root_relative(cmd->pool, path);
	return log_path ? NULL : "RequestCPULog: a bad path";
}

static const command_rec directives[] = {
	AP_INIT_TAKE1("RequestCPULog", set_log, NULL, RSRC_CONF, "the file each request's CPU time is written to"),
	{ .name = NULL },
};

static void register_hooks(apr_pool_t *p)
{
	(void)p;
	ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_create_request(create_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
	ap_hook_log_transaction(log_transaction, NULL, NULL, APR_HOOK_REALLY_FIRST);
}

AP_DECLARE_MODULE(request_cpu) = {
	STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, directives, register_hooks,
#if defined(AP_MODULE_FLAG_NONE)
	AP_MODULE_FLAG_NONE
#endif
};
