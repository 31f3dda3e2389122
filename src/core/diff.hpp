// Diff of the source rows against the objects already in Parse, by key.
#pragma once

#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/ledger.hpp"
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
};

struct DiffResult {
    std::vector<Op> ops;
    long skipped = 0;
    std::vector<RowProblem> rejected;     // NULL or duplicate keys
    std::vector<std::string> duplicated;  // keys held by several Parse objects
};

// rows: SourceData::rows; existing: array of Parse objects (objectId +
// synced fields). Only the synced columns are compared. With
// delete_missing, objects whose key is not in the source (paid or
// cancelled invoices) and extra objects sharing a key become deletes; keys
// of rejected source rows are still "in the source" and never deleted.
DiffResult diff_rows(const SourceData &src, const std::string &key_column,
                     const JsonValue &existing, bool delete_missing = false);

// Same, against the ledger: a row whose hash (row_hashes[i], from
// content_hash()) matches its key's entry is skipped; others are inserted
// or updated with every field. Extra Parse objects sharing a key are not
// known here: a full reconciliation finds them.
DiffResult diff_ledger(const SourceData &src, const std::string &key_column,
                       const LedgerState &ledger, const std::vector<std::string> &row_hashes,
                       bool delete_missing);

// The key_string() of each source row, or kRejectedKey when the row is
// rejected for a NULL or duplicated key (with a RowProblem in rejected).
std::vector<std::string> source_keys(const SourceData &src, const std::string &key_column,
                                     std::vector<RowProblem> &rejected);
extern const char *const kRejectedKey;

// Whether a source field (nullptr when NULL) equals a Parse field
// (nullptr when absent): NULL equals absent or null.
bool field_equal(const JsonValue *source, const JsonValue *parse);

}  // namespace impayes
