#include "core/content_hash.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace impayes {

namespace {

void put_canonical(const JsonValue &v, std::string &out) {
    if (v.IsNumber()) {
        char buf[40];
        const int n = snprintf(buf, sizeof buf, "#%.17g", v.GetDouble());
        out.append(buf, size_t(n));
        return;
    }
    switch (v.GetType()) {
        case rapidjson::kNullType:
            out.push_back('n');
            return;
        case rapidjson::kTrueType:
            out.push_back('t');
            return;
        case rapidjson::kFalseType:
            out.push_back('f');
            return;
        case rapidjson::kStringType: {
            const uint32_t len = v.GetStringLength();
            out.push_back('s');
            out.append(reinterpret_cast<const char *>(&len), sizeof len);
            out.append(v.GetString(), len);
            return;
        }
        case rapidjson::kArrayType:
            out.push_back('[');
            for (const auto &e : v.GetArray()) put_canonical(e, out);
            out.push_back(']');
            return;
        case rapidjson::kObjectType: {
            std::vector<const JsonValue::Member *> members;
            members.reserve(v.MemberCount());
            for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) members.push_back(&*m);
            std::sort(members.begin(), members.end(), [](const auto *a, const auto *b) {
                const uint32_t la = a->name.GetStringLength(), lb = b->name.GetStringLength();
                const int c =
                    std::memcmp(a->name.GetString(), b->name.GetString(), std::min(la, lb));
                return c != 0 ? c < 0 : la < lb;
            });
            out.push_back('{');
            for (const auto *m : members) {
                put_canonical(m->name, out);
                put_canonical(m->value, out);
            }
            out.push_back('}');
            return;
        }
        case rapidjson::kNumberType:
            return;  // handled above
    }
}

}  // namespace

uint64_t content_hash(const JsonValue &object, const std::vector<std::string> &fields,
                      const SipKey &key, std::string &scratch) {
    scratch.clear();
    for (const auto &f : fields) {
        const JsonValue *v = find_member(object, f.c_str());
        if (v == nullptr || v->IsNull()) {
            scratch.push_back('N');
            continue;
        }
        scratch.push_back('V');
        put_canonical(*v, scratch);
    }
    const uint64_t h = siphash24(key, scratch.data(), scratch.size());
    return h ? h : 1;
}

}  // namespace impayes
