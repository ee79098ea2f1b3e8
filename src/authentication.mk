# libauth0 sources: authentication (appended to src_libauth0_core_la_SOURCES)
