/*
 * Helpers shared by the fuzz targets (libauth0 only: no httpd here; see
 * harness.h for the module's targets).
 *
 * Inputs are split into fields at NUL bytes (fz_next), so that seeds are
 * easy to write by hand or with a script: "field0\0field1\0rest". A field
 * that runs out is "". Binary data comes last (fz_rest).
 *
 * Nothing here touches the network beyond 127.0.0.1: clients point at a
 * loopback port that is bound but never listens (every connection is
 * refused at once), or at the in-process fake tenant (fz_tenant_*), a
 * loopback HTTP/1.1 server that answers whatever the target tells it to.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <auth0.h>
#include <openssl/evp.h>

#include "jwt_mint.h"

/* libFuzzer's entry points. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- input ---------------------------------------------------------------------------------------- */

typedef struct fz {
	const uint8_t *p;
	size_t n;
} fz;

static inline fz fz_init(const uint8_t *data, size_t size)
{
	fz f = { data, size };
	return f;
}

/* The next NUL-terminated field as a malloc()ed string ("" when the input is used up). */
char *fz_next(fz *f);
/* The first byte of the next field as a number (0 when empty); the field is consumed. */
unsigned fz_num(fz *f);
/* Everything left (not NUL-terminated, may hold NULs); *len gets its size. */
const uint8_t *fz_rest(fz *f, size_t *len);
/* The rest as a malloc()ed NUL-terminated string (cut at the first NUL). */
char *fz_rest_str(fz *f);

/* ---- fixed keys and tokens ----------------------------------------------------------------------- */

#define FZ_CLIENT_ID "fuzz-client"
#define FZ_SECRET "fuzz-client-secret-0123456789abcdef"
#define FZ_AUDIENCE "https://api.example.com/"
/* The issuer the targets expect (the client's own depends on the loopback port of the run). */
#define FZ_ISSUER "https://fuzz.example.com/"
#define FZ_KID_RSA "fuzz-rsa"
#define FZ_KID_EC "fuzz-ec"
/* The clock the targets validate tokens at. */
#define FZ_NOW ((int64_t)1700000000)

/* The fuzzing-only RSA 2048 and EC P-256 keys (their PEM is in common.c: they protect nothing). */
EVP_PKEY *fz_rsa_key(void);
EVP_PKEY *fz_ec_key(void);
/* {"keys":[RSA key FZ_KID_RSA, EC key FZ_KID_EC]} (a new reference). */
json_t *fz_jwks(void);

/* ---- clients ------------------------------------------------------------------------------------- */

/* A 127.0.0.1 port where nothing listens (bound, never listening: connections are refused). */
int fz_closed_port(void);

typedef struct fz_client_opts {
	int port;                  /* 0: fz_closed_port() */
	bool static_token;         /* a static Management token (no client credentials) */
	const char *organization;
	m_store *store;            /* NULL: the client's own memory */
} fz_client_opts;

/* A client for http://127.0.0.1:PORT with FZ_CLIENT_ID / FZ_SECRET, no retries, 2 s timeouts, JWKS
 * refetches at most once a day. Aborts on failure. */
auth0_client *fz_client(const fz_client_opts *o);
/* Puts jwks (NULL: fz_jwks()) into store as the client's JWKS, fetched at fetched_at (0: now). */
void fz_store_jwks(m_store *store, auth0_client *client, const json_t *jwks, int64_t fetched_at);

/* ---- the fake tenant --------------------------------------------------------------------------- */

/* Starts the loopback server once; returns its port. */
int fz_tenant_port(void);
/*
 * What the server answers to every request from now on: status, a
 * Content-Type (NULL: none), extra header lines (NULL or "Name: value\r\n..."
 * with CR/LF inside values already removed by the caller), and the body.
 */
void fz_tenant_answer(int status, const char *content_type, const char *headers, const void *body,
                      size_t len);
/*
 * Waits (at most 5 s) until every connection to the fake tenant is closed
 * and its thread done: call it after freeing the clients of an input, so
 * that libFuzzer does not take the server's buffers for leaks of the input
 * (and run a leak check after each one).
 */
void fz_tenant_quiesce(void);
/* Requests served so far. */
unsigned long fz_tenant_requests(void);

/* A header value for fz_tenant_answer: CR, LF and NUL replaced by spaces (in place). */
void fz_header_clean(char *s);

#endif
