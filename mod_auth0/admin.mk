# mod_auth0 sources: admin (appended to mod_auth0_mod_auth0_la_SOURCES)
# SetHandler auth0-management (JSON API over the Management API) and auth0-admin (the admin page).
mod_auth0_mod_auth0_la_SOURCES += \
	mod_auth0/admin.h \
	mod_auth0/admin.c \
	mod_auth0/admin_api.c \
	mod_auth0/admin_page.c

# The admin page's files are compiled into the module, generated at build time from conf/admin/ (never
# committed, so they cannot go stale): edit conf/admin/*, run make.
ADMIN_ASSETS = $(srcdir)/conf/admin/index.html $(srcdir)/conf/admin/admin.js $(srcdir)/conf/admin/admin.css
nodist_mod_auth0_mod_auth0_la_SOURCES = mod_auth0/admin_assets.c
mod_auth0_mod_auth0_la_CPPFLAGS += -I$(srcdir)/mod_auth0
CLEANFILES += mod_auth0/admin_assets.c
mod_auth0/admin_assets.c: $(ADMIN_ASSETS) $(srcdir)/conf/admin/embed
	$(AM_V_GEN)$(MKDIR_P) mod_auth0 && $${PERL:-perl} $(srcdir)/conf/admin/embed $@ $(ADMIN_ASSETS)
