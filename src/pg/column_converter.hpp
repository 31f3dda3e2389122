// Turns a column's Datums into Parse wire-format JSON values, following
// the type mapping of the README. Per-value problems (NaN, infinite
// dates, ...) come back as a message; the row is then rejected.
#pragma once

#include <string>

#include "core/json.hpp"
#include "core/parse_types.hpp"
#include "pg/postgres_headers.hpp"

namespace impayes::pg {

enum class ValueKind {
    Text,
    Output,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    Bool,
    Date,
    Timestamp,
    Json,
    Array
};

struct ElementType {
    Oid oid = InvalidOid;
    ValueKind kind = ValueKind::Output;
    Oid output_fn = InvalidOid;
    int16 len = 0;
    bool byval = false;
    char align = 'i';
};

struct ColumnConverter {
    std::string name;
    std::string sql_type;
    ParseType parse_type = ParseType::String;
    bool type_unsettled = false;  // json/jsonb with no value converted
    ValueKind kind = ValueKind::Output;
    Oid output_fn = InvalidOid;
    ElementType elem;  // kind == Array only

    // Resolves the column's type. Throws SyncError for a type with no
    // Parse equivalent, naming the column and the type.
    static ColumnConverter for_type(const std::string &name, Oid type_oid);

    // Fills out; returns "" or why the value cannot be stored in Parse.
    std::string convert(Datum d, JsonValue &out, JsonAlloc &a) const;

private:
    std::string scalar(ValueKind k, Oid fn, Datum d, JsonValue &out, JsonAlloc &a) const;
};

}  // namespace impayes::pg
