// A LedgerDelta as one flat byte string, to hand it to the history worker
// through a shared memory segment: the worker then saves the ledger in its
// own transaction, so a run that raises (impayes_sync.raise_on_error) or a
// caller's rollback keeps what Parse confirmed.
#pragma once

#include <string>

#include "core/ledger.hpp"

namespace impayes {

std::string encode_delta(const LedgerDelta &delta);
// The same written straight into out[0..encoded_size()): a shared memory
// segment, without a second copy of the entries in the backend.
size_t encoded_size(const LedgerDelta &delta);
void encode_delta_into(const LedgerDelta &delta, char *out);
// False (out unspecified) for bytes that encode_delta() did not write.
bool decode_delta(const char *p, size_t n, LedgerDelta &out);

}  // namespace impayes
