// A hash of the synced fields of an object in Parse's wire format, the
// same whether the object is a converted source row or what Parse answers:
// NULL and absent hash alike, numbers by their double value, object
// members in name order. A full reconciliation keeps only this per Parse
// object, and compares a source row with it: equal hashes mean equal
// fields (up to a 64-bit collision); a row whose hash differs is looked up
// and compared field by field before anything is written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/siphash.hpp"

namespace impayes {

// Keyed (SipHash-2-4): with a key of its own per run, nobody can craft a
// row whose hash equals another's.
uint64_t content_hash(const JsonValue &object, const std::vector<std::string> &fields,
                      const SipKey &key, std::string &scratch);

}  // namespace impayes
