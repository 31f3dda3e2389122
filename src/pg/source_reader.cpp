#include "pg/source_reader.hpp"

#include <cctype>
#include <unordered_map>
#include <vector>

#include "core/errors.hpp"
#include "pg/column_converter.hpp"
#include "pg/pg_call.hpp"
#include "pg/query_timer.hpp"
#include "pg/subtransaction.hpp"

namespace impayes::pg {

namespace {

const long kFetchRows = 2000;

// Errors a caller raised on purpose (cancel, statement_timeout, shutdown)
// are not sync failures: they go back to PostgreSQL as they came.
bool must_propagate(const PgError &e) {
    return e.sqlerrcode == ERRCODE_QUERY_CANCELED || ERRCODE_TO_CATEGORY(e.sqlerrcode) ==
                                                          ERRCODE_TO_CATEGORY(ERRCODE_ADMIN_SHUTDOWN);
}

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
    pg::run([&] {
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
// Objects otherwise; values of the other kind reject their row.
void settle_json_columns(std::vector<ColumnConverter> &cols, SourceData &out,
                         const std::string &key_column) {
    for (auto &c : cols) {
        if (c.kind != ValueKind::Json) continue;
        bool any_object = false, any_array = false;
        for (const auto &row : out.rows.GetArray())
            if (const JsonValue *v = find_member(row, c.name.c_str()))
                (v->IsArray() ? any_array : any_object) = true;
        c.parse_type = any_array && !any_object ? ParseType::Array : ParseType::Object;
        if (!any_array || !any_object) continue;
        JsonValue kept(rapidjson::kArrayType);
        std::vector<long> numbers;
        auto &a = out.rows.GetAllocator();
        for (rapidjson::SizeType i = 0; i < out.rows.Size(); ++i) {
            JsonValue &row = out.rows[i];
            const JsonValue *v = find_member(row, c.name.c_str());
            if (v != nullptr && v->IsArray()) {
                const JsonValue *k = find_member(row, key_column.c_str());
                out.rejected.push_back({out.row_numbers[i], k ? key_string(*k) : "", c.name,
                                        "JSON array in a column that also holds objects (Parse "
                                        "Object field); use one kind per column"});
                continue;
            }
            numbers.push_back(out.row_numbers[i]);
            kept.PushBack(row.Move(), a);
        }
        static_cast<JsonValue &>(out.rows).Swap(kept);
        out.row_numbers.swap(numbers);
    }
}

// A WITH ... DELETE/UPDATE/INSERT returns rows too: refuse it by its tree.
bool modifies_data(SPIPlanPtr plan) {
    bool modifies = false;
    pg::run([&] {
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

void convert_batch(SPITupleTable *tt, uint64 n, const std::vector<ColumnConverter> &cols,
                   int key_index, SourceData &out) {
    auto &a = out.rows.GetAllocator();
    for (uint64 r = 0; r < n; ++r) {
        HeapTuple tuple = tt->vals[r];
        const long rownum = ++out.total;
        JsonValue row(rapidjson::kObjectType);
        std::string problem, column;
        for (size_t c = 0; c < cols.size(); ++c) {
            bool isnull = false;
            Datum d = heap_getattr(tuple, int(c + 1), tt->tupdesc, &isnull);
            if (isnull) continue;
            JsonValue v;
            std::string err = cols[c].convert(d, v, a);
            if (!err.empty() && problem.empty()) {
                problem = err;
                column = cols[c].name;
            }
            row.AddMember(JsonValue(cols[c].name.c_str(), a), v, a);
        }
        if (!problem.empty()) {
            const JsonValue *k =
                key_index >= 0 ? find_member(row, cols[size_t(key_index)].name.c_str()) : nullptr;
            out.rejected.push_back({rownum, k && column != cols[size_t(key_index)].name ? key_string(*k) : "",
                                    column, "column \"" + column + "\": " + problem});
            continue;
        }
        out.rows.PushBack(row, a);
        out.row_numbers.push_back(rownum);
    }
}

// Everything that runs inside the subtransaction.
void read_rows(const Settings &s, QueryTimer &timer, SourceData &out) {
    pg::run([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    std::string sql = source_is_query(s.source) ? s.source : relation_query(s.source);
    timer.arm(s.query_timeout_ms);
    SPIPlanPtr plan = nullptr;
    bool cursor_plan = false;
    pg::run([&] {
        plan = SPI_prepare(sql.c_str(), 0, nullptr);
        if (plan == nullptr) elog(ERROR, "%s", SPI_result_code_string(SPI_result));
        cursor_plan = SPI_is_cursor_plan(plan);
    });
    if (!cursor_plan)
        throw bad_source("must be a relation name or a single SELECT/WITH query returning rows");
    if (modifies_data(plan))
        throw bad_source("must only read data: data-modifying statements are refused");
    Portal portal = nullptr;
    pg::run([&] { portal = SPI_cursor_open(nullptr, plan, nullptr, nullptr, true); });

    std::vector<ColumnConverter> cols;
    int key_index = -1;
    TupleDesc desc = portal->tupDesc;
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        cols.push_back(ColumnConverter::for_type(NameStr(att->attname), att->atttypid));
        if (cols.back().name == s.key_column) key_index = i;
    }

    MemoryContext batch_ctx = nullptr, old = nullptr;
    pg::run([&] {
        batch_ctx = AllocSetContextCreate(CurrentMemoryContext, "impayes_sync rows",
                                          ALLOCSET_DEFAULT_SIZES);
    });
    for (;;) {
        uint64 n = 0;
        SPITupleTable *tt = nullptr;
        pg::run([&] {
            SPI_cursor_fetch(portal, true, kFetchRows);
            n = SPI_processed;
            tt = SPI_tuptable;
            old = MemoryContextSwitchTo(batch_ctx);
        });
        try {
            convert_batch(tt, n, cols, key_index, out);
        } catch (...) {
            MemoryContextSwitchTo(old);
            throw;
        }
        pg::run([&] {
            MemoryContextSwitchTo(old);
            MemoryContextReset(batch_ctx);
            SPI_freetuptable(tt);
        });
        if (n == 0) break;
    }
    timer.disarm();
    pg::run([&] {
        SPI_cursor_close(portal);
        SPI_finish();
    });
    settle_json_columns(cols, out, s.key_column);
    for (const auto &c : cols) out.columns.push_back({c.name, c.sql_type, c.parse_type});
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
        throw bad_source("must be a relation name or a single SELECT/WITH query (got \"" +
                         word + " ...\")");
    return false;
}

void PgSourceReader::read(const Settings &s, SourceData &out) {
    QueryTimer timer;
    try {
        in_subtransaction([&] { read_rows(s, timer, out); }, [&] { timer.disarm(); });
    } catch (const PgError &e) {
        if (e.sqlerrcode == ERRCODE_QUERY_CANCELED && timer.fired())
            throw SyncError(timeout_message(s.query_timeout_ms))
                .with("phase", "running the source query")
                .with("setting", "impayes_sync.query_timeout")
                .with("query_timeout_ms", long(s.query_timeout_ms))
                .with("sqlstate", e.sqlstate);
        if (must_propagate(e)) throw;
        throw source_failure(e);
    }
    // A timer that fired just as the query ended must not cancel the rest.
    if (timer.fired()) QueryCancelPending = false;
}

}  // namespace impayes::pg
