#include "core/ledger.hpp"

#include <algorithm>
#include <cstdio>

namespace impayes {

namespace {

struct Fnv {
    uint64_t h = 14695981039346656037ull;
    void add(const char *p, size_t n) {
        for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 1099511628211ull;
    }
    void add(const std::string &s) { add(s.data(), s.size()); }
    void tag(char c) { add(&c, 1); }
};

void hash_value(const JsonValue &v, Fnv &f) {
    switch (v.GetType()) {
        case rapidjson::kNullType: f.tag('n'); return;
        case rapidjson::kFalseType: f.tag('f'); return;
        case rapidjson::kTrueType: f.tag('t'); return;
        case rapidjson::kNumberType: {
            char buf[40];
            const double d = v.GetDouble();
            int n = snprintf(buf, sizeof buf, "d%.17g", d == 0 ? 0.0 : d);  // -0 prints as 0 in JSON
            f.add(buf, size_t(n));
            return;
        }
        case rapidjson::kStringType: {
            f.tag('s');
            std::string len = std::to_string(v.GetStringLength()) + ":";
            f.add(len);
            f.add(v.GetString(), v.GetStringLength());
            return;
        }
        case rapidjson::kArrayType:
            f.tag('[');
            for (const auto &e : v.GetArray()) hash_value(e, f);
            f.tag(']');
            return;
        case rapidjson::kObjectType: {
            std::vector<const rapidjson::Value::Member *> members;
            for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) members.push_back(&*m);
            std::sort(members.begin(), members.end(), [](auto *a, auto *b) {
                return std::string(a->name.GetString(), a->name.GetStringLength()) <
                       std::string(b->name.GetString(), b->name.GetStringLength());
            });
            f.tag('{');
            for (auto *m : members) {
                f.add(m->name.GetString(), m->name.GetStringLength());
                f.tag('=');
                hash_value(m->value, f);
            }
            f.tag('}');
            return;
        }
    }
}

}  // namespace

std::string content_hash(const JsonValue &obj, const std::vector<std::string> &fields) {
    Fnv f;
    for (const auto &name : fields) {
        const JsonValue *v = find_member(obj, name.c_str());
        if (v == nullptr || v->IsNull()) continue;
        f.add(name);
        f.tag('=');
        hash_value(*v, f);
        f.tag(';');
    }
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(f.h));
    return buf;
}

const std::string &later_iso(const std::string &a, const std::string &b) {
    // Same fixed-width format: string order is time order.
    return a < b ? b : a;
}

}  // namespace impayes
