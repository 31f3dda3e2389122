#include "core/json_keys.hpp"

namespace impayes {

namespace {

const char *key_problem(const JsonValue &name) {
    const std::string key(name.GetString(), name.GetStringLength());
    if (key == "__op") return "Parse would apply it as an operation (__op) instead of storing it";
    if (key == "__type")
        return "Parse would read it as a typed value (__type) instead of storing it";
    if (key.find('$') != std::string::npos || key.find('.') != std::string::npos)
        return "Parse refuses keys holding '$' or '.' inside an object (error 121)";
    return nullptr;
}

// Depth-first. On a problem, fills why and the path to the key (built on
// the way back up, so a clean value builds no strings) and returns false.
bool walk(const JsonValue &v, const char *&why, std::string &path) {
    if (v.IsObject()) {
        for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
            const char *bad = key_problem(m->name);
            if (bad != nullptr || !walk(m->value, why, path)) {
                if (bad != nullptr) why = bad;
                const std::string name(m->name.GetString(), m->name.GetStringLength());
                path = path.empty() || path[0] == '[' ? name + path : name + "." + path;
                return false;
            }
        }
    } else if (v.IsArray()) {
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
            if (!walk(v[i], why, path)) {
                path = "[" + std::to_string(i) + "]" + (path.empty() || path[0] == '[' ? "" : ".") +
                       path;
                return false;
            }
    }
    return true;
}

}  // namespace

std::optional<std::string> json_key_problem(const JsonValue &v) {
    const char *why = nullptr;
    std::string path;
    if (walk(v, why, path)) return std::nullopt;
    return "JSON key \"" + path + "\": " + why;
}

}  // namespace impayes
