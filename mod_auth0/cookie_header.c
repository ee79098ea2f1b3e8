/*
 * The Cookie request header's pairs (cookie_header.h has the grammar).
 */
#include "cookie_header.h"

#include <stdbool.h>
#include <string.h>

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The value that begins after a pair's '=' at eq and ends at end (the ';' or the header's end), trimmed
 * and unquoted. */
static const char *value_of(const char *eq, const char *end, size_t *len)
{
	const char *value = eq + 1;
	while (value < end && blank(*value))
		value++;
	size_t n = (size_t)(end - value);
	while (n && blank(value[n - 1]))
		n--;
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		value++;
		n -= 2;
	}
	*len = n;
	return value;
}

/* Each pair costs two scans of the C library's (vectorised), not a loop per byte. */
void a0m_cookie_header_walk(const char *h, a0m_cookie_pair_fn fn, void *arg)
{
	while (h && *h) {
		const char *semi = strchr(h, ';');
		const char *end = semi ? semi : h + strlen(h);
		const char *next = semi ? semi + 1 : end;
		while (h < end && (blank(*h) || *h == ','))
			h++;
		const char *name = h;
		const char *eq = memchr(h, '=', (size_t)(end - h));
		h = next;
		if (!eq)
			continue;
		size_t nlen = (size_t)(eq - name);
		while (nlen && blank(name[nlen - 1]))
			nlen--;
		size_t vlen;
		const char *value = value_of(eq, end, &vlen);
		if (nlen)
			fn(name, nlen, value, vlen, arg);
	}
}

/*
 * The walk's grammar, without its work for pairs of other names: at each pair's start (past blanks and
 * ','), the name is compared there, and only a pair that starts with it is looked at further. The names
 * the walk never makes are refused first, so that a comparison cannot run past a ';' or stop at an '='
 * the walk would have cut the name at.
 */
const char *a0m_cookie_header_find(const char *h, const char *name, size_t *value_len)
{
	size_t nlen = name ? strlen(name) : 0;
	if (!h || !nlen || blank(name[0]) || name[0] == ',' || blank(name[nlen - 1]) || strpbrk(name, ";="))
		return NULL;
	const char *found = NULL;
	while (h) {
		const char *semi = strchr(h, ';');
		while (blank(*h) || *h == ',')
			h++;
		if (*h == name[0] && strncmp(h, name, nlen) == 0) {
			const char *eq = h + nlen;
			while (blank(*eq))
				eq++;
			if (*eq == '=')
				found = value_of(eq, semi ? semi : eq + strlen(eq), value_len);
		}
		h = semi ? semi + 1 : NULL;
	}
	return found;
}
