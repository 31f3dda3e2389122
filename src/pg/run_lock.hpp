// One run at a time per target (base Parse URL + application id + class),
// across every database of the cluster: settings set with ALTER SYSTEM are
// cluster-wide, and two databases syncing one class would duplicate objects.
#pragma once

#include "core/settings.hpp"

namespace impayes::pg {

// Transaction-level, never waits: false when another run holds it.
bool try_lock_target(const Settings &s);

}  // namespace impayes::pg
