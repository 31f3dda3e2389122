#include "sync/schema_plan.hpp"

#include <set>

namespace impayes {

SchemaPlan plan_schema(const std::vector<SourceColumn> &columns, const JsonValue &fields,
                       const std::string &class_name) {
    SchemaPlan plan;
    for (const auto &c : columns) {
        const JsonValue *f = find_member(fields, c.name.c_str());
        const JsonValue *t = f ? find_member(*f, "type") : nullptr;
        if (t == nullptr || !t->IsString()) {
            plan.missing.emplace_back(c.name, c.type);
            continue;
        }
        if (t->GetString() == std::string(parse_type_name(c.type))) continue;
        plan.conflicts.push_back("column \"" + c.name + "\" (" + c.sql_type + ") maps to Parse " +
                                 parse_type_name(c.type) + " but field " + class_name + "." +
                                 c.name + " is already a " + t->GetString());
    }
    return plan;
}

std::vector<std::string> column_name_problems(const std::vector<SourceColumn> &columns) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto &c : columns) {
        if (auto p = field_name_problem(c.name)) out.push_back("column \"" + c.name + "\": " + *p);
        if (!seen.insert(c.name).second)
            out.push_back("column \"" + c.name + "\": appears twice in the source");
    }
    return out;
}

}  // namespace impayes
