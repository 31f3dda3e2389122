#include "pg/watch_tables.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/errors.hpp"
#include "pg/pg_call.hpp"
#include "pg/spi.hpp"
#include "pg/source_reader.hpp"
#include "pg/subtransaction.hpp"
#include "pg/watch_shmem.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/catalog.h"
#include "catalog/pg_inherits.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "tcop/tcopprot.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(impayes_sync_watch_notify);
PGDLLEXPORT Datum impayes_sync_watch_notify(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(impayes_sync_watch_drop_extension);
PGDLLEXPORT Datum impayes_sync_watch_drop_extension(PG_FUNCTION_ARGS);
}

namespace pg = impayes::pg;

namespace {

const char *const kTriggerName = "impayes_sync_watch";

// Every watch trigger of the database: those calling
// impayes_sync.watch_notify(). Qualified names only.
const char *const kListTriggers =
    "SELECT t.tgrelid, n.nspname, c.relname FROM pg_catalog.pg_trigger t "
    "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
    "JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) t.tgfoid "
    "JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.pronamespace "
    "WHERE pn.nspname OPERATOR(pg_catalog.=) 'impayes_sync' "
    "AND p.proname OPERATOR(pg_catalog.=) 'watch_notify' ORDER BY 1";

// The commit of a transaction that fired a watch trigger is counted once,
// after it is visible to other sessions (XACT_EVENT_COMMIT comes after
// ProcArrayEndTransaction); a rollback counts nothing.
bool callback_registered = false;
bool commit_pending = false;

void at_xact_end(XactEvent event, void *) {
    switch (event) {
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_PREPARE:  // visible at COMMIT PREPARED: the safety net covers it
            if (commit_pending) impayes::pg::watch_count_commit();
            commit_pending = false;
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
            commit_pending = false;
            break;
        default:
            break;
    }
}

void count_at_commit() {
    if (!callback_registered) {
        RegisterXactCallback(at_xact_end, nullptr);
        callback_registered = true;
    }
    commit_pending = true;
}

// The watch triggers: (relation oid, qualified name). Inside an SPI
// connection; throws PgError.
std::vector<std::pair<Oid, std::string>> list_triggers() {
    std::vector<std::pair<Oid, std::string>> out;
    pg::run([]() noexcept {
        if (SPI_execute(kListTriggers, true, 0) != SPI_OK_SELECT)
            elog(ERROR, "impayes_sync: could not list the watch triggers");
    });
    SPITupleTable *tt = SPI_tuptable;
    for (uint64 i = 0; i < SPI_processed; ++i) {
        bool isnull = false;
        Datum d = 0;
        const char *name = nullptr;
        pg::run([&]() noexcept {
            d = SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull);
            name = quote_qualified_identifier(SPI_getvalue(tt->vals[i], tt->tupdesc, 2),
                                              SPI_getvalue(tt->vals[i], tt->tupdesc, 3));
        });
        out.emplace_back(DatumGetObjectId(d), name);
    }
    return out;
}

void execute_ddl(const std::string &sql) {
    pg::run([&]() noexcept {
        if (SPI_execute(sql.c_str(), false, 0) != SPI_OK_UTILITY)
            elog(ERROR, "impayes_sync: could not run: %s", sql.c_str());
    });
}

std::string drop_sql(const std::string &qualified) {
    const char *name = nullptr;
    pg::run([&]() noexcept { name = quote_identifier(kTriggerName); });
    return std::string("DROP TRIGGER ") + name + " ON " + qualified;
}

// Drops every watch trigger; throws PgError.
int drop_all_triggers() {
    pg::SpiConnection spi;
    const auto triggers = list_triggers();
    for (const auto &t : triggers) execute_ddl(drop_sql(t.second));
    return int(triggers.size());
}

// For the event trigger's C flow, which no exception may reach.
int try_drop_all_triggers(int &sqlerrcode, char *error, size_t size) noexcept {
    try {
        return drop_all_triggers();
    } catch (const pg::PgError &e) {
        sqlerrcode = e.sqlerrcode;
        strlcpy(error, e.message.c_str(), size);
    } catch (...) {
        sqlerrcode = ERRCODE_INTERNAL_ERROR;
        strlcpy(error, "unexpected error", size);
    }
    return -1;
}

bool collect_relations(Node *node, void *context);

bool (*walker_fn())() {
    // nodeFuncs.h declares walkers as bool (*)(): cast through the
    // function type that matches every other.
    return reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(collect_relations));
}

bool collect_relations(Node *node, void *context) {
    if (node == nullptr) return false;
    auto **oids = static_cast<List **>(context);
    if (IsA(node, Query))
        return query_tree_walker(reinterpret_cast<Query *>(node), walker_fn(), context,
                                 QTW_EXAMINE_RTES_BEFORE);
    if (IsA(node, RangeTblEntry)) {
        auto *rte = reinterpret_cast<RangeTblEntry *>(node);
        if (rte->rtekind == RTE_RELATION) *oids = list_append_unique_oid(*oids, rte->relid);
        return false;
    }
    return expression_tree_walker(node, walker_fn(), context);
}

// Plain C flow: the relations a query reads after view expansion.
List *relations_read_by(const char *sql) {
    List *raw = raw_parser(sql, RAW_PARSE_DEFAULT);
    if (list_length(raw) != 1)
        ereport(ERROR, (errmsg("impayes_sync.source must be a single query")));
    RawStmt *stmt = linitial_node(RawStmt, raw);
    List *queries = pg_analyze_and_rewrite_fixedparams(stmt, sql, nullptr, 0, nullptr);
    List *oids = NIL;
    ListCell *lc;
    foreach (lc, queries) collect_relations(static_cast<Node *>(lfirst(lc)), &oids);
    return oids;
}

bool own_schema(Oid nsp) {
    return IsCatalogNamespace(nsp) || IsToastNamespace(nsp) || isAnyTempNamespace(nsp) ||
           nsp == get_namespace_oid("impayes_sync", true) ||
           nsp == get_namespace_oid("information_schema", true);
}

}  // namespace

// A statement trigger (AFTER INSERT, UPDATE, DELETE, TRUNCATE FOR EACH
// STATEMENT): no SQL, no privilege needed, nothing the writer can see.
Datum impayes_sync_watch_notify(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("impayes_sync.watch_notify() must be called as a trigger")));
    count_at_commit();
    return PointerGetDatum(nullptr);
}

// ddl_command_start of DROP EXTENSION: the watch triggers depend on the
// extension's function, so they go first (the drop would fail otherwise);
// the commit wakes the worker, which then finds no extension and stops.
Datum impayes_sync_watch_drop_extension(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("impayes_sync.watch_drop_extension() must be an event trigger")));
    auto *data = reinterpret_cast<EventTriggerData *>(fcinfo->context);
    if (data->parsetree == nullptr || !IsA(data->parsetree, DropStmt)) PG_RETURN_VOID();
    auto *drop = reinterpret_cast<DropStmt *>(data->parsetree);
    if (drop->removeType != OBJECT_EXTENSION) PG_RETURN_VOID();
    bool ours = false;
    ListCell *lc;
    foreach (lc, drop->objects)
        if (strcmp(strVal(lfirst(lc)), "impayes_sync") == 0) ours = true;
    if (!ours) PG_RETURN_VOID();
    int sqlerrcode = 0;
    char error[512];
    const int n = try_drop_all_triggers(sqlerrcode, error, sizeof error);
    if (n < 0)
        ereport(ERROR, (errcode(sqlerrcode),
                        errmsg("impayes_sync: could not drop the watch triggers: %s", error)));
    if (n > 0)
        ereport(LOG, (errmsg("impayes_sync: dropped %d watch trigger(s) with the extension", n)));
    count_at_commit();
    PG_RETURN_VOID();
}

namespace impayes::pg {

WatchedTables source_tables(const Settings &s) {
    const PinnedSearchPath path = pinned_search_path(s.source_search_path);
    if (!path.ok)
        throw SyncError("impayes_sync.source_search_path " + path.problem)
            .with("setting", "impayes_sync.source_search_path");
    const std::string sql = source_is_query(s.source) ? s.source : "SELECT * FROM " + s.source;
    List *oids = NIL;
    in_subtransaction([&] {
        pg::run([&]() noexcept {
            const int nest = NewGUCNestLevel();
            set_config_option("search_path", path.value.c_str(), PGC_USERSET, PGC_S_SESSION,
                              GUC_ACTION_SAVE, true, 0, false);
            oids = relations_read_by(sql.c_str());
            AtEOXact_GUC(true, nest);
        });
    });
    WatchedTables out;
    List *tables = NIL, *unseen = NIL;
    pg::run([&]() noexcept {
        ListCell *lc;
        foreach (lc, oids) {
            const Oid relid = lfirst_oid(lc);
            const char kind = get_rel_relkind(relid);
            if (kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE)
                // With its partitions and children: a statement on one of
                // them fires its own triggers, not the parent's.
                tables = list_concat_unique_oid(
                    tables, find_all_inheritors(relid, AccessShareLock, nullptr));
            else if (kind == RELKIND_MATVIEW || kind == RELKIND_FOREIGN_TABLE)
                unseen = lappend_oid(unseen, relid);
        }
    });
    ListCell *lc;
    foreach (lc, tables) {
        const Oid relid = lfirst_oid(lc);
        bool skip = false;
        pg::run([&]() noexcept { skip = own_schema(get_rel_namespace(relid)); });
        if (!skip) out.tables.push_back(relid);
    }
    foreach (lc, unseen) {
        const Oid relid = lfirst_oid(lc);
        const char *name = nullptr;
        pg::run([&]() noexcept {
            name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
                                              get_rel_name(relid));
        });
        out.unseen.push_back(name);
    }
    std::sort(out.tables.begin(), out.tables.end());
    return out;
}

int sync_watch_triggers(const std::vector<Oid> &want) {
    int changed = 0;
    in_subtransaction([&] {
        as_extension_owner([&] {
            pg::run([]() noexcept {
                // A writer holding its table does not hold the worker long.
                set_config_option("lock_timeout", "2s", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                                  true, 0, false);
            });
            SpiConnection spi;
            const auto have = list_triggers();
            for (const auto &t : have) {
                if (std::binary_search(want.begin(), want.end(), t.first)) continue;
                execute_ddl(drop_sql(t.second));
                ++changed;
            }
            for (Oid relid : want) {
                if (std::any_of(have.begin(), have.end(),
                                [&](const auto &t) { return t.first == relid; }))
                    continue;
                const char *name = nullptr, *trigger = nullptr;
                pg::run([&]() noexcept {
                    trigger = quote_identifier(kTriggerName);
                    name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
                                                      get_rel_name(relid));
                });
                execute_ddl(std::string("CREATE TRIGGER ") + trigger +
                            " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + name +
                            " FOR EACH STATEMENT EXECUTE FUNCTION impayes_sync.watch_notify()");
                ++changed;
            }
        });
    });
    return changed;
}

int remove_watch_triggers() {
    int n = 0;
    in_subtransaction([&] { as_extension_owner([&] { n = drop_all_triggers(); }); });
    return n;
}

}  // namespace impayes::pg
