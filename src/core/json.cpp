#include "core/json.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace impayes {

std::string to_json(const JsonValue &v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

std::string parse_json(JsonDoc &doc, const char *text, size_t len) {
    doc.Parse(text, len);
    if (!doc.HasParseError()) return {};
    return std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " at offset " +
           std::to_string(doc.GetErrorOffset());
}

namespace {
// RapidJSON 1.1 keeps SetObjectRaw private. Access checks do not apply to
// the names in an explicit instantiation ([temp.explicit]), so this
// instantiation hands out a pointer to it.
struct SetObjectRawTag {
    using type = void (JsonValue::*)(JsonValue::Member *, rapidjson::SizeType, JsonAlloc &);
    friend type member(SetObjectRawTag);
};
template <typename Tag, typename Tag::type M>
struct Expose {
    friend typename Tag::type member(Tag) { return M; }
};
template struct Expose<SetObjectRawTag, &JsonValue::SetObjectRaw>;
}  // namespace

void set_object_exact(JsonValue &out, JsonValue::Member *members, size_t n, JsonAlloc &a) {
    static_assert(!JsonAlloc::kNeedFree,
                  "members are copied raw: the pool allocator frees nothing");
    (out.*member(SetObjectRawTag()))(members, rapidjson::SizeType(n), a);
    // The values now belong to out: leave the sources as nulls.
    for (size_t i = 0; i < n; ++i) {
        new (&members[i].name) JsonValue();
        new (&members[i].value) JsonValue();
    }
}

bool json_equal(const JsonValue &a, const JsonValue &b) {
    if (a.IsNumber() && b.IsNumber()) return a.GetDouble() == b.GetDouble();
    if (a.GetType() != b.GetType()) return false;
    switch (a.GetType()) {
        case rapidjson::kNullType:
        case rapidjson::kTrueType:
        case rapidjson::kFalseType:
            return true;
        case rapidjson::kStringType:
            return a.GetStringLength() == b.GetStringLength() &&
                   std::char_traits<char>::compare(a.GetString(), b.GetString(),
                                                   a.GetStringLength()) == 0;
        case rapidjson::kArrayType: {
            if (a.Size() != b.Size()) return false;
            for (rapidjson::SizeType i = 0; i < a.Size(); ++i)
                if (!json_equal(a[i], b[i])) return false;
            return true;
        }
        case rapidjson::kObjectType: {
            if (a.MemberCount() != b.MemberCount()) return false;
            for (auto m = a.MemberBegin(); m != a.MemberEnd(); ++m) {
                auto other = b.FindMember(m->name);
                if (other == b.MemberEnd() || !json_equal(m->value, other->value)) return false;
            }
            return true;
        }
        case rapidjson::kNumberType:
            break;  // handled above
    }
    return false;
}

std::string key_string(const JsonValue &v) {
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    if (v.IsNumber()) {
        // Same key whether Parse answers 12 or 12.0.
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", v.GetDouble());
        return buf;
    }
    return to_json(v);
}

const JsonValue *find_member(const JsonValue &obj, const char *name) {
    if (!obj.IsObject()) return nullptr;
    auto it = obj.FindMember(name);
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::string string_member(const JsonValue &obj, const char *name) {
    const JsonValue *v = find_member(obj, name);
    return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

}  // namespace impayes
