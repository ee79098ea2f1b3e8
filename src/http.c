/*
 * HTTP transport: libcurl easy handles kept in a small pool per client,
 * sharing a DNS cache and a TLS session cache. Each handle keeps its own
 * connections, which outlive curl_easy_reset(), so consecutive requests to
 * the tenant reuse a kept-alive TLS connection (the Ruby SDK opens a new one
 * per Management request). The connection cache itself is not shared: with
 * threads using the handles at once, libcurl (7.88, Debian 12) documents a
 * shared one as unsafe ("KNOWN_BUGS: A shared connection cache is not
 * thread-safe").
 *
 * Every request has a timeout; redirects are never followed; answers larger
 * than max_response_size are refused; retries follow retry.c.
 *
 * Fork safety: handles created before a fork() are abandoned (not cleaned
 * up: that could send a TLS close_notify on the parent's connection) and the
 * child starts a fresh pool.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <openssl/crypto.h>

#define A0_POOL_MAX 16

struct a0_pool {
	pthread_mutex_t lock;
	CURL *idle[A0_POOL_MAX];
	size_t n_idle;
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pid_t pid;
	unsigned int seed;  /* for jitter */
	long connects;      /* TCP connections opened so far (for tests and benchmarks) */
};

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userptr)
{
	(void)h;
	(void)access;
	struct a0_pool *pool = userptr;
	pthread_mutex_lock(&pool->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userptr)
{
	(void)h;
	struct a0_pool *pool = userptr;
	pthread_mutex_unlock(&pool->share_locks[data]);
}

static CURLSH *make_share(struct a0_pool *pool)
{
	CURLSH *sh = curl_share_init();
	if (!sh)
		return NULL;
	curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(sh, CURLSHOPT_USERDATA, pool);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return sh;
}

struct a0_pool *a0_pool_new(void)
{
	struct a0_pool *pool = calloc(1, sizeof(*pool));
	if (!pool)
		return NULL;
	pthread_mutex_init(&pool->lock, NULL);
	for (size_t i = 0; i < A0_ARRAY_LEN(pool->share_locks); i++)
		pthread_mutex_init(&pool->share_locks[i], NULL);
	pool->pid = getpid();
	pool->share = make_share(pool);
	unsigned char seed[sizeof(pool->seed)];
	if (a0_random_bytes(seed, sizeof(seed)))
		memcpy(&pool->seed, seed, sizeof(seed));
	if (!pool->share) {
		a0_pool_free(pool);
		return NULL;
	}
	return pool;
}

void a0_pool_free(struct a0_pool *pool)
{
	if (!pool)
		return;
	if (pool->pid == getpid()) {
		for (size_t i = 0; i < pool->n_idle; i++)
			curl_easy_cleanup(pool->idle[i]);
		if (pool->share)
			curl_share_cleanup(pool->share);
	}
	pthread_mutex_destroy(&pool->lock);
	for (size_t i = 0; i < A0_ARRAY_LEN(pool->share_locks); i++)
		pthread_mutex_destroy(&pool->share_locks[i]);
	free(pool);
}

/* Takes an idle handle (or makes one). Returns NULL when out of memory. */
static CURL *pool_acquire(struct a0_pool *pool, double *rand01)
{
	CURL *h = NULL;
	pthread_mutex_lock(&pool->lock);
	if (pool->pid != getpid()) {
		/* We are a forked child: abandon the parent's handles and connections. */
		pool->n_idle = 0;
		pool->share = make_share(pool);
		pool->pid = getpid();
	}
	if (pool->n_idle > 0)
		h = pool->idle[--pool->n_idle];
	*rand01 = (double)(rand_r(&pool->seed) % 1000000) / 1000000.0;
	CURLSH *share = pool->share;
	pthread_mutex_unlock(&pool->lock);
	if (!h)
		h = curl_easy_init();
	else
		curl_easy_reset(h);
	if (h && share)
		curl_easy_setopt(h, CURLOPT_SHARE, share);
	return h;
}

static void pool_release(struct a0_pool *pool, CURL *h)
{
	pthread_mutex_lock(&pool->lock);
	if (pool->pid == getpid() && pool->n_idle < A0_POOL_MAX) {
		pool->idle[pool->n_idle++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	if (h)
		curl_easy_cleanup(h);
}

struct sink {
	a0_buf buf;
	size_t max;
	bool too_large;
};

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;
	if (s->buf.len + n > s->max) {
		s->too_large = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	a0_buf_append(&s->buf, data, n);
	return s->buf.failed ? 0 : n;
}

static const char *header_value(CURL *h, const char *name)
{
	struct curl_header *hdr = NULL;
	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hdr) != CURLHE_OK || !hdr)
		return NULL;
	return hdr->value;
}

static int64_t header_int(CURL *h, const char *name)
{
	const char *v = header_value(h, name);
	if (a0_empty(v))
		return -1;
	char *end;
	long long n = strtoll(v, &end, 10);
	return (*end == '\0' && n >= 0) ? (int64_t)n : -1;
}

void a0_response_clear(a0_response *resp)
{
	/* Answers hold tokens (/oauth/token), mfa_tokens, client secrets (Management clients). */
	if (resp->body)
		OPENSSL_cleanse(resp->body, resp->len);
	free(resp->body);
	free(resp->content_type);
	free(resp->www_authenticate);
	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
	resp->rate_limit.limit = resp->rate_limit.remaining = resp->rate_limit.reset = -1;
}

static curl_mime *build_mime(CURL *h, const auth0_multipart_part *parts)
{
	curl_mime *mime = curl_mime_init(h);
	if (!mime)
		return NULL;
	for (const auth0_multipart_part *p = parts; p->name; p++) {
		curl_mimepart *part = curl_mime_addpart(mime);
		if (!part || curl_mime_name(part, p->name) != CURLE_OK)
			goto fail;
		if (p->value) {
			if (curl_mime_data(part, p->value, CURL_ZERO_TERMINATED) != CURLE_OK)
				goto fail;
		} else {
			if (curl_mime_data(part, p->data ? p->data : "", p->size) != CURLE_OK)
				goto fail;
			if (curl_mime_filename(part, p->filename ? p->filename : p->name) != CURLE_OK ||
			    curl_mime_type(part, p->content_type ? p->content_type : "application/octet-stream") != CURLE_OK)
				goto fail;
		}
	}
	return mime;
fail:
	curl_mime_free(mime);
	return NULL;
}

/*
 * timeout_ms: what the attempt had; cut: less than its own timeout, the rest of total_timeout_ms; status:
 * the HTTP status that libcurl had read (0: none).
 */
static auth0_status transport_error(auth0_error **err, const a0_request *req, CURLcode rc, const char *errbuf,
                                    const struct sink *sink, size_t max, int attempts, long timeout_ms, bool cut,
                                    long status)
{
	auth0_status kind;
	if (rc == CURLE_WRITE_ERROR && sink->too_large) {
		kind = a0_fail(err, AUTH0_ERR_INVALID_RESPONSE, "%s %s: answer larger than %zu bytes refused",
		               req->method, req->log_path, max);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		kind = a0_fail(err, AUTH0_ERR_TIMEOUT, "%s %s: no complete answer within %ld ms%s", req->method,
		               req->log_path, timeout_ms, cut ? " (what was left of total_timeout_ms)" : "");
	} else if (rc == CURLE_PARTIAL_FILE) {
		kind = a0_fail(err, AUTH0_ERR_INVALID_RESPONSE, "%s %s: truncated answer (%s)", req->method,
		               req->log_path, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (rc == CURLE_OUT_OF_MEMORY || (rc == CURLE_WRITE_ERROR && sink->buf.failed)) {
		kind = a0_oom(err);
	} else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	           rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_CRL_BADFILE ||
	           rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
		/* not the network: trying again meets the same certificate (a handshake cut short stays NETWORK) */
		kind = a0_fail(err, AUTH0_ERR_TLS, "%s %s: TLS: %s", req->method, req->log_path,
		               errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else {
		kind = a0_fail(err, AUTH0_ERR_NETWORK, "%s %s: %s", req->method, req->log_path,
		               errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}
	auth0_error *e = a0_error_writable(err);
	if (e) {
		e->attempts = attempts;
		/* an answer came but could not be read whole: its status is known (error.h) */
		if (kind == AUTH0_ERR_INVALID_RESPONSE)
			e->status = status;
	}
	return kind;
}

bool a0_header_append(struct curl_slist **list, const char *line)
{
	struct curl_slist *n = line ? curl_slist_append(*list, line) : NULL;
	if (n)
		*list = n;
	return n != NULL;
}

void a0_headers_free(struct curl_slist *list)
{
	for (struct curl_slist *p = list; p; p = p->next)
		OPENSSL_cleanse(p->data, strlen(p->data));
	curl_slist_free_all(list);
}

/* One attempt. Returns the curl code; fills resp on CURLE_OK. */
static CURLcode perform_once(auth0_client *c, CURL *h, const a0_request *req, long timeout_ms,
                             struct curl_slist *headers, struct sink *sink, a0_response *resp, char *errbuf)
{
	curl_mime *mime = NULL;
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	/* http only where the URL says so: libauth0 accepts http:// for loopback hosts only (tests). Schemes
	 * are case-insensitive, as the URL checks that let "HTTP://" through. */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, strncasecmp(req->url, "http://", 7) == 0 ? "http" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_PROXY, c->proxy ? c->proxy : "");
	if (c->ca_file) {
		/* Only this bundle: libcurl also reads the CA directory it was built with (Debian:
		 * /etc/ssl/certs) unless CURLOPT_CAPATH is NULL, which would trust every system CA as well. */
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	if (req->fresh_connection)
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);

	if (req->parts) {
		mime = build_mime(h, req->parts);
		if (!mime)
			return CURLE_OUT_OF_MEMORY;
		curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	} else if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		if (req->body) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
		} else if (strcmp(req->method, "POST") == 0) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		}
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}

	errbuf[0] = '\0';
	CURLcode rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		long status = 0;
		char *ct = NULL;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
		resp->status = status;
		resp->content_type = a0_strdup(ct);
		resp->www_authenticate = a0_strdup(header_value(h, "WWW-Authenticate"));
		resp->retry_after = a0_retry_after_seconds(header_value(h, "Retry-After"), a0_now());
		resp->rate_limit.limit = header_int(h, "X-RateLimit-Limit");
		resp->rate_limit.remaining = header_int(h, "X-RateLimit-Remaining");
		resp->rate_limit.reset = header_int(h, "X-RateLimit-Reset");
	}
	curl_mime_free(mime);
	return rc;
}

auth0_status a0_http_perform(auth0_client *c, const a0_request *req, a0_response *resp, auth0_error **err)
{
	memset(resp, 0, sizeof(*resp));
	a0_response_clear(resp);

	struct curl_slist *headers = NULL;
	bool copied = true;
	for (const struct curl_slist *h = req->headers; h && copied; h = h->next)
		copied = a0_header_append(&headers, h->data);
	/* A 100-continue round trip costs a whole RTT for tiny bodies. */
	copied = copied && a0_header_append(&headers, "Expect:");
	if (copied && req->telemetry)
		copied = a0_header_append(&headers, c->telemetry_header);
	if (!copied) {
		a0_headers_free(headers);
		return a0_oom(err);
	}

	double rand01 = 0;
	CURL *h = pool_acquire(c->pool, &rand01);
	if (!h) {
		a0_headers_free(headers);
		return a0_oom(err);
	}

	auth0_status st = AUTH0_OK;
	int max_retries = req->max_retries < 0 ? 0 : req->max_retries;
	/* saturated: a total of LONG_MAX ms would overflow the sum, and a negative deadline cut every attempt */
	int64_t deadline = c->total_timeout_ms > 0 ? a0_add_sat(a0_monotonic_ms(), c->total_timeout_ms) : 0;
	for (int attempt = 0;; attempt++) {
		struct sink sink = { A0_BUF_SECRET, c->max_response_size, false };
		char errbuf[CURL_ERROR_SIZE];
		a0_response_clear(resp);
		long timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : 10000L;
		bool cut = false;
		if (deadline) {
			int64_t left = deadline - a0_monotonic_ms();
			if (left < timeout_ms) {
				timeout_ms = left < 1 ? 1 : (long)left; /* 0 would mean no timeout to libcurl */
				cut = true;
			}
		}
		CURLcode rc = perform_once(c, h, req, timeout_ms, headers, &sink, resp, errbuf);
		double secs = 0;
		long connects = 0;
		curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &secs);
		curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
		pthread_mutex_lock(&c->pool->lock);
		c->pool->connects += connects;
		pthread_mutex_unlock(&c->pool->lock);
		if (rc != CURLE_OK) {
			a0_log(c, AUTH0_LOG_DEBUG, "%s %s: failed after %.0f ms: %s", req->method, req->log_path,
			       secs * 1000, curl_easy_strerror(rc));
			long got = 0;
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &got);
			st = transport_error(err, req, rc, errbuf, &sink, c->max_response_size, attempt + 1, timeout_ms, cut,
			                     got);
			a0_buf_free(&sink.buf);
			a0_response_clear(resp);
			break;
		}
		resp->attempts = attempt + 1;
		resp->len = sink.buf.len;
		resp->body = a0_buf_steal(&sink.buf);
		if (!resp->body) {
			st = a0_oom(err);
			break;
		}
		a0_log(c, AUTH0_LOG_DEBUG, "%s %s -> %ld in %.0f ms (attempt %d)", req->method, req->log_path,
		       resp->status, secs * 1000, attempt + 1);
		if (attempt >= max_retries || !a0_retry_status(req->retry, resp->status))
			break;
		long delay = a0_retry_delay_ms(req->retry, attempt, resp, a0_now(), c->max_retry_delay_ms, rand01);
		if (deadline && a0_add_sat(a0_monotonic_ms(), delay) >= deadline) {
			a0_log(c, AUTH0_LOG_INFO, "%s %s answered %ld; not retried: a wait of %ld ms would pass "
			       "total_timeout_ms (%ld ms)", req->method, req->log_path, resp->status, delay,
			       c->total_timeout_ms);
			break;
		}
		a0_log(c, AUTH0_LOG_INFO, "%s %s answered %ld; retry %d of %d in %ld ms", req->method,
		       req->log_path, resp->status, attempt + 1, max_retries, delay);
		a0_sleep_ms(delay);
		pthread_mutex_lock(&c->pool->lock);
		rand01 = (double)(rand_r(&c->pool->seed) % 1000000) / 1000000.0;
		pthread_mutex_unlock(&c->pool->lock);
	}
	/* Options point at our headers, body, sink and error buffer: none of it outlives this call. The
	 * handle's connections outlive the reset. */
	curl_easy_reset(h);
	pool_release(c->pool, h);
	a0_headers_free(headers);
	return st;
}

long a0_http_connects(auth0_client *c)
{
	pthread_mutex_lock(&c->pool->lock);
	long n = c->pool->connects;
	pthread_mutex_unlock(&c->pool->lock);
	return n;
}

bool a0_response_is_json(const a0_response *resp)
{
	const char *ct = resp->content_type;
	if (!ct)
		return false;
	size_t n = strcspn(ct, ";");
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return true;
	return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

auth0_status a0_http_json(auth0_client *c, const a0_request *req, json_t **out, a0_answer *answer,
                          auth0_error **err)
{
	a0_response resp;
	if (out)
		*out = NULL;
	if (answer)
		*answer = (a0_answer)A0_ANSWER_NONE;
	auth0_status st = a0_http_perform(c, req, &resp, err);
	if (st != AUTH0_OK)
		return st;
	if (!a0_http_ok(resp.status)) {
		st = a0_error_from_response(err, &resp, req->method, req->log_path);
		a0_response_clear(&resp);
		return st;
	}
	a0_answer got = a0_answer_of(&resp);
	if (resp.len == 0 && (resp.status == 204 || !out)) {
		st = AUTH0_OK;
	} else if (!a0_response_is_json(&resp)) {
		st = a0_fail_answer(err, &got, "%s %s: expected JSON, got %s", req->method, req->log_path,
		                    resp.content_type ? resp.content_type : "no content type");
	} else {
		json_error_t jerr;
		bool oom = false;
		json_t *json = a0_json_load(resp.body, resp.len, JSON_DECODE_ANY, &jerr, &oom);
		if (!json && oom)
			st = a0_oom_answer(err, req->method, req->log_path);
		else if (!json)
			st = a0_fail_answer(err, &got, "%s %s: malformed JSON answer (%s at byte %d)", req->method,
			                    req->log_path, a0_json_error_without_text(&jerr), jerr.position);
		else if (out)
			*out = json;
		else
			json_decref(json);
	}
	a0_response_clear(&resp);
	if (st == AUTH0_OK && answer)
		*answer = got;
	return st;
}
