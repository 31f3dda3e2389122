// Keys inside a json/jsonb value that Parse would not store as data:
// "__op" and "__type" make Parse read the object as an operation or a
// typed value (Date, Pointer, ...), and a key holding '.' or '$' is
// refused with error 121 ("Nested keys should not contain the '$' or '.'
// characters") on every run. No PostgreSQL headers: unit-tested.
#pragma once

#include <optional>
#include <string>

#include "core/json.hpp"

namespace impayes {

// Why the value (an Object or Array field value) would be misread, with
// the path of the offending key ("a.b[2].c"), or nullopt when it is fine.
std::optional<std::string> json_key_problem(const JsonValue &v);

}  // namespace impayes
