// Pushes inserts and updates through POST /batch: bodies split by item
// count and bytes, several requests in flight, per-item results collected.
// Transient failures are retried; inserts whose request may have been
// applied are looked up by key first, so none is created twice. An insert
// whose request may still reach Parse later (no answer after it was sent)
// is never sent again in the same run: when the look-up does not find it,
// its outcome is Unknown.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/diff.hpp"
#include "core/logger.hpp"
#include "core/settings.hpp"
#include "core/source_data.hpp"
#include "parse/parse_client.hpp"

namespace impayes {

struct ItemOutcome {
    // Unknown: an insert whose request may still be applied by Parse; not
    // re-sent, counted as failed, and the next run reconciles fully.
    enum State { Pending, Done, Failed, TooLarge, Unknown };
    State state = Pending;
    long http_status = 0;
    std::string code;       // Parse code or SQLSTATE
    std::string error;      // one line
    std::string object_id;  // Done inserts: the new object's id
    std::string stamp;      // Done inserts/updates: Parse's createdAt/updatedAt
};

// What a failed POST /batch means for its inserts, from its answer.
enum class BatchFailure {
    Final,             // not transient: not retried
    Resend,            // never reached Parse, or a per-item error: send again
    LookUpThenResend,  // Parse answered an error (5xx): maybe applied, finished
    MayStillArrive,    // no answer after sending (timeout, connection lost, 504):
                       // Parse may apply it later, so it is never re-sent
};
BatchFailure classify_batch_failure(const HttpResponse &r);

// Serialises the /batch item of one operation.
std::string batch_item_json(const Op &op, const SourceData &src, const std::string &mount,
                            const std::string &class_name);

class BatchWriter {
public:
    BatchWriter(const Settings &s, ParseClient &parse, HttpClient &http, Logger &log)
        : s_(s), parse_(parse), http_(http), log_(log) {}

    // One outcome per op, in the same order.
    std::vector<ItemOutcome> push(const std::vector<Op> &ops, const SourceData &src);

    long batches_sent() const { return batches_sent_; }

    // Called after each answered /batch request (and after inserts were
    // looked up) with the objects written so far and those not written so
    // far (refused, outcome unknown; a retried object that then succeeds
    // moves from failed to written). For the run's progress.
    using ProgressFn = std::function<void(long written, long failed)>;
    void on_progress(ProgressFn fn) { progress_ = std::move(fn); }

private:
    struct Batch {
        std::vector<size_t> ops;
        std::string body;
    };
    // Builds the next batch of todo from *pos on; false when none is left.
    // Items are serialised only now, so that only the batches in flight are
    // in memory; an item over max_request_bytes becomes TooLarge in out.
    bool next_batch(const std::vector<size_t> &todo, size_t &pos, const SourceData &src, Batch &b,
                    std::vector<ItemOutcome> &out);
    // Ops of one round to send again, and inserts to look up first
    // (may_arrive: those whose request may still reach Parse).
    struct Round {
        std::vector<size_t> resend, look_up;
        std::vector<bool> may_arrive;  // by op index
    };
    void send_round(const std::vector<size_t> &todo, const SourceData &src,
                    std::vector<ItemOutcome> &out, Round &round);
    // Inserts found by key are Done; the others are sent again, or, when
    // their request may still arrive, Unknown.
    void settle_inserts(const std::vector<Op> &ops, const SourceData &src, Round &round,
                        std::vector<ItemOutcome> &out);

    // Objects counted by on_progress, updated from the outcomes of the ops
    // a request or a look-up settled.
    struct Tally {
        long written = 0, failed = 0;
    };
    static Tally tally(const std::vector<ItemOutcome> &out, const std::vector<size_t> &ops);
    void count(const Tally &before, const Tally &after);
    void take_answer(const Batch &b, HttpResponse &&r, long number, std::vector<ItemOutcome> &out,
                     Round &round);

    const Settings &s_;
    ParseClient &parse_;
    HttpClient &http_;
    Logger &log_;
    long batches_sent_ = 0;
    const Op *ops_ = nullptr;  // the ops of the current push()
    ProgressFn progress_;
    Tally counted_;
};

}  // namespace impayes
