#include "pg/source_reader.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/errors.hpp"
#include "pg/column_converter.hpp"
#include "pg/install_secret.hpp"
#include "pg/pg_call.hpp"
#include "pg/query_timer.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"

namespace impayes::pg {

namespace {

SyncError source_failure(const PgError &e) {
    SyncError err("source query failed: " + e.message);
    err.with("phase", "running the source query").with("setting", "impayes_sync.source");
    err.with("sqlstate", e.sqlstate);
    if (!e.detail.empty()) err.with("detail", e.detail);
    if (!e.hint.empty()) err.with("hint", e.hint);
    return err;
}

SyncError bad_source(const std::string &why) {
    return SyncError("impayes_sync.source " + why).with("setting", "impayes_sync.source");
}

// "SELECT * FROM schema.rel" for a relation name, checked to exist.
std::string relation_query(const std::string &name) {
    char *sql = nullptr;
    Oid relid = InvalidOid;
    char relkind = 0;
    const char *cname = name.c_str();
    pg::run([&]() noexcept {
        RangeVar *rv = makeRangeVarFromNameList(stringToQualifiedNameList(cname));
        relid = RangeVarGetRelid(rv, AccessShareLock, true);
        if (relid != InvalidOid) {
            relkind = get_rel_relkind(relid);
            sql = psprintf("SELECT * FROM %s",
                           quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
                                                      get_rel_name(relid)));
        }
    });
    if (relid == InvalidOid) throw bad_source("names a relation that does not exist: " + name);
    if (relkind != RELKIND_RELATION && relkind != RELKIND_VIEW && relkind != RELKIND_MATVIEW &&
        relkind != RELKIND_FOREIGN_TABLE && relkind != RELKIND_PARTITIONED_TABLE)
        throw bad_source("must be a table, view, materialized view or query: " + name);
    return sql;
}

// json/jsonb columns become Parse Arrays when every value is an array,
// Objects otherwise. The kind is fixed once and for the whole run, before
// the first chunk is pushed: by the Parse field when the class has one,
// else by the first chunk holding a value (Object when it holds both);
// values of the other kind reject their row.
void settle_json_columns(std::vector<ColumnConverter> &cols, std::vector<bool> &fixed,
                         const JsonValue &parse_fields, SourceData &out,
                         const std::string &key_column) {
    for (size_t ci = 0; ci < cols.size(); ++ci) {
        ColumnConverter &c = cols[ci];
        if (c.kind != ValueKind::Json) continue;
        if (!fixed[ci]) {
            const JsonValue *f = find_member(parse_fields, c.name.c_str());
            const JsonValue *t = f ? find_member(*f, "type") : nullptr;
            const std::string existing = t && t->IsString() ? t->GetString() : "";
            if (existing == "Array" || existing == "Object") {
                c.parse_type = existing == "Array" ? ParseType::Array : ParseType::Object;
                c.type_unsettled = false;
                fixed[ci] = true;
            } else {
                bool any_object = false, any_array = false;
                for (const auto &row : out.rows.GetArray())
                    if (const JsonValue *v = find_member(row, c.name.c_str()))
                        (v->IsArray() ? any_array : any_object) = true;
                c.parse_type = any_array && !any_object ? ParseType::Array : ParseType::Object;
                c.type_unsettled = !any_array && !any_object;
                fixed[ci] = !c.type_unsettled;
            }
        }
        const bool want_array = c.parse_type == ParseType::Array;
        bool mixed = false;
        for (const auto &row : out.rows.GetArray())
            if (const JsonValue *v = find_member(row, c.name.c_str()))
                if (v->IsArray() != want_array) mixed = true;
        if (!mixed) continue;
        JsonValue kept(rapidjson::kArrayType);
        std::vector<long> numbers;
        std::vector<uint64_t> hashes;
        auto &a = out.rows.GetAllocator();
        for (rapidjson::SizeType i = 0; i < out.rows.Size(); ++i) {
            JsonValue &row = out.rows[i];
            const JsonValue *v = find_member(row, c.name.c_str());
            if (v != nullptr && v->IsArray() != want_array) {
                const JsonValue *k = find_member(row, key_column.c_str());
                out.rejected.push_back(
                    {out.row_numbers[i], k ? key_string(*k) : "", c.name,
                     want_array ? "JSON object in a column that holds arrays (Parse Array field); "
                                  "use one kind per column"
                                : "JSON array in a column that also holds objects (Parse Object "
                                  "field); use one kind per column"});
                continue;
            }
            numbers.push_back(out.row_numbers[i]);
            hashes.push_back(out.row_hashes[i]);
            kept.PushBack(row.Move(), a);
        }
        static_cast<JsonValue &>(out.rows).Swap(kept);
        out.row_numbers.swap(numbers);
        out.row_hashes.swap(hashes);
    }
}

// A WITH ... DELETE/UPDATE/INSERT returns rows too: refuse it by its tree.
bool modifies_data(SPIPlanPtr plan) {
    bool modifies = false;
    pg::run([&]() noexcept {
        ListCell *lc;
        foreach (lc, SPI_plan_get_plan_sources(plan)) {
            auto *ps = static_cast<CachedPlanSource *>(lfirst(lc));
            ListCell *qc;
            foreach (qc, ps->query_list) {
                auto *q = static_cast<Query *>(lfirst(qc));
                if (q->commandType != CMD_SELECT || q->hasModifyingCTE) modifies = true;
            }
        }
    });
    return modifies;
}

// Column names, copied once into the rows' allocator: every row refers to
// them instead of holding its own copies.
std::vector<JsonValue> interned_names(const std::vector<ColumnConverter> &cols, JsonAlloc &a) {
    std::vector<JsonValue> names;
    for (const auto &c : cols) {
        auto *p = static_cast<char *>(a.Malloc(c.name.size() + 1));
        memcpy(p, c.name.c_str(), c.name.size() + 1);
        names.emplace_back(rapidjson::StringRef(p, rapidjson::SizeType(c.name.size())));
    }
    return names;
}

// Per-run state of the row loop.
struct RowReader {
    const std::vector<ColumnConverter> &cols;
    const std::vector<JsonValue> &names;  // interned column names
    int key_index;
    const LedgerEntries *known;
    SipKey hash_key;  // the install secret
    uint64_t seed;    // hash of the column names and types
    std::vector<Datum> values;
    std::unique_ptr<bool[]> nulls;
    std::vector<JsonValue::Member> members;
    std::string buf;  // the row's stored values, to hash
    rapidjson::MemoryPoolAllocator<> scratch;

    RowReader(const std::vector<ColumnConverter> &c, const std::vector<JsonValue> &n, int k,
              const LedgerEntries *kn, const SipKey &hk, uint64_t sd)
        : cols(c),
          names(n),
          key_index(k),
          known(kn),
          hash_key(hk),
          seed(sd),
          values(c.size()),
          nulls(new bool[c.size()]),
          members(c.size()) {}

    // Hash of the row's stored values: the bytes of each value as
    // PostgreSQL keeps it (detoasted), not its conversion, so that an
    // unchanged row costs no conversion.
    uint64_t row_hash(TupleDesc desc) {
        buf.assign(reinterpret_cast<const char *>(&seed), sizeof seed);
        for (size_t c = 0; c < cols.size(); ++c) {
            if (nulls[c]) {
                buf.push_back('N');
                continue;
            }
            buf.push_back('V');
            Form_pg_attribute att = TupleDescAttr(desc, int(c));
            const Datum d = values[c];
            const char *p;
            size_t n;
            if (att->attbyval) {
                p = reinterpret_cast<const char *>(&d);
                n = sizeof d;
            } else if (att->attlen == -1) {
                auto *v = reinterpret_cast<varlena *>(DatumGetPointer(d));
                if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
                    pg::run([&]() noexcept { v = pg_detoast_datum_packed(v); });
                p = VARDATA_ANY(v);
                n = VARSIZE_ANY_EXHDR(v);
            } else if (att->attlen == -2) {
                p = DatumGetCString(d);
                n = strlen(p);
            } else {
                p = DatumGetPointer(d);
                n = size_t(att->attlen);
            }
            const uint32_t len = uint32_t(n);
            buf.append(reinterpret_cast<const char *>(&len), sizeof len);
            buf.append(p, n);
        }
        return hash_bytes(hash_key, buf.data(), buf.size());
    }

    // The row's key as key_string() gives it, or "" when NULL or invalid.
    std::string key_of() {
        if (key_index < 0 || nulls[size_t(key_index)]) return "";
        JsonValue v;
        if (!cols[size_t(key_index)].convert(values[size_t(key_index)], v, scratch).empty())
            return "";
        return key_string(v);
    }

    long total = 0;  // rows read so far, all chunks

    void add(HeapTuple tuple, TupleDesc desc, SourceData &out) {
        const long rownum = ++total;
        out.total = total;
        pg::run([&]() noexcept { heap_deform_tuple(tuple, desc, values.data(), nulls.get()); });
        const uint64_t hash = row_hash(desc);
        if (known != nullptr) {
            std::string key = key_of();
            const LedgerEntry *e = key.empty() ? nullptr : known->find(key);
            if (e != nullptr && e->hash == hash) {
                out.unchanged.push_back({std::move(key), rownum});
                return;
            }
        }
        auto &a = out.rows.GetAllocator();
        size_t count = 0;
        const JsonValue *key = nullptr;
        std::string problem, column;
        for (size_t c = 0; c < cols.size(); ++c) {
            if (nulls[c]) continue;
            JsonValue &v = members[count].value;
            v.SetNull();
            std::string err = cols[c].convert(values[c], v, a);
            if (!err.empty() && problem.empty()) {
                problem = err;
                column = cols[c].name;
            }
            members[count].name.SetString(
                rapidjson::StringRef(names[c].GetString(), names[c].GetStringLength()));
            if (int(c) == key_index) key = &v;
            ++count;
        }
        if (!problem.empty()) {
            out.rejected.push_back(
                {rownum, key && column != cols[size_t(key_index)].name ? key_string(*key) : "",
                 column, "column \"" + column + "\": " + problem});
            return;
        }
        JsonValue row;
        set_object_exact(row, members.data(), count, a);
        out.rows.PushBack(row, a);
        out.row_numbers.push_back(rownum);
        out.row_hashes.push_back(hash);
    }
};

// Seed of the row hashes: another column list or type makes every row
// "changed". v2: keyed (SipHash-2-4); every v1 entry is simply "changed".
uint64_t hash_seed(TupleDesc desc, const SipKey &key) {
    std::string sig = "rowhash-v2|";
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        sig += std::string(NameStr(att->attname)) + ":" + std::to_string(att->atttypid) + ",";
    }
    return hash_bytes(key, sig.data(), sig.size());
}

// Resolves and runs the source under impayes_sync.source_search_path,
// never the caller's (where pg_temp comes first). Returns the GUC nest
// level to pop; the subtransaction's rollback pops it on an error.
int pin_source_search_path(const Settings &s) {
    const PinnedSearchPath path = pinned_search_path(s.source_search_path);
    if (!path.ok)
        throw SyncError("impayes_sync.source_search_path " + path.problem)
            .with("setting", "impayes_sync.source_search_path");
    int nest = 0;
    const char *value = path.value.c_str();
    pg::run([&]() noexcept {
        nest = NewGUCNestLevel();
        set_config_option("search_path", value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
                          0, false);
    });
    return nest;
}

// Everything that runs inside the subtransaction: the cursor is fetched
// s.fetch_size rows at a time and each chunk handed to on_chunk (which
// diffs and pushes it) before the next fetch, so that only one chunk is
// ever held. The query timer counts the time spent fetching only.
void read_rows(const Settings &s, QueryTimer &timer, const LedgerEntries *known,
               const JsonValue &parse_fields, const SourceReader::ChunkSink &on_chunk) {
    SpiConnection spi;
    const SipKey hash_key = install_secret();
    const int path_nest = pin_source_search_path(s);
    std::string sql = source_is_query(s.source) ? s.source : relation_query(s.source);
    using Clock = std::chrono::steady_clock;
    long budget_ms = s.query_timeout_ms;  // what is left of query_timeout
    Clock::time_point started = Clock::now();
    auto resume = [&] {
        started = Clock::now();
        // arm(0) arms nothing but forgets an earlier run's timer state.
        timer.arm(s.query_timeout_ms > 0 ? int(std::max(1L, budget_ms)) : 0);
    };
    auto pause = [&] {
        timer.disarm();
        budget_ms -= long(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
        // The timer fired as the fetch ended: the query took its whole time.
        if (s.query_timeout_ms > 0 && (budget_ms <= 0 || timer.fired()) &&
            timer.cancel_is_only_ours()) {
            QueryCancelPending = false;
            throw SyncError(timeout_message(s.query_timeout_ms))
                .with("phase", "running the source query")
                .with("setting", "impayes_sync.query_timeout")
                .with("query_timeout_ms", long(s.query_timeout_ms));
        }
    };
    resume();
    SPIPlanPtr plan = nullptr;
    bool cursor_plan = false;
    pg::run([&]() noexcept {
        plan = SPI_prepare(sql.c_str(), 0, nullptr);
        if (plan == nullptr) elog(ERROR, "%s", SPI_result_code_string(SPI_result));
        cursor_plan = SPI_is_cursor_plan(plan);
    });
    if (!cursor_plan)
        throw bad_source("must be a relation name or a single SELECT/WITH query returning rows");
    if (modifies_data(plan))
        throw bad_source("must only read data: data-modifying statements are refused");
    Portal portal = nullptr;
    pg::run([&]() noexcept { portal = SPI_cursor_open(nullptr, plan, nullptr, nullptr, true); });

    std::vector<ColumnConverter> cols;
    int key_index = -1;
    TupleDesc desc = portal->tupDesc;
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        cols.push_back(ColumnConverter::for_type(NameStr(att->attname), att->atttypid));
        if (cols.back().name == s.key_column) key_index = i;
    }
    std::vector<bool> json_fixed(cols.size(), false);

    // Column names live as long as the read: every chunk's rows refer to them.
    rapidjson::MemoryPoolAllocator<> name_pool;
    const std::vector<JsonValue> names = interned_names(cols, name_pool);
    RowReader reader(cols, names, key_index, known, hash_key, hash_seed(desc, hash_key));
    MemoryContext batch_ctx = nullptr, old = nullptr;
    pg::run([&]() noexcept {
        batch_ctx = AllocSetContextCreate(CurrentMemoryContext, "impayes_sync rows",
                                          ALLOCSET_DEFAULT_SIZES);
    });
    const long fetch = std::max(1, s.fetch_size);
    for (bool first = true;; first = false) {
        uint64 n = 0;
        SPITupleTable *tt = nullptr;
        pg::run([&]() noexcept {
            SPI_cursor_fetch(portal, true, fetch);
            n = SPI_processed;
            tt = SPI_tuptable;
            old = MemoryContextSwitchTo(batch_ctx);
        });
        SourceData chunk;
        try {
            for (uint64 r = 0; r < n; ++r) {
                // A large chunk takes seconds to convert: a cancel must not wait.
                if ((r & 1023) == 1023) pg::run([]() noexcept { CHECK_FOR_INTERRUPTS(); });
                reader.add(tt->vals[r], tt->tupdesc, chunk);
            }
            reader.scratch.Clear();
        } catch (...) {
            MemoryContextSwitchTo(old);
            throw;
        }
        pg::run([&]() noexcept {
            MemoryContextSwitchTo(old);
            MemoryContextReset(batch_ctx);
            SPI_freetuptable(tt);
        });
        if (n == 0 && !first) break;
        chunk.total = reader.total;
        settle_json_columns(cols, json_fixed, parse_fields, chunk, s.key_column);
        for (const auto &c : cols)
            chunk.columns.push_back({c.name, c.sql_type, c.parse_type, c.type_unsettled});
        pause();
        on_chunk(chunk);
        if (n == 0) break;
        resume();
    }
    timer.disarm();
    pg::run([&]() noexcept {
        SPI_cursor_close(portal);
        AtEOXact_GUC(true, path_nest);
    });
}

}  // namespace

bool source_is_query(const std::string &source) {
    size_t i = source.find_first_not_of(" \t\r\n(");
    if (i == std::string::npos) return false;
    size_t j = i;
    while (j < source.size() && std::isalpha(static_cast<unsigned char>(source[j]))) ++j;
    std::string word = source.substr(i, j - i);
    for (auto &ch : word) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (word == "select" || word == "with" || word == "values" || word == "table") return true;
    // Anything else with spaces or a semicolon is a statement, not a name.
    if (source.find_first_of(" \t\r\n;()") != std::string::npos)
        throw bad_source("must be a relation name or a single SELECT/WITH query (got \"" + word +
                         " ...\")");
    return false;
}

void PgSourceReader::read(const Settings &s, const LedgerEntries *known,
                          const JsonValue &parse_fields, const ChunkSink &on_chunk) {
    QueryTimer timer;
    try {
        in_subtransaction([&] { read_rows(s, timer, known, parse_fields, on_chunk); },
                          [&] { timer.disarm(); });
    } catch (const PgError &e) {
        if (e.sqlerrcode == ERRCODE_QUERY_CANCELED && timer.raised_error(e.message))
            throw SyncError(timeout_message(s.query_timeout_ms))
                .with("phase", "running the source query")
                .with("setting", "impayes_sync.query_timeout")
                .with("query_timeout_ms", long(s.query_timeout_ms))
                .with("sqlstate", e.sqlstate);
        if (is_interrupt(e)) throw;
        throw source_failure(e);
    }
    // A timer that fired just as the query ended must not cancel the rest;
    // a cancel from anyone else must.
    if (timer.cancel_is_only_ours()) QueryCancelPending = false;
}

}  // namespace impayes::pg
