# fuzz/: libFuzzer targets for every parser that takes outside input (fuzz/README.md).
#
# Built in a build directory of their own, configured with
#     CC=clang /path/to/configure --enable-fuzz
# which compiles everything there with ASan + UBSan + -fsanitize=fuzzer-no-link and links the targets
# with -fsanitize=fuzzer (FUZZ_CFLAGS). `make` there builds the targets too, `make fuzz` only them;
# fuzz/smoke runs them all briefly (make check does not: scripts/test.sh calls fuzz/smoke).
#
# libauth0 targets link src/libauth0_core.la. Module targets link the module's own objects (compiled
# for mod_auth0.la in the same directory, as an archive so that each target takes only what it calls)
# with fuzz/harness.c, which fakes the little of httpd they need and stands in for app.c and cache.c
# (libauth0 clients pointed at loopback, an in-memory cache); its ap_regex functions are httpd's on PCRE2
# (PCRE2_CFLAGS/PCRE2_LIBS, checked by configure for --enable-fuzz).

EXTRA_DIST += fuzz/README.md fuzz/smoke fuzz/campaign fuzz/seeds.py fuzz/corpus fuzz/dict

FUZZ_CORE_TARGETS = \
	fuzz/fuzz_jwt \
	fuzz/fuzz_jwks \
	fuzz/fuzz_responses \
	fuzz/fuzz_tenant \
	fuzz/fuzz_mgmt \
	fuzz/fuzz_client \
	fuzz/fuzz_url

if BUILD_MODULE
FUZZ_MODULE_TARGETS = \
	fuzz/fuzz_session \
	fuzz/fuzz_transaction \
	fuzz/fuzz_claims \
	fuzz/fuzz_authz \
	fuzz/fuzz_redirects \
	fuzz/fuzz_config \
	fuzz/fuzz_callback \
	fuzz/fuzz_admin \
	fuzz/fuzz_bearer \
	fuzz/fuzz_preserve_post
else
FUZZ_MODULE_TARGETS =
endif

if FUZZ
FZ_CPP = $(T_CPPFLAGS) -I$(top_srcdir)/t/unit -I$(top_srcdir)/fuzz
FZ_LIBCC = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS) $(CJOSE_CFLAGS)
FZ_CC = $(FZ_LIBCC) $(FUZZ_CFLAGS)
FZ_LD = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
FZ_CORE_LIBS = fuzz/libfuzzcommon.la src/libauth0_core.la

# Keys, clients, the fake tenant (common.c) and token minting (shared with t/unit).
noinst_LTLIBRARIES += fuzz/libfuzzcommon.la
fuzz_libfuzzcommon_la_SOURCES = fuzz/common.h fuzz/common.c t/unit/jwt_mint.h t/unit/jwt_mint.c
fuzz_libfuzzcommon_la_CPPFLAGS = $(FZ_CPP)
fuzz_libfuzzcommon_la_CFLAGS = $(FZ_LIBCC)

noinst_PROGRAMS += $(FUZZ_CORE_TARGETS)

fuzz_fuzz_jwt_SOURCES = fuzz/fuzz_jwt.c
fuzz_fuzz_jwt_CPPFLAGS = $(FZ_CPP)
fuzz_fuzz_jwt_CFLAGS = $(FZ_CC)
fuzz_fuzz_jwt_LDFLAGS = $(FZ_LD)
fuzz_fuzz_jwt_LDADD = $(FZ_CORE_LIBS)

fuzz_fuzz_jwks_SOURCES = fuzz/fuzz_jwks.c
fuzz_fuzz_jwks_CPPFLAGS = $(FZ_CPP)
fuzz_fuzz_jwks_CFLAGS = $(FZ_CC)
fuzz_fuzz_jwks_LDFLAGS = $(FZ_LD)
fuzz_fuzz_jwks_LDADD = $(FZ_CORE_LIBS)

fuzz_fuzz_responses_SOURCES = fuzz/fuzz_responses.c
fuzz_fuzz_responses_CPPFLAGS = $(FZ_CPP)
fuzz_fuzz_responses_CFLAGS = $(FZ_CC)
fuzz_fuzz_responses_LDFLAGS = $(FZ_LD)
fuzz_fuzz_responses_LDADD = $(FZ_CORE_LIBS)

fuzz_fuzz_tenant_SOURCES = fuzz/fuzz_tenant.c
fuzz_fuzz_tenant_CPPFLAGS = $(FZ_CPP)
fuzz_fuzz_tenant_CFLAGS = $(FZ_CC)
fuzz_fuzz_tenant_LDFLAGS = $(FZ_LD)
fuzz_fuzz_tenant_LDADD = $(FZ_CORE_LIBS)

fuzz_fuzz_mgmt_SOURCES = fuzz/fuzz_mgmt.c
fuzz_fuzz_mgmt_CPPFLAGS = $(FZ_CPP)
fuzz_fuzz_mgmt_CFLAGS = $(FZ_CC)
fuzz_fuzz_mgmt_LDFLAGS = $(FZ_LD)
fuzz_fuzz_mgmt_LDADD = $(FZ_CORE_LIBS)

fuzz_fuzz_client_SOURCES = fuzz/fuzz_client.c
fuzz_fuzz_client_CPPFLAGS = $(FZ_CPP)
fuzz_fuzz_client_CFLAGS = $(FZ_CC)
fuzz_fuzz_client_LDFLAGS = $(FZ_LD)
fuzz_fuzz_client_LDADD = $(FZ_CORE_LIBS)

fuzz_fuzz_url_SOURCES = fuzz/fuzz_url.c
fuzz_fuzz_url_CPPFLAGS = $(FZ_CPP)
fuzz_fuzz_url_CFLAGS = $(FZ_CC)
fuzz_fuzz_url_LDFLAGS = $(FZ_LD)
fuzz_fuzz_url_LDADD = $(FZ_CORE_LIBS)

if BUILD_MODULE
# The module's objects as compiled for mod_auth0.la here (non-PIC when libtool made them), in an
# archive: a target links the members it needs, and harness.c's definitions of a0m_app_* and
# a0m_cache_* keep app.c and cache.c out.
fuzz/libmodobjs.a: $(mod_auth0_mod_auth0_la_OBJECTS)
	$(AM_V_AR)rm -f $@ && objs= && for lo in $(mod_auth0_mod_auth0_la_OBJECTS); do \
	  pic_object=none; non_pic_object=none; . ./$$lo; d=`dirname $$lo`; \
	  if test "$$non_pic_object" != none; then objs="$$objs $$d/$$non_pic_object"; \
	  else objs="$$objs $$d/$$pic_object"; fi; \
	done && $(AR) cr $@ $$objs && $(RANLIB) $@
CLEANFILES += fuzz/libmodobjs.a

FZ_MOD_CPP = $(mod_auth0_mod_auth0_la_CPPFLAGS) $(FZ_CPP) $(PCRE2_CFLAGS)
FZ_MOD_SOURCES = fuzz/harness.h fuzz/harness.c
FZ_MOD_LIBS = fuzz/libmodobjs.a $(FZ_CORE_LIBS) $(APR_LIBS) $(PCRE2_LIBS) -lz

noinst_PROGRAMS += $(FUZZ_MODULE_TARGETS)

fuzz_fuzz_session_SOURCES = fuzz/fuzz_session.c $(FZ_MOD_SOURCES)
fuzz_fuzz_session_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_session_CFLAGS = $(FZ_CC)
fuzz_fuzz_session_LDFLAGS = $(FZ_LD)
fuzz_fuzz_session_LDADD = $(FZ_MOD_LIBS)

fuzz_fuzz_transaction_SOURCES = fuzz/fuzz_transaction.c $(FZ_MOD_SOURCES)
fuzz_fuzz_transaction_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_transaction_CFLAGS = $(FZ_CC)
fuzz_fuzz_transaction_LDFLAGS = $(FZ_LD)
fuzz_fuzz_transaction_LDADD = $(FZ_MOD_LIBS)

fuzz_fuzz_claims_SOURCES = fuzz/fuzz_claims.c $(FZ_MOD_SOURCES)
fuzz_fuzz_claims_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_claims_CFLAGS = $(FZ_CC)
fuzz_fuzz_claims_LDFLAGS = $(FZ_LD)
fuzz_fuzz_claims_LDADD = $(FZ_MOD_LIBS)

fuzz_fuzz_authz_SOURCES = fuzz/fuzz_authz.c $(FZ_MOD_SOURCES)
fuzz_fuzz_authz_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_authz_CFLAGS = $(FZ_CC)
fuzz_fuzz_authz_LDFLAGS = $(FZ_LD)
fuzz_fuzz_authz_LDADD = $(FZ_MOD_LIBS)

fuzz_fuzz_redirects_SOURCES = fuzz/fuzz_redirects.c $(FZ_MOD_SOURCES)
fuzz_fuzz_redirects_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_redirects_CFLAGS = $(FZ_CC)
fuzz_fuzz_redirects_LDFLAGS = $(FZ_LD)
fuzz_fuzz_redirects_LDADD = $(FZ_MOD_LIBS)

fuzz_fuzz_config_SOURCES = fuzz/fuzz_config.c $(FZ_MOD_SOURCES)
fuzz_fuzz_config_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_config_CFLAGS = $(FZ_CC)
fuzz_fuzz_config_LDFLAGS = $(FZ_LD)
fuzz_fuzz_config_LDADD = $(FZ_MOD_LIBS)

fuzz_fuzz_callback_SOURCES = fuzz/fuzz_callback.c $(FZ_MOD_SOURCES)
fuzz_fuzz_callback_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_callback_CFLAGS = $(FZ_CC)
fuzz_fuzz_callback_LDFLAGS = $(FZ_LD)
fuzz_fuzz_callback_LDADD = $(FZ_MOD_LIBS)

fuzz_fuzz_admin_SOURCES = fuzz/fuzz_admin.c $(FZ_MOD_SOURCES)
fuzz_fuzz_admin_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_admin_CFLAGS = $(FZ_CC)
fuzz_fuzz_admin_LDFLAGS = $(FZ_LD)
fuzz_fuzz_admin_LDADD = $(FZ_MOD_LIBS)

fuzz_fuzz_bearer_SOURCES = fuzz/fuzz_bearer.c $(FZ_MOD_SOURCES)
fuzz_fuzz_bearer_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_bearer_CFLAGS = $(FZ_CC)
fuzz_fuzz_bearer_LDFLAGS = $(FZ_LD)
fuzz_fuzz_bearer_LDADD = $(FZ_MOD_LIBS)

fuzz_fuzz_preserve_post_SOURCES = fuzz/fuzz_preserve_post.c $(FZ_MOD_SOURCES)
fuzz_fuzz_preserve_post_CPPFLAGS = $(FZ_MOD_CPP)
fuzz_fuzz_preserve_post_CFLAGS = $(FZ_CC)
fuzz_fuzz_preserve_post_LDFLAGS = $(FZ_LD)
fuzz_fuzz_preserve_post_LDADD = $(FZ_MOD_LIBS)
endif

fuzz: $(FUZZ_CORE_TARGETS) $(FUZZ_MODULE_TARGETS)
else
fuzz:
	@echo "make fuzz: this build directory was not configured with --enable-fuzz (CC=clang; see fuzz/README.md)" >&2
	@exit 1
endif
.PHONY: fuzz
