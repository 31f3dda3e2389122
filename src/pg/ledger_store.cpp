#include "pg/ledger_store.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "core/ledger_wire.hpp"

#include "pg/pg_call.hpp"
#include "pg/spi.hpp"
#include "pg/sql_objects.hpp"
#include "pg/subtransaction.hpp"
#include "pg/text_encoding.hpp"

extern "C" {
#include "access/genam.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xlog.h"
#include "catalog/pg_collation.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
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

// The most entries load_rows() makes room for ahead (16.7 million keys,
// 128 MB of slots); a larger ledger grows as it is read.
const size_t kMaxReserve = size_t(1) << 24;

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

// The class's entries, read at the start of every run by a scan of the
// table rather than a query: at a million keys the executor and SPI's copy
// of each tuple were most of the load. A table that holds mostly this
// class is read sequentially; one that holds other classes' ledgers too,
// through its primary key (class_name, key). Either way with the snapshot
// a query would take (a fresh one, as for sync_state) and the texts as
// stored.
void scan_entries(const std::string &class_name, long expected_keys, LedgerEntries &entries) {
    Relation rel = nullptr;
    SysScanDesc scan = nullptr;
    TupleDesc desc = nullptr;
    int natts = 0;
    int col[4] = {-1, -1, -1, -1};  // class_name, key, object_id, hash
    double reserve = 0;             // entries to make room for
    static const char *const kColumns[4] = {"class_name", "key", "object_id", "hash"};
    pg::run([&]() noexcept {
        const Oid relid = get_relname_relid("ledger", get_namespace_oid("impayes_sync", false));
        if (!OidIsValid(relid)) elog(ERROR, "impayes_sync.ledger does not exist");
        rel = table_open(relid, AccessShareLock);
        desc = RelationGetDescr(rel);
        natts = desc->natts;
        for (int c = 0; c < 4; ++c) {
            for (int i = 0; i < natts; ++i) {
                Form_pg_attribute att = TupleDescAttr(desc, i);
                if (!att->attisdropped && strcmp(NameStr(att->attname), kColumns[c]) == 0 &&
                    att->atttypid == TEXTOID)
                    col[c] = i;  // 0-based, as heap_deform_tuple fills values
            }
            if (col[c] < 0) elog(ERROR, "impayes_sync.ledger has no text column %s", kColumns[c]);
        }
        const Oid pkey = RelationGetPrimaryKeyIndex(rel);
        const double rows = rel->rd_rel->reltuples;  // -1 until vacuumed or analysed
        const bool by_index = OidIsValid(pkey) && rows > 2.0 * double(expected_keys) + 1000;
        // The column's collation, which its primary key uses too: the btree
        // descends by it.
        const Oid collation = TupleDescAttr(desc, col[0])->attcollation;
        reserve = std::min<double>(double(expected_keys),
                                   rows >= 0 ? rows + 1024 : double(expected_keys));
        ScanKeyData key;
        ScanKeyEntryInitialize(&key, 0, AttrNumber(col[0] + 1), BTEqualStrategyNumber, InvalidOid,
                               collation, F_TEXTEQ, CStringGetTextDatum(class_name.c_str()));
        PushActiveSnapshot(GetTransactionSnapshot());
        scan = systable_beginscan(rel, pkey, by_index, GetActiveSnapshot(), 1, &key);
    });
    // The saved count, unless the table cannot hold that many rows (a count
    // no ledger can hold is judged by the run: the entries will not match).
    if (reserve > 0 && reserve <= double(kMaxReserve)) entries.reserve(size_t(reserve));
    std::vector<Datum> values(static_cast<size_t>(natts));
    std::unique_ptr<bool[]> nulls(new bool[static_cast<size_t>(natts)]);
    text *v[4] = {nullptr, nullptr, nullptr, nullptr};
    bool toasted[4] = {false, false, false, false};
    for (uint64 n = 0;; ++n) {
        bool more = false, complete = false;
        pg::run([&]() noexcept {
            if ((n & 4095) == 0) CHECK_FOR_INTERRUPTS();
            HeapTuple tup = systable_getnext(scan);
            if (tup == nullptr) return;
            more = true;
            heap_deform_tuple(tup, desc, values.data(), nulls.get());
            complete = true;
            for (int c = 0; c < 4; ++c) {
                if (nulls[col[c]]) {
                    complete = false;
                    continue;
                }
                auto *raw = reinterpret_cast<varlena *>(DatumGetPointer(values[col[c]]));
                v[c] = reinterpret_cast<text *>(pg_detoast_datum_packed(raw));
                toasted[c] = reinterpret_cast<varlena *>(v[c]) != raw;
            }
        });
        if (!more) break;
        auto bytes = [&](int c) {
            return std::string_view(VARDATA_ANY(v[c]), VARSIZE_ANY_EXHDR(v[c]));
        };
        if (complete) {  // of this class: the scan key filtered
            LedgerEntry &e = entries[bytes(1)];
            e.object_id = bytes(2);
            e.hash = hash_from_hex(VARDATA_ANY(v[3]), VARSIZE_ANY_EXHDR(v[3]));
        }
        if (toasted[0] || toasted[1] || toasted[2] || toasted[3])
            pg::run([&]() noexcept {
                for (int c = 0; c < 4; ++c)
                    if (toasted[c]) pfree(v[c]);
            });
        for (bool &t : toasted) t = false;
    }
    pg::run([&]() noexcept {
        systable_endscan(scan);
        PopActiveSnapshot();
        table_close(rel, NoLock);  // the lock is kept to the end of the transaction
    });
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
                scan_entries(class_name, out.key_count, out.entries);
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
