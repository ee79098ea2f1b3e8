/*
 * The Cookie request header, as this module reads it: "a=1; b=2" pairs (no
 * httpd here, only the C library; t/unit/test_cookie_header.c tests it).
 *
 * The grammar, for every function below:
 *   - every ';' ends a pair (values are not parsed for quotes);
 *   - within a pair, blanks (space, tab) and ',' before the name are
 *     skipped: httpd joins repeated Cookie headers with ", ";
 *   - the name ends at the pair's first '=' (a pair without one is no
 *     cookie), and blanks around the name and the value are trimmed;
 *   - one pair of double quotes around the value is removed;
 *   - when a name appears more than once, the last pair counts.
 * cookies.c strips this module's cookies from what backends see with the
 * same rules, so that whatever is read here is also what is stripped.
 */
#ifndef A0M_COOKIE_HEADER_H
#define A0M_COOKIE_HEADER_H

#include <stddef.h>

/* Called by a0m_cookie_header_walk() for each pair, in order; nothing is NUL-terminated. */
typedef void (*a0m_cookie_pair_fn)(const char *name, size_t name_len, const char *value, size_t value_len,
                                   void *arg);

/* Calls fn for every pair of header (NULL: none). */
void a0m_cookie_header_walk(const char *header, a0m_cookie_pair_fn fn, void *arg);

/*
 * The value of the cookie called name in header (NULL: none), pointing into header, with its length in
 * *value_len; NULL when there is no such cookie. The same answer as a walk that keeps the last pair so
 * named, at a third of its cost per pair (every request of a signed-in user reads its session cookie
 * this way, among whatever other cookies the browser sends).
 */
const char *a0m_cookie_header_find(const char *header, const char *name, size_t *value_len);

#endif
