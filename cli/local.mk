# The `auth0` command-line client (cli/): every Management API operation through
# libauth0's operations table, plus token / authorize-url / userinfo.
# Makefile.am includes this file: include $(srcdir)/cli/local.mk
bin_PROGRAMS += cli/auth0
cli_auth0_SOURCES = cli/cli.h cli/main.c cli/mgmt.c cli/auth.c
cli_auth0_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
cli_auth0_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
cli_auth0_LDADD = src/libauth0.la $(JANSSON_LIBS)

# Through WireMock (t/wire/with-wiremock), and against the fake tenant's Management API when it has one.
TESTS += t/wire/cli-test
EXTRA_DIST += t/wire/cli-test
