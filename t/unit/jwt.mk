# tests: jwt (append to check_PROGRAMS and TESTS; use $(T_CPPFLAGS) $(T_CFLAGS) $(T_LDADD))
