#include "core/settings.hpp"

#include <cstdio>
#include <cctype>
#include <cstring>

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
    if (s.key_column.empty()) return problem("key_column", "empty");
    if (auto p = field_name_problem(s.key_column)) return problem("key_column", *p);
    if (s.on_missing != "keep" && s.on_missing != "delete")
        return problem("on_missing", "must be keep or delete");
    return std::nullopt;
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
