#include "core/errors.hpp"

namespace impayes {

SyncError &SyncError::with(const char *key, const std::string &value) {
    auto &a = details_->GetAllocator();
    JsonValue k(key, a), v(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), a);
    details_->RemoveMember(key);
    details_->AddMember(k, v, a);
    return *this;
}

SyncError &SyncError::with(const char *key, long value) {
    auto &a = details_->GetAllocator();
    JsonValue k(key, a), v(static_cast<int64_t>(value));
    details_->RemoveMember(key);
    details_->AddMember(k, v, a);
    return *this;
}

}  // namespace impayes
