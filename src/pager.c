/*
 * Pagination over a list operation, one request per page through
 * auth0_management_call() (so with the client's kept-alive connection, its
 * token, retries and request options).
 *
 * Offset lists: `page` from the caller's value or 0, `per_page` from the
 * caller or the table's default (50); the table's include_totals default
 * (true) gives the object form {start, limit, total, <items>}, and the bare
 * array form (include_totals=false) works too. The walk stops at an empty
 * page, a page shorter than per_page, or once `total` is reached, so a walk
 * with totals costs no extra empty request (Ruby always makes one).
 *
 * Checkpoint lists: the first request carries `from` only when the caller
 * gave one (never a bare key); then each answer's `next`. The walk stops when
 * `next` is absent, null or empty, or at an empty page. A cursor seen before
 * in the walk (the same one again, or A -> B -> A) is an error rather than an
 * endless loop: the cursors are remembered, which costs far less than the
 * pages they fetched.
 *
 * An offset walk whose server repeats one full page under an absurd total is
 * not stopped: two equal pages in a row also come from items added ahead of
 * the walk while it runs, so equality proves nothing, and the page number
 * moves on with each request; a caller that distrusts the server caps the
 * walk with auth0_pager_requests().
 *
 * The request options may not name a parameter the pager sets on every
 * request (page and per_page, or from): they would replace its values, and
 * items would be skipped or repeated.
 *
 * A request that fails (a 429 after the client's retries, a timeout, a 5xx,
 * a page without its item array: an error, not the end) changes nothing:
 * the next call asks for the same page or cursor again, so a caller that
 * retries loses no item. Only a cursor loop fails for good.
 */
#include "management_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct auth0_pager {
	auth0_client *client;
	const auth0_operation *op;
	char **path_values;
	auth0_kv *query;              /* the caller's pairs, minus the ones the pager drives */
	auth0_kv *opt_headers;
	auth0_kv *opt_query;
	char *opt_base_url;
	auth0_request_options options;
	bool have_options;

	int64_t page;                 /* offset: the next page to fetch */
	int64_t per_page;
	char *cursor;                 /* checkpoint: the next `from`, NULL on the first request */
	json_t *seen;                 /* checkpoint: every cursor sent so far, as the keys of an object */
	bool done;
	bool stuck;                   /* checkpoint: a cursor came back; fail when more is wanted */
	int64_t total;
	int requests;

	json_t *items;                /* the current page */
	size_t index;
};

static const char *kv_get(const auth0_kv *kv, const char *name)
{
	const char *v = NULL;
	for (const auth0_kv *p = kv; p && p->name; p++)
		if (p->value && strcmp(p->name, name) == 0)
			v = p->value;
	return v;
}

static int64_t param_default(const auth0_operation *op, const char *name, int64_t fallback)
{
	for (size_t i = 0; i < op->query_param_count; i++)
		if (strcmp(op->query_params[i].name, name) == 0 && op->query_params[i].default_value)
			return strtoll(op->query_params[i].default_value, NULL, 10);
	return fallback;
}

/*
 * A non-negative decimal count from the caller (page, per_page). Digits only,
 * like the query check in management.c, and with the ERANGE check: strtoll()
 * clamps "99999999999999999999" to LLONG_MAX without saying so through *end.
 */
static bool parse_count(const char *s, int64_t *out)
{
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

/* The caller's pairs without those named a or b. */
static auth0_kv *copy_without(const auth0_kv *kv, const char *a, const char *b)
{
	size_t n = 0;
	for (const auth0_kv *p = kv; p && p->name; p++)
		n++;
	auth0_kv *tmp = calloc(n + 1, sizeof(*tmp));
	if (!tmp)
		return NULL;
	size_t k = 0;
	for (const auth0_kv *p = kv; p && p->name; p++)
		if (!a0_streq(p->name, a) && !a0_streq(p->name, b))
			tmp[k++] = *p;
	auth0_kv *copy = a0_kv_copy(tmp);
	free(tmp);
	return copy;
}

void auth0_pager_free(auth0_pager *pg)
{
	if (!pg)
		return;
	if (pg->path_values) {
		for (char **p = pg->path_values; *p; p++)
			free(*p);
		free(pg->path_values);
	}
	a0_kv_free(pg->query);
	a0_kv_free(pg->opt_headers);
	a0_kv_free(pg->opt_query);
	free(pg->opt_base_url);
	free(pg->cursor);
	json_decref(pg->seen);
	json_decref(pg->items);
	free(pg);
}

auth0_status auth0_pager_new(auth0_pager **out, auth0_client *client, const auth0_operation *op,
                             const char *const *path_values, const auth0_kv *query,
                             const auth0_request_options *options, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (!out)
		return a0_fail_arg(err, "out", "auth0_pager_new needs an output pointer");
	*out = NULL;
	if (!client)
		return a0_fail_arg(err, "client", "auth0_pager_new needs a client");
	if (!op)
		return a0_fail_arg(err, "op", "auth0_pager_new needs an operation");
	if (op->pagination.kind == AUTH0_PAGINATION_NONE)
		return a0_fail_arg(err, "op", "%s is not a paginated list", op->id);
	const auth0_pagination *p = &op->pagination;
	for (const auth0_kv *q = options ? options->query : NULL; q && q->name; q++) {
		bool driven = p->kind == AUTH0_PAGINATION_OFFSET
		            ? a0_streq(q->name, p->page_param) || a0_streq(q->name, p->per_page_param)
		            : a0_streq(q->name, p->cursor_param);
		if (driven)
			return a0_fail_arg(err, q->name, "%s: the pager sets '%s' on each request: give a first value "
			                   "in the query, not in the request options", op->id, q->name);
	}

	auth0_pager *pg = calloc(1, sizeof(*pg));
	if (!pg)
		return a0_oom(err);
	pg->client = client;
	pg->op = op;
	pg->total = -1;

	size_t n = 0;
	while (op->path_params && op->path_params[n])
		n++;
	pg->path_values = calloc(n + 1, sizeof(char *));
	if (!pg->path_values)
		goto oom;
	for (size_t i = 0; i < n && path_values && path_values[i]; i++)
		if (!(pg->path_values[i] = strdup(path_values[i])))
			goto oom;
	/* auth0_management_call() reports an empty path value when the first page is fetched. */

	if (p->kind == AUTH0_PAGINATION_OFFSET) {
		const char *page = kv_get(query, p->page_param);
		const char *per_page = kv_get(query, p->per_page_param);
		pg->page = 0;
		if (page && !parse_count(page, &pg->page)) {
			auth0_pager_free(pg);
			return a0_fail_arg(err, p->page_param, "%s: '%s' must be a non-negative integer", op->id,
			                   p->page_param);
		}
		pg->per_page = param_default(op, p->per_page_param, 50);
		if (per_page && (!parse_count(per_page, &pg->per_page) || pg->per_page == 0)) {
			auth0_pager_free(pg);
			return a0_fail_arg(err, p->per_page_param, "%s: '%s' must be a positive integer", op->id,
			                   p->per_page_param);
		}
		pg->query = copy_without(query, p->page_param, p->per_page_param);
	} else {
		const char *from = kv_get(query, p->cursor_param);
		if ((from && !(pg->cursor = strdup(from))) || !(pg->seen = json_object()))
			goto oom;
		pg->query = copy_without(query, p->cursor_param, NULL);
	}
	if (!pg->query)
		goto oom;
	if (options) {
		pg->have_options = true;
		pg->options = *options;
		if ((options->headers && !(pg->opt_headers = a0_kv_copy(options->headers))) ||
		    (options->query && !(pg->opt_query = a0_kv_copy(options->query))) ||
		    (options->base_url && !(pg->opt_base_url = strdup(options->base_url))))
			goto oom;
		pg->options.headers = pg->opt_headers;
		pg->options.query = pg->opt_query;
		pg->options.base_url = pg->opt_base_url;
	}
	*out = pg;
	return AUTH0_OK;
oom:
	auth0_pager_free(pg);
	return a0_oom(err);
}

/*
 * The item array of a page (*items, borrowed from page): the page itself when it is an array, else the
 * operation's member of the object. An object without that array is AUTH0_ERR_INVALID_RESPONSE, with
 * the answer's status, rather than the end of the list, which a truncated or garbled answer would
 * otherwise silently be taken for: Auth0 sends the member on every page, [] when there is nothing (the
 * API's examples in the Ruby SDK's WireMock mappings, all 74 list operations). The one exception is an
 * object that says so itself, total 0 without the member: the end of the list (*items NULL), as the Ruby
 * SDK would take it (its iterators stop at a missing array, whatever the rest says).
 */
static auth0_status page_items(const auth0_operation *op, json_t *page, const a0_answer *answer, json_t **items,
                               auth0_error **err)
{
	const char *field = op->pagination.item_field;
	*items = NULL;
	if (json_is_array(page)) {
		*items = page;
		return AUTH0_OK;
	}
	if (!page)
		return a0_fail_answer(err, answer, "%s: the page is empty (no JSON object or array)", op->id);
	if (!json_is_object(page))
		return a0_fail_answer(err, answer, "%s: the page is not a JSON object or array", op->id);
	json_t *member = json_object_get(page, field);
	if (json_is_array(member)) {
		*items = member;
		return AUTH0_OK;
	}
	int64_t total = -1;
	if ((!member || json_is_null(member)) && a0_json_int(page, "total", &total) && total == 0)
		return AUTH0_OK;
	return a0_fail_answer(err, answer, "%s: the page has no \"%s\" array%s", op->id, field,
	                      member ? " (the member is not an array)" : " and does not say the list is empty");
}

static auth0_status fetch(auth0_pager *pg, auth0_error **err)
{
	if (pg->stuck)
		return a0_fail(err, AUTH0_ERR_INVALID_RESPONSE, "%s: the API returned a cursor it had already "
		               "returned (the walk would loop)", pg->op->id);
	const auth0_pagination *p = &pg->op->pagination;
	size_t n = 0;
	for (const auth0_kv *q = pg->query; q->name; q++)
		n++;
	auth0_kv *kv = calloc(n + 3, sizeof(*kv));
	if (!kv)
		return a0_oom(err);
	memcpy(kv, pg->query, n * sizeof(*kv));
	char page[24], per_page[24];
	if (p->kind == AUTH0_PAGINATION_OFFSET) {
		snprintf(page, sizeof(page), "%lld", (long long)pg->page);
		snprintf(per_page, sizeof(per_page), "%lld", (long long)pg->per_page);
		kv[n++] = (auth0_kv){ p->page_param, page };
		kv[n++] = (auth0_kv){ p->per_page_param, per_page };
	} else if (pg->cursor) {
		kv[n++] = (auth0_kv){ p->cursor_param, pg->cursor };
		/* nocheck: a cursor given by the caller need not be UTF-8, and this is only a set of strings */
		if (json_object_set_new_nocheck(pg->seen, pg->cursor, json_true()) != 0) {
			free(kv);
			return a0_oom(err);
		}
	}
	json_t *answer = NULL;
	a0_answer got = A0_ANSWER_NONE;
	auth0_status st = a0_management_call_answer(pg->client, pg->op, (const char *const *)pg->path_values, kv,
	                                            NULL, NULL, pg->have_options ? &pg->options : NULL, &answer,
	                                            &got, err);
	free(kv);
	/* Nothing has moved yet: the next call asks for the same page or cursor again. */
	if (st != AUTH0_OK)
		return st;

	json_t *items = NULL;
	if ((st = page_items(pg->op, answer, &got, &items, err)) != AUTH0_OK) {
		json_decref(answer); /* a page that cannot be read moves nothing either */
		return st;
	}
	size_t count = json_array_size(items);
	/* The one allocation of the walk's state, made before any of it changes (a retry after an OOM here
	 * must not hand out this page's items twice). */
	const char *next_cursor = p->kind == AUTH0_PAGINATION_CHECKPOINT ? a0_json_str(answer, p->next_field) : NULL;
	char *cursor_copy = NULL;
	if (count > 0 && !a0_empty(next_cursor) && !json_object_get(pg->seen, next_cursor) &&
	    !(cursor_copy = strdup(next_cursor))) {
		json_decref(answer);
		return a0_oom(err);
	}
	pg->requests++;
	int64_t total = 0;
	if (a0_json_int(answer, "total", &total) && total >= 0)
		pg->total = total;
	json_decref(pg->items);
	pg->items = json_incref(items);
	pg->index = 0;

	if (count == 0) {
		pg->done = true;
	} else if (p->kind == AUTH0_PAGINATION_OFFSET) {
		/*
		 * Any page number up to INT64_MAX is accepted, so the next page and
		 * its offset can overflow: there is no page after INT64_MAX to ask
		 * for, and an offset past INT64_MAX is past any total.
		 */
		int64_t next, offset;
		if (__builtin_add_overflow(pg->page, 1, &next)) {
			pg->done = true;
		} else {
			/*
			 * With a total, the total says when the walk ends: a short page before it (an item
			 * removed while walking, a server that caps per_page) is not the end, as in the Ruby
			 * SDK; an empty page ends it all the same. Without one, a short page is the last.
			 */
			if (pg->total >= 0 ? __builtin_mul_overflow(next, pg->per_page, &offset) || offset >= pg->total
			                   : (int64_t)count < pg->per_page)
				pg->done = true;
			pg->page = next;
		}
	} else if (a0_empty(next_cursor)) {
		pg->done = true;
	} else if (!cursor_copy) {
		/* A cursor sent before: this page's items are still handed out; asking for more then fails, every
		 * time (the walk cannot go on). */
		pg->done = pg->stuck = true;
	} else {
		free(pg->cursor);
		pg->cursor = cursor_copy;
		cursor_copy = NULL;
	}
	free(cursor_copy);
	json_decref(answer);
	return AUTH0_OK;
}

auth0_status auth0_pager_next_page(auth0_pager *pg, json_t **items, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (items)
		*items = NULL;
	if (!pg || !items)
		return a0_fail_arg(err, "pager", "auth0_pager_next_page needs a pager and an output pointer");
	if (pg->done && !pg->stuck)
		return AUTH0_OK;
	/* A failure leaves the walk where it was (see fetch()): the caller may try again. */
	auth0_status st = fetch(pg, err);
	if (st != AUTH0_OK)
		return st;
	if (json_array_size(pg->items) > 0)
		*items = json_incref(pg->items);
	pg->index = json_array_size(pg->items); /* handed out whole */
	return AUTH0_OK;
}

auth0_status auth0_pager_next(auth0_pager *pg, json_t **item, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (item)
		*item = NULL;
	if (!pg || !item)
		return a0_fail_arg(err, "pager", "auth0_pager_next needs a pager and an output pointer");
	while (pg->index >= json_array_size(pg->items)) {
		if (pg->done && !pg->stuck)
			return AUTH0_OK;
		auth0_status st = fetch(pg, err);
		if (st != AUTH0_OK)
			return st; /* the walk stays where it was: the caller may try again */
	}
	*item = json_incref(json_array_get(pg->items, pg->index++));
	return AUTH0_OK;
}

int64_t auth0_pager_total(const auth0_pager *pg)
{
	return pg ? pg->total : -1;
}

int auth0_pager_requests(const auth0_pager *pg)
{
	return pg ? pg->requests : 0;
}
