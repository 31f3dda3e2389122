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

void PgLogger::info(const std::string &msg) { emit(LOG, msg); }
void PgLogger::debug(const std::string &msg) { emit(DEBUG1, msg); }
void PgLogger::warning(const std::string &msg) { emit(WARNING, msg); }

}  // namespace impayes::pg
