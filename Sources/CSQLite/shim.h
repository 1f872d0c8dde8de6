#include <sqlite3.h>

// SQLITE_TRANSIENT is a function-pointer macro Swift cannot import: it tells SQLite to copy bound text.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_config is variadic, which Swift cannot call. Page-cache lines and lookaside slots on demand: by
// default every connection takes about 86 KB for its first 20 page-cache lines and 120 KB of lookaside slots
// at open, and touches all of it while building their free lists, whether the database ever needs them or not.
// Only effective before SQLite is initialised (the first connection); later calls return SQLITE_MISUSE.
static inline int csqlite_configure_memory_on_demand(void) {
    int pageCache = sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
    int lookaside = sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 256, 64);
    return pageCache != SQLITE_OK ? pageCache : lookaside;
}
