# mod_auth0 sources: session (appended to mod_auth0_mod_auth0_la_SOURCES)
