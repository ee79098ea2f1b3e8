# mod_auth0 sources: session (appended to mod_auth0_mod_auth0_la_SOURCES)
# The browser login flow: origin, cookies, redirects, pages, the compact codec, login transactions,
# login, callback, sessions and logout. zlib deflates large sessions (hundreds of groups) so that they
# fit in cookies.
mod_auth0_mod_auth0_la_SOURCES += \
	mod_auth0/origin.c \
	mod_auth0/cookies.c \
	mod_auth0/cookie_header.h \
	mod_auth0/cookie_header.c \
	mod_auth0/redirects.c \
	mod_auth0/pages.c \
	mod_auth0/codec.c \
	mod_auth0/transaction.c \
	mod_auth0/query.c \
	mod_auth0/body.c \
	mod_auth0/login.c \
	mod_auth0/preserve_post.c \
	mod_auth0/callback.c \
	mod_auth0/memo.h \
	mod_auth0/memo.c \
	mod_auth0/session.c \
	mod_auth0/logout.c \
	mod_auth0/backchannel.c \
	mod_auth0/session_info.c
mod_auth0_mod_auth0_la_LIBADD += $(ZLIB_LIBS)
