#include "pg/pg_logger.hpp"

#include "pg/pg_call.hpp"
#include "pg/text_encoding.hpp"

namespace impayes::pg {

void PgLogger::emit(int level, const std::string &msg) {
    if (!message_level_is_interesting(level)) return;
    // The server log and the client expect the database encoding.
    std::string line = server_from_utf8(mask_secret(msg, secret_));
    const char *text = line.c_str();
    pg::run([&]() noexcept { ereport(level, (errmsg_internal("%s", text), errhidestmt(true))); });
}

void PgLogger::info_noexcept(const std::string &msg) noexcept {
    try {
        if (!message_level_is_interesting(LOG)) return;
        const std::string line = server_from_utf8(mask_secret(msg, secret_));
        const char *text = line.c_str();
        const uint32 held = InterruptHoldoffCount;
        MemoryContext ctx = CurrentMemoryContext;
        PG_TRY();
        {
            HOLD_INTERRUPTS();
            ereport(LOG, (errmsg_internal("%s", text), errhidestmt(true)));
            RESUME_INTERRUPTS();
        }
        PG_CATCH();
        {
            // An ERROR resets the holdoff count: put back the caller's.
            MemoryContextSwitchTo(ctx);
            FlushErrorState();
            InterruptHoldoffCount = held;
        }
        PG_END_TRY();
    } catch (...) {
        // std::bad_alloc building the line: only the line is lost.
    }
}

void PgLogger::info(const std::string &msg) { emit(LOG, msg); }
void PgLogger::debug(const std::string &msg) { emit(DEBUG1, msg); }
void PgLogger::warning(const std::string &msg) { emit(WARNING, msg); }

}  // namespace impayes::pg
