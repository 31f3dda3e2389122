// One run at a time per Parse class: a transaction-level advisory lock,
// tried without waiting, released when the caller's transaction ends.
#pragma once

#include <string>

namespace impayes::pg {

bool try_lock_class(const std::string &class_name);

}  // namespace impayes::pg
