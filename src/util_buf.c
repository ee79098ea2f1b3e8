/* a0_buf: a growable, always NUL-terminated byte buffer with sticky failure,
 * so that long chains of appends need one error check at the end. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

static bool buf_reserve(a0_buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (extra > SIZE_MAX - b->len - 1) {
		b->failed = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p;
	if (b->secret) {
		/* realloc() would leave the old block unwiped. */
		p = malloc(cap);
		if (p && b->data) {
			memcpy(p, b->data, b->len + 1);
			OPENSSL_cleanse(b->data, b->cap);
			free(b->data);
		}
	} else {
		p = realloc(b->data, cap);
	}
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void a0_buf_append(a0_buf *b, const void *data, size_t len)
{
	if (!buf_reserve(b, len))
		return;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void a0_buf_puts(a0_buf *b, const char *s)
{
	if (s)
		a0_buf_append(b, s, strlen(s));
}

void a0_buf_putc(a0_buf *b, char c)
{
	a0_buf_append(b, &c, 1);
}

void a0_buf_printf(a0_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *a0_buf_steal(a0_buf *b)
{
	char *out = NULL;
	if (!b->failed) {
		out = b->data ? b->data : a0_strdup("");
		b->data = NULL;
	}
	a0_buf_free(b);
	return out;
}

void a0_buf_free(a0_buf *b)
{
	if (b->secret && b->data)
		OPENSSL_cleanse(b->data, b->cap);
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}
