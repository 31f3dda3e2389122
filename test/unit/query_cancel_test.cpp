// Issue 8, item 9: the query timer must not drop a cancel that is not its
// own. 1.0 cleared QueryCancelPending whenever the timer had fired.
#include <gtest/gtest.h>

#include "core/query_cancel.hpp"

using impayes::cancel_is_timers_own;
using impayes::PendingCancel;

TEST(QueryCancel, OnlyTheTimersOwnCancelIsItsToClear) {
    PendingCancel own;
    own.timer_fired = true;
    EXPECT_TRUE(cancel_is_timers_own(own));
}

TEST(QueryCancel, NotFiredMeansNotOurs) { EXPECT_FALSE(cancel_is_timers_own(PendingCancel{})); }

TEST(QueryCancel, AnotherCancelIsNeverDropped) {
    PendingCancel user;  // pg_cancel_backend() arrived before the timer fired
    user.timer_fired = true;
    user.already_pending_when_timer_fired = true;
    EXPECT_FALSE(cancel_is_timers_own(user));

    PendingCancel statement;  // statement_timeout in the same window
    statement.timer_fired = true;
    statement.statement_timeout_fired = true;
    EXPECT_FALSE(cancel_is_timers_own(statement));

    PendingCancel lock;
    lock.timer_fired = true;
    lock.lock_timeout_fired = true;
    EXPECT_FALSE(cancel_is_timers_own(lock));

    PendingCancel die;  // pg_terminate_backend()
    die.timer_fired = true;
    die.termination_pending = true;
    EXPECT_FALSE(cancel_is_timers_own(die));
}
