// impayes_sync.query_timeout, armed by the extension itself around the
// source query: statement_timeout is only armed at the start of a
// top-level statement, so it cannot time a query run from inside a call.
// On expiry it raises a query cancel, as statement_timeout does, and
// remembers that the cancel was its own.
#pragma once

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

private:
    bool armed_ = false;
};

}  // namespace impayes::pg
