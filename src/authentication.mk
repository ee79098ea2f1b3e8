# libauth0 sources: authentication (appended to src_libauth0_core_la_SOURCES)
src_libauth0_core_la_SOURCES += \
	src/auth_internal.h \
	src/auth_common.c \
	src/pkce.c \
	src/authorize_url.c \
	src/par.c \
	src/grants.c \
	src/dbconnections.c \
	src/passwordless.c \
	src/userinfo.c \
	src/mfa.c \
	src/ciba.c \
	src/device.c
