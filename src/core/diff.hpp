// Diff of the source rows against the objects already in Parse, by key.
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

// Whether a source field (nullptr when NULL) equals a Parse field
// (nullptr when absent): NULL equals absent or null.
bool field_equal(const JsonValue *source, const JsonValue *parse);

}  // namespace impayes
