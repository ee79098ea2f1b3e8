/*
 * mod_auth0/cookie_header.c: the Cookie header's pairs. No httpd.
 *
 * a0m_cookie_header_find() searches for the name instead of walking the pairs; it must give what a walk
 * keeping the last pair of that name gives, for any header: the same cookie is then read as is stripped
 * from what backends see. Beside the cases written out, a differential test compares the two over
 * headers made of the pieces that matter to the grammar.
 */
#include "tap.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../mod_auth0/cookie_header.h"

/* ---- the reference: a walk that keeps the last pair so named ---- */

typedef struct last_pair {
	const char *name;
	size_t nlen;
	const char *value;
	size_t vlen;
} last_pair;

static void keep_last(const char *name, size_t nlen, const char *value, size_t vlen, void *arg)
{
	last_pair *l = arg;
	if (nlen == l->nlen && memcmp(name, l->name, nlen) == 0) {
		l->value = value;
		l->vlen = vlen;
	}
}

static const char *walk_find(const char *header, const char *name, size_t *vlen)
{
	last_pair l = { name, strlen(name), NULL, 0 };
	a0m_cookie_header_walk(header, keep_last, &l);
	*vlen = l.vlen;
	return l.value;
}

/* The found value as text, "(none)" when there is none. */
static const char *found(const char *header, const char *name)
{
	static char out[256];
	size_t len = 0;
	const char *v = a0m_cookie_header_find(header, name, &len);
	if (!v)
		return "(none)";
	snprintf(out, sizeof(out), "%.*s", (int)len, v);
	return out;
}

static void test_find(void)
{
	static const struct {
		const char *header, *name, *want, *why;
	} cases[] = {
		{ "auth0_session=abc", "auth0_session", "abc", "the only pair" },
		{ "a=1; auth0_session=abc; b=2", "auth0_session", "abc", "between others" },
		{ "a=1;auth0_session=abc;b=2", "auth0_session", "abc", "bare ';' separators" },
		{ "a=1, auth0_session=abc", "a", "1, auth0_session=abc", "httpd's ', ' join is not a pair's end" },
		{ "x=1; , auth0_session=abc", "auth0_session", "abc", "blanks and ',' before a name are skipped" },
		{ "auth0_session=one; auth0_session=two", "auth0_session", "two", "the last pair counts" },
		{ "auth0_session = abc ; b=2", "auth0_session", "abc", "blanks around name and value trimmed" },
		{ "auth0_session=\"abc\"", "auth0_session", "abc", "one pair of quotes removed" },
		{ "auth0_session=\"\"abc\"\"", "auth0_session", "\"abc\"", "only one pair of quotes" },
		{ "auth0_session=", "auth0_session", "", "an empty value is a value" },
		{ "auth0_session", "auth0_session", "(none)", "a pair without '=' is no cookie" },
		{ "xauth0_session=abc", "auth0_session", "(none)", "the end of a longer name" },
		{ "auth0_session.0=abc", "auth0_session", "(none)", "the start of a longer name" },
		{ "auth0_session.0=abc", "auth0_session.0", "abc", "a chunk's name" },
		{ "a=auth0_session=abc", "auth0_session", "(none)", "inside a value" },
		{ "a=x auth0_session=abc", "auth0_session", "(none)", "inside a value, after a blank" },
		{ "a=, auth0_session=abc", "auth0_session", "(none)", "inside a value, after ', '" },
		{ "a b=1", "b", "(none)", "the end of a name with a blank in it" },
		{ "a b=1", "a b", "1", "a name with a blank in it" },
		{ "auth0_session=abc; auth0_session", "auth0_session", "abc", "a later pair without '=' changes nothing" },
		{ "aaa=1; aa=2", "aa", "2", "overlapping places" },
		{ "", "auth0_session", "(none)", "an empty header" },
		{ NULL, "auth0_session", "(none)", "no header" },
		{ "=abc", "", "(none)", "an empty name is never found" },
		{ "a;b=1", "a;b", "(none)", "a name with ';' is never found" },
		{ " a=1", " a", "(none)", "a name starting with a blank is never found" },
		{ "a =1", "a ", "(none)", "a name ending with a blank is never found" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(found(cases[i].header, cases[i].name), cases[i].want, "find: %s", cases[i].why);
}

typedef struct collected {
	char text[512];
} collected;

static void collect(const char *name, size_t nlen, const char *value, size_t vlen, void *arg)
{
	collected *c = arg;
	size_t used = strlen(c->text);
	snprintf(c->text + used, sizeof(c->text) - used, "[%.*s|%.*s]", (int)nlen, name, (int)vlen, value);
}

static const char *walked(const char *header)
{
	static collected c;
	c.text[0] = '\0';
	a0m_cookie_header_walk(header, collect, &c);
	return c.text;
}

static void test_walk(void)
{
	is_str(walked("a=1; b = 2 ;c=\"3\""), "[a|1][b|2][c|3]", "walk: pairs in order, trimmed and unquoted");
	is_str(walked("flag; a=1;;, b=2,"), "[a|1][b|2,]", "walk: no '=' and empty pairs skipped, ',' kept in a value");
	is_str(walked(" =1; a="), "[a|]", "walk: an empty name skipped, an empty value kept");
	is_str(walked(NULL), "", "walk: no header");
}

/* ---- differential: find against the walk, over headers made of the grammar's pieces ---- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned next_rand(unsigned below)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % below);
}

static void test_differential(void)
{
	static const char *const pieces[] = { "auth0_session", "auth0_session.0", "a", "b", "a b", "b,", "x", "=",
		                                  "=", ";", ";", ",", " ", "\t", "\"", "v", "s" };
	static const char *const names[] = { "auth0_session", "auth0_session.0", "a", "b", "a b", "b,", "s", "=",
		                                 "a;", "a ", ",a" };
	const int rounds = 200000;
	int mismatches = 0;
	char header[512];
	for (int i = 0; i < rounds; i++) {
		header[0] = '\0';
		unsigned n = next_rand(14);
		for (unsigned k = 0; k < n; k++)
			strcat(header, pieces[next_rand(sizeof(pieces) / sizeof(pieces[0]))]);
		const char *name = names[next_rand(sizeof(names) / sizeof(names[0]))];
		size_t want_len = 0, got_len = 0;
		const char *want = walk_find(header, name, &want_len);
		const char *got = a0m_cookie_header_find(header, name, &got_len);
		if (want != got || (want && want_len != got_len)) {
			if (mismatches++ < 5)
				diag("header [%s] name [%s]: the walk gives %s, find gives %s", header, name,
				     want ? want : "(none)", got ? got : "(none)");
		}
	}
	is_int(mismatches, 0, "find gives what the walk gives, over %d generated headers", rounds);
}

int main(void)
{
	test_find();
	test_walk();
	test_differential();
	return done_testing();
}
