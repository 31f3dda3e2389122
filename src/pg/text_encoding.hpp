// Text crossing between PostgreSQL (the database encoding) and the C++
// side, where every string is UTF-8. Messages never fail to convert:
// what the target encoding cannot hold becomes '?'. Values convert
// strictly: a value that is not text in its encoding rejects its row.
#pragma once

#include <cstddef>
#include <string>

namespace impayes::pg {

// Looks the database's conversions up once per backend. Run it at the
// start of a call, in a clean transaction state: the other functions
// then call no catalog lookup (they also run while an ERROR is being
// turned into a PgError).
void prepare_text_encoding();

// Database-encoded text (a PostgreSQL message, a name) to UTF-8.
std::string utf8_from_server(const char *s, size_t len);
inline std::string utf8_from_server(const std::string &s) {
    return utf8_from_server(s.data(), s.size());
}

// UTF-8 text (a result, a message, a log line) to the database encoding.
std::string server_from_utf8(const std::string &s);

// A stored value to UTF-8. Sets out (which may alias s in a UTF-8
// database; otherwise palloc'd) and returns "", or says why the value is
// not valid text (a SQL_ASCII database holding bytes that are not UTF-8).
std::string value_to_utf8(const char *s, size_t len, const char *&out, size_t &out_len);

}  // namespace impayes::pg
