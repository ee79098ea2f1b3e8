/*
 * A per-process memo of sealed values this process opened (no httpd; APR and
 * OpenSSL only). session.c uses it; t/unit/test_seal_memo.c tests it.
 *
 * Why: opening a sealed value (base64url decoding, AES-256-GCM, inflating;
 * seal.c, codec.c) is a pure function of the keys, the context and the sealed
 * bytes, and a signed-in browser sends the same session cookie with every
 * request. Repeating that work was most of what a session costs a request. The
 * memo keeps, for a bounded number of values opened recently, what their
 * opening gave, and hands it back when exactly the same input comes again.
 *
 * Rules that keep it as safe as opening every time:
 *   - a hit needs the whole input equal: the same keyring (by identity), the
 *     same context, and every byte of the sealed value; a value that differs
 *     in one byte misses and is opened (and refused) as before;
 *   - the first comparison a stranger's value reaches is of its last 16 bytes
 *     (its authentication tag, or the last 12 bytes of it in base64url), in
 *     constant time (CRYPTO_memcmp); the remaining bytes are compared only
 *     when those matched, so response times do not tell how much of someone
 *     else's value a guess got right;
 *   - callers put only what a successful opening gave, and only for values
 *     that no server-side event can revoke while they are presented (sealed
 *     cookies; for the shared-cache store, the bytes just read from the
 *     cache, which logging out elsewhere deletes);
 *   - the memory is fixed when the memo is made: `slots` slots of
 *     `slot_bytes` bytes (touched at once, so the process does not grow
 *     later); a value whose context, sealed form and plaintext do not fit one
 *     slot is not memoized. Slots are direct-mapped (a new value replaces
 *     the one in its slot) and guarded by striped mutexes for threaded MPMs.
 */
#ifndef MOD_AUTH0_SEAL_MEMO_H
#define MOD_AUTH0_SEAL_MEMO_H

#include <stddef.h>

#include <apr_pools.h>

typedef struct a0m_seal_memo a0m_seal_memo;

/* A memo of `slots` slots of `slot_bytes` bytes, allocated from p (a process's pool); NULL on failure. */
a0m_seal_memo *a0m_seal_memo_create(apr_pool_t *p, unsigned slots, size_t slot_bytes);

/*
 * What a0m_seal_memo_put stored for exactly this input, copied into p and NUL-terminated (*len excludes
 * the NUL); NULL when the memo does not hold it. `keys` identifies the keyring the value was opened with
 * (compared as a pointer). m may be NULL (no memo: always NULL).
 */
unsigned char *a0m_seal_memo_get(a0m_seal_memo *m, apr_pool_t *p, const void *keys, const char *context,
                                 const void *sealed, size_t sealed_len, size_t *len);

/* Remembers that opening `sealed` under keys and context gave plain[0..len). No-op when m is NULL, when
 * sealed is shorter than 16 bytes, or when the whole does not fit one slot. */
void a0m_seal_memo_put(a0m_seal_memo *m, const void *keys, const char *context, const void *sealed,
                       size_t sealed_len, const unsigned char *plain, size_t len);

#endif
