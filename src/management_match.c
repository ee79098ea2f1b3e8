/*
 * Looking operations up: by id (binary search in the sorted table) and by
 * HTTP method + wire path (dynamic routing for mod_auth0's admin endpoints).
 *
 * Matching splits the raw path on '/' before decoding anything, so "%2F"
 * stays inside a value and can never add a segment. Segments that could move
 * the request elsewhere once re-encoded and normalised by curl ("." and "..",
 * literally or encoded) and empty segments never match.
 */
#include "management_internal.h"

#include <stdlib.h>
#include <string.h>

#define A0_MAX_SEGMENTS 16

const auth0_operation *auth0_operations(size_t *count)
{
	if (count)
		*count = a0_management_operation_count;
	return a0_management_operations;
}

static int cmp_id(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const auth0_operation *)elem)->id);
}

const auth0_operation *auth0_operation_find(const char *id)
{
	if (a0_empty(id))
		return NULL;
	return bsearch(id, a0_management_operations, a0_management_operation_count, sizeof(auth0_operation),
	               cmp_id);
}

void auth0_path_values_free(char **path_values)
{
	if (!path_values)
		return;
	for (char **p = path_values; *p; p++) {
		free(*p);
		*p = NULL;
	}
}

static void free_segments(char **seg, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(seg[i]);
}

/* Splits and decodes; false when the path can never match anything. */
static bool split_path(const char *path, char **seg, size_t *nseg)
{
	*nseg = 0;
	if (strpbrk(path, "?#"))
		return false;
	const char *p = path;
	for (;;) {
		size_t len = strcspn(p, "/");
		if (len == 0 || *nseg == A0_MAX_SEGMENTS)
			goto fail;
		char *d = a0_url_decode(p, len, false);
		if (!d || *d == '\0' || strcmp(d, ".") == 0 || strcmp(d, "..") == 0) {
			free(d);
			goto fail;
		}
		seg[(*nseg)++] = d;
		if (p[len] == '\0')
			return true;
		p += len + 1;
	}
fail:
	free_segments(seg, *nseg);
	*nseg = 0;
	return false;
}

/*
 * Whether template `t` matches the decoded segments; on a match, mask[i] is
 * true where the template has a literal.
 */
static bool template_matches(const char *t, char *const *seg, size_t nseg, bool *mask)
{
	size_t i = 0;
	const char *p = t;
	for (;;) {
		size_t len = strcspn(p, "/");
		if (i == nseg)
			return false;
		if (p[0] == '{') {
			mask[i] = false;
		} else {
			if (strlen(seg[i]) != len || strncmp(seg[i], p, len) != 0)
				return false;
			mask[i] = true;
		}
		i++;
		if (p[len] == '\0')
			return i == nseg;
		p += len + 1;
	}
}

/* a is more specific than b: a literal at the first position where they differ. */
static bool more_specific(const bool *a, const bool *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i];
	return false;
}

const auth0_operation *auth0_operation_match(const char *http_method, const char *path, char **path_values)
{
	if (path_values)
		path_values[0] = NULL;
	if (a0_empty(http_method) || a0_empty(path))
		return NULL;
	char *seg[A0_MAX_SEGMENTS];
	size_t nseg;
	if (!split_path(path, seg, &nseg))
		return NULL;
	const auth0_operation *best = NULL;
	bool best_mask[A0_MAX_SEGMENTS] = { false };
	bool mask[A0_MAX_SEGMENTS] = { false };
	for (size_t i = 0; i < a0_management_operation_count; i++) {
		const auth0_operation *op = &a0_management_operations[i];
		if (strcmp(op->http_method, http_method) != 0 || !template_matches(op->path, seg, nseg, mask))
			continue;
		if (!best || more_specific(mask, best_mask, nseg)) {
			best = op;
			memcpy(best_mask, mask, sizeof(mask));
		}
	}
	if (best && path_values) {
		size_t k = 0;
		for (size_t i = 0; i < nseg; i++) {
			if (best_mask[i])
				continue;
			if (k + 1 >= AUTH0_MAX_PATH_PARAMS)
				break;
			path_values[k++] = seg[i];
			seg[i] = NULL;
		}
		path_values[k] = NULL;
	}
	free_segments(seg, nseg);
	return best;
}
