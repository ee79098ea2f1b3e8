/* Small jansson conveniences, time and logging. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

const char *a0_json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/*
 * How json_loadb() (jansson 2.13, 2.14) says that it ran out of memory:
 *   - mostly not at all: it returns NULL and leaves the error as json_loadb() set it up, with an empty text
 *     (and the code of the zeroed error); json_error_out_of_memory is tested too, for later versions;
 *   - when the value of a string cannot be allocated, it takes the string for a bad token and says "invalid
 *     token" (a value) or "string or '}' expected" (an object's key) just after the string's closing quote.
 *     Those never come from a string that was read: its own errors (a control character, a bad escape, bad
 *     UTF-8, the end of the text) are set first, and jansson keeps the first error.
 * What it does not say at all: its lexer drops a byte of the text when its buffer cannot grow (lex_save()
 * ignores the failure; akheron/jansson#362), and reads on. No caller can tell.
 */
static bool said_out_of_memory(const json_error_t *e)
{
	return e->text[0] == '\0' || json_error_code(e) == json_error_out_of_memory;
}

static bool string_not_allocated(const json_error_t *e, const char *text, size_t len)
{
	static const char *const says[] = { "invalid token", "string or '}' expected" };
	if (json_error_code(e) != json_error_invalid_syntax || e->position <= 0 || (size_t)e->position > len ||
	    text[e->position - 1] != '"')
		return false;
	for (size_t i = 0; i < A0_ARRAY_LEN(says); i++)
		if (strncmp(e->text, says[i], strlen(says[i])) == 0)
			return true;
	return false;
}

json_t *a0_json_load(const char *text, size_t len, size_t flags, json_error_t *e, bool *oom)
{
	json_error_t local;
	if (!e)
		e = &local;
	memset(e, 0, sizeof(*e));
	json_t *json = json_loadb(text, len, flags, e);
	if (oom)
		*oom = !json && (said_out_of_memory(e) || string_not_allocated(e, text, len));
	return json;
}

json_t *a0_json_stringn(const char *s, size_t len, bool *oom)
{
	/* json_pack_ex() names text that is not UTF-8 with a code of its own; any other failure here is memory's. */
	json_error_t e;
	memset(&e, 0, sizeof(e));
	json_t *json = json_pack_ex(&e, 0, "s%", s, len);
	*oom = !json && json_error_code(&e) != json_error_invalid_utf8;
	return json;
}

bool a0_json_int(const json_t *obj, const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		return false;
	*out = (int64_t)json_integer_value(v);
	return true;
}

int a0_json_set_str(json_t *obj, const char *key, const char *value)
{
	if (!value)
		return 0;
	return json_object_set_new(obj, key, json_string(value));
}

char *a0_json_dump(const json_t *json)
{
	/* Not json_dumps(): it builds the text in a buffer of its own that it frees unwiped, and what is
	 * dumped here are request bodies with secrets. json_dumpb() writes into ours: measure, then write. */
	const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	size_t n = json_dumpb(json, NULL, 0, flags);
	char *text = n ? malloc(n + 1) : NULL;
	if (text && json_dumpb(json, text, n, flags) != n) {
		free(text);
		return NULL;
	}
	if (text)
		text[n] = '\0';
	return text;
}

/* Wipes the strings of a value nobody else holds (jansson's refcount is public in json_t). */
static void wipe_json(json_t *j)
{
	if (j->refcount != 1)
		return;
	const char *key;
	json_t *v;
	size_t i;
	if (json_is_string(j)) {
		OPENSSL_cleanse((char *)json_string_value(j), json_string_length(j));
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			wipe_json(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			wipe_json(v);
	}
}

void a0_json_free_secret(json_t *json)
{
	if (json) {
		wipe_json(json);
		json_decref(json);
	}
}

int64_t a0_now(void)
{
	return (int64_t)time(NULL);
}

int64_t a0_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void a0_sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void a0_log(const auth0_client *c, auth0_log_level level, const char *fmt, ...)
{
	if (!c || !c->log)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->log(c->log_userdata, level, line);
}

void auth0_free(void *ptr)
{
	free(ptr);
}

const char *auth0_version(void)
{
	return AUTH0_VERSION;
}

const char *a0_json_error_without_text(json_error_t *e)
{
	char *near = strstr(e->text, " near ");
	if (near)
		*near = '\0';
	return e->text;
}
