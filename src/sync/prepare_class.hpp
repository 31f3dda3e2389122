// Checks the source's columns against Parse and makes the class and its
// fields exist before anything is written.
#pragma once

#include "core/json.hpp"
#include "core/logger.hpp"
#include "core/settings.hpp"
#include "core/source_data.hpp"
#include "parse/parse_client.hpp"

namespace impayes {

// Fails the run (SyncError) when the columns cannot be stored in Parse as
// they are, or the key column is not one of them.
void check_columns(const Settings &s, const SourceData &src);

// Creates the class or adds its missing fields (not in a dry run); fails
// on a field whose type conflicts with the column's.
void ensure_schema(const Settings &s, ParseClient &parse, const SourceData &src, bool exists,
                   const JsonDoc &fields, Logger &log);

}  // namespace impayes
