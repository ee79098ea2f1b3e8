# libauth0 sources: jwt (appended to src_libauth0_core_la_SOURCES)
