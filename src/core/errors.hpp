// Exceptions used inside the C++ layers. None of them crosses into
// PostgreSQL: src/pg/guard.cpp turns them into a result or an ERROR.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "core/json.hpp"

namespace impayes {

// A failure that ends the run with success:false. details is a JSON object
// (SQLSTATE, HTTP status, Parse code, setting, ...).
class SyncError : public std::runtime_error {
public:
    explicit SyncError(const std::string &msg) : std::runtime_error(msg), details_(new JsonDoc) {
        details_->SetObject();
    }
    JsonDoc &details() { return *details_; }
    const JsonDoc &details() const { return *details_; }
    // Chainable setters for details.
    SyncError &with(const char *key, const std::string &value);
    SyncError &with(const char *key, long value);

private:
    std::shared_ptr<JsonDoc> details_;
};

// The caller asked to stop (query cancel, statement_timeout, terminate):
// unwind every C++ object, then let PostgreSQL raise its own error.
class Interrupted : public std::exception {
public:
    const char *what() const noexcept override { return "interrupted"; }
};

}  // namespace impayes
