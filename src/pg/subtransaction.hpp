// Runs C++ code that calls PostgreSQL inside an internal subtransaction,
// as PL/pgSQL does for an EXCEPTION block: if anything throws, the
// subtransaction is rolled back (releasing locks, SPI state, the user id
// and GUC levels it changed) and the exception goes on; else it is
// released. before_rollback runs first (e.g. to disarm a timer).
#pragma once

#include <functional>

#include "pg/pg_call.hpp"

namespace impayes::pg {

void in_subtransaction(const std::function<void()> &body,
                       const std::function<void()> &before_rollback = nullptr);

// Runs body as the bootstrap superuser with search_path = pg_catalog, for
// the extension's own bookkeeping tables, which callers may not access.
// Must be called inside in_subtransaction().
void as_extension_owner(const std::function<void()> &body);

}  // namespace impayes::pg
