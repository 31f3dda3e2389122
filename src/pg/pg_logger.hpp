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
    // A LOG line from code that must not raise (a noexcept progress
    // update): interrupts are held while it is written, so a pending
    // cancel stays pending for the engine's next check instead of being
    // raised here; an error writing it (out of memory) drops the line.
    void info_noexcept(const std::string &msg) noexcept;

private:
    void emit(int level, const std::string &msg);
    std::string secret_;
};

}  // namespace impayes::pg
