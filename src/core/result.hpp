// The JSON a run returns. Keys and French messages of the original
// Cloud Code function are kept byte-for-byte; the others are additions.
#pragma once

#include <string>

#include "core/json.hpp"

namespace impayes {

extern const char *const kSuccessMessage;  // "Synchronisation terminée avec succès"
extern const char *const kFailureMessage;  // "Erreur lors de la synchronisation"

struct SyncResult {
    bool success = false;
    long inserted = 0;
    long updated = 0;
    long deleted = 0;  // objects removed by impayes_sync.on_missing = delete
    long skipped = 0;
    long total = 0;     // rows read from the source
    long failed = 0;    // objects Parse refused or that could not be sent
    long rejected = 0;  // source rows not synced (NULL/duplicate key, bad value)
    bool dry_run = false;
    std::string mode;  // "incremental" or "full", once decided
    long duration_ms = 0;
    std::string error;  // one line, on failure
    JsonDoc details;    // object, on failure (and for partial failures)
    JsonDoc preview;    // object, dry run only

    SyncResult() {
        details.SetObject();
        preview.SetNull();
    }
};

std::string result_to_json(const SyncResult &r);

}  // namespace impayes
