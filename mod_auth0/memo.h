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
 * A hit is lent, not copied: the request gets a pointer to the value itself,
 * valid and unchanged until the request's pool is cleared, however soon the
 * entry leaves the memo. That lets a value be more than bytes: the putter
 * builds it in the entry's own pool (a session's struct, and the tables of
 * headers and variables that every request appends at once, claims.c), and a
 * request uses it with no copy, no unpacking and no table built.
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
 *   - values are never changed once put: a new value is a new entry;
 *   - an entry's memory is its own pool, freed when the entry has left its
 *     slot and the last request it was lent to is over; its bytes (which may
 *     hold tokens) are wiped first. The memo holds `slots` entries (slots are
 *     direct-mapped: a new entry replaces the one in its slot), each of at
 *     most `entry_bytes` of bytes, context and key; an entry that does not
 *     fit is not kept. Slots are guarded by striped read-write locks: hits do
 *     not wait for each other.
 */
#ifndef MOD_AUTH0_MEMO_H
#define MOD_AUTH0_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apr_pools.h>

typedef struct a0m_memo a0m_memo;
typedef struct a0m_memo_entry a0m_memo_entry;

/* A memo sized for a process of `threads` threads: two slots per thread, between 8 and 128 slots, entries
 * of up to 8 KiB of bytes (a session of a dozen claims with an access and a refresh token takes about 4 KiB). */
a0m_memo *a0m_memo_for_process(apr_pool_t *p, int threads);

/* A memo of `slots` slots for entries of up to `entry_bytes`, made in p (a process's pool); NULL on failure. */
a0m_memo *a0m_memo_create(apr_pool_t *p, unsigned slots, size_t entry_bytes);

/*
 * Making an entry: a0m_memo_entry_make() copies bytes[0..len) (followed by a NUL, not counted) into a new
 * entry with a pool of its own, where the putter builds its value from them; NULL when m is NULL, when
 * len passes the memo's entry_bytes, or out of memory. The bytes are wiped when the entry goes.
 */
a0m_memo_entry *a0m_memo_entry_make(a0m_memo *m, const void *bytes, size_t len);
apr_pool_t *a0m_memo_entry_pool(a0m_memo_entry *e);
const unsigned char *a0m_memo_entry_bytes(const a0m_memo_entry *e);

/*
 * Keeps e, whose value is `value` (made in e's pool, or its bytes), for owner, context and key until
 * `until`. The memo takes e in every case: one that is not kept (m NULL, a key shorter than 16 bytes,
 * until <= 0, bytes, context and key together past entry_bytes) is freed at once. e may be NULL.
 */
void a0m_memo_put(a0m_memo *m, const void *owner, const char *context, const void *key, size_t key_len,
                  int64_t until, a0m_memo_entry *e, const void *value);

/*
 * The value put for exactly this owner, context and key, if it counts at `now` (now < until), lent to
 * pool p: valid and unchanged until p is cleared or destroyed. NULL otherwise. m may be NULL (a miss).
 */
const void *a0m_memo_borrow(a0m_memo *m, apr_pool_t *p, const void *owner, const char *context, const void *key,
                            size_t key_len, int64_t now);

/*
 * The form of an entry's bytes made of a fixed header (a struct, copied as bytes) and n parts (strings with
 * their NUL, or other bytes): a0m_memo_pack() lays out the header, the parts' offsets and the parts (a
 * NULL part, or one of size 0, is absent); NULL when the whole passes 4 GiB. a0m_memo_unpack() copies the
 * header out of `data` and points parts[i] into it (NULL where absent); false when `data` is too short or
 * an offset points outside it.
 */
unsigned char *a0m_memo_pack(apr_pool_t *p, const void *head, size_t head_len, const void *const parts[],
                             const size_t sizes[], int n, size_t *len);
bool a0m_memo_unpack(const unsigned char *data, size_t len, void *head, size_t head_len,
                    const unsigned char *parts[], int n);

#endif
