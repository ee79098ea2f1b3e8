# Benchmarks (built with the tree so that they keep compiling; not installed). Run bench/mgmt-pagination.
# Makefile.am includes this file: include $(srcdir)/bench/local.mk
noinst_PROGRAMS += bench/mgmt_pagination
bench_mgmt_pagination_SOURCES = bench/mgmt_pagination.c
bench_mgmt_pagination_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src -I$(top_builddir)
bench_mgmt_pagination_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS) $(CJOSE_CFLAGS)
bench_mgmt_pagination_LDADD = src/libauth0_core.la
EXTRA_DIST += bench/mgmt-pagination bench/RESULTS.md

# bench/soak's heap watcher, preloaded into httpd (see bench/soak_heap.c). A shared object that is not
# installed: -rpath only makes libtool build it shared.
noinst_LTLIBRARIES += bench/soak_heap.la
bench_soak_heap_la_SOURCES = bench/soak_heap.c
bench_soak_heap_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
EXTRA_DIST += bench/soak bench/soak.lua bench/module-throughput bench/session-path-ablation bench/session-path-ablation.patch

# bench/module-throughput --request-cpu's logger of each request's CPU time, loaded into httpd for that run
# only (see bench/mod_request_cpu.c). Not installed, like the heap watcher.
noinst_LTLIBRARIES += bench/mod_request_cpu.la
bench_mod_request_cpu_la_SOURCES = bench/mod_request_cpu.c
bench_mod_request_cpu_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(APXS_INCLUDEDIR) $(APXS_EXTRA_CPPFLAGS) $(APR_CFLAGS)
bench_mod_request_cpu_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
