// The one way C++ code calls PostgreSQL functions that may raise an ERROR:
// pg::run() executes the call inside PG_TRY, and turns a caught ERROR into
// a C++ PgError (SQLSTATE, message, detail and hint kept) once it is back
// in C++. The callable must not own objects with destructors: the
// longjmp of an ERROR only crosses its frame. It must be noexcept too
// (`[&]() noexcept { ... }`, checked at compile time): a C++ exception
// leaving PG_TRY would skip PG_END_TRY and leave PostgreSQL's error stack
// pointing into a dead frame, so C++ work (strings, containers) is done
// before or after the call, never in it.
//
// After catching an ERROR the transaction state is only clean if the call
// ran inside a subtransaction (in_subtransaction, pg/subtransaction.hpp).
#pragma once

#include <exception>
#include <string>

#include "pg/postgres_headers.hpp"

namespace impayes::pg {

class PgError : public std::exception {
public:
    explicit PgError(ErrorData *edata);  // copies, then frees edata
    const char *what() const noexcept override { return message.c_str(); }
    int sqlerrcode;
    std::string sqlstate;               // five characters
    std::string message, detail, hint;  // UTF-8, like every C++ string
};

[[noreturn]] void throw_pg_error(ErrorData *edata);

// A cancel, statement_timeout, lock_timeout or termination: raised on
// purpose, never a sync failure; it goes back to PostgreSQL as it came.
bool is_interrupt(const PgError &e);

template <typename F>
void run(F &&f) {
    static_assert(noexcept(f()),
                  "pg::run needs a noexcept callable ([&]() noexcept { ... }) that does no C++ "
                  "work that may throw");
    MemoryContext ctx = CurrentMemoryContext;
    ErrorData *volatile edata = nullptr;
    PG_TRY();
    { f(); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(ctx);
        edata = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    if (edata != nullptr) throw_pg_error(edata);
}

}  // namespace impayes::pg
