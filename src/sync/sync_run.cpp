#include "sync/sync_run.hpp"

#include <algorithm>

#include "core/errors.hpp"
#include "sync/prepare_class.hpp"
#include "sync/run_report.hpp"

namespace impayes {

namespace {

long ms_since(std::chrono::steady_clock::time_point t) {
    return long(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t)
            .count());
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
      t0_(std::chrono::steady_clock::now()),
      lap_start_(t0_) {
    r_.dry_run = s.dry_run;
    progress_state_.dry_run = s.dry_run;
    fields_.SetObject();
}

SyncResult SyncRun::run() {
    try {
        check_settings();
        read_schema();
        choose_mode();
        read_source();
        prepare_class();
        diff();
        settle_duplicates();
        if (s_.dry_run) {
            preview();
        } else {
            push();
            index_new_class();
            save_ledger();
        }
        summarise();
    } catch (const SyncError &e) {
        fail(e);
    }
    return finish();
}

void SyncRun::enter(RunPhase phase) {
    if (lap_name_ != nullptr) {
        laps_ += std::string(laps_.empty() ? "" : ", ") + lap_name_ + " " +
                 std::to_string(ms_since(lap_start_)) + " ms";
    }
    lap_start_ = std::chrono::steady_clock::now();
    lap_name_ = phase_name(phase);
    progress_state_.phase = phase;
    progress_.update(progress_state_);
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
    ledger_->load(s_.class_name, state_);
    full_ = judge_ledger(s_, state_);
    if (full_.full()) return;
    const std::string drift = refresh_ledger(parse_, s_.key_column, state_, drifted_);
    if (!drift.empty()) full_ = {FullReason::Drift, drift};
}

void SyncRun::read_source() {
    enter(RunPhase::ReadingSource);
    auto read = [&](const LedgerEntries *known) {
        src_ = std::make_unique<SourceData>();
        source_.read(s_, *src_, known, [this](long rows) {
            progress_state_.rows_read = rows;
            progress_.update(progress_state_);
        });
        r_.total = src_->total;
        progress_state_.rows_read = src_->total;
        progress_.update(progress_state_);
        settle_json_types(*src_, fields_, exists_);
        check_columns(s_, *src_);
    };
    read(incremental() ? &state_.entries : nullptr);
    if (incremental() && state_.signature != ledger_signature(s_, src_->columns))
        full_ = {FullReason::ColumnsChanged, ""};
    // Rows left unconverted for an incremental run that cannot be: read
    // them all.
    if (full_.full() && !src_->unchanged.empty()) read(nullptr);
    names_.clear();
    for (const auto &c : src_->columns) names_.push_back(c.name);
}

void SyncRun::prepare_class() {
    enter(RunPhase::PreparingClass);
    ensure_schema(s_, parse_, *src_, exists_, fields_, log_);
}

void SyncRun::diff() {
    const RunMode mode = incremental() ? RunMode::Incremental : RunMode::Full;
    r_.mode = mode_name(mode);
    progress_state_.mode = mode;
    log_.info(incremental()
                  ? "impayes_sync: incremental: " + std::to_string(state_.entries.size()) +
                        " keys in the ledger, " + std::to_string(drifted_.size()) +
                        " changed in Parse by other clients"
                  : "impayes_sync: full reconciliation: " + full_reason_text(full_));
    const bool delete_missing = s_.on_missing == OnMissing::Delete;
    if (incremental()) {
        enter(RunPhase::Diffing);
        diff_ = diff_ledger(*src_, s_.key_column, state_, delete_missing);
        refine_with_parse(parse_, *src_, s_.key_column, names_, diff_, state_, drifted_,
                          duplicate_lines_);
    } else {
        // Page by page: the class is never held whole.
        enter(RunPhase::ReadingClass);
        RowsDiff rows_diff(*src_, s_.key_column, delete_missing);
        if (exists_)
            parse_.read_all(names_, [&](const JsonValue &page) {
                for (auto &k : index_objects(page, s_.key_column)) {
                    // Only the latest stamp is needed: not one string per object.
                    known_watermark_ = later_iso(known_watermark_, k.updated_at);
                    k.updated_at = std::string();
                    known_.push_back(std::move(k));
                }
                progress_state_.objects_read += page.IsArray() ? long(page.Size()) : 0;
                progress_.update(progress_state_);
                rows_diff.add(page);
            });
        enter(RunPhase::Diffing);
        diff_ = rows_diff.finish();
    }
    r_.skipped = diff_.skipped;
    progress_state_.objects_to_write = long(diff_.ops.size());
    progress_.update(progress_state_);
}

// A full read met keys held by several objects: reads them again by key
// (with createdAt) and keeps one per key. (An incremental run settled
// them while refining.)
void SyncRun::settle_duplicates() {
    if (!incremental() && !diff_.duplicated.empty()) {
        JsonDoc values;
        values.SetArray();
        std::vector<std::string> texts = diff_.duplicated_values;
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
        parse_.find_by_keys(s_.key_column, keys, objects, names_);
        LedgerState saved;  // which object the ledger knows for each key
        if (ledger_) ledger_->load(s_.class_name, saved);
        duplicate_lines_ = impayes::settle_duplicates(*src_, s_.key_column, objects, saved.entries,
                                                      s_.on_missing == OnMissing::Delete, diff_);
        r_.skipped = diff_.skipped;
        progress_state_.objects_to_write = long(diff_.ops.size());
        progress_.update(progress_state_);
    }
    for (size_t i = 0; i < duplicate_lines_.size() && i < kListedProblems; ++i)
        log_.info("impayes_sync: " + duplicate_lines_[i]);
    if (duplicate_lines_.size() > kListedProblems)
        log_.info("impayes_sync: " + std::to_string(duplicate_lines_.size()) +
                  " keys held by several objects in all");
    rejected_ = src_->rejected;
    rejected_.insert(rejected_.end(), diff_.rejected.begin(), diff_.rejected.end());
}

void SyncRun::preview() {
    enter(RunPhase::Previewing);
    for (const Op &op : diff_.ops) count_op(op, r_);
    fill_preview(diff_.ops, *src_, s_.key_column, r_.preview);
}

void SyncRun::push() {
    if (diff_.ops.empty()) return;
    enter(RunPhase::Pushing);
    BatchWriter writer(s_, parse_, http_, log_);
    writer.on_progress([&](long written, long failed) {
        progress_state_.objects_written = written;
        progress_state_.objects_failed = failed;
        progress_.update(progress_state_);
    });
    outcomes_ = writer.push(diff_.ops, *src_);
    count_outcomes(diff_.ops, outcomes_, *src_, s_.key_column, r_, rejected_);
}

// A class this run created gets its key index after the first load, which
// is faster than maintaining it during the inserts.
void SyncRun::index_new_class() {
    if (exists_) return;
    try {
        parse_.add_key_index();
    } catch (const SyncError &e) {
        log_.info(std::string("impayes_sync: no index on the key: ") + e.what());
    }
}

void SyncRun::save_ledger() {
    if (ledger_ == nullptr) return;
    enter(RunPhase::SavingLedger);
    LedgerDelta delta = ledger_delta(!incremental(), known_, state_, drifted_, diff_, outcomes_,
                                     *src_, s_.key_column);
    std::vector<KnownObject>().swap(known_);  // the run's peak memory is here
    if (!incremental()) delta.watermark = later_iso(delta.watermark, known_watermark_);
    delta.signature = ledger_signature(s_, src_->columns);
    // Extra objects sharing a key are only seen by a full read: keep
    // reconciling fully while one could not be deleted.
    for (size_t i = 0; i < diff_.ops.size(); ++i)
        if (!diff_.ops[i].keeper.empty() && outcomes_[i].state != ItemOutcome::Done)
            delta.object_count = -1;
    if (delta.object_count < 0)
        log_.info(
            "impayes_sync: the next run is a full reconciliation (an outcome is unknown or an "
            "extra object is left)");
    if (!incremental()) {
        // Against the ledger as saved: state_ may hold drift merged by an
        // incremental attempt that fell back to full.
        LedgerState saved;
        ledger_->load(s_.class_name, saved);
        narrow_rebuild(delta, saved);
    }
    ledger_->save(s_.class_name, delta);
}

void SyncRun::summarise() {
    enter(RunPhase::Summarising);
    r_.rejected = long(rejected_.size());
    if (!rejected_.empty()) list_rejected(rejected_, r_.details);
    if (!diff_.duplicated.empty()) {
        auto &a = r_.details.GetAllocator();
        JsonValue dups(rapidjson::kArrayType);
        for (size_t i = 0; i < diff_.duplicated.size() && i < kListedProblems; ++i)
            dups.PushBack(JsonValue(diff_.duplicated[i].c_str(), a), a);
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
    if (lap_name_ != nullptr)
        laps_ += std::string(laps_.empty() ? "" : ", ") + lap_name_ + " " +
                 std::to_string(ms_since(lap_start_)) + " ms";
    r_.duration_ms = ms_since(t0_);
    if (!laps_.empty()) log_.debug("impayes_sync: phases: " + laps_);
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
