/*
 * The Authentication API: everything the Ruby SDK's AuthenticationEndpoints
 * offer, and what it lacks (OIDC discovery, PKCE, token revocation,
 * passwordless verify, MFA, back-channel (CIBA) login, device authorization,
 * token exchange).
 *
 * URL builders never touch the network. Calls that obtain tokens return an
 * auth0_tokens. Client authentication (secret or private-key JWT) is added
 * by the library wherever the endpoint takes it; the Management API token is
 * never sent here.
 *
 * A typical web login (see examples/login.c):
 *
 *     char *verifier, *challenge, *url;
 *     auth0_pkce_new(&verifier, &challenge, NULL);
 *     auth0_authorize_params p = { .redirect_uri = "https://app/callback",
 *             .state = state, .nonce = nonce, .scope = "openid profile email",
 *             .code_challenge = challenge };
 *     auth0_authorize_url(client, &p, &url, &err);
 *     ... the browser comes back to the callback with ?code=...&state=... ...
 *     auth0_tokens *tokens;
 *     auth0_exchange_code(client, code, "https://app/callback", verifier, &tokens, &err);
 *     json_t *claims;
 *     auth0_id_token_options v = { .nonce = nonce };
 *     auth0_id_token_validate(client, tokens->id_token, &v, &claims, &err);
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
	json_t *json;          /* the whole answer */
} auth0_tokens;

AUTH0_EXTERN void auth0_tokens_free(auth0_tokens *tokens);

/* ---- PKCE (RFC 7636) ------------------------------------------------------- */

/* A new random code verifier (43 characters) and its S256 challenge. */
AUTH0_EXTERN auth0_status auth0_pkce_new(char **verifier, char **challenge, auth0_error **err);

/* The S256 challenge of a verifier (43..128 unreserved characters). */
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
	auth0_opt_int max_age;
	const char *code_challenge;        /* from auth0_pkce_new() */
	const char *code_challenge_method; /* default "S256" when code_challenge is set */
	const auth0_kv *extra;             /* more parameters, sent last (they may override) */
} auth0_authorize_params;

/*
 * https://DOMAIN/authorize?client_id=...&response_type=code&... in the
 * Ruby SDK's order: client_id, response_type, connection, redirect_uri,
 * state, scope, organization, invitation, then the others, then extra.
 */
AUTH0_EXTERN auth0_status auth0_authorize_url(auth0_client *client, const auth0_authorize_params *params,
                                              char **url, auth0_error **err);

/*
 * Pushed authorization request (POST /oauth/par, RFC 9126): sends the
 * parameters directly to the tenant and gets a request_uri back, to be
 * used with auth0_par_authorize_url(). Unlike authorize URLs, the client's
 * default organization is not added (as in the Ruby SDK).
 */
AUTH0_EXTERN auth0_status auth0_pushed_authorization_request(auth0_client *client,
                                                             const auth0_authorize_params *params,
                                                             char **request_uri, int64_t *expires_in,
                                                             auth0_error **err);

/* https://DOMAIN/authorize?client_id=...&request_uri=... */
AUTH0_EXTERN auth0_status auth0_par_authorize_url(auth0_client *client, const char *request_uri,
                                                  char **url, auth0_error **err);

/* ---- Token grants ------------------------------------------------------------ */

/* authorization_code grant; code_verifier is the PKCE verifier (or NULL). */
AUTH0_EXTERN auth0_status auth0_exchange_code(auth0_client *client, const char *code,
                                              const char *redirect_uri, const char *code_verifier,
                                              auth0_tokens **tokens, auth0_error **err);

/* refresh_token grant; scope may narrow the granted scopes (or be NULL). */
AUTH0_EXTERN auth0_status auth0_exchange_refresh_token(auth0_client *client, const char *refresh_token,
                                                       const char *scope, auth0_tokens **tokens,
                                                       auth0_error **err);

/*
 * client_credentials grant (Ruby: api_token). audience NULL = the client's
 * api_identifier; organization NULL = none (the client's default
 * organization is deliberately not sent, unlike the Ruby SDK).
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
	const char *forwarded_for; /* end-user IP, sent as auth0-forwarded-for (brute-force protection) */
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

/* urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693, Custom Token Exchange). */
AUTH0_EXTERN auth0_status auth0_exchange_token(auth0_client *client, const auth0_token_exchange *params,
                                               auth0_tokens **tokens, auth0_error **err);

/* POST /oauth/revoke: revokes a refresh token (and what was issued from it). */
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

/* POST /dbconnections/signup; *user receives the created user. */
AUTH0_EXTERN auth0_status auth0_signup(auth0_client *client, const auth0_signup_params *params, json_t **user,
                                       auth0_error **err);

/*
 * POST /dbconnections/change_password: Auth0 e-mails a reset link.
 * connection NULL = "Username-Password-Authentication". *message (may be
 * NULL) receives Auth0's confirmation text.
 */
AUTH0_EXTERN auth0_status auth0_reset_password(auth0_client *client, const char *email,
                                               const char *connection, char **message,
                                               auth0_error **err);

/* The legacy form that also sends a new password (Ruby: change_password; deprecated by Auth0). */
AUTH0_EXTERN auth0_status auth0_change_password(auth0_client *client, const char *email,
                                                const char *password, const char *connection,
                                                char **message, auth0_error **err)
	AUTH0_DEPRECATED("use auth0_reset_password");

/* ---- Passwordless ------------------------------------------------------------- */

typedef enum auth0_passwordless_send {
	AUTH0_PASSWORDLESS_LINK = 0,  /* a magic link (default) */
	AUTH0_PASSWORDLESS_CODE       /* a one-time code */
} auth0_passwordless_send;

/* POST /passwordless/start with connection "email". auth_params (may be
 * NULL) becomes the authParams object (scope, state, redirect_uri...). */
AUTH0_EXTERN auth0_status auth0_passwordless_start_email(auth0_client *client, const char *email,
                                                         auth0_passwordless_send send, json_t *auth_params,
                                                         json_t **out, auth0_error **err);

/* POST /passwordless/start with connection "sms". */
AUTH0_EXTERN auth0_status auth0_passwordless_start_sms(auth0_client *client, const char *phone_number,
                                                       json_t **out, auth0_error **err);

/* POST /passwordless/verify (legacy): checks a code for "email" (email) or "sms" (phone number). */
AUTH0_EXTERN auth0_status auth0_passwordless_verify(auth0_client *client, const char *connection,
                                                    const char *email_or_phone, const char *verification_code,
                                                    json_t **out, auth0_error **err);

/* ---- User profile ----------------------------------------------------------------- */

/* GET /userinfo with the user's access token. */
AUTH0_EXTERN auth0_status auth0_userinfo(auth0_client *client, const char *access_token, json_t **profile,
                                         auth0_error **err);

/* ---- Logout URLs ------------------------------------------------------------------- */

typedef struct auth0_logout_params {
	const char *return_to;     /* must be in the tenant's or application's allowed logout URLs */
	bool include_client_id;    /* send client_id (needed for application-level allow lists) */
	bool federated;            /* also log out of the identity provider */
} auth0_logout_params;

/* https://DOMAIN/v2/logout?returnTo=...&client_id=...&federated (params may be NULL). */
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

/* https://DOMAIN/oidc/logout?id_token_hint=...&post_logout_redirect_uri=... (RP-initiated logout). */
AUTH0_EXTERN auth0_status auth0_oidc_logout_url(auth0_client *client, const auth0_oidc_logout_params *params,
                                                char **url, auth0_error **err);

/* ---- SAML and WS-Federation --------------------------------------------------------- */

/* https://DOMAIN/samlp/CLIENT_ID?connection=... (connection NULL = Username-Password-Authentication). */
AUTH0_EXTERN auth0_status auth0_samlp_url(auth0_client *client, const char *connection, char **url,
                                          auth0_error **err);

typedef struct auth0_wsfed_params {
	const char *connection;    /* whr; default Username-Password-Authentication */
	const char *wtrealm;       /* when set the path is /wsfed/ (no client id) */
	const char *wctx;
	const char *wreply;
} auth0_wsfed_params;

AUTH0_EXTERN auth0_status auth0_wsfed_url(auth0_client *client, const auth0_wsfed_params *params, char **url,
                                          auth0_error **err);

/* GET /samlp/metadata/CLIENT_ID: the XML document. */
AUTH0_EXTERN auth0_status auth0_saml_metadata(auth0_client *client, char **xml, auth0_error **err);

/* GET /wsfed/FederationMetadata/2007-06/FederationMetadata.xml */
AUTH0_EXTERN auth0_status auth0_wsfed_metadata(auth0_client *client, char **xml, auth0_error **err);

/* ---- OIDC discovery ----------------------------------------------------------------- */

/* GET /.well-known/openid-configuration */
AUTH0_EXTERN auth0_status auth0_oidc_discovery(auth0_client *client, json_t **configuration,
                                               auth0_error **err);

/* ---- Multi-factor authentication (MFA API) ----------------------------------------- */

/* POST /mfa/challenge. challenge_type: "otp", "oob" or "otp oob"; authenticator_id may be NULL. */
AUTH0_EXTERN auth0_status auth0_mfa_challenge(auth0_client *client, const char *mfa_token,
                                              const char *challenge_type, const char *authenticator_id,
                                              json_t **out, auth0_error **err);

typedef struct auth0_mfa_enrollment {
	const char *const *authenticator_types; /* NULL-terminated: "otp", "oob", "recovery-code" */
	const char *const *oob_channels;        /* NULL-terminated: "sms", "voice", "auth0", "email" */
	const char *phone_number;
	const char *email;
} auth0_mfa_enrollment;

/* POST /mfa/associate (Authorization: Bearer mfa_token). */
AUTH0_EXTERN auth0_status auth0_mfa_associate(auth0_client *client, const char *mfa_token,
                                              const auth0_mfa_enrollment *enrollment, json_t **out,
                                              auth0_error **err);

/* GET /mfa/authenticators (token: an mfa_token or an access token for the MFA API). */
AUTH0_EXTERN auth0_status auth0_mfa_list_authenticators(auth0_client *client, const char *token,
                                                        json_t **authenticators, auth0_error **err);

/* DELETE /mfa/authenticators/ID */
AUTH0_EXTERN auth0_status auth0_mfa_delete_authenticator(auth0_client *client, const char *token,
                                                         const char *authenticator_id, auth0_error **err);

/* The mfa-otp grant. */
AUTH0_EXTERN auth0_status auth0_mfa_verify_otp(auth0_client *client, const char *mfa_token, const char *otp,
                                               auth0_tokens **tokens, auth0_error **err);

/* The mfa-oob grant (binding_code may be NULL). */
AUTH0_EXTERN auth0_status auth0_mfa_verify_oob(auth0_client *client, const char *mfa_token,
                                               const char *oob_code, const char *binding_code,
                                               auth0_tokens **tokens, auth0_error **err);

/* The mfa-recovery-code grant; the answer carries a new recovery_code. */
AUTH0_EXTERN auth0_status auth0_mfa_verify_recovery_code(auth0_client *client, const char *mfa_token,
                                                         const char *recovery_code, auth0_tokens **tokens,
                                                         auth0_error **err);

/* ---- Client-initiated back-channel authentication (CIBA) ---------------------------- */

typedef struct auth0_ciba_params {
	const char *user_id;          /* required: the user's sub; sent as login_hint iss_sub */
	const char *scope;            /* required, must contain openid */
	const char *binding_message;  /* required: shown to the user */
	const char *audience;
	auth0_opt_int requested_expiry;
} auth0_ciba_params;

typedef struct auth0_ciba_request {
	char *auth_req_id;
	int64_t expires_in;
	int64_t interval;             /* seconds to wait between polls */
} auth0_ciba_request;

/* POST /bc-authorize */
AUTH0_EXTERN auth0_status auth0_ciba_authorize(auth0_client *client, const auth0_ciba_params *params,
                                               auth0_ciba_request *request, auth0_error **err);

/*
 * One poll of the CIBA grant. Until the user answers, it fails with
 * err->error "authorization_pending" (or "slow_down": wait longer).
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
	int64_t expires_in;
	int64_t interval;
} auth0_device_code;

/* POST /oauth/device/code */
AUTH0_EXTERN auth0_status auth0_device_authorize(auth0_client *client, const char *scope,
                                                 const char *audience, auth0_device_code *code,
                                                 auth0_error **err);

/* One poll of the device_code grant ("authorization_pending", "slow_down" until approved). */
AUTH0_EXTERN auth0_status auth0_device_token(auth0_client *client, const char *device_code,
                                             auth0_tokens **tokens, auth0_error **err);

AUTH0_EXTERN void auth0_device_code_clear(auth0_device_code *code);

#ifdef __cplusplus
}
#endif
#endif
