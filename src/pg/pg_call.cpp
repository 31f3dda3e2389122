#include "pg/pg_call.hpp"

namespace impayes::pg {

PgError::PgError(ErrorData *edata)
    : sqlerrcode(edata->sqlerrcode),
      sqlstate(unpack_sql_state(edata->sqlerrcode)),
      message(edata->message ? edata->message : "unknown error"),
      detail(edata->detail ? edata->detail : ""),
      hint(edata->hint ? edata->hint : "") {}

void throw_pg_error(ErrorData *edata) {
    PgError err(edata);
    FreeErrorData(edata);
    throw err;
}

}  // namespace impayes::pg
