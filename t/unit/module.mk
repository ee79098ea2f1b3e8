# tests: the Apache module's pure functions (append to check_PROGRAMS and TESTS).
# Included from t/local.mk: include $(srcdir)/t/unit/module.mk
if BUILD_MODULE
check_PROGRAMS += t/unit/test_claim_path t/unit/test_cookie_header t/unit/test_memo t/unit/test_codec t/unit/test_seal
TESTS += t/unit/test_claim_path t/unit/test_cookie_header t/unit/test_memo t/unit/test_codec t/unit/test_seal t/unit/directives-documented t/unit/bench-patch-applies
EXTRA_DIST += t/unit/directives-documented t/unit/bench-patch-applies

t_unit_test_claim_path_SOURCES = t/unit/test_claim_path.c mod_auth0/claim_path.c mod_auth0/claim_path.h
t_unit_test_claim_path_CPPFLAGS = $(T_CPPFLAGS) $(APR_CFLAGS)
t_unit_test_claim_path_CFLAGS = $(T_CFLAGS)
t_unit_test_claim_path_LDADD = $(APR_LIBS) $(JANSSON_LIBS)

t_unit_test_cookie_header_SOURCES = t/unit/test_cookie_header.c mod_auth0/cookie_header.c mod_auth0/cookie_header.h
t_unit_test_cookie_header_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_cookie_header_CFLAGS = $(T_CFLAGS)

t_unit_test_memo_SOURCES = t/unit/test_memo.c mod_auth0/memo.c mod_auth0/memo.h
t_unit_test_memo_CPPFLAGS = $(T_CPPFLAGS) $(APR_CFLAGS)
t_unit_test_memo_CFLAGS = $(T_CFLAGS)
t_unit_test_memo_LDADD = $(APR_LIBS) $(OPENSSL_LIBS)

t_unit_test_codec_SOURCES = t/unit/test_codec.c mod_auth0/codec.c
t_unit_test_codec_CPPFLAGS = $(T_CPPFLAGS) -I$(APXS_INCLUDEDIR) $(APXS_EXTRA_CPPFLAGS) $(APR_CFLAGS)
t_unit_test_codec_CFLAGS = $(T_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS) $(ZLIB_CFLAGS)
t_unit_test_codec_LDADD = $(APR_LIBS) $(ZLIB_LIBS)

t_unit_test_seal_SOURCES = t/unit/test_seal.c mod_auth0/seal.c
t_unit_test_seal_CPPFLAGS = $(T_CPPFLAGS) -I$(APXS_INCLUDEDIR) $(APXS_EXTRA_CPPFLAGS) $(APR_CFLAGS)
t_unit_test_seal_CFLAGS = $(T_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS)
t_unit_test_seal_LDADD = $(APR_LIBS) $(OPENSSL_LIBS)
endif
