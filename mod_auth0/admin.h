/*
 * The admin endpoints (internal to admin*.c).
 *
 *   admin.c         the handler entry point: which handler, the URL prefix of its <Location>, JSON answers
 *   admin_api.c     SetHandler auth0-management: METHOD PREFIX/<Management path> -> one Management call
 *   admin_page.c    SetHandler auth0-admin: the admin page and its assets
 *   admin_assets.c  generated at build time from conf/admin/ by conf/admin/embed (admin.mk)
 */
#ifndef MOD_AUTH0_ADMIN_H
#define MOD_AUTH0_ADMIN_H

#include "mod_auth0.h"

#define A0M_HANDLER_MANAGEMENT "auth0-management"
#define A0M_HANDLER_ADMIN "auth0-admin"
/* The request header that carries the session's CSRF token on state-changing API calls. */
#define A0M_CSRF_HEADER "X-CSRF-Token"

/* A file of conf/admin/ compiled into the module. */
typedef struct a0m_asset {
	const char *name;              /* file name, e.g. "admin.js" */
	const char *type;              /* Content-Type */
	const unsigned char *data;
	size_t len;
	const char *etag;              /* quoted strong ETag (a hash of the contents) */
	const char *integrity;         /* "sha256-BASE64" of the contents: Subresource Integrity metadata */
} a0m_asset;

/* Every embedded file, terminated by an entry whose name is NULL (admin_assets.c). */
extern const a0m_asset a0m_admin_assets[];

/* The embedded file called name, or NULL. */
const a0m_asset *a0m_admin_asset(const char *name);

/*
 * The URL path of the <Location> whose SetHandler chose `handler` for this
 * request, without a trailing slash ("/admin/api"; "" for <Location />), or
 * NULL when the handler was not set by a plain <Location> that prefixes the
 * request's URI (then the configuration is unusable and was logged).
 */
const char *a0m_admin_prefix(request_rec *r, const char *handler);

/* Sends body (a reference is stolen; NULL: no body) as JSON with status; returns OK. */
int a0m_admin_json(request_rec *r, int status, json_t *body);

/* text as a JSON string: itself when it is UTF-8, else with every byte outside ASCII written '?' (a
 * message that quotes a client's bytes must not lose its place in the body: json_string() refuses it). */
json_t *a0m_admin_json_text(const char *text);

/* Sends {"error": error, "message": ..., "status": status}; returns OK. */
int a0m_admin_error(request_rec *r, int status, const char *error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The two handlers, after the common checks of admin.c. */
int a0m_admin_api(request_rec *r, const a0m_dir_conf *c, const char *prefix);
int a0m_admin_page(request_rec *r, const a0m_dir_conf *c, const char *prefix);

#endif
