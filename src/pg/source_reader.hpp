// Runs impayes_sync.source through SPI, inside a subtransaction and under
// impayes_sync.query_timeout, and converts the rows for the sync.
#pragma once

#include "sync/sync_engine.hpp"

namespace impayes::pg {

class PgSourceReader : public SourceReader {
public:
    void read(const Settings &s, const LedgerEntries *known, const JsonValue &parse_fields,
              const ChunkSink &on_chunk) override;
};

// The query to run for a source setting: a SELECT/WITH/VALUES/TABLE query
// as it is, or "SELECT * FROM <relation>" for a relation name.
bool source_is_query(const std::string &source);

}  // namespace impayes::pg
