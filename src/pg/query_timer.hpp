// impayes_sync.query_timeout, armed by the extension itself around the
// source query: statement_timeout is only armed at the start of a
// top-level statement, so it cannot time a query run from inside a call.
// On expiry it raises a query cancel, as statement_timeout does, and
// remembers that the cancel was its own.
#pragma once

#include <string>

namespace impayes::pg {

class QueryTimer {
public:
    QueryTimer() = default;
    ~QueryTimer() { disarm(); }
    QueryTimer(const QueryTimer &) = delete;
    QueryTimer &operator=(const QueryTimer &) = delete;

    void arm(int ms);  // 0 = no limit
    void disarm();
    bool fired() const;
    // The timer fired and the pending cancel is its own alone: no user
    // cancel was pending when it fired, statement_timeout and lock_timeout
    // have not fired, no termination is pending. Only then may the cancel
    // be cleared or turned into a query_timeout failure. (A user cancel that
    // arrives after the timer fired, in the same instant, looks the same.)
    bool cancel_is_only_ours() const;
    // For a query-cancel ERROR already raised: it was this timer's alone.
    bool raised_error(const std::string &message) const;

private:
    bool armed_ = false;
};

}  // namespace impayes::pg
