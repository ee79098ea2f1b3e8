# mod_auth0 sources: admin (appended to mod_auth0_mod_auth0_la_SOURCES)
