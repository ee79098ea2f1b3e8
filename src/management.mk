# libauth0 sources: management (appended to src_libauth0_core_la_SOURCES)
