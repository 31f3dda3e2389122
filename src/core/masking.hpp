// Keeps the master key out of a run's result: the strings it carries
// (error, every string inside details) are masked one by one, never the
// serialised JSON text, where a key such as "1234" or "true" would also
// hit numbers and literals and make the result invalid JSON.
#pragma once

#include <string>

#include "core/json.hpp"
#include "core/result.hpp"

namespace impayes {

// Masks secret in every string value (not member names) of v, in place.
void mask_json_strings(JsonValue &v, const std::string &secret, JsonAlloc &a);

// Masks secret in r.error and in the strings of r.details and r.preview.
void mask_result(SyncResult &r, const std::string &secret);

}  // namespace impayes
