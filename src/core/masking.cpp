#include "core/masking.hpp"

#include "core/logger.hpp"

namespace impayes {

void mask_json_strings(JsonValue &v, const std::string &secret, JsonAlloc &a) {
    if (secret.empty()) return;
    if (v.IsString()) {
        const std::string text(v.GetString(), v.GetStringLength());
        if (text.find(secret) == std::string::npos) return;
        const std::string masked = mask_secret(text, secret);
        v.SetString(masked.data(), rapidjson::SizeType(masked.size()), a);
    } else if (v.IsArray()) {
        for (auto &e : v.GetArray()) mask_json_strings(e, secret, a);
    } else if (v.IsObject()) {
        for (auto &m : v.GetObject()) mask_json_strings(m.value, secret, a);
    }
}

void mask_result(SyncResult &r, const std::string &secret) {
    r.error = mask_secret(r.error, secret);
    mask_json_strings(r.details, secret, r.details.GetAllocator());
    mask_json_strings(r.preview, secret, r.preview.GetAllocator());
}

}  // namespace impayes
