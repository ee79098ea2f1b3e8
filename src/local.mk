# libauth0: the C client library (no httpd dependency).
#
# Built once as a libtool convenience library, which both the installed
# libauth0 (shared and static) and mod_auth0.so link.

noinst_LTLIBRARIES += src/libauth0_core.la
src_libauth0_core_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
src_libauth0_core_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS) $(CJOSE_CFLAGS) -fvisibility=hidden
src_libauth0_core_la_LIBADD = $(CURL_LIBS) $(JANSSON_LIBS) $(OPENSSL_LIBS) $(CJOSE_LIBS) $(PTHREAD_LIBS) -lm
src_libauth0_core_la_SOURCES = \
	src/internal.h \
	src/util_buf.c \
	src/util_str.c \
	src/util_crypto.c \
	src/util_json.c \
	src/error.c \
	src/client.c \
	src/retry.c \
	src/http.c \
	src/store_memory.c \
	src/token_manager.c \
	src/client_auth.c \
	src/oauth.c \
	src/jwt_decode.c \
	src/jwks.c

# Each area of the library lists its own sources.
include $(srcdir)/src/authentication.mk
include $(srcdir)/src/jwt.mk
include $(srcdir)/src/management.mk

lib_LTLIBRARIES += src/libauth0.la
src_libauth0_la_SOURCES =
src_libauth0_la_LIBADD = src/libauth0_core.la
src_libauth0_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(LIBAUTH0_LT_VERSION) -export-symbols-regex '^auth0_'

include_HEADERS += src/include/auth0.h
auth0includedir = $(includedir)/auth0
auth0include_HEADERS = \
	src/include/auth0/common.h \
	src/include/auth0/error.h \
	src/include/auth0/store.h \
	src/include/auth0/client.h \
	src/include/auth0/authentication.h \
	src/include/auth0/jwt.h \
	src/include/auth0/management.h \
	src/include/auth0/management_operations.h
nodist_auth0include_HEADERS = src/include/auth0/version.h

pkgconfig_DATA += src/auth0.pc
EXTRA_DIST += src/auth0.pc.in src/include/auth0/version.h.in
