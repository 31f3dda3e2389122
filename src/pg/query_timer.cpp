#include "pg/query_timer.hpp"

#include <csignal>

#include "core/query_cancel.hpp"
#include "pg/postgres_headers.hpp"
#include "pg/text_encoding.hpp"

namespace impayes::pg {

namespace {

volatile sig_atomic_t timer_fired = 0;
// Whether the cancel pending is the timer's own: false when a user cancel
// (or statement_timeout's) was already pending as it fired.
volatile sig_atomic_t own_cancel = 0;
bool registered = false;
TimeoutId timer_id;

// Runs in the SIGALRM handler: only set flags, as StatementCancelHandler does.
void on_timeout() {
    timer_fired = 1;
    own_cancel = !QueryCancelPending;
    if (!proc_exit_inprogress) {
        InterruptPending = true;
        QueryCancelPending = true;
    }
    SetLatch(MyLatch);
}

}  // namespace

void QueryTimer::arm(int ms) {
    timer_fired = 0;
    own_cancel = 0;
    if (ms <= 0) return;
    if (!registered) {
        timer_id = RegisterTimeout(USER_TIMEOUT, on_timeout);
        registered = true;
    }
    enable_timeout_after(timer_id, ms);
    armed_ = true;
}

void QueryTimer::disarm() {
    if (!armed_) return;
    disable_timeout(timer_id, false);
    armed_ = false;
}

bool QueryTimer::fired() const { return timer_fired != 0; }

bool QueryTimer::cancel_is_only_ours() const {
    // statement_timeout and lock_timeout set their indicator before they
    // raise the cancel; a termination is never ours to drop.
    PendingCancel p;
    p.timer_fired = timer_fired != 0;
    p.already_pending_when_timer_fired = own_cancel == 0;
    p.statement_timeout_fired = get_timeout_indicator(STATEMENT_TIMEOUT, false);
    p.lock_timeout_fired = get_timeout_indicator(LOCK_TIMEOUT, false);
    p.termination_pending = ProcDiePending;
    return cancel_is_timers_own(p);
}

}  // namespace impayes::pg

namespace impayes::pg {

bool QueryTimer::raised_error(const std::string &message) const {
    // ProcessInterrupts has already reset statement_timeout's indicator when
    // it raised the error, but names the timeout in the message.
    // message is UTF-8 (PgError), the translation in the database encoding.
    return cancel_is_only_ours() &&
           message !=
               utf8_from_server(std::string(_("canceling statement due to statement timeout")));
}

}  // namespace impayes::pg
