/* A fake httpd for the module's fuzz targets: see harness.h. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_buckets.h>
#include <ap_expr.h>
#include <ap_mpm.h>
#include <ap_provider.h>
#include <http_core.h>
#include <mod_core.h>
#include <util_script.h>

#define PCRE2_CODE_UNIT_WIDTH 8 /* bytes, as httpd matches them (no PCRE2_UTF) */
#include <pcre2.h>

#define MODULE_INDEX 1 /* 0 is the core's (ap_get_core_module_config) */
#define VECTOR_SIZE 2

static apr_pool_t *global_pool;  /* lives as long as the process */
static apr_pool_t *input_pool;   /* one input's */
static a0m_keyring *keyring;
static bool verbose;

__attribute__((noreturn)) void fzm_fail(const char *why, const char *what)
{
	fprintf(stderr, "fuzz: %s: %s\n", why, what ? what : "(null)");
	abort();
}

/* ---- logging ------------------------------------------------------------------------------------ */

static void log_line(apr_pool_t *p, const char *file, int line, int level, const char *fmt, va_list ap)
{
	/* Formatted in any case, so that a bad format or argument shows. */
	const char *msg = apr_pvsprintf(p, fmt, ap);
	if (verbose)
		fprintf(stderr, "[%s:%d %d] %s\n", file, line, level & APLOG_LEVELMASK, msg);
}

void ap_log_rerror_(const char *file, int line, int module_index, int level, apr_status_t status,
                    const request_rec *r, const char *fmt, ...)
{
	(void)module_index;
	(void)status;
	va_list ap;
	va_start(ap, fmt);
	log_line(r->pool, file, line, level, fmt, ap);
	va_end(ap);
}

void ap_log_error_(const char *file, int line, int module_index, int level, apr_status_t status,
                   const server_rec *s, const char *fmt, ...)
{
	(void)module_index;
	(void)status;
	(void)s;
	va_list ap;
	va_start(ap, fmt);
	log_line(input_pool ? input_pool : global_pool, file, line, level, fmt, ap);
	va_end(ap);
}

/* ---- strings (after httpd 2.4 server/util.c) ------------------------------------------------------ */

char *ap_escape_logitem(apr_pool_t *p, const char *str)
{
	/* control characters, '"', '\\' and bytes >= 0x80 as \xHH (\" and \\ for those two) */
	if (!str)
		return NULL;
	char *out = apr_palloc(p, 4 * strlen(str) + 1), *o = out;
	for (const unsigned char *s = (const unsigned char *)str; *s; s++) {
		if (*s == '"' || *s == '\\') {
			*o++ = '\\';
			*o++ = (char)*s;
		} else if (*s < 0x20 || *s >= 0x7f) {
			static const char hex[] = "0123456789abcdef";
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[*s >> 4];
			*o++ = hex[*s & 15];
		} else {
			*o++ = (char)*s;
		}
	}
	*o = '\0';
	return out;
}

char *ap_escape_html2(apr_pool_t *p, const char *s, int toasc)
{
	size_t n = 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		n += (*c == '<' || *c == '>') ? 4 : *c == '&' ? 5 : *c == '"' ? 6 : (toasc && *c >= 0x80) ? 6 : 1;
	char *out = apr_palloc(p, n + 1), *o = out;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '<')
			o = stpcpy(o, "&lt;");
		else if (*c == '>')
			o = stpcpy(o, "&gt;");
		else if (*c == '&')
			o = stpcpy(o, "&amp;");
		else if (*c == '"')
			o = stpcpy(o, "&quot;");
		else if (toasc && *c >= 0x80)
			o += sprintf(o, "&#%3.3d;", *c);
		else
			*o++ = (char)*c;
	}
	*o = '\0';
	return out;
}

static char hex2c(const char *x)
{
	int hi = apr_isdigit(x[0]) ? x[0] - '0' : apr_tolower(x[0]) - 'a' + 10;
	int lo = apr_isdigit(x[1]) ? x[1] - '0' : apr_tolower(x[1]) - 'a' + 10;
	return (char)(hi * 16 + lo);
}

/* httpd's unescape_url(): OK, HTTP_BAD_REQUEST (a bad escape, left as it is) or HTTP_NOT_FOUND (an
 * encoded NUL or forbidden character, decoded anyway). */
static int unescape(char *url, const char *forbid)
{
	bool badesc = false, badpath = false;
	char *y = url ? strchr(url, '%') : NULL;
	if (!y)
		return OK;
	char *x = y;
	for (; *y; ++x, ++y) {
		if (*y != '%') {
			*x = *y;
		} else if (!apr_isxdigit(y[1]) || !apr_isxdigit(y[2])) {
			badesc = true;
			*x = '%';
		} else {
			char decoded = hex2c(y + 1);
			if (decoded == '\0' || (forbid && strchr(forbid, decoded)))
				badpath = true;
			*x = decoded;
			y += 2;
		}
	}
	*x = '\0';
	return badesc ? HTTP_BAD_REQUEST : badpath ? HTTP_NOT_FOUND : OK;
}

int ap_unescape_url(char *url)
{
	return unescape(url, "/");
}

int ap_unescape_urlencoded(char *query)
{
	for (char *s = query; s && *s; s++)
		if (*s == '+')
			*s = ' ';
	return unescape(query, NULL);
}

static char *substring_conf(apr_pool_t *p, const char *start, size_t len, char quote)
{
	char *result = apr_palloc(p, len + 1), *r = result;
	for (size_t i = 0; i < len; ++i) {
		if (start[i] == '\\' && (start[i + 1] == '\\' || (quote && start[i + 1] == quote)))
			*r++ = start[++i];
		else
			*r++ = start[i];
	}
	*r = '\0';
	return result;
}

char *ap_getword_conf(apr_pool_t *p, const char **line)
{
	const char *str = *line, *end;
	char *res;
	char quote;
	while (apr_isspace(*str))
		++str;
	if (!*str) {
		*line = str;
		return "";
	}
	if ((quote = *str) == '"' || quote == '\'') {
		end = str + 1;
		while (*end && *end != quote) {
			if (*end == '\\' && end[1] && (end[1] == quote || end[1] == '\\'))
				end += 2;
			else
				++end;
		}
		res = substring_conf(p, str + 1, (size_t)(end - str - 1), quote);
		if (*end == quote)
			++end;
	} else {
		end = str;
		while (*end && !apr_isspace(*end))
			++end;
		res = substring_conf(p, str, (size_t)(end - str), 0);
	}
	while (apr_isspace(*end))
		++end;
	*line = end;
	return res;
}

void ap_str_tolower(char *s)
{
	for (; *s; s++)
		*s = (char)apr_tolower(*s);
}

char *ap_strcasestr(const char *s1, const char *s2)
{
	if (!*s2)
		return (char *)s1;
	for (; *s1; s1++)
		if (strncasecmp(s1, s2, strlen(s2)) == 0)
			return (char *)s1;
	return NULL;
}

/* ---- requests, bodies, output --------------------------------------------------------------------- */

static char *body;
static size_t body_len, body_pos;
static char *output;
static size_t output_len, output_cap;

void fzm_body(const void *data, size_t len)
{
	body = apr_palloc(input_pool, len + 1);
	memcpy(body, data, len);
	body[len] = '\0';
	body_len = len;
	body_pos = 0;
}

const char *fzm_output(size_t *len)
{
	if (len)
		*len = output_len;
	return output ? output : "";
}

int ap_rwrite(const void *buf, int nbyte, request_rec *r)
{
	(void)r;
	if (nbyte < 0)
		return -1;
	if (output_len + (size_t)nbyte + 1 > output_cap) {
		size_t cap = 2 * (output_len + (size_t)nbyte + 1);
		char *o = apr_palloc(input_pool, cap);
		if (output_len)
			memcpy(o, output, output_len);
		output = o;
		output_cap = cap;
	}
	memcpy(output + output_len, buf, (size_t)nbyte);
	output_len += (size_t)nbyte;
	output[output_len] = '\0';
	return nbyte;
}

int ap_rvputs(request_rec *r, ...)
{
	va_list ap;
	va_start(ap, r);
	int n = 0;
	for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
		n += ap_rwrite(s, (int)strlen(s), r);
	va_end(ap);
	return n;
}

int ap_rprintf(request_rec *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *text = apr_pvsprintf(r->pool, fmt, ap);
	va_end(ap);
	return ap_rwrite(text, (int)strlen(text), r);
}

/* No ErrorDocument is configured (mod_core.h declares these). */
int ap_index_of_response(int status)
{
	(void)status;
	return 0;
}

char *ap_response_code_string(request_rec *r, int error_index)
{
	(void)r;
	(void)error_index;
	return NULL;
}

/* No ErrorDocument is configured here (above), so pages.c never looks one up with a sub-request. */
request_rec *ap_sub_req_method_uri(const char *method, const char *new_uri, const request_rec *r,
                                   ap_filter_t *next_filter)
{
	(void)method;
	(void)new_uri;
	(void)r;
	(void)next_filter;
	abort();
}

void ap_destroy_sub_req(request_rec *r)
{
	(void)r;
	abort();
}

/* The access-denied page (denied.c) is made in an insert_error_filter hook, which never runs here. */
void ap_custom_response(request_rec *r, int status, const char *string)
{
	(void)r;
	(void)status;
	(void)string;
	abort();
}

char *ap_escape_urlencoded(apr_pool_t *p, const char *s)
{
	(void)p;
	(void)s;
	abort();
}

/* ---- regular expressions ------------------------------------------------------------------------ */

/* httpd 2.4's ap_regex functions (server/util_pcre.c, server/util.c) on PCRE2, as a server built with
 * PCRE2 runs them, so that the module's expressions (Require auth0-claim-match, Auth0UserClaim) are
 * fuzzed with PCRE's syntax and leftmost-first matching, under the options httpd adds. Checked at start-up
 * by check_regex(). */

/* What httpd adds to an expression compiled without AP_REG_NO_DEFAULT: RegexDefaultOptions, whose default
 * is AP_REG_DEFAULT (DOTALL and DOLLAR_ENDONLY); the harness has no such directive. */
#define REGEX_DEFAULT_CFLAGS AP_REG_DEFAULT

int ap_regcomp(ap_regex_t *preg, const char *pattern, int cflags)
{
	if (!(cflags & AP_REG_NO_DEFAULT))
		cflags |= REGEX_DEFAULT_CFLAGS;
	/* AP_REG_EXTENDED and AP_REG_NOSUB are 0 in httpd 2.4: the syntax is PCRE's, and groups are always
	 * captured. httpd always allows duplicate group names. */
	uint32_t options = PCRE2_DUPNAMES;
	if (cflags & AP_REG_ICASE)
		options |= PCRE2_CASELESS;
	if (cflags & AP_REG_NEWLINE)
		options |= PCRE2_MULTILINE;
	if (cflags & AP_REG_DOTALL)
		options |= PCRE2_DOTALL;
	if (cflags & AP_REG_DOLLAR_ENDONLY)
		options |= PCRE2_DOLLAR_ENDONLY;
	int errcode = 0;
	PCRE2_SIZE erroffset = 0;
	preg->re_pcre =
	    pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &errcode, &erroffset, NULL);
	preg->re_erroffset = erroffset;
	/* httpd answers AP_REG_ESPACE only for PCRE1's "failed to get memory" (21), a code PCRE2's compile
	 * errors (from 101) never have: any failure is AP_REG_INVARG */
	if (!preg->re_pcre)
		return AP_REG_INVARG;
	uint32_t groups = 0;
	pcre2_pattern_info(preg->re_pcre, PCRE2_INFO_CAPTURECOUNT, &groups);
	preg->re_nsub = (int)groups;
	return 0;
}

void ap_regfree(ap_regex_t *preg)
{
	pcre2_code_free(preg->re_pcre);
}

static apr_status_t free_regex(void *preg)
{
	ap_regfree(preg);
	return APR_SUCCESS;
}

ap_regex_t *ap_pregcomp(apr_pool_t *p, const char *pattern, int cflags)
{
	ap_regex_t *preg = apr_palloc(p, sizeof(*preg));
	if (ap_regcomp(preg, pattern, cflags) != 0)
		return NULL;
	apr_pool_cleanup_register(p, preg, free_regex, apr_pool_cleanup_null);
	return preg;
}

int ap_regexec_len(const ap_regex_t *preg, const char *buff, apr_size_t len, apr_size_t nmatch,
                   ap_regmatch_t *pmatch, int eflags)
{
	/* room for every group: pcre2_match does not answer 0 (ovector too small), taken as httpd does if it did */
	pcre2_match_data *data = pcre2_match_data_create((uint32_t)preg->re_nsub + 1, NULL);
	if (!data)
		return AP_REG_ESPACE;
	uint32_t options = 0;
	if (eflags & AP_REG_NOTBOL)
		options |= PCRE2_NOTBOL;
	if (eflags & AP_REG_NOTEOL)
		options |= PCRE2_NOTEOL;
	int rc = pcre2_match(preg->re_pcre, (PCRE2_SPTR)buff, len, 0, options, data, NULL);
	if (rc >= 0) {
		/* rc is one more than the highest group set; groups unset below it (and every slot above) are -1 */
		const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(data);
		apr_size_t n = rc ? (apr_size_t)rc : pcre2_get_ovector_count(data), i = 0;
		for (; i < n && i < nmatch; i++) {
			pmatch[i].rm_so = ov[2 * i] == PCRE2_UNSET ? -1 : (int)ov[2 * i];
			pmatch[i].rm_eo = ov[2 * i + 1] == PCRE2_UNSET ? -1 : (int)ov[2 * i + 1];
		}
		for (; i < nmatch; i++)
			pmatch[i].rm_so = pmatch[i].rm_eo = -1;
	}
	pcre2_match_data_free(data);
	if (rc >= 0)
		return 0;
	switch (rc) {
	case PCRE2_ERROR_NOMATCH:
		return AP_REG_NOMATCH;
	case PCRE2_ERROR_NULL:
	case PCRE2_ERROR_BADOPTION:
	case PCRE2_ERROR_BADMAGIC:
		return AP_REG_INVARG;
	case PCRE2_ERROR_NOMEMORY:
	case PCRE2_ERROR_MATCHLIMIT:
		return AP_REG_ESPACE;
	default:
		/* UTF-8 errors (AP_REG_INVARG in httpd) need PCRE2_UTF, which httpd never sets */
		return AP_REG_ASSERT;
	}
}

int ap_regexec(const ap_regex_t *preg, const char *string, apr_size_t nmatch, ap_regmatch_t *pmatch, int eflags)
{
	return ap_regexec_len(preg, string, strlen(string), nmatch, pmatch, eflags);
}

/* httpd's substitution: $0-$9 are the groups (nothing for a group unset or beyond nmatch), a backslash
 * takes the next character as it is (a last one stays), '&' is an ordinary character. Counts when out is
 * NULL; APR_ENOMEM when the length would overflow. */
static apr_status_t regsub(char *out, apr_size_t *outlen, const char *input, const char *source,
                           apr_size_t nmatch, const ap_regmatch_t pmatch[])
{
	apr_size_t len = 0;
	for (const char *q = input; *q; q++) {
		if (*q == '$' && apr_isdigit(q[1])) {
			apr_size_t n = (apr_size_t)(*++q - '0');
			if (n >= nmatch || pmatch[n].rm_so >= pmatch[n].rm_eo)
				continue;
			apr_size_t piece = (apr_size_t)(pmatch[n].rm_eo - pmatch[n].rm_so);
			if (APR_SIZE_MAX - len <= piece)
				return APR_ENOMEM;
			if (out)
				memcpy(out + len, source + pmatch[n].rm_so, piece);
			len += piece;
		} else {
			if (*q == '\\' && q[1])
				q++;
			if (out)
				out[len] = *q;
			len++;
		}
	}
	*outlen = len;
	return APR_SUCCESS;
}

apr_status_t ap_pregsub_ex(apr_pool_t *p, char **result, const char *input, const char *source, apr_size_t nmatch,
                           ap_regmatch_t pmatch[], apr_size_t maxlen)
{
	*result = NULL;
	if (!source || nmatch > AP_MAX_REG_MATCH)
		return APR_EINVAL;
	apr_size_t len = 0;
	if (!nmatch) {
		/* no substitution at all, backslashes included */
		len = strlen(input);
		if (maxlen > 0 && len >= maxlen)
			return APR_ENOMEM;
		*result = apr_pstrmemdup(p, input, len);
		return APR_SUCCESS;
	}
	apr_status_t rv = regsub(NULL, &len, input, source, nmatch, pmatch);
	if (rv != APR_SUCCESS)
		return rv;
	if (maxlen > 0 && len >= maxlen)
		return APR_ENOMEM; /* maxlen counts the terminating NUL */
	char *out = apr_palloc(p, len + 1);
	regsub(out, &len, input, source, nmatch, pmatch);
	out[len] = '\0';
	*result = out;
	return APR_SUCCESS;
}

/* Known answers of httpd's PCRE2 functions, checked when a target starts: the fuzzing of the module's
 * expressions must not fall back, unseen, to another engine's semantics (the C library's POSIX ERE, which
 * this harness once used, answers "0,2" to the first, being leftmost-longest, and lacks PCRE's syntax). */
static const struct regex_case {
	const char *pattern;
	int cflags;
	const char *subject;
	int eflags;
	const char *want; /* "so,eo" of $0..$re_nsub, "no match" or "invalid" */
} regex_cases[] = {
	/* leftmost-first alternation */
	{ "a|ab", 0, "ab", 0, "0,1" },
	{ "^(auth0|auth0\\|)(.*)$", 0, "auth0|123", 0, "0,9 0,5 5,9" },
	/* PCRE syntax: \d, a lookahead, a lazy quantifier, a group that does not capture, a duplicate name */
	{ "^(\\d+)(?=@)", 0, "42@x", 0, "0,2 0,2" },
	{ "^(.+?)(?:@(.*))?$", 0, "a@b@c", 0, "0,5 0,1 2,5" },
	{ "(?<n>a)|(?<n>b)", 0, "b", 0, "0,1 -1,-1 0,1" },
	/* a group that took no part: -1 */
	{ "(x)?(y)", 0, "zy", 0, "1,2 -1,-1 1,2" },
	/* httpd's defaults (DOTALL, DOLLAR_ENDONLY), and AP_REG_NO_DEFAULT */
	{ "^a$", 0, "a\n", 0, "no match" },
	{ "^a$", AP_REG_NO_DEFAULT, "a\n", 0, "0,1" },
	{ "a.b", 0, "a\nb", 0, "0,3" },
	{ "a.b", AP_REG_NO_DEFAULT, "a\nb", 0, "no match" },
	/* the other flags */
	{ "^b", 0, "a\nb", 0, "no match" },
	{ "^b", AP_REG_NEWLINE, "a\nb", 0, "2,3" },
	{ "A", AP_REG_ICASE, "a", 0, "0,1" },
	{ "^a", 0, "a", AP_REG_NOTBOL, "no match" },
	{ "a$", 0, "a", AP_REG_NOTEOL, "no match" },
	{ "(", 0, "", 0, "invalid" },
};

static const char *regex_answer(apr_pool_t *p, const struct regex_case *t)
{
	ap_regex_t *re = ap_pregcomp(p, t->pattern, t->cflags);
	if (!re)
		return "invalid";
	ap_regmatch_t m[AP_MAX_REG_MATCH];
	int rc = ap_regexec(re, t->subject, AP_MAX_REG_MATCH, m, t->eflags);
	if (rc != 0)
		return rc == AP_REG_NOMATCH ? "no match" : "error";
	const char *got = NULL;
	for (int i = 0; i < AP_MAX_REG_MATCH; i++) {
		if (i <= re->re_nsub)
			got = apr_psprintf(p, "%s%s%d,%d", got ? got : "", got ? " " : "", m[i].rm_so, m[i].rm_eo);
		else if (m[i].rm_so != -1 || m[i].rm_eo != -1)
			return apr_psprintf(p, "%s, and slot %d set", got, i);
	}
	return got;
}

static void check_regex(void)
{
	apr_pool_t *p;
	apr_pool_create(&p, global_pool);
	for (size_t i = 0; i < sizeof(regex_cases) / sizeof(regex_cases[0]); i++) {
		const char *got = regex_answer(p, &regex_cases[i]);
		if (strcmp(got, regex_cases[i].want) != 0)
			fzm_fail("ap_regexec does not answer as httpd's",
			         apr_psprintf(p, "%s: %s, not %s", regex_cases[i].pattern, got, regex_cases[i].want));
	}
	/* substitution: a backslash escapes any character ('\x' is 'x', a last one stays), '&' is not $0, $9 is
	 * beyond the groups; maxlen counts the NUL; with nmatch 0 the input is taken as it is */
	ap_regex_t *re = ap_pregcomp(p, "(a)(b)", 0);
	ap_regmatch_t m[AP_MAX_REG_MATCH];
	char *out = NULL;
	if (!re || ap_regexec(re, "ab", AP_MAX_REG_MATCH, m, 0) != 0 ||
	    ap_pregsub_ex(p, &out, "\\$1=$1 \\x $2$9 & \\", "ab", AP_MAX_REG_MATCH, m, APR_SIZE_MAX) != APR_SUCCESS ||
	    strcmp(out, "$1=a x b & \\") != 0)
		fzm_fail("ap_pregsub_ex does not substitute as httpd's", out);
	if (ap_pregsub_ex(p, &out, "$2$1", "ab", AP_MAX_REG_MATCH, m, 2) != APR_ENOMEM || out ||
	    ap_pregsub_ex(p, &out, "$2$1", "ab", AP_MAX_REG_MATCH, m, 3) != APR_SUCCESS || strcmp(out, "ba") != 0 ||
	    ap_pregsub_ex(p, &out, "\\$1", "ab", 0, m, 0) != APR_SUCCESS || strcmp(out, "\\$1") != 0)
		fzm_fail("ap_pregsub_ex does not take maxlen or nmatch 0 as httpd's", out);
	apr_pool_destroy(p);
}

void ap_set_content_type(request_rec *r, const char *ct)
{
	r->content_type = ct;
}

void ap_set_content_length(request_rec *r, apr_off_t length)
{
	apr_table_setn(r->headers_out, "Content-Length", apr_off_t_toa(r->pool, length));
}

int ap_discard_request_body(request_rec *r)
{
	(void)r;
	body_pos = body_len;
	return OK;
}

/* mod_auth0.c's start-up checks merge configuration vectors; no target runs them */
ap_conf_vector_t *ap_merge_per_dir_configs(apr_pool_t *p, ap_conf_vector_t *base, ap_conf_vector_t *new_conf)
{
	(void)p;
	(void)new_conf;
	return base;
}

int ap_is_initial_req(request_rec *r)
{
	return !r->main && !r->prev;
}

/* The body, through the input filters as body.c reads it: in pieces, as the network would deliver it, then
 * EOS. */
apr_status_t ap_get_brigade(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode, apr_read_type_e block,
                            apr_off_t readbytes)
{
	(void)f;
	(void)mode;
	(void)block;
	size_t n = body_len - body_pos;
	if (readbytes > 0 && n > (size_t)readbytes)
		n = (size_t)readbytes;
	if (n > 1000)
		n = 1000;
	if (n) {
		apr_status_t rv = apr_brigade_write(bb, NULL, NULL, body + body_pos, n);
		body_pos += n;
		return rv;
	}
	APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
	return APR_SUCCESS;
}

int ap_map_http_request_error(apr_status_t rv, int status)
{
	(void)rv;
	return status;
}

int ap_parse_form_data(request_rec *r, struct ap_filter_t *f, apr_array_header_t **ptr, apr_size_t num,
                       apr_size_t size)
{
	(void)f;
	apr_array_header_t *pairs = apr_array_make(r->pool, 4, sizeof(ap_form_pair_t));
	*ptr = pairs;
	const char *ct = apr_table_get(r->headers_in, "Content-Type");
	if (r->method_number != M_POST || !ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return ap_discard_request_body(r);
	if (body_len - body_pos > size)
		return HTTP_REQUEST_ENTITY_TOO_LARGE;
	char *data = apr_pstrmemdup(r->pool, body + body_pos, body_len - body_pos), *last = NULL;
	body_pos = body_len;
	apr_bucket_alloc_t *ba = apr_bucket_alloc_create(r->pool);
	for (char *pair = apr_strtok(data, "&", &last); pair; pair = apr_strtok(NULL, "&", &last)) {
		if (num != (apr_size_t)-1 && (apr_size_t)pairs->nelts >= num)
			break;
		char *eq = strchr(pair, '=');
		char *value = eq ? eq + 1 : (char *)"";
		if (eq)
			*eq = '\0';
		ap_unescape_urlencoded(pair);
		ap_unescape_urlencoded(value);
		ap_form_pair_t *fp = apr_array_push(pairs);
		fp->name = pair;
		fp->value = apr_brigade_create(r->pool, ba);
		apr_brigade_write(fp->value, NULL, NULL, value, strlen(value));
	}
	return OK;
}

const char *ap_expr_str_exec(request_rec *r, const ap_expr_info_t *expr, const char **err)
{
	(void)r;
	(void)expr;
	*err = "expressions are not supported by the fuzzing harness";
	return NULL;
}

int ap_find_etag_strong(apr_pool_t *p, const char *line, const char *tok)
{
	(void)p;
	return line && tok && strstr(line, tok) != NULL;
}

int ap_find_etag_weak(apr_pool_t *p, const char *line, const char *tok)
{
	return ap_find_etag_strong(p, line, tok);
}

const char *ap_auth_name(request_rec *r)
{
	return apr_table_get(r->notes, "fuzz:auth-name");
}

const char *ap_auth_type(request_rec *r)
{
	return r->ap_auth_type ? r->ap_auth_type : "Auth0";
}

const char *ap_get_server_name_for_url(request_rec *r)
{
	return r->hostname ? r->hostname : r->server->server_hostname;
}

apr_port_t ap_get_server_port(const request_rec *r)
{
	return r->server->port;
}

const char *ap_run_http_scheme(const request_rec *r)
{
	return r->server->server_scheme;
}

/* ---- configuration-time functions ----------------------------------------------------------------- */

typedef struct provider_entry {
	const char *name;
	const void *provider;
} provider_entry;
static provider_entry providers[16];
static size_t n_providers;

apr_status_t ap_register_auth_provider(apr_pool_t *pool, const char *provider_group,
                                       const char *provider_name, const char *provider_version,
                                       const void *provider, int type)
{
	(void)pool;
	(void)provider_group;
	(void)provider_version;
	(void)type;
	if (n_providers < sizeof(providers) / sizeof(providers[0]))
		providers[n_providers++] = (provider_entry){ provider_name, provider };
	return APR_SUCCESS;
}

const authz_provider *fzm_authz_provider(const char *name)
{
	for (size_t i = 0; i < n_providers; i++)
		if (strcmp(providers[i].name, name) == 0)
			return providers[i].provider;
	return NULL;
}

/* mod_auth0.c's child_init asks for the threads per process (never called by the targets). */
apr_status_t ap_mpm_query(int query_code, int *result)
{
	(void)query_code;
	*result = 1;
	return APR_SUCCESS;
}

const char *ap_check_cmd_context(cmd_parms *cmd, unsigned forbidden)
{
	(void)cmd;
	(void)forbidden;
	return NULL;
}

apr_array_header_t *ap_list_provider_names(apr_pool_t *pool, const char *provider_group,
                                           const char *provider_version)
{
	(void)provider_group;
	(void)provider_version;
	return apr_array_make(pool, 1, sizeof(ap_list_provider_names_t));
}

void *ap_lookup_provider(const char *provider_group, const char *provider_name, const char *provider_version)
{
	(void)provider_group;
	(void)provider_name;
	(void)provider_version;
	return NULL;
}

char *ap_server_root_relative(apr_pool_t *p, const char *fname)
{
	return apr_pstrcat(p, fname[0] == '/' ? "" : "/nonexistent/", fname, NULL);
}

void ap_add_version_component(apr_pool_t *pconf, const char *component)
{
	(void)pconf;
	(void)component;
}

/* Hooks: registered by the module at start-up, never run here. */
#define NO_HOOK(name)                                                                                 \
	void ap_hook_##name(ap_HOOK_##name##_t *pf, const char *const *pre, const char *const *succ, int order) \
	{                                                                                                 \
		(void)pf;                                                                                     \
		(void)pre;                                                                                    \
		(void)succ;                                                                                   \
		(void)order;                                                                                  \
	}
NO_HOOK(pre_config)
NO_HOOK(check_config)
NO_HOOK(post_config)
NO_HOOK(child_init)
NO_HOOK(handler)
NO_HOOK(header_parser)
NO_HOOK(note_auth_failure)
NO_HOOK(fixups)
NO_HOOK(access_checker)
NO_HOOK(insert_error_filter)
NO_HOOK(translate_name)
NO_HOOK(log_transaction)

/* mod_status's copy of the request line: nothing to update here. */
int ap_update_child_status(ap_sb_handle_t *sbh, int status, request_rec *r)
{
	(void)sbh;
	(void)r;
	return status;
}

/* The authentication and authorization hooks take the kind of configuration they run for, too. */
#define NO_AUTH_HOOK(name, hook_type)                                                                     \
	void ap_hook_##name(hook_type *pf, const char *const *pre, const char *const *succ, int order, int type) \
	{                                                                                                   \
		(void)pf;                                                                                       \
		(void)pre;                                                                                      \
		(void)succ;                                                                                     \
		(void)order;                                                                                    \
		(void)type;                                                                                     \
	}
NO_AUTH_HOOK(check_authn, ap_HOOK_check_user_id_t)
NO_AUTH_HOOK(check_authz, ap_HOOK_auth_checker_t)

/* ---- app.c and cache.c stand-ins ----------------------------------------------------------------------- */

static auth0_client *app_client;
static m_store app_store;

void a0m_app_post_config(void)
{
}

void a0m_app_child_init(apr_pool_t *pchild)
{
	(void)pchild;
}

auth0_client *a0m_app_client(request_rec *r, const a0m_dir_conf *c)
{
	(void)r;
	return c->domain ? app_client : NULL;
}

auth0_client *fzm_app_client(void)
{
	return app_client;
}

static apr_hash_t *cache;
static fzm_cache_mode cache_mode;
static const char *fill_prefix;
static fzm_cache_filler fill_fn;

typedef struct entry {
	unsigned char *value;
	size_t len;
} entry;

/* the redis-auth provider is a client of a Redis server: nothing of it is fuzzed here */
void a0m_socache_redis_register(apr_pool_t *p)
{
	(void)p;
}

void a0m_cache_pre_config(apr_pool_t *pconf)
{
	(void)pconf;
}

int a0m_cache_check_config(server_rec *s)
{
	(void)s;
	return OK;
}

apr_status_t a0m_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
	(void)pconf;
	(void)ptemp;
	(void)s;
	return APR_SUCCESS;
}

void a0m_cache_child_init(apr_pool_t *p, server_rec *s)
{
	(void)p;
	(void)s;
}

void fzm_cache_mode_set(fzm_cache_mode mode)
{
	cache_mode = mode;
}

void fzm_cache_fill(const char *prefix, fzm_cache_filler fn)
{
	fill_prefix = prefix;
	fill_fn = fn;
}

void fzm_cache_put(const char *key, const void *value, size_t len)
{
	entry *e = apr_palloc(input_pool, sizeof(*e));
	e->value = apr_pmemdup(input_pool, value, len + 1);
	e->len = len;
	apr_hash_set(cache, apr_pstrdup(input_pool, key), APR_HASH_KEY_STRING, e);
}

apr_status_t a0m_cache_set(server_rec *s, const char *key, const unsigned char *value, size_t len,
                           apr_time_t expires, apr_pool_t *p)
{
	(void)s;
	(void)expires;
	(void)p;
	if (cache_mode == FZM_CACHE_FAILS)
		return APR_EGENERAL;
	if (len > 100 * 1024)
		return APR_ENOSPC;
	fzm_cache_put(key, value, len);
	return APR_SUCCESS;
}

apr_status_t a0m_cache_get(server_rec *s, const char *key, unsigned char **value, size_t *len, apr_pool_t *p)
{
	(void)s;
	if (cache_mode == FZM_CACHE_FAILS)
		return APR_EGENERAL;
	entry *e = apr_hash_get(cache, key, APR_HASH_KEY_STRING);
	if (e) {
		*value = apr_pmemdup(p, e->value, e->len + 1);
		*len = e->len;
		return APR_SUCCESS;
	}
	if (fill_fn && strncmp(key, fill_prefix, strlen(fill_prefix)) == 0 && fill_fn(key, p, value, len))
		return APR_SUCCESS;
	return APR_NOTFOUND;
}

apr_status_t a0m_cache_remove(server_rec *s, const char *key, apr_pool_t *p)
{
	(void)s;
	(void)p;
	if (cache_mode == FZM_CACHE_FAILS)
		return APR_EGENERAL;
	apr_hash_set(cache, key, APR_HASH_KEY_STRING, NULL);
	return APR_SUCCESS;
}

apr_status_t a0m_cache_add(server_rec *s, const char *key, apr_time_t expires, apr_pool_t *p)
{
	unsigned char *v = NULL;
	size_t len = 0;
	apr_status_t rv = a0m_cache_get(s, key, &v, &len, p);
	if (rv == APR_SUCCESS)
		return APR_EEXIST;
	return rv == APR_NOTFOUND ? a0m_cache_set(s, key, (const unsigned char *)"1", 1, expires, p) : rv;
}

apr_status_t a0m_cache_replace(server_rec *s, const char *key, const unsigned char *value, size_t len,
                               apr_time_t expires, apr_pool_t *p)
{
	unsigned char *v = NULL;
	size_t n = 0;
	apr_status_t rv = a0m_cache_get(s, key, &v, &n, p);
	return rv == APR_SUCCESS ? a0m_cache_set(s, key, value, len, expires, p) : rv;
}

/* No change counters (as with redis or memcache): cache-store sessions are read from the cache every time. */
bool a0m_cache_version(const char *name, apr_uint32_t *version)
{
	(void)name;
	(void)version;
	return false;
}

void a0m_cache_changed(const char *name)
{
	(void)name;
}

apr_status_t a0m_cache_refresh_lock(const char *key, apr_time_t wait)
{
	(void)key;
	(void)wait;
	return APR_SUCCESS;
}

apr_status_t a0m_cache_refresh_unlock(const char *key)
{
	(void)key;
	return APR_SUCCESS;
}

/* No count of back-channel logouts (sessions are compared with the markers every 10 seconds), and a cache
 * that other hosts share. */
bool a0m_cache_logout_epoch(apr_uint32_t *epoch)
{
	(void)epoch;
	return false;
}

void a0m_cache_logout_recorded(void)
{
}

bool a0m_cache_host_local(void)
{
	return false;
}

/* A cache that answers, unless it was told to fail (the real one asks a provider that may consider its
 * server down). */
bool a0m_cache_answers(server_rec *s, apr_pool_t *p)
{
	(void)s;
	(void)p;
	return cache_mode != FZM_CACHE_FAILS;
}

/* ---- set-up ------------------------------------------------------------------------------------------- */

void fzm_init(void)
{
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	apr_initialize();
	apr_pool_create(&global_pool, NULL);
	check_regex();
	auth0_module.module_index = MODULE_INDEX;
	auth0_global_init();
	const char *secrets[] = { FZM_SESSION_SECRET };
	const char *why = NULL;
	keyring = a0m_keyring_derive(global_pool, secrets, 1, &why);
	if (!keyring)
		fzm_fail("keyring", why);
	/* what the module registers at start-up (authz providers) */
	auth0_module.register_hooks(global_pool);
	m_store_init(&app_store);
	fz_client_opts o = { .port = fz_tenant_port(), .static_token = true, .store = &app_store };
	app_client = fz_client(&o);
	fz_store_jwks(&app_store, app_client, NULL, 0);
}

a0m_keyring *fzm_keys(void)
{
	return keyring;
}

apr_pool_t *fzm_begin(void)
{
	/* an allocator of its own: everything the input allocated goes back to malloc at fzm_end */
	apr_allocator_t *alloc = NULL;
	if (apr_allocator_create(&alloc) != APR_SUCCESS ||
	    apr_pool_create_ex(&input_pool, NULL, NULL, alloc) != APR_SUCCESS)
		fzm_fail("pool", "cannot create");
	apr_allocator_owner_set(alloc, input_pool);
	cache = apr_hash_make(input_pool);
	cache_mode = FZM_CACHE_WORKS;
	fill_prefix = NULL;
	fill_fn = NULL;
	body = NULL;
	body_len = body_pos = 0;
	output = NULL;
	output_len = output_cap = 0;
	return input_pool;
}

void fzm_end(void)
{
	apr_pool_destroy(input_pool);
	input_pool = NULL;
	cache = NULL;
}

a0m_dir_conf *fzm_conf(apr_pool_t *p)
{
	a0m_dir_conf *c = auth0_module.create_dir_config(p, NULL);
	c->domain = FZM_DOMAIN;
	c->client_id = FZ_CLIENT_ID;
	c->client_secret = FZ_SECRET;
	c->redirect_uri = "/callback";
	c->logout_path = "/logout";
	c->keys = keyring;
	return c;
}

static int method_number(const char *m)
{
	static const struct {
		const char *name;
		int number;
	} methods[] = { { "GET", M_GET }, { "HEAD", M_GET }, { "POST", M_POST }, { "PUT", M_PUT },
		            { "DELETE", M_DELETE }, { "OPTIONS", M_OPTIONS }, { "PATCH", M_PATCH } };
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].number;
	return M_INVALID;
}

request_rec *fzm_request(apr_pool_t *parent, const char *method, const char *target, const a0m_dir_conf *conf)
{
	/* a pool of its own, as httpd gives each request (the module keeps per-request state in its userdata) */
	apr_pool_t *p = NULL;
	apr_pool_create(&p, parent);
	request_rec *r = apr_pcalloc(p, sizeof(*r));
	r->pool = p;
	r->headers_in = apr_table_make(p, 8);
	r->headers_out = apr_table_make(p, 8);
	r->err_headers_out = apr_table_make(p, 8);
	r->subprocess_env = apr_table_make(p, 8);
	r->notes = apr_table_make(p, 4);
	void **dir = apr_pcalloc(p, VECTOR_SIZE * sizeof(void *));
	dir[MODULE_INDEX] = (void *)conf;
	r->per_dir_config = (ap_conf_vector_t *)dir;
	r->request_config = (ap_conf_vector_t *)apr_pcalloc(p, VECTOR_SIZE * sizeof(void *));

	server_rec *s = apr_pcalloc(p, sizeof(*s));
	void **smod = apr_pcalloc(p, VECTOR_SIZE * sizeof(void *));
	smod[0] = apr_pcalloc(p, sizeof(core_server_config));
	smod[MODULE_INDEX] = apr_pcalloc(p, sizeof(a0m_server_conf));
	s->module_config = (ap_conf_vector_t *)smod;
	s->server_hostname = FZM_HOST;
	s->log.level = APLOG_TRACE8; /* every log line is formatted (ap_log_rerror_ above) */
	r->server = s;
	r->hostname = FZM_HOST;
	conn_rec *c = apr_pcalloc(p, sizeof(*c));
	c->pool = p;
	c->keepalive = AP_CONN_UNKNOWN;
	c->bucket_alloc = apr_bucket_alloc_create(p);
	r->connection = c;
	fzm_request_from(r, "203.0.113.7", "https", 443);

	r->method = apr_pstrdup(p, method);
	r->method_number = method_number(method);
	r->request_time = apr_time_from_sec(FZ_NOW);
	r->unparsed_uri = apr_pstrdup(p, target);
	const char *q = strchr(target, '?');
	r->uri = q ? apr_pstrmemdup(p, target, (apr_size_t)(q - target)) : apr_pstrdup(p, target);
	r->args = q ? apr_pstrdup(p, q + 1) : NULL;
	r->status = HTTP_OK;
	return r;
}

void fzm_request_from(request_rec *r, const char *ip, const char *scheme, apr_port_t port)
{
	apr_sockaddr_t *sa = NULL;
	if (apr_sockaddr_info_get(&sa, ip, strchr(ip, ':') ? APR_INET6 : APR_INET, 0, 0, r->pool) != APR_SUCCESS)
		fzm_fail("address", ip);
	r->connection->client_addr = sa;
	r->connection->client_ip = apr_pstrdup(r->pool, ip);
	r->useragent_addr = sa;
	r->useragent_ip = r->connection->client_ip;
	r->server->server_scheme = scheme;
	r->server->port = port;
}

/* ---- directives ------------------------------------------------------------------------------------ */

/* Directives that read files or need socache providers: not run here. */
static const char *const skipped[] = { "Auth0ClientAssertionKey", "Auth0CACertificateFile", "Auth0Cache",
	                                    NULL };

static const char *run_directive(apr_pool_t *p, a0m_dir_conf *conf, const char *name, const char *args);

const char *fzm_directive(apr_pool_t *p, a0m_dir_conf *conf, const char *name, const char *args)
{
	/* httpd stops at a directive that fails: a configuration never holds half of one (ITERATE) */
	a0m_dir_conf copy = *conf;
	apr_array_header_t **arrays[] = { &copy.authz_params, &copy.logout_allow, &copy.trusted_proxies,
		                              &copy.management_allow };
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		if (*arrays[i])
			*arrays[i] = apr_array_copy(p, *arrays[i]);
	const char *err = run_directive(p, &copy, name, args);
	if (!err)
		*conf = copy;
	return err;
}

static const char *run_directive(apr_pool_t *p, a0m_dir_conf *conf, const char *name, const char *args)
{
	const command_rec *cmd = NULL;
	for (const command_rec *c = auth0_module.cmds; c && c->name; c++)
		if (strcasecmp(c->name, name) == 0)
			cmd = c;
	if (!cmd)
		return apr_pstrcat(p, "Invalid command '", name, "'", NULL);
	for (const char *const *s = skipped; *s; s++)
		if (strcmp(*s, cmd->name) == 0)
			return FZM_SKIPPED;
	if (strstr(args, "file:"))
		return FZM_SKIPPED; /* a secret read from a file */

	cmd_parms parms;
	memset(&parms, 0, sizeof(parms));
	parms.pool = p;
	apr_pool_create(&parms.temp_pool, p);
	parms.info = cmd->cmd_data;
	parms.cmd = cmd;
	parms.path = "/app"; /* in a <Location> */
	server_rec *s = apr_pcalloc(p, sizeof(*s));
	void **smod = apr_pcalloc(p, VECTOR_SIZE * sizeof(void *));
	smod[0] = apr_pcalloc(p, sizeof(core_server_config));
	smod[MODULE_INDEX] = apr_pcalloc(p, sizeof(a0m_server_conf));
	s->module_config = (ap_conf_vector_t *)smod;
	parms.server = s;

	/* as httpd's invoke_cmd() splits the arguments */
	const char *w, *w2, *err;
	switch (cmd->args_how) {
	case RAW_ARGS:
		return cmd->AP_RAW_ARGS(&parms, conf, args);
	case TAKE_ARGV: {
		apr_array_header_t *argv = apr_array_make(p, 4, sizeof(char *));
		while (*args)
			*(char **)apr_array_push(argv) = ap_getword_conf(p, &args);
		return cmd->AP_TAKE_ARGV(&parms, conf, argv->nelts, (char *const *)argv->elts);
	}
	case TAKE1:
		w = ap_getword_conf(p, &args);
		if (*w == '\0' || *args)
			return apr_pstrcat(p, cmd->name, " takes one argument", NULL);
		return cmd->AP_TAKE1(&parms, conf, w);
	case TAKE2:
		w = ap_getword_conf(p, &args);
		w2 = ap_getword_conf(p, &args);
		if (*w == '\0' || *w2 == '\0' || *args)
			return apr_pstrcat(p, cmd->name, " takes two arguments", NULL);
		return cmd->AP_TAKE2(&parms, conf, w, w2);
	case TAKE12:
		w = ap_getword_conf(p, &args);
		w2 = ap_getword_conf(p, &args);
		if (*w == '\0' || *args)
			return apr_pstrcat(p, cmd->name, " takes 1-2 arguments", NULL);
		return cmd->AP_TAKE2(&parms, conf, w, *w2 ? w2 : NULL);
	case TAKE123: {
		/* a quoted "" is an argument, unlike TAKE12's */
		w = ap_getword_conf(p, &args);
		w2 = *args ? ap_getword_conf(p, &args) : NULL;
		const char *w3 = *args ? ap_getword_conf(p, &args) : NULL;
		if (*w == '\0' || *args)
			return apr_pstrcat(p, cmd->name, " takes one, two or three arguments", NULL);
		return cmd->AP_TAKE3(&parms, conf, w, w2, w3);
	}
	case ITERATE:
		while (*(w = ap_getword_conf(p, &args)) != '\0')
			if ((err = cmd->AP_TAKE1(&parms, conf, w)))
				return err;
		return NULL;
	case FLAG:
		w = ap_getword_conf(p, &args);
		if (*w == '\0' || (strcasecmp(w, "on") != 0 && strcasecmp(w, "off") != 0))
			return apr_pstrcat(p, cmd->name, " must be On or Off", NULL);
		return cmd->AP_FLAG(&parms, conf, strcasecmp(w, "off") != 0);
	default:
		return apr_pstrcat(p, cmd->name, ": an argument form the harness does not know", NULL);
	}
}

/* ---- checks ---------------------------------------------------------------------------------------- */

static int no_line_break(void *rec, const char *key, const char *value)
{
	(void)rec;
	if (strpbrk(key, "\r\n") || strpbrk(value, "\r\n"))
		fzm_fail("a response header with a line break", key);
	return 1;
}

void fzm_check_headers(request_rec *r)
{
	apr_table_do(no_line_break, NULL, r->headers_out, NULL);
	apr_table_do(no_line_break, NULL, r->err_headers_out, NULL);
}

void fzm_emit(const void *data, size_t len)
{
	const char *dir = getenv("FUZZ_EMIT_DIR");
	if (!dir)
		return;
	unsigned char md[32];
	EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL);
	char path[4096];
	snprintf(path, sizeof(path), "%s/sealed-%02x%02x%02x%02x%02x%02x", dir, md[0], md[1], md[2], md[3], md[4],
	         md[5]);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

void fzm_check_escaped(const char *marker)
{
	if (output && strstr(output, marker))
		fzm_fail("input reached a page unescaped", marker);
}
