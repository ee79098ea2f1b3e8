/*
 * redis-auth: an httpd socache provider for Redis servers that ask for a password, or a user and a
 * password (Redis 6 ACLs), or hold the cache in another database than 0. httpd's own provider
 * (mod_socache_redis, through apr_redis) can do none of these, and a Redis server that several hosts
 * share is one that production setups protect. Built on hiredis.
 *
 *   Auth0Cache redis-auth:redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?timeout=SECONDS]
 *   Auth0Cache redis-auth:redis://[USER@]HOST[:PORT][/DB]?password=env:NAME|file:PATH[&timeout=SECONDS]
 *
 * USER and PASSWORD are percent-decoded. password=env:NAME and password=file:PATH (relative to ServerRoot,
 * its first line) read the password when httpd reads its configuration, as Auth0ClientSecret's env: and
 * file: do, so that no secret is written in a configuration file nor shown by mod_info (httpd's
 * ${VARIABLE} in the URL would be). The timeout (default 2 s, at most 60) bounds each operation of the
 * cache as a whole: making a connection when one is needed (the host name's lookup, connect, AUTH,
 * SELECT), sending the command and reading its reply, however the server dribbles it, and the one new try
 * after a kept connection was found closed. hiredis 0.14's blocking calls have no such deadline (only
 * timeouts per read or write, which a reply sent a byte at a time never reaches), so its non-blocking
 * functions are used on a non-blocking socket, with poll() against the deadline. A reply is at most
 * MAX_REPLY_BYTES: a larger one (a value this module cannot have written) drops the connection rather than
 * letting hiredis buffer gigabytes. TLS (rediss://) needs hiredis 1.0, which Debian 12 does not have: it is
 * refused at start-up with a message that says so.
 *
 * Every process keeps its own connections, made when first needed (none in httpd's parent: a socket
 * must not be shared across fork), outside any lock (a slow server delays the requests that wait for it,
 * not the others), authenticated and switched to DB as they are made, closed on exec (a CGI never gets
 * one). Idle ones are kept, one per thread at most, for a minute (closed when a connection is given back
 * or taken after that). A connection given back with bytes unread (more than its reply) is closed rather
 * than kept, so that no command can read another's reply. A command that finds a kept connection
 * closed by the server (a restart, or its idle timeout) drops every kept connection, made before that too,
 * and is tried once more on a new one; one that times out is not (a server that does not answer costs a
 * request one timeout, not two). After a connection could not be made, the process makes none for 5 s
 * (requests that need one fail at once), rather than letting each request wait through the timeout. A
 * connection that gets an error reply is dropped (a replica after a failover, a server behind a proxy
 * that changed). Entries are named by the instance (the cname httpd gives init, "mod_auth0"), a colon
 * and the id, and expire in Redis itself (SET ... PX).
 *
 * At start-up, one connection is made and PINGed: a server that refuses the password or the database, or
 * that wants a password none was given for (NOAUTH), stops httpd with a message naming it; a server that
 * cannot be reached, or answers otherwise (still loading, too many clients), is only a warning (requests
 * that need the cache answer 503 until it can serve them).
 *
 * An IP address is not looked up (AI_NUMERICHOST). A host name is looked up by the system's resolver
 * (NSS: /etc/hosts, DNS), which no timeout of getaddrinfo bounds (resolv.conf's can make it wait minutes):
 * in httpd's children with glibc's getaddrinfo_a, waited for until the deadline (a lookup given up on is
 * left to glibc and freed once glibc is done with it; without glibc, the children's lookups are the
 * system's, unbounded), and in httpd's parent (start-up, httpd -t), which
 * must not be left with glibc's helper thread before it forks, by a process of its own, killed at the
 * deadline (resolve_here, resolve_apart).
 */
#include "mod_auth0.h"

#include <ap_mpm.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <apr_atomic.h>
#include <apr_lib.h>
#include <apr_thread_mutex.h>
#include <apr_uri.h>
#include <http_core.h>
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <mod_status.h>

#define DEFAULT_PORT 6379
#define DEFAULT_TIMEOUT_MS 2000
#define MAX_TIMEOUT_MS 60000
/* kept connections idle for longer are closed (the server may close them sooner: see above) */
#define IDLE_TTL apr_time_from_sec(60)
/* after a connection could not be made, no other is tried for this long */
#define DOWN_PAUSE_SEC 5
/* the largest reply read: the largest value cache.c reads (64 KiB) and room for its header */
#define MAX_REPLY_BYTES (64 * 1024 + 64)

typedef struct connection {
	redisContext *ctx;
	apr_time_t last_used;
	struct connection *next;
} connection;

struct ap_socache_instance_t {
	const char *host;
	int port;
	const char *user;     /* NULL: AUTH with the password only */
	const char *password; /* NULL: no AUTH */
	int db;
	struct timeval timeout;
	const char *where;    /* redis://host:port/db, for messages: never the password */
	const char *prefix;   /* "cname:" */
	size_t prefix_len;
	server_rec *s;
	apr_thread_mutex_t *lock; /* of idle (each child has its own copy, made before the fork) */
	connection *idle;         /* kept connections, the most recently used first */
	int idle_count, idle_max;
	volatile apr_uint32_t pause_until; /* apr_time_sec: no new connection before */
	apr_time_t swept_at;      /* the last look for idle connections past IDLE_TTL (release), under lock */
};

/* ---- configuration --------------------------------------------------------------------------------- */

static const char *decoded(apr_pool_t *p, const char *s)
{
	if (!s)
		return NULL;
	char *copy = apr_pstrdup(p, s);
	return ap_unescape_all(copy) == OK && *copy ? copy : NULL;
}

static const char *parse_timeout(const char *n, struct timeval *tv)
{
	char *end;
	/* decimal digits and a point only: strtod would also take "+1", " 1", "0x10" and "1e1" */
	double v = apr_isdigit(*n) && n[strspn(n, "0123456789.")] == '\0' ? strtod(n, &end) : 0;
	if (!(v > 0) || v * 1000 > MAX_TIMEOUT_MS)
		return "timeout= takes seconds, more than 0 and at most 60";
	long ms = (long)(v * 1000);
	if (ms < 1)
		ms = 1;
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
	return NULL;
}

/*
 * The URL's options, separated by &: timeout=SECONDS, and password=env:NAME or password=file:PATH, the
 * password read from httpd's environment or a file (a0m_read_secret) rather than written in the URL, where
 * httpd's ${VARIABLE} would put it in clear for mod_info to show. The error texts never hold a password.
 */
static const char *parse_options(apr_pool_t *p, const char *query, ap_socache_instance_t *in)
{
	in->timeout.tv_sec = DEFAULT_TIMEOUT_MS / 1000;
	in->timeout.tv_usec = (DEFAULT_TIMEOUT_MS % 1000) * 1000;
	char *last = NULL;
	for (char *o = query ? apr_strtok(apr_pstrdup(p, query), "&", &last) : NULL; o; o = apr_strtok(NULL, "&", &last)) {
		const char *why = NULL;
		if (strncmp(o, "timeout=", 8) == 0) {
			why = parse_timeout(o + 8, &in->timeout);
		} else if (strncmp(o, "password=", 9) == 0) {
			const char *ref = decoded(p, o + 9);
			if (in->password)
				why = "give the password once: in the URL or as password=";
			else if (!ref || (strncmp(ref, "env:", 4) != 0 && strncmp(ref, "file:", 5) != 0))
				why = "password= takes env:NAME or file:PATH (a password itself goes before the host)";
			else if ((why = a0m_read_secret(p, ref, &in->password)) != NULL)
				why = apr_pstrcat(p, "password=: ", why, NULL);
		} else {
			why = "the options are timeout=SECONDS and password=env:NAME or password=file:PATH";
		}
		if (why)
			return why;
	}
	return NULL;
}

static const char *create(ap_socache_instance_t **out, const char *arg, apr_pool_t *tmp, apr_pool_t *p)
{
	(void)tmp;
	static const char usage[] = " (redis-auth:redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?timeout=SECONDS], or "
	                            "redis://[USER@]HOST...?password=env:NAME|file:PATH)";
	if (!arg || !*arg)
		return apr_pstrcat(p, "redis-auth needs the server's URL", usage, NULL);
	if (strncasecmp(arg, "rediss://", 9) == 0)
		return "redis-auth: TLS (rediss://) needs hiredis 1.0 or later, which this build does not have";
	if (strncasecmp(arg, "redis://", 8) != 0) /* the text is not repeated: it may hold a password */
		return apr_pstrcat(p, "redis-auth: the URL must begin with redis://", usage, NULL);
	apr_uri_t u;
	if (apr_uri_parse(p, arg, &u) != APR_SUCCESS || !u.hostname || !*u.hostname || u.fragment)
		return apr_pstrcat(p, "redis-auth: the URL does not parse", usage, NULL);
	ap_socache_instance_t *in = apr_pcalloc(p, sizeof(*in));
	in->host = u.hostname;
	in->port = DEFAULT_PORT;
	if (u.port_str && *u.port_str) { /* apr_uri_parse keeps its 16 bits only: 70000 would be 4464 */
		char *end;
		long port = apr_isdigit(u.port_str[0]) ? strtol(u.port_str, &end, 10) : 0;
		if (port < 1 || port > 65535 || *end)
			return "redis-auth: the port must be a number from 1 to 65535";
		in->port = (int)port;
	}
	if (u.password) {
		in->password = decoded(p, u.password);
		if (!in->password)
			return "redis-auth: the password is empty or not validly percent-encoded";
		in->user = u.user && *u.user ? decoded(p, u.user) : NULL;
		if (u.user && *u.user && !in->user)
			return "redis-auth: the user name is not validly percent-encoded";
	} else if (u.user) {
		/* USER@ alone: the password comes from the password= option (parse_options) */
		in->user = decoded(p, u.user);
		if (!in->user)
			return "redis-auth: the user name is empty or not validly percent-encoded";
	}
	if (u.path && *u.path && strcmp(u.path, "/") != 0) {
		char *end;
		long db = apr_isdigit(u.path[1]) ? strtol(u.path + 1, &end, 10) : -1; /* not " 3" or "+3" */
		if (db < 0 || *end || db > 1000000)
			return "redis-auth: the path is the database number (/0, /1, ...)";
		in->db = (int)db;
	}
	const char *why = parse_options(p, u.query, in);
	if (why)
		return apr_pstrcat(p, "redis-auth: ", why, NULL);
	if (in->user && !in->password)
		return "redis-auth: give the password after a colon (redis://:PASSWORD@HOST, or USER:PASSWORD@), or "
		       "as password=env:NAME or password=file:PATH";
	in->where = apr_psprintf(p, "redis://%s%s%s:%d/%d", strchr(in->host, ':') ? "[" : "", in->host,
	                         strchr(in->host, ':') ? "]" : "", in->port, in->db);
	*out = in;
	return NULL;
}

/* ---- connections ----------------------------------------------------------------------------------- */

/* The timeout of an operation of the cache, all in all. */
static apr_interval_time_t timeout_of(const ap_socache_instance_t *in)
{
	return apr_time_from_sec(in->timeout.tv_sec) + in->timeout.tv_usec;
}

/* What went wrong, for a message: a buffer of the caller's (connections are made for the life of the
 * server, and a pool would keep every failed attempt's text). */
typedef struct problem {
	char text[256];
	bool refused; /* the server refused the password or the database: a configuration error */
	bool closed;  /* the server closed the connection (rather than a timeout, or an error of the command) */
} problem;

/* Waits until fd is ready for events, or the deadline passes (false, and why says so). */
static bool ready_by(int fd, short events, apr_time_t deadline, problem *why)
{
	struct pollfd wait = { .fd = fd, .events = events };
	for (;;) {
		apr_time_t left = deadline - apr_time_now();
		int n = poll(&wait, 1, left > 0 ? (int)((left + 999) / 1000) : 0);
		if (n > 0)
			return true; /* an error or a hang-up too: the read or write that follows reports it */
		if (n == 0) {
			apr_cpystrn(why->text, "timed out", sizeof(why->text));
			return false;
		}
		if (errno != EINTR) {
			apr_strerror(APR_FROM_OS_ERROR(errno), why->text, sizeof(why->text));
			return false;
		}
	}
}

/* hiredis' failure on c, as why's text; whether it was the server closing the connection (errno as the
 * failed read or write left it). */
static void *failed(redisContext *c, problem *why)
{
	why->closed = c->err == REDIS_ERR_EOF || (c->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE));
	apr_cpystrn(why->text, c->errstr[0] ? c->errstr : "out of memory", sizeof(why->text));
	return NULL;
}

/*
 * Sends the command appended to c's output buffer and reads its reply, by the deadline: the reply, or NULL
 * with what went wrong (c is not to be used again then).
 */
static void *exchange(redisContext *c, apr_time_t deadline, problem *why)
{
	why->closed = false;
	for (int done = 0; !done;) {
		if (!ready_by(c->fd, POLLOUT, deadline, why))
			return NULL;
		if (redisBufferWrite(c, &done) != REDIS_OK)
			return failed(c, why);
	}
	for (;;) {
		void *reply = NULL;
		if (redisGetReplyFromReader(c, &reply) != REDIS_OK)
			return failed(c, why);
		if (reply)
			return reply;
		if (c->reader->len - c->reader->pos > MAX_REPLY_BYTES) {
			apr_snprintf(why->text, sizeof(why->text), "a reply larger than %d bytes", MAX_REPLY_BYTES);
			return NULL;
		}
		if (!ready_by(c->fd, POLLIN, deadline, why))
			return NULL;
		if (redisBufferRead(c) != REDIS_OK)
			return failed(c, why);
	}
}

/* A command (a hiredis format and its arguments) sent on c and its reply, by the deadline (exchange). */
static void *command_by(redisContext *c, apr_time_t deadline, problem *why, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	int rc = redisvAppendCommand(c, format, ap);
	va_end(ap);
	if (rc != REDIS_OK) {
		why->closed = false;
		apr_cpystrn(why->text, c->errstr[0] ? c->errstr : "out of memory", sizeof(why->text));
		return NULL;
	}
	return exchange(c, deadline, why);
}

/* A reply of the type wanted (NIL too where a string or a status is wanted: GET of a missing key, SET NX of
 * an existing one), or NULL (freed) with what went wrong. */
static redisReply *reply_of(void *r, int type, problem *why)
{
	redisReply *reply = r;
	if (!reply)
		return NULL; /* why says why (exchange) */
	if (reply->type == type ||
	    ((type == REDIS_REPLY_STRING || type == REDIS_REPLY_STATUS) && reply->type == REDIS_REPLY_NIL))
		return reply;
	if (reply->type == REDIS_REPLY_ERROR && reply->str)
		apr_cpystrn(why->text, reply->str, sizeof(why->text));
	else
		apr_cpystrn(why->text, "an unexpected reply", sizeof(why->text));
	freeReplyObject(reply);
	return NULL;
}

/* The error replies of AUTH and SELECT that mean the configuration is wrong (Redis 6 and 7, and older). */
static bool refusal(const char *error)
{
	static const char *const prefixes[] = { "WRONGPASS", "NOAUTH", "ERR invalid password", "ERR AUTH",
		                                    "ERR Client sent AUTH", "ERR invalid DB index", "ERR DB index" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(error, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* Puts what: before what went wrong. */
static void prefix_problem(problem *why, const char *what)
{
	char text[sizeof(why->text)];
	apr_snprintf(text, sizeof(text), "%s: %s", what, why->text);
	memcpy(why->text, text, sizeof(text));
}

/*
 * One setup command (AUTH, SELECT) on a new connection: false with what went wrong. secret (AUTH's): the
 * reply to a command that carried it is never put in a message but for its first word, the error's code
 * (WRONGPASS, NOAUTH, ERR): a server may repeat the command's arguments in its error ("unknown command
 * 'AUTH', with args beginning with: ..." when AUTH is renamed), cut at 128 characters in all and with
 * line breaks made spaces, so that no test on the text can be sure that no piece of the password is there.
 */
static bool setup(redisContext *c, void *r, const char *name, const char *secret, problem *why)
{
	redisReply *reply = reply_of(r, REDIS_REPLY_STATUS, why);
	if (!reply) {
		bool answered = r != NULL; /* an error reply, rather than no reply */
		why->refused = answered && refusal(why->text);
		if (secret && answered && strcmp(why->text, "an unexpected reply") != 0) {
			/* the code: capital letters only, so that nothing else of the reply can pass for one */
			size_t code = strspn(why->text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
			char text[sizeof(why->text)];
			apr_snprintf(text, sizeof(text), "%.*s (the rest of the server's reply is not shown: it may repeat "
			             "the password)", (int)(code < 32 ? code : 32), code ? why->text : "an error");
			memcpy(why->text, text, sizeof(text));
		}
		prefix_problem(why, name);
		return false;
	}
	freeReplyObject(reply);
	return true;
}

/* ---- the server's addresses ------------------------------------------------------------------------ */

/* The addresses a host name gave, at most MAX_ADDRESSES (each is tried by the deadline: more would not be) */
#define MAX_ADDRESSES 16
typedef struct address {
	int family, socktype, protocol;
	socklen_t len;
	struct sockaddr_storage addr;
} address;
typedef struct addresses {
	int rc;  /* getaddrinfo's */
	int err; /* errno, for EAI_SYSTEM */
	int count;
	address a[MAX_ADDRESSES];
} addresses;

static const struct addrinfo lookup_hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                                          .ai_flags = AI_NUMERICSERV };

static void take_addresses(const struct addrinfo *list, addresses *out)
{
	out->count = 0;
	for (const struct addrinfo *a = list; a && out->count < MAX_ADDRESSES; a = a->ai_next) {
		if (a->ai_addrlen > sizeof(out->a[0].addr))
			continue;
		address *to = &out->a[out->count++];
		to->family = a->ai_family;
		to->socktype = a->ai_socktype;
		to->protocol = a->ai_protocol;
		to->len = a->ai_addrlen;
		memcpy(&to->addr, a->ai_addr, a->ai_addrlen);
	}
}

/* getaddrinfo's failure as why's text; err: errno where it is known (0: not, as in another thread) */
static void lookup_failed(const ap_socache_instance_t *in, int rc, int err, problem *why)
{
	char text[128];
	if (rc == EAI_SYSTEM && err)
		apr_strerror(APR_FROM_OS_ERROR(err), text, sizeof(text));
	else
		apr_cpystrn(text, gai_strerror(rc), sizeof(text));
	apr_snprintf(why->text, sizeof(why->text), "looking up %s: %s", in->host, text);
}

#ifdef A0M_HAVE_GETADDRINFO_A
/*
 * In a child of httpd (the MPM running): glibc's getaddrinfo_a, waited for with gai_suspend until the
 * deadline; getaddrinfo_a, gai_suspend, gai_cancel and gai_error are safe in threads (glibc keeps its queue
 * under a lock of its own), and the list below has its own. A lookup that has begun cannot be stopped
 * (gai_cancel: EAI_NOTCANCELED), and glibc writes its gaicb when it ends, however late: so the gaicb, and
 * the name and hints it points to, are malloc'd (not in a pool that may be gone by then), and one given up
 * while glibc still has it is kept on a list of the process (abandoned) until gai_cancel says glibc is done
 * with it (EAI_ALLDONE, answered under glibc's lock), and freed then, by the next lookup.
 */
typedef struct lookup {
	struct gaicb cb;
	struct addrinfo hints;
	char port[8];
	struct lookup *next; /* on abandoned */
	char host[];
} lookup;

static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;
static lookup *abandoned;

static void lookup_free(lookup *l)
{
	if (gai_error(&l->cb) == 0 && l->cb.ar_result)
		freeaddrinfo(l->cb.ar_result);
	free(l);
}

/* Frees the lookups given up on that glibc has finished with. */
static void reap_abandoned(void)
{
	pthread_mutex_lock(&abandoned_lock);
	for (lookup **at = &abandoned; *at;) {
		lookup *l = *at;
		if (gai_cancel(&l->cb) == EAI_NOTCANCELED) {
			at = &l->next;
			continue;
		}
		*at = l->next;
		lookup_free(l);
	}
	pthread_mutex_unlock(&abandoned_lock);
}

static bool resolve_here(const ap_socache_instance_t *in, const char *port, apr_time_t deadline, addresses *out,
                         problem *why)
{
	reap_abandoned();
	size_t host_len = strlen(in->host) + 1;
	lookup *l = calloc(1, sizeof(*l) + host_len);
	if (!l) {
		apr_cpystrn(why->text, "out of memory", sizeof(why->text));
		return false;
	}
	memcpy(l->host, in->host, host_len);
	apr_cpystrn(l->port, port, sizeof(l->port));
	l->hints = lookup_hints;
	l->cb.ar_name = l->host;
	l->cb.ar_service = l->port;
	l->cb.ar_request = &l->hints;
	struct gaicb *start[1] = { &l->cb };
	int rc = getaddrinfo_a(GAI_NOWAIT, start, 1, NULL);
	if (rc != 0) { /* not queued: glibc does not have it */
		lookup_failed(in, rc, errno, why);
		free(l);
		return false;
	}
	const struct gaicb *wait_for[1] = { &l->cb };
	while (gai_error(&l->cb) == EAI_INPROGRESS) {
		apr_time_t left = deadline - apr_time_now();
		if (left <= 0)
			break;
		struct timespec until = { .tv_sec = left / APR_USEC_PER_SEC, .tv_nsec = (left % APR_USEC_PER_SEC) * 1000 };
		gai_suspend(wait_for, 1, &until); /* its end, the time, or a signal: gai_error tells which */
	}
	/* EAI_ALLDONE: ended (read again below, after glibc's lock); EAI_CANCELED: taken off glibc's queue
	 * before it began; EAI_NOTCANCELED: still going on, or ending this very moment */
	int held = gai_cancel(&l->cb);
	rc = gai_error(&l->cb);
	if (rc == 0)
		take_addresses(l->cb.ar_result, out);
	else if (rc == EAI_INPROGRESS || held == EAI_CANCELED)
		apr_snprintf(why->text, sizeof(why->text), "looking up %s: timed out", in->host);
	else
		lookup_failed(in, rc, 0, why); /* an EAI_SYSTEM's errno was glibc's thread's */
	if (held == EAI_NOTCANCELED) {
		pthread_mutex_lock(&abandoned_lock);
		l->next = abandoned;
		abandoned = l;
		pthread_mutex_unlock(&abandoned_lock);
	} else {
		lookup_free(l);
	}
	return rc == 0;
}
#else
/* Without getaddrinfo_a (a C library other than glibc): the system's lookup, which the timeout does not
 * bound (configure says so); a process forked from a child's threads could not safely look up instead. */
static bool resolve_here(const ap_socache_instance_t *in, const char *port, apr_time_t deadline, addresses *out,
                         problem *why)
{
	(void)deadline;
	struct addrinfo *list = NULL;
	int rc = getaddrinfo(in->host, port, &lookup_hints, &list);
	if (rc != 0) {
		lookup_failed(in, rc, errno, why);
		return false;
	}
	take_addresses(list, out);
	freeaddrinfo(list);
	return true;
}
#endif

/*
 * In httpd's parent (start-up, httpd -t, a restart): a process of its own looks the name up, sends the
 * addresses through a pipe, and is killed at the deadline. getaddrinfo_a would leave a helper thread of
 * glibc's behind, idle for a second after its lookup (or busy with one given up), and the children httpd
 * forks meanwhile would inherit glibc's count of it without the thread: their lookups would be queued for
 * it and never made. A process that httpd's parent forks while it is one thread alone is safe to look up
 * with getaddrinfo.
 */
static bool resolve_apart(const ap_socache_instance_t *in, const char *port, apr_time_t deadline, addresses *out,
                          problem *why)
{
	int pipe_fds[2];
	if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
		apr_strerror(APR_FROM_OS_ERROR(errno), why->text, sizeof(why->text));
		return false;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(pipe_fds[0]);
		struct addrinfo *list = NULL;
		addresses found = { .rc = getaddrinfo(in->host, port, &lookup_hints, &list) };
		found.err = errno;
		if (found.rc == 0)
			take_addresses(list, &found);
		/* one write of less than PIPE_BUF bytes: whole or not at all */
		_exit(write(pipe_fds[1], &found, sizeof(found)) == (ssize_t)sizeof(found) ? 0 : 1);
	}
	close(pipe_fds[1]);
	if (pid < 0) {
		apr_strerror(APR_FROM_OS_ERROR(errno), why->text, sizeof(why->text));
		close(pipe_fds[0]);
		return false;
	}
	size_t got = 0;
	bool in_time = true;
	while (got < sizeof(*out) && (in_time = ready_by(pipe_fds[0], POLLIN, deadline, why))) {
		ssize_t n = read(pipe_fds[0], (char *)out + got, sizeof(*out) - got);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || errno != EINTR)
			break;
	}
	close(pipe_fds[0]);
	if (got < sizeof(*out))
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (got < sizeof(*out)) {
		if (in_time) /* else why says what ready_by met: the deadline, mostly */
			apr_cpystrn(why->text, "its process ended without an answer", sizeof(why->text));
		char what[sizeof(why->text)];
		apr_snprintf(what, sizeof(what), "looking up %s", in->host);
		prefix_problem(why, what);
		return false;
	}
	if (out->count < 0 || out->count > MAX_ADDRESSES)
		out->count = 0;
	if (out->rc != 0) {
		lookup_failed(in, out->rc, out->err, why);
		return false;
	}
	return true;
}

/*
 * in's server's addresses, by the deadline. An IP address is taken as it is (AI_NUMERICHOST: no resolver);
 * a host name is looked up by the system's resolver (NSS: /etc/hosts, DNS), within the deadline.
 */
static bool resolve(const ap_socache_instance_t *in, apr_time_t deadline, addresses *out, problem *why)
{
	char port[8];
	apr_snprintf(port, sizeof(port), "%d", in->port);
	struct addrinfo numeric = lookup_hints, *list = NULL;
	numeric.ai_flags |= AI_NUMERICHOST;
	int rc = getaddrinfo(in->host, port, &numeric, &list);
	if (rc == 0) {
		take_addresses(list, out);
		freeaddrinfo(list);
		return true;
	}
	if (rc != EAI_NONAME) {
		lookup_failed(in, rc, errno, why);
		return false;
	}
	if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM)
		return resolve_here(in, port, deadline, out, why);
	return resolve_apart(in, port, deadline, out, why);
}

/*
 * A TCP connection to in's server, made here rather than by hiredis: close-on-exec from its first moment
 * (hiredis 0.14 asks for no flag, and a program that another thread starts before the flag is set would
 * keep the socket, which this process then signs in), non-blocking (exchange), its lookup and connect
 * bounded by the deadline. -1 with what went wrong.
 */
static int open_socket(const ap_socache_instance_t *in, apr_time_t deadline, problem *why)
{
	addresses found;
	if (!resolve(in, deadline, &found, why))
		return -1;
	int fd = -1, err = ECONNREFUSED;
	for (const address *a = found.a; a < found.a + found.count && fd < 0; a++) {
		fd = socket(a->family, a->socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		err = connect(fd, (const struct sockaddr *)&a->addr, a->len) == 0 ? 0 : errno;
		if (err == EINPROGRESS) {
			socklen_t len = sizeof(err);
			if (!ready_by(fd, POLLOUT, deadline, why))
				err = -1; /* why says so */
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
		}
		if (err) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		if (err != -1)
			apr_strerror(APR_FROM_OS_ERROR(err), why->text, sizeof(why->text));
		return -1;
	}
	int one = 1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
		apr_strerror(APR_FROM_OS_ERROR(errno), why->text, sizeof(why->text));
		close(fd);
		return -1;
	}
	return fd;
}

/* A connection, authenticated and on its database, by the deadline; NULL with what went wrong. */
static redisContext *connect_to(const ap_socache_instance_t *in, apr_time_t deadline, problem *why)
{
	why->refused = false;
	int fd = open_socket(in, deadline, why);
	if (fd < 0)
		return NULL;
	redisContext *c = redisConnectFd(fd);
	if (!c || c->err) {
		apr_cpystrn(why->text, c ? c->errstr : "out of memory", sizeof(why->text));
		if (c)
			redisFree(c); /* closes fd */
		else
			close(fd);
		return NULL;
	}
	c->flags &= ~REDIS_BLOCK; /* the socket is non-blocking: exchange() waits, against the deadline */
	bool ok = true;
	if (in->password)
		ok = setup(c,
		           in->user ? command_by(c, deadline, why, "AUTH %s %s", in->user, in->password)
		                    : command_by(c, deadline, why, "AUTH %s", in->password),
		           "AUTH", in->password, why);
	if (ok && in->db)
		ok = setup(c, command_by(c, deadline, why, "SELECT %d", in->db), "SELECT", NULL, why);
	if (!ok) {
		redisFree(c);
		return NULL;
	}
	return c;
}

static void discard(connection *conn)
{
	redisFree(conn->ctx);
	free(conn);
}

static void discard_list(connection *list)
{
	while (list) {
		connection *next = list->next;
		discard(list);
		list = next;
	}
}

/* A kept connection (*kept set), or a new one made by the deadline; NULL with what went wrong. */
static connection *acquire(ap_socache_instance_t *in, apr_time_t deadline, problem *why, bool *kept)
{
	apr_time_t now = apr_time_now();
	for (;;) {
		apr_thread_mutex_lock(in->lock);
		connection *conn = in->idle;
		if (conn) {
			in->idle = conn->next;
			in->idle_count--;
		}
		apr_thread_mutex_unlock(in->lock);
		if (!conn)
			break;
		/* readable while idle: closed by the server, or bytes no command asked for (they would be read
		 * as this command's reply) */
		struct pollfd idle = { .fd = conn->ctx->fd, .events = POLLIN };
		if (now - conn->last_used < IDLE_TTL && poll(&idle, 1, 0) == 0) {
			*kept = true;
			return conn;
		}
		discard(conn);
	}
	*kept = false;
	apr_uint32_t pause = apr_atomic_read32(&in->pause_until);
	if ((apr_uint32_t)apr_time_sec(now) < pause) {
		apr_snprintf(why->text, sizeof(why->text), "could not connect a moment ago; trying again within %d s",
		             DOWN_PAUSE_SEC);
		return NULL;
	}
	redisContext *c = connect_to(in, deadline, why);
	connection *conn = c ? calloc(1, sizeof(*conn)) : NULL;
	if (!conn) {
		if (c) {
			redisFree(c);
			apr_cpystrn(why->text, "out of memory", sizeof(why->text));
		} else {
			prefix_problem(why, "cannot connect");
		}
		apr_atomic_set32(&in->pause_until, (apr_uint32_t)(apr_time_sec(apr_time_now()) + DOWN_PAUSE_SEC));
		return NULL;
	}
	conn->ctx = c;
	return conn;
}

/* Gives a connection back to be kept, and closes the kept ones idle for longer than IDLE_TTL (the oldest,
 * at the end of the list), so that a process that no longer uses the cache does not hold them. */
static void release(ap_socache_instance_t *in, connection *conn)
{
	apr_time_t now = conn->last_used = apr_time_now();
	/* bytes beyond its reply: they would be read as the next command's */
	bool clean = conn->ctx->reader->pos == conn->ctx->reader->len;
	connection *expired = NULL;
	apr_thread_mutex_lock(in->lock);
	bool keep = clean && in->idle_count < in->idle_max;
	if (keep) {
		conn->next = in->idle;
		in->idle = conn;
		in->idle_count++;
	}
	/* the walk is at most once a second: it is made under the lock, for every command */
	if (now - in->swept_at >= apr_time_from_sec(1)) {
		in->swept_at = now;
		for (connection **at = &in->idle; *at; at = &(*at)->next)
			if (now - (*at)->last_used >= IDLE_TTL) {
				expired = *at;
				*at = NULL;
				for (connection *e = expired; e; e = e->next)
					in->idle_count--;
				break;
			}
	}
	apr_thread_mutex_unlock(in->lock);
	if (!keep)
		discard(conn);
	discard_list(expired);
}

/* Closes every kept connection: one was found closed by the server, and the others were made before. */
static void drop_kept(ap_socache_instance_t *in)
{
	apr_thread_mutex_lock(in->lock);
	connection *list = in->idle;
	in->idle = NULL;
	in->idle_count = 0;
	apr_thread_mutex_unlock(in->lock);
	discard_list(list);
}

static apr_status_t drop_all(void *data)
{
	drop_kept(data);
	return APR_SUCCESS;
}

/* The server is asked once, so that a wrong password or database, or a password missing (PING's NOAUTH),
 * stops httpd at start-up and fails `httpd -t`, rather than every login answering 503 later. A server that
 * does not answer is only a warning: it may come up after httpd. */
apr_status_t a0m_socache_redis_probe(ap_socache_instance_t *in, server_rec *s)
{
	problem why;
	apr_time_t deadline = apr_time_now() + timeout_of(in);
	redisContext *c = connect_to(in, deadline, &why);
	bool answered = false;
	if (c) {
		answered = setup(c, command_by(c, deadline, &why, "PING"), "PING", NULL, &why);
		redisFree(c);
	}
	if (answered)
		return APR_SUCCESS;
	if (why.refused) {
		ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "Auth0Cache: redis-auth: %s refused: %s", in->where, why.text);
		return APR_EACCES;
	}
	ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
	             "Auth0Cache: redis-auth: %s cannot serve now (%s); requests that need the cache answer 503 until "
	             "it can", in->where, why.text);
	return APR_SUCCESS;
}

static apr_status_t init(ap_socache_instance_t *in, const char *cname, const struct ap_socache_hints *hints,
                         server_rec *s, apr_pool_t *p)
{
	(void)hints;
	in->s = s;
	in->prefix = apr_pstrcat(p, cname ? cname : "socache", ":", NULL);
	in->prefix_len = strlen(in->prefix);

	apr_status_t asked = a0m_socache_redis_probe(in, s);
	if (asked != APR_SUCCESS)
		return asked;

	int threads = 1;
	if (ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads) != APR_SUCCESS || threads < 1)
		threads = 1;
	in->idle_max = threads;
	in->idle = NULL;
	in->idle_count = 0;
	in->pause_until = 0;
	in->swept_at = 0;
	apr_status_t rv = apr_thread_mutex_create(&in->lock, APR_THREAD_MUTEX_DEFAULT, p);
	if (rv != APR_SUCCESS) {
		ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, "Auth0Cache: redis-auth: no mutex");
		return rv;
	}
	apr_pool_cleanup_register(p, in, drop_all, apr_pool_cleanup_null);
	return APR_SUCCESS;
}

static void destroy(ap_socache_instance_t *in, server_rec *s)
{
	(void)s;
	(void)in; /* the kept connections go with init's pool (drop_all) */
}

/* ---- commands -------------------------------------------------------------------------------------- */

typedef struct command {
	const char *name;       /* for messages */
	const char *format;     /* hiredis format; the key is its first %b */
	bool with_value;        /* SET: a value and an expiry follow the key */
	const void *value;
	size_t value_len;
	long long ttl_ms;
	int reply_type;
	bool retried;           /* set by run(): the reply came on a second try (see a0m_socache_redis_add) */
} command;

static void *send_command(redisContext *c, apr_time_t deadline, const command *cmd, const char *key,
                          size_t key_len, problem *why)
{
	if (cmd->with_value)
		return command_by(c, deadline, why, cmd->format, key, key_len, cmd->value, cmd->value_len, cmd->ttl_ms);
	return command_by(c, deadline, why, cmd->format, key, key_len);
}

/* Runs cmd on id; *out gets the reply (the caller frees it). APR_EGENERAL when the server cannot be used. */
static apr_status_t run(ap_socache_instance_t *in, command *cmd, const unsigned char *id, unsigned int idlen,
                        redisReply **out, apr_pool_t *p)
{
	char *key = apr_palloc(p, in->prefix_len + idlen);
	memcpy(key, in->prefix, in->prefix_len);
	memcpy(key + in->prefix_len, id, idlen);
	size_t key_len = in->prefix_len + idlen;

	problem why = { "no connection", false, false };
	apr_time_t deadline = apr_time_now() + timeout_of(in);
	for (int attempt = 0; attempt < 2; attempt++) {
		bool kept = false;
		connection *conn = acquire(in, deadline, &why, &kept);
		if (!conn)
			break;
		redisReply *reply = reply_of(send_command(conn->ctx, deadline, cmd, key, key_len, &why), cmd->reply_type, &why);
		if (reply) {
			release(in, conn);
			cmd->retried = attempt > 0;
			*out = reply;
			return APR_SUCCESS;
		}
		/* an error reply too: the server is no longer what the connection was made for (a replica after
		 * a failover, another server behind a proxy), and the next command gets a new connection */
		bool stale = kept && why.closed;
		discard(conn);
		if (!stale)
			break;
		drop_kept(in);
	}
	ap_log_error(APLOG_MARK, APLOG_ERR, 0, in->s, "redis-auth: %s of an entry at %s failed: %s", cmd->name,
	             in->where, why.text);
	return APR_EGENERAL;
}

static long long ttl_ms_until(apr_time_t expiry)
{
	long long ttl_ms = (long long)apr_time_as_msec(expiry - apr_time_now());
	return ttl_ms < 1 ? 1 : ttl_ms; /* expired as it is stored: gone at once, as if never stored */
}

static apr_status_t store(ap_socache_instance_t *in, server_rec *s, const unsigned char *id, unsigned int idlen,
                          apr_time_t expiry, unsigned char *data, unsigned int datalen, apr_pool_t *p)
{
	(void)s;
	command cmd = { "SET", "SET %b %b PX %lld", true, data, datalen, ttl_ms_until(expiry), REDIS_REPLY_STATUS, false };
	redisReply *reply = NULL;
	apr_status_t rv = run(in, &cmd, id, idlen, &reply, p);
	if (reply)
		freeReplyObject(reply);
	return rv;
}

/*
 * A command that finds its kept connection closed is sent again on a new one (run()), and the server may
 * have carried out the first sending before it closed (a failover, a proxy restarting, redis killed between
 * the write and the reply). For SET NX that second sending finds the key, and a login would be refused as
 * a replay of its own state. So the value is a random token of this add: when a second try finds the key,
 * the key's value tells whether it is this add's first try or another's write.
 */
#define ADD_TOKEN_BYTES 16
apr_status_t a0m_socache_redis_add(ap_socache_instance_t *in, server_rec *s, const unsigned char *id,
                                   unsigned int idlen, apr_time_t expiry, apr_pool_t *p)
{
	(void)s;
	unsigned char random[ADD_TOKEN_BYTES];
	char token[2 * ADD_TOKEN_BYTES + 1];
	if (apr_generate_random_bytes(random, sizeof(random)) != APR_SUCCESS)
		return APR_EGENERAL;
	ap_bin2hex(random, sizeof(random), token);
	command cmd = { "SET NX", "SET %b %b PX %lld NX", true, token, 2 * ADD_TOKEN_BYTES, ttl_ms_until(expiry),
		            REDIS_REPLY_STATUS, false };
	redisReply *reply = NULL;
	apr_status_t rv = run(in, &cmd, id, idlen, &reply, p);
	if (rv != APR_SUCCESS)
		return rv;
	/* NIL: the key was there, and nothing was written */
	bool found = reply->type == REDIS_REPLY_NIL;
	freeReplyObject(reply);
	if (!found)
		return APR_SUCCESS;
	if (!cmd.retried)
		return APR_EEXIST;
	command get = { "GET", "GET %b", false, NULL, 0, 0, REDIS_REPLY_STRING, false };
	reply = NULL;
	rv = run(in, &get, id, idlen, &reply, p);
	if (rv != APR_SUCCESS)
		return rv;
	bool ours = reply->type == REDIS_REPLY_STRING && reply->len == 2 * ADD_TOKEN_BYTES &&
	            memcmp(reply->str, token, 2 * ADD_TOKEN_BYTES) == 0;
	freeReplyObject(reply);
	return ours ? APR_SUCCESS : APR_EEXIST;
}

/*
 * SET ... XX: stores the value only where the key still is, in one step of the server, so that a removal by
 * any host sharing it (a logout) cannot come between a look and the write. Sent again after a closed
 * connection it does the same thing again (an entry removed meanwhile stays removed).
 */
apr_status_t a0m_socache_redis_replace(ap_socache_instance_t *in, server_rec *s, const unsigned char *id,
                                       unsigned int idlen, apr_time_t expiry, const unsigned char *data,
                                       unsigned int datalen, apr_pool_t *p)
{
	(void)s;
	command cmd = { "SET XX", "SET %b %b PX %lld XX", true, data, datalen, ttl_ms_until(expiry),
		            REDIS_REPLY_STATUS, false };
	redisReply *reply = NULL;
	apr_status_t rv = run(in, &cmd, id, idlen, &reply, p);
	if (rv != APR_SUCCESS)
		return rv;
	/* NIL: the key was not there, and nothing was written */
	rv = reply->type == REDIS_REPLY_NIL ? APR_NOTFOUND : APR_SUCCESS;
	freeReplyObject(reply);
	return rv;
}

static apr_status_t retrieve(ap_socache_instance_t *in, server_rec *s, const unsigned char *id,
                             unsigned int idlen, unsigned char *data, unsigned int *datalen, apr_pool_t *p)
{
	(void)s;
	command cmd = { "GET", "GET %b", false, NULL, 0, 0, REDIS_REPLY_STRING, false };
	redisReply *reply = NULL;
	apr_status_t rv = run(in, &cmd, id, idlen, &reply, p);
	if (rv != APR_SUCCESS)
		return rv;
	if (reply->type == REDIS_REPLY_NIL)
		rv = APR_NOTFOUND;
	else if (reply->len > *datalen)
		rv = APR_ENOSPC;
	else {
		memcpy(data, reply->str, reply->len);
		*datalen = (unsigned int)reply->len;
	}
	freeReplyObject(reply);
	return rv;
}

static apr_status_t remove_entry(ap_socache_instance_t *in, server_rec *s, const unsigned char *id,
                                 unsigned int idlen, apr_pool_t *p)
{
	(void)s;
	command cmd = { "DEL", "DEL %b", false, NULL, 0, 0, REDIS_REPLY_INTEGER, false };
	redisReply *reply = NULL;
	apr_status_t rv = run(in, &cmd, id, idlen, &reply, p);
	if (rv != APR_SUCCESS)
		return rv;
	rv = reply->integer > 0 ? APR_SUCCESS : APR_NOTFOUND;
	freeReplyObject(reply);
	return rv;
}

static void status(ap_socache_instance_t *in, request_rec *r, int flags)
{
	if (flags & AP_STATUS_SHORT)
		ap_rprintf(r, "CacheType: redis-auth\nCacheServer: %s\n", ap_escape_html(r->pool, in->where));
	else
		ap_rprintf(r, "cache type: <b>redis-auth</b>, server: <b>%s</b><br>", ap_escape_html(r->pool, in->where));
}

static apr_status_t iterate(ap_socache_instance_t *in, server_rec *s, void *userctx,
                            ap_socache_iterator_t *iterator, apr_pool_t *pool)
{
	(void)in, (void)s, (void)userctx, (void)iterator, (void)pool;
	return APR_ENOTIMPL;
}

static const ap_socache_provider_t redis_auth = {
	"redis-auth", 0, create, init, destroy, store, retrieve, remove_entry, status, iterate,
};

void a0m_socache_redis_register(apr_pool_t *p)
{
	ap_register_provider(p, AP_SOCACHE_PROVIDER_GROUP, "redis-auth", AP_SOCACHE_PROVIDER_VERSION, &redis_auth);
}
