# mod_auth0 sources: api (appended to mod_auth0_mod_auth0_la_SOURCES)
# bearer tokens, identity to backends, Require auth0-* (and the page of those it refuses)
mod_auth0_mod_auth0_la_SOURCES += \
	mod_auth0/claim_path.h \
	mod_auth0/claim_path.c \
	mod_auth0/claims.c \
	mod_auth0/bearer.c \
	mod_auth0/authz.c \
	mod_auth0/denied.c
