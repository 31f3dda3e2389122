// Incremental sync: whether the ledger can be trusted for a run, what
// other clients changed since it was saved, and the look-up in Parse of
// the rows a chunk writes.
#pragma once

#include <string>
#include <vector>

#include "core/diff.hpp"
#include "core/ledger.hpp"
#include "core/logger.hpp"
#include "core/settings.hpp"
#include "parse/parse_client.hpp"

namespace impayes {

// What the ledger was built for: another URL, key or column set means a
// full reconciliation.
std::string ledger_signature(const Settings &s, const std::vector<SourceColumn> &columns);

// Brings the loaded ledger up to date with what other clients did since
// its watermark: objects created or updated since then are read (objectId
// and key only) and merged with an unknown hash, so that their source rows
// are converted and compared with Parse; deletions show in an exact count.
// Runs before the source is read. Returns "" when the ledger
// can be used, else why a full reconciliation is needed.
std::string refresh_ledger(ParseClient &parse, const std::string &key_column, LedgerState &ledger,
                           std::vector<std::string> &drifted_keys);

// The log line for a key held by several objects, of which kept_id stays.
std::string keeper_line(const std::string &key, size_t objects, const std::string &kept_id,
                        Keeper::Why why);

// The ledger only says that a row changed, not which fields, and could be
// behind Parse: reads the objects of every row to insert or update (by
// key, 200 per request) so that updates carry only the fields that differ
// and no insert duplicates an object that exists. Rows Parse already holds
// as they are become skips, with their ledger entry refreshed (appended to
// confirmed_keys). A key held by several objects is synced to the one kept
// (choose_keeper()) and the others become deletes whatever on_missing says
// (Op::keeper set); such keys are in diff.duplicated, with one line each
// for the log in duplicate_lines.
void refine_with_parse(ParseClient &parse, const SourceData &src, const std::string &key_column,
                       const std::vector<std::string> &fields, DiffResult &diff,
                       LedgerState &ledger, std::vector<std::string> &confirmed_keys,
                       std::vector<std::string> &duplicate_lines);

}  // namespace impayes
