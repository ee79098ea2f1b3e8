/*
 * bench/soak's heap watcher, preloaded into httpd (LD_PRELOAD) with SOAK_HEAP_DIR set: every process
 * forked from the one it is loaded into (httpd's children) writes, once a second, how many bytes its
 * malloc has handed out and not had back (mallinfo2: every arena, and blocks of their own mapping) to
 * SOAK_HEAP_DIR/heap.PID.
 *
 * Why: a process's resident memory also holds what glibc keeps after free() (fragmentation, and each
 * thread's cache of freed chunks, which fills as the 16 threads of a child meet new sizes), so it grows
 * for minutes without any leak. The bytes in use are what a leak grows. bench/soak runs httpd with
 * glibc's per-thread cache off (GLIBC_TUNABLES=glibc.malloc.tcache_count=0), whose chunks mallinfo2
 * would count as in use.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void *watch(void *arg)
{
	(void)arg;
	const char *dir = getenv("SOAK_HEAP_DIR");
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/heap.%ld", dir, (long)getpid());
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	for (;;) {
		struct mallinfo2 m = mallinfo2();
		/* written anew and renamed: the child has changed its user (User) since its first write */
		FILE *f = fopen(tmp, "w");
		if (f) {
			fprintf(f, "%zu\n", m.uordblks + m.hblkhd);
			if (fclose(f) == 0)
				rename(tmp, path);
		}
		struct timespec second = { 1, 0 };
		nanosleep(&second, NULL);
	}
	return NULL;
}

/* Runs in each new child: threads do not survive fork(), so each child starts its own watcher. */
static void start_watching(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, watch, NULL) == 0)
		pthread_detach(t);
}

__attribute__((constructor)) static void init(void)
{
	if (getenv("SOAK_HEAP_DIR"))
		pthread_atfork(NULL, NULL, start_watching);
}
