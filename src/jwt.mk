# libauth0 sources: jwt (appended to src_libauth0_core_la_SOURCES)
# (src/jwt_decode.c and src/jwks.c are listed in src/local.mk.)
src_libauth0_core_la_SOURCES += \
	src/jwt_internal.h \
	src/jwk.c \
	src/jws_verify.c \
	src/jwt_claims.c \
	src/id_token.c \
	src/access_token.c \
	src/logout_token.c
