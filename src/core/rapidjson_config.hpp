// RapidJSON's compile-time configuration, included before any RapidJSON
// header in every file (both Makefiles force it with -include, and
// core/json.hpp includes it too).
//
// RapidJSON checks its preconditions (GetString() on a string, a member
// that exists, ...) with RAPIDJSON_ASSERT, by default assert(): a slip
// would call abort() inside a backend, and the postmaster would restart
// every session. Here a failed check throws JsonContractError instead,
// which the entry guard turns into an ERROR; the shared library keeps no
// assert() at all (test/run.sh checks it imports no __assert_fail).
#pragma once

#ifdef RAPIDJSON_RAPIDJSON_H_
#error "core/rapidjson_config.hpp must be included before any RapidJSON header"
#endif

#include <stdexcept>
#include <string>

namespace impayes {

// A RapidJSON precondition did not hold: a bug in the extension (a value
// of an unexpected type reached a getter), never bad input.
class JsonContractError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

[[noreturn]] inline void json_contract_failed(const char *check, const char *file, int line) {
    std::string where = file;
    const auto slash = where.rfind('/');
    if (slash != std::string::npos) where.erase(0, slash + 1);
    throw JsonContractError(
        "internal error: a JSON value did not have the expected shape "
        "(RapidJSON check \"" +
        std::string(check) + "\" failed at " + where + ":" + std::to_string(line) +
        "); please report this bug");
}

}  // namespace impayes

#define RAPIDJSON_ASSERT(x) \
    ((x) ? static_cast<void>(0) : ::impayes::json_contract_failed(#x, __FILE__, __LINE__))

// RapidJSON 1.1 marks a few functions that check preconditions noexcept
// (GenericValue::operator= asserts this != &rhs): a throw there would call
// std::terminate(), which is abort() again. Without noexcept, moves still
// happen (RapidJSON values cannot be copied), and a failed check throws.
#define RAPIDJSON_HAS_CXX11_NOEXCEPT 0
