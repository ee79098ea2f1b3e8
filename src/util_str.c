/* String helpers and the percent-encodings used on the wire. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>

char *a0_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *a0_strndup(const char *s, size_t n)
{
	return s ? strndup(s, n) : NULL;
}

char *a0_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

bool a0_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool a0_strcaseeq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcasecmp(a, b) == 0;
}

bool a0_secure_streq(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}

void a0_free_secret(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

bool a0_b64token(const char *s)
{
	if (!s)
		return false;
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
	return n > 0 && s[n + strspn(s + n, "=")] == '\0';
}

static bool keep_char(unsigned char c, a0_escape style)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '-': case '.': case '_':
		return true;
	case '~':
		return style == A0_ESC_FORM;
	case '*':
		return style != A0_ESC_FORM;
	default:
		return false;
	}
}

void a0_buf_escape(a0_buf *b, const char *s, a0_escape style)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (keep_char(*p, style)) {
			a0_buf_putc(b, (char)*p);
		} else if (*p == ' ' && style != A0_ESC_SEGMENT) {
			a0_buf_putc(b, '+');
		} else {
			char enc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			a0_buf_append(b, enc, 3);
		}
	}
}

void a0_query_add(a0_buf *q, const char *name, const char *value, a0_escape style)
{
	if (!value)
		return;
	if (q->len > 0)
		a0_buf_putc(q, '&');
	a0_buf_escape(q, name, style);
	a0_buf_putc(q, '=');
	a0_buf_escape(q, value, style);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *a0_url_decode(const char *s, size_t len, bool plus_is_space)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= len) {
				free(out);
				return NULL;
			}
			int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
			if (h < 0 || l < 0) {
				free(out);
				return NULL;
			}
			c = (char)(h * 16 + l);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0') {
			free(out);
			return NULL;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}
