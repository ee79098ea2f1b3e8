/*
 * A fake httpd for the module's fuzz targets: no server, no config tree,
 * only what the module's code touches.
 *
 *   - request_rec / conn_rec / server_rec built from APR pools and tables;
 *   - the httpd functions the module calls (harness.c): logging (formatted,
 *     then dropped unless FUZZ_VERBOSE is set), escaping and unescaping
 *     (written after httpd 2.4's util.c, same results), ap_getword_conf,
 *     request bodies, form parsing, response output (kept, so that a target
 *     can check what a page says), provider registration (authz providers
 *     are captured so that their Require parsers can be called);
 *   - stand-ins for two files of the module: app.c (a0m_app_client returns
 *     one libauth0 client talking to the fake tenant of common.c, with a
 *     static Management token and the fuzzing JWKS in its store) and
 *     cache.c (an in-memory cache, emptied before each input, that can be
 *     told to fail or to answer from the input).
 *
 * The module's own objects are linked as they were compiled for
 * mod_auth0.so in the same build directory (fuzz/local.mk).
 *
 * One input at a time: fzm_begin() gives a pool of its own (freed, with
 * everything in it, by fzm_end()) and resets the cache, the body and the
 * output.
 */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include "mod_auth0.h"
#include "common.h"

#include <mod_auth.h>

/* The Auth0SessionSecret of every configuration (seeds hold values sealed with it). */
#define FZM_SESSION_SECRET "fuzz-session-secret-0123456789abcdefghijklmnop"
/* Auth0Domain of the configurations (the app client behind it talks to the fake tenant whatever it says). */
#define FZM_DOMAIN "fuzz.example.com"
/* The site's origin as the browser sees it. */
#define FZM_HOST "www.example.com"

/* Once, from LLVMFuzzerInitialize. */
void fzm_init(void);

/* Per input. */
apr_pool_t *fzm_begin(void);
void fzm_end(void);

/*
 * A request for `target` ("/path?query"; the query becomes r->args) with
 * method, in a pool of its own (a child of p), over https to FZM_HOST:443 from 203.0.113.7 (change with
 * fzm_request_from). Its per-directory configuration is conf.
 */
request_rec *fzm_request(apr_pool_t *p, const char *method, const char *target, const a0m_dir_conf *conf);
/* The peer's address (a proxy, loopback...) and the scheme/port httpd itself sees. */
void fzm_request_from(request_rec *r, const char *ip, const char *scheme, apr_port_t port);

/* A usable configuration: FZM_DOMAIN, FZ_CLIENT_ID / FZ_SECRET, Auth0RedirectURI /callback,
 * Auth0LogoutPath /logout, Auth0SessionSecret FZM_SESSION_SECRET, everything else at its default. */
a0m_dir_conf *fzm_conf(apr_pool_t *p);
/* The keyring of FZM_SESSION_SECRET. */
a0m_keyring *fzm_keys(void);

/* The request body for ap_get_brigade / ap_parse_form_data (copied). */
void fzm_body(const void *data, size_t len);
/* Everything written with ap_rwrite / ap_rvputs / ap_rputs since fzm_begin (NUL-terminated). */
const char *fzm_output(size_t *len);

/* The authz provider registered as `name` ("auth0-claim", ...), or NULL. */
const authz_provider *fzm_authz_provider(const char *name);

/* The libauth0 client behind a0m_app_client (talks to the fake tenant of common.c). */
auth0_client *fzm_app_client(void);

/*
 * Runs the directive `name` with `args` (the rest of its line, split as httpd does for the
 * directive's argument form) on conf, as in a <Location>: NULL, or httpd's error message (conf is
 * then left as it was: httpd would not start with half a directive), or FZM_SKIPPED for the
 * directives that read files (Auth0ClientAssertionKey, Auth0CACertificateFile, file: secrets) or
 * need socache providers (Auth0Cache).
 */
#define FZM_SKIPPED "(skipped by the fuzzing harness)"
const char *fzm_directive(apr_pool_t *p, a0m_dir_conf *conf, const char *name, const char *args);

/* ---- the cache -------------------------------------------------------------------------------- */

typedef enum { FZM_CACHE_WORKS, FZM_CACHE_FAILS } fzm_cache_mode;
void fzm_cache_mode_set(fzm_cache_mode mode);
/* Puts an entry (as a0m_cache_set would). */
void fzm_cache_put(const char *key, const void *value, size_t len);
/*
 * When set, a0m_cache_get of a key starting with `prefix` that is not in
 * the cache asks fn, which may fill *value / *len (from pool p) and return
 * true. For cache entries made from the input (sealed for the key asked).
 */
typedef bool (*fzm_cache_filler)(const char *key, apr_pool_t *p, unsigned char **value, size_t *len);
void fzm_cache_fill(const char *prefix, fzm_cache_filler fn);

/* ---- checks ---------------------------------------------------------------------------------- */

/* Aborts when a response header (name or value) holds CR or LF. */
void fzm_check_headers(request_rec *r);
/*
 * With FUZZ_EMIT_DIR set, writes data to $FUZZ_EMIT_DIR/sealed-<hash>: the targets use it to write
 * seeds that hold sealed values (made with the fixed secret from plaintext seeds; fuzz/README.md).
 */
void fzm_emit(const void *data, size_t len);
/* Aborts when the output holds `marker` unescaped (text the input put into a page). */
void fzm_check_escaped(const char *marker);
__attribute__((noreturn)) void fzm_fail(const char *why, const char *what);

#endif
