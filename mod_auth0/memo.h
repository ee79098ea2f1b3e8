/*
 * A per-process memo: values this process derived from exact inputs, kept so
 * that a later request presenting the same input gets the value without the
 * work (no httpd; APR and OpenSSL only). session.c keeps the sessions it
 * opened in one, bearer.c the tokens it validated in another;
 * t/unit/test_memo.c tests it.
 *
 * Why: a signed-in browser sends the same session cookie with every request,
 * and an API client the same token. Opening a sealed session (base64url,
 * AES-256-GCM, inflating) or validating a token (JWKS, RS256, claims) is a
 * pure function of that input and of the configuration, and was most of
 * what such a request cost.
 *
 * An entry is found by
 *   - its owner, compared as a pointer (the keyring a session was opened
 *     with; NULL when the context says it all),
 *   - its context, a string (a cookie name, what a token was checked
 *     against),
 *   - its key, at least 16 bytes (a sealed value, a token, a session id),
 * and counts until the time its putter gave.
 *
 * Rules that keep it as safe as doing the work every time:
 *   - a hit needs the whole input equal: owner, context, and every byte of
 *     the key; a key that differs in one byte misses (and is opened, or
 *     validated, and refused as before);
 *   - the first comparison a stranger's key reaches is of its last 16 bytes
 *     (the end of an AEAD tag or of a signature, or of a random id), in
 *     constant time (CRYPTO_memcmp); the other bytes are compared only when
 *     those matched, so response times do not tell how much of someone
 *     else's key a guess got right;
 *   - putters keep only what succeeded, and for no longer than nothing can
 *     revoke it: session.c keys cache-store sessions by a change counter
 *     that every write or removal bumps, bearer.c bounds tokens by their
 *     expiry;
 *   - the memory is fixed when the memo is made: `slots` slots of
 *     `slot_bytes` bytes (written at once, so the process does not grow
 *     later); an entry whose context, key and value do not fit one slot is
 *     not kept. Slots are direct-mapped (a new entry replaces the one in its
 *     slot) and guarded by striped read-write locks: hits do not wait for
 *     each other.
 */
#ifndef MOD_AUTH0_MEMO_H
#define MOD_AUTH0_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apr_pools.h>

typedef struct a0m_memo a0m_memo;

/* A memo sized for a process of `threads` threads: two slots of 8 KiB per thread, between 8 and 128 slots
 * (1 MiB at most; a session of a dozen claims with an access and a refresh token takes about 4 KiB). */
a0m_memo *a0m_memo_for_process(apr_pool_t *p, int threads);

/* A memo of `slots` slots of `slot_bytes` bytes, allocated from p (a process's pool); NULL on failure. */
a0m_memo *a0m_memo_create(apr_pool_t *p, unsigned slots, size_t slot_bytes);

/*
 * The value put for exactly this owner, context and key, if it counts at `now` (now < until), copied into
 * p and NUL-terminated (*len excludes the NUL); NULL otherwise. m may be NULL (no memo: always NULL).
 */
unsigned char *a0m_memo_get(a0m_memo *m, apr_pool_t *p, const void *owner, const char *context, const void *key,
                            size_t key_len, int64_t now, size_t *len);

/* Keeps value[0..len) for owner, context and key until `until`. Does nothing when m is NULL, when the key
 * is shorter than 16 bytes, or when the whole does not fit one slot. */
void a0m_memo_put(a0m_memo *m, const void *owner, const char *context, const void *key, size_t key_len,
                  int64_t until, const unsigned char *value, size_t len);

/*
 * The form of a memo's value made of a fixed header (a struct, copied as bytes) and n parts (strings with
 * their NUL, or other bytes), for values that only the process that packed them reads back: what a hit
 * gets is made usable by pointing into its copy, without parsing. a0m_memo_pack() lays out the header,
 * the parts' offsets and the parts (a NULL part, or one of size 0, is absent); NULL when the whole passes
 * 4 GiB. a0m_memo_unpack() copies the header out of `data` and points parts[i] into it (NULL where absent);
 * false when `data` is too short or an offset points outside it.
 */
unsigned char *a0m_memo_pack(apr_pool_t *p, const void *head, size_t head_len, const void *const parts[],
                             const size_t sizes[], int n, size_t *len);
bool a0m_memo_unpack(const unsigned char *data, size_t len, void *head, size_t head_len,
                    const unsigned char *parts[], int n);

#endif
