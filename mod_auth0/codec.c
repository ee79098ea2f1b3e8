/*
 * The compact binary form of what the module seals into cookies and the
 * shared cache (sessions, login transactions, refresh results).
 *
 *     magic 'a' | version 1 | flags | [u32 inflated length] | fields
 *     field: tag (1) | length (u32, little endian) | bytes | NUL
 *
 * Every field ends with a NUL, so after one decode the strings can be used
 * where they lie, without copies; integers are 8 bytes. Unknown tags are
 * skipped (older modules read newer values). Decoding a session on every
 * request is one walk over this buffer: no JSON.
 *
 * flags bit 0: the fields are raw-deflated (zlib); bit 1: with DICTIONARY
 * (below) preset. Sessions with large claims (hundreds of groups) stay within
 * what browsers and httpd accept in cookies, and a typical session cookie is
 * half the size, which every request pays for (httpd scans each byte of the
 * Cookie header, about four instructions a byte). Inflating is paid once per
 * process and session: each process keeps the sessions it opened in its memo
 * (memo.h).
 *
 * Compression next to secrets leaks through lengths only when an attacker
 * can put chosen bytes into the same compressed value as a secret and watch
 * its length many times over (CRIME, BREACH). A session holds its own user's
 * claims, issued by the tenant, and its own tokens; nothing a third party
 * sends (a URL, a parameter) is written into it.
 */
#include "mod_auth0.h"

#include <zlib.h>

#define MAGIC 'a'
#define VERSION 1
#define FLAG_DEFLATED 1
#define FLAG_DICTIONARY 2
/* Nothing we encode inflates to more than this: a bigger claim is a bomb, not a session. */
#define MAX_INFLATED (1u << 20)
/* Below this deflate saves too little to be worth its header. */
#define COMPRESS_MIN 256

/*
 * Deflate's preset dictionary: what ID-token claims (the bulk of a session) typically hold, so that even
 * their first occurrence in a value is a short back-reference. Values deflated with it say so (flag bit
 * 1): never change these bytes; a better dictionary needs a flag of its own.
 */
static const char DICTIONARY[] =
	"\"https://s.gravatar.com/avatar/\",\"https://lh3.googleusercontent.com/a/\",\"https://platform-lookaside."
	"fbsbx.com/\",\"google-oauth2|\",\"windowslive|\",\"facebook|\",\"github|\",\"apple|\",\"samlp|\",\"waad|\","
	"\"oidc|\",\"email|\",\"sms|\",\"locale\":\"en\",\"org_id\":\"org_\",\"org_name\":\"\",\"phone_number\":\"+1\","
	"\"phone_number_verified\":false,\"roles\":[],\"groups\":[],\"permissions\":[],\"https://\",\"email_verified\""
	":false,\"auth_time\":1,\"updated_at\":\"20T00:00:00.000Z\",\"nickname\":\"\",\"name\":\"\",\"given_name\":\"\""
	",\"family_name\":\"\",\"picture\":\"https://\",\"email\":\"@gmail.com\",\"email_verified\":true,\"iss\":"
	"\"https://.auth0.com/\",\"sub\":\"auth0|\",\"aud\":\"\",\"iat\":1,\"exp\":1,\"sid\":\"\",\"sub\"";

struct a0m_codec {
	apr_pool_t *pool;
	unsigned char *buf;
	size_t len, cap;
};

a0m_codec *a0m_codec_new(apr_pool_t *p, size_t hint)
{
	a0m_codec *w = apr_pcalloc(p, sizeof(*w));
	w->pool = p;
	w->cap = hint < 256 ? 256 : hint;
	w->buf = apr_palloc(p, w->cap);
	w->buf[0] = MAGIC;
	w->buf[1] = VERSION;
	w->buf[2] = 0;
	w->len = 3;
	return w;
}

static void reserve(a0m_codec *w, size_t more)
{
	if (w->len + more <= w->cap)
		return;
	size_t cap = w->cap * 2;
	while (cap < w->len + more)
		cap *= 2;
	unsigned char *b = apr_palloc(w->pool, cap);
	memcpy(b, w->buf, w->len);
	w->buf = b;
	w->cap = cap;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_field(a0m_codec *w, unsigned tag, const void *data, size_t len)
{
	reserve(w, len + 6);
	w->buf[w->len] = (unsigned char)tag;
	put_u32(w->buf + w->len + 1, (uint32_t)len);
	memcpy(w->buf + w->len + 5, data, len);
	w->buf[w->len + 5 + len] = '\0';
	w->len += len + 6;
}

void a0m_codec_str(a0m_codec *w, unsigned tag, const char *s)
{
	if (s && tag < A0M_CODEC_TAGS)
		put_field(w, tag, s, strlen(s));
}

void a0m_codec_int(a0m_codec *w, unsigned tag, int64_t v)
{
	unsigned char b[8];
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(u >> (8 * i));
	if (tag < A0M_CODEC_TAGS)
		put_field(w, tag, b, sizeof(b));
}

const unsigned char *a0m_codec_finish(a0m_codec *w, bool compress, size_t *len)
{
	size_t body = w->len - 3;
	if (compress && body >= COMPRESS_MIN) {
		uLongf out_len = compressBound((uLong)body);
		unsigned char *out = apr_palloc(w->pool, 7 + out_len);
		z_stream zs;
		memset(&zs, 0, sizeof(zs));
		/* raw deflate: the AEAD already guards integrity, no need for zlib's header and checksum */
		if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK &&
		    deflateSetDictionary(&zs, (const Bytef *)DICTIONARY, sizeof(DICTIONARY) - 1) == Z_OK) {
			zs.next_in = w->buf + 3;
			zs.avail_in = (uInt)body;
			zs.next_out = out + 7;
			zs.avail_out = (uInt)out_len;
			int rc = deflate(&zs, Z_FINISH);
			size_t produced = zs.total_out;
			deflateEnd(&zs);
			if (rc == Z_STREAM_END && produced + 4 < body) {
				out[0] = MAGIC;
				out[1] = VERSION;
				out[2] = FLAG_DEFLATED | FLAG_DICTIONARY;
				put_u32(out + 3, (uint32_t)body);
				*len = 7 + produced;
				return out;
			}
		}
	}
	*len = w->len;
	return w->buf;
}

static const unsigned char *inflate_body(apr_pool_t *p, const unsigned char *in, size_t in_len, size_t size,
                                        bool dictionary)
{
	if (size == 0 || size > MAX_INFLATED)
		return NULL;
	unsigned char *out = apr_palloc(p, size);
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -15) != Z_OK)
		return NULL;
	/* raw inflate takes the dictionary before any input */
	if (dictionary && inflateSetDictionary(&zs, (const Bytef *)DICTIONARY, sizeof(DICTIONARY) - 1) != Z_OK) {
		inflateEnd(&zs);
		return NULL;
	}
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)in_len;
	zs.next_out = out;
	zs.avail_out = (uInt)size;
	int rc = inflate(&zs, Z_FINISH);
	bool ok = rc == Z_STREAM_END && zs.total_out == size && zs.avail_in == 0;
	inflateEnd(&zs);
	return ok ? out : NULL;
}

bool a0m_codec_decode(apr_pool_t *p, const unsigned char *data, size_t len, a0m_decoded *out)
{
	memset(out, 0, sizeof(*out));
	if (!data || len < 3 || data[0] != MAGIC || data[1] != VERSION)
		return false;
	const unsigned char *body = data + 3;
	size_t body_len = len - 3;
	if (data[2] == FLAG_DEFLATED || data[2] == (FLAG_DEFLATED | FLAG_DICTIONARY)) {
		if (len < 7)
			return false;
		body_len = get_u32(data + 3);
		body = inflate_body(p, data + 7, len - 7, body_len, data[2] & FLAG_DICTIONARY);
		if (!body)
			return false;
	} else if (data[2] != 0) {
		return false;
	}
	size_t at = 0;
	while (at < body_len) {
		if (body_len - at < 6)
			return false;
		unsigned tag = body[at];
		size_t n = get_u32(body + at + 1);
		if (n > body_len - at - 6 || body[at + 5 + n] != '\0')
			return false;
		const char *value = (const char *)body + at + 5;
		if (tag < A0M_CODEC_TAGS) {
			if (n == 8) {
				uint64_t u = 0;
				for (int i = 7; i >= 0; i--)
					u = u << 8 | (unsigned char)value[i];
				/* Any 8-byte field reads as a number too (a string of 8 characters as well). Numbers are
				 * times (seconds or microseconds since the epoch): past 2^53 one reads as 0, absent, which
				 * keeps time + timeout arithmetic from overflowing (found by fuzzing). */
				out->num[tag] = u > A0M_CODEC_NUM_MAX ? 0 : (int64_t)u;
			}
			/* a string holding a NUL is damage: C code would read it cut short (what this module encodes
			 * comes from C strings) */
			out->str[tag] = memchr(value, '\0', n) ? NULL : value;
		}
		at += n + 6;
	}
	return true;
}
