#include "core/settings.hpp"

#include <cstdio>
#include <cctype>
#include <cstring>
#include <vector>

#include "core/parse_types.hpp"

namespace impayes {

// URL schemes are case-insensitive.
static bool starts_with(const std::string &s, const char *prefix) {
    size_t n = strlen(prefix);
    if (s.size() < n) return false;
    for (size_t i = 0; i < n; ++i)
        if (tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

static std::optional<SettingProblem> problem(const char *name, std::string msg) {
    return SettingProblem{std::string("impayes_sync.") + name, std::move(msg)};
}

std::optional<SettingProblem> validate_settings(const Settings &s) {
    if (s.parse_url.empty())
        return problem("parse_url", "not set (e.g. 'http://127.0.0.1:1337/parse')");
    if (!starts_with(s.parse_url, "http://") && !starts_with(s.parse_url, "https://"))
        return problem("parse_url", "must start with http:// or https://");
    if (s.parse_url.find_first_of(" \t\r\n?#") != std::string::npos)
        return problem("parse_url", "must be a plain URL with no spaces, query or fragment");
    if (s.parse_url.find('@') != std::string::npos)
        return problem("parse_url", "must not carry credentials (user@host)");
    if (s.application_id.empty()) return problem("application_id", "not set");
    if (s.master_key.empty())
        return problem("master_key",
                       "not set (set impayes_sync.master_key or impayes_sync.master_key_file)");
    if (s.master_key.find_first_of("\r\n") != std::string::npos)
        return problem("master_key", "must be a single line");
    if (s.application_id.find_first_of("\r\n") != std::string::npos)
        return problem("application_id", "must be a single line");
    if (auto p = class_name_problem(s.class_name)) return problem("class_name", *p);
    if (!s.ca_file.empty()) {
        FILE *f = fopen(s.ca_file.c_str(), "r");
        if (f == nullptr) return problem("ca_file", "cannot read \"" + s.ca_file + "\"");
        fclose(f);
    }
    if (s.source.find_first_not_of(" \t\r\n") == std::string::npos)
        return problem("source", "empty");
    const PinnedSearchPath path = pinned_search_path(s.source_search_path);
    if (!path.ok) return problem("source_search_path", path.problem);
    if (s.key_column.empty()) return problem("key_column", "empty");
    if (auto p = field_name_problem(s.key_column)) return problem("key_column", *p);
    return std::nullopt;
}

namespace {

template <typename E, size_t N>
const char *name_in(const EnumName<E> (&names)[N], E value) {
    for (const auto &n : names)
        if (n.value == value) return n.name;
    return "?";
}

}  // namespace

const char *name_of(SyncMode m) { return name_in(kSyncModeNames, m); }
const char *name_of(OnMissing m) { return name_in(kOnMissingNames, m); }

namespace {

std::string lower(std::string s) {
    for (auto &ch : s) ch = char(tolower(static_cast<unsigned char>(ch)));
    return s;
}

std::string trimmed(const std::string &s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// One element of a schema list as PostgreSQL reads it: "Quoted" keeps its
// case (with "" for a quote), unquoted is folded to lower case. Sets
// problem on a syntax error.
std::string schema_name(const std::string &item, std::string &problem) {
    if (item.empty()) {
        problem = "has an empty schema name";
        return "";
    }
    if (item.front() != '"') {
        if (item.find_first_of("\" \t") != std::string::npos)
            problem = "has an invalid schema name: " + item + " (quote it with \"...\")";
        return lower(item);
    }
    std::string name;
    size_t i = 1;
    for (; i < item.size(); ++i) {
        if (item[i] != '"') {
            name += item[i];
        } else if (i + 1 < item.size() && item[i + 1] == '"') {
            name += '"';
            ++i;
        } else {
            break;
        }
    }
    if (i != item.size() - 1 || name.empty()) problem = "has an invalid schema name: " + item;
    return name;
}

// Splits on commas outside double quotes.
std::vector<std::string> schema_items(const std::string &list) {
    std::vector<std::string> items;
    std::string cur;
    bool quoted = false;
    for (char ch : list) {
        if (ch == '"') quoted = !quoted;
        if (ch == ',' && !quoted) {
            items.push_back(trimmed(cur));
            cur.clear();
        } else {
            cur += ch;
        }
    }
    items.push_back(trimmed(cur));
    return items;
}

std::string quoted_identifier(const std::string &name) {
    std::string out = "\"";
    for (char ch : name) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

bool is_ipv4_loopback(const std::string &host) {
    int parts = 0, value = -1;
    for (char ch : host + ".") {
        if (ch == '.') {
            if (value < 0 || value > 255) return false;
            if (parts == 0 && value != 127) return false;
            ++parts;
            value = -1;
        } else if (isdigit(static_cast<unsigned char>(ch))) {
            value = (value < 0 ? 0 : value * 10) + (ch - '0');
            if (value > 255) return false;
        } else {
            return false;
        }
    }
    return parts == 4;
}

}  // namespace

PinnedSearchPath pinned_search_path(const std::string &schemas) {
    PinnedSearchPath out;
    std::string value = "pg_catalog";
    if (!trimmed(schemas).empty()) {
        for (const std::string &item : schema_items(schemas)) {
            std::string problem;
            const std::string name = schema_name(item, problem);
            if (!problem.empty()) {
                out.problem = problem;
                return out;
            }
            if (name == "$user") {
                out.problem = "must not name \"$user\": the caller's role would choose the schema";
                return out;
            }
            if (name.rfind("pg_temp", 0) == 0) {
                out.problem =
                    "must not name pg_temp: temporary objects of the caller would shadow the "
                    "source (pg_temp is always searched last)";
                return out;
            }
            if (name == "pg_catalog") continue;  // always first
            value += ", " + quoted_identifier(name);
        }
    }
    out.ok = true;
    out.value = value + ", pg_temp";
    return out;
}

bool key_travels_in_clear(const std::string &parse_url) {
    if (!starts_with(parse_url, "http://")) return false;
    const std::string rest = parse_url.substr(7);
    std::string authority = rest.substr(0, rest.find('/'));
    const size_t at = authority.rfind('@');
    if (at != std::string::npos) authority = authority.substr(at + 1);
    std::string host;
    if (!authority.empty() && authority[0] == '[') {
        host = authority.substr(1, authority.find(']') - 1);
    } else {
        host = authority.substr(0, authority.find(':'));
    }
    host = lower(host);
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1") return false;
    return !is_ipv4_loopback(host);
}

std::string base_url(const std::string &parse_url) {
    std::string u = parse_url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    return u;
}

std::string mount_path(const std::string &parse_url) {
    std::string u = base_url(parse_url);
    auto scheme = u.find("://");
    auto slash = u.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return slash == std::string::npos ? std::string() : u.substr(slash);
}

std::string timeout_message(int timeout_ms) {
    char secs[32];
    if (timeout_ms % 1000 == 0) {
        snprintf(secs, sizeof secs, "%d", timeout_ms / 1000);
    } else {
        snprintf(secs, sizeof secs, "%d,%03d", timeout_ms / 1000,
                 timeout_ms % 1000);  // French comma
        for (size_t n = strlen(secs); secs[n - 1] == '0'; --n) secs[n - 1] = '\0';
    }
    const char *unit = timeout_ms < 2000 ? "seconde" : "secondes";
    return std::string(
               "Timeout: La requête PostgreSQL a dépassé le temps d'exécution maximum de ") +
           secs + " " + unit + ".";
}

}  // namespace impayes
