// The per-install secret that keys the ledger hash (SipHash-2-4): 16
// random bytes in impayes_sync.install_secret, which only the extension
// reads, as its owner.
#pragma once

#include "core/siphash.hpp"

namespace impayes::pg {

// Reads the secret, creating it with pg_strong_random() on first use.
// Must be called inside in_subtransaction(), with SPI connected.
SipKey install_secret();

}  // namespace impayes::pg
