// What the Parse class needs before the push: fields to add, and the
// columns whose Parse field already has another type.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/json.hpp"
#include "core/source_data.hpp"

namespace impayes {

struct SchemaPlan {
    std::vector<std::pair<std::string, ParseType>> missing;
    std::vector<std::string> conflicts;  // one message per column
};

// fields: the "fields" object of GET /schemas/<class>.
SchemaPlan plan_schema(const std::vector<SourceColumn> &columns, const JsonValue &fields,
                       const std::string &class_name);

// Column names Parse would refuse, one message each.
std::vector<std::string> column_name_problems(const std::vector<SourceColumn> &columns);

}  // namespace impayes
