/*
 * The Management API: the token, one call, pagination, and the table of
 * every operation.
 *
 * Each of the Management API's operations has a typed function in
 * auth0/management_operations.h (generated), named from its resource and
 * method: users.list is auth0_users_list(), users.roles.assign is
 * auth0_users_roles_assign() (the naming rule is spelled out in that
 * header). They all follow one shape:
 *
 *     auth0_status auth0_RESOURCE_METHOD(auth0_client *client,
 *             <one const char * per path parameter, in path order>,
 *             const auth0_RESOURCE_METHOD_query *query,   // only if it has query parameters
 *             const json_t *body,                         // only if it takes a JSON body
 *             const auth0_RESOURCE_METHOD_form *form,     // instead, for the multipart one
 *             const auth0_request_options *options,       // may be NULL
 *             json_t **out,                               // may be NULL
 *             auth0_error **err);
 *
 *     auth0_users_list_query q = { .q = "email:*@example.com", .per_page = AUTH0_INT(10) };
 *     json_t *page = NULL;
 *     auth0_error *err = NULL;
 *     if (auth0_users_list(client, &q, NULL, &page, &err) == AUTH0_OK) {
 *             ...
 *             json_decref(page);
 *     } else {
 *             fprintf(stderr, "%s\n", err->message);
 *             auth0_error_free(err);
 *     }
 *
 * The Management token comes from the client: a static token, a token
 * provider, or (by default) the client-credentials grant, fetched on first
 * use and renewed AUTH0_TOKEN_RENEW_MARGIN seconds before it expires. A 401
 * saying the token expired or is invalid renews it once and retries the
 * request. When the renewed token is refused as well, a refused token is not
 * renewed again for 60 seconds (the calls fail at once with the 401, and
 * err->message says so): renewing would only spend tokens. A token from any
 * source with a character outside RFC 6750's b64token (letters, digits,
 * - . _ ~ + / and trailing =) is never sent: AUTH0_ERR_NO_TOKEN.
 *
 * Answers: any 2xx is success. *out receives the parsed JSON body (also for
 * the 13 operations whose answer the Ruby SDK discards), or NULL when the
 * answer has no body (204, or an empty 2xx). A text/event-stream answer
 * (events.subscribe) becomes an array of {"event", "id", "data"} objects,
 * data parsed as JSON when it is JSON; any other non-JSON answer becomes a
 * JSON string. Bodies are sent exactly as given: false and 0 stay, a bare
 * array is sent as an array, NULL sends no body; DELETE may carry a body.
 *
 * Retries: statuses 408, 429, 500, 502, 503, 504, 521, 522, 524, at most
 * management_max_retries times, for every method but POST; a POST is retried
 * after 429 only, since after a timeout or a gateway error it may have been
 * done (the Ruby SDK retries POSTs too, and can create a user twice). The
 * wait is Retry-After (seconds or HTTP date), else X-RateLimit-Reset, else
 * 0.5 s * 2^attempt with +-20 % jitter; never more than max_retry_delay_ms.
 */
#ifndef AUTH0_MANAGEMENT_H
#define AUTH0_MANAGEMENT_H

#include "common.h"
#include "error.h"
#include "client.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A token is renewed when it expires in less than this many seconds. */
#define AUTH0_TOKEN_RENEW_MARGIN 10

/*
 * Per-request options (Ruby: request_options). Zero-initialise; every field
 * is optional.
 *
 *     const auth0_kv hdr[] = { { "X-Request-Id", "42" }, { NULL, NULL } };
 *     auth0_request_options o = { .headers = hdr, .timeout_ms = 5000, .max_retries = AUTH0_INT(0) };
 *
 * It has no version field: like auth0_client_options, it is read with the
 * layout of the running library's header, so a program must be built
 * against the headers of the libauth0 it runs with.
 */
typedef struct auth0_request_options {
	/*
	 * Extra headers, sent after the client's management_additional_headers.
	 * Authorization, Content-Type, Auth0-Client, User-Agent, Host,
	 * Content-Length, Transfer-Encoding and Expect are refused
	 * (AUTH0_ERR_INVALID_ARGUMENT, option "headers"), and so are values
	 * with a line break; an empty (or NULL) value sends the header with an
	 * empty value. An Accept header replaces the default
	 * "Accept: application/json".
	 */
	const auth0_kv *headers;
	/*
	 * Extra query parameters, not checked against the operation. A name
	 * that the call already has replaces all of its values (a repeated name
	 * here sends every value); a NULL value removes the parameter, defaults
	 * included. A pager refuses the parameters it sets itself (see
	 * auth0_pager_new()).
	 */
	const auth0_kv *query;
	long timeout_ms;              /* per attempt; 0 = the client's management_timeout_ms; negative:
	                                 AUTH0_ERR_INVALID_ARGUMENT */
	/*
	 * Replaces the Management API base URL for this call:
	 * https://HOST[:PORT][/PATH] (http:// only to a loopback host), no query.
	 * The Management API token, with every right the client's application
	 * has on the whole tenant, goes wherever the request goes, so HOST[:PORT]
	 * must be the client's own Management host (that of management_base_url,
	 * or of the domain), compared as written (no DNS): any other host is
	 * AUTH0_ERR_INVALID_ARGUMENT (option "base_url") before any I/O, unless
	 * allow_other_host is set. Never build it from untrusted input.
	 */
	const char *base_url;
	auth0_opt_int max_retries;    /* 0..10 (else AUTH0_ERR_INVALID_ARGUMENT); unset = the client's
	                                 management_max_retries */
	/*
	 * Lets base_url name any host: the Management token is then sent to it.
	 * Only for a host that you trust with that token (a proxy of your own in
	 * front of the tenant).
	 */
	bool allow_other_host;
} auth0_request_options;

/*
 * The Management API token the client uses now (fetching or renewing it if
 * needed). *token is the caller's; *expires_at may be NULL.
 */
AUTH0_EXTERN auth0_status auth0_management_token(auth0_client *client, char **token, int64_t *expires_at,
                                                  auth0_error **err);

/* Forgets the current Management token so the next call obtains a new one. */
AUTH0_EXTERN void auth0_management_token_invalidate(auth0_client *client);

/* ---- The operations table --------------------------------------------------------- */

typedef enum auth0_param_type {
	AUTH0_PARAM_STRING,
	AUTH0_PARAM_INTEGER,
	AUTH0_PARAM_BOOLEAN,
	AUTH0_PARAM_ENUM
} auth0_param_type;

typedef struct auth0_query_param {
	const char *name;              /* wire name, e.g. "per_page", "triggerId" */
	auth0_param_type type;
	bool required;
	bool repeatable;               /* an array: the key is repeated */
	const char *default_value;     /* sent when not given (as the Ruby SDK), or NULL */
	const char *const *values;     /* AUTH0_PARAM_ENUM: allowed values, NULL-terminated */
} auth0_query_param;

/* The most path parameters an operation has, plus room to spare (for auth0_operation_match()). */
#define AUTH0_MAX_PATH_PARAMS 8

typedef enum auth0_body_kind {
	AUTH0_BODY_NONE,
	AUTH0_BODY_JSON,
	AUTH0_BODY_MULTIPART
} auth0_body_kind;

typedef enum auth0_pagination_kind {
	AUTH0_PAGINATION_NONE,
	AUTH0_PAGINATION_OFFSET,       /* page / per_page / include_totals */
	AUTH0_PAGINATION_CHECKPOINT    /* from / take / next */
} auth0_pagination_kind;

typedef struct auth0_pagination {
	auth0_pagination_kind kind;
	const char *item_field;        /* the array in each page, e.g. "users" */
	const char *page_param;        /* offset: "page" */
	const char *per_page_param;    /* offset: "per_page" */
	const char *cursor_param;      /* checkpoint: "from" */
	const char *limit_param;       /* checkpoint: "take" */
	const char *next_field;        /* checkpoint: "next" */
} auth0_pagination;

typedef struct auth0_operation {
	const char *id;                /* "users.roles.assign" */
	const char *resource;          /* "users.roles" */
	const char *method;            /* "assign" */
	const char *http_method;       /* "POST" */
	const char *path;              /* "users/{id}/roles" */
	const char *const *path_params;/* NULL-terminated, in path order */
	const auth0_query_param *query_params;
	size_t query_param_count;
	auth0_body_kind body_kind;
	const char *body_type;         /* the body's type name in the API data, or NULL */
	bool body_is_array;            /* the API takes a bare JSON array (guardian.policies.set, ...) */
	const char *const *multipart_fields; /* AUTH0_BODY_MULTIPART: part names, NULL-terminated */
	const char *multipart_file_field;    /* the part that carries a file, or NULL */
	auth0_pagination pagination;
	const char *response_type;     /* the answer's type name in the API data, or NULL (no body) */
	const char *summary;
} auth0_operation;

/* All operations, sorted by id. */
AUTH0_EXTERN const auth0_operation *auth0_operations(size_t *count);

/* The operation with this id ("users.list"), or NULL. */
AUTH0_EXTERN const auth0_operation *auth0_operation_find(const char *id);

/*
 * The operation that serves an HTTP method and a Management path relative to
 * the base URL, as it appears on the wire ("users/auth0%7C123/roles": no
 * leading slash, no query), or NULL. For dynamic routing (mod_auth0's admin
 * endpoints).
 *
 * Segments are split on '/' first and percent-decoded afterwards, so an
 * encoded slash (%2F) is part of a value and never splits the path. A path
 * with an empty segment (leading, trailing or doubled '/'), a "." or ".."
 * segment (also when encoded, e.g. %2E%2E), a malformed escape, an encoded
 * NUL, '?' or '#' never matches. When several templates match, the most
 * specific wins: at the first segment where they differ, a literal beats a
 * placeholder ("custom-domains/default" is custom_domains.get_default, not
 * custom_domains.get with id "default").
 *
 * On a match, path_values (an array of at least AUTH0_MAX_PATH_PARAMS
 * pointers, or NULL when the values are not wanted) receives the decoded
 * values of the path parameters, malloc()ed, NULL-terminated, in path order;
 * free them with auth0_path_values_free(). On no match path_values[0] is NULL.
 * NULL is also returned when memory runs out while the path is decoded,
 * which a caller cannot tell from no match.
 */
AUTH0_EXTERN const auth0_operation *auth0_operation_match(const char *http_method, const char *path,
                                                          char **path_values);
AUTH0_EXTERN void auth0_path_values_free(char **path_values);

/* A file (or any other) part of a multipart request. */
typedef struct auth0_multipart_part {
	const char *name;             /* the part's field name */
	const char *value;            /* text value, or NULL when data is used */
	const void *data;             /* file contents */
	size_t size;
	const char *filename;         /* sent as the part's filename */
	const char *content_type;     /* default application/octet-stream (files); control characters
	                                 are refused (AUTH0_ERR_INVALID_ARGUMENT) */
} auth0_multipart_part;

/* A file for the typed multipart function (auth0_jobs_users_imports_create()). */
typedef struct auth0_file {
	const void *data;             /* NULL: the part is not sent */
	size_t size;
	const char *filename;         /* default: the part's name */
	const char *content_type;     /* default application/octet-stream; no control characters */
} auth0_file;

/*
 * Runs any operation by its table entry:
 *   path_values  one non-empty value per path parameter, in path order (NULL
 *                when the operation has none); each is percent-encoded as one
 *                segment ("auth0|123" -> "auth0%7C123"); "." and ".." are refused;
 *   query        wire name/value pairs, NULL-terminated by name (or NULL). Each
 *                is checked against the operation: an unknown name, a bad
 *                integer, a boolean other than "true"/"false", a value outside
 *                an enum, or a repeated name that is not repeatable is
 *                AUTH0_ERR_INVALID_ARGUMENT naming the parameter. Repeatable
 *                parameters are given as several pairs with the same name;
 *   body         JSON for AUTH0_BODY_JSON operations (or NULL: no body);
 *   parts        for the multipart operation, terminated by a NULL name;
 *   options      see auth0_request_options (may be NULL);
 *   out          the answer (see above; may be NULL).
 * Defaults of the table (page 0, per_page 50, include_totals true, take 50,
 * ...) are sent for parameters that were not given; a given value always
 * wins, including "false" and "0". Required parameters must be given.
 */
AUTH0_EXTERN auth0_status auth0_management_call(auth0_client *client, const auth0_operation *op,
                                                const char *const *path_values, const auth0_kv *query,
                                                const json_t *body, const auth0_multipart_part *parts,
                                                const auth0_request_options *options, json_t **out,
                                                auth0_error **err);

/*
 * The same, also handing back the HTTP status of the successful answer
 * (200, 201, 202, 204...) in *status (0 on failure: the status of an answer
 * that failed is err->status), for callers that relay it, such as mod_auth0's
 * admin API.
 */
AUTH0_EXTERN auth0_status auth0_management_call_ex(auth0_client *client, const auth0_operation *op,
                                                   const char *const *path_values, const auth0_kv *query,
                                                   const json_t *body, const auth0_multipart_part *parts,
                                                   const auth0_request_options *options, json_t **out,
                                                   long *status, auth0_error **err);

/* ---- Pagination ----------------------------------------------------------------------- */

/*
 * Walks every page of a paginated operation, one request per page, with the
 * client's kept-alive connection:
 *
 *     auth0_pager *pager = NULL;
 *     auth0_error *err = NULL;
 *     json_t *user = NULL;
 *     if (auth0_pager_new(&pager, client, auth0_operation_find("users.list"), NULL, query, NULL,
 *                         &err) == AUTH0_OK) {
 *             while (auth0_pager_next(pager, &user, &err) == AUTH0_OK && user) {
 *                     ...
 *                     json_decref(user);
 *             }
 *     }
 *     if (err)                  // the end of the list leaves it NULL
 *             fprintf(stderr, "%s\n", err->message);
 *     auth0_error_free(err);
 *     auth0_pager_free(pager);  // NULL is fine
 *
 * Offset lists (page / per_page) start at `page` 0 (or the page given),
 * send per_page 50 and include_totals true unless given, and stop at an
 * empty page or when `total` is reached (no extra empty request when totals
 * are known; a shorter page before it does not end the walk). With
 * include_totals false the API answers bare arrays, which work too, and a
 * page shorter than per_page is the last.
 * Checkpoint lists (from / take) send no `from` on the first request unless
 * given, then the answer's `next`; they stop when `next` is absent or empty,
 * or at an empty page. A `next` that the walk has already sent (the same
 * cursor again, or A -> B -> A) is AUTH0_ERR_INVALID_RESPONSE once the items
 * of its page are handed out, instead of an endless loop.
 * An empty page is one whose item array (the operation's
 * pagination.item_field, e.g. "users") is [], or a bare []. A page object
 * without that array, or where it is not an array, is not taken for the end
 * of the list (a truncated or garbled answer would then end the walk as if
 * there were no more items): it is AUTH0_ERR_INVALID_RESPONSE with the
 * answer's 2xx status in err->status, unless the member is absent (or null)
 * and the object says the list is empty with "total": 0. So is a 2xx with an empty body, or one that is
 * neither an object nor an array. Auth0 sends the array on every page; the
 * Ruby SDK ends its walk at a missing one.
 * The parameters the pager sets on every request (page and per_page, or
 * from) are refused in options->query (AUTH0_ERR_INVALID_ARGUMENT naming
 * the parameter): they would replace its values. Give a first page or
 * cursor in `query`.
 * The query, path values and options are copied: they need not outlive the
 * call to auth0_pager_new(). The client is not: a pager must be freed before
 * its client. A pager is not thread-safe: one thread at a time may use it
 * (different pagers of one client may run in different threads at once).
 *
 * A page that cannot be fetched (a 429 or a 5xx after the client's retries,
 * a timeout, a network error) fails the call with that error and moves
 * nothing: the next call asks for the same page or cursor again, so a caller
 * may wait (err->retry_after, err->rate_limit.reset) and go on without
 * losing an item. So does a page that cannot be read (above). Only a cursor
 * loop (above) fails every later call too.
 */
typedef struct auth0_pager auth0_pager;

AUTH0_EXTERN auth0_status auth0_pager_new(auth0_pager **out, auth0_client *client, const auth0_operation *op,
                                          const char *const *path_values, const auth0_kv *query,
                                          const auth0_request_options *options, auth0_error **err);

/* The next item (a new reference), or AUTH0_OK with *item NULL at the end (and only there: a failed
 * fetch is an error, and may be retried). */
AUTH0_EXTERN auth0_status auth0_pager_next(auth0_pager *pager, json_t **item, auth0_error **err);

/* The next page's item array (a new reference), or AUTH0_OK with *items NULL at the end. */
AUTH0_EXTERN auth0_status auth0_pager_next_page(auth0_pager *pager, json_t **items, auth0_error **err);

/* The total announced by the API (include_totals), or -1 when unknown (yet). */
AUTH0_EXTERN int64_t auth0_pager_total(const auth0_pager *pager);

/* Pages accepted so far (a failed request, or a page refused as unusable, is not counted). */
AUTH0_EXTERN int auth0_pager_requests(const auth0_pager *pager);

AUTH0_EXTERN void auth0_pager_free(auth0_pager *pager);

#ifdef __cplusplus
}
#endif
#endif
