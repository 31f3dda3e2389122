#include "core/parse_types.hpp"

#include <cstdio>

namespace impayes {

const char *parse_type_name(ParseType t) {
    switch (t) {
        case ParseType::String:
            return "String";
        case ParseType::Number:
            return "Number";
        case ParseType::Boolean:
            return "Boolean";
        case ParseType::Date:
            return "Date";
        case ParseType::Object:
            return "Object";
        case ParseType::Array:
            return "Array";
    }
    return "?";
}

std::optional<ParseType> parse_type_from_name(const std::string &name) {
    for (ParseType t : {ParseType::String, ParseType::Number, ParseType::Boolean, ParseType::Date,
                        ParseType::Object, ParseType::Array})
        if (name == parse_type_name(t)) return t;
    return std::nullopt;
}

static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<std::string> field_name_problem(const std::string &name) {
    if (name.empty()) return std::string("empty name");
    if (!is_alpha(name[0]))
        return std::string("Parse field names must start with a letter (A-Z, a-z)");
    for (char c : name)
        if (!is_alpha(c) && !is_digit(c) && c != '_')
            return std::string("Parse field names may only contain A-Z, a-z, 0-9 and _");
    for (const char *reserved : {"objectId", "createdAt", "updatedAt", "ACL"})
        if (name == reserved)
            return std::string("\"") + reserved + "\" is a field Parse manages itself";
    return std::nullopt;
}

std::optional<std::string> class_name_problem(const std::string &name) {
    if (name.empty()) return std::string("must not be empty");
    if (name[0] == '_') return std::string("classes starting with _ belong to Parse itself");
    if (!is_alpha(name[0])) return std::string("must start with a letter");
    for (char c : name)
        if (!is_alpha(c) && !is_digit(c) && c != '_')
            return std::string("may only contain A-Z, a-z, 0-9 and _");
    return std::nullopt;
}

// Days since 1970-01-01 to civil date (Howard Hinnant's algorithm).
static void civil_from_days(int64_t z, int64_t &y, unsigned &m, unsigned &d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

std::optional<std::string> iso_from_pg_micros(int64_t micros) {
    // 2000-01-01 is 10957 days after 1970-01-01.
    const int64_t pg_epoch_ms = 10957LL * 86400 * 1000;
    const int64_t ms = floor_div(micros, 1000) + pg_epoch_ms;
    const int64_t days = floor_div(ms, 86400000LL);
    int64_t rem = ms - days * 86400000LL;
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, y, mo, d);
    if (y < 1 || y > 9999) return std::nullopt;
    const int hh = static_cast<int>(rem / 3600000);
    rem %= 3600000;
    const int mi = static_cast<int>(rem / 60000);
    rem %= 60000;
    const int ss = static_cast<int>(rem / 1000);
    const int mss = static_cast<int>(rem % 1000);
    // "YYYY-MM-DDTHH:MM:SS.mmmZ", written by hand: this runs for every date
    // of every row, and snprintf was a visible share of a run.
    char buf[] = "0000-00-00T00:00:00.000Z";
    auto put = [&buf](int at, int digits, int64_t v) {
        for (int i = at + digits - 1; i >= at; --i, v /= 10) buf[i] = char('0' + v % 10);
    };
    put(0, 4, y);
    put(5, 2, mo);
    put(8, 2, d);
    put(11, 2, hh);
    put(14, 2, mi);
    put(17, 2, ss);
    put(20, 3, mss);
    return std::string(buf, 24);
}

std::optional<std::string> iso_from_pg_days(int64_t days) {
    // Years 1..9999 lie within -730119..2921939 days of 2000-01-01; the
    // bound keeps days * 86400000000 far from overflowing.
    if (days < -800000 || days > 3000000) return std::nullopt;
    return iso_from_pg_micros(days * 86400LL * 1000000LL);
}

}  // namespace impayes
