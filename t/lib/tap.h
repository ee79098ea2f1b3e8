/*
 * A minimal TAP producer for the C tests (run by automake's TAP driver and
 * by prove). Header-only: each test program includes it once.
 *
 *     plan_no_plan();
 *     ok(x == 1, "x is one");
 *     is_int(st, AUTH0_OK, "call succeeds");
 *     is_str(s, "abc", "s is abc");
 *     return done_testing();
 */
#ifndef T_TAP_H
#define T_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_run, tap_failed;

__attribute__((unused, format(printf, 4, 0))) static void tap_vresult(int pass, const char *file, int line, const char *fmt, va_list ap)
{
	tap_run++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	printf("\n");
	if (!pass)
		printf("#   Failed test at %s line %d.\n", file, line);
	fflush(stdout);
}

static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), unused));
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vresult(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                        \
	do {                                                                              \
		long long tap_g = (long long)(got), tap_w = (long long)(want);                \
		if (!tap_ok(tap_g == tap_w, __FILE__, __LINE__, __VA_ARGS__))                 \
			printf("#          got: %lld\n#     expected: %lld\n", tap_g, tap_w);     \
	} while (0)

#define is_str(got, want, ...)                                                        \
	do {                                                                              \
		const char *tap_g = (got), *tap_w = (want);                                   \
		int tap_p = (tap_g && tap_w) ? strcmp(tap_g, tap_w) == 0 : tap_g == tap_w;    \
		if (!tap_ok(tap_p, __FILE__, __LINE__, __VA_ARGS__))                          \
			printf("#          got: '%s'\n#     expected: '%s'\n", tap_g ? tap_g : "(null)", \
			       tap_w ? tap_w : "(null)");                                          \
	} while (0)

/* Passes when `hay` contains `needle`. */
#define like(hay, needle, ...)                                                        \
	do {                                                                              \
		const char *tap_h = (hay), *tap_n = (needle);                                 \
		if (!tap_ok(tap_h && tap_n && strstr(tap_h, tap_n), __FILE__, __LINE__, __VA_ARGS__)) \
			printf("#     '%s'\n#     does not contain '%s'\n", tap_h ? tap_h : "(null)", tap_n); \
	} while (0)

#define unlike(hay, needle, ...)                                                      \
	do {                                                                              \
		const char *tap_h = (hay), *tap_n = (needle);                                 \
		if (!tap_ok(!tap_h || !tap_n || !strstr(tap_h, tap_n), __FILE__, __LINE__, __VA_ARGS__)) \
			printf("#     '%s'\n#     contains '%s'\n", tap_h ? tap_h : "", tap_n ? tap_n : ""); \
	} while (0)

static void skip_all(const char *why) __attribute__((noreturn, unused));
static void skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static int done_testing(void) __attribute__((unused));
static int done_testing(void)
{
	printf("1..%d\n", tap_run);
	if (tap_failed)
		printf("# Looks like you failed %d test%s of %d.\n", tap_failed, tap_failed == 1 ? "" : "s", tap_run);
	return tap_failed ? 1 : 0;
}

#endif
