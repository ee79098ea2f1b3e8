/*
 * mod_auth0/claim_path.c: claim lookup, matching, and the naming and value
 * encoding of the identity passed to backends. No network, no httpd.
 */
#include "tap.h"

#include <apr_general.h>
#include <apr_pools.h>

#include "../../mod_auth0/claim_path.h"

static apr_pool_t *pool;

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
	if (!j)
		diag("bad JSON in test: %s: %s", text, e.text);
	return j;
}

static const char *enc(const char *json)
{
	json_t *v = parse(json);
	const char *s = a0m_claim_encode(pool, v);
	json_decref(v);
	return s ? s : "(null)";
}

static const char *text_at(const json_t *claims, const char *name)
{
	const char *s = a0m_claim_scalar_text(pool, a0m_claim_lookup(claims, name));
	return s ? s : "(null)";
}

static void test_lookup(void)
{
	json_t *c = parse("{\"sub\":\"auth0|1\",\"app_metadata\":{\"plan\":\"gold\",\"n\":{\"x.y\":{\"z\":7}}},"
	                  "\"https://example.com/roles\":[\"admin\"],"
	                  "\"https://example.com/app\":{\"plan\":\"silver\"},"
	                  "\"a.b\":\"whole\",\"a\":{\"b\":\"nested\"},"
	                  "\"s\":\"str\",\"num\":42,\"f\":1.5,\"t\":true,\"nil\":null}");
	is_str(text_at(c, "sub"), "auth0|1", "plain name");
	is_str(text_at(c, "app_metadata.plan"), "gold", "dotted path into an object");
	is_str(text_at(c, "app_metadata.n.x.y.z"), "7", "a key containing a dot, inside a path (backtracking)");
	ok(json_is_array(a0m_claim_lookup(c, "https://example.com/roles")), "namespaced URL claim as a whole");
	is_str(text_at(c, "https://example.com/app.plan"), "silver", "path below a namespaced claim");
	is_str(text_at(c, "a.b"), "whole", "the whole name wins over a path");
	ok(a0m_claim_lookup(c, "app_metadata.missing") == NULL, "missing leaf");
	ok(a0m_claim_lookup(c, "s.x") == NULL, "no path through a string");
	ok(a0m_claim_lookup(c, "") == NULL, "empty name");
	ok(a0m_claim_lookup(c, "nope") == NULL, "missing claim");
	ok(a0m_claim_lookup(NULL, "sub") == NULL, "no claims");
	is_str(text_at(c, "num"), "42", "integer text");
	is_str(text_at(c, "f"), "1.5", "real text");
	is_str(text_at(c, "t"), "true", "boolean text");
	is_str(text_at(c, "nil"), "(null)", "null has no text");
	is_str(text_at(c, "app_metadata"), "(null)", "object has no text");

	/* many dots cannot make a lookup expensive; beyond the limit, the name is taken as a whole */
	json_t *deep = parse("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}},"
	                     "\"a.a.a.a.a.a.a.a.a.a\":2}");
	is_str(text_at(deep, "a.a.a.a.a.a.a.a.a.a"), "2", "a name with many dots: whole key");
	ok(json_is_object(a0m_claim_lookup(deep, "a.a.a.a.a.a.a.a.a")), "8 dots: still a path");
	json_object_del(deep, "a.a.a.a.a.a.a.a.a.a");
	ok(a0m_claim_lookup(deep, "a.a.a.a.a.a.a.a.a.a") == NULL, "9 dots: not tried as a path");
	json_decref(deep);
	json_decref(c);
}

static void test_matches(void)
{
	json_t *c = parse("{\"s\":\"gold\",\"n\":1001,\"r\":0.1,\"b\":false,\"arr\":[\"x\",2,true,{\"o\":1}],"
	                  "\"nil\":null,\"o\":{\"k\":\"v\"}}");
	ok(a0m_claim_matches(json_object_get(c, "s"), "gold"), "string equal");
	ok(!a0m_claim_matches(json_object_get(c, "s"), "Gold"), "strings are case-sensitive");
	ok(!a0m_claim_matches(json_object_get(c, "s"), "gol"), "no prefix match");
	ok(a0m_claim_matches(json_object_get(c, "n"), "1001"), "integer by its text");
	ok(!a0m_claim_matches(json_object_get(c, "n"), "1001.0"), "integer is not a real text");
	ok(a0m_claim_matches(json_object_get(c, "r"), "0.1"), "real by its short text");
	ok(a0m_claim_matches(json_object_get(c, "b"), "false"), "boolean by its text");
	ok(!a0m_claim_matches(json_object_get(c, "b"), "0"), "false is not 0");
	ok(a0m_claim_matches(json_object_get(c, "arr"), "x"), "array member (string)");
	ok(a0m_claim_matches(json_object_get(c, "arr"), "2"), "array member (number)");
	ok(a0m_claim_matches(json_object_get(c, "arr"), "true"), "array member (boolean)");
	ok(!a0m_claim_matches(json_object_get(c, "arr"), "y"), "not an array member");
	ok(!a0m_claim_matches(json_object_get(c, "arr"), "{\"o\":1}"), "objects in arrays never match");
	ok(!a0m_claim_matches(json_object_get(c, "nil"), "null"), "null never matches");
	ok(!a0m_claim_matches(json_object_get(c, "o"), "{\"k\":\"v\"}"), "objects never match");
	ok(!a0m_claim_matches(NULL, "x"), "absent claim");
	json_t *nul = json_stringn("a\0b", 3);
	ok(!a0m_claim_matches(nul, "a"), "a string with NUL does not match its prefix");
	json_decref(nul);
	json_decref(c);
}

static void test_names(void)
{
	is_str(a0m_claim_header_suffix(pool, "email"), "email", "plain name");
	is_str(a0m_claim_header_suffix(pool, "email_verified"), "email-verified", "underscore becomes -");
	is_str(a0m_claim_header_suffix(pool, "https://example.com/roles"), "example-com-roles", "https namespace");
	is_str(a0m_claim_header_suffix(pool, "HTTP://ex.com/a b"), "ex-com-a-b", "http namespace, space");
	is_str(a0m_claim_header_suffix(pool, "caf\xc3\xa9"), "caf--", "UTF-8 bytes become -");
	is_str(a0m_claim_header_suffix(pool, "x\r\nSet-Cookie: a"), "x--Set-Cookie--a", "no header injection");
	ok(a0m_claim_header_suffix(pool, "https://") == NULL, "empty after the scheme");
	ok(a0m_claim_header_suffix(pool, "") == NULL, "empty name");
}

static void test_encode(void)
{
	is_str(enc("\"alice@example.com\""), "alice@example.com", "ASCII string as is");
	is_str(enc("\"Zo\\u00eb \\u4e16\""), "Zo%C3%AB %E4%B8%96", "UTF-8 percent-encoded, inner space kept");
	is_str(enc("\" padded \""), "%20padded%20", "edge spaces encoded");
	is_str(enc("\" \""), "%20", "a lone space");
	is_str(enc("\"100% a,b\""), "100%25 a,b", "percent sign encoded, comma kept in a string");
	is_str(enc("\"a\\r\\nX-Evil: 1\\t\""), "a%0D%0AX-Evil: 1%09", "control characters encoded");
	is_str(enc("\"\\u007f\""), "%7F", "DEL encoded");
	is_str(enc("\"\""), "", "empty string");
	is_str(enc("42"), "42", "integer");
	is_str(enc("-1.25"), "-1.25", "real");
	is_str(enc("true"), "true", "true");
	is_str(enc("false"), "false", "false");
	is_str(enc("null"), "(null)", "null is not passed");
	is_str(enc("[\"a\",\"b,c\",\"d%\",1,false]"), "a,b%2Cc,d%25,1,false", "flat array joined with ,");
	is_str(enc("[]"), "", "empty array");
	is_str(enc("[\"\\u00e9\"]"), "%C3%A9", "UTF-8 in array");
	is_str(enc("{\"plan\":\"gold\",\"n\":1}"), "{\"plan\":\"gold\",\"n\":1}", "object as compact JSON, order kept");
	is_str(enc("{\"name\":\"Zo\\u00eb\",\"p\":\"5%\"}"), "{\"name\":\"Zo%C3%AB\",\"p\":\"5%25\"}",
	       "object with UTF-8 and %%");
	is_str(enc("[[1,2],\"a\"]"), "[[1,2],\"a\"]", "nested array as JSON");
	is_str(enc("[\"a\",null]"), "[\"a\",null]", "array with null as JSON");
	is_str(enc("{\"s\":\"line\\nbreak\"}"), "{\"s\":\"line\\nbreak\"}", "JSON escapes survive");
}

static void test_render(void)
{
	json_t *c = parse("{\"sub\":\"auth0|1\",\"email\":\"a@example.com\",\"https://example.com/roles\":[\"admin\","
	                  "\"x,y\"],\"nil\":null,\"Email\":\"dup\",\"access_token\":\"no\",\"https://\":1,"
	                  "\"name\":\"Zo\\u00eb\",\"access_token_expires\":\"no\",\"id_token\":\"no\",\"o\":{\"k\":[1]}}");
	is_str(a0m_claims_render(pool, c),
	       "sub\tauth0|1\nemail\ta@example.com\nexample-com-roles\tadmin,x%2Cy\nname\tZo%C3%AB\no\t{\"k\":[1]}\n",
	       "block: order kept; null, duplicate names, Access-Token, Access-Token-Expires, ID-Token and empty names "
	       "skipped");
	is_str(a0m_claims_render_except(pool, c, " email o https://example.com/roles "),
	       "sub\tauth0|1\nEmail\tdup\nname\tZo%C3%AB\n",
	       "except: the names listed go, and a later claim of the same header name takes the place");
	is_str(a0m_claims_render_except(pool, c, " mail sub.x name x xo e "),
	       "sub\tauth0|1\nemail\ta@example.com\nexample-com-roles\tadmin,x%2Cy\no\t{\"k\":[1]}\n",
	       "except: whole names only (not a part of one, nor a path)");
	is_str(a0m_claims_render_except(pool, c, " "), a0m_claims_render(pool, c), "except \" \": none left out");
	is_str(a0m_claims_render_except(pool, c, NULL), a0m_claims_render(pool, c), "except NULL: none left out");
	is_str(a0m_claims_render_except(pool, c, "+ name sub https://example.com/roles "),
	       "sub\tauth0|1\nexample-com-roles\tadmin,x%2Cy\nname\tZo%C3%AB\n",
	       "only (\"+ ...\"): the names listed pass, in token order");
	is_str(a0m_claims_render_except(pool, c, "+ email "), "email\ta@example.com\n",
	       "only: whole names, compared with case (Email is another claim)");
	is_str(a0m_claims_render_except(pool, c, "+ mail sub.x "), "", "only: no part of a name, nor a path");
	is_str(a0m_claims_render_except(pool, c, "+ access_token_expires id_token "), "",
	       "only: the names of the tokens stay reserved");
	json_t *spaced = parse("{\"a b\":\"1\",\"a\":\"2\",\"b\":\"3\"}");
	is_str(a0m_claims_render_except(pool, spaced, " a b "), "a-b\t1\n",
	       "except: a name with a space in it is never left out");
	is_str(a0m_claims_render_except(pool, spaced, "+ a b "), "a\t2\nb\t3\n",
	       "only: a name with a space in it never passes (no list can name it)");
	json_decref(spaced);
	/* stored blocks are trusted as made by the rules of their version (session.c) */
	is_int(A0M_CLAIMS_RENDER_VERSION, '3',
	       "the rules' version: bump A0M_CLAIMS_RENDER_VERSION with any change to the blocks expected here");
	json_t *empty = parse("{}");
	is_str(a0m_claims_render(pool, empty), "", "no claims: empty block");
	json_t *arr = parse("[1]");
	ok(a0m_claims_render(pool, arr) == NULL, "not an object");
	json_decref(arr);
	json_decref(empty);
	json_decref(c);
}

int main(void)
{
	apr_initialize();
	apr_pool_create(&pool, NULL);
	test_lookup();
	test_matches();
	test_names();
	test_encode();
	test_render();
	apr_pool_destroy(pool);
	apr_terminate();
	return done_testing();
}
