// Progress to the server log, with the master key masked.
#pragma once

#include "core/logger.hpp"

namespace impayes::pg {

class PgLogger : public Logger {
public:
    explicit PgLogger(std::string secret) : secret_(std::move(secret)) {}
    PgLogger &operator=(PgLogger &&) = default;
    PgLogger(PgLogger &&) = default;
    void info(const std::string &msg) override;
    void debug(const std::string &msg) override;
    void warning(const std::string &msg) override;

private:
    void emit(int level, const std::string &msg);
    std::string secret_;
};

}  // namespace impayes::pg
