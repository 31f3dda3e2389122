// Diff of the source rows against the objects already in Parse, by key.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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
    // Delete only: the object is an extra sharing its key with the one kept
    // (this objectId), not a key that left the source.
    std::string keeper;
};

struct DiffResult {
    std::vector<Op> ops;
    long skipped = 0;
    std::vector<RowProblem> rejected;     // NULL or duplicate keys
    std::vector<std::string> duplicated;  // keys held by several Parse objects
    // diff_rows: the JSON text of each duplicated key's value, to look it up.
    std::vector<std::string> duplicated_values;
    // diff_rows: rows equal to their Parse object (row index, objectId).
    std::vector<std::pair<size_t, std::string>> equal;
};

// rows: SourceData::rows; existing: array of Parse objects (objectId +
// synced fields). Only the synced columns are compared. With
// delete_missing, objects whose key is not in the source (paid or
// cancelled invoices) become deletes; keys of rejected source rows are
// still "in the source" and never deleted. Extra objects sharing a key are
// reported in duplicated (the first one read is synced): settle_duplicates()
// then decides which one is kept.
DiffResult diff_rows(const SourceData &src, const std::string &key_column,
                     const JsonValue &existing, bool delete_missing = false);

// The same diff, fed page by page as Parse answers, so that a full read
// never holds the whole class: add() each array of objects in objectId
// order, then finish() once.
class RowsDiff {
public:
    RowsDiff(const SourceData &src, const std::string &key_column, bool delete_missing);
    void add(const JsonValue &objects);
    DiffResult finish();

private:
    const SourceData &src_;
    std::string key_column_;
    bool delete_missing_;
    DiffResult out_;
    std::vector<std::string> keys_;  // source_keys()
    std::unordered_map<std::string_view, size_t> row_of_key_;
    std::vector<bool> matched_;
    std::unordered_set<std::string> seen_;     // keys of the Parse objects so far
    std::unordered_set<std::string> present_;  // delete_missing: keys still in the source
    std::vector<Op> deletes_;
};

// Same, against the ledger: a row whose hash (src.row_hashes[i]) matches
// its key's entry is skipped, as are the rows the reader left unconverted
// (src.unchanged); others are inserted or updated with every field. Extra
// Parse objects sharing a key are not known here: a full reconciliation
// finds them.
DiffResult diff_ledger(const SourceData &src, const std::string &key_column,
                       const LedgerState &ledger, bool delete_missing);

// The key_string() of each converted source row, or kRejectedKey when the
// row is rejected for a NULL or duplicated key (with a RowProblem in
// rejected, in row order). Unchanged rows count for duplicates;
// unchanged_rejected, when given, is how many of them were rejected.
std::vector<std::string> source_keys(const SourceData &src, const std::string &key_column,
                                     std::vector<RowProblem> &rejected,
                                     long *unchanged_rejected = nullptr);
extern const char *const kRejectedKey;

// Which of several Parse objects sharing a key is kept: the one the
// ledger knows (ledger_id), else the oldest (createdAt, then objectId).
struct Keeper {
    size_t index;  // in objects
    enum Why { InLedger, Oldest } why;
};
Keeper choose_keeper(const std::vector<const JsonValue *> &objects, const std::string &ledger_id);

// Rewrites a full diff for the keys objects holds (every Parse object of
// the keys diff_rows() reported duplicated, read again by key with the
// synced fields and createdAt): for each key, the object kept is the one
// the row is compared with, and the others become deletes (Op::keeper set),
// whatever delete_missing says. ledger: the entries saved before the run.
// Returns one line per key held several times, for the log.
std::vector<std::string> settle_duplicates(const SourceData &src, const std::string &key_column,
                                           const JsonValue &objects, const LedgerEntries &ledger,
                                           bool delete_missing, DiffResult &diff);

// Whether a source field (nullptr when NULL) equals a Parse field
// (nullptr when absent): NULL equals absent or null.
bool field_equal(const JsonValue *source, const JsonValue *parse);

}  // namespace impayes
