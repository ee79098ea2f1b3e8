/*
 * redis-auth: an httpd socache provider for Redis servers that ask for a password, or a user and a
 * password (Redis 6 ACLs), or hold the cache in another database than 0. httpd's own provider
 * (mod_socache_redis, through apr_redis) can do none of these, and a Redis server that several hosts
 * share is one that production setups protect. Built on hiredis.
 *
 *   Auth0Cache redis-auth:redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?timeout=SECONDS]
 *
 * USER and PASSWORD are percent-decoded; httpd's ${VARIABLE} takes them from the environment httpd starts
 * in, so that no secret needs to be written in a configuration file. The timeout (default 2 s, at most 60)
 * bounds the connection and each command. TLS (rediss://) needs hiredis 1.0, which Debian 12 does not
 * have: it is refused at start-up with a message that says so.
 *
 * Every process keeps its own connections (an apr_reslist, one per thread at most, made when first
 * needed: none in httpd's parent), authenticated and switched to DB as they are made. A command that finds
 * a connection that had served before closed by the server (it restarted, or closed it for idleness) is
 * tried once more on a new one; one that times out is not (a server that does not answer costs a request
 * one timeout, not two). Entries are named by the instance (the cname httpd gives init, "mod_auth0"), a colon
 * and the id, and expire in Redis itself (SET ... PX).
 *
 * At start-up, one connection is made: a server that refuses the password or the database stops httpd
 * with a message naming it; a server that cannot be reached is only a warning (it may come up later, and
 * until then requests that need the cache answer 503).
 */
#include "mod_auth0.h"

#include <ap_mpm.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <apr_reslist.h>
#include <apr_uri.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <mod_status.h>

#define DEFAULT_PORT 6379
#define DEFAULT_TIMEOUT_MS 2000
#define MAX_TIMEOUT_MS 60000
/* idle connections are closed after this (the server may have a timeout of its own: see retries above) */
#define IDLE_TTL apr_time_from_sec(60)

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
	apr_reslist_t *conns;
};

typedef struct connection {
	redisContext *ctx;
	bool served; /* answered a command before: a failure may be a stale connection */
} connection;

/* ---- configuration --------------------------------------------------------------------------------- */

static const char *decoded(apr_pool_t *p, const char *s)
{
	if (!s)
		return NULL;
	char *copy = apr_pstrdup(p, s);
	return ap_unescape_all(copy) == OK && *copy ? copy : NULL;
}

static const char *parse_timeout(const char *query, struct timeval *tv)
{
	long ms = DEFAULT_TIMEOUT_MS;
	if (query) {
		if (strncmp(query, "timeout=", 8) != 0)
			return "the only option is timeout=SECONDS";
		char *end;
		double v = strtod(query + 8, &end);
		if (end == query + 8 || *end || !(v > 0) || v * 1000 > MAX_TIMEOUT_MS)
			return "timeout= takes seconds, more than 0 and at most 60";
		ms = (long)(v * 1000);
		if (ms < 1)
			ms = 1;
	}
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
	return NULL;
}

static const char *create(ap_socache_instance_t **out, const char *arg, apr_pool_t *tmp, apr_pool_t *p)
{
	(void)tmp;
	static const char usage[] = " (redis-auth:redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?timeout=SECONDS])";
	if (!arg || !*arg)
		return apr_pstrcat(p, "redis-auth needs the server's URL", usage, NULL);
	if (strncasecmp(arg, "rediss://", 9) == 0)
		return "redis-auth: TLS (rediss://) needs hiredis 1.0 or later, which this build does not have";
	if (strncasecmp(arg, "redis://", 8) != 0)
		return apr_pstrcat(p, "redis-auth: '", arg, "' is not a redis:// URL", usage, NULL);
	apr_uri_t u;
	if (apr_uri_parse(p, arg, &u) != APR_SUCCESS || !u.hostname || !*u.hostname || u.fragment)
		return apr_pstrcat(p, "redis-auth: the URL does not parse", usage, NULL);
	ap_socache_instance_t *in = apr_pcalloc(p, sizeof(*in));
	in->host = u.hostname;
	in->port = u.port_str ? u.port : DEFAULT_PORT;
	if (u.port_str && (!*u.port_str || u.port == 0))
		return "redis-auth: the port must be a number from 1 to 65535";
	if (u.password) {
		in->password = decoded(p, u.password);
		if (!in->password)
			return "redis-auth: the password is empty or not validly percent-encoded";
		in->user = u.user && *u.user ? decoded(p, u.user) : NULL;
		if (u.user && *u.user && !in->user)
			return "redis-auth: the user name is not validly percent-encoded";
	} else if (u.user) {
		return "redis-auth: give the password after a colon (redis://:PASSWORD@HOST, or USER:PASSWORD@)";
	}
	if (u.path && *u.path && strcmp(u.path, "/") != 0) {
		char *end;
		long db = strtol(u.path + 1, &end, 10);
		if (end == u.path + 1 || *end || db < 0 || db > 1000000)
			return "redis-auth: the path is the database number (/0, /1, ...)";
		in->db = (int)db;
	}
	const char *why = parse_timeout(u.query, &in->timeout);
	if (why)
		return apr_pstrcat(p, "redis-auth: ", why, NULL);
	in->where = apr_psprintf(p, "redis://%s%s%s:%d/%d", strchr(in->host, ':') ? "[" : "", in->host,
	                         strchr(in->host, ':') ? "]" : "", in->port, in->db);
	*out = in;
	return NULL;
}

/* ---- connections ----------------------------------------------------------------------------------- */

/* What went wrong, for a message: a buffer of the caller's, since connections are made for the life of the
 * server and a pool would keep every failed attempt's text. */
typedef struct problem {
	char text[256];
	bool refused; /* the server answered no (a password, a database), rather than not at all */
} problem;

/* A reply of the type wanted (NIL too where a string is wanted), or NULL (freed) with what went wrong. */
static redisReply *reply_of(redisContext *c, void *r, int type, problem *why)
{
	redisReply *reply = r;
	if (!reply) {
		apr_cpystrn(why->text, c->errstr[0] ? c->errstr : "no answer", sizeof(why->text));
		return NULL;
	}
	if (reply->type == type || (type == REDIS_REPLY_STRING && reply->type == REDIS_REPLY_NIL))
		return reply;
	why->refused = true;
	if (reply->type == REDIS_REPLY_ERROR && reply->str)
		apr_cpystrn(why->text, reply->str, sizeof(why->text));
	else
		apr_cpystrn(why->text, "an unexpected reply", sizeof(why->text));
	freeReplyObject(reply);
	return NULL;
}

/* One setup command (AUTH, SELECT) on a new connection: false with what went wrong. */
static bool setup(redisContext *c, void *r, const char *name, problem *why)
{
	redisReply *reply = reply_of(c, r, REDIS_REPLY_STATUS, why);
	if (!reply) {
		char text[sizeof(why->text)];
		apr_snprintf(text, sizeof(text), "%s: %s", name, why->text);
		memcpy(why->text, text, sizeof(text));
		return false;
	}
	freeReplyObject(reply);
	return true;
}

/* A connection, authenticated and on its database; NULL with what went wrong. */
static redisContext *connect_to(const ap_socache_instance_t *in, problem *why)
{
	why->refused = false;
	redisContext *c = redisConnectWithTimeout(in->host, in->port, in->timeout);
	if (!c || c->err) {
		apr_cpystrn(why->text, c ? c->errstr : "out of memory", sizeof(why->text));
		redisFree(c);
		return NULL;
	}
	bool ok = redisSetTimeout(c, in->timeout) == REDIS_OK;
	if (!ok)
		apr_cpystrn(why->text, "cannot set the timeout", sizeof(why->text));
	if (ok && in->password)
		ok = setup(c,
		           in->user ? redisCommand(c, "AUTH %s %s", in->user, in->password)
		                    : redisCommand(c, "AUTH %s", in->password),
		           "AUTH", why);
	if (ok && in->db)
		ok = setup(c, redisCommand(c, "SELECT %d", in->db), "SELECT", why);
	if (!ok) {
		redisFree(c);
		return NULL;
	}
	return c;
}

/* apr_reslist's constructor: connections live in malloc'd memory, not in the list's pool (the server's),
 * which would keep one for every reconnection. */
static apr_status_t construct(void **resource, void *params, apr_pool_t *pool)
{
	(void)pool;
	ap_socache_instance_t *in = params;
	problem why;
	redisContext *c = connect_to(in, &why);
	connection *conn = c ? calloc(1, sizeof(*conn)) : NULL;
	if (!conn) {
		ap_log_error(APLOG_MARK, APLOG_ERR, 0, in->s, "redis-auth: cannot use %s: %s", in->where,
		             c ? "out of memory" : why.text);
		redisFree(c);
		return why.refused ? APR_EACCES : APR_ECONNREFUSED;
	}
	conn->ctx = c;
	*resource = conn;
	return APR_SUCCESS;
}

static apr_status_t destruct(void *resource, void *params, apr_pool_t *pool)
{
	(void)params;
	(void)pool;
	connection *conn = resource;
	redisFree(conn->ctx);
	free(conn);
	return APR_SUCCESS;
}

static apr_status_t init(ap_socache_instance_t *in, const char *cname, const struct ap_socache_hints *hints,
                         server_rec *s, apr_pool_t *p)
{
	(void)hints;
	in->s = s;
	in->prefix = apr_pstrcat(p, cname ? cname : "socache", ":", NULL);
	in->prefix_len = strlen(in->prefix);

	/* the server is asked once now, so that a wrong password or database stops httpd here */
	problem why;
	redisContext *c = connect_to(in, &why);
	if (c)
		redisFree(c);
	else if (why.refused) {
		ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "Auth0Cache: redis-auth: %s refused: %s", in->where, why.text);
		return APR_EACCES;
	} else
		ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
		             "Auth0Cache: redis-auth: %s cannot be reached now (%s); requests that need the cache "
		             "answer 503 until it can", in->where, why.text);

	int threads = 1;
	if (ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads) != APR_SUCCESS || threads < 1)
		threads = 1;
	/* no connection is made here: the children make their own (a socket must not be shared across fork) */
	apr_status_t rv = apr_reslist_create(&in->conns, 0, threads, threads, IDLE_TTL, construct, destruct, in, p);
	if (rv != APR_SUCCESS) {
		ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, "Auth0Cache: redis-auth: no connection list");
		return rv;
	}
	apr_reslist_timeout_set(in->conns, apr_time_from_sec(in->timeout.tv_sec) + in->timeout.tv_usec);
	return APR_SUCCESS;
}

static void destroy(ap_socache_instance_t *in, server_rec *s)
{
	(void)s;
	/* the connections go with the list's pool; nothing is left to the server */
	(void)in;
}

/* ---- commands -------------------------------------------------------------------------------------- */

typedef struct command {
	const char *name;       /* for messages */
	const char *format;     /* hiredis format; the key is its first %b */
	const void *value;      /* SET's value */
	size_t value_len;
	long long ttl_ms;
	int reply_type;
} command;

static void *send_command(redisContext *c, const command *cmd, const char *key, size_t key_len)
{
	if (cmd->value)
		return redisCommand(c, cmd->format, key, key_len, cmd->value, cmd->value_len, cmd->ttl_ms);
	return redisCommand(c, cmd->format, key, key_len);
}

/* Runs cmd on id; *out gets the reply (the caller frees it). APR_EGENERAL when the server cannot be used. */
static apr_status_t run(ap_socache_instance_t *in, const command *cmd, const unsigned char *id, unsigned int idlen,
                        redisReply **out, apr_pool_t *p)
{
	char *key = apr_palloc(p, in->prefix_len + idlen);
	memcpy(key, in->prefix, in->prefix_len);
	memcpy(key + in->prefix_len, id, idlen);
	size_t key_len = in->prefix_len + idlen;

	problem why = { "no connection", false };
	for (int attempt = 0; attempt < 2; attempt++) {
		connection *conn = NULL;
		apr_status_t rv = apr_reslist_acquire(in->conns, (void **)&conn);
		if (rv != APR_SUCCESS) {
			/* construct() logged why */
			apr_snprintf(why.text, sizeof(why.text), "no connection (%pm)", &rv);
			break;
		}
		redisReply *reply = reply_of(conn->ctx, send_command(conn->ctx, cmd, key, key_len), cmd->reply_type, &why);
		if (reply) {
			conn->served = true;
			apr_reslist_release(in->conns, conn);
			*out = reply;
			return APR_SUCCESS;
		}
		bool broken = conn->ctx->err != 0;
		/* closed by the server since it last served (EOF, or a reset): not a timeout, which another
		 * connection would only wait through again */
		bool stale = conn->served && (conn->ctx->err == REDIS_ERR_EOF ||
		                              (conn->ctx->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE)));
		if (broken)
			apr_reslist_invalidate(in->conns, conn);
		else
			apr_reslist_release(in->conns, conn);
		if (!stale)
			break; /* a server's refusal, or a new connection that failed: another try would fare no better */
	}
	ap_log_error(APLOG_MARK, APLOG_ERR, 0, in->s, "redis-auth: %s of an entry at %s failed: %s", cmd->name,
	             in->where, why.text);
	return APR_EGENERAL;
}

static apr_status_t store(ap_socache_instance_t *in, server_rec *s, const unsigned char *id, unsigned int idlen,
                          apr_time_t expiry, unsigned char *data, unsigned int datalen, apr_pool_t *p)
{
	(void)s;
	long long ttl_ms = (long long)apr_time_as_msec(expiry - apr_time_now());
	if (ttl_ms < 1)
		ttl_ms = 1; /* expired as it is stored: gone at once, as if never stored */
	command cmd = { "SET", "SET %b %b PX %lld", data, datalen, ttl_ms, REDIS_REPLY_STATUS };
	redisReply *reply = NULL;
	apr_status_t rv = run(in, &cmd, id, idlen, &reply, p);
	if (reply)
		freeReplyObject(reply);
	return rv;
}

static apr_status_t retrieve(ap_socache_instance_t *in, server_rec *s, const unsigned char *id,
                             unsigned int idlen, unsigned char *data, unsigned int *datalen, apr_pool_t *p)
{
	(void)s;
	command cmd = { "GET", "GET %b", NULL, 0, 0, REDIS_REPLY_STRING };
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
	command cmd = { "DEL", "DEL %b", NULL, 0, 0, REDIS_REPLY_INTEGER };
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
