/*
 * The Authentication API: everything the Ruby SDK's AuthenticationEndpoints
 * offer, and what it lacks (OIDC discovery, PKCE, token revocation,
 * passwordless verify, MFA, back-channel (CIBA) login, device authorization,
 * token exchange).
 *
 * URL builders never touch the network. Calls that obtain tokens return an
 * auth0_tokens. Client authentication (client_secret_post,
 * client_secret_basic or a private-key JWT, see auth0_client_options) is
 * added by the library wherever the endpoint takes it; the Management API
 * token is never sent here. Only /userinfo and the MFA API calls that say so
 * carry an Authorization: Bearer header (the user's or the MFA token); a
 * token with a character outside RFC 6750's b64token (letters, digits,
 * - . _ ~ + / and trailing =; a CR or LF would add header lines) is refused
 * with AUTH0_ERR_INVALID_ARGUMENT, option "token", before any I/O.
 *
 * Wire format: the fields, their order and their defaults are those of the
 * Ruby SDK (ruby-auth0), except that a parameter left NULL is left out
 * (never sent as null). Query strings are escaped like Ruby's CGI.escape
 * (space as '+'). Every call checks its arguments before any network I/O:
 * a missing required one gives AUTH0_ERR_INVALID_ARGUMENT, with err->option
 * naming it and the Ruby SDK's message ("Must supply a valid redirect_uri").
 * When Auth0 refuses a request, err->error and err->error_description (or,
 * for /dbconnections, err->error_code and err->api_message) carry its answer
 * and err->body the whole JSON error. Output pointers are set to NULL (or
 * zeroed) first and only filled on success.
 *
 * A typical web login (the auth0 CLI's authorize-url and exchange-code do
 * these steps). A failed call leaves its outputs NULL and sets err, so
 * freeing everything at the end is right on every path:
 *
 *     char *verifier = NULL, *challenge = NULL, *url = NULL;
 *     auth0_error *err = NULL;
 *     if (auth0_pkce_new(&verifier, &challenge, &err) == AUTH0_OK) {
 *             auth0_authorize_params p = { .redirect_uri = "https://app/callback",
 *                     .state = state, .nonce = nonce, .scope = "openid profile email",
 *                     .code_challenge = challenge };
 *             auth0_authorize_url(client, &p, &url, &err);
 *     }
 *     ... on success, send the browser to url; keep verifier, state and nonce ...
 *     auth0_free(url);
 *     auth0_free(challenge);
 *
 *     ... the browser comes back to the callback with ?code=...&state=...,
 *     ... and the state is checked against the one sent:
 *     auth0_tokens *tokens = NULL;
 *     json_t *claims = NULL;
 *     auth0_id_token_options v = { .nonce = nonce };
 *     if (auth0_exchange_code(client, code, "https://app/callback", verifier, &tokens, &err) == AUTH0_OK)
 *             auth0_id_token_validate(client, tokens->id_token, &v, &claims, &err); // NULL id_token: fails
 *     if (err)
 *             fprintf(stderr, "%s\n", err->message);
 *     ... on success, use claims ...
 *     auth0_error_free(err);
 *     json_decref(claims);
 *     auth0_tokens_free(tokens);
 *     auth0_free(verifier);
 */
#ifndef AUTH0_AUTHENTICATION_H
#define AUTH0_AUTHENTICATION_H

#include "common.h"
#include "error.h"
#include "client.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What /oauth/token (and the other grants) answer. */
typedef struct auth0_tokens {
	char *access_token;
	char *id_token;        /* NULL unless the openid scope was granted */
	char *refresh_token;   /* NULL unless offline_access was granted */
	char *token_type;      /* "Bearer" */
	char *scope;           /* granted scopes, space separated; may be NULL */
	int64_t expires_in;    /* seconds, as sent; 0 when absent */
	int64_t expires_at;    /* epoch seconds computed when the answer arrived; 0 when unknown */
	json_t *json;          /* the whole answer (e.g. the new recovery_code of an MFA recovery) */
} auth0_tokens;

/* Wipes the tokens, and the strings of json unless you still hold a reference to it, then frees. */
AUTH0_EXTERN void auth0_tokens_free(auth0_tokens *tokens);

/* ---- PKCE (RFC 7636) ------------------------------------------------------- */

/* A new random code verifier (43 characters: 32 random bytes, base64url) and its S256 challenge.
 * Free both with auth0_free(). */
AUTH0_EXTERN auth0_status auth0_pkce_new(char **verifier, char **challenge, auth0_error **err);

/* The S256 challenge of a verifier (43..128 of A-Z a-z 0-9 - . _ ~; anything else is
 * AUTH0_ERR_INVALID_ARGUMENT naming "code_verifier"). */
AUTH0_EXTERN auth0_status auth0_pkce_challenge(const char *verifier, char **challenge,
                                               auth0_error **err);

/* ---- Authorization URL and PAR ------------------------------------------- */

typedef struct auth0_authorize_params {
	const char *redirect_uri;          /* required */
	const char *response_type;         /* default "code" */
	const char *response_mode;
	const char *state;
	const char *nonce;
	const char *scope;
	const char *audience;
	const char *connection;
	const char *organization;          /* default: the client's organization */
	const char *invitation;
	const char *prompt;                /* "login", "none", "consent", ... */
	const char *login_hint;
	const char *screen_hint;
	auth0_opt_int max_age;             /* seconds, 0 or more */
	const char *code_challenge;        /* from auth0_pkce_new() */
	/* Default "S256" when code_challenge is set. "S256" is the only method accepted
	 * (here or in extra): anything else, "plain" included, is AUTH0_ERR_INVALID_ARGUMENT. */
	const char *code_challenge_method;
	/*
	 * More parameters (ui_locales, acr_values, ...), sent last. An entry
	 * whose name was already set replaces that value in place (like Ruby's
	 * Hash#merge); an entry with a NULL value removes it (e.g. the default
	 * organization). response_type may be replaced ("code id_token"), but
	 * client_id and redirect_uri may only be repeated with the values above
	 * (the client's id, redirect_uri): anything else would bypass their
	 * checks and is AUTH0_ERR_INVALID_ARGUMENT, option "extra". A
	 * code_challenge given here without a method is sent with
	 * code_challenge_method=S256 (appended last), as the server would
	 * otherwise take it as "plain".
	 */
	const auth0_kv *extra;
} auth0_authorize_params;

/*
 * https://DOMAIN/authorize?client_id=...&response_type=code&... with the
 * parameters in this order (the Ruby SDK's for the first eight): client_id,
 * response_type, connection, redirect_uri, state, scope, organization,
 * invitation, nonce, audience, response_mode, prompt, max_age, login_hint,
 * screen_hint, code_challenge, code_challenge_method, then extra. Free *url
 * with auth0_free().
 */
AUTH0_EXTERN auth0_status auth0_authorize_url(auth0_client *client, const auth0_authorize_params *params,
                                              char **url, auth0_error **err);

/*
 * Pushed authorization request (POST /oauth/par, RFC 9126): sends the
 * parameters directly to the tenant and gets a request_uri back, to be
 * used with auth0_par_authorize_url(). The fields are those of
 * auth0_authorize_url(), in the same order, form-encoded, with client
 * authentication; redirect_uri is required (the Ruby SDK lets it out and
 * leaves the refusal to the tenant). Unlike authorize URLs, the
 * client's default organization is not added (as in the Ruby SDK).
 * expires_in (seconds; may be NULL) is how long the request_uri is valid.
 */
AUTH0_EXTERN auth0_status auth0_pushed_authorization_request(auth0_client *client,
                                                             const auth0_authorize_params *params,
                                                             char **request_uri, int64_t *expires_in,
                                                             auth0_error **err);

/* https://DOMAIN/authorize?client_id=...&request_uri=... (nothing else: the request holds the rest). */
AUTH0_EXTERN auth0_status auth0_par_authorize_url(auth0_client *client, const char *request_uri,
                                                  char **url, auth0_error **err);

/* ---- Token grants ------------------------------------------------------------ */

/*
 * authorization_code grant. redirect_uri must be the one sent to /authorize
 * (NULL when none was); code_verifier is the PKCE verifier (or NULL). A
 * code works once: Auth0 answers a replay with invalid_grant.
 */
AUTH0_EXTERN auth0_status auth0_exchange_code(auth0_client *client, const char *code,
                                              const char *redirect_uri, const char *code_verifier,
                                              auth0_tokens **tokens, auth0_error **err);

/* refresh_token grant; scope may narrow the granted scopes (or be NULL). With rotation enabled,
 * the answer carries a new refresh token and the old one must not be used again. */
AUTH0_EXTERN auth0_status auth0_exchange_refresh_token(auth0_client *client, const char *refresh_token,
                                                       const char *scope, auth0_tokens **tokens,
                                                       auth0_error **err);

/*
 * client_credentials grant (Ruby: api_token). audience NULL = the client's
 * api_identifier (the Ruby SDK sends none: pass "" for that, and the
 * tenant's default audience applies); organization NULL = none (the
 * client's default organization is deliberately not sent, unlike the Ruby
 * SDK).
 */
AUTH0_EXTERN auth0_status auth0_client_credentials(auth0_client *client, const char *audience,
                                                   const char *organization, auth0_tokens **tokens,
                                                   auth0_error **err);

typedef struct auth0_password_login {
	const char *username;   /* required */
	const char *password;   /* required */
	const char *realm;      /* a connection: uses the password-realm grant */
	const char *audience;
	const char *scope;      /* default "openid" */
	/* The end user's IP address, sent as the auth0-forwarded-for header so that Auth0's
	 * brute-force protection sees the user rather than your server (a trusted server only). */
	const char *forwarded_for;
} auth0_password_login;

/* Resource Owner Password grant (Ruby: login_with_resource_owner). A user
 * with MFA gets AUTH0_ERR_FORBIDDEN with err->error "mfa_required" and the
 * mfa_token in err->body. */
AUTH0_EXTERN auth0_status auth0_login_password(auth0_client *client, const auth0_password_login *login,
                                               auth0_tokens **tokens, auth0_error **err);

/* Passwordless OTP grant (realm "email"). scope NULL = "openid profile email". */
AUTH0_EXTERN auth0_status auth0_exchange_email_otp(auth0_client *client, const char *email, const char *otp,
                                                   const char *audience, const char *scope,
                                                   auth0_tokens **tokens, auth0_error **err);

/* Passwordless OTP grant (realm "sms"). scope NULL = "openid profile email". */
AUTH0_EXTERN auth0_status auth0_exchange_sms_otp(auth0_client *client, const char *phone_number,
                                                 const char *otp, const char *audience, const char *scope,
                                                 auth0_tokens **tokens, auth0_error **err);

typedef struct auth0_token_exchange {
	const char *subject_token;       /* required */
	const char *subject_token_type;  /* required, e.g. a Custom Token Exchange profile's URI */
	const char *audience;
	const char *scope;
	const char *organization;
	const char *actor_token;
	const char *actor_token_type;
} auth0_token_exchange;

/* urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693, Custom Token Exchange).
 * actor_token and actor_token_type go together. */
AUTH0_EXTERN auth0_status auth0_exchange_token(auth0_client *client, const auth0_token_exchange *params,
                                               auth0_tokens **tokens, auth0_error **err);

/* POST /oauth/revoke (with client authentication): revokes a refresh token (and what was issued
 * from it). Revoking an unknown token succeeds, as RFC 7009 asks. */
AUTH0_EXTERN auth0_status auth0_revoke_refresh_token(auth0_client *client, const char *refresh_token,
                                                     auth0_error **err);

/* ---- Database connections ----------------------------------------------------- */

typedef struct auth0_signup_params {
	const char *email;        /* required */
	const char *password;     /* required */
	const char *connection;   /* default "Username-Password-Authentication" */
	const char *username;
	const char *given_name;
	const char *family_name;
	const char *name;
	const char *nickname;
	const char *picture;
	const char *phone_number;
	json_t *user_metadata;    /* an object, or NULL */
} auth0_signup_params;

/* POST /dbconnections/signup (client_id, no client authentication); *user receives the created
 * user. A weak password gives AUTH0_ERR_BAD_REQUEST with err->error_code "invalid_password"
 * and the policy's rules in err->body. */
AUTH0_EXTERN auth0_status auth0_signup(auth0_client *client, const auth0_signup_params *params, json_t **user,
                                       auth0_error **err);

/*
 * POST /dbconnections/change_password: Auth0 e-mails a reset link.
 * connection NULL = "Username-Password-Authentication". message may be
 * NULL; otherwise *message receives Auth0's confirmation text ("We've just
 * sent you an email to reset your password."), to free with auth0_free().
 * Auth0 answers the same whether or not the user exists.
 */
AUTH0_EXTERN auth0_status auth0_reset_password(auth0_client *client, const char *email,
                                               const char *connection, char **message,
                                               auth0_error **err);

/* The legacy form that also sends a new password (Ruby: change_password; deprecated by Auth0).
 * password NULL is left out, which makes it auth0_reset_password(). */
AUTH0_EXTERN auth0_status auth0_change_password(auth0_client *client, const char *email,
                                                const char *password, const char *connection,
                                                char **message, auth0_error **err)
	AUTH0_DEPRECATED("use auth0_reset_password");

/* ---- Passwordless ------------------------------------------------------------- */

typedef enum auth0_passwordless_send {
	AUTH0_PASSWORDLESS_LINK = 0,  /* a magic link (default) */
	AUTH0_PASSWORDLESS_CODE       /* a one-time code */
} auth0_passwordless_send;

/*
 * POST /passwordless/start with connection "email" and client
 * authentication. auth_params (a JSON object, or NULL for {}) becomes the
 * authParams object (scope, state, redirect_uri...) of the magic link. out
 * may be NULL; otherwise *out receives Auth0's answer. The code is then
 * exchanged with auth0_exchange_email_otp().
 */
AUTH0_EXTERN auth0_status auth0_passwordless_start_email(auth0_client *client, const char *email,
                                                         auth0_passwordless_send send, json_t *auth_params,
                                                         json_t **out, auth0_error **err);

/* POST /passwordless/start with connection "sms" (phone_number in E.164 form, "+14155550100");
 * the code is exchanged with auth0_exchange_sms_otp(). out may be NULL. */
AUTH0_EXTERN auth0_status auth0_passwordless_start_sms(auth0_client *client, const char *phone_number,
                                                       json_t **out, auth0_error **err);

/*
 * POST /passwordless/verify (legacy, disabled on tenants made after June
 * 2017): checks a code for connection "email" (email_or_phone is the
 * e-mail address) or "sms" (the phone number). Sends client_id,
 * connection, email or phone_number and verification_code, as auth0.js
 * does. out may be NULL; an empty answer gives {}.
 */
AUTH0_EXTERN auth0_status auth0_passwordless_verify(auth0_client *client, const char *connection,
                                                    const char *email_or_phone, const char *verification_code,
                                                    json_t **out, auth0_error **err);

/* ---- User profile ----------------------------------------------------------------- */

/* GET /userinfo with the user's access token as the only credential. A refused token gives
 * AUTH0_ERR_UNAUTHORIZED, with err->error ("invalid_token") and err->error_description taken
 * from the answer's WWW-Authenticate challenge. */
AUTH0_EXTERN auth0_status auth0_userinfo(auth0_client *client, const char *access_token, json_t **profile,
                                         auth0_error **err);

/* ---- Logout URLs ------------------------------------------------------------------- */

typedef struct auth0_logout_params {
	const char *return_to;     /* must be in the tenant's or application's allowed logout URLs */
	bool include_client_id;    /* send client_id (needed for application-level allow lists) */
	bool federated;            /* also log out of the identity provider */
} auth0_logout_params;

/*
 * https://DOMAIN/v2/logout?returnTo=...&client_id=...&federated=1 (params
 * may be NULL), parameters left out when not set; with none at all, the
 * URL has no '?' (the Ruby SDK leaves a bare one).
 */
AUTH0_EXTERN auth0_status auth0_logout_url(auth0_client *client, const auth0_logout_params *params,
                                           char **url, auth0_error **err);

typedef struct auth0_oidc_logout_params {
	const char *id_token_hint;
	const char *post_logout_redirect_uri;
	const char *logout_hint;   /* the session id (sid) */
	const char *state;
	const char *ui_locales;
	bool include_client_id;    /* needed when there is no id_token_hint */
	bool federated;
} auth0_oidc_logout_params;

/*
 * https://DOMAIN/oidc/logout (RP-initiated logout) with, in this order,
 * id_token_hint, client_id, post_logout_redirect_uri, logout_hint, state,
 * ui_locales, federated=1; params may be NULL. client_id is also sent when
 * there is a post_logout_redirect_uri but no id_token_hint, since Auth0
 * needs one of them to check the redirect against the allowed logout URLs.
 */
AUTH0_EXTERN auth0_status auth0_oidc_logout_url(auth0_client *client, const auth0_oidc_logout_params *params,
                                                char **url, auth0_error **err);

/* ---- SAML and WS-Federation --------------------------------------------------------- */

/* https://DOMAIN/samlp/CLIENT_ID?connection=... (connection NULL = Username-Password-Authentication). */
AUTH0_EXTERN auth0_status auth0_samlp_url(auth0_client *client, const char *connection, char **url,
                                          auth0_error **err);

typedef struct auth0_wsfed_params {
	const char *connection;    /* whr; default Username-Password-Authentication */
	const char *wtrealm;       /* when set the path is /wsfed/ (no client id needed) */
	const char *wctx;
	const char *wreply;
} auth0_wsfed_params;

/* https://DOMAIN/wsfed/CLIENT_ID?whr=...&wtrealm=...&wctx=...&wreply=... (params may be NULL). */
AUTH0_EXTERN auth0_status auth0_wsfed_url(auth0_client *client, const auth0_wsfed_params *params, char **url,
                                          auth0_error **err);

/* GET /samlp/metadata/CLIENT_ID: the XML document (free with auth0_free()). */
AUTH0_EXTERN auth0_status auth0_saml_metadata(auth0_client *client, char **xml, auth0_error **err);

/* GET /wsfed/FederationMetadata/2007-06/FederationMetadata.xml */
AUTH0_EXTERN auth0_status auth0_wsfed_metadata(auth0_client *client, char **xml, auth0_error **err);

/* ---- OIDC discovery ----------------------------------------------------------------- */

/* GET /.well-known/openid-configuration. A document whose issuer is not https://DOMAIN/ is
 * refused with AUTH0_ERR_INVALID_RESPONSE (OpenID Connect Discovery 1.0, section 4.3). */
AUTH0_EXTERN auth0_status auth0_oidc_discovery(auth0_client *client, json_t **configuration,
                                               auth0_error **err);

/* ---- Multi-factor authentication (MFA API) ----------------------------------------- */

/*
 * POST /mfa/challenge, with client authentication and the mfa_token in the
 * body. challenge_type: "otp", "oob" or "otp oob" (NULL: not sent);
 * authenticator_id may be NULL. For "oob", *out (may be NULL) holds the
 * oob_code for auth0_mfa_verify_oob().
 */
AUTH0_EXTERN auth0_status auth0_mfa_challenge(auth0_client *client, const char *mfa_token,
                                              const char *challenge_type, const char *authenticator_id,
                                              json_t **out, auth0_error **err);

typedef struct auth0_mfa_enrollment {
	const char *const *authenticator_types; /* NULL-terminated: "otp", "oob", "recovery-code" */
	const char *const *oob_channels;        /* NULL-terminated: "sms", "voice", "auth0", "email" */
	const char *phone_number;
	const char *email;
} auth0_mfa_enrollment;

/*
 * POST /mfa/associate with Authorization: Bearer mfa_token (or an MFA API
 * access token with the enroll scope). The client authenticates in the
 * body (a client_secret_basic client sends its secret there, as Auth0
 * documents for this endpoint). *out (may be NULL) holds the secret and
 * barcode_uri (otp) or the oob_code (oob), and recovery_codes the first time.
 */
AUTH0_EXTERN auth0_status auth0_mfa_associate(auth0_client *client, const char *mfa_token,
                                              const auth0_mfa_enrollment *enrollment, json_t **out,
                                              auth0_error **err);

/* GET /mfa/authenticators (token: an mfa_token or an access token for the MFA API). */
AUTH0_EXTERN auth0_status auth0_mfa_list_authenticators(auth0_client *client, const char *token,
                                                        json_t **authenticators, auth0_error **err);

/* DELETE /mfa/authenticators/ID (token: an MFA API access token with remove:authenticators,
 * or an mfa_token). */
AUTH0_EXTERN auth0_status auth0_mfa_delete_authenticator(auth0_client *client, const char *token,
                                                         const char *authenticator_id, auth0_error **err);

/* The mfa-otp grant (http://auth0.com/oauth/grant-type/mfa-otp). */
AUTH0_EXTERN auth0_status auth0_mfa_verify_otp(auth0_client *client, const char *mfa_token, const char *otp,
                                               auth0_tokens **tokens, auth0_error **err);

/*
 * One poll of the mfa-oob grant (binding_code may be NULL): exactly one request, never retried.
 * Until the user has answered, it fails with err->error "authorization_pending" (or "slow_down",
 * HTTP 429, AUTH0_ERR_RATE_LIMITED: wait longer before the next poll).
 */
AUTH0_EXTERN auth0_status auth0_mfa_verify_oob(auth0_client *client, const char *mfa_token,
                                               const char *oob_code, const char *binding_code,
                                               auth0_tokens **tokens, auth0_error **err);

/* The mfa-recovery-code grant; the answer carries a new recovery_code. */
AUTH0_EXTERN auth0_status auth0_mfa_verify_recovery_code(auth0_client *client, const char *mfa_token,
                                                         const char *recovery_code, auth0_tokens **tokens,
                                                         auth0_error **err);

/* ---- Client-initiated back-channel authentication (CIBA) ---------------------------- */

typedef struct auth0_ciba_params {
	/* Required: the user's id (sub), sent as login_hint
	 * {"format":"iss_sub","iss":"https://DOMAIN/","sub":USER_ID}. */
	const char *user_id;
	const char *scope;            /* required, must contain openid */
	const char *binding_message;  /* required: shown to the user */
	const char *audience;
	auth0_opt_int requested_expiry;  /* seconds, more than 0 */
} auth0_ciba_params;

/*
 * expires_in and interval (of a CIBA request or a device code) are Auth0's
 * only when sane, so that a loop sleeping `interval` until `expires_in` is
 * over neither spins nor waits forever: interval is 1 to 300 seconds (a
 * larger one is 300; none, or one below 1, is the default 5); expires_in
 * is at most 604800 (7 days), and 0 when Auth0 gave none or one below 1.
 */
typedef struct auth0_ciba_request {
	char *auth_req_id;
	int64_t expires_in;           /* seconds the auth_req_id stays valid (see above) */
	int64_t interval;             /* seconds to wait between polls (see above) */
} auth0_ciba_request;

/* POST /bc-authorize (form-encoded, with client authentication). Clear *request with
 * auth0_ciba_request_clear(). */
AUTH0_EXTERN auth0_status auth0_ciba_authorize(auth0_client *client, const auth0_ciba_params *params,
                                               auth0_ciba_request *request, auth0_error **err);

/*
 * One poll of the CIBA grant: exactly one request, never retried. Until
 * the user answers, it fails with AUTH0_ERR_BAD_REQUEST and err->error
 * "authorization_pending" (or "slow_down": wait longer); "access_denied"
 * and "expired_token" end the attempt.
 */
AUTH0_EXTERN auth0_status auth0_ciba_token(auth0_client *client, const char *auth_req_id,
                                           auth0_tokens **tokens, auth0_error **err);

AUTH0_EXTERN void auth0_ciba_request_clear(auth0_ciba_request *request);

/* ---- Device authorization (RFC 8628) ------------------------------------------------- */

typedef struct auth0_device_code {
	char *device_code;
	char *user_code;
	char *verification_uri;
	char *verification_uri_complete;
	int64_t expires_in;           /* seconds the codes stay valid (as auth0_ciba_request's) */
	int64_t interval;             /* seconds between polls (as auth0_ciba_request's: 1..300, default 5) */
} auth0_device_code;

/*
 * POST /oauth/device/code (form-encoded): a public client sends its
 * client_id, a confidential one authenticates. scope and audience may be
 * NULL. Show code->user_code and code->verification_uri to the user; clear
 * *code with auth0_device_code_clear().
 */
AUTH0_EXTERN auth0_status auth0_device_authorize(auth0_client *client, const char *scope,
                                                 const char *audience, auth0_device_code *code,
                                                 auth0_error **err);

/*
 * One poll of the device_code grant: exactly one request, never retried.
 * Until the user approves it fails with err->error "authorization_pending"
 * (AUTH0_ERR_FORBIDDEN) or "slow_down" (HTTP 429, AUTH0_ERR_RATE_LIMITED:
 * add 5 seconds to the interval); "access_denied" and "expired_token" end
 * the attempt.
 */
AUTH0_EXTERN auth0_status auth0_device_token(auth0_client *client, const char *device_code,
                                             auth0_tokens **tokens, auth0_error **err);

AUTH0_EXTERN void auth0_device_code_clear(auth0_device_code *code);

#ifdef __cplusplus
}
#endif
#endif
