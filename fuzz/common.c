/* Helpers shared by the fuzz targets: see common.h. */
#include "jwt_internal.h"
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

static void die(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

/* ---- input ---------------------------------------------------------------------------------------- */

char *fz_next(fz *f)
{
	const uint8_t *nul = f->n ? memchr(f->p, 0, f->n) : NULL;
	size_t len = nul ? (size_t)(nul - f->p) : f->n;
	char *s = malloc(len + 1);
	if (!s)
		die("out of memory");
	memcpy(s, f->p, len);
	s[len] = '\0';
	f->p += nul ? len + 1 : len;
	f->n -= nul ? len + 1 : len;
	return s;
}

unsigned fz_num(fz *f)
{
	char *s = fz_next(f);
	unsigned v = (unsigned char)s[0];
	free(s);
	return v;
}

const uint8_t *fz_rest(fz *f, size_t *len)
{
	const uint8_t *p = f->p;
	*len = f->n;
	f->p += f->n;
	f->n = 0;
	return p;
}

char *fz_rest_str(fz *f)
{
	size_t len;
	const uint8_t *p = fz_rest(f, &len);
	const uint8_t *nul = memchr(p, 0, len);
	if (nul)
		len = (size_t)(nul - p);
	char *s = malloc(len + 1);
	if (!s)
		die("out of memory");
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/* ---- keys ------------------------------------------------------------------------------------------ */

/*
 * Keys made for fuzzing only (openssl genpkey), committed so that the seed
 * corpora may hold tokens signed with them. They protect nothing.
 */
static const char FZ_RSA_PEM[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCmy6wuH70I9DkO\n"
	"b7oUxObeRdBlYA9S3w/a+eYylpB9EWAh0bnF2HP3qVWVRezFZKMaqCSkM0sqYcfb\n"
	"zCUW7mlUoUWVNnIfCI04NB52Adq8oc9b7ZU+9eToUB5yB7uurG72xJYd8Dn4Bwjn\n"
	"8mjBcmVS7ZgKekZJQWhu+Rxaoz9HjZXF21nCHEdbqjN+8YZCKDNrg+veQ+k0o9n2\n"
	"nSM8vmMhUNCJ10AotAKBpEGmzehLm6C5AVYWc3bpdWuzYTNkiy/27DSU+nTlWck5\n"
	"z8AGmm28wo7amnWhqh+nQ5s1E3Wm1RMqfo/ZwMPaKyBD7RhGMitIkJcDCeykSaqc\n"
	"+rwrJlllAgMBAAECggEACBy476VZPXLRDwPUp+cU2AGB0BD4iUBtyGnPDhI9u6Cd\n"
	"2yvLh4dApcnQ3FdwAACT4IAGLMP7B1OFjy6LLPgNwIyJtvlCWoJTZSBjzSl+f7Bs\n"
	"tD0GdBO/PTZoVvNwMM2CJc5VTHiakAR1SUmEWjaE+Vb7xg/TOQO7FkYOPB7bT1Cn\n"
	"apOZVNcDa1YPb0H9JHxvlHfDdS3rcuMS5TXFCzmU+vMnEwiOLqEG+mJqQCXroLBw\n"
	"rv5I9IJUCYU723wBd7kzAfTequ4Vhox17khunAAlQCI9WgT6JoeV+MesUsiF4be0\n"
	"GChbxCfORB9tRcggC85JBw0aQUVsOlmPGXZKD9GFIQKBgQDZ9lXwDLh7pdwh9KAE\n"
	"Fh0h5jvU0KUWRjrZmAyQ92lqXwPLIu0dz2N5BoJgrjClMB7qBpd/YrQJ7H4/2sQL\n"
	"D0VAmPxQ93o/AQEC+gkAQFPclnrrXnIy60SVs4SbC2VMBXVr6ec+XJg9DB1nZIF5\n"
	"Ha6inSbYDbVhmGjshanYzrgbmwKBgQDD52tl6PKZUBNUlAaHzUgmGcHmd4a5iF4S\n"
	"tFWNsXpnvDtrKIcWe1cQC5ahJ8e7jf0bteR5IM4RcMsMNoZ0fnS2NEZN7FVO8gwj\n"
	"SVy09Fyt8us5rVpRZHkYeKmSL4hiRJXNFKIzkfuhebN5HrBFWRzM/bbtcUWBy0Cj\n"
	"OsXR47cu/wKBgC2F/bz9ayqoIaoV5bX0yHDkHWr9iP11/aSk1TsR8bp9zdUHnm6z\n"
	"ehs0+NYoi5B01IAckFfSzbek5VmA36FPty8exNREXAv8sbFld6vNw7Y218WBHGj2\n"
	"KoT50aBwaN/P5A599AZaYJGfjiSiIUiiom7kU9CcTF3t7zw3Tpox0tIxAoGBAIuW\n"
	"VK8rudjF9tAYHUMcYWFMjx3RYvzGDwnS1vb8U9SgidID8aVyQwnax/ySZL3eIVBi\n"
	"XaZ1Wn+Q2A0euNU+2ZiOTN3vHKYAz+dAub7yMyt64GKbg7RlG+f06haQqeQjLH4R\n"
	"SrXmOd7H4brWxBDVuzDRQ0uSn00pbygfk57HW9ovAoGAB2YqHZxh3zWLbjgvM1bT\n"
	"GLvsSrgVFbwOKvUhLkdKiR5KWyAOHN5NC5hPRe1wmX4vvwBFrFo9PyIBlWGl0ye2\n"
	"pWOwsuJ99eFr257G4zrRyoOUsfXjJjL9p1MJv1a3dXEz8RVIXpBXOHQ3vNFCkn6Q\n"
	"oE6d9r5WrnnPvS5Quvc7ylE=\n"
	"-----END PRIVATE KEY-----\n";
static const char FZ_EC_PEM[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7vnjcvzHXOXcM4Py\n"
	"krztiKFwtARjEcvz3t+QBI4smRehRANCAATHPsZhFBVo3HebHvk9WgKfibNYDIb0\n"
	"Ib0agAmk9kMG56N9LzmUVl+miTV2qY+/oXKSxqHtxo4aLgLJQtjt9Rql\n"
	"-----END PRIVATE KEY-----\n";

static EVP_PKEY *load_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!k)
		die("cannot load a fuzzing key");
	return k;
}

static pthread_once_t keys_once = PTHREAD_ONCE_INIT;
static EVP_PKEY *rsa_key, *ec_key;

static void load_keys(void)
{
	rsa_key = load_key(FZ_RSA_PEM);
	ec_key = load_key(FZ_EC_PEM);
}

EVP_PKEY *fz_rsa_key(void)
{
	pthread_once(&keys_once, load_keys);
	return rsa_key;
}

EVP_PKEY *fz_ec_key(void)
{
	pthread_once(&keys_once, load_keys);
	return ec_key;
}

json_t *fz_jwks(void)
{
	return m_jwks(m_jwk(fz_rsa_key(), FZ_KID_RSA, NULL), m_jwk(fz_ec_key(), FZ_KID_EC, NULL), NULL);
}

/* ---- clients ----------------------------------------------------------------------------------------- */

static pthread_once_t closed_once = PTHREAD_ONCE_INIT;
static int closed_port;

static void make_closed_port(void)
{
	/* Bound but never listening: the port stays ours, and connecting to it is refused at once. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
		die("cannot bind a loopback port");
	closed_port = ntohs(a.sin_port);
}

int fz_closed_port(void)
{
	pthread_once(&closed_once, make_closed_port);
	return closed_port;
}

auth0_client *fz_client(const fz_client_opts *fo)
{
	static const fz_client_opts none = { 0 };
	if (!fo)
		fo = &none;
	char domain[64];
	snprintf(domain, sizeof(domain), "http://127.0.0.1:%d", fo->port ? fo->port : fz_closed_port());
	auth0_client_options o;
	auth0_client_options_init(&o);
	o.domain = domain;
	o.client_id = FZ_CLIENT_ID;
	o.client_secret = FZ_SECRET;
	o.organization = fo->organization;
	o.timeout_ms = 2000;
	o.management_timeout_ms = 2000;
	o.retry_count = 0;
	o.management_max_retries = 0;
	o.max_retry_delay_ms = 0;
	o.jwks_min_refetch_interval = 86400;
	o.jwks_cache_ttl = 86400;
	o.max_response_size = 1u << 20;
	if (fo->static_token) {
		o.token = "fuzz-management-token";
		o.token_expires_at = (int64_t)4102444800; /* 2100 */
	}
	o.store = fo->store ? &fo->store->store : NULL;
	auth0_client *c = NULL;
	auth0_error *err = NULL;
	if (auth0_client_new(&c, &o, &err) != AUTH0_OK) {
		fprintf(stderr, "fuzz: client: %s\n", err && err->message ? err->message : "?");
		abort();
	}
	return c;
}

void fz_store_jwks(m_store *store, auth0_client *client, const json_t *jwks, int64_t fetched_at)
{
	char *key = a0_jwks_store_key(client);
	json_t *own = jwks ? NULL : fz_jwks();
	m_store_put_jwks(store, key, jwks ? jwks : own, fetched_at ? fetched_at : (int64_t)time(NULL));
	json_decref(own);
	free(key);
}

/* ---- the fake tenant ----------------------------------------------------------------------------------- */

static pthread_mutex_t answer_lock = PTHREAD_MUTEX_INITIALIZER;
static char *answer;         /* the whole HTTP answer */
static size_t answer_len;
static unsigned long served;
static int open_conns;       /* connections being served (guarded by answer_lock) */
static pthread_cond_t conns_cond = PTHREAD_COND_INITIALIZER;
static pthread_once_t tenant_once = PTHREAD_ONCE_INIT;
static int tenant_port;
static int listen_fd = -1;

void fz_header_clean(char *s)
{
	for (; s && *s; s++)
		if (*s == '\r' || *s == '\n')
			*s = ' ';
}

/* Header lines without those that change the framing (the fuzzed answer always has a right one). */
static char *framing_free(const char *headers)
{
	static const char *const framing[] = { "content-length", "transfer-encoding", "content-encoding",
		                                   "connection", "keep-alive", "trailer", "upgrade", NULL };
	size_t n = headers ? strlen(headers) : 0;
	char *out = malloc(n + 1);
	if (!out)
		die("out of memory");
	size_t k = 0;
	for (const char *l = headers; l && *l;) {
		const char *end = strstr(l, "\r\n");
		size_t len = end ? (size_t)(end - l) + 2 : strlen(l);
		bool drop = false;
		for (const char *const *f = framing; *f; f++)
			drop = drop || (strncasecmp(l, *f, strlen(*f)) == 0 && l[strlen(*f)] == ':');
		if (!drop) {
			memcpy(out + k, l, len);
			k += len;
		}
		l += len;
	}
	out[k] = '\0';
	return out;
}

void fz_tenant_answer(int status, const char *content_type, const char *headers_in, const void *body,
                      size_t len)
{
	char *headers = framing_free(headers_in);
	/* Framing is always right (the targets fuzz what libauth0 reads, not curl's HTTP parser). */
	if (status < 200 || status > 599)
		status = 200;
	if (status == 204 || status == 304)
		len = 0;
	const char *ct = content_type ? content_type : "";
	size_t hlen = headers ? strlen(headers) : 0;
	size_t cap = 96 + strlen(ct) + hlen + len;
	char *a = malloc(cap);
	if (!a)
		die("out of memory");
	int n = snprintf(a, cap, "HTTP/1.1 %d Fuzz\r\nContent-Length: %zu\r\n%s%s%s%s\r\n", status, len,
	                 content_type ? "Content-Type: " : "", ct, content_type ? "\r\n" : "",
	                 headers ? headers : "");
	if (n < 0 || (size_t)n + len > cap)
		die("answer head");
	if (len)
		memcpy(a + n, body, len);
	size_t total = (size_t)n + len;
	free(headers);
	pthread_mutex_lock(&answer_lock);
	free(answer);
	answer = a;
	answer_len = total;
	pthread_mutex_unlock(&answer_lock);
}

unsigned long fz_tenant_requests(void)
{
	pthread_mutex_lock(&answer_lock);
	unsigned long n = served;
	pthread_mutex_unlock(&answer_lock);
	return n;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* The Content-Length of a request head, 0 when absent. */
static size_t content_length(const char *head)
{
	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n"))
		if (strncasecmp(l + 2, "Content-Length:", 15) == 0)
			return (size_t)strtoul(l + 17, NULL, 10);
	return 0;
}

/* One connection: requests in, the current answer out, until the client closes it. */
static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		char *end;
		buf[len] = '\0';
		while (!(end = strstr(buf, "\r\n\r\n"))) {
			if (len == cap)
				goto out;
			ssize_t r = recv(fd, buf + len, cap - len, 0);
			if (r <= 0)
				goto out;
			len += (size_t)r;
			buf[len] = '\0';
		}
		size_t need = (size_t)(end + 4 - buf) + content_length(buf);
		if (need > cap)
			goto out;
		while (len < need) {
			ssize_t r = recv(fd, buf + len, cap - len, 0);
			if (r <= 0)
				goto out;
			len += (size_t)r;
		}
		memmove(buf, buf + need, len - need);
		len -= need;
		pthread_mutex_lock(&answer_lock);
		char *a = NULL;
		size_t alen = answer_len;
		if (answer && (a = malloc(alen)))
			memcpy(a, answer, alen);
		served++;
		pthread_mutex_unlock(&answer_lock);
		static const char fallback[] = "HTTP/1.1 500 No answer set\r\nContent-Length: 0\r\n\r\n";
		bool ok = a ? write_all(fd, a, alen) : write_all(fd, fallback, sizeof(fallback) - 1);
		free(a);
		if (!ok)
			break;
	}
out:
	free(buf);
	close(fd);
	pthread_mutex_lock(&answer_lock);
	open_conns--;
	pthread_cond_broadcast(&conns_cond);
	pthread_mutex_unlock(&answer_lock);
	return NULL;
}

static void *accept_loop(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_mutex_lock(&answer_lock);
		open_conns++;
		pthread_mutex_unlock(&answer_lock);
		if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0) {
			close(fd);
			pthread_mutex_lock(&answer_lock);
			open_conns--;
			pthread_mutex_unlock(&answer_lock);
		}
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

static void start_tenant(void)
{
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(a);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(listen_fd, 64) != 0 || getsockname(listen_fd, (struct sockaddr *)&a, &alen) != 0)
		die("cannot start the fake tenant");
	tenant_port = ntohs(a.sin_port);
	pthread_t t;
	if (pthread_create(&t, NULL, accept_loop, NULL) != 0)
		die("cannot start the fake tenant's thread");
	pthread_detach(t);
}

void fz_tenant_quiesce(void)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&answer_lock);
	while (open_conns > 0 && pthread_cond_timedwait(&conns_cond, &answer_lock, &until) == 0)
		;
	pthread_mutex_unlock(&answer_lock);
}

int fz_tenant_port(void)
{
	pthread_once(&tenant_once, start_tenant);
	return tenant_port;
}
