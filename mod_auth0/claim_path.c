/*
 * Claim lookup and the identity encoding rules (documented in claim_path.h).
 * No httpd here, only APR pools and jansson, so that t/unit can test it.
 */
#include "claim_path.h"

#include <string.h>
#include <strings.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

/* Reals compare and travel with 15 significant digits: 0.1 is "0.1", not 0.10000000000000001. */
#define SCALAR_FLAGS (JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15))

/* ---- lookup ---------------------------------------------------------------------------------- */

/* `budget` bounds the dots tried over the whole lookup, so that crafted
 * nestings ("a", "a.a", ...) cannot make it expensive. */
static json_t *lookup(const json_t *obj, const char *name, size_t len, int *budget)
{
	json_t *v = json_object_getn(obj, name, len);
	if (v)
		return v;
	for (size_t i = 0; i < len && *budget > 0; i++) {
		if (name[i] != '.')
			continue;
		(*budget)--;
		json_t *sub = json_object_getn(obj, name, i);
		if (json_is_object(sub) && (v = lookup(sub, name + i + 1, len - i - 1, budget)))
			return v;
	}
	return NULL;
}

json_t *a0m_claim_lookup(const json_t *claims, const char *name)
{
	if (!json_is_object(claims) || !name || !*name)
		return NULL;
	int budget = 1 << A0M_CLAIM_MAX_DOTS;
	/* a name with more dots than we try is looked up as a whole only */
	int dots = 0;
	for (const char *s = name; *s; s++)
		dots += *s == '.';
	if (dots > A0M_CLAIM_MAX_DOTS)
		budget = 0;
	return lookup(claims, name, strlen(name), &budget);
}

/* ---- scalars ---------------------------------------------------------------------------------- */

/* JSON text of a number or boolean into buf; false for other types or when it does not fit. */
static bool number_text(const json_t *v, char *buf, size_t size)
{
	if (!json_is_number(v) && !json_is_boolean(v))
		return false;
	size_t n = json_dumpb(v, buf, size - 1, SCALAR_FLAGS);
	if (n == 0 || n >= size)
		return false;
	buf[n] = '\0';
	return true;
}

const char *a0m_claim_scalar_text(apr_pool_t *p, const json_t *v)
{
	if (json_is_string(v))
		return apr_pstrmemdup(p, json_string_value(v), json_string_length(v));
	char buf[64];
	return number_text(v, buf, sizeof(buf)) ? apr_pstrdup(p, buf) : NULL;
}

static bool scalar_matches(const json_t *v, const char *text)
{
	if (json_is_string(v))
		return strlen(text) == json_string_length(v) && strcmp(json_string_value(v), text) == 0;
	char buf[64];
	return number_text(v, buf, sizeof(buf)) && strcmp(buf, text) == 0;
}

bool a0m_claim_matches(const json_t *v, const char *text)
{
	if (!v || !text)
		return false;
	if (!json_is_array(v))
		return scalar_matches(v, text);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
		if (scalar_matches(e, text))
			return true;
	return false;
}

/* ---- names ------------------------------------------------------------------------------------ */

char *a0m_claim_header_suffix(apr_pool_t *p, const char *name)
{
	if (!name)
		return NULL;
	if (strncasecmp(name, "https://", 8) == 0)
		name += 8;
	else if (strncasecmp(name, "http://", 7) == 0)
		name += 7;
	if (!*name)
		return NULL;
	char *s = apr_pstrdup(p, name);
	for (char *c = s; *c; c++)
		if (!apr_isalnum(*c) && *c != '-')
			*c = '-';
	return s;
}

/* ---- values ------------------------------------------------------------------------------------ */

static bool must_encode(unsigned char b, bool in_array)
{
	return b < 0x20 || b >= 0x7f || b == '%' || (in_array && b == ',');
}

/* Appends the encoding of s[0..n) to out (NULL: only counts); returns the length. */
static size_t encode_bytes(char *out, const char *s, size_t n, bool in_array)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		bool edge_space = b == ' ' && (i == 0 || i == n - 1);
		if (must_encode(b, in_array) || edge_space) {
			if (out) {
				out[k] = '%';
				out[k + 1] = hex[b >> 4];
				out[k + 2] = hex[b & 15];
			}
			k += 3;
		} else {
			if (out)
				out[k] = (char)b;
			k++;
		}
	}
	return k;
}

static char *encode_string(apr_pool_t *p, const char *s, size_t n)
{
	size_t len = encode_bytes(NULL, s, n, false);
	char *out = apr_palloc(p, len + 1);
	encode_bytes(out, s, n, false);
	out[len] = '\0';
	return out;
}

static bool is_flat_array(const json_t *v)
{
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
		if (!json_is_string(e) && !json_is_number(e) && !json_is_boolean(e))
			return false;
	return true;
}

static char *encode_flat_array(apr_pool_t *p, const json_t *v)
{
	/* two passes: the length, then the text */
	size_t total = 0, i;
	json_t *e;
	char num[64];
	for (int pass = 0; pass < 2; pass++) {
		char *out = pass ? apr_palloc(p, total + 1) : NULL;
		size_t k = 0;
		json_array_foreach(v, i, e) {
			if (i > 0) {
				if (out)
					out[k] = ',';
				k++;
			}
			if (json_is_string(e))
				k += encode_bytes(out ? out + k : NULL, json_string_value(e), json_string_length(e), true);
			else if (number_text(e, num, sizeof(num)))
				k += encode_bytes(out ? out + k : NULL, num, strlen(num), true);
		}
		if (out) {
			out[k] = '\0';
			return out;
		}
		total = k;
	}
	return NULL;
}

char *a0m_claim_encode(apr_pool_t *p, const json_t *v)
{
	char num[64];
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return encode_string(p, json_string_value(v), json_string_length(v));
	if (number_text(v, num, sizeof(num)))
		return apr_pstrdup(p, num);
	if (json_is_array(v) && is_flat_array(v))
		return encode_flat_array(p, v);
	/* objects and nested arrays: compact JSON, as UTF-8 (encoded below), keys in token order */
	char *json = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
	if (!json)
		return NULL;
	char *out = encode_string(p, json, strlen(json));
	free(json);
	return out;
}

/* ---- the identity block -------------------------------------------------------------------------- */

/* Whether name is one of list's space-delimited names (read in place: this runs for every claim of every
 * session a process opens). */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	if (!n || strchr(name, ' '))
		return false;
	for (const char *at = strstr(list, name); at; at = strstr(at + 1, name))
		if (at > list && at[-1] == ' ' && at[n] == ' ')
			return true;
	return false;
}

/* Whether except leaves name out: named in it, or, for "+ a b ", not named. */
static bool excepted(const char *except, const char *name)
{
	if (!except)
		return false;
	return except[0] == '+' ? !listed(except + 1, name) : listed(except, name);
}

char *a0m_claims_render(apr_pool_t *p, const json_t *claims)
{
	return a0m_claims_render_except(p, claims, NULL);
}

char *a0m_claims_render_except(apr_pool_t *p, const json_t *claims, const char *except)
{
	if (!json_is_object(claims))
		return NULL;
	apr_array_header_t *parts = apr_array_make(p, 16 * 4, sizeof(const char *));
	apr_hash_t *seen = apr_hash_make(p);
	const char *name;
	json_t *value;
	json_object_foreach((json_t *)claims, name, value) {
		if (excepted(except, name))
			continue;
		char *suffix = a0m_claim_header_suffix(p, name);
		/* the names of the access token, its expiry and the ID token (claims.c), which no claim may take */
		if (!suffix || strcasecmp(suffix, "Access-Token") == 0 || strcasecmp(suffix, "Access-Token-Expires") == 0 ||
		    strcasecmp(suffix, "ID-Token") == 0)
			continue;
		char *folded = apr_pstrdup(p, suffix);
		for (char *f = folded; *f; f++)
			*f = (char)apr_tolower(*f);
		if (apr_hash_get(seen, folded, APR_HASH_KEY_STRING))
			continue; /* an earlier claim has this name: it wins */
		char *enc = a0m_claim_encode(p, value);
		if (!enc)
			continue;
		apr_hash_set(seen, folded, APR_HASH_KEY_STRING, folded);
		*(const char **)apr_array_push(parts) = suffix;
		*(const char **)apr_array_push(parts) = "\t";
		*(const char **)apr_array_push(parts) = enc;
		*(const char **)apr_array_push(parts) = "\n";
	}
	return apr_array_pstrcat(p, parts, 0);
}
