# tests: jwt (append to check_PROGRAMS and TESTS; use $(T_CPPFLAGS) $(T_CFLAGS) $(T_LDADD))
#
# test_id_token and test_access_token need no network (keys are made in the
# test and injected through the client's store); test_jwks runs against the
# fake tenant.
check_PROGRAMS += t/unit/test_id_token t/unit/test_access_token t/unit/test_logout_token t/unit/test_jwks
TESTS += t/unit/test_id_token t/unit/test_access_token t/unit/test_logout_token t/unit/test_jwks

JWT_T_SOURCES = t/unit/jwt_mint.h t/unit/jwt_mint.c

t_unit_test_id_token_SOURCES = t/unit/test_id_token.c $(JWT_T_SOURCES)
t_unit_test_id_token_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_id_token_CFLAGS = $(T_CFLAGS)
t_unit_test_id_token_LDADD = $(T_LDADD)

t_unit_test_access_token_SOURCES = t/unit/test_access_token.c $(JWT_T_SOURCES)
t_unit_test_access_token_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_access_token_CFLAGS = $(T_CFLAGS)
t_unit_test_access_token_LDADD = $(T_LDADD)

t_unit_test_logout_token_SOURCES = t/unit/test_logout_token.c $(JWT_T_SOURCES)
t_unit_test_logout_token_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_logout_token_CFLAGS = $(T_CFLAGS)
t_unit_test_logout_token_LDADD = $(T_LDADD)

t_unit_test_jwks_SOURCES = t/unit/test_jwks.c $(JWT_T_SOURCES)
t_unit_test_jwks_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_jwks_CFLAGS = $(T_CFLAGS)
t_unit_test_jwks_LDADD = $(T_LDADD)
