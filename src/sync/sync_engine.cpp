#include "sync/sync_engine.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include "core/diff.hpp"
#include "core/errors.hpp"
#include "parse/batch_writer.hpp"
#include "parse/parse_client.hpp"
#include "sync/incremental.hpp"
#include "sync/schema_plan.hpp"

namespace impayes {

namespace {

const size_t kListedProblems = 20;  // items listed in details per kind
const size_t kPreviewItems = 10;

void add_string(JsonValue &obj, const char *k, const std::string &v, JsonAlloc &a) {
    obj.AddMember(JsonValue(k, a), JsonValue(v.c_str(), rapidjson::SizeType(v.size()), a), a);
}

std::string key_text(const SourceData &src, const Op &op, const std::string &key_column) {
    if (op.kind == Op::Delete) return op.key;
    const JsonValue *k = find_member(src.rows[rapidjson::SizeType(op.row)], key_column.c_str());
    return k ? key_string(*k) : "";
}

void list_rejected(const std::vector<RowProblem> &rows, JsonDoc &details) {
    auto &a = details.GetAllocator();
    JsonValue list(rapidjson::kArrayType);
    for (size_t i = 0; i < rows.size() && i < kListedProblems; ++i) {
        JsonValue r(rapidjson::kObjectType);
        r.AddMember("row", int64_t(rows[i].row), a);
        if (!rows[i].key.empty()) add_string(r, "key", rows[i].key, a);
        if (!rows[i].column.empty()) add_string(r, "column", rows[i].column, a);
        add_string(r, "error", rows[i].message, a);
        list.PushBack(r, a);
    }
    details.AddMember("rejected_rows", list, a);
}

// Fails the run when the columns cannot be stored in Parse as they are.
void check_columns(const Settings &s, const SourceData &src) {
    std::vector<std::string> bad = column_name_problems(src.columns);
    if (!bad.empty()) {
        std::string line = "source column names that Parse refuses: " + bad[0];
        for (size_t i = 1; i < bad.size(); ++i) line += "; " + bad[i];
        SyncError e(line);
        e.with("phase", "checking source columns");
        auto &a = e.details().GetAllocator();
        JsonValue list(rapidjson::kArrayType);
        for (const auto &b : bad) list.PushBack(JsonValue(b.c_str(), a), a);
        e.details().AddMember("columns", list, a);
        throw e;
    }
    for (const auto &c : src.columns)
        if (c.name == s.key_column) return;
    throw SyncError("key column \"" + s.key_column +
                    "\" (impayes_sync.key_column) is not a column of the source")
        .with("setting", "impayes_sync.key_column");
}

void throw_conflicts(const SchemaPlan &plan) {
    if (plan.conflicts.empty()) return;
    std::string line = plan.conflicts[0];
    for (size_t i = 1; i < plan.conflicts.size(); ++i) line += "; " + plan.conflicts[i];
    throw SyncError(line).with("phase", "checking the Parse schema");
}

// A retry found the class creation or the new fields already applied (the
// first answer was lost): re-read the schema, check the field types and add
// what is still missing.
void recheck_schema(const Settings &s, ParseClient &parse, const SourceData &src) {
    for (int pass = 0; pass < 2; ++pass) {
        JsonDoc fields;
        fields.SetObject();
        if (!parse.fetch_schema(fields))
            throw SyncError("Parse Server answered that class " + s.class_name +
                            " already holds the change, but GET /schemas does not find the class")
                .with("phase", "checking the Parse schema");
        SchemaPlan plan = plan_schema(src.columns, fields, s.class_name);
        throw_conflicts(plan);
        if (plan.missing.empty() || parse.add_fields(plan.missing) == SchemaChange::Applied) return;
    }
    throw SyncError("fields of Parse class " + s.class_name +
                    " are still missing after adding them twice")
        .with("phase", "checking the Parse schema");
}

void ensure_schema(const Settings &s, ParseClient &parse, const SourceData &src, bool exists,
                   const JsonDoc &fields, Logger &log) {
    JsonValue none(rapidjson::kObjectType);
    SchemaPlan plan = plan_schema(
        src.columns, exists ? static_cast<const JsonValue &>(fields) : none, s.class_name);
    throw_conflicts(plan);
    if (s.dry_run) return;
    if (!exists) {
        if (parse.create_class(plan.missing) == SchemaChange::FoundApplied)
            recheck_schema(s, parse, src);
    } else if (!plan.missing.empty()) {
        if (parse.add_fields(plan.missing) == SchemaChange::FoundApplied)
            return recheck_schema(s, parse, src);  // no "added": the retry found them there
        log.info("added " + std::to_string(plan.missing.size()) + " fields to Parse class " +
                 s.class_name);
    }
}

void fill_preview(const std::vector<Op> &ops, const SourceData &src, const std::string &key_column,
                  JsonDoc &preview) {
    preview.SetObject();
    auto &a = preview.GetAllocator();
    JsonValue ins(rapidjson::kArrayType), upd(rapidjson::kArrayType), del(rapidjson::kArrayType);
    for (const Op &op : ops) {
        if (op.kind == Op::Insert && ins.Size() < kPreviewItems) {
            std::string k = key_text(src, op, key_column);
            ins.PushBack(JsonValue(k.c_str(), a), a);
        } else if (op.kind == Op::Delete && del.Size() < kPreviewItems) {
            del.PushBack(JsonValue(op.key.c_str(), a), a);
        } else if (op.kind == Op::Update && upd.Size() < kPreviewItems) {
            JsonValue u(rapidjson::kObjectType);
            add_string(u, "key", key_text(src, op, key_column), a);
            JsonValue fields(rapidjson::kArrayType);
            for (const auto &f : op.changed) fields.PushBack(JsonValue(f.c_str(), a), a);
            for (const auto &f : op.removed) fields.PushBack(JsonValue(f.c_str(), a), a);
            u.AddMember("fields", fields, a);
            upd.PushBack(u, a);
        }
    }
    preview.AddMember("insert", ins, a);
    preview.AddMember("update", upd, a);
    preview.AddMember("delete", del, a);
}

void count_op(const Op &op, SyncResult &r) {
    (op.kind == Op::Insert ? r.inserted : op.kind == Op::Update ? r.updated : r.deleted)++;
}

void count_outcomes(const std::vector<Op> &ops, const std::vector<ItemOutcome> &outcomes,
                    const SourceData &src, const std::string &key_column, SyncResult &r,
                    std::vector<RowProblem> &too_large) {
    auto &a = r.details.GetAllocator();
    JsonValue failed(rapidjson::kArrayType);
    for (size_t i = 0; i < ops.size(); ++i) {
        const ItemOutcome &o = outcomes[i];
        if (o.state == ItemOutcome::Done) {
            count_op(ops[i], r);
            continue;
        }
        std::string key = key_text(src, ops[i], key_column);
        if (o.state == ItemOutcome::TooLarge && o.http_status == 0) {
            too_large.push_back({src.row_numbers[ops[i].row], key, "", o.error});
            continue;
        }
        r.failed++;
        if (failed.Size() >= kListedProblems) continue;
        JsonValue f(rapidjson::kObjectType);
        add_string(f, "key", key, a);
        add_string(f, "op",
                   ops[i].kind == Op::Insert   ? "insert"
                   : ops[i].kind == Op::Update ? "update"
                                               : "delete",
                   a);
        if (o.http_status) f.AddMember("http_status", int64_t(o.http_status), a);
        if (!o.code.empty()) add_string(f, "code", o.code, a);
        add_string(f, "error", o.error, a);
        failed.PushBack(f, a);
    }
    if (r.failed > 0) r.details.AddMember("failed_items", failed, a);
}

// json/jsonb columns whose type the values could not tell (all NULL, or
// all rows unchanged) keep the type the Parse field already has.
void settle_json_types(SourceData &src, const JsonValue &fields, bool exists) {
    if (!exists) return;
    for (auto &c : src.columns) {
        if (!c.type_unsettled) continue;
        const JsonValue *f = find_member(fields, c.name.c_str());
        const JsonValue *t = f ? find_member(*f, "type") : nullptr;
        if (t && t->IsString() && std::string(t->GetString()) == "Array") c.type = ParseType::Array;
    }
}

// A full read met keys held by several objects: reads them again by key
// (with createdAt) and keeps one per key; returns the log lines.
std::vector<std::string> settle_full_duplicates(const Settings &s, ParseClient &parse,
                                                LedgerStore *ledger,
                                                const std::vector<std::string> &names,
                                                const SourceData &src, DiffResult &diff) {
    JsonDoc values;
    values.SetArray();
    std::vector<std::string> texts = diff.duplicated_values;
    std::sort(texts.begin(), texts.end());
    texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
    for (const auto &t : texts) {
        JsonDoc v;
        if (!parse_json(v, t.data(), t.size()).empty()) continue;
        values.PushBack(JsonValue(v, values.GetAllocator()), values.GetAllocator());
    }
    std::vector<const JsonValue *> keys;
    for (const auto &v : values.GetArray()) keys.push_back(&v);
    JsonDoc objects;
    parse.find_by_keys(s.key_column, keys, objects, names);
    LedgerState saved;  // which object the ledger knows for each key
    if (ledger) ledger->load(s.class_name, saved);
    return settle_duplicates(src, s.key_column, objects, saved.entries,
                             s.on_missing == OnMissing::Delete, diff);
}

std::string full_reason(const Settings &s, LedgerStore *ledger, bool exists) {
    if (ledger == nullptr) return "no ledger";
    if (s.full) return "full => true";
    if (s.mode == SyncMode::Full) return "impayes_sync.mode is full";
    if (!exists) return "the class does not exist yet";
    return "";
}

}  // namespace

ProgressSink &no_progress() {
    static NoProgress none;
    return none;
}

SyncResult run_sync(const Settings &s, SourceReader &source, HttpClient &http, Logger &log,
                    LedgerStore *ledger, ProgressSink &progress) {
    const auto t0 = std::chrono::steady_clock::now();
    RunProgress prog;  // what the run reports of itself
    prog.dry_run = s.dry_run;
    auto enter = [&](RunPhase phase) {
        prog.phase = phase;
        progress.update(prog);
    };
    // Time spent in each phase, for the DEBUG1 line at the end.
    std::string phases;
    auto lap_start = t0;
    auto lap = [&](const char *phase) {
        const auto now = std::chrono::steady_clock::now();
        phases +=
            std::string(phases.empty() ? "" : ", ") + phase + " " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::milliseconds>(now - lap_start).count()) +
            " ms";
        lap_start = now;
    };
    SyncResult r;
    r.dry_run = s.dry_run;
    auto finish = [&]() -> SyncResult {
        r.duration_ms = long(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - t0)
                                 .count());
        return std::move(r);
    };
    try {
        if (auto p = validate_settings(s))
            throw SyncError(p->setting + ": " + p->message).with("setting", p->setting);
        log.info("impayes_sync: syncing " + s.source.substr(0, 200) + " into Parse class " +
                 s.class_name + " at " + base_url(s.parse_url) + (s.dry_run ? " (dry run)" : ""));

        enter(RunPhase::ReadingSchema);
        ParseClient parse(s, http, log);
        JsonDoc fields;
        fields.SetObject();
        const bool exists = parse.fetch_schema(fields);
        lap("schema read");

        // Incremental when the ledger can be trusted, else a full
        // reconciliation. What other clients changed in Parse is merged into
        // the ledger before the source is read: the reader then converts
        // only rows whose values differ from what Parse confirmed.
        enter(RunPhase::ChoosingMode);
        LedgerState state;
        std::vector<std::string> drifted;
        std::string why_full = full_reason(s, ledger, exists);
        if (why_full.empty()) {
            ledger->load(s.class_name, state);
            lap("ledger load");
            if (!state.found)
                why_full = state.stale_reason.empty() ? "no ledger yet" : state.stale_reason;
            else if (const std::string prefix = ledger_signature(s, {});
                     state.signature.compare(0, prefix.size(), prefix) != 0)
                why_full = "the URL or key column changed";
            else if (long(state.entries.size()) != state.key_count)
                why_full = "the ledger holds " + std::to_string(state.entries.size()) +
                           " keys where " + std::to_string(state.key_count) + " were saved";
            else
                why_full = refresh_ledger(parse, s.key_column, state, drifted);
            lap("drift check");
        }

        std::unique_ptr<SourceData> src;
        auto read_source = [&](const LedgerEntries *known, const char *phase) {
            enter(RunPhase::ReadingSource);
            src = std::make_unique<SourceData>();
            source.read(s, *src, known);
            lap(phase);
            r.total = src->total;
            prog.rows_read = src->total;
            progress.update(prog);
            settle_json_types(*src, fields, exists);
            check_columns(s, *src);
        };
        read_source(why_full.empty() ? &state.entries : nullptr, "source query");
        if (why_full.empty() && state.signature != ledger_signature(s, src->columns))
            why_full = "the source columns changed";
        // Rows left unconverted for an incremental run that cannot be: read
        // them all.
        if (!why_full.empty() && !src->unchanged.empty())
            read_source(nullptr, "source query again");
        enter(RunPhase::PreparingClass);
        ensure_schema(s, parse, *src, exists, fields, log);
        std::vector<std::string> names;
        for (const auto &c : src->columns) names.push_back(c.name);

        const bool incremental = why_full.empty();
        r.mode = incremental ? "incremental" : "full";
        prog.mode = incremental ? RunMode::Incremental : RunMode::Full;
        log.info(incremental
                     ? "impayes_sync: incremental: " + std::to_string(state.entries.size()) +
                           " keys in the ledger, " + std::to_string(drifted.size()) +
                           " changed in Parse by other clients"
                     : "impayes_sync: full reconciliation: " + why_full);
        const bool delete_missing = s.on_missing == OnMissing::Delete;
        std::vector<KnownObject> known;
        DiffResult diff;
        std::vector<std::string> duplicate_lines;
        if (incremental) {
            enter(RunPhase::Diffing);
            diff = diff_ledger(*src, s.key_column, state, delete_missing);
            refine_with_parse(parse, *src, s.key_column, names, diff, state, drifted,
                              duplicate_lines);
        } else {
            // Page by page: the class is never held whole.
            RowsDiff rows_diff(*src, s.key_column, delete_missing);
            enter(RunPhase::ReadingClass);
            if (exists)
                parse.read_all(names, [&](const JsonValue &page) {
                    for (auto &k : index_objects(page, s.key_column)) known.push_back(std::move(k));
                    rows_diff.add(page);
                    prog.objects_read += page.IsArray() ? long(page.Size()) : 0;
                    progress.update(prog);
                });
            enter(RunPhase::Diffing);
            diff = rows_diff.finish();
            if (!diff.duplicated.empty())
                duplicate_lines = settle_full_duplicates(s, parse, ledger, names, *src, diff);
        }
        for (size_t i = 0; i < duplicate_lines.size() && i < kListedProblems; ++i)
            log.info("impayes_sync: " + duplicate_lines[i]);
        if (duplicate_lines.size() > kListedProblems)
            log.info("impayes_sync: " + std::to_string(duplicate_lines.size()) +
                     " keys held by several objects in all");
        r.skipped = diff.skipped;
        prog.objects_to_write = long(diff.ops.size());
        progress.update(prog);
        lap(incremental ? "diff" : "Parse read and diff");

        std::vector<RowProblem> rejected = src->rejected;
        rejected.insert(rejected.end(), diff.rejected.begin(), diff.rejected.end());

        if (s.dry_run) {
            enter(RunPhase::Previewing);
            for (const Op &op : diff.ops) count_op(op, r);
            fill_preview(diff.ops, *src, s.key_column, r.preview);
        } else {
            std::vector<ItemOutcome> outcomes;
            if (!diff.ops.empty()) {
                enter(RunPhase::Pushing);
                BatchWriter writer(s, parse, http, log);
                writer.on_progress([&](long written, long failed) {
                    prog.objects_written = written;
                    prog.objects_failed = failed;
                    progress.update(prog);
                });
                outcomes = writer.push(diff.ops, *src);
                count_outcomes(diff.ops, outcomes, *src, s.key_column, r, rejected);
                lap("push");
            }
            // A class this run created gets its key index after the first
            // load, which is faster than maintaining it during the inserts.
            if (!exists) {
                try {
                    parse.add_key_index();
                } catch (const SyncError &e) {
                    log.info(std::string("impayes_sync: no index on the key: ") + e.what());
                }
            }
            if (ledger) {
                enter(RunPhase::SavingLedger);
                LedgerDelta delta = ledger_delta(!incremental, known, state, drifted, diff,
                                                 outcomes, *src, s.key_column);
                std::vector<KnownObject>().swap(known);  // the run's peak memory is here
                delta.signature = ledger_signature(s, src->columns);
                // Extra objects sharing a key are only seen by a full read:
                // keep reconciling fully while one could not be deleted.
                for (size_t i = 0; i < diff.ops.size(); ++i)
                    if (!diff.ops[i].keeper.empty() && outcomes[i].state != ItemOutcome::Done)
                        delta.object_count = -1;
                if (delta.object_count < 0)
                    log.info(
                        "impayes_sync: the next run is a full reconciliation (an outcome "
                        "is unknown or an extra object is left)");
                if (!incremental) {
                    // Against the ledger as saved: state may hold drift merged
                    // by an incremental attempt that fell back to full.
                    LedgerState saved;
                    ledger->load(s.class_name, saved);
                    narrow_rebuild(delta, saved);
                }
                ledger->save(s.class_name, delta);
                lap("ledger save");
            }
        }
        enter(RunPhase::Summarising);
        r.rejected = long(rejected.size());
        if (!rejected.empty()) list_rejected(rejected, r.details);
        if (!diff.duplicated.empty()) {
            auto &a = r.details.GetAllocator();
            JsonValue dups(rapidjson::kArrayType);
            for (size_t i = 0; i < diff.duplicated.size() && i < kListedProblems; ++i)
                dups.PushBack(JsonValue(diff.duplicated[i].c_str(), a), a);
            r.details.AddMember("duplicate_keys_in_parse", dups, a);
        }
        r.success = r.failed == 0 && r.rejected == 0;
        if (!r.success) {
            auto count = [](long n, const char *one, const char *many) {
                return std::to_string(n) + " " + (n == 1 ? one : many);
            };
            std::string parts;
            if (r.rejected)
                parts = count(r.rejected, "source row rejected", "source rows rejected");
            if (r.failed)
                parts +=
                    (parts.empty() ? "" : ", ") +
                    count(r.failed, "object not written to Parse", "objects not written to Parse");
            r.error = parts + " (see details)";
        }
    } catch (const SyncError &e) {
        r.success = false;
        r.error = e.what();
        JsonDoc merged;
        merged.CopyFrom(e.details(), merged.GetAllocator());
        for (auto m = r.details.MemberBegin(); m != r.details.MemberEnd(); ++m)
            if (!merged.HasMember(m->name))
                merged.AddMember(JsonValue(m->name, merged.GetAllocator()),
                                 JsonValue(m->value, merged.GetAllocator()), merged.GetAllocator());
        r.details.Swap(merged);
    }
    SyncResult out = finish();
    if (!phases.empty()) log.debug("impayes_sync: phases: " + phases);
    const HttpStats &st = http.stats();
    log.info("impayes_sync: " + std::string(out.success ? "done" : "failed") +
             ": inserted=" + std::to_string(out.inserted) +
             " updated=" + std::to_string(out.updated) + " skipped=" + std::to_string(out.skipped) +
             " failed=" + std::to_string(out.failed) + " rejected=" + std::to_string(out.rejected) +
             " total=" + std::to_string(out.total) + " deleted=" + std::to_string(out.deleted) +
             " mode=" + (out.mode.empty() ? "-" : out.mode) + " in " +
             std::to_string(out.duration_ms) + " ms, " + std::to_string(st.requests) +
             " HTTP requests, " + std::to_string(st.bytes_sent) + " bytes sent, " +
             std::to_string(st.bytes_received) + " bytes received" +
             (out.success ? "" : "; error: " + out.error));
    return out;
}

}  // namespace impayes
