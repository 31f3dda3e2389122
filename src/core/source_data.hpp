// The source rows, already converted to Parse's wire format by src/pg.
#pragma once

#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/parse_types.hpp"

namespace impayes {

struct SourceColumn {
    std::string name;
    std::string sql_type;  // as format_type() prints it, for messages
    ParseType type;
};

// A source row that is not synced, and why.
struct RowProblem {
    long row = 0;         // 1-based position in the source result
    std::string key;      // key value as text ("" when NULL or unknown)
    std::string column;   // offending column, "" for the whole row
    std::string message;
};

struct SourceData {
    std::vector<SourceColumn> columns;
    // Array of objects in Parse wire format; a NULL column is absent.
    // Rows rejected while converting are not in it.
    JsonDoc rows;
    std::vector<long> row_numbers;  // source row number of each entry in rows
    std::vector<RowProblem> rejected;
    long total = 0;  // rows read from the source, rejected ones included

    SourceData() { rows.SetArray(); }
};

}  // namespace impayes
