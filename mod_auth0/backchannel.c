/*
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0): when a
 * user's session at the tenant ends (a logout from another application, an
 * administrator), Auth0 POSTs a logout token to each application's
 * back-channel logout URI, server to server. At Auth0BackChannelLogoutPath
 * this module checks it (libauth0's auth0_logout_token_validate: signature,
 * issuer, audience = this application, age, event, no nonce), refuses a
 * token id it has seen (the shared cache, failing closed), and records in
 * the shared cache that the sessions of the token's sid (or, without one,
 * every session of its sub) are over. session.c compares sessions with those
 * markers when a process opens them; which it does again after every
 * recorded logout (shmcb) or every 10 seconds (redis, memcache).
 *
 * Answers (section 2.8): 200 when the sessions are ended; 400 with a JSON
 * error for a request or token that is not right; 503 when the shared cache
 * or the tenant's keys are not available (the tenant may try again).
 * Always Cache-Control: no-store.
 */
#include "mod_auth0.h"

/* A logout token is about 1 KB; the form holds nothing else. */
#define MAX_FORM 16384

static int answer(request_rec *r, int status, const char *error, const char *description)
{
	r->status = status;
	a0m_no_store(r);
	ap_discard_request_body(r);
	if (!error) {
		ap_set_content_length(r, 0);
		return DONE;
	}
	json_t *body = json_pack("{s:s, s:s}", "error", error, "error_description", description);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	ap_set_content_type(r, "application/json");
	if (text)
		ap_rputs(text, r);
	free(text);
	return DONE;
}

static int refuse(request_rec *r, const char *why)
{
	a0m_metric(A0M_BACKCHANNEL_REFUSED);
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: back-channel logout refused: %s", why);
	return answer(r, HTTP_BAD_REQUEST, "invalid_request", why);
}

static int unavailable(request_rec *r, apr_status_t rv, const char *why)
{
	ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "mod_auth0: back-channel logout not recorded: %s", why);
	return answer(r, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable", why);
}

/* The one logout_token of an application/x-www-form-urlencoded body; NULL and *why otherwise. */
static const char *form_token(request_rec *r, const char **why)
{
	const char *type = apr_table_get(r->headers_in, "Content-Type");
	if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0 ||
	    (type[33] && type[33] != ';' && type[33] != ' ')) {
		*why = "the body must be application/x-www-form-urlencoded";
		return NULL;
	}
	apr_array_header_t *pairs = NULL;
	if (ap_parse_form_data(r, NULL, &pairs, -1, MAX_FORM) != OK || !pairs) {
		*why = "the body cannot be read";
		return NULL;
	}
	const char *token = NULL;
	for (int i = 0; i < pairs->nelts; i++) {
		ap_form_pair_t *pair = &((ap_form_pair_t *)pairs->elts)[i];
		if (strcmp(pair->name, "logout_token") != 0)
			continue;
		apr_off_t len = 0;
		apr_brigade_length(pair->value, 1, &len);
		if (token || len <= 0 || len > MAX_FORM) {
			*why = token ? "the body repeats logout_token" : "logout_token is empty or too long";
			return NULL;
		}
		apr_size_t size = (apr_size_t)len;
		char *buf = apr_palloc(r->pool, size + 1);
		apr_brigade_flatten(pair->value, buf, &size);
		buf[size] = '\0';
		token = buf;
	}
	if (!token)
		*why = "the body has no logout_token";
	return token;
}

/* The cache key of a marker: per application (client id), the value hashed (sids and subs stay out of
 * the cache's keys, which some providers log). */
static const char *marker_key(request_rec *r, const a0m_dir_conf *c, const char *kind, const char *value)
{
	const char *both = apr_pstrcat(r->pool, c->client_id ? c->client_id : "", "\n", value, NULL);
	return apr_pstrcat(r->pool, A0M_NS_LOGOUT, kind, ":", a0m_sha256_hex(r->pool, both, strlen(both)), NULL);
}

apr_status_t a0m_backchannel_marker(request_rec *r, const a0m_dir_conf *c, const char *kind, const char *value,
                                    apr_time_t *at)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	apr_status_t rv = a0m_cache_get(r->server, marker_key(r, c, kind, value), &raw, &len, r->pool);
	if (rv != APR_SUCCESS)
		return rv;
	char *end = NULL;
	char *text = apr_pstrmemdup(r->pool, (const char *)raw, len);
	long long v = strtoll(text, &end, 10);
	/* a marker that does not read (damaged) ends every session it could be about */
	*at = end && *end == '\0' && end != text ? (apr_time_t)v : INT64_MAX;
	return APR_SUCCESS;
}

int a0m_backchannel_handle(request_rec *r, const a0m_dir_conf *c)
{
	if (r->method_number != M_POST) {
		apr_table_setn(r->err_headers_out, "Allow", "POST");
		return answer(r, HTTP_METHOD_NOT_ALLOWED, "invalid_request", "the back-channel logout URI takes POST");
	}
	const char *why = NULL;
	const char *token = form_token(r, &why);
	if (!token)
		return refuse(r, why);
	auth0_client *client = a0m_app_client(r, c);
	if (!client)
		return unavailable(r, APR_EGENERAL, "no client for the tenant (see the log above)");

	int leeway = a0m_conf_leeway(c);
	auth0_logout_token_options options = { .leeway = AUTH0_INT(leeway) };
	json_t *claims = NULL;
	auth0_error *err = NULL;
	if (auth0_logout_token_validate(client, token, &options, &claims, &err) != AUTH0_OK) {
		int rc = err && auth0_error_is_transient(err)
		             ? unavailable(r, APR_EGENERAL, "the tenant's signing keys cannot be fetched")
		             : refuse(r, err && err->message ? apr_pstrdup(r->pool, err->message) : "invalid logout token");
		auth0_error_free(err);
		return rc;
	}
	const char *jti = json_string_value(json_object_get(claims, "jti"));
	const char *sid = json_string_value(json_object_get(claims, "sid"));
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	json_int_t iat = json_integer_value(json_object_get(claims, "iat"));
	/* copies in r->pool, so that the claims can go now */
	jti = apr_pstrdup(r->pool, jti);
	sid = sid && *sid ? apr_pstrdup(r->pool, sid) : NULL;
	sub = sub && *sub ? apr_pstrdup(r->pool, sub) : NULL;
	json_decref(claims);

	/*
	 * Once: a token seen before (a replay) changes nothing. It is looked for first, the logout recorded,
	 * and only then the token marked as used: a failure in between answers 503, and the tenant's retry of
	 * the same token then records the logout instead of being refused as a replay.
	 */
	int64_t now = apr_time_sec(r->request_time);
	const char *jti_key = marker_key(r, c, "jti", jti);
	unsigned char *seen = NULL;
	size_t seen_len = 0;
	apr_status_t rv = a0m_cache_get(r->server, jti_key, &seen, &seen_len, r->pool);
	if (rv == APR_SUCCESS)
		return refuse(r, "the logout token was used before");
	if (rv != APR_NOTFOUND)
		return unavailable(r, rv, "the shared cache cannot tell whether the logout token was used");

	/* Sessions whose login began before this request are over (the tenant's clock may lag ours: its iat
	 * only counts when it is later); one that begins after it is a new login, of a new tenant session. */
	apr_time_t at = (int64_t)iat > now ? apr_time_from_sec((int64_t)iat) : r->request_time;
	const char *kind = sid ? "sid" : "sub";
	apr_time_t before = 0; /* a later logout of the same sessions already recorded stays as it is */
	if (a0m_backchannel_marker(r, c, kind, sid ? sid : sub, &before) == APR_SUCCESS && before > at)
		at = before;
	const char *at_text = apr_psprintf(r->pool, "%" APR_TIME_T_FMT, at);
	/* as long as a session it ends can live, in whatever location it is used */
	apr_time_t until = apr_time_from_sec(now + a0m_conf_longest_max_duration() + leeway);
	rv = a0m_cache_set(r->server, marker_key(r, c, kind, sid ? sid : sub), (const unsigned char *)at_text,
	                   strlen(at_text), until, r->pool);
	if (rv != APR_SUCCESS)
		return unavailable(r, rv, "the shared cache cannot record the logout");
	/* every process of this host compares its sessions again from now on, whatever happens next */
	a0m_cache_logout_recorded();
	rv = a0m_cache_add(r->server, jti_key, apr_time_from_sec(now + 300 + 2 * (int64_t)leeway + 1), r->pool);
	if (rv == APR_EEXIST)
		return refuse(r, "the logout token was used before");
	if (rv != APR_SUCCESS)
		return unavailable(r, rv, "the shared cache cannot record the logout token as used");
	a0m_metric(A0M_BACKCHANNEL_ACCEPTED);
	ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: back-channel logout: %s of %s ended by the tenant",
	              sid ? "the session" : "every session", sub ? ap_escape_logitem(r->pool, sub) : "(sid only)");
	return answer(r, HTTP_OK, NULL, NULL);
}
