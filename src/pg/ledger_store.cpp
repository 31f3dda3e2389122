#include "pg/ledger_store.hpp"

#include <cstring>
#include <tuple>

#include "core/ledger_wire.hpp"

#include "pg/pg_call.hpp"
#include "pg/spi.hpp"
#include "pg/sql_objects.hpp"
#include "pg/subtransaction.hpp"
#include "pg/text_encoding.hpp"

extern "C" {
#include "access/xlog.h"
}

namespace impayes::pg {

namespace {

// Operators and functions are schema-qualified: this runs as superuser.
const char *const kLoadState =
    "SELECT signature, watermark, object_count, key_count, database_identity "
    "FROM impayes_sync.sync_state "
    "WHERE class_name OPERATOR(pg_catalog.=) $1";
// The same for a database whose extension objects are still at 1.0.
const char *const kLoadState10 =
    "SELECT signature, watermark, object_count, key_count, NULL::pg_catalog.text "
    "FROM impayes_sync.sync_state "
    "WHERE class_name OPERATOR(pg_catalog.=) $1";
const char *const kLoadEntries =
    "SELECT key, object_id, hash FROM impayes_sync.ledger WHERE class_name OPERATOR(pg_catalog.=) "
    "$1";
const char *const kClear =
    "DELETE FROM impayes_sync.ledger WHERE class_name OPERATOR(pg_catalog.=) $1";
const char *const kUpsert =
    "INSERT INTO impayes_sync.ledger (class_name, key, object_id, hash) "
    "SELECT $1, k, o, h FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.text[]), "
    "pg_catalog.unnest($3::pg_catalog.text[]), pg_catalog.unnest($4::pg_catalog.text[])) AS t(k, "
    "o, h) "
    "ON CONFLICT (class_name, key) DO UPDATE SET object_id = excluded.object_id, hash = "
    "excluded.hash";
const char *const kRemove =
    "DELETE FROM impayes_sync.ledger WHERE class_name OPERATOR(pg_catalog.=) $1 "
    "AND key OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.text[])";
const char *const kSaveState =
    "INSERT INTO impayes_sync.sync_state (class_name, signature, watermark, object_count, "
    "key_count, saved_at, database_identity) VALUES ($1, $2, $3, $4, $5, pg_catalog.now(), $6) "
    "ON CONFLICT (class_name) DO UPDATE SET database_identity = excluded.database_identity, "
    "signature = excluded.signature, watermark = excluded.watermark, "
    "object_count = excluded.object_count, key_count = excluded.key_count, saved_at = "
    "excluded.saved_at";

const char *const kSaveState10 =
    "INSERT INTO impayes_sync.sync_state (class_name, signature, watermark, object_count, "
    "key_count, saved_at) VALUES ($1, $2, $3, $4, $5, pg_catalog.now()) "
    "ON CONFLICT (class_name) DO UPDATE SET "
    "signature = excluded.signature, watermark = excluded.watermark, "
    "object_count = excluded.object_count, key_count = excluded.key_count, saved_at = "
    "excluded.saved_at";

const size_t kChunk = 5000;

// Which database wrote a ledger: the cluster's system identifier and the
// database oid. A copy (CREATE DATABASE ... TEMPLATE, a file-level clone
// started as another cluster) reads a ledger written by another database,
// which says nothing of what this one synced: a full reconciliation.
std::string database_identity() {
    return std::to_string(GetSystemIdentifier()) + ":" + std::to_string(MyDatabaseId);
}

std::string text_at(HeapTuple t, TupleDesc d, int col) {
    char *v = nullptr;
    pg::run([&]() noexcept { v = SPI_getvalue(t, d, col); });
    return v ? v : "";
}

template <typename T>
Datum text_array(const std::vector<T> &items) {
    Datum out = 0;
    pg::run([&]() noexcept {
        Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (items.size() + 1)));
        for (size_t i = 0; i < items.size(); ++i)
            elems[i] =
                PointerGetDatum(cstring_to_text_with_len(items[i].data(), int(items[i].size())));
        out = PointerGetDatum(
            construct_array(elems, int(items.size()), TEXTOID, -1, false, TYPALIGN_INT));
    });
    return out;
}

void exec(const char *sql, int nargs, Oid *types, Datum *values, int expect) {
    pg::run([&]() noexcept {
        int rc = SPI_execute_with_args(sql, nargs, types, values, nullptr, false, 0);
        if (rc != expect) elog(ERROR, "impayes_sync ledger: %s", SPI_result_code_string(rc));
    });
}

// Ledger rows fetched per cursor round by load_rows().
const long kLoadFetchRows = 5000;

// One entry per key, read at the start of every run: the text values are
// taken as they are, without output functions.
void add_entries(SPITupleTable *tt, uint64 n, LedgerEntries &entries) {
    TupleDesc rd = tt->tupdesc;
    for (uint64 i = 0; i < n; ++i) {
        HeapTuple r = tt->vals[i];
        text *v[3] = {nullptr, nullptr, nullptr};
        pg::run([&]() noexcept {
            for (int c = 0; c < 3; ++c) {
                bool isnull = false;
                Datum d = SPI_getbinval(r, rd, c + 1, &isnull);
                if (!isnull) v[c] = DatumGetTextPP(d);
            }
        });
        if (v[0] == nullptr || v[1] == nullptr || v[2] == nullptr) continue;
        LedgerEntry &e = entries[std::string_view(VARDATA_ANY(v[0]), VARSIZE_ANY_EXHDR(v[0]))];
        e.object_id = std::string_view(VARDATA_ANY(v[1]), VARSIZE_ANY_EXHDR(v[1]));
        e.hash = hash_from_hex(VARDATA_ANY(v[2]), VARSIZE_ANY_EXHDR(v[2]));
    }
}

}  // namespace

// Writes the delta in a subtransaction of the current transaction (the
// history worker's, or the caller's as a fallback); throws PgError.
void save_rows(const std::string &class_name, const LedgerDelta &delta);

void PgLedgerStore::load(const std::string &class_name, LedgerState &out) {
    try {
        load_rows(class_name, out);
        if (!out.stale_reason.empty() && !warned_stale_) {
            warned_stale_ = true;  // a full run loads the ledger twice
            log_.warning("impayes_sync: " + out.stale_reason + "; running a full reconciliation");
        }
    } catch (const PgError &e) {
        if (is_interrupt(e)) throw;
        out = LedgerState();
        log_.warning("impayes_sync: ledger not read (" + e.message +
                     "); running a full reconciliation");
    }
}

void PgLedgerStore::save(const std::string &class_name, LedgerDelta &&delta) {
    pending_class_ = class_name;
    pending_ = std::move(delta);
    has_pending_ = true;
}

void PgLedgerStore::save_now() {
    if (!has_pending_) return;
    has_pending_ = false;
    try {
        save_rows(pending_class_, pending_);
    } catch (const PgError &e) {
        if (is_interrupt(e)) throw;
        log_.warning("impayes_sync: ledger not saved (" + e.message +
                     "); the next run reconciles fully");
    }
}

bool save_encoded_ledger(const char *class_name, const char *bytes, size_t n, char *error,
                         size_t error_size) noexcept {
    try {
        LedgerDelta delta;
        if (!decode_delta(bytes, n, delta)) {
            strlcpy(error, "impayes_sync ledger: corrupt delta in shared memory", error_size);
            return false;
        }
        save_rows(class_name, delta);
        return true;
    } catch (const std::exception &e) {
        strlcpy(error, server_from_utf8(e.what()).c_str(), error_size);  // for ereport
    } catch (...) {
        strlcpy(error, "impayes_sync ledger: unexpected error", error_size);
    }
    return false;
}

void PgLedgerStore::load_rows(const std::string &class_name, LedgerState &out) {
    in_subtransaction([&] {
        as_extension_owner([&] {
            SpiConnection spi;
            Oid types[1] = {TEXTOID};
            Datum args[1];
            pg::run([&]() noexcept { args[0] = CStringGetTextDatum(class_name.c_str()); });
            const bool v1_0 = installed_sql_objects() == SqlObjects::V1_0;
            exec(v1_0 ? kLoadState10 : kLoadState, 1, types, args, SPI_OK_SELECT);
            if (SPI_processed == 1) {
                HeapTuple t = SPI_tuptable->vals[0];
                TupleDesc d = SPI_tuptable->tupdesc;
                out.found = true;
                out.signature = text_at(t, d, 1);
                out.watermark = text_at(t, d, 2);
                out.object_count = std::stol(text_at(t, d, 3));
                out.key_count = std::stol(text_at(t, d, 4));
                const std::string written_by = text_at(t, d, 5);  // "" before 1.1
                if (!written_by.empty() && written_by != database_identity()) {
                    out = LedgerState();
                    out.stale_reason =
                        "the ledger was written by another database (a copy: "
                        "CREATE DATABASE ... TEMPLATE, a restore or a clone)";
                }
            }
            if (out.found) {
                // Through a cursor, a chunk at a time: the tuples of the
                // whole ledger are never held besides the entries.
                Portal portal = nullptr;
                pg::run([&]() noexcept {
                    portal = SPI_cursor_open_with_args(nullptr, kLoadEntries, 1, types, args,
                                                       nullptr, true, 0);
                });
                out.entries.reserve(size_t(out.key_count > 0 ? out.key_count : 0));
                for (;;) {
                    uint64 n = 0;
                    pg::run([&]() noexcept {
                        SPI_cursor_fetch(portal, true, kLoadFetchRows);
                        n = SPI_processed;
                    });
                    if (n == 0) break;
                    add_entries(SPI_tuptable, n, out.entries);
                    pg::run([]() noexcept { SPI_freetuptable(SPI_tuptable); });
                }
                pg::run([&]() noexcept { SPI_cursor_close(portal); });
            }
        });
    });
}

void save_rows(const std::string &class_name, const LedgerDelta &delta) {
    in_subtransaction([&] {
        as_extension_owner([&] {
            SpiConnection spi;
            Datum cls = 0;
            pg::run([&]() noexcept { cls = CStringGetTextDatum(class_name.c_str()); });
            Oid t1[1] = {TEXTOID};
            Datum a1[1] = {cls};
            if (delta.replace_all) exec(kClear, 1, t1, a1, SPI_OK_DELETE);
            // kChunk entries a statement, as arrays.
            std::vector<std::string_view> k, o, removed;
            std::vector<std::string> h;
            auto flush_upserts = [&] {
                if (k.empty()) return;
                Oid t[4] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
                Datum a[4] = {cls, text_array(k), text_array(o), text_array(h)};
                exec(kUpsert, 4, t, a, SPI_OK_INSERT);
                k.clear(), o.clear(), h.clear();
            };
            auto flush_removed = [&] {
                if (removed.empty()) return;
                Oid t[2] = {TEXTOID, TEXTARRAYOID};
                Datum a[2] = {cls, text_array(removed)};
                exec(kRemove, 2, t, a, SPI_OK_DELETE);
                removed.clear();
            };
            delta.for_each(
                [&](std::string_view key, std::string_view id, uint64_t hv) {
                    k.push_back(key);
                    o.push_back(id);
                    // 0 (unknown) is stored as "": never equal to a row's hash.
                    h.push_back(hv ? hash_hex(hv) : "");
                    if (k.size() == kChunk) flush_upserts();
                },
                [&](std::string_view key) {
                    removed.push_back(key);
                    if (removed.size() == kChunk) flush_removed();
                });
            flush_upserts();
            flush_removed();
            Oid t[6] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, INT8OID, TEXTOID};
            Datum a[6];
            const std::string identity = database_identity();
            pg::run([&]() noexcept {
                a[0] = cls;
                a[1] = CStringGetTextDatum(delta.signature.c_str());
                a[2] = CStringGetTextDatum(delta.watermark.c_str());
                a[3] = Int64GetDatum(delta.object_count);
                a[4] = Int64GetDatum(delta.key_count);
                a[5] = CStringGetTextDatum(identity.c_str());
            });
            if (installed_sql_objects() == SqlObjects::V1_0)
                exec(kSaveState10, 5, t, a, SPI_OK_INSERT);
            else
                exec(kSaveState, 6, t, a, SPI_OK_INSERT);
        });
    });
}

}  // namespace impayes::pg
