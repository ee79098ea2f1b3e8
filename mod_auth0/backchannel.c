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
 * error for a request or token that is not right (a fixed description per
 * failure: libauth0's message, which quotes the token, is only logged);
 * 413 for a body over 16 KB; 503 when the shared cache or the tenant's keys
 * are not available (the tenant may try again). Always Cache-Control:
 * no-store and X-Content-Type-Options: nosniff.
 */
#include "mod_auth0.h"

/* A logout token is about 1 KB; the form holds nothing else. */
#define MAX_FORM 16384

static int answer(request_rec *r, int status, const char *error, const char *description)
{
	r->status = status;
	a0m_no_store(r);
	apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
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

/* why: a fixed text of this module (never a part of the request), shown and logged */
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

/*
 * The fixed description of a logout token's broken rule: what the caller is told. libauth0's message
 * quotes the token (its kid, its issuer, its times), which anyone may POST here: it is only logged.
 */
static const char *describe(auth0_token_rule rule)
{
	switch (rule) {
	case AUTH0_RULE_DECODE: return "the logout token is malformed";
	case AUTH0_RULE_TYPE: return "the logout token is not of type logout+jwt";
	case AUTH0_RULE_ALGORITHM: return "the logout token is not signed with RS256";
	case AUTH0_RULE_KEY: return "the logout token is signed with an unknown key";
	case AUTH0_RULE_SIGNATURE: return "the logout token signature is invalid";
	case AUTH0_RULE_ISSUER: return "the logout token was issued by another issuer";
	case AUTH0_RULE_AUDIENCE: return "the logout token is not for this application";
	case AUTH0_RULE_EXPIRED: return "the logout token expired";
	case AUTH0_RULE_ISSUED_AT: return "the logout token has an invalid or too old issue time";
	case AUTH0_RULE_TOKEN_ID: return "the logout token has no jti";
	case AUTH0_RULE_EVENTS: return "the logout token has no back-channel logout event";
	case AUTH0_RULE_SESSION: return "the logout token has neither sid nor sub";
	case AUTH0_RULE_NONCE: return "the logout token must not have a nonce";
	default: return "invalid logout token";
	}
}

/*
 * The one logout_token of an application/x-www-form-urlencoded body: OK and *token; HTTP_BAD_REQUEST and
 * *why (a fixed text) for a request that is not right; or what reading the body failed with (408, 413,
 * AP_FILTER_ERROR when an input filter has answered already), as body.c tells them apart.
 */
static int form_token(request_rec *r, const char **token, const char **why)
{
	*token = NULL;
	const char *type = apr_table_get(r->headers_in, "Content-Type");
	if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0 ||
	    (type[33] && type[33] != ';' && type[33] != ' ')) {
		*why = "the body must be application/x-www-form-urlencoded";
		return HTTP_BAD_REQUEST;
	}
	char *text = NULL;
	apr_size_t len = 0;
	int rc = a0m_read_body(r, MAX_FORM, &text, &len);
	if (rc != OK) {
		*why = rc == HTTP_REQUEST_ENTITY_TOO_LARGE ? apr_psprintf(r->pool, "the body is larger than %d bytes", MAX_FORM)
		                                           : "the body cannot be read";
		return rc;
	}
	/* a NUL, raw or %00, in any name or value: a token "cut" there would be checked as another string */
	apr_array_header_t *pairs = NULL;
	if (memchr(text, '\0', len) || !a0m_form_pairs(r->pool, text, &pairs)) {
		*why = "the body is not a well-formed form (a bad escape, or a NUL)";
		return HTTP_BAD_REQUEST;
	}
	for (int i = 0; i < pairs->nelts; i++) {
		const a0m_pair *pair = &APR_ARRAY_IDX(pairs, i, a0m_pair);
		if (strcmp(pair->name, "logout_token") != 0)
			continue;
		if (*token || !*pair->value) {
			*why = *token ? "the body repeats logout_token" : "logout_token is empty";
			*token = NULL;
			return HTTP_BAD_REQUEST;
		}
		*token = pair->value;
	}
	if (!*token) {
		*why = "the body has no logout_token";
		return HTTP_BAD_REQUEST;
	}
	return OK;
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
	const char *why = NULL, *token = NULL;
	int rc = form_token(r, &token, &why);
	if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE) {
		a0m_metric(A0M_BACKCHANNEL_REFUSED);
		ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: back-channel logout refused: %s", why);
		r->connection->keepalive = AP_CONN_CLOSE; /* the rest of the body is not read */
		return answer(r, rc, "invalid_request", why);
	}
	if (rc == HTTP_BAD_REQUEST)
		return refuse(r, why);
	if (rc != OK)
		return rc; /* 408, or AP_FILTER_ERROR: an input filter answered already */
	auth0_client *client = a0m_app_client(r, c);
	if (!client)
		return unavailable(r, APR_EGENERAL, "no client for the tenant (see the log above)");

	int leeway = a0m_conf_leeway(c);
	auth0_logout_token_options options = { .leeway = AUTH0_INT(leeway) };
	json_t *claims = NULL;
	auth0_error *err = NULL;
	if (auth0_logout_token_validate(client, token, &options, &claims, &err) != AUTH0_OK) {
		if (err && auth0_error_is_transient(err)) {
			rc = unavailable(r, APR_EGENERAL, "the tenant's signing keys cannot be fetched");
		} else {
			/* libauth0's own words, which may quote the token, only in the log, escaped */
			ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_auth0: back-channel logout token refused: %s",
			              ap_escape_logitem(r->pool, err && err->message ? err->message : "(no message)"));
			rc = refuse(r, describe(err && err->kind == AUTH0_ERR_INVALID_TOKEN ? err->rule : AUTH0_RULE_NONE));
		}
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
