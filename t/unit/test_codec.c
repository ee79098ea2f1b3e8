/*
 * mod_auth0/codec.c: the compact form sealed into cookies and the cache.
 * Values round-trip, compressed or not; a session deflated with the preset
 * dictionary is shorter than without it; values written by older versions
 * (deflated without the dictionary, or not deflated) still decode, so that
 * an upgrade logs nobody out; unknown flags, truncation and a dictionary
 * flag without deflate are refused.
 */
#include "tap.h"

#include <string.h>
#include <zlib.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "../../mod_auth0/mod_auth0.h"

static apr_pool_t *pool;

/* The shape of a session's ID-token claims (codec.c's dictionary is meant for these). */
static const char CLAIMS[] =
	"{\"given_name\":\"Jane\",\"family_name\":\"Doe\",\"nickname\":\"jane.doe\",\"name\":\"Jane Doe\","
	"\"picture\":\"https://lh3.googleusercontent.com/a/ACg8ocJ4kQ3nL0u8o5Yb1z2x3c4v5b6n=s96-c\",\"locale\":\"en\","
	"\"updated_at\":\"2026-11-20T10:11:12.345Z\",\"email\":\"jane.doe@gmail.com\",\"email_verified\":true,"
	"\"iss\":\"https://acme.eu.auth0.com/\",\"aud\":\"Xk2JdLq9sP0aBcDeFgHiJkLmNoPqRsTu\",\"iat\":1795936412,"
	"\"exp\":1795972412,\"sub\":\"google-oauth2|104567890123456789012\",\"sid\":\"hQ8Jk2LmN4pR6sT8vX0zB2dF4hJ6kL8m\"}";

static const unsigned char *session_form(bool compress, size_t *len)
{
	a0m_codec *w = a0m_codec_new(pool, 64);
	a0m_codec_int(w, 1, 1795936412);
	a0m_codec_str(w, 5, "google-oauth2|104567890123456789012");
	a0m_codec_str(w, 10, CLAIMS);
	return a0m_codec_finish(w, compress, len);
}

static bool holds_session(const unsigned char *data, size_t len)
{
	a0m_decoded d;
	return a0m_codec_decode(pool, data, len, &d) && d.num[1] == 1795936412 && d.str[5] &&
	       strcmp(d.str[5], "google-oauth2|104567890123456789012") == 0 && d.str[10] &&
	       strcmp(d.str[10], CLAIMS) == 0 && !d.str[2];
}

/* The same fields deflated the way versions before the dictionary did (flags 1). */
static unsigned char *without_dictionary(const unsigned char *plain, size_t plain_len, size_t *len)
{
	size_t body = plain_len - 3;
	uLongf cap = compressBound((uLong)body);
	unsigned char *out = apr_palloc(pool, 7 + cap);
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	zs.next_in = (Bytef *)plain + 3;
	zs.avail_in = (uInt)body;
	zs.next_out = out + 7;
	zs.avail_out = (uInt)cap;
	int rc = deflate(&zs, Z_FINISH);
	*len = 7 + zs.total_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END)
		return NULL;
	memcpy(out, plain, 2);
	out[2] = 1;
	out[3] = (unsigned char)body;
	out[4] = (unsigned char)(body >> 8);
	out[5] = out[6] = 0;
	return out;
}

static void test_round_trip(void)
{
	size_t plain_len = 0, packed_len = 0;
	const unsigned char *plain = session_form(false, &plain_len);
	const unsigned char *packed = session_form(true, &packed_len);
	is_int(plain[2], 0, "uncompressed: flags 0");
	ok(holds_session(plain, plain_len), "an uncompressed value decodes");
	is_int(packed[2], 3, "compressed: deflated (1) with the dictionary (2)");
	ok(holds_session(packed, packed_len), "a compressed value decodes");
	size_t old_len = 0;
	const unsigned char *old = without_dictionary(plain, plain_len, &old_len);
	ok(old && holds_session(old, old_len), "a value deflated without the dictionary (older versions) decodes");
	ok(old && packed_len + 60 < old_len, "the dictionary saves at least 60 bytes of this session (%zu vs %zu)",
	   packed_len, old_len);
	ok(packed_len * 2 < plain_len, "deflated to less than half (%zu of %zu)", packed_len, plain_len);
}

static void test_refused(void)
{
	size_t len = 0, plain_len = 0;
	const unsigned char *packed = session_form(true, &len);
	const unsigned char *plain = session_form(false, &plain_len);
	a0m_decoded d;
	unsigned char *bad = apr_pmemdup(pool, packed, len);
	bad[2] = 1;
	ok(!a0m_codec_decode(pool, bad, len, &d), "a dictionary value read without the dictionary is refused");
	bad = apr_pmemdup(pool, plain, plain_len);
	bad[2] = 2;
	ok(!a0m_codec_decode(pool, bad, plain_len, &d), "the dictionary flag without deflate is refused");
	int accepted = 0;
	for (unsigned flag = 4; flag < 256; flag <<= 1) {
		bad = apr_pmemdup(pool, packed, len);
		bad[2] |= (unsigned char)flag;
		accepted += a0m_codec_decode(pool, bad, len, &d);
	}
	is_int(accepted, 0, "unknown flags (bits 2 to 7) are refused");
	ok(!a0m_codec_decode(pool, packed, len - 1, &d), "a truncated value is refused");
	bad = apr_pmemdup(pool, packed, len);
	bad[1] = 2;
	ok(!a0m_codec_decode(pool, bad, len, &d), "another version is refused");
}

int main(void)
{
	apr_initialize();
	apr_pool_create(&pool, NULL);
	test_round_trip();
	test_refused();
	apr_pool_destroy(pool);
	apr_terminate();
	return done_testing();
}
