#include "pg/install_secret.hpp"

#include <cstring>

#include "core/errors.hpp"
#include "pg/pg_call.hpp"
#include "pg/sql_objects.hpp"
#include "pg/subtransaction.hpp"

namespace impayes::pg {

namespace {

const char *const kRead = "SELECT secret FROM impayes_sync.install_secret";
// The table holds one row at most (its key is the constant true): of two
// first runs at once, the second keeps the first one's secret.
const char *const kCreate =
    "INSERT INTO impayes_sync.install_secret (secret) VALUES ($1) ON CONFLICT DO NOTHING";

enum class SecretRead { Found, Missing, WrongSize };

SecretRead read_secret(SipKey &key) {
    SecretRead found = SecretRead::Missing;
    pg::run([&]() noexcept {
        if (SPI_execute(kRead, false, 1) != SPI_OK_SELECT)
            elog(ERROR, "impayes_sync: cannot read impayes_sync.install_secret");
        if (SPI_processed == 0) return;
        bool isnull = true;
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        bytea *b = isnull ? nullptr : DatumGetByteaPP(d);
        found = SecretRead::WrongSize;
        if (b != nullptr && VARSIZE_ANY_EXHDR(b) == sizeof key.bytes) {
            memcpy(key.bytes, VARDATA_ANY(b), sizeof key.bytes);
            found = SecretRead::Found;
        }
    });
    return found;
}

void create_secret() {
    pg::run([&]() noexcept {
        bytea *b = static_cast<bytea *>(palloc(VARHDRSZ + 16));
        SET_VARSIZE(b, VARHDRSZ + 16);
        if (!pg_strong_random(VARDATA(b), 16))
            ereport(ERROR, (errmsg("impayes_sync: could not generate the install secret")));
        Oid type = BYTEAOID;
        Datum value = PointerGetDatum(b);
        if (SPI_execute_with_args(kCreate, 1, &type, &value, nullptr, false, 0) != SPI_OK_INSERT)
            elog(ERROR, "impayes_sync: cannot store impayes_sync.install_secret");
        pfree(b);
    });
}

}  // namespace

SipKey install_secret() {
    SipKey key;
    // A database still at 1.0 has nowhere to keep a secret: the all-zero
    // key until ALTER EXTENSION ... UPDATE (the run warns), after which
    // every entry simply counts as changed once.
    if (installed_sql_objects() == SqlObjects::V1_0) return key;
    SecretRead found = SecretRead::Missing;
    as_extension_owner([&] {
        found = read_secret(key);
        if (found == SecretRead::Missing && XactReadOnly)
            throw SyncError(
                "impayes_sync.install_secret is empty and this transaction is read-only: run "
                "impayes_sync() once in a read-write transaction on the primary")
                .with("phase", "reading the install secret");
        if (found == SecretRead::Missing) {
            create_secret();
            found = read_secret(key);
        }
    });
    if (found != SecretRead::Found)
        throw SyncError(
            "impayes_sync.install_secret must hold one 16-byte secret (DELETE its row: "
            "the next run creates a new one)")
            .with("phase", "reading the install secret");
    return key;
}

}  // namespace impayes::pg
