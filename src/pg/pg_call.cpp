#include "pg/pg_call.hpp"

#include "pg/text_encoding.hpp"

namespace impayes::pg {

PgError::PgError(ErrorData *edata)
    : sqlerrcode(edata->sqlerrcode),
      sqlstate(unpack_sql_state(edata->sqlerrcode)),
      message(edata->message ? utf8_from_server(edata->message) : "unknown error"),
      detail(edata->detail ? utf8_from_server(edata->detail) : ""),
      hint(edata->hint ? utf8_from_server(edata->hint) : "") {}

bool is_interrupt(const PgError &e) {
    return e.sqlerrcode == ERRCODE_QUERY_CANCELED ||
           ERRCODE_TO_CATEGORY(e.sqlerrcode) == ERRCODE_TO_CATEGORY(ERRCODE_ADMIN_SHUTDOWN);
}

void throw_pg_error(ErrorData *edata) {
    PgError err(edata);
    FreeErrorData(edata);
    throw err;
}

}  // namespace impayes::pg
