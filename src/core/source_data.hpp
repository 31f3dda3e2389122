// The source rows, already converted to Parse's wire format by src/pg.
#pragma once

#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/ledger.hpp"
#include "core/parse_types.hpp"

namespace impayes {

struct SourceColumn {
    std::string name;
    std::string sql_type;  // as format_type() prints it, for messages
    ParseType type;
    // json/jsonb: Object or Array is decided by the values read; true when
    // no value was converted (all rows unchanged), so the type is unknown.
    bool type_unsettled = false;
};

// A row whose stored values hash to its key's ledger entry: unchanged
// since Parse confirmed it, so it is not converted.
struct UnchangedRow {
    std::string key;
    long row = 0;  // 1-based position in the source result
};

// A source row that is not synced, and why.
struct RowProblem {
    long row = 0;        // 1-based position in the source result
    std::string key;     // key value as text ("" when NULL or unknown)
    std::string column;  // offending column, "" for the whole row
    std::string message;
};

struct SourceData {
    std::vector<SourceColumn> columns;
    // Array of objects in Parse wire format; a NULL column is absent.
    // Rows rejected while converting are not in it.
    JsonDoc rows;
    std::vector<long> row_numbers;        // source row number of each entry in rows
    std::vector<uint64_t> row_hashes;     // hash_bytes() of each entry in rows (see ledger.hpp)
    std::vector<UnchangedRow> unchanged;  // rows left out of rows: see UnchangedRow
    std::vector<RowProblem> rejected;
    long total = 0;  // rows read from the source, rejected and unchanged ones included

    SourceData() { rows.SetArray(); }
};

}  // namespace impayes
