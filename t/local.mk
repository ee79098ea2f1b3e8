# Tests. `make check` runs every C test program through t/lib/run-test, which
# starts the fake tenant when no tenant is running yet (see t/with-tenant), so
# that `make check` is self-contained; scripts/test.sh runs them all against
# one tenant for speed.

LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
LOG_COMPILER = $(top_srcdir)/t/lib/run-test
AM_TESTS_ENVIRONMENT = top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; export top_srcdir top_builddir;

T_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src -I$(top_builddir) -I$(top_srcdir)/t/lib
T_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS) $(CJOSE_CFLAGS)
T_LDADD = src/libauth0_core.la t/lib/libtesthelp.la

noinst_LTLIBRARIES += t/lib/libtesthelp.la
t_lib_libtesthelp_la_CPPFLAGS = $(T_CPPFLAGS)
t_lib_libtesthelp_la_CFLAGS = $(T_CFLAGS)
t_lib_libtesthelp_la_SOURCES = t/lib/tap.h t/lib/testenv.h t/lib/testenv.c

check_PROGRAMS += t/unit/test_core t/unit/test_client t/unit/test_token_manager
TESTS += t/unit/test_core t/unit/test_client t/unit/test_token_manager

t_unit_test_core_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_core_CFLAGS = $(T_CFLAGS)
t_unit_test_core_LDADD = $(T_LDADD)

t_unit_test_client_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_client_CFLAGS = $(T_CFLAGS)
t_unit_test_client_LDADD = $(T_LDADD)

t_unit_test_token_manager_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_token_manager_CFLAGS = $(T_CFLAGS)
t_unit_test_token_manager_LDADD = $(T_LDADD)

# Each area adds its own tests.
include $(srcdir)/t/unit/authentication.mk
include $(srcdir)/t/unit/jwt.mk
include $(srcdir)/t/unit/management.mk
include $(srcdir)/t/unit/module.mk

EXTRA_DIST += t/lib/run-test t/with-tenant
