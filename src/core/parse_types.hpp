// Parse field types, field-name rules and the date wire format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace impayes {

enum class ParseType { String, Number, Boolean, Date, Object, Array };

const char *parse_type_name(ParseType t);
std::optional<ParseType> parse_type_from_name(const std::string &name);

// Why Parse would refuse this field name, or nullopt when it is fine.
// Parse accepts ^[A-Za-z][A-Za-z0-9_]*$ minus its own reserved fields.
std::optional<std::string> field_name_problem(const std::string &name);

// Why Parse would refuse this class name (we also refuse Parse's own
// "_User", "_Session"... classes), or nullopt.
std::optional<std::string> class_name_problem(const std::string &name);

// ISO-8601 UTC at millisecond precision ("2024-05-01T12:00:00.000Z") for a
// count of microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's epoch).
// Microseconds are truncated toward minus infinity. Returns nullopt outside
// years 0001..9999, which JavaScript's toISOString cannot print the same way.
std::optional<std::string> iso_from_pg_micros(int64_t micros);

// The same for a count of days since 2000-01-01 (a PostgreSQL date). Far
// dates are refused before they become microseconds: 213503983 days is
// 2^64 microseconds, which wraps to 2000-01-01.
std::optional<std::string> iso_from_pg_days(int64_t days);

}  // namespace impayes
