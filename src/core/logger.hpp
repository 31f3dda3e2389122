// Where progress goes. src/pg sends it to the server log (LOG/DEBUG1),
// after masking secrets; unit tests collect it.
#pragma once

#include <string>

namespace impayes {

class Logger {
public:
    virtual ~Logger() = default;
    virtual void info(const std::string &msg) = 0;     // LOG
    virtual void debug(const std::string &msg) = 0;    // DEBUG1
    virtual void warning(const std::string &msg) = 0;  // WARNING
};

// Replaces every occurrence of secret in text by "********".
std::string mask_secret(std::string text, const std::string &secret);

}  // namespace impayes
