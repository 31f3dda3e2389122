// What a run writes to Parse (Op, DiffResult) and the comparisons it
// decides with: field by field, and which object of a key held by several
// is kept. SyncRun (sync/sync_run.cpp) diffs each chunk with them.
#pragma once

#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/source_data.hpp"

namespace impayes {

struct Op {
    enum Kind { Insert, Update, Delete };
    Kind kind;
    size_t row;                        // index in SourceData::rows (not for Delete)
    std::string object_id;             // Update and Delete
    std::vector<std::string> changed;  // Update only: fields that differ
    std::vector<std::string> removed;  // Update only: NULL in source, set in Parse
    std::string key;                   // Delete only: the key, for reports
    // Delete only: the object is an extra sharing its key with the one kept
    // (this objectId), not a key that left the source.
    std::string keeper;
};

struct DiffResult {
    std::vector<Op> ops;
    long skipped = 0;
    std::vector<std::string> duplicated;  // keys held by several Parse objects
};

// Which of several Parse objects sharing a key is kept: the one the
// ledger knows (ledger_id), else the oldest (createdAt, then objectId).
struct Keeper {
    size_t index;  // in objects
    enum Why { InLedger, Oldest } why;
};
Keeper choose_keeper(const std::vector<const JsonValue *> &objects, const std::string &ledger_id);

// Whether a source field (nullptr when NULL) equals a Parse field
// (nullptr when absent): NULL equals absent or null.
bool field_equal(const JsonValue *source, const JsonValue *parse);

}  // namespace impayes
