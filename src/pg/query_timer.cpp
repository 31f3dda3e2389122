#include "pg/query_timer.hpp"

#include <csignal>

#include "pg/postgres_headers.hpp"

namespace impayes::pg {

namespace {

volatile sig_atomic_t timer_fired = 0;
bool registered = false;
TimeoutId timer_id;

// Runs in the SIGALRM handler: only set flags, as StatementCancelHandler does.
void on_timeout() {
    timer_fired = 1;
    if (!proc_exit_inprogress) {
        InterruptPending = true;
        QueryCancelPending = true;
    }
    SetLatch(MyLatch);
}

}  // namespace

void QueryTimer::arm(int ms) {
    timer_fired = 0;
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

}  // namespace impayes::pg
