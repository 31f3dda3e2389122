#include "sync/sync_run.hpp"

#include <algorithm>
#include <random>
#include <unordered_map>

#include "core/content_hash.hpp"
#include "core/errors.hpp"
#include "sync/prepare_class.hpp"
#include "sync/run_report.hpp"

namespace impayes {

namespace {

using Clock = std::chrono::steady_clock;

long ms_since(Clock::time_point t) {
    return long(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

// The reasons that need no ledger to be known.
FullDecision full_before_ledger(const Settings &s, const LedgerStore *ledger, bool exists) {
    if (ledger == nullptr) return {FullReason::NoLedgerStore, ""};
    if (s.full) return {FullReason::FullRequested, ""};
    if (s.mode == SyncMode::Full) return {FullReason::ModeFull, ""};
    if (!exists) return {FullReason::NoClass, ""};
    return {};
}

// Whether the loaded (not yet refreshed) ledger can be trusted.
FullDecision judge_ledger(const Settings &s, const LedgerState &state) {
    if (!state.found)
        return state.stale_reason.empty()
                   ? FullDecision{FullReason::NoLedgerYet, ""}
                   : FullDecision{FullReason::LedgerStale, state.stale_reason};
    if (const std::string prefix = ledger_signature(s, {});
        state.signature.compare(0, prefix.size(), prefix) != 0)
        return {FullReason::SignatureChanged, ""};
    if (long(state.entries.size()) != state.key_count)
        return {FullReason::KeyCountMismatch,
                "the ledger holds " + std::to_string(state.entries.size()) + " keys where " +
                    std::to_string(state.key_count) + " were saved"};
    return {};
}

// The first chunk showed that the ledger cannot be used after all while
// rows were left unconverted: the source is read again, fully converted.
struct RestartStream {};

// An update of every field: Parse's content is only known by a hash.
Op update_all(const SourceData &chunk, size_t i, const std::string &object_id) {
    Op op{Op::Update, i, object_id, {}, {}, {}, {}};
    for (const auto &col : chunk.columns) {
        const JsonValue *v = find_member(chunk.rows[rapidjson::SizeType(i)], col.name.c_str());
        (v == nullptr || v->IsNull() ? op.removed : op.changed).push_back(col.name);
    }
    return op;
}

// Row order, then deletes in key order: results and previews do not
// depend on the order Parse answered in.
void order_ops(std::vector<Op> &ops) {
    std::stable_sort(ops.begin(), ops.end(), [](const Op &a, const Op &b) {
        const bool da = a.kind == Op::Delete, db = b.kind == Op::Delete;
        if (da != db) return db;
        return da ? a.key < b.key : a.row < b.row;
    });
}

}  // namespace

SyncRun::SyncRun(const Settings &s, SourceReader &source, HttpClient &http, Logger &log,
                 LedgerStore *ledger, ProgressSink &progress)
    : s_(s),
      source_(source),
      http_(http),
      log_(log),
      ledger_(ledger),
      progress_(progress),
      parse_(s, http, log),
      t0_(Clock::now()),
      lap_start_(t0_),
      keys_(state_.entries) {
    r_.dry_run = s.dry_run;
    progress_state_.dry_run = s.dry_run;
    fields_.SetObject();
    // A key of this run's own: nobody who writes source rows can make a
    // changed row hash like the Parse object it should overwrite.
    std::random_device rd;
    for (auto &b : content_key_.bytes) b = uint8_t(rd());
}

SyncResult SyncRun::run() {
    try {
        check_settings();
        read_schema();
        choose_mode();
        stream_source();
        settle_missing();
        if (!s_.dry_run) {
            index_new_class();
            save_ledger();
        }
        summarise();
    } catch (const SyncError &e) {
        // What Parse confirmed before the failure is kept: the next run
        // starts from there instead of looking every row up again.
        if (state_known_ && !s_.dry_run && !saving_) {
            try {
                save_ledger();
            } catch (const SyncError &) {
                // the run's own error is the one to report
            }
        }
        fail(e);
    }
    return finish();
}

void SyncRun::enter(RunPhase phase) {
    if (timing_) {
        // A phase met again (chunk after chunk) adds to its total.
        const long ms = ms_since(lap_start_);
        auto lap = std::find_if(laps_.begin(), laps_.end(),
                                [&](const auto &l) { return l.first == lap_phase_; });
        if (lap == laps_.end())
            laps_.emplace_back(lap_phase_, ms);
        else
            lap->second += ms;
    }
    timing_ = true;
    lap_start_ = Clock::now();
    lap_phase_ = phase;
    if (progress_state_.phase == phase) return;
    progress_state_.phase = phase;
    report();
}

void SyncRun::report() { progress_.update(progress_state_); }

void SyncRun::reject(const RowProblem &p) {
    ++rejected_count_;
    // Only the first rows are listed: keep the kListedProblems smallest.
    auto at =
        std::upper_bound(rejected_.begin(), rejected_.end(), p,
                         [](const RowProblem &a, const RowProblem &b) { return a.row < b.row; });
    if (size_t(at - rejected_.begin()) >= kListedProblems) return;
    rejected_.insert(at, p);
    if (rejected_.size() > kListedProblems) rejected_.pop_back();
}

void SyncRun::check_settings() {
    if (auto p = validate_settings(s_))
        throw SyncError(p->setting + ": " + p->message).with("setting", p->setting);
    log_.info("impayes_sync: syncing " + s_.source.substr(0, 200) + " into Parse class " +
              s_.class_name + " at " + base_url(s_.parse_url) + (s_.dry_run ? " (dry run)" : ""));
}

void SyncRun::read_schema() {
    enter(RunPhase::ReadingSchema);
    exists_ = parse_.fetch_schema(fields_);
}

// Incremental when the ledger can be trusted, else a full reconciliation.
// What other clients changed in Parse is merged into the ledger before the
// source is read: the reader then converts only rows whose values differ
// from what Parse confirmed.
void SyncRun::choose_mode() {
    enter(RunPhase::ChoosingMode);
    full_ = full_before_ledger(s_, ledger_, exists_);
    if (full_.full()) return;
    const Clock::time_point t = Clock::now();
    ledger_->load(s_.class_name, state_);
    remember_saved();  // before refresh_ledger() changes entries
    const long load_ms = ms_since(t);
    const size_t loaded = keys_.size();
    full_ = judge_ledger(s_, state_);
    if (full_.full()) return;
    const std::string drift = refresh_ledger(parse_, s_.key_column, state_, drifted_);
    log_.debug("impayes_sync: ledger of " + std::to_string(loaded) + " keys loaded in " +
               std::to_string(load_ms) + " ms, drift checked in " +
               std::to_string(ms_since(t) - load_ms) + " ms");
    if (!drift.empty()) full_ = {FullReason::Drift, drift};
}

void SyncRun::stream_source() {
    enter(RunPhase::ReadingSource);
    for (int attempt = 0;; ++attempt) {
        try {
            source_.read(s_, incremental() ? &keys_ : nullptr, fields_, [&](SourceData &chunk) {
                r_.total = chunk.total;
                progress_state_.rows_read = chunk.total;
                report();
                if (!started_) start(chunk);
                DiffResult d = diff_chunk(chunk);
                write_chunk(chunk, d);
                enter(RunPhase::ReadingSource);
            });
            return;
        } catch (const RestartStream &) {
            if (attempt > 0) throw SyncError("the source changed its columns while it was read");
            started_ = false;
        }
    }
}

// The first chunk: its columns say what is synced; the class is made ready
// for them, and a full reconciliation reads the class before any row is
// compared.
void SyncRun::start(const SourceData &first) {
    check_columns(s_, first);
    columns_ = first.columns;
    names_.clear();
    for (const auto &c : columns_) names_.push_back(c.name);
    if (incremental() && state_.signature != ledger_signature(s_, columns_)) {
        full_ = {FullReason::ColumnsChanged, ""};
        if (!first.unchanged.empty()) throw RestartStream{};
    }
    started_ = true;
    prepare_class(first);
    const RunMode mode = incremental() ? RunMode::Incremental : RunMode::Full;
    r_.mode = mode_name(mode);
    progress_state_.mode = mode;
    log_.info(incremental() ? "impayes_sync: incremental: " + std::to_string(keys_.size()) +
                                  " keys in the ledger, " + std::to_string(drifted_.size()) +
                                  " changed in Parse by other clients"
                            : "impayes_sync: full reconciliation: " + full_reason_text(full_));
    if (incremental()) {
        object_count_ = state_.object_count;
        watermark_ = state_.watermark;
        state_known_ = true;
        return;
    }
    // The ledger as saved (not as an incremental attempt refreshed it): it
    // tells which object to keep of a key held by several, and which
    // entries this run changes.
    state_ = LedgerState();
    drifted_.clear();
    if (ledger_) ledger_->load(s_.class_name, state_);
    remember_saved();
    read_class();
}

// Marks each loaded entry with what was saved, so that only the entries
// this run changes are written back.
void SyncRun::remember_saved() {
    saved_found_ = state_.found;
    keys_.for_each(
        [](std::string_view, LedgerEntry &e) { e.saved = saved_fingerprint(e.object_id, e.hash); });
}

void SyncRun::prepare_class(const SourceData &first) {
    enter(RunPhase::PreparingClass);
    ensure_schema(s_, parse_, first, exists_, fields_, log_);
}

// Page by page, keeping per key only the objectId and a content hash.
void SyncRun::read_class() {
    object_count_ = 0;
    watermark_.clear();
    if (exists_) {
        enter(RunPhase::ReadingClass);
        parse_.read_all(names_, [&](const JsonValue &page) {
            if (!page.IsArray()) return;
            for (const auto &obj : page.GetArray()) {
                ++object_count_;
                watermark_ = later_iso(watermark_, string_member(obj, "updatedAt"));
                const JsonValue *k = find_member(obj, s_.key_column.c_str());
                if (k == nullptr || k->IsNull()) continue;  // counted, never synced
                const std::string key = key_string(*k), id = string_member(obj, "objectId");
                LedgerEntry &e = keys_[key];
                if (!(e.flags & InParse)) {
                    e.object_id = id;
                    e.flags |= InParse;
                    e.content_hash = content_hash(obj, names_, content_key_, scratch_);
                    continue;
                }
                if (!(e.flags & DupInParse)) {
                    e.flags |= DupInParse;
                    dup_in_parse_.push_back(key);
                    dup_values_.push_back(to_json(*k));
                }
                // e.hash is still the saved one: is this the object the ledger knows?
                if (e.saved != 0 && saved_fingerprint(id, e.hash) == e.saved) {
                    e.object_id = id;
                    e.content_hash = content_hash(obj, names_, content_key_, scratch_);
                }
            }
            progress_state_.objects_read += long(page.Size());
            report();
        });
        // A key held by several objects keeps the one the ledger knows if
        // Parse still has it, else the oldest: no preference is then left.
        for (const auto &key : dup_in_parse_) {
            LedgerEntry &e = keys_[key];
            if (e.saved == 0 || saved_fingerprint(e.object_id, e.hash) != e.saved)
                e.object_id.clear();
        }
    }
    // Only what this run sees confirmed gets a hash again.
    keys_.for_each([](std::string_view, LedgerEntry &e) {
        if (!(e.flags & InParse)) e.object_id.clear();
        e.hash = 0;
    });
    state_known_ = true;
}

DiffResult SyncRun::diff_chunk(const SourceData &chunk) {
    enter(RunPhase::Diffing);
    DiffResult d;
    for (const auto &p : chunk.rejected) {
        reject(p);
        if (!p.key.empty()) keys_[p.key].flags |= InRejectedRow;  // stays "in the source"
    }
    // Every key the source shows is marked; a key met twice (in this chunk
    // or an earlier one) rejects all its rows.
    auto see = [&](const std::string &key, long row) -> LedgerEntry & {
        LedgerEntry &e = keys_[key];
        if (e.first_row == 0) {
            e.first_row = uint32_t(row);
            return e;
        }
        auto &rows = dup_rows_[key];
        if (rows.empty()) rows.push_back(long(e.first_row));
        rows.push_back(row);
        e.flags |= DupInSource;
        e.hash = 0;  // whatever an earlier chunk wrote, the next run checks it again
        return e;
    };
    const size_t n = chunk.rows.Size();
    std::vector<LedgerEntry *> entry(n, nullptr);
    for (size_t i = 0; i < n; ++i) {
        const JsonValue *k = find_member(chunk.rows[rapidjson::SizeType(i)], s_.key_column.c_str());
        if (k == nullptr || k->IsNull()) {
            reject({chunk.row_numbers[i], "", s_.key_column,
                    "key column \"" + s_.key_column + "\" is NULL"});
            continue;
        }
        entry[i] = &see(key_string(*k), chunk.row_numbers[i]);
    }
    std::vector<LedgerEntry *> unchanged;
    for (const auto &u : chunk.unchanged) unchanged.push_back(&see(u.key, u.row));
    for (const LedgerEntry *e : unchanged)
        if (!(e->flags & DupInSource)) ++d.skipped;

    std::vector<Op> inserts;
    for (size_t i = 0; i < n; ++i) {
        if (entry[i] == nullptr || (entry[i]->flags & DupInSource)) continue;
        LedgerEntry &e = *entry[i];
        if (!incremental() && (e.flags & DupInParse)) {
            d.ops.push_back(update_all(chunk, i, e.object_id.str()));  // refined: which one is kept
        } else if (e.object_id.empty()) {
            inserts.push_back({Op::Insert, i, {}, {}, {}, {}, {}});
        } else if (incremental() ? e.hash == chunk.row_hashes[i]
                                 : content_hash(chunk.rows[rapidjson::SizeType(i)], names_,
                                                content_key_, scratch_) == e.content_hash) {
            ++d.skipped;
            e.hash = chunk.row_hashes[i];  // Parse holds the row as it is
        } else {
            d.ops.push_back(update_all(chunk, i, e.object_id.str()));
        }
    }
    // An incremental run also looks its inserts up: the ledger could be
    // behind Parse. A full run has just read the class.
    if (incremental())
        for (auto &op : inserts) d.ops.push_back(std::move(op));
    if (!d.ops.empty()) {
        std::vector<std::string> confirmed;  // entries refreshed: keys_ says it already
        refine_with_parse(parse_, chunk, s_.key_column, names_, d, state_, confirmed,
                          duplicate_lines_);
    }
    if (!incremental())
        for (auto &op : inserts) d.ops.push_back(std::move(op));
    order_ops(d.ops);
    return d;
}

void SyncRun::write_chunk(const SourceData &chunk, DiffResult &d) {
    r_.skipped += d.skipped;
    for (auto &k : d.duplicated) duplicated_.push_back(std::move(k));
    if (d.ops.empty()) return;
    progress_state_.objects_to_write += long(d.ops.size());
    report();
    if (s_.dry_run) {
        enter(RunPhase::Previewing);
        for (const Op &op : d.ops) count_op(op, r_);
        fill_preview(d.ops, chunk, s_.key_column, r_.preview);
        return;
    }
    enter(RunPhase::Pushing);
    BatchWriter writer(s_, parse_, http_, log_);
    const long written0 = progress_state_.objects_written, failed0 = progress_state_.objects_failed;
    writer.on_progress([&](long written, long failed) {
        progress_state_.objects_written = written0 + written;
        progress_state_.objects_failed = failed0 + failed;
        report();
    });
    const std::vector<ItemOutcome> outcomes = writer.push(d.ops, chunk);
    std::vector<RowProblem> too_large;
    count_outcomes(d.ops, outcomes, chunk, s_.key_column, r_, too_large);
    for (const auto &p : too_large) reject(p);
    record(chunk, d.ops, outcomes);
}

// What Parse confirmed goes into keys_ (saved at the end).
void SyncRun::record(const SourceData &chunk, const std::vector<Op> &ops,
                     const std::vector<ItemOutcome> &outcomes) {
    for (size_t i = 0; i < ops.size(); ++i) {
        const Op &op = ops[i];
        const ItemOutcome &o = outcomes[i];
        // An insert that may still be applied: how many objects Parse holds
        // is unknown, so the next run reconciles fully and finds it.
        if (o.state == ItemOutcome::Unknown) lost_track_ = true;
        if (o.state != ItemOutcome::Done) {
            // An extra object left: only a full read sees it again.
            if (!op.keeper.empty()) lost_track_ = true;
            continue;
        }
        watermark_ = later_iso(watermark_, o.stamp);
        if (op.kind == Op::Delete) {
            --object_count_;
            LedgerEntry *e = keys_.find(op.key);
            if (e == nullptr || e->object_id != op.object_id) continue;
            if (!op.keeper.empty()) {  // an extra sharing its key: the key stays, with the kept one
                e->object_id = op.keeper;
                e->hash = 0;
            } else {
                e->flags |= Deleted;
            }
            continue;
        }
        const JsonValue *k =
            find_member(chunk.rows[rapidjson::SizeType(op.row)], s_.key_column.c_str());
        if (k == nullptr) continue;
        LedgerEntry &e = keys_[key_string(*k)];
        const std::string &id = op.kind == Op::Insert ? o.object_id : op.object_id;
        if (op.kind == Op::Insert) ++object_count_;
        if (id.empty()) {
            lost_track_ = true;  // applied, but its objectId is unknown
            continue;
        }
        e.object_id = id;
        e.hash = (e.flags & DupInSource) ? 0 : chunk.row_hashes[op.row];
        e.flags |= InParse;
    }
}

// Once the whole source is read: objects whose key no row has are
// deleted (on_missing = delete), and a full run keeps one object of each
// key held by several that no row has, whatever on_missing says.
void SyncRun::settle_missing() {
    const bool delete_missing = s_.on_missing == OnMissing::Delete;
    std::vector<Op> ops;
    std::vector<const JsonValue *> lookup;
    JsonDoc values;
    values.SetArray();
    for (size_t i = 0; i < dup_in_parse_.size(); ++i) {
        const LedgerEntry &e = keys_[dup_in_parse_[i]];
        if (e.first_row != 0 || (e.flags & InRejectedRow)) continue;  // settled with its row
        JsonDoc v;
        if (!parse_json(v, dup_values_[i].data(), dup_values_[i].size()).empty()) continue;
        values.PushBack(JsonValue(v, values.GetAllocator()), values.GetAllocator());
    }
    for (const auto &v : values.GetArray()) lookup.push_back(&v);
    if (!lookup.empty()) {
        enter(RunPhase::Diffing);
        JsonDoc objects;
        parse_.find_by_keys(s_.key_column, lookup, objects, names_);
        std::map<std::string, std::vector<const JsonValue *>> by_key;
        for (const auto &obj : objects.GetArray())
            if (const JsonValue *k = find_member(obj, s_.key_column.c_str()); k && !k->IsNull())
                by_key[key_string(*k)].push_back(&obj);
        for (const auto &[key, objs] : by_key) {
            if (objs.size() < 2 && !delete_missing) continue;
            const Keeper keep = choose_keeper(objs, keys_[key].object_id.str());
            const std::string kept_id = string_member(*objs[keep.index], "objectId");
            for (size_t i = 0; i < objs.size(); ++i)
                if (delete_missing || i != keep.index)
                    ops.push_back({Op::Delete,
                                   0,
                                   string_member(*objs[i], "objectId"),
                                   {},
                                   {},
                                   key,
                                   delete_missing ? std::string() : kept_id});
            if (objs.size() < 2) continue;
            duplicated_.push_back(key);
            duplicate_lines_.push_back(
                delete_missing ? "key " + key + " is held by " + std::to_string(objs.size()) +
                                     " objects: deleting them all (no source row has the key)"
                               : keeper_line(key, objs.size(), kept_id, keep.why));
        }
    }
    if (delete_missing)
        keys_.for_each([&](std::string_view key, const LedgerEntry &e) {
            if (e.first_row != 0 || (e.flags & (InRejectedRow | Deleted | DupInParse))) return;
            if (e.object_id.empty() || (!incremental() && !(e.flags & InParse))) return;
            ops.push_back({Op::Delete, 0, e.object_id.str(), {}, {}, std::string(key), {}});
        });
    order_ops(ops);
    DiffResult d;
    d.ops = std::move(ops);
    const SourceData none;  // deletes carry their key
    write_chunk(none, d);
}

// A class this run created gets its key index after the first load, which
// is faster than maintaining it during the inserts.
void SyncRun::index_new_class() {
    if (exists_) return;
    try {
        parse_.add_indexes();
    } catch (const SyncError &e) {
        log_.info(std::string("impayes_sync: no indexes added: ") + e.what());
    }
}

// Only the entries this run changed are written back (all of them when no
// trusted ledger was saved before).
void SyncRun::save_ledger() {
    if (ledger_ == nullptr || !started_) return;
    saving_ = true;
    enter(RunPhase::SavingLedger);
    LedgerDelta d;
    d.replace_all = !saved_found_;
    // Live: Parse holds the key's object. Written back: a live entry that
    // changed (all of them on a rebuild), or a saved one no longer live.
    enum class Write { None, Upsert, Remove };
    auto live = [](const LedgerEntry &e) { return !e.object_id.empty() && !(e.flags & Deleted); };
    auto what = [&](const LedgerEntry &e) {
        if (live(e))
            return d.replace_all || saved_fingerprint(e.object_id, e.hash) != e.saved
                       ? Write::Upsert
                       : Write::None;
        return e.saved != 0 && !d.replace_all ? Write::Remove : Write::None;
    };
    // The delta's exact size first, then the entries packed as keys_ gives
    // its blocks back: the two are never held whole at once. The run ends here.
    size_t bytes = 0;
    keys_.for_each([&](std::string_view key, const LedgerEntry &e) {
        const Write w = what(e);
        if (w == Write::Upsert) bytes += LedgerDelta::upsert_size(key.size(), e.object_id.size());
        if (w == Write::Remove) bytes += LedgerDelta::remove_size(key.size());
    });
    d.reserve(bytes);
    keys_.drain([&](std::string_view key, const LedgerEntry &e) {
        if (live(e)) ++d.key_count;
        const Write w = what(e);
        if (w == Write::Upsert) d.upsert(key, e.object_id, e.hash);
        if (w == Write::Remove) d.remove(key);
    });
    d.signature = ledger_signature(s_, columns_);
    d.watermark = watermark_;
    d.object_count = lost_track_ ? -1 : object_count_;
    if (lost_track_)
        log_.info(
            "impayes_sync: the next run is a full reconciliation (an outcome is unknown or an "
            "extra object is left)");
    ledger_->save(s_.class_name, std::move(d));
}

void SyncRun::summarise() {
    enter(RunPhase::Summarising);
    for (const auto &[key, rows] : dup_rows_)
        for (long row : rows) {
            std::string others;
            for (long r : rows)
                if (r != row) others += (others.empty() ? "" : ", ") + std::to_string(r);
            reject({row, key, s_.key_column,
                    "duplicate key \"" + key + "\" (also in row " + others + ")"});
        }
    for (size_t i = 0; i < duplicate_lines_.size() && i < kListedProblems; ++i)
        log_.info("impayes_sync: " + duplicate_lines_[i]);
    if (duplicate_lines_.size() > kListedProblems)
        log_.info("impayes_sync: " + std::to_string(duplicate_lines_.size()) +
                  " keys held by several objects in all");
    r_.rejected = rejected_count_;
    if (!rejected_.empty()) list_rejected(rejected_, r_.details);
    if (!duplicated_.empty()) {
        std::sort(duplicated_.begin(), duplicated_.end());
        auto &a = r_.details.GetAllocator();
        JsonValue dups(rapidjson::kArrayType);
        for (size_t i = 0; i < duplicated_.size() && i < kListedProblems; ++i)
            dups.PushBack(JsonValue(duplicated_[i].c_str(), a), a);
        r_.details.AddMember("duplicate_keys_in_parse", dups, a);
    }
    r_.success = r_.failed == 0 && r_.rejected == 0;
    if (r_.success) return;
    auto count = [](long n, const char *one, const char *many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    std::string parts;
    if (r_.rejected) parts = count(r_.rejected, "source row rejected", "source rows rejected");
    if (r_.failed)
        parts += (parts.empty() ? "" : ", ") +
                 count(r_.failed, "object not written to Parse", "objects not written to Parse");
    r_.error = parts + " (see details)";
}

void SyncRun::fail(const SyncError &e) {
    r_.success = false;
    r_.error = e.what();
    JsonDoc merged;
    merged.CopyFrom(e.details(), merged.GetAllocator());
    for (auto m = r_.details.MemberBegin(); m != r_.details.MemberEnd(); ++m)
        if (!merged.HasMember(m->name))
            merged.AddMember(JsonValue(m->name, merged.GetAllocator()),
                             JsonValue(m->value, merged.GetAllocator()), merged.GetAllocator());
    r_.details.Swap(merged);
}

SyncResult SyncRun::finish() {
    enter(RunPhase::Summarising);
    r_.duration_ms = ms_since(t0_);
    std::string laps;
    for (const auto &[phase, ms] : laps_)
        laps += std::string(laps.empty() ? "" : ", ") + phase_name(phase) + " " +
                std::to_string(ms) + " ms";
    if (!laps.empty()) log_.debug("impayes_sync: phases: " + laps);
    const HttpStats &st = http_.stats();
    log_.info("impayes_sync: " + std::string(r_.success ? "done" : "failed") +
              ": inserted=" + std::to_string(r_.inserted) +
              " updated=" + std::to_string(r_.updated) + " skipped=" + std::to_string(r_.skipped) +
              " failed=" + std::to_string(r_.failed) + " rejected=" + std::to_string(r_.rejected) +
              " total=" + std::to_string(r_.total) + " deleted=" + std::to_string(r_.deleted) +
              " mode=" + (r_.mode.empty() ? "-" : r_.mode) + " in " +
              std::to_string(r_.duration_ms) + " ms, " + std::to_string(st.requests) +
              " HTTP requests, " + std::to_string(st.bytes_sent) + " bytes sent, " +
              std::to_string(st.bytes_received) + " bytes received" +
              (r_.success ? "" : "; error: " + r_.error));
    return std::move(r_);
}

}  // namespace impayes
