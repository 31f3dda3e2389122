#include "core/logger.hpp"

namespace impayes {

std::string mask_secret(std::string text, const std::string &secret) {
    if (secret.empty()) return text;
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 8))
        text.replace(pos, secret.size(), "********");
    return text;
}

}  // namespace impayes
