/* Client creation: option checking, domain parsing, defaults. */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

static void global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

auth0_status auth0_global_init(void)
{
	pthread_once(&global_once, global_init_once);
	return global_rc == CURLE_OK ? AUTH0_OK : AUTH0_ERR_INTERNAL;
}

void auth0_global_cleanup(void)
{
	curl_global_cleanup();
}

void auth0_client_options_init(auth0_client_options *opts)
{
	const auth0_client_options defaults = AUTH0_CLIENT_OPTIONS_INIT;
	*opts = defaults;
}

static bool is_loopback_host(const char *host, size_t len)
{
	return (len == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
	       (len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	       (len == 5 && strncmp(host, "[::1]", 5) == 0);
}

/*
 * Splits "https://host:port/" (scheme optional, trailing slash optional)
 * into its host[:port] part. Returns false for anything else: a path, a
 * query, userinfo, an empty host, a bad port, or plain http to a
 * non-loopback host.
 */
static bool parse_url_authority(const char *value, bool scheme_optional, char **scheme_out, char **hostport_out,
                                const char **why)
{
	const char *p = value;
	const char *scheme = "https";
	if (strncasecmp(p, "https://", 8) == 0) {
		p += 8;
	} else if (strncasecmp(p, "http://", 7) == 0) {
		p += 7;
		scheme = "http";
	} else if (strstr(p, "://")) {
		*why = "only https:// is supported";
		return false;
	} else if (!scheme_optional) {
		*why = "must be an https:// URL";
		return false;
	}
	size_t n = strcspn(p, "/?#");
	if (p[n] == '/' && p[n + 1] == '\0')
		; /* one trailing slash is fine */
	else if (p[n] != '\0') {
		*why = "must not contain a path, query or fragment";
		return false;
	}
	if (n == 0) {
		*why = "has no host";
		return false;
	}
	/* host: DNS name, IPv4, or [IPv6]; then optional :port */
	size_t hlen;
	if (p[0] == '[') {
		const char *end = memchr(p, ']', n);
		if (!end) {
			*why = "has an unterminated IPv6 address";
			return false;
		}
		for (const char *q = p + 1; q < end; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':' && *q != '.') {
				*why = "has an invalid IPv6 address";
				return false;
			}
		hlen = (size_t)(end - p) + 1;
	} else {
		hlen = strcspn(p, ":/?#");
		if (hlen > n)
			hlen = n;
		for (size_t i = 0; i < hlen; i++)
			if (!isalnum((unsigned char)p[i]) && p[i] != '-' && p[i] != '.') {
				*why = "has an invalid host name";
				return false;
			}
		if (hlen == 0) {
			*why = "has no host";
			return false;
		}
	}
	long port = 0;
	if (hlen < n) {
		if (p[hlen] != ':' || hlen + 1 == n) {
			*why = "has an invalid port";
			return false;
		}
		for (size_t i = hlen + 1; i < n; i++) {
			if (!isdigit((unsigned char)p[i]) || port > 65535) {
				*why = "has an invalid port";
				return false;
			}
			port = port * 10 + (p[i] - '0');
		}
		if (port < 1 || port > 65535) {
			*why = "has an invalid port";
			return false;
		}
	}
	if (strcmp(scheme, "http") == 0 && !is_loopback_host(p, hlen)) {
		*why = "may use http:// only for a loopback host (127.0.0.1, [::1], localhost); use https";
		return false;
	}
	/*
	 * One spelling per tenant (lower-case host, no default port, no leading zeros), since the issuer that
	 * tokens are checked against and every key derived from the domain are made from it:
	 * "Tenant.Auth0.com:443" is "tenant.auth0.com".
	 */
	*scheme_out = strdup(scheme);
	bool default_port = port == 0 || port == (strcmp(scheme, "https") == 0 ? 443 : 80);
	*hostport_out = default_port ? a0_asprintf("%.*s", (int)hlen, p) : a0_asprintf("%.*s:%ld", (int)hlen, p, port);
	if (*hostport_out)
		for (char *h = *hostport_out; *h; h++)
			*h = (char)tolower((unsigned char)*h);
	return *scheme_out && *hostport_out;
}

auth0_status a0_url_origin(const char *url, char **origin)
{
	*origin = NULL;
	const char *auth = strstr(url, "://");
	if (!auth)
		return AUTH0_OK;
	auth += 3;
	char *tmp = a0_strndup(url, (size_t)(auth - url) + strcspn(auth, "/?#"));
	if (!tmp)
		return AUTH0_ERR_NO_MEMORY;
	char *scheme = NULL, *hostport = NULL;
	const char *why = NULL;
	bool parsed = parse_url_authority(tmp, false, &scheme, &hostport, &why);
	free(tmp);
	if (parsed)
		*origin = a0_asprintf("%s://%s", scheme, hostport);
	free(scheme);
	free(hostport);
	/* parse_url_authority() gives a reason when the URL is wrong, none when memory ran out */
	return (parsed && !*origin) || (!parsed && !why) ? AUTH0_ERR_NO_MEMORY : AUTH0_OK;
}

/* A base URL such as https://host/api/v2 (path allowed, no query), without trailing slash. */
static auth0_status check_base_url(const char *option, const char *value, char **out, auth0_error **err)
{
	bool https = strncasecmp(value, "https://", 8) == 0;
	bool http = strncasecmp(value, "http://", 7) == 0;
	if (!https && !http)
		return a0_fail_arg(err, option, "option '%s' must be an https:// URL", option);
	const char *auth = value + (https ? 8 : 7);
	size_t alen = strcspn(auth, "/?#");
	if (auth[alen] == '?' || auth[alen] == '#' || strpbrk(auth + alen, "?# \t\r\n"))
		return a0_fail_arg(err, option, "option '%s' must not contain a query or fragment", option);
	char *tmp = a0_strndup(value, (size_t)(auth - value) + alen);
	char *scheme = NULL, *hostport = NULL;
	const char *why = NULL;
	bool ok = tmp && parse_url_authority(tmp, false, &scheme, &hostport, &why);
	free(tmp);
	free(scheme);
	free(hostport);
	if (!ok)
		return a0_fail_arg(err, option, "option '%s' %s", option, why ? why : "is invalid");
	size_t len = strlen(value);
	while (len > 0 && value[len - 1] == '/')
		len--;
	*out = a0_strndup(value, len);
	return *out ? AUTH0_OK : a0_oom(err);
}

static bool valid_header_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && !strchr("!#$%&'*+-.^_`|~", c))
			return false;
	}
	return true;
}

/* Headers the library sets itself and that a caller must not replace. */
static const char *const reserved_headers[] = {
	"Authorization", "Content-Type", "Auth0-Client", "User-Agent", "Host", "Content-Length",
	"Transfer-Encoding", "Expect", NULL
};

bool a0_header_reserved(const char *name)
{
	for (const char *const *r = reserved_headers; *r; r++)
		if (strcasecmp(*r, name) == 0)
			return true;
	return false;
}

auth0_status a0_headers_append(struct curl_slist **list, const auth0_kv *headers, const char *option,
                               auth0_error **err)
{
	for (const auth0_kv *h = headers; h && h->name; h++) {
		if (!valid_header_name(h->name, strlen(h->name)))
			return a0_fail_arg(err, option, "option '%s': '%s' is not a valid header name", option, h->name);
		if (a0_header_reserved(h->name))
			return a0_fail_arg(err, option, "option '%s': header '%s' is set by libauth0 and cannot be replaced",
			                   option, h->name);
		const char *v = h->value ? h->value : "";
		if (strpbrk(v, "\r\n") || strchr(v, '\0') != v + strlen(v))
			return a0_fail_arg(err, option, "option '%s': the value of header '%s' contains a line break",
			                   option, h->name);
		/* "Name:" with nothing but blanks after it would make libcurl drop the header; "Name;" is its
		 * way to send an empty one */
		char *line = v[strspn(v, " \t")] ? a0_asprintf("%s: %s", h->name, v) : a0_asprintf("%s;", h->name);
		struct curl_slist *n = line ? curl_slist_append(*list, line) : NULL;
		free(line);
		if (!n)
			return a0_oom(err);
		*list = n;
	}
	return AUTH0_OK;
}

static const char *const signing_algs[] = {
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", NULL
};

static auth0_status build_telemetry(auth0_client *c, const char *product, auth0_error **err)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	json_t *env = json_object();
	json_object_set_new(env, "libcurl", json_string(cv && cv->version ? cv->version : "unknown"));
	char *prod_name = NULL;
	const char *prod_version = NULL;
	if (product) {
		const char *slash = strchr(product, '/');
		prod_name = slash ? a0_strndup(product, (size_t)(slash - product)) : a0_strdup(product);
		prod_version = slash ? slash + 1 : "";
		if (prod_name)
			json_object_set_new(env, prod_name, json_string(prod_version));
	}
	json_t *t = json_pack("{s:s, s:s, s:o}", "name", "libauth0", "version", AUTH0_VERSION, "env", env);
	char *js = t ? a0_json_dump(t) : NULL;
	json_decref(t);
	free(prod_name);
	if (!js)
		return a0_oom(err);
	/* Auth0 SDKs send base64url *with* padding. */
	char *b64 = a0_base64url_encode(js, strlen(js));
	free(js);
	if (!b64)
		return a0_oom(err);
	size_t pad = (4 - strlen(b64) % 4) % 4;
	c->telemetry_header = a0_asprintf("Auth0-Client: %s%.*s", b64, (int)pad, "==");
	free(b64);
	c->user_agent = a0_asprintf("%s%slibauth0/%s libcurl/%s", product ? product : "", product ? " " : "",
	                            AUTH0_VERSION, cv && cv->version ? cv->version : "unknown");
	return (c->telemetry_header && c->user_agent) ? AUTH0_OK : a0_oom(err);
}

static auth0_status check_options(const auth0_client_options *o, auth0_error **err)
{
	/* One layout per release (see AUTH0_CLIENT_OPTIONS_VERSION): another version would be misread. */
	if (o->version != AUTH0_CLIENT_OPTIONS_VERSION)
		return a0_fail_arg(err, "version",
		                   "options must be initialised with AUTH0_CLIENT_OPTIONS_INIT or auth0_client_options_init() "
		                   "(version %u; this libauth0 takes version %u only)", o->version,
		                   AUTH0_CLIENT_OPTIONS_VERSION);
	if (a0_empty(o->domain))
		return a0_fail_arg(err, "domain", "option 'domain' is required (e.g. \"example.auth0.com\")");
	if (o->timeout_ms <= 0)
		return a0_fail_arg(err, "timeout_ms", "option 'timeout_ms' must be positive");
	if (o->management_timeout_ms <= 0)
		return a0_fail_arg(err, "management_timeout_ms", "option 'management_timeout_ms' must be positive");
	if (o->retry_count < 0 || o->retry_count > 10)
		return a0_fail_arg(err, "retry_count", "option 'retry_count' must be between 0 and 10");
	if (o->management_max_retries < 0 || o->management_max_retries > 10)
		return a0_fail_arg(err, "management_max_retries", "option 'management_max_retries' must be between 0 and 10");
	if (o->max_retry_delay_ms < 0)
		return a0_fail_arg(err, "max_retry_delay_ms", "option 'max_retry_delay_ms' must not be negative");
	if (o->total_timeout_ms < 0)
		return a0_fail_arg(err, "total_timeout_ms", "option 'total_timeout_ms' must not be negative");
	if (o->max_response_size == 0)
		return a0_fail_arg(err, "max_response_size", "option 'max_response_size' must be positive");
	if (o->jwks_cache_ttl < 0)
		return a0_fail_arg(err, "jwks_cache_ttl", "option 'jwks_cache_ttl' must not be negative");
	if (o->jwks_min_refetch_interval < 0)
		return a0_fail_arg(err, "jwks_min_refetch_interval", "option 'jwks_min_refetch_interval' must not be negative");
	if (o->token_expires_at < 0)
		return a0_fail_arg(err, "token_expires_at", "option 'token_expires_at' must not be negative");
	/* "" is not "no token" (NULL is): a static token that is empty is a mistake, such as an unset variable */
	if (o->token && !*o->token)
		return a0_fail_arg(err, "token", "option 'token' is empty (NULL: no static token)");
	/* the message does not quote the token: it is a credential */
	if (o->token && !a0_b64token(o->token))
		return a0_fail_arg(err, "token", "option 'token' has a character that a bearer token cannot have "
		                   "(RFC 6750: letters, digits, - . _ ~ + / and trailing =; a trailing newline?)");
	/* it goes into the User-Agent header as it is */
	for (const char *p = o->user_agent_product; p && *p; p++)
		if (iscntrl((unsigned char)*p))
			return a0_fail_arg(err, "user_agent_product", "option 'user_agent_product' must not contain "
			                   "control characters");
	if (!a0_empty(o->client_secret) && !o->client_id)
		return a0_fail_arg(err, "client_id", "option 'client_id' is required with 'client_secret'");
	if (o->client_assertion_signing_key && !o->client_id)
		return a0_fail_arg(err, "client_id", "option 'client_id' is required with 'client_assertion_signing_key'");
	if (o->client_assertion_signing_alg) {
		bool known = false;
		for (const char *const *a = signing_algs; *a; a++)
			known = known || strcmp(*a, o->client_assertion_signing_alg) == 0;
		if (!known)
			return a0_fail_arg(err, "client_assertion_signing_alg",
			                   "option 'client_assertion_signing_alg': unsupported algorithm '%s' "
			                   "(RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512)",
			                   o->client_assertion_signing_alg);
	}
	switch (o->client_auth) {
	case AUTH0_CLIENT_AUTH_AUTO:
	case AUTH0_CLIENT_AUTH_NONE:
		break;
	case AUTH0_CLIENT_AUTH_SECRET_POST:
	case AUTH0_CLIENT_AUTH_SECRET_BASIC:
		if (a0_empty(o->client_secret))
			return a0_fail_arg(err, "client_secret", "option 'client_secret' is required by the chosen client_auth");
		break;
	case AUTH0_CLIENT_AUTH_PRIVATE_KEY_JWT:
		if (a0_empty(o->client_assertion_signing_key))
			return a0_fail_arg(err, "client_assertion_signing_key",
			                   "option 'client_assertion_signing_key' is required for private_key_jwt");
		break;
	default:
		return a0_fail_arg(err, "client_auth", "option 'client_auth' has an unknown value");
	}
	if (o->ca_file && access(o->ca_file, R_OK) != 0)
		return a0_fail_arg(err, "ca_file", "option 'ca_file': cannot read '%s'", o->ca_file);
	if (o->store && (!o->store->get || !o->store->set))
		return a0_fail_arg(err, "store", "option 'store' needs at least get and set functions");
	if ((o->store && (!o->store->lock) != (!o->store->unlock)))
		return a0_fail_arg(err, "store", "option 'store' needs both lock and unlock, or neither");
	return AUTH0_OK;
}

auth0_status auth0_client_new(auth0_client **out, const auth0_client_options *o, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (out)
		*out = NULL;
	if (!out || !o)
		return a0_fail_arg(err, "options", "auth0_client_new needs options and an output pointer");
	auth0_status st = check_options(o, err);
	if (st != AUTH0_OK)
		return st;
	if (auth0_global_init() != AUTH0_OK)
		return a0_fail(err, AUTH0_ERR_INTERNAL, "libcurl could not be initialised");

	auth0_client *c = calloc(1, sizeof(*c));
	if (!c)
		return a0_oom(err);

	char *scheme = NULL;
	const char *why = NULL;
	if (!parse_url_authority(o->domain, true, &scheme, &c->host, &why)) {
		free(scheme);
		st = why ? a0_fail_arg(err, "domain", "option 'domain' (\"%s\") %s", o->domain, why) : a0_oom(err);
		goto fail;
	}
	c->base_url = a0_asprintf("%s://%s", scheme, c->host);
	free(scheme);
	c->issuer = a0_asprintf("%s/", c->base_url);
	c->client_id = a0_strdup(o->client_id);
	/* An empty secret is no secret, in every client_auth mode (AUTO: a public client, not an empty
	 * client_secret_post; SECRET_*: refused as missing by check_options). */
	c->client_secret = a0_empty(o->client_secret) ? NULL : a0_strdup(o->client_secret);
	c->organization = a0_strdup(o->organization);
	/* Like the issuer, the default audience follows the domain's scheme (http only for loopback tests). */
	c->api_identifier = o->api_identifier ? a0_strdup(o->api_identifier)
	                                      : a0_asprintf("%s/api/v2/", c->base_url);
	c->assertion_alg = a0_strdup(o->client_assertion_signing_alg ? o->client_assertion_signing_alg : "RS256");
	c->ca_file = a0_strdup(o->ca_file);
	c->proxy = a0_strdup(o->proxy);
	if (!c->base_url || !c->issuer || !c->api_identifier || !c->assertion_alg ||
	    (o->client_id && !c->client_id) || (!a0_empty(o->client_secret) && !c->client_secret) ||
	    (o->organization && !c->organization) || (o->ca_file && !c->ca_file) || (o->proxy && !c->proxy)) {
		st = a0_oom(err);
		goto fail;
	}
	if (o->management_base_url) {
		st = check_base_url("management_base_url", o->management_base_url, &c->management_base_url, err);
		if (st != AUTH0_OK)
			goto fail;
	} else {
		c->management_base_url = a0_asprintf("%s/api/v2", c->base_url);
		if (!c->management_base_url) {
			st = a0_oom(err);
			goto fail;
		}
	}
	if (o->client_assertion_signing_key) {
		st = a0_load_signing_key(o->client_assertion_signing_key, c->assertion_alg, &c->assertion_key, err);
		if (st != AUTH0_OK)
			goto fail;
		c->assertion_key_pem = a0_strdup(o->client_assertion_signing_key);
		if (!c->assertion_key_pem) {
			st = a0_oom(err);
			goto fail;
		}
	}
	switch (o->client_auth) {
	case AUTH0_CLIENT_AUTH_AUTO:
		c->client_auth = c->assertion_key ? AUTH0_CLIENT_AUTH_PRIVATE_KEY_JWT
		               : c->client_secret ? AUTH0_CLIENT_AUTH_SECRET_POST : AUTH0_CLIENT_AUTH_NONE;
		break;
	default:
		c->client_auth = o->client_auth;
	}
	st = a0_headers_append(&c->management_headers, o->management_additional_headers,
	                       "management_additional_headers", err);
	if (st != AUTH0_OK)
		goto fail;

	c->timeout_ms = o->timeout_ms;
	c->retry_count = o->retry_count;
	c->management_timeout_ms = o->management_timeout_ms;
	c->management_max_retries = o->management_max_retries;
	c->max_retry_delay_ms = o->max_retry_delay_ms;
	c->total_timeout_ms = o->total_timeout_ms;
	c->max_response_size = o->max_response_size;
	c->jwks_cache_ttl = o->jwks_cache_ttl;
	c->jwks_min_refetch_interval = o->jwks_min_refetch_interval;
	c->log = o->log;
	c->log_userdata = o->log_userdata;

	if (o->store) {
		c->store = *o->store;
	} else {
		c->own_store = a0_memory_store_new(&c->store);
		if (!c->own_store) {
			st = a0_oom(err);
			goto fail;
		}
	}
	st = build_telemetry(c, o->user_agent_product, err);
	if (st != AUTH0_OK)
		goto fail;
	c->pool = a0_pool_new();
	c->jwks = a0_jwks_cache_new();
	if (!c->pool || !c->jwks) {
		st = a0_oom(err);
		goto fail;
	}
	c->tokens = a0_token_manager_new(c, o, err);
	if (!c->tokens) {
		st = err && *err ? (*err)->kind : AUTH0_ERR_NO_MEMORY;
		goto fail;
	}
	*out = c;
	return AUTH0_OK;
fail:
	auth0_client_free(c);
	return st;
}

/* A copy of a curl_slist (the Management headers); false when out of memory. */
static bool copy_slist(const struct curl_slist *from, struct curl_slist **to)
{
	for (; from; from = from->next) {
		struct curl_slist *n = curl_slist_append(*to, from->data);
		if (!n)
			return false;
		*to = n;
	}
	return true;
}

auth0_status auth0_client_with_credentials(const auth0_client *base, const char *client_id,
                                           const char *client_secret, auth0_client **out, auth0_error **err)
{
	if (err)
		*err = NULL;
	if (!out)
		return a0_fail_arg(err, "out", "auth0_client_with_credentials needs an output pointer");
	*out = NULL;
	if (!base)
		return a0_fail_arg(err, "base", "auth0_client_with_credentials needs the client to derive from");
	if (a0_empty(client_id))
		return a0_fail_arg(err, "client_id", "option 'client_id' is required for another application");
	if (client_secret && !*client_secret)
		return a0_fail_arg(err, "client_secret", "option 'client_secret' must not be empty (NULL: none)");

	auth0_client *c = calloc(1, sizeof(*c));
	if (!c)
		return a0_oom(err);
	c->host = a0_strdup(base->host);
	c->base_url = a0_strdup(base->base_url);
	c->issuer = a0_strdup(base->issuer);
	c->client_id = a0_strdup(client_id);
	c->client_secret = a0_strdup(client_secret);
	/* the signing key is the instance's, as in the Ruby SDK: only the id and the secret change. Loaded
	 * again from its PEM, not shared: cjose's reference count is not atomic, and either client may be
	 * freed in any thread */
	if (base->assertion_key_pem) {
		auth0_status st = a0_load_signing_key(base->assertion_key_pem, base->assertion_alg, &c->assertion_key,
		                                      err);
		c->assertion_key_pem = a0_strdup(base->assertion_key_pem);
		if (st != AUTH0_OK || !c->assertion_key_pem) {
			auth0_client_free(c);
			return st != AUTH0_OK ? st : a0_oom(err);
		}
	}
	c->assertion_alg = a0_strdup(base->assertion_alg);
	/* base's way to authenticate where it fits the new credentials: a key signs for any id; a secret mode
	 * needs a secret (without one the application is public), and a public base's becomes secret_post */
	if (base->client_auth == AUTH0_CLIENT_AUTH_PRIVATE_KEY_JWT)
		c->client_auth = base->client_auth;
	else if (!client_secret)
		c->client_auth = AUTH0_CLIENT_AUTH_NONE;
	else
		c->client_auth = base->client_auth == AUTH0_CLIENT_AUTH_NONE ? AUTH0_CLIENT_AUTH_SECRET_POST
		                                                             : base->client_auth;
	c->organization = a0_strdup(base->organization);
	c->api_identifier = a0_strdup(base->api_identifier);
	c->management_base_url = a0_strdup(base->management_base_url);
	c->ca_file = a0_strdup(base->ca_file);
	c->proxy = a0_strdup(base->proxy);
	c->user_agent = a0_strdup(base->user_agent);
	c->telemetry_header = a0_strdup(base->telemetry_header);
	c->timeout_ms = base->timeout_ms;
	c->retry_count = base->retry_count;
	c->management_timeout_ms = base->management_timeout_ms;
	c->management_max_retries = base->management_max_retries;
	c->max_retry_delay_ms = base->max_retry_delay_ms;
	c->total_timeout_ms = base->total_timeout_ms;
	c->max_response_size = base->max_response_size;
	c->jwks_cache_ttl = base->jwks_cache_ttl;
	c->jwks_min_refetch_interval = base->jwks_min_refetch_interval;
	c->log = base->log;
	c->log_userdata = base->log_userdata;
	/* a store the caller gave is shared (its keys name the application); base's own memory is not */
	if (base->own_store)
		c->own_store = a0_memory_store_new(&c->store);
	else
		c->store = base->store;
	c->pool = a0_pool_new();
	c->jwks = a0_jwks_cache_new();
	if (!c->host || !c->base_url || !c->issuer || !c->client_id || (client_secret && !c->client_secret) ||
	    !c->assertion_alg || (base->organization && !c->organization) || !c->api_identifier ||
	    !c->management_base_url || (base->ca_file && !c->ca_file) || (base->proxy && !c->proxy) ||
	    !c->user_agent || !c->telemetry_header || (base->own_store && !c->own_store) || !c->pool || !c->jwks ||
	    !copy_slist(base->management_headers, &c->management_headers)) {
		auth0_client_free(c);
		return a0_oom(err);
	}
	/* its Management token is its own, by client credentials (a static token or provider is base's) */
	auth0_client_options none = AUTH0_CLIENT_OPTIONS_INIT;
	c->tokens = a0_token_manager_new(c, &none, err);
	if (!c->tokens) {
		auth0_client_free(c);
		return err && *err ? (*err)->kind : AUTH0_ERR_NO_MEMORY;
	}
	*out = c;
	return AUTH0_OK;
}

void auth0_client_free(auth0_client *c)
{
	if (!c)
		return;
	a0_token_manager_free(c->tokens);
	a0_jwks_cache_free(c->jwks);
	a0_pool_free(c->pool);
	if (c->own_store)
		a0_memory_store_free(c->own_store);
	free(c->host);
	free(c->base_url);
	free(c->issuer);
	free(c->client_id);
	a0_free_secret(c->client_secret);
	cjose_jwk_release(c->assertion_key);
	a0_free_secret(c->assertion_key_pem);
	free(c->assertion_alg);
	free(c->organization);
	free(c->api_identifier);
	free(c->management_base_url);
	curl_slist_free_all(c->management_headers);
	free(c->ca_file);
	free(c->proxy);
	free(c->user_agent);
	free(c->telemetry_header);
	free(c);
}

const char *auth0_client_base_url(const auth0_client *c)
{
	return c ? c->base_url : NULL;
}

const char *auth0_client_issuer(const auth0_client *c)
{
	return c ? c->issuer : NULL;
}

const char *auth0_client_id(const auth0_client *c)
{
	return c ? c->client_id : NULL;
}

char *a0_store_key(const char *kind, const char *const *parts)
{
	a0_buf b = A0_BUF_INIT;
	for (const char *const *p = parts; *p; p++) {
		a0_buf_puts(&b, *p);
		a0_buf_append(&b, "", 1);
	}
	char *joined = a0_buf_steal(&b);
	if (!joined)
		return NULL;
	char hex[65];
	/* joined may contain NULs: hash the whole length we built */
	size_t len = 0;
	for (const char *const *p = parts; *p; p++)
		len += strlen(*p) + 1;
	a0_sha256_hex(joined, len, hex);
	free(joined);
	return a0_asprintf("%s:%.32s", kind, hex);
}
