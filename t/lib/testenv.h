/*
 * Test helpers: a client for the fake tenant started by t/with-tenant, and
 * the tenant's control API (faults, counters, recorded requests).
 */
#ifndef T_TESTENV_H
#define T_TESTENV_H

#include <auth0.h>

/* Seed credentials of the fake tenant (t/tenant/seed.json). */
#define T_WEB_CLIENT_ID "demo-web-client"
#define T_WEB_CLIENT_SECRET "demo-web-secret"
#define T_M2M_CLIENT_ID "demo-m2m-client"
#define T_M2M_CLIENT_SECRET "demo-m2m-secret"

/* Skips the whole test program (TAP "1..0 # SKIP") unless a tenant is running. */
void t_require_tenant(void);

const char *t_domain(void);       /* 127.0.0.1:PORT */
const char *t_base_url(void);     /* https://127.0.0.1:PORT */
const char *t_ca_file(void);
const char *t_state_dir(void);

/* Options for the tenant with the CA file set; the caller fills in the rest. */
void t_options(auth0_client_options *opts);
/* A client for the tenant as `client_id` with `secret` (either may be NULL). Aborts on failure. */
auth0_client *t_client(const char *client_id, const char *secret);

/* A JSON request to the tenant's control API; returns the parsed answer (or NULL). */
json_t *t_control(const char *method, const char *path, const char *json_body);
/* POST /__control/reset */
void t_reset(void);
/* One counter of GET /__control/counters ("POST /oauth/token"), 0 when absent. */
long t_counter(const char *key);
/* The last recorded request to `path` (an object with method, path, headers, body), or NULL. */
json_t *t_last_request(const char *path);
/* A header of a recorded request (case-insensitive), or NULL. */
const char *t_request_header(const json_t *request, const char *name);
/* Installs one fault rule (a JSON object as text). */
void t_fault(const char *rule_json);

/* Reads a whole file (malloc()ed, NUL-terminated), or NULL. */
char *t_read_file(const char *path);

#endif
