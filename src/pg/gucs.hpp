// The impayes_sync.* settings (all PGC_SUSET: only a superuser, ALTER
// SYSTEM or ALTER DATABASE/ROLE by a superuser can set them).
#pragma once

#include <string>
#include <vector>

#include "core/settings.hpp"

namespace impayes::pg {

void define_gucs();

// Snapshot of the settings for one run. The master key comes from
// impayes_sync.master_key, or else from impayes_sync.master_key_file;
// a file that cannot be read throws a SyncError naming the setting.
Settings read_settings(bool dry_run, bool full);

bool raise_on_error_enabled();

// Unsafe ways the master key is configured, one message each.
std::vector<std::string> master_key_warnings();
int history_retention_minutes();

}  // namespace impayes::pg
