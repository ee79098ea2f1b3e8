# tests: authentication (append to check_PROGRAMS and TESTS; use $(T_CPPFLAGS) $(T_CFLAGS) $(T_LDADD))
T_AUTH_TESTS = \
	t/unit/test_auth_urls \
	t/unit/test_auth_grants \
	t/unit/test_auth_flows \
	t/unit/test_auth_mfa \
	t/unit/test_auth_ciba_device \
	t/unit/test_auth_retry

check_PROGRAMS += $(T_AUTH_TESTS)
TESTS += $(T_AUTH_TESTS)
EXTRA_DIST += t/unit/auth_test.h

t_unit_test_auth_urls_SOURCES = t/unit/test_auth_urls.c t/unit/auth_test.h
t_unit_test_auth_urls_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_auth_urls_CFLAGS = $(T_CFLAGS)
t_unit_test_auth_urls_LDADD = $(T_LDADD)

t_unit_test_auth_grants_SOURCES = t/unit/test_auth_grants.c t/unit/auth_test.h
t_unit_test_auth_grants_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_auth_grants_CFLAGS = $(T_CFLAGS)
t_unit_test_auth_grants_LDADD = $(T_LDADD)

t_unit_test_auth_flows_SOURCES = t/unit/test_auth_flows.c t/unit/auth_test.h
t_unit_test_auth_flows_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_auth_flows_CFLAGS = $(T_CFLAGS)
t_unit_test_auth_flows_LDADD = $(T_LDADD)

t_unit_test_auth_mfa_SOURCES = t/unit/test_auth_mfa.c t/unit/auth_test.h
t_unit_test_auth_mfa_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_auth_mfa_CFLAGS = $(T_CFLAGS)
t_unit_test_auth_mfa_LDADD = $(T_LDADD)

t_unit_test_auth_ciba_device_SOURCES = t/unit/test_auth_ciba_device.c t/unit/auth_test.h
t_unit_test_auth_ciba_device_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_auth_ciba_device_CFLAGS = $(T_CFLAGS)
t_unit_test_auth_ciba_device_LDADD = $(T_LDADD)

t_unit_test_auth_retry_SOURCES = t/unit/test_auth_retry.c t/unit/auth_test.h
t_unit_test_auth_retry_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_auth_retry_CFLAGS = $(T_CFLAGS)
t_unit_test_auth_retry_LDADD = $(T_LDADD)

# The error model when memory runs out (not specific to the Authentication API; every area's errors are
# made by src/error.c). libauth0's allocations fail on demand through ld --wrap: libauth0_core is a static
# convenience library, so its objects are linked into the test and their calls are redirected. jansson's and
# cjose's fail through their own allocator hooks; the JWKS and tokens are made with jwt_mint.c.
check_PROGRAMS += t/unit/test_oom
TESTS += t/unit/test_oom
t_unit_test_oom_SOURCES = t/unit/test_oom.c t/unit/jwt_mint.h t/unit/jwt_mint.c
t_unit_test_oom_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_oom_CFLAGS = $(T_CFLAGS)
t_unit_test_oom_LDFLAGS = -Wl,--wrap=calloc,--wrap=malloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
t_unit_test_oom_LDADD = $(T_LDADD)
