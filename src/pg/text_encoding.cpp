#include "pg/text_encoding.hpp"

#include <cstdio>
#include <cstring>

#include "pg/pg_call.hpp"

extern "C" {
#include "catalog/pg_conversion.h"
#include "catalog/pg_namespace.h"
}

namespace impayes::pg {

namespace {

// One direction of conversion: the pg_catalog default conversion
// function (never one a database owner put on the search_path), or none
// when the two encodings need no conversion or have none.
struct Conversion {
    int from = PG_UTF8, to = PG_UTF8;
    bool identity = true;  // same encoding, or SQL_ASCII (bytes as they are)
    bool found = false;
    FmgrInfo fn;  // the conversion function, looked up once (TopMemoryContext)
};

struct Conversions {
    bool ready = false;
    int server = PG_UTF8;
    Conversion to_utf8, from_utf8;
};

Conversions conv;

void prepare(Conversion &c, int from, int to) {
    c.from = from;
    c.to = to;
    c.identity = from == to || from == PG_SQL_ASCII || to == PG_SQL_ASCII;
    if (c.identity) return;
    // pg_catalog's default conversion, never one found through the
    // search_path (a database owner could put their own there).
    bool found = false;
    FmgrInfo *fn = &c.fn;
    pg::run([&]() noexcept {
        // (FindDefaultConversion returns the conversion's function.)
        const Oid proc = FindDefaultConversion(PG_CATALOG_NAMESPACE, from, to);
        if (!OidIsValid(proc)) return;
        fmgr_info_cxt(proc, fn, TopMemoryContext);
        found = true;
    });
    c.found = found;
}

// The conversions looked up by prepare_text_encoding(); before that (or
// where it is never called, as in the history worker) none: non-ASCII
// becomes '?'. Never a catalog lookup here: this also runs while an ERROR
// is turned into a PgError, before its subtransaction is rolled back.
const Conversions &conversions() {
    static Conversions unprepared;
    if (conv.ready) return conv;
    unprepared.server = GetDatabaseEncoding();
    unprepared.to_utf8.identity = unprepared.server == PG_SQL_ASCII;
    unprepared.from_utf8.identity = unprepared.to_utf8.identity;
    return unprepared;
}

// Length of the character at p in encoding enc, or 0 when p does not
// start a valid character in the len bytes left.
int char_length(int enc, const char *p, size_t len) {
    const int n = pg_encoding_verifymbchar(enc, p, int(len > 16 ? 16 : len));
    return n > 0 ? n : 0;
}

// One call of c's conversion function on n bytes: its palloc'd,
// NUL-terminated output; done is how many input bytes it converted (it
// stops, without an ERROR, before a character it cannot convert). Never
// throws: it also runs while an ERROR is turned into a PgError, where a
// failed conversion must not raise another one. nullptr if it failed.
char *convert_prefix(const Conversion &c, const char *s, size_t n, int &done) noexcept {
    const size_t dst_len = n * MAX_CONVERSION_GROWTH + 1;
    unsigned char *dst = nullptr;
    auto *src = reinterpret_cast<unsigned char *>(const_cast<char *>(s));
    const int src_len = int(n);
    MemoryContext ctx = CurrentMemoryContext;
    bool failed = false;
    PG_TRY();
    {
        dst = static_cast<unsigned char *>(palloc(dst_len));
        dst[0] = '\0';
        Datum r = FunctionCall6(const_cast<FmgrInfo *>(&c.fn), Int32GetDatum(c.from),
                                Int32GetDatum(c.to), CStringGetDatum(reinterpret_cast<char *>(src)),
                                CStringGetDatum(reinterpret_cast<char *>(dst)),
                                Int32GetDatum(src_len), BoolGetDatum(true));
        done = DatumGetInt32(r);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(ctx);
        FlushErrorState();
        failed = true;
    }
    PG_END_TRY();
    if (failed) return nullptr;
    return reinterpret_cast<char *>(dst);
}

// Converts with c, writing '?' for each character the target cannot hold
// (and each byte that is not a character of the source encoding).
// What is left of s from pos on, ASCII only: the fallback when there is no
// conversion to use.
void append_ascii_only(std::string &out, const char *s, size_t pos, size_t len) {
    for (; pos < len; ++pos) {
        const unsigned char b = static_cast<unsigned char>(s[pos]);
        out.push_back(b < 0x80 && b != 0 ? char(b) : '?');
    }
}

std::string convert_lossy(const Conversion &c, const char *s, size_t len) {
    std::string out;
    out.reserve(len);
    const size_t kChunk = 64 * 1024;
    size_t pos = 0;
    while (pos < len) {
        const size_t n = len - pos < kChunk ? len - pos : kChunk;
        int done = 0;
        char *dst = c.found ? convert_prefix(c, s + pos, n, done) : nullptr;
        if (dst == nullptr) {
            append_ascii_only(out, s, pos, len);
            break;
        }
        out.append(dst, strlen(dst));
        pfree(dst);
        pos += size_t(done);
        if (size_t(done) == n) continue;
        const int clen = char_length(c.from, s + pos, len - pos);
        // A character cut by the chunk boundary is converted with the next chunk.
        if (clen > 0 && size_t(done) + size_t(clen) > n && done > 0) continue;
        out.push_back('?');
        pos += clen > 0 ? size_t(clen) : 1;
    }
    return out;
}

// Valid UTF-8 as it is, '?' for each byte that does not start a valid
// character (a SQL_ASCII database can hold any bytes).
std::string utf8_lossy(const char *s, size_t len) {
    std::string out;
    out.reserve(len);
    size_t pos = 0;
    while (pos < len) {
        const int ok = pg_encoding_verifymbstr(PG_UTF8, s + pos, int(len - pos));
        out.append(s + pos, size_t(ok));
        pos += size_t(ok);
        if (pos < len) {
            out.push_back('?');
            ++pos;
        }
    }
    return out;
}

}  // namespace

void prepare_text_encoding() {
    if (conv.ready) return;
    // Called at the start of a call, in a clean state. A failed lookup
    // raises (as a PgError, through pg::run) and leaves conv unprepared, so
    // the next call tries again; meanwhile conversions() is ASCII-only.
    Conversions c;
    c.server = GetDatabaseEncoding();
    prepare(c.to_utf8, c.server, PG_UTF8);
    prepare(c.from_utf8, PG_UTF8, c.server);
    c.ready = true;
    conv = c;
}

std::string utf8_from_server(const char *s, size_t len) {
    const Conversions &c = conversions();
    if (c.server == PG_UTF8) return std::string(s, len);
    if (c.server == PG_SQL_ASCII) return utf8_lossy(s, len);
    return convert_lossy(c.to_utf8, s, len);
}

std::string server_from_utf8(const std::string &s) {
    const Conversions &c = conversions();
    // A SQL_ASCII database stores bytes as they come: UTF-8 stays UTF-8.
    if (c.server == PG_UTF8 || c.server == PG_SQL_ASCII) return utf8_lossy(s.data(), s.size());
    return convert_lossy(c.from_utf8, s.data(), s.size());
}

std::string value_to_utf8(const char *s, size_t len, const char *&out, size_t &out_len) {
    const Conversions &c = conversions();
    out = s;
    out_len = len;
    if (c.server == PG_UTF8 || len == 0) return "";
    if (c.server == PG_SQL_ASCII) {
        const int ok = pg_encoding_verifymbstr(PG_UTF8, s, int(len));
        if (size_t(ok) == len) return "";
        char hex[8];
        snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(s[ok]));
        return std::string("not valid UTF-8 text (byte ") + hex + " at byte offset " +
               std::to_string(ok) +
               "); in a SQL_ASCII database, text sent to Parse must be stored as UTF-8";
    }
    if (!c.to_utf8.found)
        return std::string("the database encoding ") + pg_encoding_to_char(c.server) +
               " has no conversion to UTF-8";
    int done = 0;
    char *dst = convert_prefix(c.to_utf8, s, len, done);
    if (dst == nullptr) return "could not be converted to UTF-8";
    if (size_t(done) != len) {
        pfree(dst);
        return std::string("the character at byte offset ") + std::to_string(done) +
               " has no UTF-8 equivalent in " + pg_encoding_to_char(c.server);
    }
    out = dst;
    out_len = strlen(dst);
    return "";
}

}  // namespace impayes::pg
