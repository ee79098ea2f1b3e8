/*
 * The Management API: the token, one call, pagination, and the table of
 * every operation.
 *
 * Each of the Management API's operations has a typed function in
 * auth0/management_operations.h (generated), named from its resource and
 * method: users.list is auth0_users_list(), users.roles.assign is
 * auth0_users_roles_assign(). They all follow one shape:
 *
 *     auth0_status auth0_RESOURCE_METHOD(auth0_client *client,
 *             <one const char * per path parameter, in path order>,
 *             const auth0_RESOURCE_METHOD_query *query,   // only if it has query parameters
 *             const json_t *body,                         // only if it takes a JSON body
 *             const auth0_request_options *options,       // may be NULL
 *             json_t **out,                               // may be NULL
 *             auth0_error **err);
 *
 *     auth0_users_list_query q = { .q = "email:*@example.com", .per_page = AUTH0_INT(10) };
 *     json_t *page;
 *     if (auth0_users_list(client, &q, NULL, &page, &err) == AUTH0_OK) ...
 *
 * The Management token comes from the client: a static token, a token
 * provider, or (by default) the client-credentials grant, fetched on first
 * use and renewed AUTH0_TOKEN_RENEW_MARGIN seconds before it expires. A 401
 * saying the token expired renews it once and retries the request.
 *
 * Retries (every method, as the Ruby SDK): statuses 408, 429, 500, 502, 503,
 * 504, 521, 522, 524, at most management_max_retries times. The wait is
 * Retry-After (seconds or HTTP date), else X-RateLimit-Reset, else
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

/* Per-request options (Ruby: request_options). Zero-initialise; every field is optional. */
typedef struct auth0_request_options {
	const auth0_kv *headers;      /* extra headers; cannot replace Authorization, Content-Type, Auth0-Client */
	const auth0_kv *query;        /* extra query parameters; override generated ones of the same name */
	long timeout_ms;              /* 0 = the client's management_timeout_ms */
	const char *base_url;         /* replaces the Management API base URL for this call */
	auth0_opt_int max_retries;    /* unset = the client's management_max_retries */
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
	const char *const *multipart_fields; /* AUTH0_BODY_MULTIPART: part names, NULL-terminated */
	const char *multipart_file_field;    /* the part that carries a file, or NULL */
	auth0_pagination pagination;
	const char *summary;
} auth0_operation;

/* All operations, sorted by id. */
AUTH0_EXTERN const auth0_operation *auth0_operations(size_t *count);

/* The operation with this id ("users.list"), or NULL. */
AUTH0_EXTERN const auth0_operation *auth0_operation_find(const char *id);

/*
 * The operation that serves an HTTP method and a Management path relative to
 * the base URL ("users/auth0%7C123/roles"), or NULL. On a match, path_values
 * (an array of at least 8 pointers) receives the decoded values of the path
 * parameters, malloc()ed, NULL-terminated; free them with
 * auth0_path_values_free(). Segments "." and ".." never match.
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
	const char *content_type;     /* default application/octet-stream (files) */
} auth0_multipart_part;

/*
 * Runs any operation by its table entry: path_values in path order,
 * query as wire name/value strings (validated against the operation's
 * parameters: an unknown name, a bad integer or boolean, or a value outside
 * an enum is AUTH0_ERR_INVALID_ARGUMENT), body as JSON (or NULL), parts for
 * multipart operations (NULL-terminated by name, or NULL).
 * The defaults of the table are applied for parameters not given.
 */
AUTH0_EXTERN auth0_status auth0_management_call(auth0_client *client, const auth0_operation *op,
                                                const char *const *path_values, const auth0_kv *query,
                                                const json_t *body, const auth0_multipart_part *parts,
                                                const auth0_request_options *options, json_t **out,
                                                auth0_error **err);

/* ---- Pagination ----------------------------------------------------------------------- */

/*
 * Walks every page of a paginated operation, one request per page, with the
 * client's kept-alive connection:
 *
 *     auth0_pager *pager;
 *     auth0_pager_new(&pager, client, auth0_operation_find("users.list"), NULL, query, NULL, &err);
 *     json_t *user;
 *     while (auth0_pager_next(pager, &user, &err) == AUTH0_OK && user) {
 *             ...
 *             json_decref(user);
 *     }
 *     auth0_pager_free(pager);
 *
 * Offset lists stop when a page is shorter than per_page, empty, or the
 * `total` is reached (no extra empty request when totals are known);
 * checkpoint lists stop when `next` is absent.
 */
typedef struct auth0_pager auth0_pager;

AUTH0_EXTERN auth0_status auth0_pager_new(auth0_pager **out, auth0_client *client, const auth0_operation *op,
                                          const char *const *path_values, const auth0_kv *query,
                                          const auth0_request_options *options, auth0_error **err);

/* The next item (a new reference), or AUTH0_OK with *item NULL at the end. */
AUTH0_EXTERN auth0_status auth0_pager_next(auth0_pager *pager, json_t **item, auth0_error **err);

/* The next page's item array (a new reference), or AUTH0_OK with *items NULL at the end. */
AUTH0_EXTERN auth0_status auth0_pager_next_page(auth0_pager *pager, json_t **items, auth0_error **err);

/* The total announced by the API (include_totals), or -1 when unknown. */
AUTH0_EXTERN int64_t auth0_pager_total(const auth0_pager *pager);

AUTH0_EXTERN void auth0_pager_free(auth0_pager *pager);

#ifdef __cplusplus
}
#endif
#endif
