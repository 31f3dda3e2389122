// Whose is a pending query cancel once the source query has ended? The
// extension's own query timer (impayes_sync.query_timeout) raises a cancel
// like statement_timeout does; only a cancel that is the timer's alone may
// be cleared or reported as the query timeout. A user cancel,
// statement_timeout, lock_timeout or a termination must go back to
// PostgreSQL as it came (1.0 cleared any cancel once the timer had fired).
#pragma once

namespace impayes {

struct PendingCancel {
    bool timer_fired = false;
    bool already_pending_when_timer_fired = false;  // someone else's cancel came first
    bool statement_timeout_fired = false;
    bool lock_timeout_fired = false;
    bool termination_pending = false;
};

bool cancel_is_timers_own(const PendingCancel &p);

}  // namespace impayes
