/*
 * A small client for WireMock's admin API (t/wire/with-wiremock starts the
 * server and exports WIREMOCK_URL).
 */
#ifndef T_WMCLIENT_H
#define T_WMCLIENT_H

#include <jansson.h>

/* http://127.0.0.1:PORT, or NULL when no WireMock runs. */
const char *wm_url(void);
/* Skips the whole TAP program unless WireMock runs. */
void wm_require(void);
/* An admin request (path below the root, e.g. "/__admin/mappings"); the parsed answer or NULL. */
json_t *wm_admin(const char *method, const char *path, const char *json_body);
/* Forgets every stub and every journalled request. */
void wm_reset(void);
/* Adds one stub mapping (JSON text). Returns 0 on success. */
int wm_stub(const char *mapping_json);
/* Journalled requests with this method, exact URL path and X-Test-Id header (-1 on failure). */
int wm_count(const char *method, const char *url_path, const char *test_id);
/* Journalled requests matching a request pattern (JSON text), -1 on failure. */
int wm_count_pattern(const char *pattern_json);
/* The journalled requests matching a pattern (an array, oldest first), or NULL. */
json_t *wm_find(const char *pattern_json);
/* A header of a journalled request (case-insensitive), or NULL. */
const char *wm_header(const json_t *request, const char *name);

#endif
