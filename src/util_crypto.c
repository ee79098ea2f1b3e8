/* Randomness, hashing and base64url, all from OpenSSL and cjose. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <cjose/base64.h>
#include <cjose/util.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

bool a0_random_bytes(void *buf, size_t len)
{
	return len <= INT32_MAX && RAND_bytes(buf, (int)len) == 1;
}

/* Copies a cjose-allocated buffer into a malloc()ed, NUL-terminated one. */
static char *from_cjose(char *s, size_t len)
{
	char *out = NULL;
	if (s) {
		out = malloc(len + 1);
		if (out) {
			memcpy(out, s, len);
			out[len] = '\0';
		}
		cjose_get_dealloc()(s);
	}
	return out;
}

char *a0_base64url_encode(const void *data, size_t len)
{
	char *enc = NULL;
	size_t enc_len = 0;
	cjose_err cerr;
	if (!cjose_base64url_encode(data, len, &enc, &enc_len, &cerr))
		return NULL;
	return from_cjose(enc, enc_len);
}

bool a0_cjose_oom(const cjose_err *err)
{
	return err->code == CJOSE_ERR_NO_MEMORY;
}

auth0_status a0_base64url_decode_status(const char *s, size_t len, unsigned char **out, size_t *out_len)
{
	uint8_t *dec = NULL;
	size_t dec_len = 0;
	cjose_err cerr = { .code = CJOSE_ERR_NONE };
	*out = NULL;
	*out_len = 0;
	/*
	 * Padding only at the end, and only to complete the last quantum: cjose
	 * 0.6 aborts the process (an assert) on "A=", "AAAAA=", ... so those
	 * never reach it. A lone last character (len % 4 == 1) is never valid.
	 */
	size_t data = len;
	while (data > 0 && s[data - 1] == '=')
		data--;
	if (data % 4 == 1 || (data < len && (len % 4 != 0 || len - data > 2)))
		return AUTH0_ERR_INVALID_ARGUMENT;
	/* cjose accepts the standard alphabet too; JOSE requires base64url only. */
	for (size_t i = 0; i < data; i++)
		if (s[i] == '+' || s[i] == '/' || s[i] == '=')
			return AUTH0_ERR_INVALID_ARGUMENT;
	if (!cjose_base64url_decode(s, data, &dec, &dec_len, &cerr))
		return a0_cjose_oom(&cerr) ? AUTH0_ERR_NO_MEMORY : AUTH0_ERR_INVALID_ARGUMENT;
	*out = (unsigned char *)from_cjose((char *)dec, dec_len);
	if (!*out)
		return AUTH0_ERR_NO_MEMORY;
	/*
	 * Only the one encoding of these bytes: cjose ignores the unused low bits
	 * of a last partial group, so a token whose last character differs in
	 * those bits would decode (and verify) like the original one.
	 */
	size_t partial = dec_len % 3;
	if (partial) {
		char *tail = a0_base64url_encode(*out + dec_len - partial, partial);
		auth0_status st = !tail ? AUTH0_ERR_NO_MEMORY
		                : memcmp(tail, s + data - (partial + 1), partial + 1) != 0 ? AUTH0_ERR_INVALID_ARGUMENT
		                                                                             : AUTH0_OK;
		free(tail);
		if (st != AUTH0_OK) {
			free(*out);
			*out = NULL;
			return st;
		}
	}
	*out_len = dec_len;
	return AUTH0_OK;
}

bool a0_base64url_decode(const char *s, size_t len, unsigned char **out, size_t *out_len)
{
	return a0_base64url_decode_status(s, len, out, out_len) == AUTH0_OK;
}

char *a0_random_string(size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof(buf) || !a0_random_bytes(buf, nbytes))
		return NULL;
	char *s = a0_base64url_encode(buf, nbytes);
	OPENSSL_cleanse(buf, sizeof(buf));
	return s;
}

char *a0_uuid4(void)
{
	unsigned char b[16];
	if (!a0_random_bytes(b, sizeof(b)))
		return NULL;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	return a0_asprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	                   b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
	                   b[12], b[13], b[14], b[15]);
}

void a0_sha256(const void *data, size_t len, unsigned char out[32])
{
	SHA256(data, len, out);
}

void a0_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	a0_sha256(data, len, md);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}
