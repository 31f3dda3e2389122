#include "core/query_cancel.hpp"

namespace impayes {

bool cancel_is_timers_own(const PendingCancel &p) {
    return p.timer_fired && !p.already_pending_when_timer_fired && !p.statement_timeout_fired &&
           !p.lock_timeout_fired && !p.termination_pending;
}

}  // namespace impayes
