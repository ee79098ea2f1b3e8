# mod_auth0.so: the Apache module, built with the flags apxs reports and
# linked with libauth0's objects (so it needs no installed libauth0).

if BUILD_MODULE
apachemod_LTLIBRARIES = mod_auth0/mod_auth0.la
apachemoddir = $(APACHE_MODULEDIR)

mod_auth0_mod_auth0_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(APXS_INCLUDEDIR) $(APXS_EXTRA_CPPFLAGS) $(APR_CFLAGS)
mod_auth0_mod_auth0_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS) $(ZLIB_CFLAGS) -fvisibility=hidden
mod_auth0_mod_auth0_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -export-symbols-regex '^auth0_module$$'
mod_auth0_mod_auth0_la_LIBADD = src/libauth0_core.la $(OPENSSL_LIBS) $(JANSSON_LIBS)
mod_auth0_mod_auth0_la_SOURCES = \
	mod_auth0/mod_auth0.h \
	mod_auth0/mod_auth0.c \
	mod_auth0/config.c \
	mod_auth0/app.c \
	mod_auth0/cache.c \
	mod_auth0/metrics.c \
	mod_auth0/seal.c

# redis-auth, a socache provider for Redis servers that ask for a password (hiredis)
if HAVE_HIREDIS
mod_auth0_mod_auth0_la_SOURCES += mod_auth0/socache_redis.c
mod_auth0_mod_auth0_la_CPPFLAGS += -DA0M_HAVE_HIREDIS
mod_auth0_mod_auth0_la_CFLAGS += $(HIREDIS_CFLAGS)
mod_auth0_mod_auth0_la_LIBADD += $(HIREDIS_LIBS) $(ANL_LIBS)
if HAVE_GETADDRINFO_A
mod_auth0_mod_auth0_la_CPPFLAGS += -DA0M_HAVE_GETADDRINFO_A
endif
endif

# Each area of the module lists its own sources.
include $(srcdir)/mod_auth0/session.mk
include $(srcdir)/mod_auth0/api.mk
include $(srcdir)/mod_auth0/admin.mk
endif
