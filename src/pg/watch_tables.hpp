// What the watch worker installs: a statement trigger per table the source
// reads (for a view, the tables it depends on, found by parse analysis and
// the rewriter; partitions and inheritance children too), whose function
// counts the commit and wakes the worker.
#pragma once

#include <string>
#include <vector>

#include "core/settings.hpp"
#include "pg/postgres_headers.hpp"

namespace impayes::pg {

struct WatchedTables {
    std::vector<Oid> tables;          // ordinary and partitioned tables
    std::vector<std::string> unseen;  // read but not watchable (matviews, foreign tables)
};

// The tables the source reads, resolved under its source_search_path as
// the current user. Inside a transaction; throws PgError / SyncError.
WatchedTables source_tables(const Settings &s);

// Makes the installed triggers exactly `want` (as the bootstrap superuser,
// pinned search_path, bounded lock wait). Returns how many it changed.
int sync_watch_triggers(const std::vector<Oid> &want);

// Drops every watch trigger of this database. Returns how many.
int remove_watch_triggers();

}  // namespace impayes::pg
