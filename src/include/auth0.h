/*
 * libauth0: a C client for the Auth0 platform.
 *
 * This umbrella header includes the whole public API:
 *
 *   auth0/common.h          shared types: statuses, optional values, key/value lists
 *   auth0/error.h           the one error model (auth0_error)
 *   auth0/client.h          creating a client (auth0_client_options)
 *   auth0/store.h           pluggable token/JWKS store (shared caches, single flight)
 *   auth0/authentication.h  the Authentication API: login URLs, grants, userinfo, MFA, ...
 *   auth0/jwt.h             ID-token and access-token validation, JWKS
 *   auth0/management.h      the Management API: tokens, calls, pagination
 *   auth0/management_operations.h  one typed function per Management operation (generated)
 *
 * Conventions, everywhere:
 *   - Every fallible function returns an auth0_status; AUTH0_OK (0) is success.
 *     Its last argument is `auth0_error **err`: when not NULL it receives an
 *     error object on every failure (free it with auth0_error_free; when memory
 *     ran out it may be a shared one that auth0_error_free ignores, see
 *     auth0/error.h) and NULL on success. err->message is never NULL.
 *   - Output pointers that are not NULL are cleared (NULL, or zeroed
 *     structures) first, on every path, failures included: after a failed
 *     call there is nothing to free but the error.
 *   - Strings and JSON handed to the library are borrowed and copied when kept.
 *     Strings handed back are the caller's to free with auth0_free(); JSON
 *     handed back is the caller's reference (json_decref).
 *   - An auth0_client is safe to use from several threads at once.
 */
#ifndef AUTH0_H
#define AUTH0_H

#include "auth0/version.h"
#include "auth0/common.h"
#include "auth0/error.h"
#include "auth0/store.h"
#include "auth0/client.h"
#include "auth0/authentication.h"
#include "auth0/jwt.h"
#include "auth0/management.h"
#include "auth0/management_operations.h"

#endif
