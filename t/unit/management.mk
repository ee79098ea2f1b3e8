# tests: management (append to check_PROGRAMS and TESTS; use $(T_CPPFLAGS) $(T_CFLAGS) $(T_LDADD))
#
#   t/unit/test_management_query  no server: table, path/query encoding, headers, options,
#                                 auth0_operation_match (traversal attempts), SSE, early errors
#   t/unit/test_management_tenant the fake tenant's /api/v2: encoding through real routing, 401 renewal
#                                 with an expired token, 429/503 retries, pagers over real data
#   t/wire/mgmt-http              t/unit/test_management_http against WireMock stubs it registers:
#                                 wire format, request options, 401 renewal, 429/503 retries, pagers
#   t/wire/run                    t/wire/test_wire: all 445 WireMock mappings, one typed call each
#   t/unit/data-fresh.sh          data/auth0-api/ equals ../shared/auth0-api/ (when present)
#   t/unit/gen-fresh.sh           the generated files are up to date (make regen)
check_PROGRAMS += t/unit/test_management_query t/unit/test_management_tenant t/unit/test_management_http \
	t/wire/test_wire
TESTS += t/unit/test_management_query t/unit/test_management_tenant t/wire/mgmt-http t/wire/run t/unit/data-fresh.sh t/unit/gen-fresh.sh

t_unit_test_management_query_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_management_query_CFLAGS = $(T_CFLAGS)
t_unit_test_management_query_LDADD = $(T_LDADD)

t_unit_test_management_tenant_CPPFLAGS = $(T_CPPFLAGS)
t_unit_test_management_tenant_CFLAGS = $(T_CFLAGS)
t_unit_test_management_tenant_LDADD = $(T_LDADD)

t_unit_test_management_http_SOURCES = t/unit/test_management_http.c t/wire/wmclient.c t/wire/wmclient.h
t_unit_test_management_http_CPPFLAGS = $(T_CPPFLAGS) -I$(top_srcdir)/t/wire
t_unit_test_management_http_CFLAGS = $(T_CFLAGS)
t_unit_test_management_http_LDADD = $(T_LDADD)

t_wire_test_wire_SOURCES = t/wire/test_wire.c t/wire/wire_calls.c t/wire/wire_calls.h t/wire/wmclient.c \
	t/wire/wmclient.h
t_wire_test_wire_CPPFLAGS = $(T_CPPFLAGS) -I$(top_srcdir)/t/wire
t_wire_test_wire_CFLAGS = $(T_CFLAGS)
t_wire_test_wire_LDADD = $(T_LDADD)

EXTRA_DIST += t/wire/run t/wire/mgmt-http t/wire/with-wiremock t/wire/package.json t/wire/package-lock.json \
	t/unit/data-fresh.sh t/unit/gen-fresh.sh
