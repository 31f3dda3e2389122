// JSON helpers shared by the diff, the Parse protocol and the result.
// No PostgreSQL headers here: these are unit-tested without a server.
#pragma once

#include <string>

#include "core/rapidjson_config.hpp"

#include <rapidjson/document.h>

namespace impayes {

using JsonDoc = rapidjson::Document;
using JsonValue = rapidjson::Value;
using JsonAlloc = rapidjson::Document::AllocatorType;

// Compact serialisation of a value.
std::string to_json(const JsonValue &v);

// Parses text into doc; returns an empty string on success, else a short
// message with the offset of the error.
std::string parse_json(JsonDoc &doc, const char *text, size_t len);

// Equality as the sync defines it: numbers compare as doubles, objects
// ignore key order, null equals null. Absence is handled by the caller.
bool json_equal(const JsonValue &a, const JsonValue &b);

// A string form of a key value, used to index objects by key.
std::string key_string(const JsonValue &v);

// Makes out an object holding exactly the n members given (moved from
// members), allocated at its size: AddMember on RapidJSON 1.1 (Debian 12)
// starts every object at 16 members, which for 100,000 rows of small
// objects (dates) is most of the memory of a run.
void set_object_exact(JsonValue &out, JsonValue::Member *members, size_t n, JsonAlloc &a);

// Member lookup that returns nullptr instead of asserting.
const JsonValue *find_member(const JsonValue &obj, const char *name);
// The string member name of obj, or "" when absent or not a string.
std::string string_member(const JsonValue &obj, const char *name);

}  // namespace impayes
